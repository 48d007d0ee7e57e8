"""The house rules a newcomer relies on: other libraries through their public doors only, no
import cycles, build() as a table of contents."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "mentorkit"
# the private or undocumented internals mentorkit once leaned on, and any monkeypatching of them
FORBIDDEN = [
    r"_build_page", r"Page\.render\s*=", r"_title_from_render", r"present_anchor_ids", r"links_to_anchors",
    r"search_index\.entries", r"\.get_env\s*=", r"_get_object_from_stream", r"StreamObject\._data", r"\.xref\b",
    r"xref_objStm", r"\bcffi\b", r"pydyf\.zlib", r"find_library\s*=", r"setattr\(ctypes", r"sys\.modules\[[^\]]+\]\s*=",
    r"sys\.modules\.update", r"atexit\._run_exitfuncs", r"os\._exit", r"\._processes", r"gc\.freeze",
    r"CSafeLoader", r"CLoader",
]


def _sources() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_private_internals_of_other_libraries():
    found = [f"{name}: {pattern}" for name, text in _sources().items() for pattern in FORBIDDEN
             if re.search(pattern, text)]
    assert not found, found


def test_no_private_attribute_of_another_librarys_objects():
    """`x._name` where x is not mentorkit's own (self, cls, a module of the package)."""
    own = {p.stem for p in PACKAGE.glob("*.py")}
    found = []
    for name, text in _sources().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                if isinstance(owner, ast.Name) and (owner.id in ("self", "cls") or owner.id in own):
                    continue
                found.append(f"{name}:{node.lineno}: .{node.attr}")
    assert not found, found


def _imports(path: Path) -> set[str]:
    """The package's own modules that `path` imports, anywhere in it (functions included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mentorkit."):
            out.add(node.module.split(".")[1])
    return out & {p.stem for p in PACKAGE.glob("*.py")}


def test_no_import_cycles():
    graph = {p.stem: _imports(p) - {p.stem} for p in PACKAGE.glob("*.py")}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif len(path) < 12:
                visit(nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert not cycles, sorted(set(cycles))[:10]


def test_build_reads_like_a_table_of_contents():
    """build() is short, and every stage it calls is named in it."""
    tree = ast.parse((PACKAGE / "build.py").read_text(encoding="utf-8"))
    functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    for name in ("build", "_build"):
        body = functions[name]
        assert body.end_lineno - body.lineno < 45, f"{name}() has grown past a page"
    text = ast.unparse(functions["_build"])
    for stage in ("load_program", "build_date", "Context.of", "write_docs", "printing.render", "calendar_bytes",
                  "write_files"):
        assert stage in text, stage
    assert "os.environ" not in (PACKAGE / "build.py").read_text(encoding="utf-8")  # values travel as arguments
