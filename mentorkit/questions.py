"""Question types: one registry entry each, with how it is described and the print macro that draws it.

A new question type is one `QuestionType` value, one entry here and one macro in
`templates/print/questions.html.j2`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .i18n import ENGLISH, N_, Language
from .model import Question, QuestionType


@dataclass(frozen=True)
class Kind:
    """What mentorkit knows of a question type."""

    macro: str  # the macro of templates/print/questions.html.j2 that draws its answer space
    describe: Callable[[Question, list[str], Language], str]  # how it is answered, in words


def _options(question: Question, goal_titles: list[str]) -> list[str]:
    return list(goal_titles) if question.options_from == "goals" else list(question.options or [])


def _scale(question: Question, _: list[str], lang: Language) -> str:
    low, high = question.scale
    if question.labels:
        return lang.gettext("Scale from %(low)s to %(high)s (%(first)s to %(last)s)") % {
            "low": low, "high": high, "first": question.labels[0], "last": question.labels[-1]}
    return lang.gettext("Scale from %(low)s to %(high)s") % {"low": low, "high": high}


def _pick(kind: str) -> Callable[[Question, list[str], Language], str]:
    def describe(question: Question, goal_titles: list[str], lang: Language) -> str:
        options = _options(question, goal_titles)
        return lang.gettext("%(kind)s: %(options)s") % {
            "kind": lang.gettext(kind), "options": "; ".join(options) if options else lang.gettext("one per programme goal")}

    return describe


KINDS: dict[QuestionType, Kind] = {
    QuestionType.text: Kind("text_answer", lambda q, g, lang: lang.gettext("Written answer")),
    QuestionType.yes_no: Kind("yes_no_answer", lambda q, g, lang: lang.gettext("Yes or no")),
    QuestionType.scale: Kind("scale_answer", _scale),
    QuestionType.choice: Kind("choice_answer", _pick(N_("Choose one"))),
    QuestionType.multi: Kind("choice_answer", _pick(N_("Choose any"))),
}


def describe(question: Question, goal_titles: list[str], lang: Language = ENGLISH) -> str:
    """How a question is answered, in words (plain text: escape it where it goes)."""
    return KINDS[question.type].describe(question, goal_titles, lang)
