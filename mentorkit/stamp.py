"""The one build date: SOURCE_DATE_EPOCH, else program.yml's last commit, else the program's start."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path

from .errors import OutputError


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention), read once, at the start of a build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise OutputError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None


def build_date(given: datetime | None, starts: date) -> datetime:
    """A timestamp that depends only on the inputs, so that two builds are byte-identical:
    `given` (SOURCE_DATE_EPOCH or program.yml's last commit), else the program's start."""
    return given if given is not None else datetime.combine(starts, time(0, 0), tzinfo=UTC)


def last_commit_time(path: Path) -> datetime | None:
    """When `path` was last committed, if it is tracked by git and unchanged since."""
    folder = path.resolve().parent
    try:
        dirty = subprocess.run(["git", "status", "--porcelain", "--", path.name], cwd=folder,
                               capture_output=True, text=True, timeout=10)
        if dirty.returncode != 0 or dirty.stdout.strip():
            return None
        out = subprocess.run(["git", "log", "-1", "--format=%ct", "--", path.name], cwd=folder,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return datetime.fromtimestamp(int(out.stdout.strip()), tz=UTC)
