"""The plan -> an .ics calendar of meetings, survey moments and goal deadlines (stable UIDs, VTIMEZONE)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .defaults import TYPES
from .i18n import ENGLISH, Language, program_language
from .model import SurveyMoment
from .project import Project
from .wording import STAGE_NAMES


def calendar_bytes(project: Project, stamp: datetime) -> bytes:
    """The program's calendar, byte-identical for the same program and `stamp`."""
    events, calendar = _contents(project)
    return _ical(events, calendar, stamp)


def _ical(events: list[dict[str, Any]], calendar: dict[str, Any], stamp: datetime) -> bytes:
    from icalendar import Calendar, Event
    from icalendar.enums import TRANSP

    fields = {k: v for k, v in calendar.items() if k != "timezones"}
    first, last = calendar["timezones"]
    made = []
    for event in events:
        arguments: dict[str, Any] = {k: TRANSP.TRANSPARENT if k == "transparency" else v for k, v in event.items()}
        made.append(Event.new(stamp=stamp, **arguments))
    cal = Calendar.new(**fields, subcomponents=made)
    # Only the years the program spans, so the VTIMEZONE stays short.
    cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def holiday_lines(meeting: Any, lang: Language = ENGLISH) -> list[str]:
    """Why a meeting is not on its usual day, or that it is kept on a public holiday."""
    if meeting.moved_from is not None:
        return [lang.gettext("Moved from %(date)s: %(holiday)s is a public holiday.")
                % {"date": lang.day(meeting.moved_from), "holiday": meeting.holiday}]
    if meeting.holiday is not None:
        return [lang.gettext("%(holiday)s is a public holiday; this meeting is kept on that day.")
                % {"holiday": meeting.holiday}]
    return []


def _stage(lang: Language, stage: Any) -> str:
    """A stage's name inside a sentence (lower case in English, as the language writes it otherwise)."""
    name = lang.gettext(STAGE_NAMES[stage])
    return name.lower() if lang.content is None else name


def organiser_bytes(project: Project, stamp: datetime) -> bytes:
    """The programme team's calendar: every runbook task as an all-day event (windows span their days)."""
    from .runbook import tasks

    pf, plan = project.program, project.plan
    pid, title = pf.program.id, pf.program.title
    _ = program_language(pf, project.root).gettext
    found = tasks(pf, plan, program_language(pf, project.root))
    events: list[dict[str, Any]] = [
        dict(uid=f"{pid}-team-{task.key}@mentorkit", start=task.due, end=task.last_day + timedelta(days=1),
             summary=f"{title}: {task.title}", description=task.detail,
             categories=[_("Mentoring"), _("Programme team")], transparency="TRANSPARENT") for task in found]
    first = min([plan.starts, *(task.due for task in found)])
    last = max([plan.ends, *(task.last_day for task in found)])
    calendar = dict(uid=f"{pid}-team@mentorkit", prodid="-//mentorkit//mentorkit//EN", method="PUBLISH",
                    name=_("%(title)s: programme team") % {"title": title},
                    description=_("The programme team's runbook for %(title)s") % {"title": title},
                    timezones=(date(first.year - 1, 1, 1), date(last.year + 2, 1, 1)))
    return _ical(events, calendar, stamp)


def personal_bytes(project: Project, person: str, key: str, partners: list[str], stamp: datetime) -> bytes:
    """One participant's meetings, naming their partner or circle, each with a reminder the day before;
    UIDs made from `key` (the participant's folder name), so a calendar imported again updates in place."""
    from icalendar import Alarm

    pf, plan = project.program, project.plan
    pid, title = pf.program.id, pf.program.title
    lang = program_language(pf, project.root)
    _ = lang.gettext
    who = _names(partners, lang)
    events = []
    for m in plan.meetings:
        lines = [_("Meeting %(number)s of %(count)s in the %(stage)s stage of %(title)s, with %(who)s.")
                 % {"number": m.number, "count": len(plan.meetings), "stage": _stage(lang, m.stage), "title": title,
                    "who": who},
                 *holiday_lines(m, lang)]
        alarm = Alarm.new(description=_("Tomorrow: mentoring with %(who)s") % {"who": who})
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        events.append(dict(uid=f"{pid}-{key}-meeting-{m.number}@mentorkit", start=m.starts, end=m.ends,
                           summary=_("Mentoring with %(who)s (%(number)s/%(count)s)")
                           % {"who": who, "number": m.number, "count": len(plan.meetings)},
                           description="\n".join(lines), categories=[_("Mentoring"), _(STAGE_NAMES[m.stage])],
                           subcomponents=[alarm]))
    calendar = dict(uid=f"{pid}-{key}@mentorkit", prodid="-//mentorkit//mentorkit//EN", method="PUBLISH",
                    name=f"{title}: {person}",
                    description=_("%(person)s's meetings in %(title)s") % {"person": person, "title": title},
                    timezones=(date(plan.starts.year - 1, 1, 1), date(plan.ends.year + 2, 1, 1)))
    return _ical(events, calendar, stamp)


