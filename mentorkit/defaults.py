"""What each program type implies: the one place where defaults live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .i18n import ENGLISH, N_, Language
from .intervals import Interval
from .model import (
    Cadence,
    Delivery,
    FirstMeeting,
    Group,
    Matching,
    MatchRule,
    Program,
    ProgramFile,
    ProgramType,
    Question,
    QuestionType,
    Roles,
    Survey,
    SurveyMoment,
)


@dataclass(frozen=True)
class TypeDefaults:
    """Defaults and plain-language facts for one program type."""

    name: str
    mentor: str
    mentee: str
    mentor_is: str
    mentee_is: str
    every: Interval | None
    length: Interval
    sessions: int | None
    delivery: Delivery
    summary: str
    group_size: int | None = None
    suits: str = ""
    """Where this type works best (the types compared page)."""
    asks: str = ""
    """What it asks of the people taking part."""


TYPES: dict[ProgramType, TypeDefaults] = {
    ProgramType.one_on_one: TypeDefaults(
        "One-on-one mentoring", "Mentor", "Mentee",
        "an experienced colleague who offers guidance, perspective and contacts",
        "a colleague who sets the agenda and works towards their own goals",
        Interval(2, "week"), Interval(60, "minute"), None, Delivery.in_person,
        "Each mentee is paired with one mentor for regular, private conversations about their growth.",
        suits="Focused development of one person over several months, with room for private conversations",
        asks="Mentors give steady time over the whole programme; mentees set the agenda and do the work "
             "between meetings"),
    ProgramType.group: TypeDefaults(
        "Group mentoring", "Circle mentor", "Circle member",
        "an experienced colleague who leads a small circle and keeps its conversations useful to everyone",
        "one of several colleagues with shared interests who learn from the mentor and from each other",
        Interval(4, "week"), Interval(90, "minute"), None, Delivery.in_person,
        "Small circles of colleagues meet with a mentor to learn together and hold each other to account.",
        group_size=6,
        suits="Reaching many people with few mentors, and groups who share a role, a network or a question",
        asks="The mentor leads discussion rather than lecturing; members bring topics and support each other"),
    ProgramType.peer: TypeDefaults(
        "Peer mentoring", "Peer", "Peer",
        "a colleague at a similar stage who shares what they know and asks good questions",
        "a colleague at a similar stage who does the same in return",
        Interval(2, "week"), Interval(45, "minute"), None, Delivery.in_person,
        "Colleagues at a similar stage pair up as equals and support each other's growth.",
        suits="People starting a role or going through the same change together, where no senior mentor is needed",
        asks="Both partners give and receive in turn, share the time fairly and keep each other to their actions"),
    ProgramType.reverse: TypeDefaults(
        "Reverse mentoring", "Reverse mentor", "Senior mentee",
        "a newer or more junior colleague who brings fresh skills and a view from the front line",
        "a senior colleague who wants to learn what they cannot easily see from where they sit",
        Interval(2, "week"), Interval(60, "minute"), None, Delivery.in_person,
        "Junior colleagues mentor senior ones on skills, tools and perspectives the seniors want to learn.",
        suits="Leaders who want to understand new tools, younger colleagues or the front line, and early-career "
              "staff who deserve a voice",
        asks="The junior mentor plans and leads the sessions; the senior mentee learns openly and keeps candour safe"),
    ProgramType.flash: TypeDefaults(
        "Flash mentoring", "Flash mentor", "Mentee",
        "a colleague who offers one focused conversation on a question they know well",
        "a colleague who brings one well-prepared question to a single session",
        None, Interval(60, "minute"), 1, Delivery.in_person,
        "One focused session with a mentor on a single, well-prepared question.",
        suits="Busy people, events, and anyone trying mentoring for the first time",
        asks="A single session: the mentee prepares one sharp question, the mentor brings relevant experience"),
    ProgramType.virtual: TypeDefaults(
        "Virtual mentoring", "Mentor", "Mentee",
        "an experienced colleague who mentors by video call and messages, wherever they are",
        "a colleague who sets the agenda and keeps the remote relationship moving",
        Interval(2, "week"), Interval(45, "minute"), None, Delivery.virtual,
        "Mentors and mentees in different places meet by video and keep in touch online.",
        suits="Colleagues spread across sites, countries or time zones, and people who work remotely",
        asks="Meetings by video at a time fair to both, with clear habits for keeping in touch in between"),
}

# Built-in first-meeting checklist (our own wording; facts from the reference guide).
FIRST_MEETING = {
    "before": [
        "Look up your partner's role, team and background",
        "Write down why you joined and what you hope to get out of it",
        "Prepare two or three questions you would like to talk about",
        "Mentees: sketch your short, medium and long-term goals and rank them",
        "Check your calendar for a regular slot you can protect",
    ],
    "during": [
        "Tell each other your story so far, at work and outside it",
        "Agree what stays between you and what may be shared",
        "Name the skills and goals you want to work on",
        "Settle how often, how long and where you will meet",
        "Choose how you will keep in touch between meetings",
    ],
    "after": [
        "Send a short note summing up what you discussed",
        "Write down the actions each of you agreed to take",
        "Put the next meeting in both calendars",
        "Start on the first action while it is fresh",
    ],
}

# Items that assume a series of meetings: left out of the checklist of a flash (single-session) program.
SERIES_ONLY = frozenset({
    "Mentees: sketch your short, medium and long-term goals and rank them",
    "Check your calendar for a regular slot you can protect",
    "Settle how often, how long and where you will meet",
    "Choose how you will keep in touch between meetings",
    "Put the next meeting in both calendars",
})

FIRST_MEETING_TITLES = {"before": "Before the meeting", "during": "During the meeting", "after": "After the meeting"}


def _q(id: str, text: str, type: QuestionType, **extra: object) -> Question:
    return Question.model_validate({"id": id, "text": text, "type": type.value, **extra})


# What the registration survey asks for each scored criterion: the criterion's label (the team's,
# as written) with our question; the first letter of the whole is made a capital.
ASK_FOR_CRITERION = {
    # Translators: a registration question. %(criterion)s is the programme team's own name for a matching
    # criterion, as they wrote it (e.g. "career goals"); put it where your sentence needs it.
    MatchRule.overlap: N_("%(criterion)s: what can you offer if you mentor, or hope to gain if you are mentored?"),
    # Translators: a registration question; %(criterion)s is the team's name for a matching criterion.
    MatchRule.same: N_("%(criterion)s: which describes you best?"),
    # Translators: a registration question; %(criterion)s is the team's name for a matching criterion.
    MatchRule.different: N_("%(criterion)s: which is yours?"),
}
# Translators: after a registration question that takes several answers: `mentorkit match` splits them at ';'.
SEVERAL_ANSWERS = N_("Separate several answers with ';'.")


def matching_questions(matching: Matching, roles: Roles, lang: Language = ENGLISH) -> list[Question]:
    """With criteria that have rules: name, email, role and one question per criterion, each question's id
    the column `mentorkit match` reads, so the survey's export is the registrations file. Our words are
    in `lang` (the program's language, in the team's terms); `roles` are the labels as the program shows
    them (`Language.roles`), the role question's options; the criteria's labels and options are the team's."""
    if not matching.scored:
        return []
    _ = lang.gettext
    mentor, mentee = roles.mentor or "mentor", roles.mentee or "mentee"
    if mentor.casefold() == mentee.casefold():  # a peer program: the two sides by our words for them
        mentor, mentee = (lang.text(lang.pgettext("term", role)) for role in ("mentor", "mentee"))
    questions = [
        _q("name", _("Your full name"), QuestionType.text, required=True),
        _q("email", _("Your work e-mail address"), QuestionType.text, required=True),
        _q("role", _("Which role are you registering for?"), QuestionType.choice, options=[mentor, mentee],
           required=True),
    ]
    for criterion in matching.scored:
        assert criterion.rule is not None and criterion.id is not None
        text = _(ASK_FOR_CRITERION[criterion.rule]) % {"criterion": criterion.title}
        text = text[:1].upper() + text[1:]
        if criterion.options:
            kind = QuestionType.multi if criterion.rule == MatchRule.overlap else QuestionType.choice
            questions.append(_q(criterion.id, text, kind, options=list(criterion.options), required=True))
        else:
            several = f" {_(SEVERAL_ANSWERS)}" if criterion.rule == MatchRule.overlap else ""
            questions.append(_q(criterion.id, text + several, QuestionType.text, required=True))
    return questions


