"""Printables: documents, form fields, paper, bookmarks, fill-and-print, determinism, safety."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from conftest import copy_reference, need_tool, render_documents
from pypdf import PdfReader, PdfWriter

from mentorkit.errors import FetchError, MentorkitError
from mentorkit.plan import documents
from mentorkit.project import load_program

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference(reference_pdfs):
    return reference_pdfs[0]


@pytest.fixture(scope="module")
def pdfs(reference_pdfs) -> dict[str, bytes]:
    """Every document of `reference`, laid out with two jobs (conftest.py: once for the files that read them)."""
    return reference_pdfs[1]


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def fields(data: bytes) -> dict[str, str]:
    """Field name -> kind (/Tx, /Btn) of every terminal form field."""
    out = {}
    for name, field in (reader(data).get_fields() or {}).items():
        if "/FT" in field and not name.endswith(tuple(f".{n.rsplit('.', 1)[-1]}" for n in [name])):
            out[name] = field["/FT"]
        elif "/FT" in field:
            out[name] = field["/FT"]
    return out


def text_of(data: bytes, tmp_path: Path) -> str:
    tool = need_tool("pdftotext")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_every_document_is_made_with_its_exact_name(pdfs):
    assert sorted(pdfs) == sorted([
        "first-meeting-checklist.pdf", "participant-agreement.pdf", "smart-goal-worksheet.pdf", "feedback-form.pdf",
        "survey-registration.pdf", "survey-midpoint.pdf", "survey-conclusion.pdf", "workbook-mentee.pdf",
        "workbook-mentor.pdf", "handbook.pdf"])
    for data in pdfs.values():
        assert data.startswith(b"%PDF-")


def test_goal_worksheet_one_page_per_goal_then_blanks(pdfs, tmp_path):
    pages = reader(pdfs["smart-goal-worksheet.pdf"]).pages
    assert len(pages) == 3 + 2
    text = text_of(pdfs["smart-goal-worksheet.pdf"], tmp_path)
    assert "Run a fully remote leadership meeting" in text
    names = fields(pdfs["smart-goal-worksheet.pdf"])
    for letter in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        assert f"goal.digital-fluency.{letter}" in names
        assert f"goal.blank-1.{letter}" in names
    values = reader(pdfs["smart-goal-worksheet.pdf"]).get_fields()
    assert values["goal.digital-fluency.measurable"].get("/V") == "One meeting run end to end with no support " \
                                                                  "ticket raised."


def test_field_kinds(pdfs):
    names = fields(pdfs["survey-conclusion.pdf"])
    assert names["survey.conclusion.stress"] == "/Tx"
    assert names["survey.conclusion.satisfaction"] == "/Btn"  # radio group
    assert names["survey.conclusion.goals-met.digital-fluency"] == "/Btn"  # a box per goal
    checklist = fields(pdfs["first-meeting-checklist.pdf"])
    assert checklist["checklist.before.1"] == "/Btn"
    assert checklist["checklist.notes"] == "/Tx"
    # the program's additions are on the list
    assert "checklist.before.6" in checklist


def test_options_from_goals_expand_to_goal_titles(pdfs, tmp_path):
    text = text_of(pdfs["survey-conclusion.pdf"], tmp_path)
    for title in ("Run a fully remote leadership meeting with confidence", "Lead a strategy workstream"):
        assert title in text


def test_workbook_has_cover_journey_meetings_forms_and_bookmarks(pdfs, tmp_path):
    data = pdfs["workbook-mentee.pdf"]
    text = text_of(data, tmp_path)
    assert "Workbook for the executive mentee" in text
    assert "Northwind Health" in text
    assert "1 Mar 2027 to 29 Aug 2027" in text  # cultivation dates
    assert "Meeting 17: Tuesday 28 September 2027" in text
    assert "Page 3 of" in text
    outline = [item.title for item in reader(data).outline if not isinstance(item, list)]
    assert outline[:5] == ["Contents", "Your part as the executive mentee", "Participant agreement",
                           "First-meeting checklist", "Meeting log"]
    names = fields(data)
    assert {"meeting.1.notes", "meeting.17.actions", "survey.midpoint.satisfaction", "feedback.affirming.3"} <= \
        set(names)


def pages_text(data: bytes, tmp_path: Path) -> list[str]:
    return text_of(data, tmp_path).split("\f")


def test_each_role_has_its_own_workbook(pdfs, tmp_path):
    mentor, mentee = (text_of(pdfs[f"workbook-{r}.pdf"], tmp_path) for r in ("mentor", "mentee"))
    assert "Your part as the reverse mentor" in mentor and "Your part as the executive mentee" in mentee
    assert "Giving feedback" in mentor and "Offer 3 affirming comments for each corrective one" in mentor
    assert "Asking for feedback" in mentee and "Giving feedback" not in mentee
    assert "the usual direction is turned round" in mentor and "a newer colleague guides you" in mentee
    # both hold the same agreement, ready to sign
    for text in (mentor, mentee):
        assert "Participant agreement" in text and "Where confidentiality stops" in text
        assert text.count("Signature") >= 2


def test_meeting_log_has_three_meetings_to_a_page_each_with_a_prompt(pdfs, tmp_path):
    pages = pages_text(pdfs["workbook-mentee.pdf"], tmp_path)
    log = [page for page in pages if "Meeting " in page and "Agenda" in page]
    counts = [len(re.findall(r"Meeting \d+: ", page)) for page in log]
    assert sum(counts) == 17 and min(counts[1:-1]) >= 3 and counts[0] >= 2, counts
    assert "Bring your draft goals and say why they matter to you." in log[0]


def test_agreement_fields_and_own_wording(tmp_path):
    path = copy_reference(tmp_path)
    (tmp_path / "content" / "agreement.md").write_text("## Our own rules\n\nWe meet <b>on Fridays</b>.\n")
    project = load_program(path)
    doc = [d for d in documents(project.program) if d.name == "participant-agreement.pdf"]
    data = render_documents(project, doc, jobs=0)["participant-agreement.pdf"]
    assert len(reader(data).pages) == 1
    names = fields(data)
    for who in ("mentor", "mentee"):
        assert {f"agreement.{who}.signature", f"agreement.{who}.date"} <= set(names)
    text = text_of(data, tmp_path)
    assert "Our own rules" in text and "We meet <b>on Fridays</b>." in text
    assert "Where confidentiality stops" not in text


@pytest.mark.parametrize("kind, words", [("group", "You lead a circle"), ("flash", "one focused conversation"),
                                         ("peer", "You and your partner are peers")])
def test_guidance_is_true_to_the_program_type(write_program, kind, words):
    from conftest import context_of, minimal

    from mentorkit import printing

    project = load_program(write_program(minimal(kind, "1 day" if kind == "flash" else "6 months")))
    values = printing.print_values(project, context_of(project))
    mentor = printing.workbook_body_html(project, values, "mentor")
    mentee = printing.workbook_body_html(project, values, "mentee")
    assert words in (mentor if kind == "group" else mentee)
    assert (mentor == mentee) == (kind == "peer")


def test_feedback_form_follows_the_ratio(pdfs):
    names = fields(pdfs["feedback-form.pdf"])
    assert [n for n in names if n.startswith("feedback.affirming.")] == [
        "feedback.affirming.1", "feedback.affirming.2", "feedback.affirming.3"]


def test_pdf_metadata_title_language_tagged(pdfs):
    r = reader(pdfs["first-meeting-checklist.pdf"])
    assert r.metadata.title == "First-meeting checklist - Reverse Mentoring Programme 2027"
    root = r.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert float(r.pages[0].mediabox.width) == pytest.approx(595.28, abs=0.5)  # A4


def test_fonts_are_embedded(pdfs, tmp_path):
    tool = need_tool("pdffonts")
    path = tmp_path / "w.pdf"
    path.write_bytes(pdfs["workbook-mentor.pdf"])
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert out and all(" yes " in line for line in out), out


def test_letter_paper_and_no_fields_when_not_fillable(tmp_path):
    path = copy_reference(tmp_path)
    path.write_text(path.read_text().replace("paper: A4", "paper: letter").replace("fillable: true",
                                                                                   "fillable: false"))
    project = load_program(path)
    docs = [d for d in documents(project.program) if d.name in ("smart-goal-worksheet.pdf", "survey-midpoint.pdf")]
    out = render_documents(project, docs, jobs=0)
    for data in out.values():
        r = reader(data)
        assert not r.get_fields()
        assert (float(r.pages[0].mediabox.width), float(r.pages[0].mediabox.height)) == pytest.approx((612, 792),
                                                                                                     abs=0.5)
    text = text_of(out["smart-goal-worksheet.pdf"], tmp_path)
    assert "Plan, host and follow up a leadership meeting" in text  # pre-filled values are printed


def test_filled_values_show_when_printed(pdfs, tmp_path):
    """Fill with pypdf, rasterise with pdftoppm: the typed text must be on the page."""
    need_tool("pdftoppm")
    writer = PdfWriter(clone_from=io.BytesIO(pdfs["feedback-form.pdf"]))
    writer.set_need_appearances_writer(True)
    writer.update_page_form_field_values(writer.pages[0], {"feedback.from": "Zanele Dube",
                                                           "feedback.affirming.1": "Clear agenda every time"},
                                         auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    with filled.open("wb") as fh:
        writer.write(fh)
    text = text_of(filled.read_bytes(), tmp_path)
    assert "Zanele Dube" in text and "Clear agenda every time" in text
    blank, typed = tmp_path / "blank", tmp_path / "typed"
    (tmp_path / "orig.pdf").write_bytes(pdfs["feedback-form.pdf"])
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "orig.pdf"), str(blank)],
                   check=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(filled), str(typed)], check=True)
    assert (tmp_path / "blank-1.png").read_bytes() != (tmp_path / "typed-1.png").read_bytes()


def test_same_bytes_every_time_and_for_any_number_of_jobs(reference, pdfs):
    docs = [d for d in documents(reference.program) if d.kind != "workbook"]
    again = render_documents(reference, docs, jobs=0)
    for name, data in again.items():
        assert data == pdfs[name], name


@pytest.mark.parametrize("logo", ["http://169.254.169.254/latest/meta-data/x.svg", "file:///etc/passwd",
                                  "../outside.svg"])
def test_refused_logo(tmp_path, logo):
    path = copy_reference(tmp_path / "p")
    (tmp_path / "outside.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    path.write_text(path.read_text().replace("logo: assets/logo.svg", f"logo: {logo}"))
    with pytest.raises(MentorkitError) as info:
        load_program(path)
    assert str(info.value).startswith(f"{path}:26:11: error: program.branding.logo:")


@pytest.mark.parametrize("jobs", [0, 2])
def test_fetcher_refuses_files_outside_and_network(tmp_path, jobs):
    """Defence in depth: a template override cannot pull in /etc/passwd or a URL either, whether
    this process lays out (jobs=0) or workers do, the documents advancing in threads of their own."""
    path = copy_reference(tmp_path)
    (tmp_path / "templates" / "print").mkdir(parents=True)
    (tmp_path / "templates" / "print" / "feedback.html.j2").write_text(
        '{% extends "builtin/print/feedback.html.j2" %}{% block body %}<img src="file:///etc/passwd">'
        '{{ super() }}{% endblock %}')
    project = load_program(path)
    doc = [d for d in documents(project.program) if d.name == "feedback-form.pdf"]
    with pytest.raises(FetchError, match="outside the program's folder"):
        render_documents(project, doc, jobs=jobs)
    (tmp_path / "templates" / "print" / "feedback.html.j2").write_text(
        '{% extends "builtin/print/feedback.html.j2" %}{% block body %}<img src="http://127.0.0.1:9/x.png">'
        '{{ super() }}{% endblock %}')
    with pytest.raises(FetchError, match="fetches nothing from the network"):
        render_documents(project, doc, jobs=jobs)


def test_long_and_non_latin_text_stays_on_the_page(tmp_path):
    path = copy_reference(tmp_path)
    long_title = "Supercalifragilisticexpialidocious-" * 4 + " programme for Zoë, Łukasz and خالد"
    path.write_text(path.read_text().replace("title: Run a fully remote leadership meeting with confidence",
                                             f"title: {long_title}"))
    project = load_program(path)
    doc = [d for d in documents(project.program) if d.name == "smart-goal-worksheet.pdf"]
    data = render_documents(project, doc, jobs=0)["smart-goal-worksheet.pdf"]
    text = text_of(data, tmp_path)
    assert "Łukasz" in text and "Zoë" in text
    words = "".join(text.split())
    assert "Supercalifragilisticexpialidocious" in words
    # nothing is drawn outside the page: pdftotext -layout keeps every line within the text width
    assert max(len(line) for line in text.splitlines()) < 200
