"""The handbook says what the program's type and plan say: no sentence contradicts who mentors whom, who sets the
agenda or how often people meet; no survey or look back is promised that the program does not hold; one spelling."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from conftest import REFERENCE, minimal, render_pages

from mentorkit.ics import calendar_bytes
from mentorkit.project import load_program
from mentorkit.site import PAGES

TYPES = ["one-on-one", "group", "peer", "reverse", "flash", "virtual"]
# Pages about mentoring in general or about every type: they may speak of what this program is not.
GENERAL = {"mentoring.md", "mentoring-types.md"}
# The programme team's own pages (not the participants'): they may use the team's words and program.yml's keys.
TEAM = {page for section, _, page in PAGES if section == "Programme team"}
FOLLOW_UP = """\
surveys:
  - id: end
    title: End of programme
    when: conclusion
    measures: [attitudinal, career]
    questions: [{id: q, text: 'How did it go?'}]
  - id: later
    title: Six months on
    when: follow-up
    after: 6 months
    measures: [behavioral]
    questions: [{id: q, text: 'What do you still use?'}]
"""


def _pages(folder, text: str) -> dict[str, str]:
    path = folder / "program.yml"
    path.write_text(text, encoding="utf-8")
    return render_pages(load_program(path))


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Every page of the five-line program of each type (flash: one day)."""
    return {kind: _pages(tmp_path_factory.mktemp(kind), minimal(kind, "1 day" if kind == "flash" else "9 months"))
            for kind in TYPES}


def _section(page: str, heading: str) -> str:
    """The text under `## heading`, up to the next heading of the same level that is not its content's own."""
    start = page.index(f"## {heading}\n")
    ends = [page.index(f"## {h}\n", start + 1) for h in ("Both partners",) if f"## {h}\n" in page[start + 1:]]
    nxt = min(ends) if ends else len(page)
    return page[start:nxt]


@pytest.mark.parametrize("kind", TYPES)
def test_no_section_or_heading_twice_on_a_page(pages, kind):
    for name, page in pages[kind].items():
        headings = [re.sub(r"\s*\{.*\}\s*$", "", h).strip() for h in re.findall(r"^#+ (.+)$", page, re.M)]
        assert len(headings) == len(set(headings)), (kind, name, headings)
        # prose only: survey questions and answer hints may rightly repeat from one survey to the next
        lines = [line.strip() for line in page.splitlines()
                 if len(line.strip()) > 50 and not re.match(r"\s*(\d+\.|\*[^*]|\||<)", line)]
        twice = {line for line in lines if lines.count(line) > 1}
        assert not twice, (kind, name, twice)


@pytest.mark.parametrize("kind", ["reverse", "peer"])
def test_no_senior_mentor_where_the_mentor_is_not_senior(pages, kind):
    for name, page in pages[kind].items():
        assert not re.search(r"more senior than (me|you)", page, re.I), (kind, name)


def test_reverse_mentor_sets_the_agenda_and_the_mentee_learns(pages, tmp_path):
    reference = load_program(REFERENCE)
    for site in (pages["reverse"], render_pages(reference)):
        roles = site["roles.md"]
        mentee = roles[roles.index("## Your part as the mentee"):roles.index("## Both partners")]
        mentor = roles[roles.index("## Your part as the mentor"):roles.index("## Your part as the mentee")]
        assert "agenda" in mentor and "Set the agenda" in mentor
        assert "Set the agenda" not in mentee and "mentor sets the agenda" in mentee
        assert "speak up for their work" not in mentor  # a junior colleague cannot sponsor an executive
        for name, page in site.items():
            if name not in GENERAL:
                assert not re.search(r"mentee (sets|brings|owns) the agenda", page, re.I), name
    charter = (REFERENCE.parent / "content" / "charter.md").read_text(encoding="utf-8")
    assert "they set the agenda" in charter, "the charter changed: check the reverse roles text still agrees"


