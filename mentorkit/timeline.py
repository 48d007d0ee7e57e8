"""The dated plan: a pure function from a resolved program to stages, meetings, goals and survey moments."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .intervals import Interval
from .model import Goal, Horizon, OnHoliday, ProgramFile, StageName, Survey, SurveyMoment

# Default shares of the program for the four stages (a 9-month program: about 4, 26, 6 and 3 weeks).
STAGE_SHARES = {StageName.initiation: 0.10, StageName.cultivation: 0.67,
                StageName.separation: 0.15, StageName.redefinition: 0.08}
REGISTRATION_LEAD = timedelta(weeks=2)
AFTER_MATCHING_DELAY = timedelta(weeks=1)


@dataclass(frozen=True)
class StagePlan:
    """One stage with its dates (inclusive) and meeting interval."""

    name: StageName
    starts: date
    ends: date
    every: Interval

    @property
    def days(self) -> int:
        """Length in days."""
        return (self.ends - self.starts).days + 1

    @property
    def weeks(self) -> float:
        """Length in weeks."""
        return self.days / 7


@dataclass(frozen=True)
class Meeting:
    """One scheduled meeting."""

    number: int
    starts: datetime
    ends: datetime
    stage: StageName
    timezone: str
    moved_from: date | None = None  # the public holiday it was moved from (`cadence.on_holiday`)
    holiday: str | None = None  # the public holiday it was moved from, or falls on and is kept

    @property
    def date(self) -> date:
        """Local date of the meeting."""
        return self.starts.date()


@dataclass(frozen=True)
class SkippedMeeting:
    """A meeting not held because of a public holiday."""

    day: date
    holiday: str
    reason: str


@dataclass(frozen=True)
class Deadline:
    """A goal deadline or milestone."""

    goal: Goal
    title: str
    due: date
    is_milestone: bool


@dataclass(frozen=True)
class SurveyMomentPlan:
    """When a survey is taken: one date, or one per meeting for after-session surveys."""

    survey: Survey
    dates: tuple[date, ...]
    meetings: tuple[int, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The whole dated plan of a program."""

    starts: date
    ends: date
    timezone: str
    stages: tuple[StagePlan, ...]
    meetings: tuple[Meeting, ...]
    deadlines: tuple[Deadline, ...]
    surveys: tuple[SurveyMomentPlan, ...]
    notes: tuple[str, ...] = field(default=())
    skipped: tuple[SkippedMeeting, ...] = ()
    holidays: dict[date, str] = field(default_factory=dict)  # public holidays of `cadence.holidays`

    def stage(self, name: StageName) -> StagePlan:
        """The plan of the stage called `name`."""
        return next(s for s in self.stages if s.name == name)

    def stage_of(self, day: date) -> StagePlan:
        """The stage that `day` falls in (the last stage for days after the end)."""
        for s in self.stages:
            if s.starts <= day <= s.ends:
                return s
        return self.stages[-1] if day > self.ends else self.stages[0]

    def meetings_in(self, name: StageName) -> list[Meeting]:
        """Meetings held in one stage."""
        return [m for m in self.meetings if m.stage == name]


def stage_dates(pf: ProgramFile) -> list[tuple[StageName, date, date]]:
    """Lay the four stages end to end from `starts`, fitting them to the program's last day."""
    starts, last = pf.program.starts, pf.program.last_day
    total = (last - starts).days + 1
    names = list(StageName)
    if total < 28:  # too short for weeks: every stage spans the whole program (a flash session)
        return [(n, starts, last) for n in names]
    given = {n: pf.cadence.stages.get(n).weeks for n in names}
    fixed_days = sum(7 * w for w in given.values() if w is not None)
    open_share = sum(STAGE_SHARES[n] for n in names if given[n] is None)
    spare = max(0, total - fixed_days)
    days: dict[StageName, int] = {}
    for n in names:
        w = given[n]
        every = pf.cadence.stages.get(n).every or pf.cadence.every
        # a default stage is at least one meeting interval long, so it holds a meeting
        floor = 7 if every is None or every.is_none else max(7, math.ceil(every.approx_days() / 7) * 7)
        days[n] = 7 * w if w is not None else max(floor, round(spare * STAGE_SHARES[n] / open_share / 7) * 7)
    if None in given.values() and given[StageName.cultivation] is None:
        # the main stage absorbs what the floors took, so the stages still fit the program
        others = sum(d for n, d in days.items() if n != StageName.cultivation)
        days[StageName.cultivation] = max(7, total - others)
    out = []
    cursor = starts
    for i, n in enumerate(names):
        end = last if i == len(names) - 1 else min(last, cursor + timedelta(days=days[n] - 1))
        end = max(end, cursor)
        out.append((n, cursor, end))
        cursor = min(last, end + timedelta(days=1))
    return out


