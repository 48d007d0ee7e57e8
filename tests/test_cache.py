"""The one cache: reuses unchanged PDFs and sites, never changes the output, stays out of git."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

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


def _damage(entries: list[Path]) -> None:
    for entry in entries:
        entry.write_bytes(b"damaged")


def _entries(folder: Path, kind: str | None = None) -> list[Path]:
    """The files of a cache (one kind's, or all), its .gitignore aside."""
    below = folder / ".mentorkit-cache" / kind if kind else folder / ".mentorkit-cache"
    return sorted(p for p in below.rglob("*") if p.is_file() and p.name != ".gitignore")


def same_as_clean(program: Path, built: Path) -> bool:
    """Whether `built` holds the very bytes a build without the cache makes of `program` now."""
    clean = built.parent / f"{built.name}-clean"
    build(program, clean, jobs=0, use_cache=False)
    return digest(built) == digest(clean)


def _counting(monkeypatch) -> tuple[list[tuple[str, str]], list[str]]:
    """The units WeasyPrint lays out (jobs=0: in this process), as (label, HTML), and the site engines started."""
    rendered: list[tuple[str, str]] = []
    engines_started: list[str] = []
    real_render, real_start = printing.render_unit, engines.start
    monkeypatch.setattr(printing, "render_unit", lambda unit: rendered.append((unit.label, unit.html))
                        or real_render(unit))
    monkeypatch.setattr(engines, "start", lambda engine, *a: engines_started.append(engine) or real_start(engine, *a))
    return rendered, engines_started


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> tuple[Path, Path, list[tuple[str, str]], list[str]]:
    """The reference program built into cached/ from a fresh folder (nothing cached) with
    SOURCE_DATE_EPOCH=1800000000, jobs=0, counting what was laid out and the engines started
    (`_counting`). The folder it was built in, a copy of it as the build left it (read only), and
    the counts."""
    folder = tmp_path_factory.mktemp("first")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        program = copy_reference(folder)
        rendered, started = _counting(monkeypatch)
        build(program, folder / "cached", jobs=0)
    kept = folder.with_name(f"{folder.name}-as-built")
    shutil.copytree(folder, kept, symlinks=True)
    return folder, kept, rendered, started


@pytest.fixture(scope="module")
def clean(first_build, tmp_path_factory) -> dict[str, Any]:
    """The reference built with SOURCE_DATE_EPOCH=1800000000 and no cache (`use_cache=False`,
    jobs=0) from a copy of the folder `first_build` built in, whose cache holds all of it, into a
    folder beside it. "site": the hashes of what it wrote; "rendered" and "started": the labels of
    the units it laid out and the engines it started (`_counting`); "before" and "after": each
    file of the program's folder (its cache too), with its size and time, before and after."""
    _, kept, _, _ = first_build
    folder = tmp_path_factory.mktemp("clean") / "program"
    shutil.copytree(kept, folder, symlinks=True)

    def files() -> dict[str, tuple[int, int]]:
        return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in sorted(folder.rglob("*"))}

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        before = files()
        rendered, started = _counting(monkeypatch)
        build(folder / "program.yml", folder.parent / "site", jobs=0, use_cache=False)
        after = files()
    return {"site": digest(folder.parent / "site"), "rendered": sorted(label for label, _ in rendered),
            "started": started, "before": before, "after": after}


@pytest.fixture
def built(first_build) -> Path:
    """The program.yml of a folder just as `first_build` left it, in the folder it was built in
    (the cache keeps PDFs for that folder): put back before each test that uses it. The same as
    `build(program, folder / "cached", jobs=0)` of the reference with SOURCE_DATE_EPOCH=1800000000
    from nothing."""
    folder, kept, _, _ = first_build
    shutil.rmtree(folder)
    shutil.copytree(kept, folder, symlinks=True)
    return folder / "program.yml"


# the edits `edited_in_turn` makes, in this order: the paper first (every PDF is laid out again,
# so a later step's stale piece could not hide behind it), then one survey question, then a date
EDITS = (("paper", "paper: A4", "paper: letter"),
         ("question", "Have you met as often as you agreed?", "Have you met as often as you planned?"),
         ("due date", "title: Practice session two, due: 2027-03-16", "title: Practice session two, due: 2027-03-17"))
