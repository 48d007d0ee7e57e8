"""The build cache reuses unchanged PDFs and sites and never changes the output."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import copy_reference

from mentorkit import printing
from mentorkit.build import build

pytestmark = pytest.mark.slow


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cache_never_changes_the_output(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    rendered: list[str] = []
    real = printing._render

    def counting(job):
        rendered.append(job[0])
        return real(job)

    monkeypatch.setattr(printing, "_render", counting)  # jobs=1 renders in this process
    build(program, tmp_path / "cached", jobs=1)
    # six single documents, two workbook covers, and the pages both workbooks share, laid out once
    assert sorted(rendered) == sorted([
        "first-meeting-checklist.pdf", "smart-goal-worksheet.pdf", "feedback-form.pdf", "survey-registration.pdf",
        "survey-midpoint.pdf", "survey-conclusion.pdf", "workbook-mentee.pdf (cover)", "workbook-mentor.pdf (cover)",
        printing.BODY_LABEL])
    rendered.clear()
    build(program, tmp_path / "cached", jobs=1)
    assert rendered == [], "a no-op rebuild rendered PDFs again"
    build(program, tmp_path / "clean", jobs=1, use_cache=False)
    assert digest(tmp_path / "cached") == digest(tmp_path / "clean")

    program.write_text(program.read_text().replace("Have you met as often as you agreed?",
                                                   "Have you met as often as you planned?"))
    rendered.clear()
    build(program, tmp_path / "cached", jobs=1)
    # the question is in its survey and in the shared workbook pages; the covers are reused
    assert sorted(rendered) == sorted(["survey-midpoint.pdf", printing.BODY_LABEL])
    build(program, tmp_path / "clean", jobs=1, use_cache=False)
    assert digest(tmp_path / "cached") == digest(tmp_path / "clean")
    assert "as you planned" in (tmp_path / "cached" / "surveys.html").read_text()


def test_cache_stays_one_build_big(tmp_path):
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=1)
    program.write_text(program.read_text().replace("paper: A4", "paper: letter"))
    build(program, tmp_path / "site", jobs=1)
    cache = tmp_path / ".mentorkit-cache"
    assert len(list((cache / "pdf").iterdir())) == 9  # 6 documents, 2 covers, 1 shared workbook body
    assert len(list((cache / "site").iterdir())) == 1


def test_whole_build_cache_sees_every_input(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    first = build(program, tmp_path / "site", jobs=1)
    assert not first.cached
    assert build(program, tmp_path / "site", jobs=1).cached
    (tmp_path / "content" / "faq.md").write_text("### Our own question\n\nOur answer.\n")
    changed = build(program, tmp_path / "site", jobs=1)
    assert not changed.cached and "Our own question" in (tmp_path / "site" / "faq.html").read_text()
    (tmp_path / "assets" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert b'width="8"' in (tmp_path / "site" / "assets" / "logo.svg").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000001")
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert not build(program, tmp_path / "site", jobs=1, strict=True).cached
    assert build(program, tmp_path / "site", jobs=1, strict=True).cached
    build(program, tmp_path / "clean", jobs=1, use_cache=False)
    assert digest(tmp_path / "site") == digest(tmp_path / "clean")
