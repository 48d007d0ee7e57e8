"""The plan -> an .ics calendar of meetings, survey moments and goal deadlines (stable UIDs, VTIMEZONE)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .model import SurveyMoment
from .project import Project


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
