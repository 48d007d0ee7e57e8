"""The orchestrating build: load -> plan -> render (printables, calendar, site) -> write, one line per stage."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from .cache import CACHE_DIR, Cache, digest, tool_versions, tree_digest
from .errors import Problem
from .output import MARKER, staged, write_files
from .plan import CALENDAR, PRINT_DIR
from .resources import builtin_dir
from .stamp import build_timestamp, last_commit_time
from .workers import Forked, parallel, start_warm, stop


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


def whole_build_key(program: Path, strict: bool, changelog: bool | None) -> str | None:
    """A key for the entire output, from the raw inputs alone (no validation, no pydantic).

    None when it cannot be known cheaply (a changelog reads git history; referenced files missing).
    Same key means same inputs, so a stored output is exactly what a fresh build would write.
    """
    from .load import load_yaml
    from .paths import resolve_inside

    if changelog:
        return None
    try:
        located = load_yaml(program)
    except Exception:  # noqa: BLE001 - any problem: take the full path, which reports it properly
        return None
    data = located.data if isinstance(located.data, dict) else {}
    site_options = data.get("site")
    if changelog is None and isinstance(site_options, dict) and site_options.get("changelog"):
        return None
    root = program.resolve().parent
    referenced: list[object] = []
    info = data.get("program")
    if isinstance(info, dict) and isinstance(info.get("branding"), dict):
        referenced.append(info["branding"].get("logo"))
    pages = data.get("pages")
    referenced += pages if isinstance(pages, list) else []
    parts: list[bytes | str] = [tool_versions(), str(strict), program.read_bytes()]
    for value in referenced:
        if value is None:
            continue
        if not isinstance(value, str):
            return None
        path, why = resolve_inside(root, value)
        if path is None:
            return None
        parts += [value, path.read_bytes()]
    for folder in (builtin_dir("content"), builtin_dir("templates"), root / "content", root / "templates"):
        parts.append(tree_digest(folder) if folder.is_dir() else "-")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    committed = None if epoch else last_commit_time(program)
    parts.append(epoch or (committed.isoformat() if committed else "program-start"))
    return digest(*parts)


def _from_cache(cache: Cache, key: str, out: Path, root: Path) -> BuildResult | None:
    entry = cache.root / "build" / key
    if not (entry / "site").is_dir() or not (entry / "warnings.json").is_file():
        return None
    with staged(out, root) as stage:
        shutil.copytree(entry / "site", stage, dirs_exist_ok=True)
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    cache.used.add(f"build/{key}")
    warnings = tuple(Problem(**w) for w in json.loads((entry / "warnings.json").read_text(encoding="utf-8")))
    return BuildResult(out, count, warnings, cached=True)


def _remember(cache: Cache, key: str, out: Path, warnings: tuple[Problem, ...]) -> None:
    entry = cache.root / "build" / key
    cache.root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache.root, prefix=".tmp-build-"))
    shutil.copytree(out, tmp / "site", ignore=shutil.ignore_patterns(MARKER))
    (tmp / "warnings.json").write_text(json.dumps([w.as_dict() for w in warnings]), encoding="utf-8")
    entry.parent.mkdir(parents=True, exist_ok=True)
    if entry.exists():
        shutil.rmtree(entry)
    os.replace(tmp, entry)
    cache.used.add(f"build/{key}")


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
    key = whole_build_key(program, strict, changelog) if cache is not None and program.is_file() else None
    if cache is not None and key is not None:
        hit = _from_cache(cache, key, out, root)
        if hit is not None:
            cache.prune(("build",))
            return hit
    # the first PDF worker imports WeasyPrint while this process loads the program
    warm = start_warm(jobs) if program.is_file() else None
    try:
        result = _build(program, out, jobs=jobs, strict=strict, changelog=changelog, cache=cache, warm=warm)
    finally:
        stop(warm)
    if cache is not None:
        if key is not None:
            _remember(cache, key, out, result.warnings)
        cache.prune(("pdf", "layout", "document", "calendar", "site", "build"))
    return result


def _build(program: Path, out: Path, *, jobs: int | None, strict: bool, changelog: bool | None,
           cache: Cache | None, warm: ProcessPoolExecutor | None = None) -> BuildResult:
    from . import printing, site  # heavy: only once the program is known to be valid
    from .plan import documents
    from .project import load_program

    project = load_program(program, strict=strict)
    stamp = build_timestamp(project.path, project.program.program.starts)
    docs = documents(project.program)
    versions = None
    if changelog if changelog is not None else project.program.site.changelog:
        from .versions import history

        versions = history(project.path)
    # MkDocs builds the site in a forked process and the PDFs render in worker processes, while
    # this one makes the calendar and joins the PDFs; with one job, all of it in this process
    with _source_date(int(stamp.timestamp())), staged(out, project.root) as stage, \
            tempfile.TemporaryDirectory(prefix="mentorkit-docs-") as work:
        config = site.write_docs(project, Path(work), docs, CALENDAR, versions)
        with (Forked(site.mkdocs_build, config, stage, cache) if parallel(jobs) else nullcontext()) as site_job, \
                printing.start_documents(project, docs, jobs=jobs, cache=cache, warm=warm) as pdfs:
            from .ics import calendar_bytes

            if site_job is None:
                site.mkdocs_build(config, stage, cache)
            files = {CALENDAR: calendar_bytes(project, stamp, cache)}
            files.update({f"{PRINT_DIR}/{name}": data for name, data in pdfs.result().items()})
            used = site_job.result() if site_job is not None else set()  # the child's cache entries
            if cache is not None:
                cache.used |= used
        write_files(stage, files)
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    return BuildResult(out, count, project.warnings)
