"""The build cache reuses unchanged PDFs and sites and never changes the output."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import mkdocs.commands.build as mkdocs_build
import pytest
from conftest import ROOT, copy_reference
from mkdocs.structure.pages import Page
from pypdf import PdfReader

from mentorkit import ics, pdfjoin, printing
from mentorkit.build import build
from mentorkit.errors import MentorkitError
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
    # every piece once: each single document's body (shared with the workbooks), the workbook's
    # own sections, two covers, and one page-number overlay per length of document
    project = load_program(program)
    first_goal = project.program.goals[0].id
    pieces = sorted(label for label in rendered if label.startswith("#"))
    assert pieces == sorted(["#contents", "#journey", "#meetings", "#checklist", f"#goal-{first_goal}", "#feedback",
                             *(f"#survey-{s.id}" for s in project.program.surveys)])
    assert sorted(label for label in rendered if label.endswith("(cover)")) == [
        "workbook-mentee.pdf (cover)", "workbook-mentor.pdf (cover)"]
    lengths = {len(PdfReader(p).pages) - (1 if p.name.startswith("workbook") else 0)
               for p in (tmp_path / "cached" / "print").glob("*.pdf")}
    assert len([label for label in rendered if label.endswith("page numbers")]) == len(lengths)
    assert len(rendered) == len(set(rendered)) == len(pieces) + 2 + len(lengths)
    rendered.clear()
    build(program, tmp_path / "cached", jobs=1)
    assert rendered == [], "a no-op rebuild rendered PDFs again"
    assert same_as_clean(program, tmp_path / "cached")

    program.write_text(program.read_text().replace("Have you met as often as you agreed?",
                                                   "Have you met as often as you planned?"))
    rendered.clear()
    joined: list[str] = []
    real_join = pdfjoin.join
    monkeypatch.setattr(pdfjoin, "join", lambda base, *a, **k: joined.append(k.get("title") or "workbook")
                        or real_join(base, *a, **k))
    calendars: list[object] = []
    real_ical = ics._ical
    monkeypatch.setattr(ics, "_ical", lambda *a: calendars.append(a) or real_ical(*a))
    converted: list[str] = []
    real_page_render = Page.render
    monkeypatch.setattr(Page, "render", lambda page, *a: converted.append(page.file.src_uri) or real_page_render(page, *a))
    themed: list[str] = []
    real_build_page = mkdocs_build._build_page
    monkeypatch.setattr(mkdocs_build, "_build_page", lambda page, *a, **k: themed.append(page.file.src_uri)
                        or real_build_page(page, *a, **k))
    build(program, tmp_path / "cached", jobs=1)
    # the question is in one piece, shared by its survey and both workbooks; nothing else moved:
    # only the three documents that hold it are joined again, the calendar is not remade, and
    # MkDocs converts and lays out in the theme the one page that shows it
    assert rendered == ["#survey-midpoint"]
    assert len(joined) == 3 and sum("Midpoint" in t for t in joined) == 1, joined
    assert calendars == []
    assert converted == ["surveys.md"]
    assert themed == ["surveys.md"]
    assert same_as_clean(program, tmp_path / "cached")
    assert "as you planned" in (tmp_path / "cached" / "surveys.html").read_text()
    for name in ("survey-midpoint.pdf", "workbook-mentor.pdf"):
        assert "as you planned" in "".join(p.extract_text() for p in PdfReader(tmp_path / "cached" / "print" / name).pages)


def test_cache_stays_one_build_big(tmp_path, monkeypatch):
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=1)
    program.write_text(program.read_text().replace("paper: A4", "paper: letter"))
    rendered: list[str] = []
    real = printing._render
    monkeypatch.setattr(printing, "_render", lambda job: rendered.append(job[0]) or real(job))
    build(program, tmp_path / "site", jobs=1)
    cache = tmp_path / ".mentorkit-cache"
    assert len(rendered) > 10
    assert len(list((cache / "pdf").iterdir())) == len(rendered)  # only what the last build used
    assert len(list((cache / "layout").iterdir())) == len(rendered)
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
    # an extra page outside content/: only its hash in the entry can tell it changed
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "rooms.md").write_text("# Rooms\n\nMeet in room 4.\n")
    program.write_text(program.read_text().replace("  - content/charter.md\n", "  - content/charter.md\n  - extra/rooms.md\n"))
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert build(program, tmp_path / "site", jobs=1).cached
    (tmp_path / "extra" / "rooms.md").write_text("# Rooms\n\nMeet in room 5.\n")
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert "room 5" in (tmp_path / "site" / "pages" / "rooms.html").read_text()
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


def test_parallel_build_keeps_the_site_it_built_in_another_process(tmp_path):
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=2)
    sites = list((tmp_path / ".mentorkit-cache" / "site").iterdir())
    assert len(sites) == 1
    program.write_text(program.read_text().replace("paper: A4", "paper: letter"))  # the PDFs change, not the site
    build(program, tmp_path / "site", jobs=2)
    assert list((tmp_path / ".mentorkit-cache" / "site").iterdir()) == sites


def test_whole_build_entry_is_a_list_of_parts_and_survives_a_lost_part(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=2)
    cache = tmp_path / ".mentorkit-cache"
    entries = list((cache / "build").iterdir())
    assert len(entries) == 1 and entries[0].stat().st_size < 20_000  # not another copy of the output
    output = sum(p.stat().st_size for p in (tmp_path / "site").rglob("*") if p.is_file())
    stored = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    assert stored < 2 * output  # site, PDFs and their pieces: each kept once
    for document in (cache / "document").iterdir():
        document.unlink()  # a part of the stored output is gone: build again, do not serve half of it
    again = build(program, tmp_path / "site", jobs=2)
    assert not again.cached
    assert build(program, tmp_path / "site", jobs=2).cached
    assert same_as_clean(program, tmp_path / "site")


def test_whole_build_entry_never_copies_from_outside_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=1)
    [entry] = list((tmp_path / ".mentorkit-cache" / "build").iterdir())
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the handbook")
    data = json.loads(entry.read_text())
    data["files"]["print/secret.txt"] = "../secret.txt"  # the program folder, beside the cache
    entry.write_text(json.dumps(data))
    assert not build(program, tmp_path / "site", jobs=1).cached
    assert not (tmp_path / "site" / "print" / "secret.txt").exists()


def test_a_change_to_mentorkit_code_is_a_change_of_every_key(tmp_path):
    from mentorkit import cache

    package = Path(cache.__file__).resolve().parent
    assert cache.code_digest(package) in cache.tool_versions()
    copy = tmp_path / "mentorkit"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cache.code_digest(copy) == cache.code_digest(package)
    (copy / "pdfjoin.py").write_text((copy / "pdfjoin.py").read_text() + "\n# joins differently now\n")
    assert cache.code_digest(copy) != cache.code_digest(package)


def test_kept_page_renders_still_have_their_links_checked(tmp_path, monkeypatch):
    """A page whose Markdown did not change is not converted again, but its links to another
    page's headings are still checked against that page as it is now."""
    program = copy_reference(tmp_path)
    charter = tmp_path / "content" / "charter.md"
    charter.write_text(charter.read_text() + "\nSee [how much time it takes](../faq.md#how-much-time-will-this-take).\n")
    build(program, tmp_path / "site", jobs=1)
    assert 'href="../faq.html#how-much-time-will-this-take"' in (tmp_path / "site" / "pages" / "charter.html").read_text()
    faq = (ROOT / "content" / "faq.md").read_text()
    assert "### How much time will this take?" in faq
    (tmp_path / "content" / "faq.md").write_text(faq.replace("### How much time will this take?", "### Time needed"))
    converted: list[str] = []
    real_page_render = Page.render
    monkeypatch.setattr(Page, "render", lambda page, *a: converted.append(page.file.src_uri) or real_page_render(page, *a))
    with pytest.raises(MentorkitError, match="how-much-time-will-this-take"):
        build(program, tmp_path / "site", jobs=1)
    assert converted == ["faq.md"]  # the charter page was not converted again, and its link was checked
    (tmp_path / "content" / "faq.md").unlink()
    build(program, tmp_path / "site", jobs=1)
    assert same_as_clean(program, tmp_path / "site")


