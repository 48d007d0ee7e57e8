"""The only writer: build into a temporary folder beside OUT, swap it in when complete, refuse foreign folders."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

MARKER = ".mentorkit-output.json"
_STAGING = ".mentorkit-staging-"
_OLD = ".mentorkit-old-"


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


def _protected(out: Path, program_root: Path | None) -> str | None:
    """Why `out` must never be replaced, or None."""
    resolved = out.resolve()
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    if resolved == Path.home().resolve():
        return "it is your home folder"
    if resolved == Path.cwd().resolve() or resolved in Path.cwd().resolve().parents:
        return "it is the current folder or one of its parents"
    if program_root is not None:
        root = program_root.resolve()
        if resolved == root or resolved in root.parents:
            return "it holds program.yml"
    return None


def check_target(out: Path, program_root: Path | None = None) -> None:
    """Refuse OUT unless it is absent, empty, or a folder mentorkit wrote whose files are all its own."""
    why = _protected(out, program_root)
    if why:
        raise OutputError(f"{out}: refusing to write the build there: {why}; choose a folder such as 'site'")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out}: exists and is not a folder; remove it or choose another output folder")
    if not out.exists() or not any(out.iterdir()):
        return
    marker = out / MARKER
    if not marker.is_file():
        raise OutputError(f"{out}: folder exists, is not empty and was not made by mentorkit (no {MARKER}); "
                          "mentorkit will not replace it: empty it or choose another output folder")
    try:
        ours = set(json.loads(marker.read_text(encoding="utf-8"))["files"])
    except (ValueError, KeyError, TypeError):
        raise OutputError(f"{out}: {MARKER} is damaged; mentorkit will not replace this folder") from None
    foreign = sorted(_files(out) - ours - {MARKER})
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(f"{out}: holds files mentorkit did not write ({shown}); move them away first, "
                          "mentorkit never deletes files it did not create")


@contextmanager
def staged(out: Path, program_root: Path | None = None) -> Iterator[Path]:
    """A fresh folder beside OUT to build into; on success it replaces OUT, on failure it is removed."""
    check_target(out, program_root)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(parent, out.name)
    stage = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{out.name}-", dir=parent))
    try:
        yield stage
        _seal(stage)
        _swap(stage, out.absolute())
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` (relative POSIX path -> bytes) below `folder`, in sorted order."""
    for rel in sorted(files):
        target = folder / rel
        if not target.resolve().is_relative_to(folder.resolve()) or rel.startswith("/"):
            raise OutputError(f"refusing to write {rel!r} outside the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[rel])


def _seal(stage: Path) -> None:
    manifest = {"made_by": "mentorkit", "files": sorted(_files(stage))}
    (stage / MARKER).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.chmod(stage, 0o755)  # mkdtemp makes 0700; a published site must be readable


def _swap(stage: Path, out: Path) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f"{_OLD}{out.name}-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(stage, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _clean_leftovers(parent: Path, name: str) -> None:
    """Remove staging folders an interrupted build left behind (only ours: they carry our prefix)."""
    for leftover in parent.glob(f"{_STAGING}{name}-*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f"{_OLD}{name}-*"):
        if leftover.is_dir() and not leftover.is_symlink() and (leftover / MARKER).is_file():
            shutil.rmtree(leftover, ignore_errors=True)
