"""Question types: one registry entry each, with how it is described and the print macro that draws it.

A new question type is one `QuestionType` value, one entry here and one macro in
`templates/print/questions.html.j2`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Question, QuestionType


@dataclass(frozen=True)
class Kind:
    """What mentorkit knows of a question type."""

    macro: str  # the macro of templates/print/questions.html.j2 that draws its answer space
    describe: Callable[[Question, list[str]], str]  # how it is answered, in words


def _options(question: Question, goal_titles: list[str]) -> list[str]:
    return list(goal_titles) if question.options_from == "goals" else list(question.options or [])


def _scale(question: Question, _: list[str]) -> str:
    low, high = question.scale
    ends = f" ({question.labels[0]} to {question.labels[-1]})" if question.labels else ""
    return f"Scale from {low} to {high}{ends}"


def _pick(kind: str) -> Callable[[Question, list[str]], str]:
    def describe(question: Question, goal_titles: list[str]) -> str:
        options = _options(question, goal_titles)
        return f"{kind}: {'; '.join(options) if options else 'one per programme goal'}"

    return describe


KINDS: dict[QuestionType, Kind] = {
    QuestionType.text: Kind("text_answer", lambda q, g: "Written answer"),
    QuestionType.yes_no: Kind("yes_no_answer", lambda q, g: "Yes or no"),
    QuestionType.scale: Kind("scale_answer", _scale),
    QuestionType.choice: Kind("choice_answer", _pick("Choose one")),
    QuestionType.multi: Kind("choice_answer", _pick("Choose any")),
}


def describe(question: Question, goal_titles: list[str]) -> str:
    """How a question is answered, in words (plain text: escape it where it goes)."""
    return KINDS[question.type].describe(question, goal_titles)
