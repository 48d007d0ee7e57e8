"""mentorkit: a mentoring program in one program.yml -> handbook website, printables and calendar."""

from __future__ import annotations

from .errors import MentorkitError, Problem
from .project import Project, load_program

__version__ = "0.1.0"

__all__ = ["MentorkitError", "Problem", "Project", "load_program", "__version__"]
