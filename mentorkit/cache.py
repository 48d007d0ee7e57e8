"""A content-addressed cache of rendered PDFs and built sites, so unchanged work is not redone.

Keys hash everything the output depends on (the HTML or the docs tree, options, the versions of
mentorkit, WeasyPrint, MkDocs and Material), so a hit returns exactly the bytes a fresh render
would produce. Entries not used by the latest build are removed, so the cache stays one build big.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

CACHE_DIR = ".mentorkit-cache"


@functools.cache
def _dist_infos() -> dict[str, str]:
    """Installed distributions -> versions, read from the names of the `NAME-VERSION.dist-info`
    folders on sys.path, the first of each name, as `importlib.metadata` finds them (importing
    that module and asking it took 0.02 s of every build, a no-op rebuild's seventh)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[:-len(".dist-info")].partition("-")
                found.setdefault(_normal(dist), version)
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _version(dist: str) -> str:
    version = _dist_infos().get(_normal(dist))
    if version:
        return version
    from importlib import metadata  # an egg-info or other install: ask the slow way

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def digest(*parts: bytes | str) -> str:
    """A stable hash of the parts (each length-prefixed, so boundaries count)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def code_digest(folder: Path) -> str:
    """Hash of the Python files below `folder`: mentorkit's own code, which shapes the output too
    (a joined PDF is made by `pdfjoin`). Its version number alone would let a changed checkout
    reuse what the code before the change made."""
    return digest(*(part for path in sorted(folder.rglob("*.py"))
                    for part in (path.relative_to(folder).as_posix(), path.read_bytes())))


@functools.cache
def tool_versions() -> str:
    """Versions of everything that shapes the output, and a hash of mentorkit's code (looked up
    once per process: reading package metadata takes a few milliseconds a time)."""
    from . import __version__

    return "|".join([__version__, code_digest(Path(__file__).resolve().parent)]
                    + [_version(d) for d in ("weasyprint", "pydyf", "mkdocs", "mkdocs-material", "markdown",
                                             "pymdown-extensions", "pypdf", "icalendar")])


def tree_digest(folder: Path) -> str:
    """Hash of every file's relative path and bytes below `folder`."""
    parts: list[bytes | str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def read_checked(path: Path) -> bytes | None:
    """The bytes `write_checked` stored at `path`; None when there are none or they are damaged."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    data = stored[32:]
    return data if hashlib.sha256(data).digest() == stored[:32] else None


def unmarshal(data: bytes | None) -> Any:
    """Plain data (`marshal`) back from bytes; None when there are none or they are damaged. The
    caller checks the shape: marshal makes data, and never runs code."""
    if data is None:
        return None
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None


def write_checked(path: Path, data: bytes) -> bool:
    """Store `data` with its hash at `path` atomically (a crash never leaves half of it); False
    when the folder cannot be written (the entry is then simply not kept)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(hashlib.sha256(data).digest() + data)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


class Cache:
    """Files and folders stored under their content key."""

    def __init__(self, root: Path):
        self.root = root
        self.used: set[str] = set()

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        """The stored bytes, or None."""
        path = self._path(kind, key)
        if path.is_file():
            self.used.add(f"{kind}/{key}")
            return path.read_bytes()
        return None

    def put_bytes(self, kind: str, key: str, data: bytes) -> None:
        """Store bytes atomically (a crash never leaves half an entry)."""
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if path.is_dir():  # an entry kept as a folder by an older mentorkit
            shutil.rmtree(path)
        os.replace(tmp, path)
        self.used.add(f"{kind}/{key}")

    def get_tree(self, kind: str, key: str, target: Path) -> bool:
        """Copy a stored folder into `target`; False when there is none."""
        path = self._path(kind, key)
        if not path.is_dir():
            return False
        shutil.copytree(path, target, dirs_exist_ok=True)
        self.used.add(f"{kind}/{key}")
        return True

    def put_tree(self, kind: str, key: str, source: Path) -> None:
        """Store a copy of a folder."""
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".tmp-"))
        shutil.copytree(source, tmp, dirs_exist_ok=True)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
        self.used.add(f"{kind}/{key}")

    def prune(self, kinds: tuple[str, ...]) -> None:
        """Remove entries of `kinds` that the latest build did not use."""
        for kind in kinds:
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if f"{kind}/{entry.name}" not in self.used:
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
