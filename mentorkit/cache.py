"""The one cache: what a build made, kept under a key of everything that decided its bytes.

Layout: `.mentorkit-cache/` beside program.yml, holding a `.gitignore` of `*` (so a program's git
repository never sees it) and one folder per kind of entry (`build`, `site`, `pdf`, `jinja`, `check`),
each entry a file or folder named by its key. Keys hash the entry's own inputs together with
`environment()`: mentorkit's code, the versions of every Python package that renders, Python's,
the system libraries that lay out text (Pango, HarfBuzz, fontconfig), the font files installed
and the system's time-zone database. So a hit is exactly what a fresh render would make. Reads
are checked (a damaged or half-written entry is a miss) and writes are atomic.

One eviction rule: after a build or a check that wrote something, entries are removed least
recently used first (reading an entry marks it used) until the cache is at most `LIMIT` bytes.
`--no-cache` opens no cache at all: nothing is read or written.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

log = logging.getLogger("mentorkit")
CACHE_DIR = ".mentorkit-cache"
LIMIT = 512 * 1024 * 1024
_MANIFEST = ".mentorkit-entry.json"  # a stored folder's files, their hashes and its size, written last
_GITIGNORE = "# made by mentorkit: nothing here belongs in git\n*\n"
# the Python packages whose code or data shapes what mentorkit writes: the PDF stack (WeasyPrint and
# what it parses, hyphenates and lays out with), the two site engines and their Markdown, the
# calendar with its time zones, the dates and words of each language (Babel's CLDR data), the
# public holidays meetings avoid, and the model that reads program.yml
PACKAGES = ("mentorkit", "weasyprint", "pydyf", "tinyhtml5", "tinycss2", "cssselect2", "pyphen", "fonttools", "pillow",
            "pikepdf", "lxml", "pypdf", "jinja2", "markupsafe", "mkdocs", "mkdocs-material", "mkdocs-material-extensions",
            "backrefs", "markdown", "pymdown-extensions", "pygments", "zensical", "icalendar", "python-dateutil",
            "tzdata", "babel", "holidays", "pydantic", "pydantic-core", "pyyaml", "segno", "matplotlib")
# the system libraries that lay out text, and how each tells its version (their public C API)
LIBRARIES = (("libpango-1.0.so.0", "pango_version_string", ctypes.c_char_p),
             ("libharfbuzz.so.0", "hb_version_string", ctypes.c_char_p),
             ("libfontconfig.so.1", "FcGetVersion", ctypes.c_int))
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")


def digest(*parts: bytes | str) -> str:
    """A stable hash of the parts (each length-prefixed, so boundaries count)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """Hash of every file's relative path and bytes below `folder`."""
    parts: list[bytes | str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


def _canonical(name: str) -> str:
    """A project's name as the packaging specifications compare them (PyYAML, pyyaml, py_yaml alike)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed() -> dict[str, str]:
    """Each project installed on `sys.path` and its version, read from the names of their
    `NAME-VERSION.dist-info` folders (the packaging specification's "Recording installed projects"),
    the first on the path winning as it does for an import: one directory listing per path entry,
    where asking `importlib.metadata` parses each project's METADATA (a twelfth of a second a build)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names = sorted(e.name for e in listing if e.name.endswith(".dist-info"))
        except OSError:
            continue
        for folder in names:
            name, _, version = folder[:-len(".dist-info")].partition("-")
            if version:
                found.setdefault(_canonical(name), version)
    return found


def _package_versions() -> list[str]:
    installed = _installed()
    found = []
    for name in PACKAGES:
        version = installed.get(_canonical(name))
        if version is None:  # installed some other way (an egg, a zip): ask importlib.metadata
            from importlib import metadata  # only then: importing it takes longer than the listing

            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "none"
        found.append(f"{name}={version}")
    return found


def _library_versions() -> list[str]:
    found = []
    for soname, function, returns in LIBRARIES:
        try:
            call = getattr(ctypes.CDLL(soname), function)
            call.restype = returns
            value = call()
            found.append(f"{soname}={value.decode() if isinstance(value, bytes) else value}")
        except (OSError, AttributeError):
            found.append(f"{soname}=unknown")  # another platform: the fonts and packages still count
    return found


def _fonts() -> str:
    """Every installed font file with its size and modification time."""
    parts = []
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    parts.append(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}")
    return "\n".join(parts)


def _time_zones() -> str:
    """The version of the system's time-zone database, which Python reads before the tzdata package
    (a meeting's time, and the calendar's, follow its rules): the first line of each `tzdata.zi`."""
    import zoneinfo

    found = []
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, "tzdata.zi"), encoding="utf-8") as fh:
                found.append(f"{folder}\t{fh.readline().strip()}")
        except OSError:
            continue
    return "\n".join(found)


def _code() -> str:
    """Hash of mentorkit's own Python files: a changed checkout must not reuse what older code made."""
    package = Path(__file__).resolve().parent
    return digest(*(part for path in sorted(package.rglob("*.py"))
                    for part in (path.relative_to(package).as_posix(), path.read_bytes())))


@functools.cache
def environment() -> str:
    """Everything outside a build's own inputs that decides its bytes (looked up once a process)."""
    return digest(sys.version, _code(), *_package_versions(), *_library_versions(), _fonts(), _time_zones())


