"""mentorkit: a mentoring program in one program.yml -> handbook website, printables and calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import MentorkitError, Problem

if TYPE_CHECKING:
    from .project import Project, load_program

__version__ = "0.1.0"

__all__ = ["MentorkitError", "Problem", "Project", "load_program", "__version__"]


def __getattr__(name: str) -> Any:
    # the model (pydantic) loads only when it is used, so a cached build or `--version` starts fast
    if name in ("Project", "load_program"):
        from . import project

        return getattr(project, name)
    raise AttributeError(name)
