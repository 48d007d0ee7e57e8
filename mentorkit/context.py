"""The one template context: what every template of the handbook and the printables may use, typed.

Site and print templates get the same values under the same names (`Context.values()`); each
adds only what belongs to it (the site: its page helpers; print: paper and the person a
workbook is for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

from .defaults import FIRST_MEETING_TITLES, TYPES, TypeDefaults, first_meeting_checklist
from .i18n import ENGLISH, N_, Language, content_candidates, program_language
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
from .plan import documents as all_documents
from .project import Project
from .questions import KINDS, describe
from .resources import builtin_dir
from .templating import md
from .timeline import Plan
from .wording import (
    DELIVERY_NAMES,
    HORIZON_NAMES,
    HORIZON_TEXT,
    MOMENT_TEXT,
    ONE_SESSION_FEEDBACK,
    OUTCOME_PLAIN,
    SESSIONS_TEXT,
    STAGE_NAMES,
    STAGE_TEXT,
    WEEKDAY_NAMES,
    day,
    short,
)


class Smart(NamedTuple):
    """One letter of SMART, the goal field it names, and what that field asks."""

    letter: str
    field: str
    label: str
    hint: str


SMART = (Smart(N_("S"), "specific", N_("Specific"), N_("what exactly will be done")),
         Smart(N_("M"), "measurable", N_("Measurable"), N_("how you will know it is done")),
         Smart(N_("A"), "achievable", N_("Achievable"), N_("why it is within reach, and with what help")),
         Smart(N_("R"), "relevant", N_("Relevant"), N_("why it matters now")))
OUTCOME_NAMES = {Outcome.attitudinal: N_("Attitudinal: how people feel"),
                 Outcome.behavioral: N_("Behavioural: what people do"),
                 Outcome.career: N_("Career: where careers go"), Outcome.health: N_("Health: how people cope")}


def typed_content(program_type: ProgramType, root: Path | None, lang: Language | None = None
                  ) -> Callable[[str], str]:
    """Which content file to read for `name`: the program type's own version (`types/<type>/<name>`)
    where there is one, else the general one; the team's content/ before ours, at either level, so a
    team's general file still replaces our typed one. A file in the program's language (`content/fr/`)
    comes before an English one of the same folder, typed or not (`templating.content_path` then
    picks the language's copy of the name chosen here)."""
    folders = ([root / "content"] if root is not None else []) + [builtin_dir("content")]

    def pick(name: str) -> str:
        own = f"types/{program_type.value}/{name}"
        for folder in folders:
            for translated in (True, False):
                for candidate in (own, name):
                    where = content_candidates(candidate, lang)[0] if translated else candidate
                    if (folder / where).is_file():
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
    lang: Language = ENGLISH  # words, dates and content in the program's language (`i18n.language`)
    day: Callable[[date], str] = day
    short: Callable[[date], str] = short
    md: Callable[[Any], Markup] = md
    typed: Callable[[str], str] = lambda name: name  # noqa: E731 - `typed_content` of the program's type

    @classmethod
    def of(cls, project: Project, stamp: datetime, documents: list[Document]) -> Context:
        """The context of a loaded program."""
        pf = project.program
        lang = program_language(pf, project.root)
        _ = lang.gettext
        titles = {d.name: d.title for d in all_documents(pf, lang)}  # with the team's own catalogue too
        documents = [replace(d, title=titles.get(d.name, d.title)) for d in documents]
        return cls(pf=pf, program=pf.program, plan=project.plan, roles=lang.roles(pf.program.roles, TYPES[pf.program.type]),
                   type=TYPES[pf.program.type],
                   stamp=stamp, documents=tuple(documents), goal_titles=tuple(g.title for g in pf.goals),
                   checklist={part: [_(item) for item in items] for part, items in first_meeting_checklist(pf).items()},
                   smart=tuple(Smart(_(s.letter), s.field, _(s.label), _(s.hint)) for s in SMART),
                   sessions_text=_(ONE_SESSION_FEEDBACK) if len(project.plan.meetings) == 1
                   and pf.feedback.sessions != FeedbackSessions.none else _(SESSIONS_TEXT[pf.feedback.sessions]),
                   stage_text={k: _(v) for k, v in STAGE_TEXT.items()},
                   moment_text={k: _(v) for k, v in MOMENT_TEXT.items()},
                   outcome_names={k: _(v) for k, v in OUTCOME_NAMES.items()},
                   lang=lang, day=lang.day, short=lang.short,
                   typed=typed_content(pf.program.type, project.root, lang))

    def describe_question(self, question: Any) -> Markup:
        """How a question is answered, in words, escaped for Markdown."""
        return md(describe(question, list(self.goal_titles), self.lang))

    def plain_measures(self, survey: Survey) -> str:
        """What a survey measures, in a participant's words: 'how you feel about your work and ...'."""
        words = [self.lang.gettext(OUTCOME_PLAIN[o]) for o in survey.measures]
        return self.lang.listing(words)

    def values(self) -> dict[str, Any]:
        """The context as template variables (Enums included, for comparisons in templates)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(self.lang.template_functions())
        values.update(describe_question=self.describe_question, plain_measures=self.plain_measures, types=TYPES,
                      time=self.lang.time, month=self.lang.month, weekday=self.lang.weekday, plural=self.lang.plural, span=self.lang.span,
                      delivery_names=DELIVERY_NAMES, horizon_names=HORIZON_NAMES, weekday_names=WEEKDAY_NAMES, stage_names=STAGE_NAMES,
                      Outcome=Outcome, StageName=StageName,
                      QuestionType=QuestionType)
        return values
