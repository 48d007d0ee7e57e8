"""The code stays ruff- and mypy-clean (STYLE.md habit 9)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import IN_CI, ROOT


def _tool(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} is a test dependency (pip install -e .[test])")
        pytest.skip(f"{module} not installed")


def test_ruff():
    _tool("ruff")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "mentorkit", "tests", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy():
    _tool("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "mentorkit"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
