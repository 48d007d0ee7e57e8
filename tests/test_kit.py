"""`mentorkit kit`: a folder per participant with workbook, calendar, draft mails and certificate, read back
with Python's e-mail parser, icalendar and pypdf; bad rosters write nothing."""

from __future__ import annotations

import email
import email.policy
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT

from mentorkit.errors import RosterError
from mentorkit.kit import write_kit

PROGRAM = """\
mentorkit: 1
program:
  id: kit-test
  title: Kit Test Programme
  organisation: Northwind Health
  type: one-on-one
  starts: 2027-03-01
  duration: 6 months
  contact:
    name: Priya Raman
    email: mentoring@northwind.example
cadence:
  every: 4 weeks
  weekday: monday
  holidays: GB-ENG
surveys:
  - id: midpoint
    title: Midpoint check-in
    when: midpoint
    url: https://forms.example/midpoint
    questions:
      - id: going
        text: How is it going?
  - id: conclusion
    title: End of programme
    when: conclusion
    questions:
      - id: rating
        text: How useful was the programme?
        type: scale
site:
  url: https://mentoring.northwind.example/
"""


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit")
    (folder / "program.yml").write_text(PROGRAM, encoding="utf-8")
    rows = (ROOT / "examples" / "roster.csv").read_text(encoding="utf-8").splitlines()
    (folder / "roster.csv").write_text("\n".join(rows[:1] + rows[3:5]) + "\n", encoding="utf-8")  # pair-02
    seen: list[tuple[int, int]] = []
    count = write_kit(folder / "roster.csv", folder / "program.yml", folder / "out", jobs=0,
                      progress=lambda done, total: seen.append((done, total)), use_cache=False)
    return folder, count, seen


def _mail(path: Path) -> email.message.EmailMessage:
    with path.open("rb") as fh:
        return email.message_from_binary_file(fh, policy=email.policy.default)  # type: ignore[return-value]


def test_one_folder_per_participant(kit):
    folder, count, seen = kit
    out = folder / "out"
    assert count == 2 and seen[-1] == (2, 2)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["lucia-fernandez", "margaret-osei"]
    files = sorted(p.relative_to(out / "lucia-fernandez").as_posix() for p in (out / "lucia-fernandez").rglob("*")
                   if p.is_file())
    assert files == ["certificate.pdf", "mail/01-welcome.eml", "mail/02-match.eml", "mail/03-survey-midpoint.eml",
                     "mail/04-survey-conclusion.eml", "mail/05-thank-you.eml", "meetings.ics", "workbook.pdf"]
    assert (out / "lucia-fernandez" / "workbook.pdf").read_bytes().startswith(b"%PDF-")


def test_mails_are_unsent_drafts_addressed_to_the_participant(kit):
    folder = kit[0] / "out" / "lucia-fernandez" / "mail"
    welcome = _mail(folder / "01-welcome.eml")
    assert welcome["To"].addresses[0].display_name == "Lucía Fernández"
    assert welcome["To"].addresses[0].addr_spec == "lucia.fernandez@northwind.example"
    assert str(welcome["From"]) == "Priya Raman <mentoring@northwind.example>"
    assert welcome["X-Unsent"] == "1" and welcome["Date"] is None
    assert welcome["Subject"] == "Welcome to Kit Test Programme"
    assert "https://mentoring.northwind.example/" in welcome.get_content()
    match = _mail(folder / "02-match.eml").get_content()
    assert "Margaret Osei" in match
    assert "Monday 1 March 2027 at 10:00" in match
    survey = _mail(folder / "03-survey-midpoint.eml")
    assert "Midpoint check-in" in survey["Subject"] and "https://forms.example/midpoint" in survey.get_content()
    assert "forms.example" not in _mail(folder / "04-survey-conclusion.eml").get_content()  # no url given
    assert "Thank you" in _mail(folder / "05-thank-you.eml")["Subject"]


