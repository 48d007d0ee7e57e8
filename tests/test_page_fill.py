"""Workbooks print as they are (issue 16): no half-empty page but the last, and the agreement's
signatures on the page of its last clause, on A4 and letter paper and in a language that runs
longer than English (French)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import copy_reference, need_tool, render_documents

from mentorkit.plan import documents
from mentorkit.project import load_program
from mentorkit.resources import builtin_dir

pytestmark = pytest.mark.slow

CONFIGS = ["en-A4", "en-letter", "fr-A4"]  # fillable, as program.yml is
WORKBOOKS = ("workbook-mentor.pdf", "workbook-mentee.pdf")
AGREEMENT = "participant-agreement.pdf"
# the agreement's last clause, in program.yml's language
LAST_CLAUSE = {"en": "Ending the relationship", "fr": "Mettre fin à la relation"}
# A page is filled down to its lowest ink, as a share of the height between the page margins.
# Measured on the reference program: the half-empty pages this test was written against (a page
# per survey, a signature block or a checklist's notes field spilt onto a page of their own) came
# to 0.16-0.36; every other page but the last is at 0.57 or more (the tightest: the meeting log's
# last page, with two of its three meetings). Half the page is the line between them.
LEAST_FILL = 0.5
DPI = 60  # a 0.6pt field border is still a dark pixel
INK = 235  # grey level (0-255) darker than the fields' background (#fbfcfe): ink


def _page_margins() -> tuple[float, float]:
    """Top and bottom page margins (mm) of the printables' style sheet: the page footer is below."""
    css = (builtin_dir("templates") / "print" / "print.css").read_text(encoding="utf-8")
    found = re.search(r"@page\s*\{\s*margin:\s*([\d.]+)mm\s+[\d.]+mm\s+([\d.]+)mm", css)
    assert found, "print.css: no @page margin in mm"
    return float(found.group(1)), float(found.group(2))


def _pgm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and grey pixels of a binary PGM (pdftoppm -gray)."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:  # P5, width, height, maxval, separated by whitespace
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1:pos + 1 + width * height]


def fills(pdf: Path, paper_height_mm: float) -> list[float]:
    """Per page: how far down the space between the margins the ink reaches (0 to 1)."""
    tool = need_tool("pdftoppm")
    top_mm, bottom_mm = _page_margins()
    subprocess.run([tool, "-gray", "-r", str(DPI), str(pdf), str(pdf.with_suffix(""))], check=True)
    out = []
    for image in sorted(pdf.parent.glob(f"{pdf.stem}-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        width, height, pixels = _pgm(image)
        per_mm = height / paper_height_mm
        top, bottom = round(top_mm * per_mm), height - round(bottom_mm * per_mm)
        lowest = next((y for y in range(bottom - 1, top - 1, -1) if min(pixels[y * width:(y + 1) * width]) < INK),
                      top - 1)
        out.append((lowest - top + 1) / (bottom - top))
    return out


def pages_text(pdf: Path) -> list[str]:
    tool = need_tool("pdftotext")
    return subprocess.run([tool, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


@pytest.fixture(scope="module", params=CONFIGS)
def built(request, tmp_path_factory) -> tuple[str, str, dict[str, Path]]:
    """The workbooks and the agreement of the reference program in one language and paper size."""
    language, paper = request.param.split("-")
    folder = tmp_path_factory.mktemp(request.param)
    path = copy_reference(folder)
    text = path.read_text(encoding="utf-8").replace("paper: A4", f"paper: {paper}")
    text = re.sub(r"^(\s+)language: en\b", rf"\1language: {language}", text, count=1, flags=re.MULTILINE)
    assert f"language: {language}" in text and f"paper: {paper}" in text
    path.write_text(text, encoding="utf-8")
    project = load_program(path)
    docs = [d for d in documents(project.program) if d.name in (*WORKBOOKS, AGREEMENT)]
    out = {}
    for name, data in render_documents(project, docs, jobs=2).items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return language, paper, out


def test_no_half_empty_page_but_the_last(built):
    language, paper, pdfs = built
    height = 297.0 if paper == "A4" else 279.4
    for name in WORKBOOKS:
        pages = fills(pdfs[name], height)
        assert len(pages) > 15
        # the cover (page 1) stands alone by design, and the last page holds what is left over
        low = {n: round(f, 2) for n, f in enumerate(pages[1:-1], start=2) if f < LEAST_FILL}
        assert not low, f"{name} ({language}, {paper}): pages filled less than {LEAST_FILL:.0%}: {low}; all: " \
                        f"{[round(f, 2) for f in pages]}"


def test_the_agreement_is_one_page_signed_under_its_last_clause(built):
    language, paper, pdfs = built
    pages = pages_text(pdfs[AGREEMENT])
    assert len([p for p in pages if p.strip()]) == 1, f"{language}, {paper}: the agreement runs over a page"
    for name in WORKBOOKS:
        pages = pages_text(pdfs[name])
        signed = [n for n, p in enumerate(pages) if re.search(r"^\s*Signatures\s*$", p, re.MULTILINE)]
        last = [n for n, p in enumerate(pages) if LAST_CLAUSE[language] in p]
        assert signed and signed == last, f"{name} ({language}, {paper}): signatures on {signed}, last clause on {last}"
