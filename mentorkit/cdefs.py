"""WeasyPrint's C declarations, parsed once and kept in the cache folder.

WeasyPrint declares the Pango, HarfBuzz and fontconfig functions it calls to cffi at import
(`ffi.cdef` with 450 lines of C), and cffi parses them with pycparser in every process: about a
third of WeasyPrint's import, and more in its first render, where every type named in a string
(`ffi.new("PangoRectangle *")`) is parsed again by pycparser on first use.

cffi can also describe the same declarations as tables (its "out-of-line ABI mode": what
`ffi.emit_python_code` writes), which its C backend reads without pycparser and whose type names
it parses itself. While WeasyPrint is imported, `declarations(folder)` puts a stand-in for
`cffi.FFI` in place: the stand-in's `cdef` looks for those tables in `folder`, under a key made
of the C source and the cffi version; when they are there, the FFI object WeasyPrint gets is
built from them; when not, the source is parsed the usual way and the tables are stored for the
next process. Either way WeasyPrint calls the same library functions with the same arguments.

The tables are data (marshal of bytes, ints, strings and tuples), checked against a hash stored
with them and by their shape before use: a damaged entry is parsed again and replaced, never run.
"""

from __future__ import annotations

import ast
import hashlib
import io
import marshal
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from pathlib import Path
from typing import Any

from .cache import read_checked, unmarshal, write_checked

_PREFIX = "cdef-"
KEEP = 4
# the keyword arguments `_cffi_backend.FFI` takes from a module written by `emit_python_code`
_TABLES = {"_version": int, "_types": bytes, "_globals": tuple, "_struct_unions": tuple, "_enums": tuple,
           "_typenames": tuple}


def _key(csource: str, options: dict[str, Any]) -> str:
    import _cffi_backend
    import cffi

    parts = (cffi.__version__, _cffi_backend.__version__, csource, sorted(options.items()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _tables(ffi: Any, name: str) -> dict[str, Any] | None:
    """The arguments of `_cffi_backend.FFI` that describe `ffi`'s declarations, read (never run)
    from the module cffi writes for them; None when that module is not the simple call expected."""
    source = io.StringIO()
    ffi.set_source(name, None)
    with redirect_stdout(io.StringIO()):  # cffi says "generating ..." on the command's output
        ffi.emit_python_code(source)
    for node in ast.parse(source.getvalue()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if len(call.args) != 1 or any(k.arg not in _TABLES for k in call.keywords):
                return None
            try:
                return {"name": ast.literal_eval(call.args[0]),
                        **{str(k.arg): ast.literal_eval(k.value) for k in call.keywords}}
            except ValueError:
                return None
    return None


def _valid(tables: Any) -> bool:
    return (isinstance(tables, dict) and isinstance(tables.get("name"), str)
            and all(k == "name" or isinstance(v, _TABLES.get(k, type(None))) for k, v in tables.items()))


def _load(path: Path) -> dict[str, Any] | None:
    tables = unmarshal(read_checked(path))
    return tables if _valid(tables) else None


def _store(folder: Path, path: Path, tables: dict[str, Any]) -> None:
    """Write, then remove all but the `KEEP` entries written last (those of older cffi or
    WeasyPrint versions; more than one library declaring C functions keeps one each)."""
    if write_checked(path, marshal.dumps(tables)):
        with suppress(OSError):
            entries = sorted(folder.glob(_PREFIX + "*"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
            for old in entries[KEEP:]:
                if old != path:
                    old.unlink(missing_ok=True)


class _FFI:
    """Stands for `cffi.FFI()`: its first `cdef` decides what it becomes (the FFI built from the
    stored tables, or a usual FFI), and from then on it hands everything to that object. Anything
    asked of it before a `cdef` makes it a usual FFI."""

    def __init__(self, folder: Path, usual: type, *args: Any, **kwargs: Any):
        self.__dict__["_setup"] = (folder, usual, args, kwargs)
        self.__dict__["_ffi"] = None

    def _become(self, ffi: Any) -> Any:
        self.__dict__["_ffi"] = ffi
        for name in dir(ffi):  # plain attribute lookups from now on (WeasyPrint calls ffi.new a lot)
            if not name.startswith("__") and name != "errno":
                with suppress(AttributeError):
                    self.__dict__[name] = getattr(ffi, name)
        return ffi

    def _usual(self) -> Any:
        if self._ffi is None:
            _, usual, args, kwargs = self._setup
            self._become(usual(*args, **kwargs))
        return self._ffi

    def __getattr__(self, name: str) -> Any:
        return getattr(self._usual(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._usual(), name, value)

    def cdef(self, csource: str, override: bool = False, packed: bool = False, pack: int | None = None) -> None:
        folder, usual, args, kwargs = self._setup
        if self._ffi is not None or args or kwargs or not isinstance(csource, str):
            self._usual().cdef(csource, override=override, packed=packed, pack=pack)
            return
        import _cffi_backend

        options = {"override": override, "packed": packed, "pack": pack}
        key = _key(csource, options)
        path = folder / (_PREFIX + key)
        tables = _load(path)
        if tables is not None:
            with suppress(Exception):  # tables of another backend build: parse as usual
                name = tables.pop("name")
                self._become(_cffi_backend.FFI(name, **tables))
                return
        ffi = self._become(usual())
        ffi.cdef(csource, override=override, packed=packed, pack=pack)
        # the tables are made from a second FFI: set_source would change the one WeasyPrint keeps
        with suppress(Exception):
            second = usual()
            second.cdef(csource, override=override, packed=packed, pack=pack)
            made = _tables(second, f"_mentorkit_cdef_{key}")
            if made is not None and _valid(made):
                _store(folder, path, made)


@contextmanager
def declarations(folder: Path | None) -> Iterator[None]:
    """While this runs, `cffi.FFI()` is the stand-in above, keeping its tables in `folder`
    (nothing changes when `folder` is None)."""
    if folder is None:
        yield
        return
    import cffi

    usual = cffi.FFI

    def make(*args: Any, **kwargs: Any) -> _FFI:
        return _FFI(folder, usual, *args, **kwargs)

    cffi.FFI = make  # type: ignore[misc, assignment]
    try:
        yield
    finally:
        cffi.FFI = usual  # type: ignore[misc]