def test_damaged_page_renders_are_converted_again(tmp_path):
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=1)
    cache = tmp_path / ".mentorkit-cache"
    renders = cache / "mkdocs-pages.json"
    kept = json.loads(renders.read_text())
    assert len(kept) == len(list((tmp_path / "site").rglob("*.html"))) - 1  # every page but 404.html
    for damaged in ({key: {"content": entry["content"]} for key, entry in kept.items()}, ["not", "a", "map"], "{"):
        renders.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged))
        for kind in ("build", "site"):  # so that MkDocs runs again on the very same pages
            shutil.rmtree(cache / kind)
        build(program, tmp_path / "site", jobs=1)
        assert same_as_clean(program, tmp_path / "site")
        assert json.loads(renders.read_text()) == kept


def test_a_pages_front_matter_reaches_every_page_that_lists_it(tmp_path):
    """The navigation on every page shows each page's status from its front matter: a change to
    one page's front matter changes the others' HTML, though their own Markdown did not change."""
    program = copy_reference(tmp_path)
    build(program, tmp_path / "site", jobs=1)
    charter = tmp_path / "content" / "charter.md"
    charter.write_text("---\nstatus: new\n---\n\n" + charter.read_text())
    build(program, tmp_path / "site", jobs=1)
    assert "md-status--new" in (tmp_path / "site" / "index.html").read_text()
    assert same_as_clean(program, tmp_path / "site")


def test_tool_versions_are_the_installed_versions():
    """Cache keys change when WeasyPrint, MkDocs, Material or the others are upgraded: the versions
    read from the install folders' names are the ones `importlib.metadata` reports."""
    from importlib import metadata

    from mentorkit import cache

    for dist in ("weasyprint", "pydyf", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pypdf",
                 "icalendar"):
        assert cache._version(dist) == metadata.version(dist), dist
    assert cache._version("no-such-distribution-here") == "none"


def test_a_build_with_a_changelog_is_never_reused(tmp_path):
    """The changelog page comes from git history, which is no input of the whole-build key."""
    program = copy_reference(tmp_path)
    program.write_text(program.read_text() + "site:\n  changelog: true\n")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "First design"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=tmp_path, check=True)
    first = build(program, tmp_path / "site", jobs=1)
    assert not first.cached and (tmp_path / "site" / "changelog.html").is_file()
    assert not build(program, tmp_path / "site", jobs=1).cached
