"""Forms that can be used: every field says what it asks, a multi question's boxes are ticked one
by one and name their option, the PDFs pass `pdfua check` on any paper, and filled values print."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from conftest import copy_reference, need_tool, pdfua_reports, render_documents
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from mentorkit.cache import Cache
from mentorkit.plan import documents
from mentorkit.project import load_program
from mentorkit.responses import read_responses

pytestmark = pytest.mark.slow
SETTINGS = {"A4-fillable": ("A4", "true"), "letter-fillable": ("letter", "true"), "A4-paper": ("A4", "false"),
            "letter-paper": ("letter", "false")}


def load(folder: Path, paper: str = "A4", fillable: str = "true"):
    path = copy_reference(folder)
    path.write_text(path.read_text().replace("paper: A4", f"paper: {paper}")
                    .replace("fillable: true", f"fillable: {fillable}"))
    return load_program(path)


@pytest.fixture(scope="module")
def pdfs(reference_pdfs) -> dict[str, bytes]:
    """The reference program's PDFs: A4, fillable (as `load` with its defaults), two jobs."""
    return reference_pdfs[1]


def widgets(data: bytes) -> list[tuple[str, str, object]]:
    """(field name, /TU, widget) of every widget, in page order."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            parent = widget.get("/Parent")
            field = parent.get_object() if parent is not None else widget
            out.append((str(field.get("/T")), str(widget.get("/TU", "")), widget))
    return out


def test_every_field_says_what_it_asks(pdfs):
    for name, data in pdfs.items():
        for field, said, _ in widgets(data):
            assert said and said != field, f"{name}: {field} is announced as {said!r}"
    said = {(field, tu) for field, tu, _ in widgets(pdfs["survey-midpoint.pdf"])}
    assert ("survey.midpoint.satisfaction", "7 — On a scale of 1 to 10, how would you rate the programme so far?") \
        in said
    assert ("survey.midpoint.meetings-held", "Yes — Have you met as often as you agreed?") in said
    checklist = dict((field, tu) for field, tu, _ in widgets(pdfs["first-meeting-checklist.pdf"]))
    assert checklist["checklist.before.1"] == "Look up your partner's role, team and background"
    agreement = dict((field, tu) for field, tu, _ in widgets(pdfs["participant-agreement.pdf"]))
    assert agreement["agreement.mentor.signature"] == "Signature of the reverse mentor"
    assert agreement["agreement.mentee.date"] == "Date signed by the executive mentee"


def test_each_goal_is_a_box_of_its_own_named_by_its_id(pdfs):
    boxes = [(field, tu) for field, tu, _ in widgets(pdfs["survey-conclusion.pdf"]) if ".goals-met" in field]
    assert [field for field, _ in boxes] == [f"survey.conclusion.goals-met.{key}" for key in
                                            ("digital-fluency", "social-voice", "strategy-exposure", "other")]
    assert boxes[2][1] == "Lead a strategy workstream — Which of your goals did you reach?"
    fields = PdfReader(io.BytesIO(pdfs["survey-conclusion.pdf"])).get_fields()
    assert all(fields[field].get("/FT") == "/Btn" for field, _ in boxes)


def tick(data: bytes, values: dict[str, str | bool]) -> bytes:
    """Fill fields as a viewer does: a text field's value; a box's value and appearance state."""
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.set_need_appearances_writer(True)
    for page in writer.pages:
        texts = {}
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            parent = widget.get("/Parent")
            field = parent.get_object() if parent is not None else widget
            wanted = values.get(str(field.get("/T")))
            if wanted is None:
                continue
            if isinstance(wanted, str):
                texts[str(field["/T"])] = wanted
            elif wanted:
                on = next(k for k in widget["/AP"]["/N"] if k != "/Off")
                widget[NameObject("/AS")] = NameObject(on)
                field[NameObject("/V")] = NameObject(on)
                values = {**values, str(field["/T"]): False}  # one button of a radio group
        if texts:
            writer.update_page_form_field_values(page, texts, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_goals_reached_are_read_back_one_by_one(pdfs, tmp_path):
    project = load(tmp_path / "p")
    form = tmp_path / "conclusion.pdf"
    form.write_bytes(tick(pdfs["survey-conclusion.pdf"], {"survey.conclusion.goals-met.strategy-exposure": True,
                                                          "survey.conclusion.goals-met.other": True,
                                                          "survey.conclusion.satisfaction": True}))
    fields = PdfReader(form).get_fields()
    assert fields["survey.conclusion.goals-met.strategy-exposure"]["/V"] == "/on"
    assert fields["survey.conclusion.goals-met.digital-fluency"].get("/V") in (None, "/Off")
    (response,) = read_responses([form], project.program).by_survey["conclusion"]
    assert response.answers["goals-met"] == ("strategy-exposure", "other")
    assert response.answers["satisfaction"] == 1


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> Path:
    """One folder for the reference program on each other paper and fillable setting, with a cache
    beside its program.yml: a setting lays out only the pieces no earlier one did (a piece without
    form fields is the same on screen and on paper), which gives the same bytes as laying out all."""
    return tmp_path_factory.mktemp("papers")


@pytest.mark.parametrize("setting", SETTINGS)
def test_no_pdfua_errors_on_any_paper(setting, papers, tmp_path, request):
    paper, fillable = SETTINGS[setting]
    if (paper, fillable) == ("A4", "true"):  # the reference program as it is: its PDFs are laid out already
        out = request.getfixturevalue("pdfs")
    else:
        project = load(papers, paper, fillable)
        out = render_documents(project, documents(project.program), jobs=2, cache=Cache.beside(project.path))
    for name, data in out.items():
        (tmp_path / name).write_bytes(data)
    reports = pdfua_reports([tmp_path / name for name in out])
    # exit code 2: warnings only (header cells without /Scope, which WeasyPrint omits)
    failed = [f"{name}: {report['findings']}" for name, report in reports.items() if report["exit_code"] not in (0, 2)]
    assert not failed, "\n".join(failed)
    if fillable == "false":
        assert not any(PdfReader(io.BytesIO(data)).get_fields() for data in out.values())


def test_every_field_filled_in_prints(pdfs, tmp_path):
    """Fill every field of the mentor's workbook with pypdf, rasterise with pdftoppm: what was typed
    is on the page, and every page with fields looks different from the blank one."""
    pdftoppm = need_tool("pdftoppm")
    pdftotext = need_tool("pdftotext")
    blank = pdfs["workbook-mentor.pdf"]
    values: dict[str, str | bool] = {}
    for field, _, widget in widgets(blank):
        values[field] = True if widget.get("/FT") == "/Btn" else f"typed {len(values)}"
    filled = tick(blank, values)
    (tmp_path / "blank.pdf").write_bytes(blank)
    (tmp_path / "filled.pdf").write_bytes(filled)
    text = subprocess.run([pdftotext, str(tmp_path / "filled.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    typed = [v for v in values.values() if isinstance(v, str)]
    assert len(typed) > 80 and all(v in text for v in typed[:5] + typed[-5:])
    for label in ("blank", "filled"):
        subprocess.run([pdftoppm, "-png", "-r", "30", str(tmp_path / f"{label}.pdf"), str(tmp_path / label)], check=True)
    reader = PdfReader(io.BytesIO(blank))
    pages = sorted(p.name.split("-", 1)[1] for p in tmp_path.glob("blank-*.png"))
    assert len(pages) == len(reader.pages)
    for number, page in enumerate(pages):
        has_fields = any(a.get_object().get("/Subtype") == "/Widget" for a in reader.pages[number].get("/Annots") or [])
        same = (tmp_path / f"blank-{page}").read_bytes() == (tmp_path / f"filled-{page}").read_bytes()
        assert same != has_fields, f"page {number + 1}"
