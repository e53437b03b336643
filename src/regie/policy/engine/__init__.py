"""The target status engine: is an indicator's target (streefwaarde) met, and why?

Pure functions on frozen dataclasses: no models, no database. Every verdict comes with an
explanation (English msgid, Dutch through gettext) that carries the numbers in the active
language's format and names the test used, so a council member can check it by hand.

Rules (DOMAIN.md §5; the first rule that matches wins; a manual override with a reason is kept
outside this module, in :mod:`regie.policy.status`):

Which measurement is judged
    * Only measurements **inside the plan period** (``Target.plan_years``: the period lies
      within those calendar years) and **after the baseline** (``Target.baseline`` or
      ``Target.baseline_period``: the period ends after the baseline's) count, for every kind
      of target. Without one in the plan period the status is *geen nieuwe meting* and the
      sentence names the latest figure.
    * Whole-year targets are judged on the latest **whole-year** measurement only. A part-year
      figure (``2024H1``, ``2024YTD06``) is never compared with a whole-year target or
      baseline (*geen nieuwe meting*, the sentence names the part-year figure). A direction
      target whose baseline is itself a part year is judged on the same months of a later year.
    * A trajectory needs a measurement after its start year.
    * ``since`` is the data period of the previous reporting moment: the latest measurement
      must end strictly after it, else *geen nieuwe meting* (``previous_status`` tells what the
      latest figure was judged).

Targets are never rounded
    A value is judged against the target **as written**: 7,25 against "at least 7,3" is not
    achieved, whatever ``decimals`` the plan shows. ``decimals`` only sets how numbers are
    shown, rounded half up (7,25 → 7,3); when a value and the target it is compared with would
    look equal, both are shown with as many more decimals as it takes to see the difference
    (never "7,3 < 7,3"). The target itself is always shown as written.

Kinds of measure (``MeasureKind``, the values of ``regie.monitor.models.MeasureKind``)
    *Event counts* (crimes, meldingen in a period) are Poisson: the exact conditional test
    and the exact Poisson interval apply. *Stocks* (a count at a moment) and *amounts*
    (hours, euros) have no chance margin: a rise is a rise. *Survey percentages* carry the
    source's published 95% bounds (``Measurement.lower``/``upper``). Other percentages and
    ratios have no margin unless the source gives one. Differences of percentages are shown
    in percentage points.

Thresholds (``at_least`` / ``at_most``; a standing norm)
    meets the target as written → *gehaald*; fails, but the measurement has a **source
    margin** (published survey bounds) that includes the target → *binnen marge* (the
    published 95% margin, two-sided, 5%); otherwise → *niet gehaald*. A Poisson interval never
    excuses a threshold: "at most 0 incidents" with 1 incident is not achieved, and so is any
    count above its threshold. No *risico* for a threshold.

Direction vs baseline (``not_up`` "afnemen of gelijk blijven" / ``not_down`` "stijgen of
gelijk blijven"; both treated alike)
    equal or moved the intended way → *gehaald*. A move the wrong way is *niet gehaald* only
    when it is beyond chance, tested **one-sided at 5%**, else *binnen marge*:

    * event counts: the exact conditional (binomial) test of two Poisson counts with equal
      exposures (alike periods), one-sided in the wrong direction;
    * measurements with published bounds (surveys): the bounds' half-widths on the facing
      sides / 1.96 as standard errors, combined; beyond chance when the wrong-way difference
      exceeds 1.645·√(se₁² + se₂²) (normal approximation, one-sided, 5%);
    * stocks and amounts: every rise (fall) counts, no chance margin;
    * other percentages and ratios without a margin: every rise (fall) counts (the sentence
      says no margin is known).

    The test is named in the explanation and in ``Evaluation.test``.

Trajectory (from B in y₀ to G in y₁, linear)
    expected T_y = B + (G - B)(y - y₀)/(y₁ - y₀), clamped to [y₀, y₁] (after the goal year the
    goal must keep holding). "Good" is the direction from B to G.

    1. at or beyond T_y in the good direction → *gehaald / op koers* (green);
    2. behind, but T_y inside the margin (source bounds; for event counts the exact 95%
       Poisson interval) → *binnen marge*;
    3. **the 90% rule**, the same in every year (goal year included): the measurement has
       covered at least 90% of the distance from B to T_y (:data:`AMBER_SHARE`,
       :func:`covered_share`, :func:`is_amber`) → *risico* (amber);
    4. otherwise → *niet gehaald* (red).

Roll-up (action → goal → theme → priority → plan)
    the least favourable status counts: niet gehaald > risico > binnen marge > gehaald;
    *geen nieuwe meting* is left out unless every status is. Many indicators tested at 5% give
    false alarms, so callers show the counts per status (:func:`count_statuses`) and how many
    indicators could not be judged next to the one verdict.

Unofficial sources
    ``Target.unofficial_source`` (e.g. "Misdaad in kaart") adds to every explanation that the
    figures are not official statistics.

Malformed targets raise :class:`TargetError` from :func:`evaluate`; :func:`target_problems`
lists the same messages for forms and importers to check first.
"""

from regie.core.formats import half_up
from regie.policy.engine.judge import evaluate
from regie.policy.engine.rollup import count_statuses, roll_up, status_label
from regie.policy.engine.target_rules import (
    covered_share,
    expected_on_trajectory,
    is_amber,
    target_problems,
)
from regie.policy.engine.types import (
    AMBER_SHARE,
    CONFIDENCE,
    DIRECTIONS,
    LEVEL,
    SEVERITY,
    STATUS_LABELS,
    THRESHOLDS,
    ChanceMethod,
    ChanceTest,
    Evaluation,
    MeasureKind,
    Measurement,
    Status,
    Target,
    TargetError,
    TargetKind,
)
from regie.policy.engine.wording import apart_decimals, exact_decimals, format_number, margin_of

__all__ = [
    "AMBER_SHARE",
    "CONFIDENCE",
    "DIRECTIONS",
    "LEVEL",
    "SEVERITY",
    "STATUS_LABELS",
    "THRESHOLDS",
    "ChanceMethod",
    "ChanceTest",
    "Evaluation",
    "MeasureKind",
    "Measurement",
    "Status",
    "Target",
    "TargetError",
    "TargetKind",
    "apart_decimals",
    "count_statuses",
    "covered_share",
    "evaluate",
    "exact_decimals",
    "expected_on_trajectory",
    "format_number",
    "half_up",
    "is_amber",
    "margin_of",
    "roll_up",
    "status_label",
    "target_problems",
]
