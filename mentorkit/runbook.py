"""The programme team's runbook: its own dates (organiser:, with defaults) and every task, dated from the plan.

Defaults, all offsets from the program's dates, so that they move with it:

- registration closes two weeks before the start (when the registration survey is due in the plan);
- matches are announced after a matching window: a week, ten days when mentees meet candidates first or
  participants choose their own partners, four days for a flash program;
- registration opens four weeks before it closes (two for a flash program);
- the kickoff is on the first day and the closing event on the last day.

A task the team derives (a reminder, a briefing, a check) that would fall on a weekend or a public holiday
of cadence.holidays is brought forward to the working day before it; the organiser's own dates and the
survey dates are never moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from .i18n import ENGLISH, N_, Language
from .intervals import Interval
from .model import ProgramFile, ProgramType, StageName, SurveyMoment
from .publicholidays import previous_working_day
from .timeline import REGISTRATION_LEAD, Plan

ORGANISER_FIELDS = ("registration_opens", "registration_closes", "matches_announced", "kickoff", "closing_event")
CHECK_MET_AFTER = timedelta(weeks=3)  # about three weeks after the first meeting
REMATCH_WINDOW = timedelta(weeks=2)
SURVEY_REMINDER = timedelta(weeks=1)
FOLLOW_UP_AFTER = Interval(3, "month")


@dataclass(frozen=True)
class OrganiserDates:
    """The programme team's five dates, given in program.yml or derived; given names those from the file."""

    registration_opens: date
    registration_closes: date
    matches_announced: date
    kickoff: date
    closing_event: date
    given: frozenset[str]


def matching_window(pf: ProgramFile) -> timedelta:
    """Days between registration closing and the matches being announced."""
    if pf.program.type == ProgramType.flash:
        return timedelta(days=4)
    if pf.matching.meet_before_committing or pf.matching.method == "self":
        return timedelta(days=10)
    return timedelta(weeks=1)


def organiser_dates(pf: ProgramFile) -> OrganiserDates:
    """The organiser's dates: those given in program.yml, the others derived from the program's dates and type."""
    own = pf.organiser
    window = matching_window(pf)
    closes = own.registration_closes
    if closes is None:
        closes = own.matches_announced - window if own.matches_announced else pf.program.starts - REGISTRATION_LEAD
    announced = own.matches_announced or closes + window
    open_for = timedelta(weeks=2 if pf.program.type == ProgramType.flash else 4)
    return OrganiserDates(
        registration_opens=own.registration_opens or closes - open_for,
        registration_closes=closes,
        matches_announced=announced,
        kickoff=own.kickoff or pf.program.starts,
        closing_event=own.closing_event or pf.program.last_day,
        given=frozenset(name for name in ORGANISER_FIELDS if getattr(own, name) is not None),
    )


@dataclass(frozen=True)
class Task:
    """One job of the programme team: a day, or a window of days (ends)."""

    key: str  # stable: the organiser calendar's UIDs are made from it
    title: str
    due: date
    detail: str
    ends: date | None = None

    @property
    def last_day(self) -> date:
        """The window's last day (the due date for a one-day task)."""
        return self.ends or self.due


PHASES = (N_("Before the programme starts"), N_("While it runs"), N_("At the end and after"))


def phase(task: Task, plan: Plan) -> str:
    """Which part of the runbook a task belongs to."""
    if task.due < plan.starts:
        return PHASES[0]
    return PHASES[1] if task.due < plan.ends and task.key not in ("closing-event",) else PHASES[2]


