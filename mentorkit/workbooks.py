"""Personalised workbooks from a roster: one PDF per participant, written atomically."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .cache import Cache
from .errors import MentorkitError


def shard_slice(spec: str, count: int) -> slice:
    """'I/N' -> the I-th (1-based) of N contiguous, near-equal slices of `count` items."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise MentorkitError(f"--shard {spec!r}: expected I/N with 1 <= I <= N, e.g. 2/4")
    i, n = int(match.group(1)), int(match.group(2))
    return slice((i - 1) * count // n, i * count // n)


def write_workbooks(roster: Path, program: Path, out: Path, *, jobs: int | None = None, shard: str | None = None,
                    progress: Callable[[int, int], None] | None = None, use_cache: bool = True) -> int:
    """Write a workbook per participant of `roster` (or of its `shard`) into `out`; how many.

    Everything is checked (program, roster, shard) before anything is written; the PDFs are
    written into a staging folder one by one as they are made, and it replaces `out` at the end.
    """
    from .context import Context
    from .output import staged, write_files
    from .plan import documents
    from .printing import render_workbooks, workbook_names
    from .project import load_program
    from .roster import read_roster
    from .stamp import build_date, last_commit_time, source_date_epoch
    from .workers import Pool

    project = load_program(program)
    everyone = read_roster(roster)
    index = shard_slice(shard, len(everyone)) if shard else slice(None)
    people, names = everyone[index], workbook_names(everyone)[index]
    stamp = build_date(source_date_epoch() or last_commit_time(program), project.program.program.starts)
    context = Context.of(project, stamp, documents(project.program))
    cache = Cache.beside(program, use_cache)
    with Pool(jobs) as pool, staged(out, project.root) as stage:
        for name, pdf in render_workbooks(project, context, people, pool=pool, everyone=everyone, names=names,
                                          progress=progress, cache=cache):
            write_files(stage, {name: pdf})
    if cache is not None:
        cache.prune()
    return len(people)
