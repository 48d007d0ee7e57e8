"""The programme team's runbook: organiser dates and their defaults, every task's date, the checks on
those dates, the team's calendar and its section of the handbook."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import REFERENCE, minimal

from mentorkit.errors import ProgramError
from mentorkit.project import load_program
from mentorkit.runbook import organiser_dates, tasks

STARTS = date(2027, 3, 1)  # a Monday: minimal() programs start then


def _by_key(project):
    return {t.key: t for t in tasks(project.program, project.plan)}


def test_default_organiser_dates_follow_the_start_and_the_matching_window(write_program):
    project = load_program(write_program(minimal()))
    dates = organiser_dates(project.program)
    # registration closes when the plan's registration survey is due, two weeks before the start
    assert dates.registration_closes == STARTS - timedelta(weeks=2)
    assert dates.registration_opens == dates.registration_closes - timedelta(weeks=4)
    # mentees meet candidates first by default: a ten-day matching window
    assert dates.matches_announced == dates.registration_closes + timedelta(days=10)
    assert (dates.kickoff, dates.closing_event) == (STARTS, project.plan.ends)
    assert dates.given == frozenset()
    registration = next(m for m in project.plan.surveys if m.survey.when.value == "registration")
    assert registration.dates == (dates.registration_closes,)


def test_matching_window_per_type(write_program):
    plain = load_program(write_program(minimal() + "matching:\n  meet_before_committing: false\n", "plain.yml"))
    flash = load_program(write_program(minimal("flash", "1 day"), "flash.yml"))
    dates = organiser_dates(plain.program)
    assert dates.matches_announced - dates.registration_closes == timedelta(weeks=1)
    dates = organiser_dates(flash.program)
    assert dates.matches_announced - dates.registration_closes == timedelta(days=4)
    assert dates.registration_closes - dates.registration_opens == timedelta(weeks=2)
    keys = set(_by_key(flash))
    assert not keys & {"rematch", "midpoint-review", "separation-guidance"}  # one session: nothing to rematch


def test_given_organiser_dates_are_kept_and_move_the_registration_survey(write_program):
    project = load_program(write_program(minimal() + """\
        organiser:
          registration_opens: 2027-01-04
          registration_closes: 2027-01-29
          kickoff: 2027-03-02
        """.replace("        ", "")))
    dates = organiser_dates(project.program)
    assert (dates.registration_opens, dates.registration_closes, dates.kickoff) == (
        date(2027, 1, 4), date(2027, 1, 29), date(2027, 3, 2))
    assert dates.matches_announced == date(2027, 2, 8)  # derived from the given closing date
    assert dates.given == {"registration_opens", "registration_closes", "kickoff"}
    registration = next(m for m in project.plan.surveys if m.survey.when.value == "registration")
    assert registration.dates == (date(2027, 1, 29),)


def test_runbook_dates_of_the_reference_program():
    project = load_program(REFERENCE)
    plan = project.plan
    found = _by_key(project)
    assert list(found) == [t.key for t in sorted(found.values(), key=lambda t: t.due)]  # in date order
    assert found["registration-opens"].due == date(2026, 12, 21)
    assert found["registration-reminder"].due == date(2027, 1, 11)  # a week before it closes
    assert found["registration-closes"].due == date(2027, 1, 18)
    # mentees meet candidates first: ten days between closing and the announcement
    assert (found["matching"].due, found["matching"].ends) == (date(2027, 1, 19), date(2027, 1, 27))
    assert "meet their candidates first" in found["matching"].detail
    assert found["matches-announced"].due == date(2027, 1, 28)
    assert date(2027, 1, 28) < found["brief-mentors"].due < date(2027, 2, 1)
    assert found["kickoff"].due == date(2027, 2, 1)
    # about three weeks after the first meeting (Tuesday 2 February)
    assert plan.meetings[0].date == date(2027, 2, 2)
    assert found["check-met"].due == date(2027, 2, 23)
    assert (found["rematch"].due, found["rematch"].ends) == (date(2027, 2, 24), date(2027, 3, 9))
    midpoint = next(m for m in plan.surveys if m.survey.when.value == "midpoint")
    assert found["survey-midpoint"].due == midpoint.dates[0]
    assert found["survey-midpoint-reminder"].due == midpoint.dates[0] + timedelta(weeks=1)
    assert found["midpoint-review"].due == date(2027, 6, 30)
    assert found["separation-guidance"].due == plan.stage(plan.stages[2].name).starts - timedelta(weeks=1)
    assert found["survey-conclusion"].due == plan.ends
    assert found["closing-event"].due == plan.ends
    assert found["impact-report"].due == date(2027, 11, 19)
    assert found["follow-up"].due == date(2028, 1, 28)  # three months after the end, a Friday


def test_derived_tasks_avoid_weekends_and_public_holidays(write_program):
    # closing on Tuesday 11 May: the reminder falls on Tuesday 4 May; with a holiday that day it comes a day earlier
    text = minimal() + "organiser:\n  registration_opens: 2027-04-01\n  registration_closes: 2027-05-11\n" \
                       "  matches_announced: 2027-05-21\n"
    plain = _by_key(load_program(write_program(text, "plain.yml")))
    assert plain["registration-reminder"].due == date(2027, 5, 4)
    holidays = _by_key(load_program(write_program(text.replace("program:", "cadence:\n  holidays: GB-ENG\n"
                                                                "program:", 1), "gb.yml")))
    # Monday 3 May is the early May bank holiday in England; Tuesday 4 May is not, so nothing moves
    assert holidays["registration-reminder"].due == date(2027, 5, 4)
    sunday = _by_key(load_program(write_program(text.replace("2027-05-11", "2027-05-16"), "sunday.yml")))
    assert sunday["registration-reminder"].due == date(2027, 5, 7)  # Sunday 9 May -> Friday 7 May


# --- checks: warnings with FILE:LINE:COL, fatal with --strict -------------------------------------------------

def _warnings(path):
    return [str(w) for w in load_program(path).warnings]


def test_registration_closing_after_the_first_meeting(write_program):
    path = write_program(minimal() + "organiser:\n  registration_closes: 2027-03-03\n"
                                     "  matches_announced: 2027-03-05\n")
    found = [w for w in _warnings(path) if "first meeting" in w]
    assert found == [f"{path}:9:24: warning: organiser.registration_closes: registration closes on 2027-03-03, "
                     "not before the first meeting (2027-03-02)"]
    with pytest.raises(ProgramError, match=r"9:24: error: organiser.registration_closes"):
        load_program(path, strict=True)


def test_no_matching_window(write_program):
    path = write_program(minimal() + "organiser:\n  registration_closes: 2027-02-10\n"
                                     "  matches_announced: 2027-02-10\n")
    found = [w for w in _warnings(path) if "matching window" in w]
    assert found == [f"{path}:10:22: warning: organiser.matches_announced: no matching window: matches are "
                     "announced on 2027-02-10 and registration closes on 2027-02-10"]


def test_organiser_dates_out_of_order(write_program):
    path = write_program(minimal() + "organiser:\n  kickoff: 2027-03-01\n  closing_event: 2027-02-26\n"
                                     "  registration_opens: 2027-02-20\n")
    found = [w for w in _warnings(path) if "out of order" in w]
    assert f"{path}:10:18: warning: organiser.closing_event: organiser dates out of order: kickoff (2027-03-01) " \
           "is after closing_event (2027-02-26)" in found
    assert any(":11:23: warning: organiser.registration_opens: organiser dates out of order: registration_opens "
               "(2027-02-20) is after registration_closes (2027-02-15)" in w for w in found)


def test_survey_before_registration_or_after_the_end(write_program):
    path = write_program(minimal(duration="3 months") + """\
        organiser:
          registration_opens: 2027-03-20
          registration_closes: 2027-06-30
          matches_announced: 2027-07-10
        surveys:
          - id: start
            title: Start
            when: after-matching
          - id: end
            title: End
            when: conclusion
        """.replace("        ", ""))
    found = _warnings(path)
    assert f"{path}:15:11: warning: surveys[0].when: survey 'start' is due on 2027-03-08, before registration " \
           "opens (2027-03-20)" in found
    late = load_program(write_program(minimal(duration="3 months") + """\
        organiser:
          registration_closes: 2027-06-30
          matches_announced: 2027-07-10
        surveys:
          - id: registration
            title: Registration
            when: registration
          - id: end
            title: End
            when: conclusion
        """.replace("        ", ""), "late.yml"))
    assert any("surveys[0].when: survey 'registration' is due on 2027-06-30, after the program ends (2027-05-31)"
               in str(w) for w in late.warnings)


def test_a_stage_with_no_meeting(write_program):
    path = write_program(minimal() + "cadence:\n  sessions: 3\n")
    found = [w for w in _warnings(path) if "has no meeting" in w]
    # the three meetings end in the cultivation stage: separation and redefinition have none
    assert len(found) == 2
    assert found[0].startswith(f"{path}:9:3: warning: cadence: the separation stage (")
    assert not [w for w in _warnings(REFERENCE) if "has no meeting" in w]  # redefinition has `every: none`


def test_no_warning_for_default_programs(write_program):
    for kind in ("one-on-one", "group", "peer", "reverse", "flash", "virtual"):
        assert not [w for w in _warnings(write_program(minimal(kind), f"{kind}.yml"))
                    if "organiser" in w or "no meeting" in w or "registration" in w], kind


# --- outputs: the team's calendar and its section of the handbook ---------------------------------------------

def test_organiser_calendar():
    from datetime import UTC, datetime

    from icalendar import Calendar

    from mentorkit import ics

    project = load_program(REFERENCE)
    stamp = datetime(2027, 1, 1, tzinfo=UTC)
    data = ics.organiser_bytes(project, stamp)
    assert data == ics.organiser_bytes(project, stamp)  # byte-identical
    events = Calendar.from_ical(data).walk("VEVENT")
    found = tasks(project.program, project.plan)
    assert len(events) == len(found)
    first = {str(e["UID"]): e for e in events}["northwind-reverse-2027-team-matching@mentorkit"]
    assert first.decoded("DTSTART") == date(2027, 1, 19)
    assert first.decoded("DTEND") == date(2027, 1, 28)  # exclusive: the window's last day is the 27th
    assert "Programme team" in str(first["CATEGORIES"].to_ical())


def test_runbook_page_and_its_own_navigation_section():
    from conftest import render_pages

    from mentorkit import site

    project = load_program(REFERENCE)
    pages = render_pages(project)
    page = pages["runbook.md"]
    assert "# Runbook for the programme team" in page
    assert "Check that every pair has met" in page and "23 Feb 2027" in page
    assert 'href="team/runbook.pdf"' in page and 'href="team/organiser.ics"' in page
    nav = site.mkdocs_config(project, pages, None)["nav"]
    assert nav[-1] == {"Programme team": [{"Runbook": "runbook.md"}]}
    participants = [entry for section in nav[:-1] for entry in (section.values())]
    assert "runbook.md" not in str(participants)


@pytest.mark.slow
def test_runbook_pdf(tmp_path):
    from conftest import context_of
    from pypdf import PdfReader

    from mentorkit import kit
    from mentorkit.workers import Pool

    project = load_program(REFERENCE)
    with Pool(1) as pool:
        pdf = kit.runbook_pdf(project, context_of(project), pool)()
    (tmp_path / "runbook.pdf").write_bytes(pdf)
    reader = PdfReader(tmp_path / "runbook.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("Runbook: Reverse Mentoring Programme 2027", "Open registration", "Rematch window",
                  "Write the impact report", "Follow up with former pairs"):
        assert words in text, words
    assert len(reader.get_fields() or {}) == len(tasks(project.program, project.plan))  # a tick box per task
