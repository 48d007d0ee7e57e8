"""Shared fixtures: paths, tiny programs written inline, and tool checks that fail (not skip) in CI."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "program.yml"
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI") == "true"

MINIMAL = """\
mentorkit: 1
program:
  id: minimal
  title: Minimal program
  type: {type}
  starts: 2027-03-01
  duration: {duration}
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def need_tool(name: str) -> str:
    """Path of an external tool; skip without it locally, fail without it in CI."""
    found = shutil.which(name) or (name if Path(name).is_file() else None)
    if found is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (.ci/run installs it)")
        pytest.skip(f"{name} not installed")
    return found


@pytest.fixture
def write_program(tmp_path: Path):
    """Write a program.yml (dedented) into a fresh folder and return its path."""

    def write(text: str, name: str = "program.yml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


def minimal(program_type: str = "one-on-one", duration: str = "9 months") -> str:
    """The five-line program of a type."""
    return MINIMAL.format(type=program_type, duration=duration)


def copy_reference(folder: Path) -> Path:
    """The reference program with the files it refers to (logo, charter page), copied into `folder`."""
    (folder / "assets").mkdir(parents=True, exist_ok=True)
    (folder / "content").mkdir(exist_ok=True)
    shutil.copy(REFERENCE, folder / "program.yml")
    shutil.copy(ROOT / "assets" / "logo.svg", folder / "assets" / "logo.svg")
    shutil.copy(ROOT / "content" / "charter.md", folder / "content" / "charter.md")
    return folder / "program.yml"