def _names(people: list[str], lang: Language = ENGLISH) -> str:
    if not people:
        return lang.gettext("your partner")
    return lang.listing(people)


def _contents(project: Project) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The events (as keyword arguments of `Event.new`, but the stamp) and the calendar's own fields."""
    pf, plan = project.program, project.plan
    pid = pf.program.id
    title = pf.program.title
    lang = program_language(pf, project.root)
    roles = lang.roles(pf.program.roles, TYPES[pf.program.type])
    _ = lang.gettext
    events = []
    after_session = [s.survey.title for s in plan.surveys if s.survey.when == SurveyMoment.after_session]
    where = {"in-person": _("In person"), "virtual": _("Video call"), "hybrid": _("In person or by video")}
    delivery = pf.program.delivery.value if pf.program.delivery else "in-person"
    for m in plan.meetings:
        lines = [_("Meeting %(number)s of %(count)s in the %(stage)s stage of %(title)s.")
                 % {"number": m.number, "count": len(plan.meetings), "stage": _stage(lang, m.stage), "title": title},
                 _("%(mentor)s and %(mentee)s.") % {"mentor": roles.mentor, "mentee": roles.mentee}]
        if m.number == 1:
            lines.append(_("First meeting: bring the first-meeting checklist."))
        lines += holiday_lines(m, lang)
        if after_session:
            lines.append(_("Afterwards, fill in: %(surveys)s.") % {"surveys": ", ".join(after_session)})
        events.append(dict(uid=f"{pid}-meeting-{m.number}@mentorkit", start=m.starts, end=m.ends,
                           summary=_("%(title)s: meeting %(number)s") % {"title": title, "number": m.number},
                           description="\n".join(lines), location=where[delivery],
                           categories=[_("Mentoring"), _(STAGE_NAMES[m.stage])]))
    for moment in plan.surveys:
        if moment.survey.when == SurveyMoment.after_session:
            continue
        day = moment.dates[0]
        events.append(dict(uid=f"{pid}-survey-{moment.survey.id}@mentorkit", start=day,
                           end=day + timedelta(days=1),
                           summary=_("%(title)s: survey - %(survey)s") % {"title": title, "survey": moment.survey.title},
                           description=_("Please fill in the %(survey)s survey.") % {"survey": moment.survey.title},
                           categories=[_("Mentoring"), _("Survey")], transparency="TRANSPARENT"))
    for goal in pf.goals:
        dated = [(f"milestone-{i}", _("Milestone: %(title)s (%(goal)s)") % {"title": m.title, "goal": goal.title},
                  m.due) for i, m in enumerate(goal.milestones, start=1)]
        if goal.time_bound is not None:
            dated.append(("deadline", _("Goal deadline: %(title)s") % {"title": goal.title}, goal.time_bound))
        for key, summary, due in dated:
            events.append(dict(uid=f"{pid}-goal-{goal.id}-{key}@mentorkit", start=due,
                               end=due + timedelta(days=1), summary=summary,
                               categories=[_("Mentoring"), _("Goal")], transparency="TRANSPARENT"))
    calendar = dict(uid=f"{pid}@mentorkit", prodid="-//mentorkit//mentorkit//EN", method="PUBLISH", name=title,
                    description=_("Meetings, surveys and goal deadlines of %(title)s") % {"title": title},
                    timezones=(date(plan.starts.year - 1, 1, 1), date(plan.ends.year + 2, 1, 1)))
    return events, calendar
