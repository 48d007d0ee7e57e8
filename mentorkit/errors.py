"""One error hierarchy: every problem mentorkit reports carries its file, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: printed as ``FILE:LINE:COL: error: path: message``."""

    file: str
    line: int | None
    column: int | None
    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        return f"{where}: {self.severity}: {what}"

    def as_dict(self) -> dict[str, object]:
        """The problem as plain data, for ``--format json``."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
        }


class MentorkitError(Exception):
    """Base of every error mentorkit raises on purpose; the CLI maps it to exit code 2."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("mentorkit", None, None, "error", "", problems)]
        self.problems = sorted(problems, key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


class ProgramError(MentorkitError):
    """program.yml could not be read or is not a valid program."""


class RosterError(MentorkitError):
    """A roster CSV could not be read or is not a valid roster."""


class OutputError(MentorkitError):
    """The output folder cannot be written safely."""


class FetchError(MentorkitError):
    """A resource outside the allowed folders (or on the network) was requested."""


class GitError(MentorkitError):
    """A git revision or file could not be read."""


def _sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line or 0, p.column or 0, p.message)
