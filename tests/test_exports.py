"""mentorkit surveys export: XLSForm checked by pyxform, Qualtrics TXT, CSV templates; the online form on the site and on paper."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import need_tool

from mentorkit.cli import main
from mentorkit.exports import FORMATS, OPTIONS, QUALTRICS, XLSFORM, export_surveys, qr_svg
from mentorkit.model import QuestionType
from mentorkit.project import load_program

PROGRAM = """\
mentorkit: 1
program:
  id: peer-2027
  title: Peer mentoring 2027
  type: peer
  starts: 2027-03-01
  duration: 6 months
goals:
  - {id: public-speaking, title: Speak at a team meeting}
  - {id: delegation, title: "Hand over one recurring task, and let go"}
surveys:
  - id: check-in
    title: Check-in & pulse
    when: midpoint
    intro: A few questions on how it is going.
    url: https://forms.example.org/check-in?lang=en&x="1"
    questions:
      - {id: satisfaction, text: "How satisfied are you so far?", type: scale, min: 0, max: 10,
         labels: [Not at all, Completely], required: true}
      - {id: intro, text: "Did the introductions work?", type: yes-no}
      - {id: format, text: "Which format suits you?", type: choice,
         options: ["Yes, in person", "Yes in person", "Video & chat", "Phone <call>"]}
      - {id: goals-moving, text: "Which goals are moving?", type: multi, options_from: goals}
      - {id: topics, text: "Which topics helped?", type: multi, options: [Feedback, Career paths]}
      - {id: comments, text: "Anything else?", type: text}
  - id: end
    title: End
    when: conclusion
    url: "javascript:alert(1)"
    questions:
      - {id: satisfaction, text: "How satisfied are you overall?", type: scale}
