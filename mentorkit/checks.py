"""Warnings: things that are valid but probably not what the program team meant."""

from __future__ import annotations

from collections.abc import Iterator

from .errors import Problem
from .load import Located, Path_
from .model import Horizon, ProgramFile, ProgramType, SurveyMoment
from .runbook import organiser_dates
from .timeline import HORIZON_RANGE_DAYS, HORIZON_TEXT, Plan


def warnings_for(pf: ProgramFile, dated: Plan, located: Located) -> Iterator[Problem]:
    """Every warning for a resolved program and its plan."""
    starts, ends = dated.starts, dated.ends
    for i, goal in enumerate(pf.goals):
        at = ("goals", i)
        deadline = goal.time_bound
        if deadline is not None:
            if deadline < starts:
                yield located.problem(at + ("time_bound",), f"deadline {deadline} is before the program starts "
                                      f"({starts})", severity="warning")
            elif deadline > ends and goal.horizon != Horizon.stretch and pf.program.type != ProgramType.flash:
                # a flash session is one day: the actions it starts always run on after it
                yield located.problem(at + ("time_bound",), f"deadline {deadline} is after the program ends "
                                      f"({ends}); is this a stretch goal?", severity="warning")
            low, high = HORIZON_RANGE_DAYS[goal.horizon]
            days = (deadline - starts).days
            # whole weeks / months, rounded, so 8 weeks and a day still counts as 8 weeks
            slack = 7 if goal.horizon == Horizon.habit else 31
            if deadline >= starts and not (low - slack < days < high + slack):
                yield located.problem(at + ("time_bound",), f"a {goal.horizon.value} goal spans "
                                      f"{HORIZON_TEXT[goal.horizon]}, but this deadline is {_span(days)} after "
                                      f"the start", severity="warning")
        for j, milestone in enumerate(goal.milestones):
            if deadline is not None and milestone.due > deadline:
                yield located.problem(at + ("milestones", j, "due"), f"milestone due {milestone.due} is after "
                                      f"the goal's deadline ({deadline})", severity="warning")
    if pf.surveys is not None and not any(s.when == SurveyMoment.conclusion for s in pf.surveys):
        where: Path_ = ("surveys",) if "surveys" in (located.data or {}) else ()
        yield located.problem(where, "no conclusion survey: the program's outcome will not be measured",
                              severity="warning")
    for stage in dated.stages:
        if stage.every.is_none or stage.every.approx_days() <= stage.days:
            continue
        path: Path_ = ("cadence", "stages", stage.name.value)
        if path not in located.values:
            path = ("cadence", "every")
        if dated.stages[0].starts == dated.stages[-1].starts:  # one short program: stages overlap
            continue
        yield located.problem(path, f"meetings every {stage.every} are further apart than the "
                              f"{stage.name.value} stage is long ({stage.days} days)", severity="warning")
    scheduled = pf.cadence.every is not None and not pf.cadence.every.is_none
    if scheduled and not dated.meetings:
        yield located.problem(("cadence",), "no meeting falls inside the program dates", severity="warning")
    yield from _empty_stages(dated, located)
    yield from _organiser(pf, dated, located)


def _empty_stages(dated: Plan, located: Located) -> Iterator[Problem]:
    """A stage meant to hold meetings that holds none (stages with `every: none` hold none on purpose)."""
    if not dated.meetings or dated.stages[0].starts == dated.stages[-1].starts:
        return
    for stage in dated.stages:
        if stage.every.is_none or dated.meetings_in(stage.name) or stage.every.approx_days() > stage.days:
            continue  # the last case already has its own warning: the interval is longer than the stage
        path: Path_ = ("cadence", "stages", stage.name.value)
        yield located.problem(path if path in located.values else ("cadence",), f"the {stage.name.value} stage "
                              f"({stage.starts} to {stage.ends}) has no meeting", severity="warning")


def _organiser(pf: ProgramFile, dated: Plan, located: Located) -> Iterator[Problem]:
    """The programme team's dates: in order, registration closed before the first meeting with a matching
    window after it, and no survey before registration opens or after the end."""
    dates = organiser_dates(pf)
    section = "organiser" in (located.data or {})

    def at(name: str) -> Path_:
        if name in dates.given:
            return ("organiser", name)
        return ("organiser",) if section else ("program", "starts")

    closes, first = dates.registration_closes, dated.meetings[0].date if dated.meetings else dated.starts
    if closes >= first:
        yield located.problem(at("registration_closes"), f"registration closes on {closes}, not before the first "
                              f"meeting ({first})", severity="warning")
    if dates.matches_announced <= closes:
        name = "matches_announced" if "matches_announced" in dates.given else "registration_closes"
        yield located.problem(at(name), f"no matching window: matches are announced on {dates.matches_announced} "
                              f"and registration closes on {closes}", severity="warning")
    order = [("registration_opens", "registration_closes"), ("matches_announced", "kickoff"),
             ("kickoff", "closing_event")]
    for early, late in order:
        first_day, last_day = getattr(dates, early), getattr(dates, late)
        if (early in dates.given or late in dates.given) and first_day > last_day:
            name = late if late in dates.given else early
            yield located.problem(at(name), f"organiser dates out of order: {early} ({first_day}) is after {late} "
                                  f"({last_day})", severity="warning")
    for i, moment in enumerate(dated.surveys):
        where: Path_ = ("surveys", i, "when") if "surveys" in (located.data or {}) else at("registration_opens")
        survey = moment.survey
        if moment.dates and min(moment.dates) < dates.registration_opens:
            yield located.problem(where, f"survey {survey.id!r} is due on {min(moment.dates)}, before registration "
                                  f"opens ({dates.registration_opens})", severity="warning")
        if moment.dates and max(moment.dates) > dated.ends and survey.when.value != "follow-up":
            yield located.problem(where, f"survey {survey.id!r} is due on {max(moment.dates)}, after the program "
                                  f"ends ({dated.ends})", severity="warning")


def _span(days: int) -> str:
    if days < 70:
        return f"{days // 7} weeks" if days >= 14 else f"{days} days"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{days / 365.25:.1f} years"
