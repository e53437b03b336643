"""Short explanations of the statistical and policy words, written for a raadslid: one home.

Each entry has a question (the disclosure's summary) and one to three sentences of answer,
both English msgids with their Dutch text in ``locale/nl``. Templates show them with
``{% explain "toevalsmarge" %}`` (:mod:`regie.core.templatetags.regie`); Python code reads them
with :func:`help_text`. The keys are the Dutch words of ``docs/glossary.md``; an unknown key is
an error (:class:`UnknownHelpText`), never an empty explanation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpText:
    question: Promise | str
    answer: Promise | str


class UnknownHelpText(LookupError):
    """A template or view asked for an explanation that does not exist."""


# Msgids avoid the percent sign: a "%" followed by a letter is taken for a format directive.
HELP_TEXTS: Final[Mapping[str, HelpText]] = {
    "toevalsmarge": HelpText(
        _("What is the margin of chance?"),
        _(
            "Figures go up and down from year to year, even when nothing really changes. "
            "The margin of chance shows how large such a swing can be by chance alone. "
            "A difference within the margin is no proof of a real change."
        ),
    ),
    "95-interval": HelpText(
        _("What is a 95 percent interval?"),
        _(
            "The range in which the true value lies with 95 percent certainty. A survey needs "
            "one because only part of the residents answered. The narrower the interval, the "
            "more precise the figure."
        ),
    ),
    "nulmeting": HelpText(
        _("What is a baseline?"),
        _(
            "The first measurement that later figures are compared with, usually the figure of "
            "the year in which the plan starts. A target such as 'lower than the baseline' means "
            "lower than that starting point."
        ),
    ),
    "voorlopig": HelpText(
        _("What are provisional figures?"),
        _(
            "Figures that the source may still change, for instance because reports are still "
            "being processed. Final figures no longer change. Draw no firm conclusions from "
            "provisional figures."
        ),
    ),
    "per-1000-inwoners": HelpText(
        _("What does 'per 1,000 inhabitants' mean?"),
        _(
            "The number divided by the number of inhabitants, times 1,000. This makes "
            "gemeenten of different sizes, and years with a different population, fairly "
            "comparable."
        ),
    ),
    "geregistreerde-misdrijven": HelpText(
        _("What are registered crimes?"),
        _(
            "Crimes the police recorded, usually after a report. Not every crime is reported "
            "or discovered, so the real number is higher. A rise can also mean that more is "
            "reported or that more checks are done."
        ),
    ),
    "rapportcijfer": HelpText(
        _("What is a report mark?"),
        _(
            "A mark from 1 to 10 that residents give in a survey, as at school. It is the "
            "average of all answers and has a margin of chance, because not everyone was asked."
        ),
    ),
    "high-impact-crimes": HelpText(
        _("What are high impact crimes?"),
        _(
            "Crimes with a large impact on victims and on their feeling of safety: burglary, "
            "street robbery, hold-ups and violence (assault, threats, public violence). Police "
            "and gemeenten therefore follow them separately."
        ),
    ),
    "ondermijning": HelpText(
        _("What is undermining?"),
        _(
            "Crime that uses and damages ordinary society, such as drug trade through "
            "businesses, money laundering or criminals misusing property or permits. Much of "
            "it is missing from crime figures, because it is rarely reported."
        ),
    ),
    "waterbedeffect": HelpText(
        _("What is the waterbed effect?"),
        _(
            "When tackling a problem in one place moves it to another place or time, like water "
            "in a waterbed. It shows when the figure falls in the targeted area while it rises "
            "in the areas around it at the same time."
        ),
    ),
    "trend": HelpText(
        _("What is a trend?"),
        _(
            "The direction in which a figure moves over several years, not the step of a "
            "single year. One high or low year does not make a trend."
        ),
    ),
    "significant": HelpText(
        _("What does significant mean?"),
        _(
            "A difference is significant when it is too large to have arisen by chance. A "
            "difference that is not significant may still be real, but the figures do not show "
            "it yet."
        ),
    ),
    "streefwaarde": HelpText(
        _("What is a target?"),
        _(
            "The figure the gemeente wants to reach with a goal, such as 'a report mark of at "
            "least 7.3' or 'fewer burglaries than at the baseline'. An indicator's status tells "
            "how the latest measurement compares with its target."
        ),
    ),
    "status": HelpText(
        _("What do the status words mean?"),
        _(
            "Achieved / on track: the latest measurement meets the target, or is on the way to "
            "it. Within the margin: it falls short, but by less than chance can explain. At "
            "risk: behind, but close. Not achieved: it falls short by more than chance. No new "
            "measurement: there is no figure yet for the plan period."
        ),
    ),
}


def help_text(key: str) -> HelpText:
    """The explanation of ``key``; :class:`UnknownHelpText` when there is none."""
    try:
        return HELP_TEXTS[key]
    except KeyError:
        known = ", ".join(sorted(HELP_TEXTS))
        raise UnknownHelpText(f"No help text {key!r}; known: {known}") from None