"""


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def project(tmp_path: Path):
    path = tmp_path / "program.yml"
    path.write_text(PROGRAM, encoding="utf-8")
    return load_program(path)


def sheets(data: bytes) -> dict[str, list[list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}
    finally:
        book.close()


def xls2xform(xlsx: Path) -> str:
    """pyxform's converter, the reference validator of XLSForm: the XForm it writes (it must not warn)."""
    tool = need_tool(str(Path(sys.executable).parent / "xls2xform"))
    xml = xlsx.with_suffix(".xml")
    done = subprocess.run([tool, str(xlsx), str(xml)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    return xml.read_text(encoding="utf-8")


def test_xlsform_sheets(project):
    book = sheets(export_surveys(project.program, "xlsform")["check-in.xlsx"])
    survey = book["survey"]
    assert survey[0] == ["type", "name", "label", "hint", "required", "appearance"]
    assert survey[1] == ["note", "intro-note", "A few questions on how it is going.", "", "", ""]
    assert survey[2] == ["select_one q_satisfaction", "satisfaction", "How satisfied are you so far?",
                         "0 = Not at all, 10 = Completely", "yes", "likert"]
    assert survey[3][:3] == ["select_one yes_no", "intro", "Did the introductions work?"]
    assert survey[5][:2] == ["select_multiple q_goals_moving", "goals-moving"]
    assert survey[7] == ["text", "comments", "Anything else?", "", "", "multiline"]
    choices = book["choices"]
    assert choices[1] == ["q_satisfaction", "0", "0 - Not at all"]
    assert choices[11] == ["q_satisfaction", "10", "10 - Completely"]
    assert ["yes_no", "yes", "Yes"] in choices and ["yes_no", "no", "No"] in choices
    assert ["q_format", "yes-in-person", "Yes, in person"] in choices
    assert ["q_format", "yes-in-person-2", "Yes in person"] in choices  # names stay unique
    assert ["q_goals_moving", "public-speaking", "Speak at a team meeting"] in choices
    assert ["q_goals_moving", "delegation", "Hand over one recurring task, and let go"] in choices
    assert book["settings"] == [["form_title", "form_id"], ["Check-in & pulse", "peer-2027-check-in"]]


def test_xlsform_converts_cleanly_with_pyxform(project, tmp_path):
    for name, data in export_surveys(project.program, "xlsform").items():
        (tmp_path / name).write_bytes(data)
    xml = xls2xform(tmp_path / "check-in.xlsx")
    assert '<data id="peer-2027-check-in"' in xml
    binds = dict(re.findall(r'<bind nodeset="/data/([^"]+)"([^>]*)/>', xml))
    assert 'required="true()"' in binds["satisfaction"]
    assert "required" not in binds["goals-moving"] and "required" not in binds["comments"]
    assert "<value>delegation</value>" in xml or "<name>delegation</name>" in xml
    assert "Phone &lt;call&gt;" in xml
    assert "<h:title>Check-in &amp; pulse</h:title>" in xml
    xls2xform(tmp_path / "end.xlsx")


def test_reference_program_exports_convert(tmp_path):
    from conftest import REFERENCE

    program = load_program(REFERENCE).program
    for name, data in export_surveys(program, "xlsform").items():
        (tmp_path / name).write_bytes(data)
        xls2xform(tmp_path / name)
    goals = sheets((tmp_path / "conclusion.xlsx").read_bytes())["choices"]
    assert [row[1] for row in goals if row[0] == "q_goals_met"] == [g.id for g in program.goals]


def test_exports_are_the_same_bytes_every_time(project):
    for fmt in FORMATS:
        assert export_surveys(project.program, fmt) == export_surveys(project.program, fmt)


def test_qualtrics_advanced_format(project):
    text = export_surveys(project.program, "qualtrics")["check-in.txt"].decode("utf-8")
    assert text.startswith("[[AdvancedFormat]]\n\n[[Block:Check-in & pulse]]\n\n[[Question:Text]]\n[[ID:intro]]\n")
    assert ("[[Question:MC:SingleAnswer:Horizontal]]\n[[ID:satisfaction]]\nHow satisfied are you so far? (required)\n"
            "\n[[Choices]]\n0 - Not at all\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10 - Completely\n\n") in text
    assert "[[Question:MC:SingleAnswer:Horizontal]]\n[[ID:intro]]\nDid the introductions work?\n\n[[Choices]]\nYes\nNo\n" \
        in text
    assert ("[[Question:MC:MultipleAnswer:Vertical]]\n[[ID:goals-moving]]\nWhich goals are moving?\n\n[[Choices]]\n"
            "Speak at a team meeting\nHand over one recurring task, and let go\n") in text
    assert text.endswith("[[Question:TE:Essay]]\n[[ID:comments]]\nAnything else?\n")


def test_csv_template_columns_are_question_ids(project):
    files = export_surveys(project.program, "csv")
    assert files["check-in.csv"] == b"email,satisfaction,intro,format,goals-moving,topics,comments\n"
    assert files["end.csv"] == b"email,satisfaction\n"


def test_every_question_type_has_an_entry_in_every_format():
    for table in (OPTIONS, XLSFORM, QUALTRICS):
        assert set(table) == set(QuestionType)


def test_cli_writes_the_forms_like_a_build(project, tmp_path):
    out = tmp_path / "forms"
    result = run("surveys", "export", project.path, "--to", "xlsform", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 2 xlsform forms into {out}/\n"
    assert sorted(p.name for p in out.iterdir()) == [".mentorkit-output.json", "check-in.xlsx", "end.xlsx"]
    again = run("surveys", "export", project.path, "--to", "qualtrics", "-o", out)  # mentorkit's own folder: replaced
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == [".mentorkit-output.json", "check-in.txt", "end.txt"]
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = run("surveys", "export", project.path, "--to", "csv", "-o", foreign)
    assert refused.exit_code == 2
    assert "was not made by mentorkit" in refused.stderr
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_cli_default_folder_and_bad_format(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("surveys", "export", project.path, "--to", "csv").exit_code == 0
    assert (tmp_path / "surveys-csv" / "end.csv").is_file()
    assert run("surveys", "export", project.path, "--to", "sheets").exit_code == 2


# --- the online form, on the site and on paper ---------------------------------------------

def test_site_links_the_online_form_only_for_web_addresses(project):
    from conftest import render_pages

    page = render_pages(project)["surveys.md"]
    assert ('<a class="md-button md-button--primary" href="https://forms.example.org/check-in?lang=en&amp;x=&#34;1&#34;">'
            "Fill in Check-in &amp; pulse online</a>") in page
    assert "javascript" not in page
    assert page.count("online</a>") == 1


def test_printed_form_links_the_online_form_with_a_qr_code(project, tmp_path):
    from conftest import context_of
    from pypdf import PdfReader

    from mentorkit import printing
    from mentorkit.plan import Document

    url = 'https://forms.example.org/check-in?lang=en&x="1"'
    doc = Document("survey-check-in.pdf", "Survey: Check-in & pulse", "survey", survey="check-in")
    values = printing.print_values(project, context_of(project))
    html = printing.document_html(project, doc, values)
    assert isinstance(html, str)
    assert 'href="https://forms.example.org/check-in?lang=en&amp;x=&#34;1&#34;"' in html
    assert str(qr_svg(url)) in html
    assert 'alt="QR code of https://forms.example.org/check-in?lang=en&amp;x=&#34;1&#34;"' in html
    pdf = printing.html_to_pdf(html, base_url=project.root.as_uri() + "/", roots=[project.root], forms=True)
    links = [a.get_object()["/A"]["/URI"] for page in PdfReader(io.BytesIO(pdf)).pages
             for a in page.get("/Annots") or [] if a.get_object().get("/Subtype") == "/Link"]
    assert url.replace('"', "%22") in links  # WeasyPrint writes the quotes percent-encoded
    end = Document("survey-end.pdf", "Survey: End", "survey", survey="end")
    assert "javascript" not in str(printing.document_html(project, end, values))


def test_qr_code_is_the_same_for_the_same_address():
    assert qr_svg("https://a.example/x") == qr_svg("https://a.example/x") != qr_svg("https://a.example/y")