SERIES = re.compile(r"\bregular(ly)?\b|\b(every|each|next|between) (meeting|session)s?\b|\brecurring\b|less often|"
                    r"how often (you|to|we) meet|\brhythm\b|once a month|\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days\b|"
                    r"\bmeetings\b", re.I)


def test_flash_never_speaks_of_a_series_of_meetings(pages):
    for name, page in pages["flash"].items():
        if name not in GENERAL | {"downloads.md"}:  # downloads: its calendar row is worded for every type
            found = [m.group(0) for m in SERIES.finditer(page)]
            assert not found, (name, found)
    assert "One session of 60 min, on Monday 1 March 2027 at 10:00" in pages["flash"]["index.md"]


def test_peer_pages_call_both_people_peers(pages):
    site = pages["peer"]
    assert "both partners are called **Peer**" in site["roles.md"]
    for name in ("index.md", "roles.md", "journey.md", "faq.md", "first-meeting.md", "program-type.md"):
        found = re.findall(r"\byour (?:mentor|mentee)s?\b|\bthe (?:mentor|mentee)'s part\b",
                           site[name], re.I)
        assert not found, (name, found)


def test_group_pages_speak_of_the_circle(pages):
    roles = pages["group"]["roles.md"]
    assert "circle" in roles and "stays between you" not in roles


def test_virtual_program_meets_by_video(pages):
    faq = pages["virtual"]["faq.md"]
    assert "meets by video call" in faq and "face to face" not in faq
    assert "face to face" in pages["one-on-one"]["faq.md"]


def test_the_types_compared_page_marks_this_program(pages):
    for kind, site in pages.items():
        table = site["mentoring-types.md"]
        assert table.count("(this programme)") == 1 and len(re.findall(r"^\| ", table, re.M)) == 2 + 6, kind


AMERICAN = re.compile(r"(?<![\w./-])(programs?|organizations?|behaviou?ral|behaviors?|colors?|centers?|favorite|"
                      r"analyze|recognize|organize|prioritize|practicing)(?![\w.-])", re.I)


@pytest.mark.parametrize("kind", TYPES)
def test_one_spelling_and_no_jargon_for_participants(pages, kind):
    for name, page in pages[kind].items():
        if name in TEAM:
            continue
        text = page.replace("Minimal program", "")  # the program's own title is its data
        found = [m.group(0) for m in AMERICAN.finditer(text) if m.group(0).lower() != "behavioural"]
        assert not found, (kind, name, found)
        if name != "impact.md":  # the measurement page names the outcome categories; others use plain words
            assert not re.search(r"attitudinal|behaviou?ral", page, re.I), (kind, name)


def test_pages_promise_only_the_surveys_the_program_has(pages, tmp_path):
    reference = render_pages(load_program(REFERENCE))
    assert "matching" not in reference["surveys.md"].lower()  # the reference program has no after-matching survey
    for site in (reference, *pages.values()):
        assert not re.search(r"looking back|a year later|later look", site["impact.md"], re.I)
    site = _pages(tmp_path, minimal("one-on-one") + FOLLOW_UP)
    assert "Thursday 30 November 2028" not in site["surveys.md"]
    assert "**When:** Tuesday 30 May 2028 (6 months after the programme ends)." in site["surveys.md"]
    assert "## Looking back later" in site["impact.md"] and "Tuesday 30 May 2028" in site["impact.md"]
    assert "The **Six months on** survey is due on Tuesday 30 May 2028, after the programme has ended." \
        in site["journey.md"]
    assert "| Tuesday 30 May 2028 | Survey&#58; Six months on |" in site["index.md"]
    assert "Survey: Six months on" in site["schedule.md"]


def test_the_follow_up_survey_is_in_the_calendar(tmp_path):
    path = tmp_path / "program.yml"
    path.write_text(minimal("one-on-one") + FOLLOW_UP, encoding="utf-8")
    ics = calendar_bytes(load_program(path), datetime(2027, 1, 1, tzinfo=UTC)).decode()
    event = ics[ics.index("UID:minimal-survey-later@mentorkit") - 200:]
    assert "DTSTART;VALUE=DATE:20280530" in ics and "survey - Six months on" in event
