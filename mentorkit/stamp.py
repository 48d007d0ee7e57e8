"""The one build timestamp: SOURCE_DATE_EPOCH, else program.yml's last commit, else the program's start."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from .errors import OutputError

LOOK_UP: Any = object()  # `build_timestamp`'s `committed` when git is to be asked


def build_timestamp(program_path: Path, starts: object, committed: datetime | None = LOOK_UP) -> datetime:
    """A timestamp that depends only on the inputs, so that two builds are byte-identical.
    `committed` is `last_commit_time(program_path)` when the caller has it already."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise OutputError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    if committed is LOOK_UP:
        committed = last_commit_time(program_path)
    if committed is not None:
        return committed
    return datetime.combine(starts, time(0, 0), tzinfo=UTC)  # type: ignore[arg-type]


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
