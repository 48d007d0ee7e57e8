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


def _requirements() -> list[str]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def test_every_runtime_dependency_has_a_lower_and_an_upper_bound():
    from packaging.requirements import Requirement

    for line in _requirements():
        spec = Requirement(line).specifier
        assert any(s.operator == ">=" for s in spec) and any(s.operator == "<" for s in spec), line


def test_the_lowest_constraints_are_the_lower_bounds():
    """constraints/lowest.txt (what `make test-lowest` and CI install) pins each lower bound."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lower = {canonicalize_name(Requirement(line).name): next(s.version for s in Requirement(line).specifier
                                                            if s.operator == ">=") for line in _requirements()}
    pinned = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pinned[canonicalize_name(name)] = version
    assert pinned == lower


def test_everything_imported_is_declared():
    """Every third-party module mentorkit imports belongs to a declared runtime dependency."""
    import ast
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    declared = {canonicalize_name(Requirement(line).name) for line in _requirements()}
    providers = metadata.packages_distributions()
    missing = set()
    for path in (ROOT / "mentorkit").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "mentorkit":
                    continue
                if not {canonicalize_name(d) for d in providers.get(top, [])} & declared:
                    missing.add(f"{path.name}: {top}")
    assert not missing, sorted(missing)
