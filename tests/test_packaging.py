"""The wheel carries the content library and templates, and the installed CLI finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("mentorkit-*.whl")
    return found


@pytest.mark.slow
def test_wheel_ships_content_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("content", "templates"):
        expected = {f"mentorkit/{p.relative_to(ROOT).as_posix()}" for p in (ROOT / folder).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts}
        assert expected, folder
        assert expected <= names, sorted(expected - names)[:5]
    assert "mentorkit/cli.py" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "mentorkit = mentorkit.cli:run" in metadata


@pytest.mark.slow
def test_installed_wheel_uses_packaged_content(wheel, tmp_path):
    target = tmp_path / "site-packages"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    code = ("import mentorkit.resources as r; print(r.builtin_dir('content')); print(r.builtin_dir('templates'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    content, templates = done.stdout.split()
    assert Path(content) == target / "mentorkit" / "content"
    assert Path(templates) == target / "mentorkit" / "templates"
