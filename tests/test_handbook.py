"""handbook.pdf: every handbook page as one book, checked as its readers see it (pypdf, pdftotext,
pdftoppm, pdfua)."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from conftest import copy_reference, minimal, need_tool, pdfua_reports, render_documents, render_pages
from pypdf import PdfReader

from mentorkit.handbook import anchor_of, page_html
from mentorkit.plan import DEST_SCHEME, documents
from mentorkit.project import load_program
from mentorkit.site import PAGES

CHAPTERS = list(dict.fromkeys(section for section, _, _ in PAGES if section))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return load_program(copy_reference(tmp_path_factory.mktemp("ref")))


@pytest.fixture(scope="module")
def book(reference) -> bytes:
    doc = [d for d in documents(reference.program) if d.kind == "handbook"]
    return render_documents(reference, doc, jobs=2)["handbook.pdf"]


def _run(tool: str, *args: str) -> str:
    return subprocess.run([need_tool(tool), *args], capture_output=True, text=True, check=True).stdout


def test_links_between_pages_become_links_inside_the_book():
    anchors = {p: anchor_of(p) for p in ("index.md", "goals.md", "pages/charter.md")}
    text = ("# Charter {#top}\n\nSee [goals](../goals.md#smart-goals), [home](../index.md), [here](#top), "
            '[web](https://example.org), [x](javascript:alert(1)) and <a href="../print/feedback-form.pdf">the form</a>.\n\n'
            '| A | B |\n| - | - |\n| 1 | 2 |\n\n<label><input type="checkbox" name="c1"> tick</label>\n')
    out = page_html(text, "pages/charter.md", anchors, None, shift=1)
    assert 'id="pages-charter--top"' in out and "<h2" in out and "<h1" not in out
    assert 'href="#goals--smart-goals"' in out and 'href="#index"' in out and 'href="#pages-charter--top"' in out
    assert 'href="https://example.org"' in out and "javascript" not in out
    assert "<span>the form</span>" in out and 'scope="col"' in out and "<input" not in out
    online = page_html(text, "pages/charter.md", anchors, "https://mentoring.example/handbook/", shift=0)
    assert 'href="https://mentoring.example/handbook/print/feedback-form.pdf"' in online


def test_downloads_page_lists_the_handbook(reference):
    assert 'href="print/handbook.pdf"' in render_pages(reference)["downloads.md"]


@pytest.mark.slow
def test_book_has_cover_contents_chapters_bookmarks_and_links(book, reference, tmp_path):
    pdf = PdfReader(io.BytesIO(book))
    assert pdf.metadata.title == "Handbook - Reverse Mentoring Programme 2027"
    assert str(pdf.trailer["/Root"]["/Lang"]) == reference.program.program.language
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in pdf.trailer["/Root"]
    # bookmarks: the contents, Home's page, one per navigation section, the pages under each
    top = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert top == ["Contents", "Reverse Mentoring Programme 2027", *CHAPTERS]
    nested = pdf.outline[pdf.outline.index(next(i for i in pdf.outline if getattr(i, "title", "") == "Help")) + 1]
    assert [i.title for i in nested if not isinstance(i, list)] == ["Frequently asked questions", "Downloads",
                                                                     "Programme charter"]
    # internal links resolve to pages of the book; nothing points at a local file or an unresolved piece
    internal = 0
    for page in pdf.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action else ""
            assert not uri.startswith(("file:", DEST_SCHEME)), uri
            internal += "/Dest" in annot or (action is not None and action.get("/S") == "/GoTo")
    assert internal > 40  # the contents' entries and the pages' links to one another
    # the cover: title, organisation, dates; then the contents with page numbers
    path = tmp_path / "handbook.pdf"
    path.write_bytes(book)
    cover = _run("pdftotext", "-layout", "-f", "1", "-l", "1", str(path), "-")
    for text in ("Reverse Mentoring Programme 2027", "Handbook", "Northwind Health", "Monday 1 February 2027"):
        assert text in cover
    contents = _run("pdftotext", "-layout", "-f", "2", "-l", "2", str(path), "-")
    assert re.search(r"Goals(?: ?\.){5,} +\d+", contents) and all(c in contents for c in CHAPTERS)
    whole = _run("pdftotext", str(path), "-")
    for text in ("Who it is for", "SMART goals", "Meeting schedule", "What we promise each other", "handbook.pdf"):
        assert text in whole
    # numbered from the first page after the cover
    assert "Page 1 of" in contents and f"Page {len(pdf.pages) - 1} of {len(pdf.pages) - 1}" in whole


@pytest.mark.slow
def test_book_meets_the_print_standards(book, tmp_path):
    path = tmp_path / "handbook.pdf"
    path.write_bytes(book)
    fonts = _run("pdffonts", str(path))
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), fonts  # the "emb" column
    report = pdfua_reports([path])[path.name]
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    # looked at: the cover shows the brand colour, the contents page is mostly white with text
    need_tool("pdftoppm")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(path), str(tmp_path / "p")], check=True)
    from PIL import Image

    cover = Image.open(next(tmp_path.glob("p-*1.png"))).convert("RGB")
    assert (11, 92, 173) in {c for _, c in cover.getcolors(1 << 16)} or any(
        abs(r - 11) < 12 and abs(g - 92) < 12 and abs(b - 173) < 12 for _, (r, g, b) in cover.getcolors(1 << 16))


@pytest.mark.slow
def test_letter_paper_and_a_five_line_program(tmp_path, write_program):
    program = write_program(minimal() + "print:\n  paper: letter\n")
    project = load_program(program)
    doc = [d for d in documents(project.program) if d.kind == "handbook"]
    data = render_documents(project, doc, jobs=0)["handbook.pdf"]
    pdf = PdfReader(io.BytesIO(data))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert len(pdf.pages) > 15
