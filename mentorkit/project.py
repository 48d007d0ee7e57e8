"""A loaded program: its file, folder, resolved model, dated plan and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .checks import warnings_for
from .defaults import resolve
from .errors import Problem, ProgramError
from .load import Located, load_yaml, load_yaml_bytes
from .model import ProgramFile
from .paths import path_problems
from .timeline import Plan, plan
from .validate import validate


@dataclass(frozen=True)
class Project:
    """Everything known about one program.yml, before anything is rendered."""

    path: Path
    """The program file."""
    root: Path
    """The folder holding program.yml: user content/, templates/ and pages live here."""
    located: Located
    """Raw YAML data with line marks."""
    program: ProgramFile
    """The program with all type defaults filled in."""
    plan: Plan
    """Dated stages, meetings, deadlines and survey moments."""
    warnings: tuple[Problem, ...]
    """Located warnings (`--strict` makes them errors)."""


def _finish(path: Path, located: Located, strict: bool, check_files: bool = True) -> Project:
    root = path.resolve().parent
    program = resolve(validate(located), root)
    if check_files:
        problems = path_problems(program, root, located)
        if problems:
            raise ProgramError(problems)
    dated = plan(program)
    found = tuple(warnings_for(program, dated, located))
    if strict and found:
        raise ProgramError([Problem(w.file, w.line, w.column, "error", w.path, w.message) for w in found])
    return Project(path, root, located, program, dated, found)


def load_program(path: str | Path = "program.yml", *, strict: bool = False) -> Project:
    """Load, validate and plan a program file; raises ProgramError with every problem found."""
    path = Path(path)
    return _finish(path, load_yaml(path, str(path)), strict)


def load_program_bytes(raw: bytes, display: str, root: Path, *, strict: bool = False) -> Project:
    """Load a program from bytes (e.g. a git revision); `root` stands in for its folder.

    The files it refers to are not checked: at an old revision they need not exist any more.
    """
    return _finish(root / "program.yml", load_yaml_bytes(raw, display), strict, check_files=False)
