"""The command line through click's CliRunner: exit codes, messages, scaffolds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import REFERENCE, ROOT, copy_reference

from mentorkit import __version__
from mentorkit.cli import main

TYPES = ["one-on-one", "group", "peer", "reverse", "flash", "virtual"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_check_reference_program():
    result = run("check", str(REFERENCE), "--strict")
    assert result.exit_code == 0, result.output
    assert "ok: Reverse Mentoring Programme 2027 (reverse), 2027-02-01 to 2027-10-29, 17 meetings" in result.output


def test_check_defaults_to_program_yml_in_the_current_folder(tmp_path, monkeypatch):
    copy_reference(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run("check").exit_code == 0


def test_errors_exit_2_without_traceback(write_program):
    path = write_program("mentorkit: 1\nprogram:\n  id: x\n  title: X\n  type: mentoring\n  starts: 2027-01-01\n"
                         "  duration: 3 months\n  colour: red\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{path}:5:9: error: program.type: 'mentoring' is not one of" in result.stderr
    assert f"{path}:8:3: error: program.colour: unknown key 'colour'" in result.stderr


def test_missing_file():
    result = run("check", "no-such-program.yml")
    assert result.exit_code == 2
    assert "no-such-program.yml: error: no such file" in result.stderr


def test_warnings_exit_0_and_strict_exits_2(write_program):
    path = write_program("mentorkit: 1\nprogram:\n  id: x\n  title: X\n  type: peer\n  starts: 2027-01-01\n"
                         "  duration: 3 months\nsurveys: []\n")
    result = run("check", str(path))
    assert result.exit_code == 0
    assert f"{path}:8:10: warning: surveys: no conclusion survey" in result.stderr
    strict = run("check", str(path), "--strict")
    assert strict.exit_code == 2
    assert f"{path}:8:10: error: surveys: no conclusion survey" in strict.stderr


def test_check_json_format(write_program):
    path = write_program("mentorkit: 1\nprogram: []\n")
    result = run("check", str(path), "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problems"][0] == {"file": str(path), "line": 2, "column": 10, "severity": "error",
                                     "path": "program", "message": "expected a mapping (indented 'key: value' "
                                     "lines), got a list"}


def test_explain_fills_defaults_and_prints_the_timeline(write_program):
    path = write_program("mentorkit: 1\nprogram:\n  id: x\n  title: X\n  type: peer\n  starts: 2027-01-04\n"
                         "  duration: 6 months\n")
    result = run("check", str(path), "--explain")
    assert result.exit_code == 0
    out = result.output
    assert "mentor: Peer" in out and "mentee: Peer" in out
    assert "every: 2 weeks" in out and "length: 45 min" in out
    assert "initiation    2027-01-04 to" in out
    assert "meeting   1  Tue 2027-01-05 10:00 UTC  initiation" in out


@pytest.mark.parametrize("kind", TYPES)
def test_new_scaffold_passes_check(tmp_path, kind):
    folder = tmp_path / f"{kind}-program"
    result = run("new", str(folder), "--type", kind)
    assert result.exit_code == 0, result.output
    text = (folder / "program.yml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=./program.schema.json\n")
    assert (folder / "content" / "charter.md").is_file()
    ignored = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "site/" in ignored and ".mentorkit-cache/" in ignored
    json.loads((folder / "program.schema.json").read_text(encoding="utf-8"))
    check = run("check", str(folder / "program.yml"), "--strict")
    assert check.exit_code == 0, check.output
    assert f"({kind})" in check.output


def test_new_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("new", str(tmp_path), "--type", "peer")
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_schema_command_prints_json_schema():
    result = run("schema")
    schema = json.loads(result.output)
    assert schema["title"] == "ProgramFile"
    assert {"mentorkit", "program"} <= set(schema["required"])


def test_version_and_help_with_examples():
    assert __version__ in run("--version").output
    for command in ["check", "build", "serve", "workbooks", "new", "schema", "diff"]:
        out = run(command, "--help").output
        assert "Examples:" in out and "mentorkit " + command in out, command


def test_the_command_ends_with_its_output_whole_and_its_exit_code():
    """The process ends without the interpreter's teardown: what it printed must still all arrive
    through a pipe, and errors must still exit with 2."""
    schema = subprocess.run([sys.executable, "-m", "mentorkit", "schema"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"] == "ProgramFile"
    bad = subprocess.run([sys.executable, "-m", "mentorkit", "check", str(ROOT / "tests" / "bad" / "03-duplicate-key.yml")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "duplicate key 'type'" in bad.stderr and "Traceback" not in bad.stderr


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "mentorkit", "check", str(REFERENCE)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_check_does_not_import_mkdocs_or_weasyprint():
    code = ("import sys; from click.testing import CliRunner; from mentorkit.cli import main; "
            f"r = CliRunner().invoke(main, ['check', {str(REFERENCE)!r}]); assert r.exit_code == 0; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'weasyprint', 'material')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_check_several_files_reports_each(tmp_path, write_program):
    good = copy_reference(tmp_path / "good")
    bad = write_program("mentorkit: 1\nprogram: {}\n", name="bad.yml")
    result = run("check", str(good), str(bad))
    assert result.exit_code == 2
    assert f"{good}: ok:" in result.stdout
    assert f"{bad}:2:10: error: program.id: required key 'id' is missing" in result.stderr
