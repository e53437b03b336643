"""Why a theme has no figures or lacks some: a plain sentence, and apart the source (table,
type codes) that would give them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.veiligheidsbeeld.dashboard.model import (
    CYBER_CODES,
    FRAUD_CODES,
    HIC_CODES,
    ONDERMIJNING_CODES,
    POLICE_TABLE,
    _types_text,
)


def _police_source(wanted: Sequence[tuple[str, str]], table: str = POLICE_TABLE) -> str:
    """The technical line naming the police table and type codes that hold ``wanted``."""
    codes = [f"{code.split(':', 1)[1]} ({name})" for code, name in wanted]
    return ngettext(
        "Source that has it: police table %(table)s, crime type %(codes)s.",
        "Source that has them: police table %(table)s, crime types %(codes)s.",
        len(codes),
    ) % {"table": table, "codes": _types_text(codes)}


@dataclass(frozen=True)
class Reason:
    """Why figures are missing: a plain sentence, the source that would give them (technical
    details) and whether uploading them would help (said only to roles that may upload)."""

    sentence: str
    technical: str = ""
    uploadable: bool = True


def _empty_reason(key: str) -> Reason:
    """Why a section has no figures, in words; the source that would provide them apart."""
    if key == "total":
        return Reason(
            _("No figures: the loaded figures hold no total of registered crime for this area."),
            _(
                "Source that has it: police table %(table)s (type 0.0.0, total crime) or CBS "
                "table 83648NED."
            )
            % {"table": POLICE_TABLE},
        )
    if key == "hic":
        return Reason(
            _(
                "No figures: the loaded police figures hold none of the high impact crimes "
                "(%(types)s)."
            )
            % {"types": _types_text([n for _c, n in HIC_CODES])},
            _police_source(HIC_CODES),
        )
    if key == "ondermijning":
        return Reason(
            _(
                "No figures: the loaded police figures hold none of the ondermijning-related "
                "crimes (%(types)s). Most ondermijning stays out of sight: these registered "
                "crimes show only what the police found."
            )
            % {"types": _types_text([n for _c, n in ONDERMIJNING_CODES])},
            _police_source(ONDERMIJNING_CODES),
        )
    if key == "digital":
        return Reason(
            _(
                "No figures: the loaded police figures hold no cybercrime. The police count "
                "online fraud apart, as horizontal fraud, and that is not loaded either."
            ),
            _police_source(CYBER_CODES + FRAUD_CODES),
        )
    if key == "crime":
        return Reason(
            _("No figures: the loaded figures hold no other crime types for this area."),
            _("Source that has them: police table %(table)s or CBS table 83648NED.")
            % {"table": POLICE_TABLE},
        )
    if key == "overlast":
        return Reason(
            _(
                "No figures: the loaded figures hold no nuisance incidents and no meldingen "
                "registered by the gemeente itself."
            ),
            _(
                "Source that has them: police table 47021NED (nuisance incidents) or the "
                "gemeente's own registrations of meldingen."
            ),
        )
    if key == "local":
        return Reason(_("No figures: the gemeente has loaded no figures of its own."))
    return Reason(
        _("No figures: no results of the Veiligheidsmonitor are loaded."),
        _("Source that has them: CBS table 81877NED, or the gemeente's own results."),
    )


def _missing_types(
    present: set[str], wanted: Sequence[tuple[str, str]], table: str = POLICE_TABLE
) -> Reason | None:
    """Why the wanted crime types without figures are missing, or None when all are there."""
    absent = [(code, name) for code, name in wanted if code not in present]
    if not absent:
        return None
    return Reason(
        ngettext(
            "No figures for %(types)s: the loaded police figures do not hold this crime type.",
            "No figures for %(types)s: the loaded police figures do not hold these crime types.",
            len(absent),
        )
        % {"types": _types_text([name for _c, name in absent])},
        _police_source(absent, table),
    )


def _hic_missing(present: set[str], totals: set[str]) -> list[Reason]:
    """Which High Impact Crimes totals could not be computed and which components they lack."""
    lines: list[Reason] = []
    if "derived:hic-breed" not in totals:
        lacking = [(c, n) for c, n in HIC_CODES if c not in present]
        values = {"types": _types_text([n for _c, n in lacking])}
        if not lacking:
            # every component is held, but never all of them in one whole year
            lines.append(
                Reason(
                    _(
                        "No High Impact Crimes total is computed: there is no year in which "
                        "every component has a figure."
                    ),
                    uploadable=False,
                )
            )
            return lines
        if "derived:hic-kern" not in totals:
            sentence = ngettext(
                "No High Impact Crimes total is computed: it needs every component, and the "
                "loaded police figures do not hold %(types)s.",
                "No High Impact Crimes total is computed: it needs every component, and the "
                "loaded police figures do not hold %(types)s.",
                len(lacking),
            )
        else:
            sentence = _(
                "Only the police's core definition is computed; the broad definition also needs "
                "%(types)s, which the loaded police figures do not hold."
            )
        lines.append(Reason(sentence % values, _police_source(lacking) if lacking else ""))
    return lines
