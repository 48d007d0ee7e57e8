"""The orchestrating build: load -> plan -> render (printables, calendar, site) -> write, one line per stage."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import CACHE_DIR, Cache, digest, tool_versions, tree_digest
from .errors import Problem
from .output import staged, write_files
from .plan import CALENDAR, PRINT_DIR
from .resources import builtin_dir
from .stamp import LOOK_UP, build_timestamp, last_commit_time
from .workers import Forked, imports, keep, parallel, start_warm, stop

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from datetime import datetime

    from .project import Project


@dataclass(frozen=True)
class BuildResult:
    """What a build made."""

    out: Path
    files: int
    warnings: tuple[Problem, ...]
    cached: bool = False


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """MkDocs reads SOURCE_DATE_EPOCH for sitemap dates: give it ours for the length of the build."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def whole_build_key(program: Path, strict: bool, changelog: bool | None, committed: datetime | None = LOOK_UP
                    ) -> str | None:
    """A key for the entire output, from the raw inputs alone: program.yml's bytes, the content and
    template folders, the tools, the build date. Nothing is parsed (not even YAML: a no-op
    rebuild never imports it). The files program.yml names (logo, extra pages) are known only
    once it is read, so the entry kept under this key lists them with their hashes, and is used
    only while they are unchanged (`_from_cache`).

    None when it cannot be known at all (`--changelog` reads git history). Same key and same
    listed files mean same inputs, so a stored output is exactly what a fresh build would write.
    `committed`: program.yml's last commit time, when the caller has looked it up already.
    """
    if changelog:
        return None
    root = program.resolve().parent
    parts: list[bytes | str] = [tool_versions(), str(strict), str(changelog), program.read_bytes()]
    for folder in (builtin_dir("content"), builtin_dir("templates"), root / "content", root / "templates"):
        parts.append(tree_digest(folder) if folder.is_dir() else "-")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if committed is LOOK_UP:
        committed = None if epoch else last_commit_time(program)
    parts.append(epoch or (committed.isoformat() if committed else "program-start"))
    return digest(*parts)


def _file_hash(root: Path, value: str) -> str | None:
    from .paths import resolve_inside

    path, _ = resolve_inside(root, value)
    if path is None or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _named_files(project: Project) -> dict[str, str] | None:
    """The files program.yml names (logo, extra pages), each with its hash; None if one is missing."""
    from .paths import referenced_files

    hashes: dict[str, str] = {}
    for _, value in referenced_files(project.program):
        sha = _file_hash(project.root, value)
        if sha is None:
            return None
        hashes[value] = sha
    return dict(sorted(hashes.items()))


SITE_NICE = 10  # how much lower the site's process runs (`Forked`)
_ENTRY = re.compile(r"(site|document|calendar)/[0-9a-f]{64}")


def _from_cache(cache: Cache, key: str, out: Path, root: Path) -> BuildResult | None:
    """The output of an earlier build with the same key, put together from the cache entries it
    was made of (its MkDocs site, PDFs and calendar); None when any of them is gone."""
    raw = cache.get_bytes("build", key)
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
        sources = [entry["site"], *entry["files"].values()]
        if not all(isinstance(s, str) and _ENTRY.fullmatch(s) for s in sources):
            return None  # only entries of this cache: never a path from elsewhere
        site_dir = cache.root / entry["site"]
        files = {name: cache.root / source for name, source in entry["files"].items()}
        warnings = tuple(Problem(**w) for w in entry["warnings"])
        if any(_file_hash(root, value) != sha for value, sha in entry["named"].items()):
            return None  # a logo or page that program.yml names has changed
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not site_dir.is_dir() or not all(path.is_file() for path in files.values()):
        return None
    with staged(out, root) as stage:
        shutil.copytree(site_dir, stage, dirs_exist_ok=True)
        write_files(stage, {name: path.read_bytes() for name, path in files.items()})
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    cache.used |= {entry["site"], *entry["files"].values()}
    return BuildResult(out, count, warnings, cached=True)


def _remember(cache: Cache, key: str, made: dict[str, str] | None, warnings: tuple[Problem, ...],
              named: dict[str, str] | None) -> None:
    """Note which cache entries the output of this build is made of, under the whole-build key:
    a list, not another copy of the output; and the files program.yml names, with their hashes."""
    if made is None or named is None:
        return
    site_entry, files = made[""], {name: source for name, source in made.items() if name}
    entry = {"site": site_entry, "files": dict(sorted(files.items())), "warnings": [w.as_dict() for w in warnings],
             "named": named}
    cache.put_bytes("build", key, json.dumps(entry, sort_keys=True).encode())


def preload() -> None:
    """Import once what every build needs (WeasyPrint, MkDocs with Material, pypdf, icalendar,
    the model), for a process that builds again and again (`mentorkit serve`): the PDF workers
    and the MkDocs process of each rebuild are forked from it and start with all of it imported.
    A preview rebuild after an edit then takes about 0.24 s instead of 0.4 s."""
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401
    from material.plugins.search import plugin  # noqa: F401

    from . import ics, pdfjoin, printing, project, site  # noqa: F401
    from .workers import load_weasyprint

    load_weasyprint()
    import weasyprint.urls  # noqa: F401


