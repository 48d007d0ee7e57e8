"""The plan -> an .ics calendar of meetings, survey moments and goal deadlines (stable UIDs, VTIMEZONE)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .model import SurveyMoment
from .project import Project
from .wording import day as long_day


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


def holiday_lines(meeting: Any) -> list[str]:
    """Why a meeting is not on its usual day, or that it is kept on a public holiday."""
    if meeting.moved_from is not None:
        return [f"Moved from {long_day(meeting.moved_from)}: {meeting.holiday} is a public holiday."]
    if meeting.holiday is not None:
        return [f"{meeting.holiday} is a public holiday; this meeting is kept on that day."]
    return []


def organiser_bytes(project: Project, stamp: datetime) -> bytes:
    """The programme team's calendar: every runbook task as an all-day event (windows span their days)."""
    from .runbook import tasks

    pf, plan = project.program, project.plan
    pid, title = pf.program.id, pf.program.title
    found = tasks(pf, plan)
    events: list[dict[str, Any]] = [
        dict(uid=f"{pid}-team-{task.key}@mentorkit", start=task.due, end=task.last_day + timedelta(days=1),
             summary=f"{title}: {task.title}", description=task.detail, categories=["Mentoring", "Programme team"],
             transparency="TRANSPARENT") for task in found]
    first = min([plan.starts, *(task.due for task in found)])
    last = max([plan.ends, *(task.last_day for task in found)])
    calendar = dict(uid=f"{pid}-team@mentorkit", prodid="-//mentorkit//mentorkit//EN", method="PUBLISH",
                    name=f"{title}: programme team", description=f"The programme team's runbook for {title}",
                    timezones=(date(first.year - 1, 1, 1), date(last.year + 2, 1, 1)))
    return _ical(events, calendar, stamp)


def personal_bytes(project: Project, person: str, key: str, partners: list[str], stamp: datetime) -> bytes:
    """One participant's meetings, naming their partner or circle, each with a reminder the day before;
    UIDs made from `key` (the participant's folder name), so a calendar imported again updates in place."""
    from icalendar import Alarm

    pf, plan = project.program, project.plan
    pid, title = pf.program.id, pf.program.title
    who = _names(partners)
    events = []
    for m in plan.meetings:
        lines = [f"Meeting {m.number} of {len(plan.meetings)} in the {m.stage.value} stage of {title}, with {who}.",
                 *holiday_lines(m)]
        alarm = Alarm.new(description=f"Tomorrow: mentoring with {who}")
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        events.append(dict(uid=f"{pid}-{key}-meeting-{m.number}@mentorkit", start=m.starts, end=m.ends,
                           summary=f"Mentoring with {who} ({m.number}/{len(plan.meetings)})",
                           description="\n".join(lines), categories=["Mentoring", m.stage.value.title()],
                           subcomponents=[alarm]))
    calendar = dict(uid=f"{pid}-{key}@mentorkit", prodid="-//mentorkit//mentorkit//EN", method="PUBLISH",
                    name=f"{title}: {person}", description=f"{person}'s meetings in {title}",
                    timezones=(date(plan.starts.year - 1, 1, 1), date(plan.ends.year + 2, 1, 1)))
    return _ical(events, calendar, stamp)


def _names(people: list[str]) -> str:
    if not people:
        return "your partner"
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


def _contents(project: Project) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The events (as keyword arguments of `Event.new`, but the stamp) and the calendar's own fields."""
    pf, plan = project.program, project.plan
    pid = pf.program.id
    title = pf.program.title
    roles = pf.program.roles
    events = []
    after_session = [s.survey.title for s in plan.surveys if s.survey.when == SurveyMoment.after_session]
    where = {"in-person": "In person", "virtual": "Video call", "hybrid": "In person or by video"}
    delivery = pf.program.delivery.value if pf.program.delivery else "in-person"
    for m in plan.meetings:
        lines = [f"Meeting {m.number} of {len(plan.meetings)} in the {m.stage.value} stage of {title}.",
                 f"{roles.mentor} and {roles.mentee}."]
        if m.number == 1:
            lines.append("First meeting: bring the first-meeting checklist.")
        lines += holiday_lines(m)
        if after_session:
            lines.append("Afterwards, fill in: " + ", ".join(after_session) + ".")
        events.append(dict(uid=f"{pid}-meeting-{m.number}@mentorkit", start=m.starts, end=m.ends,
                           summary=f"{title}: meeting {m.number}", description="\n".join(lines),
                           location=where[delivery], categories=["Mentoring", m.stage.value.title()]))
    for moment in plan.surveys:
        if moment.survey.when == SurveyMoment.after_session:
            continue
        day = moment.dates[0]
        events.append(dict(uid=f"{pid}-survey-{moment.survey.id}@mentorkit", start=day,
                           end=day + timedelta(days=1), summary=f"{title}: survey - {moment.survey.title}",
                           description=f"Please fill in the {moment.survey.title} survey.",
                           categories=["Mentoring", "Survey"], transparency="TRANSPARENT"))
    for goal in pf.goals:
        dated = [(f"milestone-{i}", f"Milestone: {m.title} ({goal.title})", m.due)
                 for i, m in enumerate(goal.milestones, start=1)]
        if goal.time_bound is not None:
            dated.append(("deadline", f"Goal deadline: {goal.title}", goal.time_bound))
        for key, summary, due in dated:
            events.append(dict(uid=f"{pid}-goal-{goal.id}-{key}@mentorkit", start=due,
                               end=due + timedelta(days=1), summary=summary,
                               categories=["Mentoring", "Goal"], transparency="TRANSPARENT"))
    calendar = dict(uid=f"{pid}@mentorkit", prodid="-//mentorkit//mentorkit//EN", method="PUBLISH", name=title,
                    description=f"Meetings, surveys and goal deadlines of {title}",
                    timezones=(date(plan.starts.year - 1, 1, 1), date(plan.ends.year + 2, 1, 1)))
    return events, calendar
