"""The one cache: reuses unchanged PDFs and sites, never changes the output, stays out of git."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import copy_reference
from pypdf import PdfReader

from mentorkit import cache as cache_module
from mentorkit import engines, printing
from mentorkit.build import build
from mentorkit.project import load_program

pytestmark = pytest.mark.slow


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def same_as_clean(program: Path, built: Path) -> bool:
    """Whether `built` holds the very bytes a build without the cache makes of `program` now."""
    clean = built.parent / f"{built.name}-clean"
    build(program, clean, jobs=1, use_cache=False)
    return digest(built) == digest(clean)


def _counting(monkeypatch) -> tuple[list[tuple[str, str]], list[str]]:
    """The units WeasyPrint lays out (jobs=1: in this process), as (label, HTML), and the site engines started."""
    rendered: list[tuple[str, str]] = []
    engines_started: list[str] = []
    real_render, real_start = printing.render_unit, engines.start
    monkeypatch.setattr(printing, "render_unit", lambda unit: rendered.append((unit.label, unit.html))
                        or real_render(unit))
    monkeypatch.setattr(engines, "start", lambda engine, *a: engines_started.append(engine) or real_start(engine, *a))
    return rendered, engines_started


def test_cache_never_changes_the_output(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    rendered, started = _counting(monkeypatch)
    build(program, tmp_path / "cached", jobs=1)
    # every piece laid out once, however many PDFs hold it: each single document's body (shared
    # with the workbooks), the workbooks' own sections (one set per role), the covers, the overlays
    project = load_program(program)
    labels = [label for label, _ in rendered]
    assert len(rendered) == len(set(rendered)), "a piece was laid out twice"
    assert {"#checklist", "#feedback", "#agreement", f"#goal-{project.program.goals[0].id}", "#contents", "#meetings",
            *(f"#survey-{s.id}" for s in project.program.surveys)} <= set(labels)
    for shared in ("#checklist", "#feedback", "#agreement"):
        assert labels.count(shared) == 1, shared  # in its own PDF and in both workbooks: laid out once
    for once in ("#surveys", *(f"#survey-{s.id}" for s in project.program.surveys)):
        assert labels.count(once) == 1, once  # each survey's own PDF; the workbooks' surveys, both roles
    assert sorted(label for label in labels if label.endswith("(cover)")) == [
        "handbook.pdf (cover)", "workbook-mentee.pdf (cover)", "workbook-mentor.pdf (cover)"]
    assert started == ["material"]
    rendered.clear(), started.clear()
    assert build(program, tmp_path / "cached", jobs=1).cached
    assert rendered == [] and started == [], "a no-op rebuild rendered again"
    assert same_as_clean(program, tmp_path / "cached")

    program.write_text(program.read_text().replace("Have you met as often as you agreed?",
                                                   "Have you met as often as you planned?"))
    rendered.clear(), started.clear()
    build(program, tmp_path / "cached", jobs=1)
    # the question is in its survey's piece, in the workbooks' surveys (one piece that both roles
    # share: the surveys run on there) and in the handbook's chapter that shows the surveys: only
    # those three are laid out again; the site shows the question, so the engine builds it again
    assert sorted(label for label, _ in rendered) == ["#chapter-measuring", "#survey-midpoint", "#surveys"]
    assert started == ["material"]
    assert same_as_clean(program, tmp_path / "cached")
    assert "as you planned" in (tmp_path / "cached" / "surveys.html").read_text()
    for name in ("survey-midpoint.pdf", "workbook-mentor.pdf", "handbook.pdf"):
        assert "as you planned" in "".join(p.extract_text() for p in PdfReader(tmp_path / "cached" / "print" / name).pages)


def test_a_change_to_the_pdfs_only_reuses_the_site(tmp_path, monkeypatch):
    program = copy_reference(tmp_path)
    rendered, started = _counting(monkeypatch)
    build(program, tmp_path / "site", jobs=1)
    program.write_text(program.read_text().replace("paper: A4", "paper: letter"))  # the PDFs change, not the site
    started.clear()
    build(program, tmp_path / "site", jobs=1)
    assert started == []
    assert same_as_clean(program, tmp_path / "site")


def test_the_cache_folder_keeps_a_programs_git_repository_clean(tmp_path):
    program = copy_reference(tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "Our program"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=tmp_path, check=True)
    build(program, tmp_path / "public", jobs=1)
    assert (tmp_path / ".mentorkit-cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert [line for line in status if ".mentorkit-cache" in line] == []


def test_no_cache_reads_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    build(program, tmp_path / "a", jobs=1, use_cache=False)
    assert not (tmp_path / ".mentorkit-cache").exists()
    build(program, tmp_path / "b", jobs=1)
    # every entry damaged: a build without the cache does not even look
    for entry in (tmp_path / ".mentorkit-cache").rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_bytes(b"damaged")
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / ".mentorkit-cache").rglob("*")}
    assert not build(program, tmp_path / "c", jobs=1, use_cache=False).cached
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / ".mentorkit-cache").rglob("*")} == before
    assert digest(tmp_path / "a") == digest(tmp_path / "c")
    # and a build with the cache takes damaged entries as misses
    assert not build(program, tmp_path / "d", jobs=1).cached
    assert digest(tmp_path / "a") == digest(tmp_path / "d")


def test_least_recently_used_entries_go_first_past_the_limit(tmp_path, monkeypatch):
    cache = cache_module.Cache(tmp_path / "cache")
    for n in range(5):
        cache.put("pdf", f"k{n}", bytes(1000))
    for n in (0, 1):
        os.utime(tmp_path / "cache" / "pdf" / f"k{n}", ns=(1, 1))  # used long ago
    assert cache.get("pdf", "k1") is not None  # reading marks it used
    cache.prune(limit=3 * 1100)
    assert sorted(p.name for p in (tmp_path / "cache" / "pdf").iterdir()) == ["k1", "k3", "k4"]


def test_keys_name_the_environment_that_renders(tmp_path, monkeypatch):
    """Upgrading a package, a system library or a font changes every key."""
    libraries = cache_module._library_versions()
    assert not any(line.endswith("=unknown") for line in libraries), libraries  # Pango, HarfBuzz, fontconfig
    assert any(line.startswith("weasyprint=") and not line.endswith("none") for line in cache_module._package_versions())
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    monkeypatch.setattr(cache_module, "FONT_DIRS", (str(fonts),))
    before = cache_module._fonts()
    (fonts / "Brand.ttf").write_bytes(b"a font")
    assert cache_module._fonts() != before
    package = Path(cache_module.__file__).resolve().parent
    assert cache_module._code() == cache_module._code()
    monkeypatch.setattr(cache_module, "__file__", str(tmp_path / "copy" / "cache.py"))
    shutil.copytree(package, tmp_path / "copy", ignore=shutil.ignore_patterns("__pycache__"))
    same = cache_module._code()
    (tmp_path / "copy" / "pdfjoin.py").write_text((tmp_path / "copy" / "pdfjoin.py").read_text() + "\n# joins differently\n")
    assert cache_module._code() != same


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
    # an extra page outside content/: only its hash in the entry can tell it changed
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "rooms.md").write_text("# Rooms\n\nMeet in room 4.\n")
    program.write_text(program.read_text().replace("  - content/charter.md\n", "  - content/charter.md\n  - extra/rooms.md\n"))
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert build(program, tmp_path / "site", jobs=1).cached
    (tmp_path / "extra" / "rooms.md").write_text("# Rooms\n\nMeet in room 5.\n")
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert "room 5" in (tmp_path / "site" / "pages" / "rooms.html").read_text()
    (tmp_path / "en.po").write_text('msgid "Downloads"\nmsgstr "Files to take away"\n')  # a team's own words
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert build(program, tmp_path / "site", jobs=1).cached
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000001")
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert not build(program, tmp_path / "site", jobs=1, strict=True).cached
    assert build(program, tmp_path / "site", jobs=1, strict=True).cached
    assert same_as_clean(program, tmp_path / "site")


def test_calendar_is_remade_when_an_event_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    build(program, tmp_path / "cached", jobs=1)
    assert "DTSTART;VALUE=DATE:20270316" in (tmp_path / "cached" / "calendar.ics").read_text()
    program.write_text(program.read_text().replace("title: Practice session two, due: 2027-03-16",
                                                   "title: Practice session two, due: 2027-03-17"))
    build(program, tmp_path / "cached", jobs=1)
    moved = (tmp_path / "cached" / "calendar.ics").read_text()
    assert "DTSTART;VALUE=DATE:20270317" in moved and "DTSTART;VALUE=DATE:20270316" not in moved
    assert same_as_clean(program, tmp_path / "cached")


def test_a_build_with_a_changelog_is_never_reused(tmp_path):
    """The changelog page comes from git history, which is no input of the whole-build key."""
    program = copy_reference(tmp_path)
    program.write_text(program.read_text() + "site:\n  changelog: true\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "First design"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=tmp_path, check=True)
    first = build(program, tmp_path / "site", jobs=1)
    assert not first.cached and (tmp_path / "site" / "changelog.html").is_file()
    assert not build(program, tmp_path / "site", jobs=1).cached
