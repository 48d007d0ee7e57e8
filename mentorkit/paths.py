"""Files a program refers to (logo, extra pages) must stay inside the program's folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import Problem
    from .load import Located, Path_
    from .model import ProgramFile

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def resolve_inside(root: Path, value: str) -> tuple[Path | None, str | None]:
    """(the file, None) when `value` names an existing file inside `root`, else (None, why not)."""
    if _SCHEME.match(value) and not re.match(r"^[A-Za-z]:[\\/]", value):
        return None, f"{value!r} is a URL; give a file path relative to program.yml (mentorkit fetches nothing)"
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", value):
        return None, f"{value!r} is an absolute path; give a path relative to program.yml"
    if ".." in PurePosixPath(value.replace("\\", "/")).parts:
        return None, f"{value!r} leaves the program's folder ('..'); keep the file beside program.yml"
    root = root.resolve()
    target = (root / value).resolve()
    if not target.is_relative_to(root):
        return None, f"{value!r} resolves outside the program's folder (through a symbolic link)"
    if not target.is_file():
        return None, f"{value!r} does not exist (looked in {root})"
    return target, None


def referenced_files(pf: ProgramFile) -> list[tuple[Path_, str]]:
    """Every file path program.yml refers to, with its location in the file."""
    found: list[tuple[Path_, str]] = []
    if pf.program.branding.logo:
        found.append((("program", "branding", "logo"), pf.program.branding.logo))
    found += [(("pages", i), page) for i, page in enumerate(pf.pages)]
    return found


def path_problems(pf: ProgramFile, root: Path, located: Located) -> list[Problem]:
    """An error for every referenced file that is missing or outside the program's folder."""
    problems = []
    for where, value in referenced_files(pf):
        _, why = resolve_inside(root, value)
        if why:
            problems.append(located.problem(where, why))
        elif where[0] == "pages" and not value.lower().endswith((".md", ".markdown")):
            problems.append(located.problem(where, f"{value!r} is not a Markdown file (.md)"))
    logo = pf.program.branding.logo
    if logo and not any(p.path == "program.branding.logo" for p in problems):
        if not logo.lower().endswith((".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")):
            problems.append(located.problem(("program", "branding", "logo"),
                                            f"{logo!r} is not an image (.svg, .png, .jpg)"))
    return problems
