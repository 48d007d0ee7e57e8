"""The orchestrating build: load -> plan -> render (printables, calendar, site) -> write, one line per stage."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
          strict: bool = False, changelog: bool | None = None) -> BuildResult:
    """Build the handbook site, printables and calendar of `program` into `out`, atomically."""
    project = load_program(program, strict=strict)
    from . import printing, site  # heavy: only once the program is known to be valid

    stamp = build_timestamp(project.path, project.program.program.starts)
    docs = documents(project.program)
    pdfs = printing.render_documents(project, docs, jobs=jobs)
    files = {f"{PRINT_DIR}/{name}": data for name, data in pdfs.items()}
    files[CALENDAR] = calendar_bytes(project, stamp)
    versions = None
    if changelog if changelog is not None else project.program.site.changelog:
        from .versions import history

        versions = history(project.path)
    out = Path(out)
    with _source_date(int(stamp.timestamp())), staged(out, project.root) as stage, \
            tempfile.TemporaryDirectory(prefix="mentorkit-docs-") as work:
        site.build_site(project, stage, work_dir=Path(work), documents=docs, calendar=CALENDAR, changelog=versions)
        write_files(stage, files)
        count = sum(1 for p in stage.rglob("*") if p.is_file())
    return BuildResult(project, out, count)
