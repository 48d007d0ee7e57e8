"""Joining a personalised cover onto a workbook body: pikepdf (mentorkit.pdfjoin) against pypdf's public API.

    python benchmarks/joins.py [--joins N] [--pypdf-joins N]

The inputs are the very PDFs `mentorkit workbooks` joins, from the reference program and
examples/roster.csv: the joins `printing.render_workbooks` asks for are recorded, then timed alone.
`pypdf` rows are a lower bound for any pypdf implementation: they only add the cover's page and write
the file (no structure tree, fields, bookmarks or destinations), rewriting the whole file
(`clone_from`) or appending an incremental update (`incremental=True`). `pikepdf bare` is the same
bare work with pikepdf; `mentorkit.pdfjoin` is the real join.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pikepdf  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from mentorkit import pdfjoin, printing  # noqa: E402
from mentorkit.context import Context  # noqa: E402
from mentorkit.plan import documents  # noqa: E402
from mentorkit.project import load_program  # noqa: E402
from mentorkit.roster import read_roster  # noqa: E402
from mentorkit.stamp import build_date  # noqa: E402
from mentorkit.workers import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
Call = tuple[bytes, list[bytes], list[bytes], dict[str, object]]


def recorded_joins() -> list[Call]:
    """The joins one personalised workbook takes: the body's pieces, then the cover onto the body."""
    calls: list[Call] = []
    real = pdfjoin.join

    def record(base: bytes, before: Sequence[bytes] = (), after: Sequence[bytes] = (), **options: object) -> bytes:
        calls.append((base, list(before), list(after), options))
        return real(base, before, after, **options)  # type: ignore[arg-type]

    pdfjoin.join = record  # type: ignore[assignment]
    try:
        project = load_program(ROOT / "program.yml")
        people = read_roster(ROOT / "examples" / "roster.csv")
        context = Context.of(project, build_date(None, project.program.program.starts), documents(project.program))
        with Pool(1) as pool:
            for _ in printing.render_workbooks(project, context, people[:1], everyone=people, pool=pool):
                pass
    finally:
        pdfjoin.join = real  # type: ignore[assignment]
    return calls


def per_join(fn: Callable[[], bytes], joins: int, rounds: int = 3) -> tuple[float, int]:
    """Milliseconds per join, the best of `rounds` runs of `joins` joins; the output's size."""
    best, size = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(joins):
            size = len(fn())
        best = min(best, (time.perf_counter() - start) / joins)
    return best * 1000, size


def pikepdf_bare(body: bytes, cover: bytes) -> bytes:
    with pikepdf.Pdf.open(io.BytesIO(body)) as out, pikepdf.Pdf.open(io.BytesIO(cover)) as part:
        out.pages.insert(0, part.pages[0])
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none)  # as mentorkit.pdfjoin saves
        return buffer.getvalue()


def pypdf_bare(body: bytes, cover: bytes, incremental: bool) -> bytes:
    writer = PdfWriter(io.BytesIO(body), incremental=True) if incremental else PdfWriter(clone_from=io.BytesIO(body))
    writer.insert_page(PdfReader(io.BytesIO(cover)).pages[0], 0)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=100)
    parser.add_argument("--pypdf-joins", type=int, default=10)
    args = parser.parse_args()
    calls = recorded_joins()
    pieces = calls[0]
    body, (cover,) = next((c[0], c[1]) for c in calls if len(c[1]) == 1 and not c[2])
    print(f"body {len(body) // 1024} kB, {len(PdfReader(io.BytesIO(body)).pages)} pages; cover {len(cover) // 1024} kB")
    rows = [
        ("mentorkit.pdfjoin (pikepdf), cover onto body", args.joins,
         lambda: pdfjoin.join(body, [cover], info_from=0)),
        ("pikepdf bare: insert page, save", args.joins, lambda: pikepdf_bare(body, cover)),
        ("pypdf bare: clone_from, insert page, write", args.pypdf_joins, lambda: pypdf_bare(body, cover, False)),
        ("pypdf bare: incremental, insert page, write", args.pypdf_joins, lambda: pypdf_bare(body, cover, True)),
        (f"mentorkit.pdfjoin (pikepdf), body of {1 + len(pieces[1]) + len(pieces[2])} pieces and page numbers",
         max(1, args.joins // 10), lambda: pdfjoin.join(pieces[0], pieces[1], pieces[2], **pieces[3])),  # type: ignore[arg-type]
    ]
    for label, joins, fn in rows:
        ms, size = per_join(fn, joins)
        print(f"{label:<75} {ms:8.1f} ms per join ({joins} joins, best of 3)  {size // 1024} kB")


if __name__ == "__main__":
    main()