def default_surveys(program_type: ProgramType, matching: Matching | None = None,
                    roles: Roles | None = None, lang: Language = ENGLISH) -> list[Survey]:
    """Registration, after-matching, midpoint and conclusion surveys, short and scored where possible,
    in `lang` (the program's language, in the team's terms).

    A flash program is a single session: only registration and conclusion make sense. With criteria
    that have rules, registration also asks what `mentorkit match` needs (`matching_questions`; `roles`
    are the program's labels, or the type's).
    """
    satisfied = dict(min=1, max=10, labels=["Not at all", "Completely"])
    t = TYPES[program_type]
    shown = lang.roles(roles or Roles(mentor=t.mentor, mentee=t.mentee), t)
    for_matching = matching_questions(matching, shown, lang) if matching is not None else []
    asked = {q.id for q in for_matching}
    surveys = [
        Survey(id="registration", title="Registration", when=SurveyMoment.registration,
               measures=["attitudinal", "career"],  # type: ignore[list-item]
               questions=[q for q in [
                   _q("hopes", "What do you hope to gain from the programme?", QuestionType.text, required=True),
                   _q("topics", "Which topics would you most like to explore?", QuestionType.text),
                   _q("feedback-style", "How do you prefer to receive feedback?", QuestionType.choice,
                      options=["In writing", "In conversation", "Either"]),
                   _q("confidence", "How confident do you feel about your next career step?", QuestionType.scale,
                      min=1, max=5, labels=["Not confident", "Very confident"]),
               ] if q.id not in asked]),
        Survey(id="after-matching", title="After matching", when=SurveyMoment.after_matching,
               measures=["attitudinal"],  # type: ignore[list-item]
               questions=[
                   _q("match-fit", "How well does your match fit what you were hoping for?", QuestionType.scale,
                      min=1, max=5, labels=["Poorly", "Very well"], required=True),
                   _q("first-meeting-held", "Have you had your first meeting?", QuestionType.yes_no),
                   _q("match-comments", "Anything the programme team should know about your match?",
                      QuestionType.text),
               ]),
        Survey(id="midpoint", title="Midpoint check-in", when=SurveyMoment.midpoint,
               measures=["attitudinal", "behavioral"],  # type: ignore[list-item]
               questions=[
                   _q("satisfaction", "How satisfied are you with your mentoring so far?", QuestionType.scale,
                      required=True, **satisfied),
                   _q("meeting-as-agreed", "Have you met as often as you agreed?", QuestionType.yes_no),
                   _q("progress", "Which goals are moving, and which are stuck?", QuestionType.text),
               ]),
        Survey(id="conclusion", title="End of programme", when=SurveyMoment.conclusion,
               measures=["attitudinal", "behavioral", "career", "health"],  # type: ignore[list-item]
               questions=[
                   _q("satisfaction", "How satisfied are you with your mentoring overall?", QuestionType.scale,
                      required=True, **satisfied),
                   _q("goals-reached", "Which of your goals did you reach?", QuestionType.multi,
                      options_from="goals"),
                   _q("applied", "How often do you use what you learned in your work?", QuestionType.scale,
                      min=1, max=5, labels=["Never", "Every week"]),
                   _q("stress", "Has the programme changed how you handle pressure at work?", QuestionType.text),
                   _q("mentor-next", "Would you like to mentor someone yourself?", QuestionType.yes_no),
               ]),
    ]
    surveys = [_in_language(s, lang.gettext) for s in surveys]
    registration = surveys[0]  # what matching needs first, already in the language, the team's words as written
    surveys[0] = registration.model_copy(update={"questions": for_matching + list(registration.questions)})
    if program_type == ProgramType.flash:
        return [s for s in surveys if s.when in (SurveyMoment.registration, SurveyMoment.conclusion)]
    return surveys