def build(program: str | Path = "program.yml", out: str | Path = "site", *, jobs: int | None = None,
          strict: bool = False, changelog: bool | None = None, use_cache: bool = True) -> BuildResult:
    """Build the handbook site, printables and calendar of `program` into `out`, atomically.

    With `use_cache`, work whose inputs did not change is reused from `.mentorkit-cache/` beside
    program.yml: the whole output when nothing changed, else unchanged PDFs and the MkDocs site.
    The output is the same bytes either way.
    """
    program, out = Path(program), Path(out)
    root = program.resolve().parent
    # no cache in a read-only program folder; the folder itself is made only once there is output
    cache = Cache(root / CACHE_DIR) if use_cache and os.access(root, os.W_OK) else None
    # git is asked for program.yml's last commit once a build (the key, the build date)
    committed = None if os.environ.get("SOURCE_DATE_EPOCH") or not program.is_file() else last_commit_time(program)
    key = whole_build_key(program, strict, changelog, committed) if cache is not None and program.is_file() else None
    if cache is not None and key is not None:
        hit = _from_cache(cache, key, out, root)
        if hit is not None:
            cache.prune(("build",))
            return hit
    # the first PDF worker imports WeasyPrint while this process loads the program
    keep(cache.root if cache is not None else None)
    warm = start_warm(jobs) if program.is_file() else None
    try:
        result, made, named = _build(program, out, jobs=jobs, strict=strict, changelog=changelog, cache=cache,
                                     warm=warm, committed=committed)
    finally:
        stop(warm)
    if cache is not None:
        if key is not None:
            _remember(cache, key, made, result.warnings, named)
        cache.prune(("pdf", "layout", "document", "joined", "calendar", "site", "build"))
    return result


def _build(program: Path, out: Path, *, jobs: int | None, strict: bool, changelog: bool | None,
           cache: Cache | None, warm: ProcessPoolExecutor | None = None, committed: datetime | None = LOOK_UP
           ) -> tuple[BuildResult, dict[str, str] | None, dict[str, str] | None]:
    """The build itself; also, with a cache, the cache entry each output file came from (the
    MkDocs site under ""), and the files program.yml names with their hashes (`_named_files`)."""
    with imports():  # heavy: only once the program is known to be valid
        from . import printing, site  # noqa: F401 - imported under imports(); used by _build_with
    # the site's process is forked now and imports MkDocs while this one loads the program and
    # renders the pages; it builds the site once the pages are written (`start`)
    with Forked(site.mkdocs_build, ready=site.prepare_mkdocs, later=True) if parallel(jobs) \
            else nullcontext() as site_job:
        return _build_with(program, out, jobs=jobs, strict=strict, changelog=changelog, cache=cache, warm=warm,
                           site_job=site_job, committed=committed)


def _build_with(program: Path, out: Path, *, jobs: int | None, strict: bool, changelog: bool | None,
                cache: Cache | None, warm: ProcessPoolExecutor | None, site_job: Forked | None,
                committed: datetime | None = LOOK_UP) -> tuple[BuildResult, dict[str, str] | None, dict[str, str] | None]:
    from . import printing, site
    from .plan import documents
    from .project import load_program

    project = load_program(program, strict=strict)
    stamp = build_timestamp(project.path, project.program.program.starts, committed)
    docs = documents(project.program)
    versions = None
    if changelog if changelog is not None else project.program.site.changelog:
        from .versions import history

        versions = history(project.path)
    # MkDocs builds the site in a forked process and the PDFs render in worker processes, while
    # this one makes the calendar and joins the PDFs; with one job, all of it in this process.
    # When there are more PDFs to render than workers, the PDFs are the longest path (rendering,
    # then joining), and the site is built at a lower priority, on what the cores have to spare
    # (a clean build 1.77 -> 1.71 s on 2 cores). When there are few (an edit), the site is the
    # longest path, and keeps its priority.
    # (the site's process is stopped before the staging folder is cleaned up, should this fail)
    with _source_date(int(stamp.timestamp())), staged(out, project.root) as stage, \
            tempfile.TemporaryDirectory(prefix="mentorkit-docs-") as work, site_job or nullcontext():
        config = site.write_docs(project, Path(work), docs, CALENDAR, versions)
        if site_job is not None:
            site_job.start(config, stage, cache, environ={"SOURCE_DATE_EPOCH": os.environ["SOURCE_DATE_EPOCH"]})
        with printing.start_documents(project, docs, jobs=jobs, cache=cache, warm=warm) as pdfs:
            if site_job is not None and pdfs.sent > pdfs.workers:
                site_job.lower_priority(SITE_NICE)
            from .ics import calendar_bytes

            site_entry = site.mkdocs_build(config, stage, cache) if site_job is None else None
            calendar, calendar_entry = calendar_bytes(project, stamp, cache)
            files = {CALENDAR: calendar}
            assembled = pdfs.result()
            files.update({f"{PRINT_DIR}/{name}": data for name, data in assembled.items()})
            if site_job is not None:
                site_entry = site_job.result()
        write_files(stage, files)
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    made = None
    if cache is not None and site_entry is not None and calendar_entry is not None:
        cache.used.add(site_entry)  # the site may have been made in another process
        made = {"": site_entry, CALENDAR: calendar_entry,
                **{f"{PRINT_DIR}/{name}": entry for name, entry in assembled.entries.items()}}
        if set(made) != {"", *files}:
            made = None
    # an output made from git history (the changelog) is never reused: the history is no input here
    named = _named_files(project) if versions is None else None
    return BuildResult(out, count, project.warnings), made, named