# after the edits, a new build date, as a commit of program.yml gives (the next day, 11:46:40 UTC)
NEXT_DAY = "1800100000"


@pytest.fixture(scope="module")
def edited_in_turn(first_build, tmp_path_factory) -> dict[str, tuple[Path, list[str], list[str]]]:
    """The reference as `first_build` left it, in the folder it was built in (the cache keeps PDFs
    for that folder), edited in turn (`EDITS`) and built into cached/ with the cache after each
    edit (SOURCE_DATE_EPOCH=1800000000, jobs=0), then built again with SOURCE_DATE_EPOCH=NEXT_DAY
    (step "build date"). By step: a copy of what the build wrote (read only), the labels of the
    units it laid out, the engines it started. And under "clean", the program as the last edit
    left it built without the cache on NEXT_DAY, into a folder of its own."""
    folder, kept, _, _ = first_build
    aside = tmp_path_factory.mktemp("edited-in-turn")
    steps = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
        shutil.rmtree(folder)
        shutil.copytree(kept, folder, symlinks=True)
        program = folder / "program.yml"
        rendered, started = _counting(monkeypatch)

        def built_as(step: str) -> None:
            rendered.clear()
            started.clear()
            build(program, folder / "cached", jobs=0)
            shutil.copytree(folder / "cached", aside / step)
            steps[step] = (aside / step, sorted(label for label, _ in rendered), list(started))

        for step, before, after in EDITS:
            assert before in program.read_text(), step
            program.write_text(program.read_text().replace(before, after))
            built_as(step)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", NEXT_DAY)
        built_as("build date")
        build(program, aside / "clean", jobs=0, use_cache=False)
    steps["clean"] = (aside / "clean", [], [])
    return steps


