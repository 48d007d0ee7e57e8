"""Compressed streams of WeasyPrint's PDFs, remembered: the fonts above all.

A printable with form fields embeds its fonts whole (a reader needs every glyph to show what is
typed into a field), and pydyf compresses each embedded font at zlib's level 9: half a megabyte of
Noto Sans, 0.035 s, in every piece with a field, the same bytes every time. `stand_in(folder)`
is a stand-in for the `zlib` module pydyf uses: a stream of `LARGE` bytes or more is compressed
once per process and, with a folder, kept there for later builds, under the hash of the
uncompressed bytes and the compression settings. zlib gives the same output for the same input
and settings, so the PDF is the same bytes either way (tested). Smaller streams are compressed
as usual.
"""

from __future__ import annotations

import hashlib
import os
import types
import zlib
from contextlib import suppress
from pathlib import Path
from typing import Any

from .cache import read_checked, write_checked

LARGE = 64 * 1024  # a font file; page content and metadata are smaller, and differ between PDFs
KEEP = 16  # entries kept in the folder, the latest used
_memory: dict[str, bytes] = {}


def _key(data: bytes, settings: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr((zlib.ZLIB_RUNTIME_VERSION, settings)).encode() + data).hexdigest()[:40]


def _read(path: Path) -> bytes | None:
    data = read_checked(path)
    if data is not None:
        with suppress(OSError):
            os.utime(path)  # latest used
    return data


def _write(folder: Path, path: Path, data: bytes) -> None:
    """Write; keep the `KEEP` entries used last."""
    if not write_checked(path, data):
        return
    with suppress(OSError):
        entries = sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                         key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
        for old in entries[KEEP:]:
            if old != path:
                old.unlink(missing_ok=True)


def compressed(data: bytes, settings: tuple[Any, ...], folder: Path | None) -> bytes:
    """`data` compressed with `zlib.compressobj(*settings)`, remembered when it is large."""
    if len(data) < LARGE:
        return _compress(data, settings)
    key = _key(data, settings)
    if key in _memory:
        return _memory[key]
    path = folder / key if folder is not None else None
    out = _read(path) if path is not None else None
    if out is None:
        out = _compress(data, settings)
        if folder is not None and path is not None:
            _write(folder, path, out)
    if len(_memory) >= KEEP:
        _memory.pop(next(iter(_memory)))
    _memory[key] = out
    return out


def _compress(data: bytes, settings: tuple[Any, ...]) -> bytes:
    args, kwargs = settings
    compressor = zlib.compressobj(*args, **dict(kwargs))
    return compressor.compress(data) + compressor.flush()


class _Compressor:
    """What `zlib.compressobj()` returns, as pydyf uses it: everything given to `compress`, then
    `flush()`. The output comes at `flush()`: the same bytes, in one piece. Anything else (a
    partial flush) is handed to a real compressor fed with what was given so far."""

    def __init__(self, folder: Path | None, args: tuple[Any, ...], kwargs: dict[str, Any]):
        self._folder, self._settings = folder, (args, tuple(sorted(kwargs.items())))
        self._parts: list[bytes] = []
        self._real: Any = None

    def compress(self, data: bytes) -> bytes:
        if self._real is not None:
            return bytes(self._real.compress(data))
        self._parts.append(bytes(data))
        return b""

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        if self._real is None and mode == zlib.Z_FINISH:
            data, self._parts = b"".join(self._parts), []
            self._real = zlib.compressobj()  # finished: later calls fail as a finished one's would
            self._real.flush()
            return compressed(data, self._settings, self._folder)
        return bytes(self._as_real().flush(mode))

    def _as_real(self) -> Any:
        if self._real is None:
            args, kwargs = self._settings
            self._real = zlib.compressobj(*args, **dict(kwargs))
            head = self._real.compress(b"".join(self._parts))
            self._parts = []
            if head:  # nothing may be lost: what the real compressor gave so far comes first
                self._real = _Prefixed(self._real, head)
        return self._real


class _Prefixed:
    def __init__(self, real: Any, head: bytes):
        self._real, self._head = real, head

    def _take(self, out: bytes) -> bytes:
        out, self._head = self._head + out, b""
        return out

    def compress(self, data: bytes) -> bytes:
        return self._take(self._real.compress(data))

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        return self._take(self._real.flush(mode))


def stand_in(folder: Path | None) -> types.ModuleType:
    """A `zlib` module whose `compressobj` remembers large streams (kept in `folder` if given)."""
    module = types.ModuleType("zlib", zlib.__doc__)
    module.__dict__.update({k: v for k, v in vars(zlib).items() if not k.startswith("__")})

    def compressobj(*args: Any, **kwargs: Any) -> _Compressor:
        return _Compressor(folder, args, kwargs)

    module.compressobj = compressobj  # type: ignore[attr-defined]
    return module