def tasks(pf: ProgramFile, plan: Plan, lang: Language = ENGLISH) -> list[Task]:
    """Every task of the programme team, in date order, in `lang`."""
    _, _day = lang.gettext, lang.day
    from .defaults import TYPES

    dates = organiser_dates(pf)
    roles = lang.roles(pf.program.roles, TYPES[pf.program.type])
    mentors = _plural(roles.mentor or _("mentor"), lang)
    group = pf.program.type == ProgramType.group
    flash = pf.program.type == ProgramType.flash

    def working(day: date, not_before: date | None = None) -> date:
        moved = previous_working_day(day, plan.holidays)
        return moved if not_before is None or moved >= not_before else day

    by_moment = {m.survey.when: m for m in plan.surveys}
    registration = by_moment.get(SurveyMoment.registration)
    form = _("the %(title)s survey") % {"title": registration.survey.title} if registration \
        else _("the registration form")
    link = f" ({registration.survey.url})" if registration and registration.survey.url else ""
    closes, announced, kickoff = dates.registration_closes, dates.matches_announced, dates.kickoff
    out: list[Task] = [
        Task("registration-opens", _("Open registration"), dates.registration_opens,
             _("Publish %(form)s and invite %(mentors)s and %(mentees)s to register by %(date)s.")
             % {"form": form + link, "mentors": mentors, "mentees": _plural(roles.mentee or _("mentee"), lang),
                "date": _day(closes)}),
        Task("registration-reminder", _("Remind people to register"),
             working(max(dates.registration_opens, closes - timedelta(weeks=1)), dates.registration_opens),
             _("A short reminder that registration closes on %(date)s; ask line managers to pass it on.")
             % {"date": _day(closes)}),
        Task("registration-closes", _("Close registration"), closes,
             _("Close the form and export the answers: they are the registrations that mentorkit match reads.")
             if pf.matching.scored else _("Close the form and export the answers.")),
    ]
    window_starts = closes + timedelta(days=1)
    window_ends = max(window_starts, announced - timedelta(days=1))
    if pf.matching.method == "self":
        how = _("Participants choose their own partners; help anyone who has not found one by the end of the window.")
    else:
        how = (_("Run mentorkit match on the registrations, read its explanation and settle anyone left over.")
               if pf.matching.scored else _("Pair people on the program's matching criteria and settle anyone left "
                                            "over."))
    if pf.matching.meet_before_committing and not flash:
        how += " " + _("Mentees meet their candidates first, so leave room for short introductions before anyone "
                       "commits.")
    out += [
        Task("matching", _("Matching window: form the circles") if group else _("Matching window: form the matches"),
             window_starts, how, ends=window_ends),
        Task("matches-announced", _("Announce the circles") if group else _("Announce the matches"), announced,
             _("Tell each person who they are matched with and send the welcome mail with the handbook's link "
               "(mentorkit kit drafts both for every participant).")),
    ]
    if kickoff > announced + timedelta(days=1):
        out.append(Task("brief-mentors", _("Brief the %(mentors)s") % {"mentors": mentors},
                        working(announced + (kickoff - announced) // 2, announced + timedelta(days=1)),
                        _("Walk through the handbook, the first-meeting checklist, how to raise a concern and what "
                          "to do if a match does not work.")))
    out.append(Task("kickoff", _("Kickoff event"), kickoff,
                    _("Welcome everyone, explain the four stages and the dates, and give partners time to meet.")))
    first = plan.meetings[0].date if plan.meetings else plan.starts
    checked = working(first + (timedelta(days=7) if flash else CHECK_MET_AFTER), first)
    if group:
        check = (_("Check that every circle has met"),
                 _("Ask each circle whether their session took place; follow up quietly with anyone who has not met "
                   "yet.") if flash else _("Ask each circle whether their first meeting took place; follow up "
                                           "quietly with anyone who has not met yet."))
    else:
        check = (_("Check that every pair has met"),
                 _("Ask each pair whether their session took place; follow up quietly with anyone who has not met "
                   "yet.") if flash else _("Ask each pair whether their first meeting took place; follow up "
                                           "quietly with anyone who has not met yet."))
    out.append(Task("check-met", check[0], checked, check[1]))
    if not flash:
        out.append(Task("rematch", _("Rematch window"), checked + timedelta(days=1),
                        (_("Pair again anyone whose match has not started or is not working; mentorkit match --keep "
                           "roster.csv keeps the circles that work.") if group else
                         _("Pair again anyone whose match has not started or is not working; mentorkit match --keep "
                           "roster.csv keeps the matches that work.")), ends=checked + REMATCH_WINDOW))
    out += _survey_tasks(plan, working, lang)
    if not flash and plan.ends - plan.starts > timedelta(weeks=8):
        middle = plan.starts + (plan.ends - plan.starts) // 2
        out.append(Task("midpoint-review", _("Midpoint review"), working(middle + timedelta(weeks=2), middle),
                        _("Read the midpoint answers, talk to pairs who are stuck or meeting rarely, and note what to "
                          "change for the next cohort.")))
        separation = plan.stage(StageName.separation)
        if separation.starts > plan.stages[0].starts:
            out.append(Task("separation-guidance", _("Send guidance on ending well"),
                            working(max(plan.starts, separation.starts - timedelta(weeks=1))),
                            _("Remind partners that meetings thin out from here, and how to close the relationship "
                              "well and decide what it becomes.")))
    out += [
        Task("closing-event", _("Closing event"), dates.closing_event,
             _("Thank everyone, celebrate what partners achieved and hand out the certificates.")),
        Task("impact-report", _("Write the impact report"), working(plan.ends + timedelta(weeks=3), plan.ends),
             _("Export the survey answers and run mentorkit report; share the figures with sponsors.")),
        Task("follow-up", _("Follow up with former pairs"), working(FOLLOW_UP_AFTER.add_to(plan.ends), plan.ends),
             _("Ask how goals have moved since the end, and invite former mentees to mentor in the next cohort.")),
    ]
    order = {t.key: i for i, t in enumerate(out)}
    return sorted(out, key=lambda t: (t.due, order[t.key]))


def _survey_tasks(plan: Plan, working: Callable[..., date], lang: Language = ENGLISH) -> list[Task]:
    """Each survey's send and reminder (the registration survey is the registration form: see above)."""
    _ = lang.gettext
    out = []
    for moment in plan.surveys:
        survey = moment.survey
        link = " " + _("Online form: %(url)s") % {"url": survey.url} if survey.url else ""
        if survey.when == SurveyMoment.registration:
            continue
        send = _("Send the %(title)s survey") % {"title": survey.title}
        if survey.when == SurveyMoment.after_session:
            out.append(Task(f"survey-{survey.id}", send, moment.dates[0],
                            _("Participants fill it in after every meeting: send the link with the first meeting and "
                              "read the answers once a month.") + link))
            continue
        day = moment.dates[0]
        out += [
            Task(f"survey-{survey.id}", send, day,
                 _("Send the survey to every participant (mentorkit kit drafts the invitation).") + link),
            Task(f"survey-{survey.id}-reminder", _("Remind people about the %(title)s survey") % {"title": survey.title},
                 working(day + SURVEY_REMINDER, day), _("Remind those who have not answered yet.")),
        ]
    return out


def _plural(label: str, lang: Language = ENGLISH) -> str:
    return lang.inline(label if label.lower().endswith("s") else lang.plural(label))


RUNBOOK_PDF = "team/runbook.pdf"
ORGANISER_CALENDAR = "team/organiser.ics"


def template_values(pf: ProgramFile, plan: Plan, lang: Language = ENGLISH) -> dict[str, object]:
    """What the runbook's page and printable show: the organiser's dates and the tasks by phase (the
    labels and phase names are msgids: templates translate them)."""
    dates = organiser_dates(pf)
    found = tasks(pf, plan, lang)
    rows = [(N_("Registration opens"), "registration_opens"), (N_("Registration closes"), "registration_closes"),
            (N_("Matches announced"), "matches_announced"), (N_("Kickoff"), "kickoff"),
            (N_("Closing event"), "closing_event")]
    return {
        "dates": [(label, getattr(dates, name), name in dates.given) for label, name in rows],
        "phases": [(name, [t for t in found if phase(t, plan) == name]) for name in PHASES],
        "pdf": RUNBOOK_PDF,
        "calendar": ORGANISER_CALENDAR,
        "count": len(found),
    }
