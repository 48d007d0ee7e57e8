"""The orchestrating build: load -> plan -> render (printables, calendar, site) -> write, one line per stage."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .cache import CACHE_DIR, Cache
from .ics import calendar_bytes
from .output import staged, write_files
from .plan import CALENDAR, PRINT_DIR, documents
from .project import Project, load_program
from .stamp import build_timestamp


@dataclass(frozen=True)
class BuildResult:
    """What a build made."""

    project: Project
    out: Path
    files: int


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


def build(program: str | Path = "program.yml", out: str | Path = "site", *, jobs: int | None = None,
          strict: bool = False, changelog: bool | None = None, use_cache: bool = True) -> BuildResult:
    """Build the handbook site, printables and calendar of `program` into `out`, atomically.

    With `use_cache`, PDFs and the MkDocs site are reused from `.mentorkit-cache/` beside
    program.yml when their inputs are unchanged (the output is the same bytes either way).
    """
    project = load_program(program, strict=strict)
    from . import printing, site  # heavy: only once the program is known to be valid

    stamp = build_timestamp(project.path, project.program.program.starts)
    docs = documents(project.program)
    cache = Cache(project.root / CACHE_DIR) if use_cache else None
    files = {CALENDAR: calendar_bytes(project, stamp)}
    versions = None
    if changelog if changelog is not None else project.program.site.changelog:
        from .versions import history

        versions = history(project.path)
    out = Path(out)
    # PDFs render in worker processes while MkDocs builds the site in this one
    with printing.start_documents(project, docs, jobs=jobs, cache=cache) as pdfs, \
            _source_date(int(stamp.timestamp())), staged(out, project.root) as stage, \
            tempfile.TemporaryDirectory(prefix="mentorkit-docs-") as work:
        site.build_site(project, stage, work_dir=Path(work), documents=docs, calendar=CALENDAR, changelog=versions,
                        cache=cache)
        files.update({f"{PRINT_DIR}/{name}": data for name, data in pdfs.result().items()})
        write_files(stage, files)
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    if cache is not None:
        cache.prune(("pdf", "site"))
    return BuildResult(project, out, count)
