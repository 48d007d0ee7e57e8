"""The one template context: what every template of the handbook and the printables may use, typed.

Site and print templates get the same values under the same names (`Context.values()`); each
adds only what belongs to it (the site: its page helpers; print: paper and the person a
workbook is for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from .defaults import FIRST_MEETING_TITLES, TYPES, TypeDefaults, first_meeting_checklist
from .model import (
    FeedbackSessions,
    Outcome,
    Program,
    ProgramFile,
    ProgramType,
    QuestionType,
    Roles,
    StageName,
    Survey,
    SurveyMoment,
)
from .plan import Document
from .project import Project
from .questions import KINDS, describe
from .resources import builtin_dir
from .templating import md
from .timeline import HORIZON_TEXT, Plan
from .wording import (
    MOMENT_TEXT,
    ONE_SESSION_FEEDBACK,
    OUTCOME_PLAIN,
    SESSIONS_TEXT,
    STAGE_TEXT,
    day,
    short,
)


class Smart(NamedTuple):
    """One letter of SMART, the goal field it names, and what that field asks."""

    letter: str
    field: str
    label: str
    hint: str


SMART = (Smart("S", "specific", "Specific", "what exactly will be done"),
         Smart("M", "measurable", "Measurable", "how you will know it is done"),
         Smart("A", "achievable", "Achievable", "why it is within reach, and with what help"),
         Smart("R", "relevant", "Relevant", "why it matters now"))
OUTCOME_NAMES = {Outcome.attitudinal: "Attitudinal: how people feel", Outcome.behavioral: "Behavioural: what people do",
                 Outcome.career: "Career: where careers go", Outcome.health: "Health: how people cope"}


def typed_content(program_type: ProgramType, root: Path | None) -> Callable[[str], str]:
    """Which content file to read for `name`: the program type's own version (`types/<type>/<name>`)
    where there is one, else the general one; the team's content/ before ours, at either level, so a
    team's general file still replaces our typed one."""
    folders = ([root / "content"] if root is not None else []) + [builtin_dir("content")]

    def pick(name: str) -> str:
        own = f"types/{program_type.value}/{name}"
        for folder in folders:
            for candidate in (own, name):
                if (folder / candidate).is_file():
                    return candidate
        return name

    return pick


@dataclass(frozen=True)
class Context:
    """Values every template gets."""

    pf: ProgramFile
    program: Program
    plan: Plan
    roles: Roles
    type: TypeDefaults
    stamp: datetime  # the build's one date (`stamp.build_timestamp`)
    documents: tuple[Document, ...]
    goal_titles: tuple[str, ...]
    checklist: Any  # the first-meeting checklist with the program's own items
    checklist_titles: dict[str, str] = field(default_factory=lambda: dict(FIRST_MEETING_TITLES))
    smart: tuple[Smart, ...] = SMART
    horizon_text: Any = field(default_factory=lambda: HORIZON_TEXT)
    sessions_text: str = ""
    stage_text: dict[StageName, str] = field(default_factory=lambda: dict(STAGE_TEXT))
    moment_text: dict[SurveyMoment, str] = field(default_factory=lambda: dict(MOMENT_TEXT))
    outcome_names: dict[Outcome, str] = field(default_factory=lambda: dict(OUTCOME_NAMES))
    question_kinds: dict[str, str] = field(default_factory=lambda: {t.value: k.macro for t, k in KINDS.items()})
    day: Callable[[date], str] = day
    short: Callable[[date], str] = short
    md: Callable[[Any], Markup] = md
    typed: Callable[[str], str] = lambda name: name  # noqa: E731 - `typed_content` of the program's type

    @classmethod
    def of(cls, project: Project, stamp: datetime, documents: list[Document]) -> Context:
        """The context of a loaded program."""
        pf = project.program
        return cls(pf=pf, program=pf.program, plan=project.plan, roles=pf.program.roles, type=TYPES[pf.program.type],
                   stamp=stamp, documents=tuple(documents), goal_titles=tuple(g.title for g in pf.goals),
                   checklist=first_meeting_checklist(pf),
                   sessions_text=ONE_SESSION_FEEDBACK if len(project.plan.meetings) == 1
                   and pf.feedback.sessions != FeedbackSessions.none else SESSIONS_TEXT[pf.feedback.sessions],
                   typed=typed_content(pf.program.type, project.root))

    def describe_question(self, question: Any) -> Markup:
        """How a question is answered, in words, escaped for Markdown."""
        return md(describe(question, list(self.goal_titles)))

    def plain_measures(self, survey: Survey) -> str:
        """What a survey measures, in a participant's words: 'how you feel about your work and ...'."""
        words = [OUTCOME_PLAIN[o] for o in survey.measures]
        return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)

    def values(self) -> dict[str, Any]:
        """The context as template variables (Enums included, for comparisons in templates)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(describe_question=self.describe_question, plain_measures=self.plain_measures, types=TYPES,
                      Outcome=Outcome, StageName=StageName,
                      QuestionType=QuestionType)
        return values
