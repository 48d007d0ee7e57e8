"""`mentorkit check` keeps its verdict in the cache: read back only while nothing it depends on changed."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from click.testing import CliRunner
from conftest import ROOT, copy_reference

from mentorkit import verdict
from mentorkit.cli import main

WARNS = "mentorkit: 1\nprogram:\n  id: x\n  title: X\n  type: peer\n  starts: 2027-01-04\n  duration: 3 months\nsurveys: []\n"


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def test_a_second_check_reads_back_the_same_report(write_program):
    path = write_program(WARNS)
    first, again, fresh = run(str(path)), run(str(path)), run(str(path), "--no-cache")
    assert not verdict.check(path, use_cache=False).cached and verdict.check(path).cached
    assert f"{path}:8:10: warning: surveys: no conclusion survey" in first.stderr
    assert f"{path}: ok: X (peer), 2027-01-04 to " in first.stdout and "1 warning" in first.stdout
    for result in (again, fresh):  # the same words on both streams, and the same exit code
        assert (result.exit_code, result.stdout, result.stderr) == (first.exit_code, first.stdout, first.stderr)
    as_json = run(str(path), "--format", "json")
    assert as_json.exit_code == 0 and '"message": "no conclusion survey' in as_json.stdout


def test_an_edit_is_checked_again(write_program):
    path = write_program(WARNS)
    assert run(str(path)).exit_code == 0
    path.write_text(WARNS.replace("surveys: []\n", "surveys: []\ngoals: 7\n"))
    result = run(str(path))
    assert result.exit_code == 2 and f"{path}:9:8: error: goals:" in result.stderr
    path.write_text(WARNS.replace("title: X", "title: Y"))
    assert not verdict.check(path).cached and "ok: Y (peer)" in run(str(path)).stdout


def test_a_file_the_program_names_that_is_gone_is_reported(tmp_path):
    program = copy_reference(tmp_path)
    assert run(str(program)).exit_code == 0 and verdict.check(program).cached
    (tmp_path / "assets" / "logo.svg").unlink()
    result = run(str(program))
    assert result.exit_code == 2 and "program.branding.logo: 'assets/logo.svg' does not exist" in result.stderr


def test_strict_errors_and_failed_programs_are_never_kept(write_program, tmp_path):
    path = write_program(WARNS)
    for _ in range(2):
        result = run(str(path), "--strict")
        assert result.exit_code == 2 and "error: surveys: no conclusion survey" in result.stderr
    bad = write_program("mentorkit: 1\nprogram: {}\n", name="bad.yml")
    run(str(bad)), run(str(bad))
    assert not (tmp_path / ".mentorkit-cache" / "check").exists()


def test_a_teams_own_catalogue_and_another_day_are_new_inputs(write_program, monkeypatch):
    path = write_program(WARNS)
    run(str(path))
    assert verdict.check(path).cached
    (path.parent / "en.po").write_text('msgid "Downloads"\nmsgstr "Files to take away"\n')
    assert not verdict.check(path).cached  # the team's words can bring their own warnings

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date.today() + dt.timedelta(days=1)

    monkeypatch.setattr(verdict, "date", Tomorrow)  # a date far from today is refused: the day is an input
    assert not verdict.check(path).cached


def test_no_cache_reads_and_writes_nothing(write_program, tmp_path):
    path = write_program(WARNS)
    assert run(str(path), "--no-cache").exit_code == 0
    assert not (tmp_path / ".mentorkit-cache").exists()
    run(str(path))
    entry = next((tmp_path / ".mentorkit-cache" / "check").iterdir())
    entry.write_bytes(entry.read_bytes()[:40] + b"damaged")  # a damaged entry is a miss, never a wrong verdict
    assert not verdict.check(path).cached
    assert (tmp_path / ".mentorkit-cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_verdict_read_back_loads_no_model(write_program):
    """What makes a repeated check quick: the model (pydantic) and the YAML parser stay unloaded."""
    path = write_program(WARNS)
    code = ("import sys; from click.testing import CliRunner; from mentorkit.cli import main; "
            f"r = CliRunner().invoke(main, ['check', {str(path)!r}]); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml')))")
    first = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    again = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "pydantic" in first.stdout, first.stderr  # the first check validates
    assert again.stdout.strip() == "[]", again.stderr
