"""The built handbook as one file to hand on: a zip that works unzipped and opened from disk, or a
SCORM package for a learning platform (`mentorkit package`).

A package is made from an ordinary build (`build.build`, with its cache) into a temporary folder,
plus what a copy opened from disk needs: the engine's search index as a script (both engines read
it from `search/search_index.js` or `search.js` when a page is opened from a file; the theme
override `site/overrides` lets their search worker run there). A SCORM package adds its
`imsmanifest.xml` at the root: one item per navigation section, each a SCO launching the
section's first page, and one asset resource listing every file. The pages' `assets/scorm.js`
finds the platform's API and reports (it does nothing without one).

The zip's bytes depend only on the inputs: entries sorted, every timestamp the build's date.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from .errors import OutputError, Problem
from .output import MARKER

if TYPE_CHECKING:
    from .project import Project

Target = Literal["zip", "scorm", "scorm2004"]
TARGETS: tuple[Target, ...] = ("zip", "scorm", "scorm2004")
MANIFEST = "imsmanifest.xml"
# where each engine's pages look for the search index when opened from a file, beside its JSON
OFFLINE_INDEX = {"search/search_index.json": "search/search_index.js",  # Material for MkDocs
                 "search.json": "search.js"}  # Zensical


@dataclass(frozen=True)
class Packaged:
    """What `package` wrote."""

    path: Path
    files: int
    warnings: tuple[Problem, ...]


def package(program: str | Path = "program.yml", target: Target = "zip", out: str | Path | None = None, *,
            engine: str | None = None, jobs: int | None = None, use_cache: bool = True) -> Packaged:
    """Build PROGRAM and write it as a zip (`zip`) or a SCORM package (`scorm`: 1.2, `scorm2004`)."""
    from .build import build

    if target not in TARGETS:
        raise OutputError(f"unknown package kind {target!r}: choose one of {', '.join(TARGETS)}")
    program = Path(program)
    out = Path(out) if out is not None else Path(f"handbook-{target}.zip")
    if out.suffix.lower() != ".zip":
        raise OutputError(f"{out}: a package is a .zip file; name it FILE.zip")
    with tempfile.TemporaryDirectory(prefix="mentorkit-package-") as work:
        result = build(program, Path(work) / "site", jobs=jobs, engine=engine, use_cache=use_cache)
        files = site_files(result.out)
        files.update(offline_index(files))
        project, stamp = _project_and_date(program)
        if target == "zip":
            files = {f"{project.program.program.id}/{name}": data for name, data in files.items()}
        else:
            files[MANIFEST] = manifest(project, files, "2004" if target == "scorm2004" else "1.2")
        _write_zip(out, files, stamp)
    return Packaged(out, len(files), tuple(result.warnings))


def site_files(folder: Path) -> dict[str, bytes]:
    """The built handbook's files (relative POSIX path -> bytes), without mentorkit's marker."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MARKER}


def offline_index(files: dict[str, bytes]) -> dict[str, bytes]:
    """The engine's search index as the script its pages load from a file (`var __index = ...`)."""
    out = {}
    for index, script in OFFLINE_INDEX.items():
        if index in files:
            data = json.loads(files[index])
            out[script] = b"var __index = " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b";\n"
    return out


def _project_and_date(program: Path) -> tuple[Project, datetime]:
    from .project import load_program
    from .stamp import build_date, last_commit_time, source_date_epoch

    project = load_program(program)
    given = source_date_epoch() or last_commit_time(program)
    return project, build_date(given, project.program.program.starts)


def manifest(project: Project, files: dict[str, bytes], version: Literal["1.2", "2004"]) -> bytes:
    """imsmanifest.xml: one SCO item per navigation section (launching its first page), every file listed."""
    from .handbook import navigation
    from .site import CHANGELOG, PAGES, extra_pages
    from .templating import environment

    pages = {page: "" for _, _, page in PAGES}
    pages.update({path: text for _, path, text in extra_pages(project)})
    if CHANGELOG.removesuffix(".md") + ".html" in files:
        pages[CHANGELOG] = ""
    items = []
    for section, entries in navigation(project, pages):
        href = entries[0][1].removesuffix(".md") + ".html"
        if href in files:
            items.append({"title": section or entries[0][0], "href": quote(href)})
    pf = project.program.program
    template = environment(project.root).get_template(f"scorm/imsmanifest-{version}.xml")
    return template.render(identifier=f"mentorkit-{pf.id}", title=pf.title, items=items,
                           files=[quote(name) for name in sorted(files)]).encode("utf-8")


def _write_zip(out: Path, files: dict[str, bytes], stamp: datetime) -> None:
    """The zip, written beside OUT and moved into place when complete; entries sorted, dates fixed."""
    when = max(stamp.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out.absolute().parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".mentorkit-package-", suffix=".zip", dir=out.absolute().parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3  # unix, so the permissions above are read
                archive.writestr(info, files[name], compresslevel=9)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
