"""Shared fixtures: paths, tiny programs written inline, and tool checks that fail (not skip) in CI."""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "program.yml"
IN_CI = os.environ.get("CI") == "true"

MINIMAL = """\
mentorkit: 1
program:
  id: minimal
  title: Minimal program
  type: {type}
  starts: 2027-03-01
  duration: {duration}
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


# `make test` hands whole files to the workers (pytest-xdist, --dist loadfile --no-loadscope-reorder)
# in the order collected, the next file to whichever worker runs dry: the files that take longest
# (whole builds, browsers, the fuzzer) go first, so that no worker is left with one of them at the
# end while the others idle. Measured with --durations on two cores; the rest keep their order.
LONGEST_FIRST = ("test_cache.py", "test_site.py", "test_build.py", "test_package.py", "test_fuzz.py",
                 "test_pdfjoin.py", "test_forms.py", "test_versions.py", "test_lint.py", "test_hostile.py",
                 "test_printing.py", "test_i18n_output.py", "test_i18n_terms.py", "test_page_fill.py",
                 "test_roster.py", "test_kit.py", "test_packaging.py", "test_report.py", "test_runbook.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's own order is kept


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pdfua_reports(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """`pdfua check`'s JSON report of each PDF (its "exit_code": 0 clean, 2 warnings only), by file
    name; one run for all of them (a run per file spent most of its time starting up)."""
    tool = Path(sys.executable).parent / "pdfua"
    if not tool.exists():
        tool = Path(need_tool("pdfua"))
    done = subprocess.run([str(tool), "check", "--format", "json", *map(str, paths)], capture_output=True, text=True)
    assert done.stdout.strip(), done.stderr
    reports, text, at = {}, done.stdout, 0
    decoder = json.JSONDecoder()
    while at < len(text):  # one JSON document per file, one after another
        if text[at].isspace():
            at += 1
            continue
        report, at = decoder.raw_decode(text, at)
        reports[Path(report["file"]).name] = report
    assert sorted(reports) == sorted(p.name for p in paths), done.stderr
    return reports


def need_tool(name: str) -> str:
    """Path of an external tool; skip without it locally, fail without it in CI."""
    found = shutil.which(name) or (name if Path(name).is_file() else None)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (.ci/run installs it)")
        pytest.skip(f"{name} not installed")
    return found


@pytest.fixture
def write_program(tmp_path: Path):
    """Write a program.yml (dedented) into a fresh folder and return its path."""

    def write(text: str, name: str = "program.yml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def minimal(program_type: str = "one-on-one", duration: str = "9 months") -> str:
    """The five-line program of a type."""
    return MINIMAL.format(type=program_type, duration=duration)


def copy_reference(folder: Path) -> Path:
    """The reference program with the files it refers to (logo, charter page), copied into `folder`."""
    (folder / "assets").mkdir(parents=True, exist_ok=True)
    (folder / "content").mkdir(exist_ok=True)
    shutil.copy(REFERENCE, folder / "program.yml")
    shutil.copy(ROOT / "assets" / "logo.svg", folder / "assets" / "logo.svg")
    shutil.copy(ROOT / "content" / "charter.md", folder / "content" / "charter.md")
    return folder / "program.yml"


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 (a free port) and yield its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium_page(base: str) -> Iterator[Any]:
    """A page in Debian's Chromium (never a downloaded browser) that can reach only `base`."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        try:
            yield page
        finally:
            browser.close()


def context_of(project: Any, docs: list[Any] | None = None) -> Any:
    """The template context of a loaded program, dated from its start (as a build outside git is)."""
    from mentorkit.context import Context
    from mentorkit.plan import documents
    from mentorkit.stamp import build_date

    return Context.of(project, build_date(None, project.program.program.starts),
                      documents(project.program) if docs is None else docs)


def render_documents(project: Any, docs: list[Any], jobs: int | None = None, cache: Any = None) -> dict[str, bytes]:
    """The PDFs of `docs`, as a build makes them (without its cache, unless `cache` is given: a
    mentorkit.cache.Cache whose pieces are reused, which gives the very same bytes)."""
    from mentorkit import printing
    from mentorkit.workers import Pool

    with Pool(jobs) as pool:
        return printing.render(project, context_of(project, docs), pool=pool, cache=cache)


@pytest.fixture(scope="session")
def reference_pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, bytes]]:
    """The reference program (a copy, loaded) and all its PDFs as a build makes them (without its
    cache, two jobs), laid out once for the files that only read them. Read only."""
    from mentorkit.plan import documents
    from mentorkit.project import load_program

    project = load_program(copy_reference(tmp_path_factory.mktemp("reference-pdfs")))
    return project, render_documents(project, documents(project.program), jobs=2)


def visible(page_html: str) -> str:
    """The text a reader sees on a page: scripts, styles and tags dropped, entities read, spaces collapsed."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def render_pages(project: Any) -> dict[str, str]:
    """The handbook's Markdown pages, as a build makes them."""
    from mentorkit import site

    return site.render_pages(project, context_of(project))