def test_drafts_and_calendars_are_the_same_bytes_every_time(kit):
    from mentorkit import ics, mail
    from mentorkit.project import load_program
    from mentorkit.roster import read_roster

    folder = kit[0]
    project = load_program(folder / "program.yml")
    lucia, margaret = read_roster(folder / "roster.csv")
    again = mail.render_drafts(project, lucia, [margaret])
    for name, data in again.items():
        assert (folder / "out" / "lucia-fernandez" / "mail" / name).read_bytes() == data
    ids = {_mail(folder / "out" / who / "mail" / "01-welcome.eml")["Message-ID"]
           for who in ("lucia-fernandez", "margaret-osei")}
    assert len(ids) == 2  # one per person and mail, stable across runs
    written = (folder / "out" / "lucia-fernandez" / "meetings.ics").read_bytes()
    from icalendar import Calendar

    stamp = Calendar.from_ical(written).walk("VEVENT")[0].decoded("DTSTAMP")
    assert ics.personal_bytes(project, lucia.name, "lucia-fernandez", [margaret.name], stamp) == written


def test_meetings_calendar_names_the_partner_with_a_reminder(kit):
    from icalendar import Calendar

    from mentorkit.project import load_program

    folder = kit[0]
    plan = load_program(folder / "program.yml").plan
    cal = Calendar.from_ical((folder / "out" / "margaret-osei" / "meetings.ics").read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == len(plan.meetings)
    first = events[0]
    assert "Lucía Fernández" in str(first["SUMMARY"])
    assert str(first["UID"]) == "kit-test-margaret-osei-meeting-1@mentorkit"
    alarm = first.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -timedelta(days=1) and str(alarm["ACTION"]) == "DISPLAY"
    moved = [m for m in plan.meetings if m.moved_from]
    assert moved  # Easter Monday 29 March 2027 falls on the four-weekly Monday
    event = next(e for e in events if str(e["UID"]).endswith(f"-meeting-{moved[0].number}@mentorkit"))
    assert event.decoded("DTSTART").date() == moved[0].date
    assert "public holiday" in str(event["DESCRIPTION"])


def test_certificate_names_person_role_programme_dates_and_signer(kit):
    from pypdf import PdfReader

    reader = PdfReader(kit[0] / "out" / "lucia-fernandez" / "certificate.pdf")
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = " ".join(page.extract_text().split())
    for words in ("Certificate of completion", "Lucía Fernández", "Mentor", "Kit Test Programme",
                  "Monday 1 March 2027", "Priya Raman", "For the programme team, Northwind Health"):
        assert words in text, words


def test_mail_templates_can_be_overridden(tmp_path):
    from mentorkit import mail
    from mentorkit.project import load_program
    from mentorkit.roster import read_roster

    (tmp_path / "program.yml").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "templates" / "mail").mkdir(parents=True)
    (tmp_path / "templates" / "mail" / "welcome.txt.j2").write_text(
        "Subject: Hello {{ person.name }}\n\nOur own words for {{ program.title }}.\n", encoding="utf-8")
    shutil.copy(ROOT / "examples" / "roster.csv", tmp_path / "roster.csv")
    people = read_roster(tmp_path / "roster.csv")
    drafts = mail.render_drafts(load_program(tmp_path / "program.yml"), people[0], [people[1]])
    message = email.message_from_bytes(drafts["01-welcome.eml"], policy=email.policy.default)
    assert message["Subject"] == "Hello Amara Okafor"
    assert message.get_content() == "Our own words for Kit Test Programme.\n"  # type: ignore[attr-defined]


def test_a_bad_roster_writes_nothing(tmp_path):
    (tmp_path / "program.yml").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("name,email,role,group\nAmara,not-an-address,mentor,pair-01\n",
                                         encoding="utf-8")
    with pytest.raises(RosterError, match="is not an e-mail address"):
        write_kit(tmp_path / "roster.csv", tmp_path / "program.yml", tmp_path / "out", jobs=0, use_cache=False)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".mentorkit-staging-*"))


def test_kit_command_reports_a_bad_roster_with_exit_code_2(tmp_path):
    from click.testing import CliRunner

    from mentorkit.cli import main

    (tmp_path / "program.yml").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("name,email,role\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["kit", str(tmp_path / "roster.csv"), str(tmp_path / "program.yml"),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "missing column 'group'" in result.output
    assert not (tmp_path / "out").exists()