def resolve(pf: ProgramFile, root: Path | None = None) -> ProgramFile:
    """The program with every default that follows from its type filled in (our words in the program's
    language and the team's terms; with `root`, the program's folder, also its own `<lang>.po`)."""
    t = TYPES[pf.program.type]
    program: Program = pf.program
    roles = Roles(mentor=program.roles.mentor or t.mentor, mentee=program.roles.mentee or t.mentee)
    updates: dict[str, object] = {
        "roles": roles,
        "delivery": program.delivery or t.delivery,
        "summary": program.summary or t.summary,
    }
    if program.type == ProgramType.group and program.group is None:
        updates["group"] = Group(size=t.group_size or 6)
    cadence: Cadence = pf.cadence
    cadence_updates: dict[str, object] = {"length": cadence.length or t.length}
    if cadence.every is None:
        cadence_updates["every"] = t.every if t.every is not None else Interval(0, "none")
        if cadence.sessions is None and t.sessions is not None:
            cadence_updates["sessions"] = t.sessions
    surveys = pf.surveys
    if surveys is None or program.summary is None:  # our own words: in the program's language
        from .i18n import program_language

        lang = program_language(pf, root)
        updates["summary"] = program.summary or lang.gettext(t.summary)
        if surveys is None:
            surveys = default_surveys(program.type, pf.matching, roles, lang)
    return pf.model_copy(update={
        "program": program.model_copy(update=updates),
        "cadence": cadence.model_copy(update=cadence_updates),
        "surveys": surveys,
    })


def _in_language(survey: Survey, words: Callable[[str], str]) -> Survey:
    """A default survey with its title, questions, options and scale labels in the program's language
    (the catalogue holds them: `i18n.extract_constants`); ids stay as they are."""
    questions = [q.model_copy(update={
        "text": words(q.text),
        "options": [words(o) for o in q.options] if q.options else q.options,
        "labels": [words(label) for label in q.labels] if q.labels else q.labels,
    }) for q in survey.questions]
    return survey.model_copy(update={"title": words(survey.title), "questions": questions})


def first_meeting_checklist(pf: ProgramFile) -> dict[str, list[str]]:
    """before / during / after items: built-ins plus the program's additions, or its replacement."""
    own: FirstMeeting = pf.checklists.first_meeting
    single = pf.program.type == ProgramType.flash
    ours = {part: [item for item in items if not (single and item in SERIES_ONLY)] for part, items in FIRST_MEETING.items()}
    return {part: list(getattr(own, part)) if own.replace else ours[part] + list(getattr(own, part))
            for part in ("before", "during", "after")}
