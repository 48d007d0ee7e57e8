"""The only writer: atomic swap, foreign folders refused, failures leave the old output as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mentorkit.errors import OutputError
from mentorkit.output import MARKER, check_target, staged, write_files


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_into(out: Path, files: dict[str, bytes]) -> None:
    with staged(out) as stage:
        write_files(stage, files)


def test_first_build_creates_folder_with_manifest(tmp_path):
    out = tmp_path / "site"
    build_into(out, {"index.html": b"hi", "print/a.pdf": b"%PDF"})
    assert snapshot(out).keys() == {"index.html", "print/a.pdf", MARKER}
    assert json.loads((out / MARKER).read_text())["files"] == ["index.html", "print/a.pdf"]
    assert not [p for p in tmp_path.iterdir() if p.name != "site"], "staging folder left behind"


def test_rebuild_replaces_old_output(tmp_path):
    out = tmp_path / "site"
    build_into(out, {"old.html": b"old"})
    build_into(out, {"new.html": b"new"})
    assert snapshot(out).keys() == {"new.html", MARKER}


def test_failed_build_leaves_previous_output_byte_identical(tmp_path):
    out = tmp_path / "site"
    build_into(out, {"index.html": b"v1", "print/a.pdf": b"%PDF-1"})
    before = snapshot(out)
    with pytest.raises(RuntimeError):
        with staged(out) as stage:
            write_files(stage, {"index.html": b"v2"})
            raise RuntimeError("renderer crashed")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_foreign_non_empty_folder_is_refused(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(OutputError, match="was not made by mentorkit"):
        build_into(out, {"index.html": b"x"})
    assert (out / "thesis.tex").read_text() == "years of work"


def test_file_added_by_hand_to_output_is_never_deleted(tmp_path):
    out = tmp_path / "site"
    build_into(out, {"index.html": b"x"})
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="notes.txt"):
        build_into(out, {"index.html": b"y"})
    assert (out / "notes.txt").read_text() == "mine"


def test_empty_existing_folder_is_fine(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    build_into(out, {"index.html": b"x"})
    assert (out / "index.html").read_bytes() == b"x"


@pytest.mark.parametrize("target", ["/", "~", ".", ".."])
def test_dangerous_targets_are_refused(tmp_path, monkeypatch, target):
    work = tmp_path / "project" / "sub"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(OutputError, match="refusing"):
        check_target(Path(target).expanduser())


def test_program_folder_is_refused(tmp_path):
    (tmp_path / "program.yml").write_text("x")
    with pytest.raises(OutputError, match="holds program.yml"):
        check_target(tmp_path, program_root=tmp_path)


def test_writer_refuses_paths_outside_the_folder(tmp_path):
    with pytest.raises(OutputError):
        with staged(tmp_path / "site") as stage:
            write_files(stage, {"../escape.txt": b"x"})
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "site").exists()


def test_leftover_staging_from_a_killed_build_is_cleaned(tmp_path):
    leftover = tmp_path / ".mentorkit-staging-site-abc123"
    leftover.mkdir()
    (leftover / "half.html").write_text("half")
    build_into(tmp_path / "site", {"index.html": b"x"})
    assert not leftover.exists()