class Cache:
    """Entries kept under `root`, by kind and key."""

    def __init__(self, root: Path):
        self.root = root
        self.wrote = False

    @classmethod
    def beside(cls, program: Path, enabled: bool = True) -> Cache | None:
        """The cache of the program at `program`; None when disabled or its folder is read-only."""
        folder = program.resolve().parent
        if not enabled or not os.access(folder, os.W_OK):
            return None
        return cls(folder / CACHE_DIR)

    def key(self, kind: str, *parts: bytes | str) -> str:
        """The key of an entry made from `parts`, in this environment."""
        return digest(environment(), kind, *parts)

    def _ready(self) -> None:
        """Create the folder with its `.gitignore` (never dirty a program's repository)."""
        self.root.mkdir(parents=True, exist_ok=True)
        ignore = self.root / ".gitignore"
        if not ignore.is_file():
            ignore.write_text(_GITIGNORE, encoding="utf-8")

    def folder(self, kind: str) -> Path:
        """A folder of this cache for a tool's own kept files (compiled templates)."""
        self._ready()
        path = self.root / kind
        path.mkdir(exist_ok=True)
        return path

    def get(self, kind: str, key: str) -> bytes | None:
        """The stored bytes; None when there are none or they are damaged."""
        path = self.root / kind / key
        try:
            stored = path.read_bytes()
        except OSError:
            return None
        data = stored[32:]
        if hashlib.sha256(data).digest() != stored[:32]:
            log.info("cache: ignoring a damaged entry %s/%s", kind, key)
            return None
        _touch(path)
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store bytes with their hash, atomically; a folder that cannot be written keeps nothing."""
        path = self.root / kind / key
        try:
            self._ready()
            path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(hashlib.sha256(data).digest() + data)
            os.replace(tmp, path)
            self.wrote = True
        except OSError as exc:
            log.warning("cache: could not keep %s/%s (%s)", kind, key, exc)

    def has_tree(self, kind: str, key: str) -> bool:
        """Whether a whole folder is stored under `key` (its files are checked when it is copied)."""
        return (self.root / kind / key / _MANIFEST).is_file()

    def get_tree(self, kind: str, key: str, target: Path) -> bool:
        """Copy a stored folder into `target`, every file checked against the hash it was stored
        with; False (and nothing copied) when there is none, or any file is missing or damaged."""
        path = self.root / kind / key
        try:
            listed = json.loads((path / _MANIFEST).read_text(encoding="utf-8"))["files"]
            files = {rel: (path / rel).read_bytes() for rel in listed}
        except (OSError, ValueError, TypeError, KeyError):
            return False
        if sorted(files) != sorted(_listing(path)) or any(
                hashlib.sha256(data).hexdigest() != listed[rel] for rel, data in files.items()):
            log.info("cache: ignoring a damaged entry %s/%s", kind, key)
            return False
        for rel, data in files.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
        _touch(path)
        return True

    def put_tree(self, kind: str, key: str, source: Path) -> None:
        """Store a copy of a folder, atomically."""
        path = self.root / kind / key
        try:
            self._ready()
            path.parent.mkdir(exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".tmp-"))
            shutil.copytree(source, tmp, dirs_exist_ok=True)
            hashes, size = {}, 0
            for rel in _listing(tmp):  # one file in memory at a time
                data = (tmp / rel).read_bytes()
                hashes[rel], size = hashlib.sha256(data).hexdigest(), size + len(data)
            manifest = {"files": hashes, "bytes": size}  # the size, for the eviction rule (`prune`)
            (tmp / _MANIFEST).write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
            self.wrote = True
        except OSError as exc:
            log.warning("cache: could not keep %s/%s (%s)", kind, key, exc)

    def prune(self, limit: int = LIMIT) -> None:
        """The eviction rule: least recently used entries go until the cache holds at most `limit` bytes."""
        if not self.wrote or not self.root.is_dir():
            return
        entries = []
        for kind in sorted(p for p in self.root.iterdir() if p.is_dir()):
            with os.scandir(kind) as listing:
                for found in listing:
                    size = _stored_size(found.path) if found.is_dir(follow_symlinks=False) else found.stat().st_size
                    entries.append((found.stat(follow_symlinks=False).st_mtime_ns, found.name, Path(found.path), size))
        total = sum(e[3] for e in entries)
        for _, _, path, size in sorted(entries):
            if total <= limit:
                break
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            total -= size


def _stored_size(folder: str) -> int:
    """The bytes of a stored folder, as its manifest says (a site entry holds hundreds of files,
    and the whole cache is measured after every build that wrote to it); measured when it has none."""
    try:
        with open(os.path.join(folder, _MANIFEST), encoding="utf-8") as fh:
            stored = json.load(fh)["bytes"]
        if isinstance(stored, int):
            return stored
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return _size(folder)


def _size(folder: str) -> int:
    """The bytes of the files below `folder` (one directory read per folder)."""
    total = 0
    with os.scandir(folder) as listing:
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                total += _size(entry.path)
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def _listing(folder: Path) -> list[str]:
    """The files below `folder` (relative paths), but the manifest."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.name != _MANIFEST)


def _touch(path: Path) -> None:
    """Mark an entry as used (its modification time), for the eviction rule."""
    try:
        os.utime(path)
    except OSError:
        pass
