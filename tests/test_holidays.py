"""Public holidays (`cadence.holidays`, `cadence.on_holiday`) in two countries: moved, skipped and kept
meetings in the plan, the calendar and the schedule page; unknown codes are errors with a did-you-mean."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import minimal, render_pages

from mentorkit import ics
from mentorkit.errors import ProgramError
from mentorkit.project import load_program


def _program(write_program, region: str, weekday: str, rule: str | None = None, name: str = "program.yml"):
    text = minimal(duration="6 months") + f"cadence:\n  every: 1 week\n  weekday: {weekday}\n  holidays: {region}\n"
    if rule:
        text += f"  on_holiday: {rule}\n"
    return load_program(write_program(text, name))


def _days(project):
    return [m.date for m in project.plan.meetings]


def test_england_easter_monday_moves_to_tuesday(write_program):
    project = _program(write_program, "GB-ENG", "monday")
    moved = [m for m in project.plan.meetings if m.moved_from]
    # Easter Monday, the early May, spring and late summer bank holidays: all Mondays
    assert [(m.moved_from, m.date, m.holiday) for m in moved] == [
        (date(2027, 3, 29), date(2027, 3, 30), "Easter Monday"),
        (date(2027, 5, 3), date(2027, 5, 4), "May Day"),
        (date(2027, 5, 31), date(2027, 6, 1), "Spring Bank Holiday"),
        (date(2027, 8, 30), date(2027, 8, 31), "Late Summer Bank Holiday"),
    ]
    easter = moved[0]
    assert easter.starts.hour == 10 and easter.starts.tzinfo is not None
    assert [m.number for m in project.plan.meetings] == list(range(1, len(project.plan.meetings) + 1))


def test_bavaria_has_holidays_that_berlin_does_not(write_program):
    bavaria = _program(write_program, "DE-BY", "thursday", name="by.yml")
    berlin = _program(write_program, "DE-BE", "thursday", name="be.yml")
    moves = {m.moved_from: (m.date, m.holiday) for m in bavaria.plan.meetings if m.moved_from}
    assert moves[date(2027, 5, 6)] == (date(2027, 5, 7), "Ascension Day")  # national
    assert moves[date(2027, 5, 27)] == (date(2027, 5, 28), "Corpus Christi")  # Bavaria, not Berlin
    assert date(2027, 5, 27) in _days(berlin)
    assert date(2027, 5, 6) not in _days(berlin)


def test_moved_meeting_in_the_calendar_and_the_schedule(write_program):
    from icalendar import Calendar

    project = _program(write_program, "GB-ENG", "monday")
    easter = next(m for m in project.plan.meetings if m.moved_from == date(2027, 3, 29))
    events = Calendar.from_ical(ics.calendar_bytes(project, datetime(2027, 1, 1, tzinfo=UTC))).walk("VEVENT")
    event = next(e for e in events if str(e["UID"]) == f"minimal-meeting-{easter.number}@mentorkit")
    assert event.decoded("DTSTART").date() == date(2027, 3, 30)
    assert "Moved from Monday 29 March 2027: Easter Monday is a public holiday." in str(event["DESCRIPTION"])
    schedule = render_pages(project)["schedule.md"]
    assert "Tuesday 30 March 2027 (moved from 29 Mar 2027: Easter Monday)" in schedule
    assert "a meeting that falls on one moves to the next working day" in schedule


def test_skip_drops_the_meeting_and_the_schedule_says_so(write_program):
    project = _program(write_program, "GB-ENG", "monday", "skip")
    assert date(2027, 3, 29) not in _days(project) and date(2027, 3, 30) not in _days(project)
    assert [(s.day, s.holiday) for s in project.plan.skipped][0] == (date(2027, 3, 29), "Easter Monday")
    schedule = render_pages(project)["schedule.md"]
    assert "Not held:" in schedule and "- Monday 29 March 2027, Easter Monday: meetings on public holidays are " \
                                       "not held." in schedule


def test_keep_leaves_the_meeting_and_names_the_holiday(write_program):
    project = _program(write_program, "GB-ENG", "monday", "keep")
    kept = next(m for m in project.plan.meetings if m.date == date(2027, 3, 29))
    assert (kept.moved_from, kept.holiday) == (None, "Easter Monday")
    assert "Monday 29 March 2027 (Easter Monday, kept)" in render_pages(project)["schedule.md"]


def test_a_move_passes_every_holiday_in_a_row(write_program):
    # Good Friday 26 March moves past Easter Monday to Tuesday 30 March, still before Friday 2 April
    project = _program(write_program, "GB-ENG", "friday")
    good_friday = next(m for m in project.plan.meetings if m.moved_from == date(2027, 3, 26))
    assert good_friday.date == date(2027, 3, 30)
    # Christmas 2027: the bank holidays are observed on Monday 27 and Tuesday 28 December
    later = load_program(write_program(minimal(duration="12 months").replace("2027-03-01", "2027-06-01")
                                       + "cadence:\n  every: 1 week\n  weekday: monday\n  holidays: GB-ENG\n",
                                       "christmas.yml"))
    christmas = next(m for m in later.plan.meetings if m.moved_from == date(2027, 12, 27))
    assert christmas.date == date(2027, 12, 29)  # 27 and 28 December are both bank holidays


def test_without_holidays_nothing_changes(write_program):
    project = load_program(write_program(minimal()))
    assert project.plan.holidays == {} and project.plan.skipped == ()
    assert not any(m.moved_from or m.holiday for m in project.plan.meetings)


@pytest.mark.parametrize(("code", "message"), [
    ("GB-EN", "unknown subdivision 'EN' of GB; did you mean 'GB-ENG'?"),
    ("XX", "unknown country 'XX' for public holidays"),
    ("DE-XY", "unknown subdivision 'XY' of DE"),
])
def test_unknown_code_is_an_error_with_its_line(write_program, code, message):
    path = write_program(minimal() + f"cadence:\n  holidays: {code}\n")
    with pytest.raises(ProgramError) as caught:
        load_program(path)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column, problem.path) == (9, 13, "cadence.holidays")
    assert message in problem.message


def test_codes_are_case_insensitive_and_on_holiday_is_checked(write_program):
    project = load_program(write_program(minimal() + "cadence:\n  holidays: gb-eng\n"))
    assert project.program.cadence.holidays == "GB-ENG"
    with pytest.raises(ProgramError, match="next-working-day, skip, keep; did you mean 'skip'"):
        load_program(write_program(minimal() + "cadence:\n  holidays: GB\n  on_holiday: skipp\n", "bad.yml"))


def test_a_move_that_would_reach_the_next_meeting_drops_it(write_program):
    from mentorkit.timeline import on_holidays

    project = _program(write_program, "GB-ENG", "monday")
    meetings = list(project.plan.meetings[:2])
    off = {meetings[0].date: "A long holiday", **{meetings[0].date.replace(day=meetings[0].date.day + n): "More"
                                                  for n in range(1, 7)}}
    kept, skipped = on_holidays(project.program, list(project.plan.stages), meetings, off)
    assert [m.date for m in kept] == [meetings[1].date] and kept[0].number == 1
    assert skipped[0].reason == "the next working day would reach the next meeting or the end of the programme"
