"""A suite of malformed programs: each exits 2 with a located message, no traceback, quickly, writing nothing."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mentorkit.cli import main

BAD = Path(__file__).parent / "bad"

# file -> (LINE:COL or None, a fragment of the message)
EXPECTED = {
    "01-tab-indent": ("4:1", "use spaces, not tabs"),
    "02-bad-indent": ("4:10", "YAML syntax: mapping values are not allowed here"),
    "03-duplicate-key": ("6:3", "duplicate key 'type' (first defined on line 5)"),
    "04-unknown-key": ("4:3", "program.titel: unknown key 'titel'; did you mean 'title'?"),
    "05-unknown-enum": ("5:9", "did you mean 'one-on-one'?"),
    "06-wrong-type": ("12:11", "cadence.length: expected an interval such as '60 min'"),
    "07-missing-required": ("3:3", "program.title: required key 'title' is missing"),
    "08-impossible-date": ("6:11", "2027-02-30 is not a date in the calendar"),
    "09-ends-before-starts": ("7:9", "ends (2026-10-29) is before starts (2027-02-01)"),
    "10-ends-and-duration": ("3:3", "give 'ends' or 'duration', not both"),
    "11-unknown-timezone": ("14:13", "did you mean 'Europe/London'?"),
    "12-bad-interval": ("11:10", "cannot read 'now and then' as an interval"),
    "13-bad-time": ("13:9", "25:61 is not a time of day"),
    "14-scale-min-max": ("28:14", "max (1) must be greater than min (10)"),
    "15-choice-no-options": ("24:9", "a choice question needs 'options'"),
    "16-options-from-roles": ("27:23", "'roles' is not one of: goals"),
    "17-duplicate-goal-id": ("19:9", "goal id 'first' is used twice"),
    "18-duplicate-survey-id": ("27:9", "survey id 'end' is used twice"),
    "19-duplicate-question-id": ("27:13", "question id 'q' is used twice"),
    "20-bad-slug": ("3:7", "did you mean 'demo-programme'?"),
    "21-unsupported-version": ("1:12", "format version 3 is not supported"),
    "22-missing-version": ("1:1", "required key 'mentorkit' is missing"),
    "23-empty-file": ("1:1", "file is empty"),
    "24-only-comments": ("1:1", "file is empty"),
    "25-top-level-list": ("1:1", "not a list"),
    "26-top-level-string": ("1:1", "not 'just some text'"),
    "27-list-for-mapping": ("11:3", "cadence: expected a mapping"),
    "28-mapping-for-string": ("4:10", "program.title: expected text, got a mapping"),
    "29-bool-for-date": ("6:11", "program.starts: expected a date written YYYY-MM-DD, got true"),
    "30-number-for-text": ("4:10", "expected text, got the number 2027"),
    "31-deep-nesting": ("29:48", "nested more than 40 levels deep"),
    "32-control-character": ("4:14", "character U+001B is a control character"),
    "33-yaml-bomb": ("1:1", "YAML bomb"),
    "34-python-object-tag": ("4:10", "YAML tag '!!python/object/apply:os.system' is not allowed"),
    "35-custom-tag": ("4:10", "YAML tag '!include' is not allowed"),
    "36-merge-key": ("12:3", "cadence.<<: unknown key '<<'"),
    "37-multiple-documents": ("29:1", "expected a single document"),
    "38-pages-dotdot": ("28:5", "leaves the program's folder"),
    "39-pages-absolute": ("28:5", "is an absolute path"),
    "40-logo-file-url": ("9:11", "'file:///etc/passwd' is a URL"),
    "41-logo-metadata-url": ("9:11", "'http://169.254.169.254/latest/meta-data/logo.svg' is a URL"),
    "42-bad-colour": ("10:13", "expected a hex colour"),
    "43-bad-language": ("6:13", "expected a BCP 47 language tag"),
    "44-missing-page": ("28:5", "'missing.md' does not exist"),
}


def _project(tmp_path: Path, name: str, data: bytes) -> Path:
    """A program folder holding the bad program and the files the good parts refer to."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(BAD / "charter.md", folder / "charter.md")
    shutil.copy(BAD / "logo.svg", folder / "logo.svg")
    path = folder / name
    path.write_bytes(data)
    return path


def _build_fails(path: Path, where: str | None, fragment: str) -> None:
    out = path.parent / "out"
    before = sorted(p.name for p in path.parent.iterdir())
    start = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    elapsed = time.monotonic() - start
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    prefix = f"{path}:{where}: error: " if where else f"{path}: error: "
    assert any(line.startswith(prefix) and fragment in line for line in result.stderr.splitlines()), result.stderr
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert sorted(p.name for p in path.parent.iterdir()) == before, "something was written"


def test_suite_is_complete():
    assert sorted(p.stem for p in BAD.glob("*.yml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_program(tmp_path, name):
    where, fragment = EXPECTED[name]
    path = _project(tmp_path, "program.yml", (BAD / f"{name}.yml").read_bytes())
    _build_fails(path, where, fragment)


GOOD = (BAD / "04-unknown-key.yml").read_text(encoding="utf-8").replace("titel:", "title:")


def test_good_base_is_valid(tmp_path):
    path = _project(tmp_path, "program.yml", GOOD.encode())
    assert CliRunner().invoke(main, ["check", str(path), "--strict"]).exit_code == 0


def test_not_utf8(tmp_path):
    path = _project(tmp_path, "program.yml", GOOD.replace("Demo programme", "Démo").encode("latin-1"))
    _build_fails(path, "4:11", "byte 0xe9 is not UTF-8")


def test_byte_order_mark(tmp_path):
    path = _project(tmp_path, "program.yml", b"\xef\xbb\xbf" + GOOD.encode())
    _build_fails(path, "1:1", "byte-order mark")


def test_thirty_megabytes(tmp_path):
    path = _project(tmp_path, "program.yml", GOOD.encode() + b"# padding\n" * (3 * 1024 * 1024))
    _build_fails(path, None, "a program is at most 2 MB")


def test_page_through_a_symlink_out_of_the_folder(tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("secret\n", encoding="utf-8")
    path = _project(tmp_path, "program.yml", GOOD.replace("- charter.md", "- link.md").encode())
    (path.parent / "link.md").symlink_to(outside)
    _build_fails(path, "28:5", "resolves outside the program's folder (through a symbolic link)")


def test_logo_through_a_symlink_out_of_the_folder(tmp_path):
    path = _project(tmp_path, "program.yml", GOOD.replace("logo: logo.svg", "logo: passwd.svg").encode())
    (path.parent / "passwd.svg").symlink_to("/etc/passwd")
    _build_fails(path, "9:11", "resolves outside the program's folder")
