"""`mentorkit check`'s verdict on a program: its warnings and what it plans, kept in the cache.

A program checked before, with nothing changed, is not parsed and validated again: its verdict is
read back, as ruff and mypy read back theirs. The key holds program.yml's bytes, the team's own
catalogues beside it, the shipped catalogues, `--strict`, today's date (a date too far from today
is refused) and, as every key of the cache does, mentorkit's code and its packages' versions. The
files program.yml names (logo, pages) are listed in the entry, which is used only while each is
still a file there. A program with errors is never kept: it is checked again every time.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from .cache import Cache, tree_digest
from .errors import Problem
from .paths import referenced_files, resolve_inside

log = logging.getLogger("mentorkit")


@dataclass(frozen=True)
class Summary:
    """What a valid program plans, in the words of the check's one line."""

    title: str
    type: str
    starts: str
    ends: str
    meetings: int
    goals: int
    surveys: int


@dataclass(frozen=True)
class Verdict:
    """A valid program's warnings and summary; `cached` when read back from an earlier check."""

    warnings: tuple[Problem, ...]
    summary: Summary
    cached: bool = False

    def line(self) -> str:
        """The summary as `check` prints it after the program's name."""
        s = self.summary
        counts = [plural(s.meetings, "meeting"), plural(s.goals, "goal"), plural(s.surveys, "survey")]
        if self.warnings:
            counts.append(plural(len(self.warnings), "warning"))
        return f"{s.title} ({s.type}), {s.starts} to {s.ends}, " + ", ".join(counts)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check(program: Path, *, strict: bool = False, use_cache: bool = True) -> Verdict:
    """Validate and plan `program`, or read back the verdict of an earlier check of the same inputs;
    raises ProgramError with every problem found."""
    cache = Cache.beside(program, use_cache) if program.is_file() else None
    key = _key(cache, program, strict) if cache is not None else None
    if cache is not None and key is not None:
        kept = _read(cache, key, program)
        if kept is not None:
            return kept
    from .project import load_program

    project = load_program(program, strict=strict)
    pf, plan = project.program, project.plan
    verdict = Verdict(project.warnings, Summary(pf.program.title, pf.program.type.value, str(plan.starts),
                                                str(plan.ends), len(plan.meetings), len(pf.goals),
                                                len(pf.surveys or [])))
    if cache is not None and key is not None:
        named = sorted({value for _, value in referenced_files(pf)})
        entry = {"named": named, "warnings": [w.as_dict() for w in verdict.warnings],
                 "summary": asdict(verdict.summary)}
        cache.put("check", key, json.dumps(entry, sort_keys=True).encode())
        cache.prune()
    return verdict


def _key(cache: Cache, program: Path, strict: bool) -> str:
    """Everything a verdict is made of, but the files program.yml names (listed in the entry)."""
    from .i18n import locales_dir, team_catalogues

    # the path as given: the warnings name the file as the user spelled it
    return cache.key("check", str(program), program.read_bytes(), str(strict), date.today().isoformat(),
                     tree_digest(locales_dir()), *team_catalogues(program.resolve().parent))


def _read(cache: Cache, key: str, program: Path) -> Verdict | None:
    """The verdict kept under `key`, while every file it names is still there."""
    raw = cache.get("check", key)
    if raw is None:
        return None
    root = program.resolve().parent
    try:
        entry = json.loads(raw)
        if any(resolve_inside(root, value)[0] is None for value in entry["named"]):
            return None  # a logo or page that program.yml names is gone: the check must say so
        return Verdict(tuple(Problem(**w) for w in entry["warnings"]), Summary(**entry["summary"]), cached=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        log.info("cache: ignoring an unreadable check entry %s", key)
        return None