def test_cache_never_changes_the_output(built, first_build, clean, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = built
    folder = program.parent
    _, _, rendered, started = first_build  # build(program, folder / "cached", jobs=0), from nothing
    # every piece laid out once, however many PDFs hold it: each single document's body (shared
    # with the workbooks), the workbooks' own sections (one set per role), the covers, the overlays;
    # a survey's own PDF, which no other PDF holds, laid out whole (labelled by its file name)
    project = load_program(program)
    labels = [label for label, _ in rendered]
    assert len(rendered) == len(set(rendered)), "a piece was laid out twice"
    assert {"#checklist", "#feedback", "#agreement", f"#goal-{project.program.goals[0].id}", "#contents", "#meetings",
            *(f"survey-{s.id}.pdf" for s in project.program.surveys)} <= set(labels)
    for shared in ("#checklist", "#feedback", "#agreement"):
        assert labels.count(shared) == 1, shared  # in its own PDF and in both workbooks: laid out once
    for once in ("#surveys", *(f"survey-{s.id}.pdf" for s in project.program.surveys)):
        assert labels.count(once) == 1, once  # each survey's own PDF; the workbooks' surveys, both roles
    assert sorted(label for label in labels if label.endswith("(cover)")) == [
        "handbook.pdf (cover)", "workbook-mentee.pdf (cover)", "workbook-mentor.pdf (cover)"]
    assert started == ["material"]
    rendered, started = _counting(monkeypatch)
    assert build(program, folder / "cached", jobs=0).cached
    assert rendered == [] and started == [], "a no-op rebuild rendered again"
    assert digest(folder / "cached") == clean["site"]  # the very bytes of a build without the cache


def test_a_reworded_question_lays_out_only_the_pieces_that_show_it(edited_in_turn):
    out, rendered, started = edited_in_turn["question"]
    # the question is in its survey's PDF, in the workbooks' surveys (one piece that both roles
    # share: the surveys run on there) and in the handbook's chapter that shows the surveys: only
    # those three are laid out again; the site shows the question, so the engine builds it again
    assert rendered == ["#chapter-measuring", "#surveys", "survey-midpoint.pdf"]
    assert started == ["material"]
    assert "as you planned" in (out / "surveys.html").read_text()
    for name in ("survey-midpoint.pdf", "workbook-mentor.pdf", "handbook.pdf"):
        assert "as you planned" in "".join(p.extract_text() for p in PdfReader(out / "print" / name).pages)


def test_edits_built_in_turn_give_the_bytes_of_a_build_without_the_cache(edited_in_turn):
    """After the paper, a question and a date were edited, and the build date moved, each built
    with the cache: the very bytes a build without the cache makes of the program as edited."""
    assert digest(edited_in_turn["build date"][0]) == digest(edited_in_turn["clean"][0])


def test_a_new_build_date_dates_every_pdf_and_lays_out_only_what_shows_it(edited_in_turn):
    """Each commit of program.yml gives the build a new date. The parts of a joined PDF are laid
    out without it and the join dates the PDF, so a new date does not lay every part out again."""
    out, rendered, _ = edited_in_turn["build date"]
    # laid out again: the book's cover (it prints the edition's day), the surveys and the team's
    # runbook checklist (each laid out whole, no join: the date is in their HTML); nothing else
    assert rendered == ["handbook.pdf (cover)", "runbook", "survey-conclusion.pdf", "survey-midpoint.pdf",
                        "survey-registration.pdf"]
    pdfs = sorted((out / "print").glob("*.pdf")) + [out / "team" / "runbook.pdf"]
    assert len(pdfs) == 11
    for pdf in pdfs:
        reader = PdfReader(pdf)
        assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20270116114640Z", pdf.name
        xmp = reader.xmp_metadata
        assert xmp is not None, pdf.name
        assert xmp.xmp_create_date == xmp.xmp_modify_date == datetime(2027, 1, 16, 11, 46, 40), pdf.name
    assert "Edition of 2027-01-16" in PdfReader(out / "print" / "handbook.pdf").pages[0].extract_text()


def test_a_change_to_the_pdfs_only_reuses_the_site(edited_in_turn, first_build):
    out, rendered, started = edited_in_turn["paper"]  # A4 -> letter: the PDFs change, not the site
    assert started == []
    assert rendered == sorted(label for label, _ in first_build[2])  # every piece, as from nothing
    assert [round(float(x)) for x in PdfReader(out / "print" / "first-meeting-checklist.pdf").pages[0].mediabox[2:]] \
        == [612, 792]  # US letter, in points


def test_the_cache_folder_keeps_a_programs_git_repository_clean(built, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # as `built` was built: most of its cache is used
    program = built  # the reference built before, its cache beside it
    folder = program.parent
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "Our program"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=folder, check=True)
    program.write_text(program.read_text().replace("Have you met as often as you agreed?",
                                                   "Have you met as often as you planned?"))
    before = set(_entries(folder))
    build(program, folder / "cached", jobs=0)  # a site and pieces the cache never held
    assert set(_entries(folder)) - before
    assert (folder / ".mentorkit-cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=folder,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert " M program.yml" in status
    assert [line for line in status if ".mentorkit-cache" in line] == []


def test_no_cache_reads_and_writes_nothing(clean, first_build):
    # built beside a cache that holds all of it: every piece laid out and the engine started (so
    # nothing was read), and every file of the folder as it was (nothing written; a read would
    # also have marked its entry as used)
    assert clean["rendered"] == sorted(label for label, _ in first_build[2])
    assert clean["started"] == ["material"]
    assert clean["after"] == clean["before"]
    assert any(name.startswith(".mentorkit-cache/pdf/") for name in clean["before"])


def test_a_damaged_entry_is_a_miss(built, clean, monkeypatch):
    """Of each kind, what a damaged entry held is made again; what the others hold is used."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = built  # the reference built from nothing with the cache
    folder = program.parent
    kinds = sorted(p.name for p in (folder / ".mentorkit-cache").iterdir() if p.is_dir())
    assert {"build", "site", "document", "pdf", "jinja"} <= set(kinds), kinds
    # every whole output, site and document damaged, so that each PDF is joined again from its
    # pieces; of the other kinds (the pieces, the compiled templates, ...) one entry each
    _damage([entry for kind in kinds for entry in (_entries(folder, kind) if kind in ("build", "site", "document")
                                                   else _entries(folder, kind)[:1])])
    rendered, started = _counting(monkeypatch)
    assert not build(program, folder / "d", jobs=0).cached
    assert digest(folder / "d") == clean["site"]
    assert started == ["material"]
    assert len(rendered) == 1, [label for label, _ in rendered]  # the one damaged piece, laid out again


def test_least_recently_used_entries_go_first_past_the_limit(tmp_path, monkeypatch):
    cache = cache_module.Cache(tmp_path / "cache")
    for n in range(5):
        cache.put("pdf", f"k{n}", bytes(1000))
    for n in (0, 1):
        os.utime(tmp_path / "cache" / "pdf" / f"k{n}", ns=(1, 1))  # used long ago
    assert cache.get("pdf", "k1") is not None  # reading marks it used
    cache.prune(limit=3 * 1100)
    assert sorted(p.name for p in (tmp_path / "cache" / "pdf").iterdir()) == ["k1", "k3", "k4"]


def test_a_stored_folder_counts_its_files_against_the_limit(tmp_path):
    """A kept site or build output weighs what its files weigh, as its manifest says, or as its
    files measure when an older entry has no size in its manifest."""
    cache = cache_module.Cache(tmp_path / "cache")
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_bytes(bytes(3000))
    (site / "assets" / "site.css").write_bytes(bytes(2000))
    cache.put_tree("site", "old", site)
    unsized = tmp_path / "cache" / "site" / "unsized"
    shutil.copytree(tmp_path / "cache" / "site" / "old", unsized)
    manifest = json.loads((unsized / cache_module._MANIFEST).read_text())
    (unsized / cache_module._MANIFEST).write_text(json.dumps({"files": manifest["files"]}))
    os.utime(tmp_path / "cache" / "site" / "old", ns=(1, 1))  # used long ago
    os.utime(unsized, ns=(2, 2))
    cache.put("pdf", "new", bytes(1000))
    cache.prune(limit=12000)  # both folders and the piece fit
    assert sorted(p.name for p in (tmp_path / "cache" / "site").iterdir()) == ["old", "unsized"]
    cache.prune(limit=6500)  # one folder too many: the least recently used goes
    assert sorted(p.name for p in (tmp_path / "cache" / "site").iterdir()) == ["unsized"]
    cache.prune(limit=4000)  # the older format is measured, and goes too
    assert not unsized.exists() and cache.get("pdf", "new") == bytes(1000)


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
    import zoneinfo  # the system's time-zone rules: an update can move a meeting's hour

    (tmp_path / "tz").mkdir()
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(tmp_path / "tz"),))
    (tmp_path / "tz" / "tzdata.zi").write_text("# version 2031a\n")
    before = cache_module._time_zones()
    (tmp_path / "tz" / "tzdata.zi").write_text("# version 2031b\n")
    assert cache_module._time_zones() != before
    package = Path(cache_module.__file__).resolve().parent
    assert cache_module._code() == cache_module._code()
    monkeypatch.setattr(cache_module, "__file__", str(tmp_path / "copy" / "cache.py"))
    shutil.copytree(package, tmp_path / "copy", ignore=shutil.ignore_patterns("__pycache__"))
    same = cache_module._code()
    (tmp_path / "copy" / "pdfjoin.py").write_text((tmp_path / "copy" / "pdfjoin.py").read_text() + "\n# joins differently\n")
    assert cache_module._code() != same



def test_package_versions_are_the_ones_python_imports(tmp_path, monkeypatch):
    """The keys' versions are read from folder names, not from importlib.metadata: they must agree
    with it, spelling and shadowing included (the first copy on sys.path is the one imported)."""
    from importlib import metadata

    assert cache_module._package_versions() == [f"{n}={metadata.version(n)}" for n in cache_module.PACKAGES]
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, version in ((first, "2.0"), (second, "1.0")):
        (folder / f"Brand_Fonts-{version}.dist-info").mkdir(parents=True)
        (folder / f"Brand_Fonts-{version}.dist-info" / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: Brand_Fonts\nVersion: {version}\n")
    monkeypatch.setattr(cache_module.sys, "path", [str(first), str(second)])
    monkeypatch.setattr(cache_module, "PACKAGES", ("brand-fonts", "brand.fonts", "not-installed"))
    expected = [f"{n}={metadata.version(n)}" for n in ("brand-fonts", "brand.fonts")] + ["not-installed=none"]
    assert cache_module._package_versions() == expected == ["brand-fonts=2.0", "brand.fonts=2.0", "not-installed=none"]

# mentorkit's runtime dependencies that write nothing a key must cover: the command line, the
# terminal, matching and the spreadsheet and chart exports (no output of theirs is cached)
WRITES_NOTHING_CACHED = {"click", "rich", "numpy", "scipy", "openpyxl"}


def _requirement_names(distribution: str) -> set[str]:
    from importlib import metadata

    return {re.split(r"[ ;<>=!~\[]", r, maxsplit=1)[0].lower().replace("_", "-")
            for r in metadata.requires(distribution) or [] if "extra ==" not in r}


def test_every_package_that_shapes_the_output_is_in_the_keys():
    """A release of Babel (CLDR dates), holidays (the days meetings avoid), tzdata or Pyphen changes
    what a build writes: a key that left one out would hand back what the old release made."""
    named = {name.lower() for name in cache_module.PACKAGES}
    for distribution in ("mentorkit", "weasyprint"):
        missing = _requirement_names(distribution) - named - WRITES_NOTHING_CACHED - {"cffi"}  # cffi: a C binding
        assert not missing, f"{distribution} requires {sorted(missing)}: add them to cache.PACKAGES"
    versions = cache_module._package_versions()
    assert not [line for line in versions if line.endswith("=none")], versions  # every name is spelled as installed


def test_whole_build_cache_sees_every_input(built, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = built  # the reference built before, its whole-build entry forgotten (its site and pieces kept)
    folder = program.parent
    shutil.rmtree(folder / ".mentorkit-cache" / "build")
    first = build(program, folder / "site", jobs=0)
    assert not first.cached
    assert build(program, folder / "site", jobs=0).cached
    (folder / "content" / "faq.md").write_text("### Our own question\n\nOur answer.\n")
    changed = build(program, folder / "site", jobs=0)
    assert not changed.cached and "Our own question" in (folder / "site" / "faq.html").read_text()
    (folder / "assets" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    rendered, _ = _counting(monkeypatch)
    assert not build(program, folder / "site", jobs=0).cached
    assert b'width="8"' in (folder / "site" / "assets" / "logo.svg").read_bytes()
    # only the covers show the logo: only they are laid out again (the last line shows they show the new one)
    assert sorted(label for label, _ in rendered) == [
        "handbook.pdf (cover)", "workbook-mentee.pdf (cover)", "workbook-mentor.pdf (cover)"]
    # an extra page outside content/: only its hash in the entry can tell it changed
    (folder / "extra").mkdir()
    (folder / "extra" / "rooms.md").write_text("# Rooms\n\nMeet in room 4.\n")
    program.write_text(program.read_text().replace("  - content/charter.md\n", "  - content/charter.md\n  - extra/rooms.md\n"))
    assert not build(program, folder / "site", jobs=0).cached
    assert build(program, folder / "site", jobs=0).cached
    (folder / "extra" / "rooms.md").write_text("# Rooms\n\nMeet in room 5.\n")
    assert not build(program, folder / "site", jobs=0).cached
    assert "room 5" in (folder / "site" / "pages" / "rooms.html").read_text()
    (folder / "en.po").write_text('msgid "Downloads"\nmsgstr "Files to take away"\n')  # a team's own words
    assert not build(program, folder / "site", jobs=0).cached
    assert build(program, folder / "site", jobs=0).cached
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000001")
    assert not build(program, folder / "site", jobs=0).cached
    assert not build(program, folder / "site", jobs=0, strict=True).cached
    assert build(program, folder / "site", jobs=0, strict=True).cached
    assert same_as_clean(program, folder / "site")


def test_calendar_is_remade_when_an_event_changes(edited_in_turn):
    assert "DTSTART;VALUE=DATE:20270316" in (edited_in_turn["question"][0] / "calendar.ics").read_text()
    moved = (edited_in_turn["due date"][0] / "calendar.ics").read_text()  # the goal's due date moved a day
    assert "DTSTART;VALUE=DATE:20270317" in moved and "DTSTART;VALUE=DATE:20270316" not in moved


def test_a_build_with_a_changelog_is_never_reused(built, monkeypatch):
    """The changelog page comes from git history, which is no input of the whole-build key."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # as `built` was built: its PDFs are reused
    program = built  # the reference built before (its output removed: the repository holds what we wrote)
    folder = program.parent
    shutil.rmtree(folder / "cached")
    program.write_text(program.read_text() + "site:\n  changelog: true\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "First design"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=folder, check=True)
    first = build(program, folder / "site", jobs=0)
    assert not first.cached and (folder / "site" / "changelog.html").is_file()
    assert not build(program, folder / "site", jobs=0).cached
