"""The dated plan against calendars worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import REFERENCE, minimal

from mentorkit.model import StageName
from mentorkit.project import load_program

LONDON = ZoneInfo("Europe/London")


def test_reference_program_stages_follow_the_given_weeks():
    plan = load_program(REFERENCE).plan
    got = [(s.name.value, s.starts, s.ends, str(s.every)) for s in plan.stages]
    # 4 + 26 + 6 weeks from Monday 1 February 2027; redefinition is cut at `ends` (29 October).
    assert got == [
        ("initiation", date(2027, 2, 1), date(2027, 2, 28), "2 weeks"),
        ("cultivation", date(2027, 3, 1), date(2027, 8, 29), "2 weeks"),
        ("separation", date(2027, 8, 30), date(2027, 10, 10), "4 weeks"),
        ("redefinition", date(2027, 10, 11), date(2027, 10, 29), "none"),
    ]


def test_reference_meetings_by_hand():
    plan = load_program(REFERENCE).plan
    days = [m.date for m in plan.meetings]
    # Tuesdays from 2 Feb, fortnightly to 17 Aug; separation (from 30 Aug) four-weekly; none in redefinition.
    fortnightly = [date(2027, 2, 2) + timedelta(weeks=2 * i) for i in range(15)]
    assert days == fortnightly + [date(2027, 8, 31), date(2027, 9, 28)]
    assert [m.number for m in plan.meetings] == list(range(1, 18))
    assert {m.stage for m in plan.meetings} == {StageName.initiation, StageName.cultivation, StageName.separation}
    assert not plan.meetings_in(StageName.redefinition)


def test_daylight_saving_change_keeps_local_time():
    plan = load_program(REFERENCE).plan
    before = plan.meetings[3]  # 16 March 2027, GMT
    after = plan.meetings[4]  # 30 March 2027, after the clocks go forward on 28 March
    assert (before.starts.hour, after.starts.hour) == (10, 10)
    assert before.starts.utcoffset() == timedelta(0)
    assert after.starts.utcoffset() == timedelta(hours=1)
    assert after.starts.astimezone(ZoneInfo("UTC")).hour == 9
    assert after.ends - after.starts == timedelta(minutes=60)


def test_goal_dates_and_survey_moments():
    plan = load_program(REFERENCE).plan
    assert [(d.due, d.is_milestone) for d in plan.deadlines] == [
        (date(2027, 3, 2), True), (date(2027, 3, 16), True), (date(2027, 3, 31), False),
        (date(2027, 9, 30), False), (date(2029, 6, 30), False)]
    moments = {m.survey.id: m.dates for m in plan.surveys}
    assert moments == {
        "registration": (date(2027, 1, 18),),  # two weeks before the start
        "midpoint": (date(2027, 6, 16),),  # 135 of 270 days
        "conclusion": (date(2027, 10, 29),),
    }


def test_flash_program_of_one_day(write_program):
    path = write_program(minimal("flash", "1 day").replace("2027-03-01", "2027-03-04"))  # a Thursday
    project = load_program(path)
    plan = project.plan
    assert plan.starts == plan.ends == date(2027, 3, 4)
    assert len(plan.meetings) == 1
    meeting = plan.meetings[0]
    # the default weekday (Tuesday) does not fall in a one-day program: the session is on that day
    assert meeting.starts == datetime(2027, 3, 4, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert {s.starts for s in plan.stages} == {date(2027, 3, 4)}
    assert [s.survey.when.value for s in plan.surveys] == ["registration", "conclusion"]
    assert project.warnings == ()


def test_stage_override_every_none_and_monthly(write_program):
    path = write_program(minimal("one-on-one", "12 weeks") + """\
cadence:
  every: 1 week
  weekday: monday
  stages:
    initiation: { weeks: 2, every: none }
    cultivation: { weeks: 6, every: 2 weeks }
    separation: { weeks: 2 }
    redefinition: { weeks: 2, every: none }
""")
    plan = load_program(path).plan
    # 1 March 2027 is a Monday; initiation (2 weeks) has no meetings, cultivation from 15 March fortnightly,
    # separation from 26 April weekly, redefinition none.
    assert [m.date for m in plan.meetings] == [date(2027, 3, 15), date(2027, 3, 29), date(2027, 4, 12),
                                                date(2027, 4, 26), date(2027, 5, 3)]
    assert [m.stage.value for m in plan.meetings] == ["cultivation"] * 3 + ["separation"] * 2


def test_monthly_cadence_stays_on_the_weekday(write_program):
    path = write_program(minimal("group", "6 months") + "cadence:\n  every: 1 month\n  weekday: wednesday\n")
    plan = load_program(path).plan
    days = [m.date for m in plan.meetings]
    assert all(d.weekday() == 2 for d in days)
    assert days[:3] == [date(2027, 3, 3), date(2027, 4, 7), date(2027, 5, 5)]
    assert len(days) == 6


def test_default_stages_fit_a_minimal_program_of_every_type():
    for kind in ["one-on-one", "group", "peer", "reverse", "virtual"]:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "program.yml"
            path.write_text(minimal(kind), encoding="utf-8")
            project = load_program(path)
        plan = project.plan
        assert plan.stages[0].starts == plan.starts and plan.stages[-1].ends == plan.ends
        for a, b in zip(plan.stages, plan.stages[1:], strict=False):
            assert b.starts == a.ends + timedelta(days=1)
        assert all(plan.meetings_in(s.name) for s in plan.stages), kind
        assert project.warnings == (), kind


def test_follow_up_survey_is_a_calendar_span_after_the_last_day(write_program):
    program = minimal("one-on-one", "6 months") + (
        "surveys:\n  - {id: end, title: End, when: conclusion}\n"
        "  - {id: later, title: Later, when: follow-up, after: 1 year}\n")
    plan = load_program(write_program(program)).plan
    # 1 March 2027 + 6 months: last day 31 August 2027; a year later, 31 August 2028
    assert [(m.survey.id, m.dates) for m in plan.surveys] == [("end", (date(2027, 8, 31),)),
                                                             ("later", (date(2028, 8, 31),))]