def _first_on_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def schedule(pf: ProgramFile, stages: list[StagePlan]) -> list[Meeting]:
    """Every meeting: on the cadence weekday and time, each stage stepping by its own interval."""
    cad = pf.cadence
    tz = ZoneInfo(cad.timezone)
    assert cad.length is not None and cad.every is not None, "resolve() the program first"
    starts, last = pf.program.starts, pf.program.last_day
    limit = cad.sessions if cad.sessions is not None else 10_000
    dates: list[date] = []
    day = _first_on_weekday(starts, cad.weekday.number)
    if day > last:
        day = starts
    if cad.every.is_none and all(s.every.is_none for s in stages):
        dates = [day] if cad.sessions else []
    else:
        anchor, steps = day, 0
        while day <= last and len(dates) < limit:
            stage = next((s for s in stages if s.starts <= day <= s.ends), stages[-1])
            if stage.every.is_none:
                later = [s for s in stages if s.starts > stage.ends and not s.every.is_none]
                if not later:
                    break
                day = _first_on_weekday(later[0].starts, cad.weekday.number)
                anchor, steps = day, 0
                continue
            dates.append(day)
            if stage.every.unit == "month":
                steps += stage.every.amount
                day = _first_on_weekday(Interval(steps, "month").add_to(anchor), cad.weekday.number)
            else:
                day = stage.every.add_to(day)
                anchor, steps = day, 0
    meetings = []
    for number, d in enumerate(dates, start=1):
        begin = datetime.combine(d, cad.time, tzinfo=tz)
        stage = next((s for s in stages if s.starts <= d <= s.ends), stages[-1])
        meetings.append(Meeting(number, begin, begin + timedelta(minutes=cad.length.minutes()), stage.name,
                                cad.timezone))
    return meetings


def survey_dates(survey: Survey, starts: date, ends: date, meetings: list[Meeting]) -> SurveyMomentPlan:
    """The date(s) a survey is taken."""
    if survey.when == SurveyMoment.registration:
        return SurveyMomentPlan(survey, (starts - REGISTRATION_LEAD,))
    if survey.when == SurveyMoment.after_matching:
        return SurveyMomentPlan(survey, (min(ends, starts + AFTER_MATCHING_DELAY),))
    if survey.when == SurveyMoment.midpoint:
        return SurveyMomentPlan(survey, (starts + timedelta(days=(ends - starts).days // 2),))
    if survey.when == SurveyMoment.conclusion:
        return SurveyMomentPlan(survey, (ends,))
    if survey.when == SurveyMoment.follow_up:  # the model requires `after` or `on`
        return SurveyMomentPlan(survey, (survey.on or survey.after.add_to(ends),))  # type: ignore[union-attr]
    return SurveyMomentPlan(survey, tuple(m.date for m in meetings), tuple(m.number for m in meetings))


def plan(pf: ProgramFile) -> Plan:
    """The dated plan of a resolved program (see defaults.resolve)."""
    assert pf.cadence.every is not None, "resolve() the program first"
    stages = [StagePlan(n, s, e, pf.cadence.stages.get(n).every or pf.cadence.every)
              for n, s, e in stage_dates(pf)]
    off = holidays_of(pf)
    meetings, skipped = on_holidays(pf, stages, schedule(pf, stages), off)
    deadlines = []
    for goal in pf.goals:
        deadlines += [Deadline(goal, m.title, m.due, True) for m in goal.milestones]
        if goal.time_bound is not None:
            deadlines.append(Deadline(goal, goal.title, goal.time_bound, False))
    deadlines.sort(key=lambda d: (d.due, d.goal.id, not d.is_milestone, d.title))
    starts, ends = pf.program.starts, pf.program.last_day
    surveys = [survey_dates(s, starts, ends, meetings) for s in pf.surveys or []]
    if pf.organiser.registration_closes is not None:  # the registration survey is the registration form
        surveys = [replace(m, dates=(pf.organiser.registration_closes,)) if m.survey.when == SurveyMoment.registration
                   else m for m in surveys]
    return Plan(starts, ends, pf.cadence.timezone, tuple(stages), tuple(meetings), tuple(deadlines),
                tuple(surveys), skipped=tuple(skipped), holidays=off)


def holidays_of(pf: ProgramFile) -> dict[date, str]:
    """The public holidays of `cadence.holidays` from the year before the program to the year after it."""
    if pf.cadence.holidays is None:
        return {}
    from .publicholidays import public_holidays

    years = range(pf.program.starts.year - 1, pf.program.last_day.year + 2)
    return public_holidays(pf.cadence.holidays, years, pf.program.language)


def on_holidays(pf: ProgramFile, stages: list[StagePlan], meetings: list[Meeting],
                off: dict[date, str]) -> tuple[list[Meeting], list[SkippedMeeting]]:
    """Meetings on public holidays moved to the next working day, dropped, or kept (`cadence.on_holiday`);
    numbered again from 1. A move that would reach the next meeting or pass the end drops the meeting."""
    if not off:
        return meetings, []
    rule = pf.cadence.on_holiday
    kept: list[Meeting] = []
    skipped: list[SkippedMeeting] = []
    for i, m in enumerate(meetings):
        name = off.get(m.date)
        if name is None:
            kept.append(m)
        elif rule == OnHoliday.keep:
            kept.append(replace(m, holiday=name))
        elif rule == OnHoliday.skip:
            skipped.append(SkippedMeeting(m.date, name, "meetings on public holidays are not held"))
        else:
            from .publicholidays import next_working_day

            day = next_working_day(m.date, off)
            following = meetings[i + 1].date if i + 1 < len(meetings) else None
            if day > pf.program.last_day or (following is not None and day >= following):
                skipped.append(SkippedMeeting(m.date, name, "the next working day would reach the next "
                                              "meeting or the end of the programme"))
                continue
            shift = timedelta(days=(day - m.date).days)
            stage = next((s for s in stages if s.starts <= day <= s.ends), stages[-1])
            kept.append(replace(m, starts=m.starts + shift, ends=m.ends + shift, stage=stage.name,
                                moved_from=m.date, holiday=name))
    return [replace(m, number=n) for n, m in enumerate(kept, start=1)], skipped


HORIZON_RANGE_DAYS = {Horizon.habit: (28, 56), Horizon.reach: (91, 366), Horizon.stretch: (730, 1827)}
HORIZON_TEXT = {Horizon.habit: "4-8 weeks", Horizon.reach: "3-12 months", Horizon.stretch: "2-5 years"}
