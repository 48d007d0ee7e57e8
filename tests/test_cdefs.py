"""WeasyPrint's C declarations, parsed once and kept in the cache folder (`mentorkit.cdefs`): a
later process imports WeasyPrint without pycparser, and renders the very same PDF bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_reference

from mentorkit.cdefs import _PREFIX, KEEP, declarations

RENDER = """
import sys
from pathlib import Path
from mentorkit import workers
workers.keep(Path(sys.argv[1]) if sys.argv[1] else None)
workers.load_weasyprint()
parsed = "pycparser" in sys.modules
html = ('<html lang="en"><body><h1>Mentoring <em>goals</em></h1><p>Ask what went <b>well</b>.</p>'
        '<form><input name="q1" value="x"><textarea name="q2"></textarea></form></body></html>')
_, pdf, _ = workers.render(("t", html, "file:///nowhere/", [], True))
sys.stdout.buffer.write(pdf)
sys.stderr.write("parsed" if parsed else "tables")
"""


def _render(folder: Path | None) -> tuple[bytes, str]:
    """Render in a new process whose kept declarations are in `folder` (None: nothing kept)."""
    root = str(folder.parent) if folder is not None else ""
    done = subprocess.run([sys.executable, "-c", RENDER, root], capture_output=True, check=True)
    return done.stdout, done.stderr.decode().strip().splitlines()[-1]


def test_a_later_process_imports_weasyprint_without_parsing_its_c_declarations(tmp_path):
    folder = tmp_path / "kept" / "cffi"
    plain, how = _render(None)
    assert how == "parsed" and plain.startswith(b"%PDF")
    first, how = _render(folder)
    assert how == "parsed" and first == plain
    assert [p.name[:len(_PREFIX)] for p in folder.iterdir()] == [_PREFIX]
    later, how = _render(folder)
    assert how == "tables"
    assert later == plain  # the same bytes as WeasyPrint imported the usual way


def test_damaged_declarations_are_parsed_again_and_replaced(tmp_path):
    folder = tmp_path / "kept" / "cffi"
    _render(folder)
    (entry,) = folder.iterdir()
    good = entry.read_bytes()
    for damaged in (good[:-40], good[:100] + bytes([good[100] ^ 1]) + good[101:], b""):
        entry.write_bytes(damaged)
        data, how = _render(folder)
        assert how == "parsed" and data.startswith(b"%PDF")
        assert entry.read_bytes() == good


def test_declarations_of_older_versions_are_removed(tmp_path):
    folder = tmp_path / "kept" / "cffi"
    folder.mkdir(parents=True)
    older = [folder / f"{_PREFIX}{n:04d}" for n in range(KEEP)]
    for n, path in enumerate(older):
        path.write_bytes(b"tables of an older WeasyPrint")
        os.utime(path, ns=(n * 10**9, n * 10**9))
    (folder / "notes.txt").write_text("not mentorkit's")
    _render(folder)
    kept = {p.name for p in folder.iterdir()}
    assert len(kept) == KEEP + 1 and "notes.txt" in kept  # the new entry and the KEEP - 1 latest older ones
    assert older[0].name not in kept and older[-1].name in kept


def test_the_stand_in_behaves_as_cffi_does(tmp_path):
    import cffi

    usual = cffi.FFI
    for _ in range(2):  # declarations parsed, then read from the tables
        with declarations(tmp_path):
            ffi = cffi.FFI()
            ffi.cdef("int abs(int); typedef struct { int x, y; } point;")
        assert cffi.FFI is usual
        libc = ffi.dlopen(None)
        assert libc.abs(-3) == 3
        point = ffi.new("point *", {"x": 1, "y": 2})
        assert (point.x, point.y, ffi.sizeof("point")) == (1, 2, 8)
    assert len(list(tmp_path.iterdir())) == 1
    with declarations(tmp_path):
        early = cffi.FFI()
        assert early.sizeof("int") == 4  # asked before any cdef: a usual FFI from then on
        early.cdef("int labs(int);")
    assert isinstance(early._ffi, usual)


def test_a_build_keeps_the_declarations_in_its_cache_and_gives_the_same_output(tmp_path):
    """The rebuild after an edit renders in a worker that read the kept declarations; its PDFs are
    the bytes of a build without any cache."""
    program = copy_reference(tmp_path / "p")
    run = [sys.executable, "-m", "mentorkit", "build", str(program)]
    first = subprocess.run([*run, "-o", str(tmp_path / "first")], check=True, capture_output=True, text=True)
    assert first.stdout.startswith("built ") and len(first.stdout.splitlines()) == 1, first.stdout  # cffi said nothing
    assert len(list((program.parent / ".mentorkit-cache" / "cffi").glob(_PREFIX + "*"))) == 1
    text = program.read_text()
    program.write_text(text.replace("as you agreed?", "as you planned?"), encoding="utf-8")
    assert program.read_text() != text
    subprocess.run([*run, "-o", str(tmp_path / "edited")], check=True, capture_output=True)
    subprocess.run([*run, "-o", str(tmp_path / "clean"), "--no-cache"], check=True, capture_output=True)
    pdfs = sorted(p.relative_to(tmp_path / "clean") for p in (tmp_path / "clean").rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        assert (tmp_path / "edited" / pdf).read_bytes() == (tmp_path / "clean" / pdf).read_bytes(), pdf
