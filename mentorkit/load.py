"""Read program.yml safely: YAML 1.2-like scalars, line marks for every value, every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, ProgramError

MAX_BYTES = 2 * 1024 * 1024  # a program is a few kB; 2 MB is generous
MAX_NODES = 50_000  # expanded size (aliases counted every time they are used)
MAX_DEPTH = 40

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """Raw YAML data plus the line and column (1-based) of every key and value in it."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[Problem] = field(default_factory=list)
    """Duplicate keys: reported together with the validation errors."""

    def where(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        """The line and column of `path`, or of its nearest enclosing value that has one."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        for n in range(len(path), -1, -1):
            if path[:n] in self.values:
                return self.values[path[:n]]
        return (None, None)

    def problem(self, path: Path_, message: str, *, severity: str = "error", key: bool = False) -> Problem:
        """A problem located at `path`."""
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, severity, dotted(path), message)  # type: ignore[arg-type]


def dotted(path: Path_) -> str:
    """('goals', 0, 'title') -> 'goals[0].title'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like resolution: no yes/no booleans, no base-60 ints, dates stay strings."""


# Only the core-schema scalars; dates and times are validated by the model, so errors carry a line.
_Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", list("-+0123456789.")),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def _construct_int(loader: yaml.SafeLoader, node: Node) -> int:
    """Decimal only: YAML 1.1 reads 0777 as octal, which no program means."""
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return int(text.replace("_", ""), 10)
    except ValueError:
        raise ConstructorError(None, None, f"{text!r} is not a whole number", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)

def _yaml_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(str(m) for m in (exc.context, exc.problem) if m)
    if "found character '\\t'" in message or "'\\t'" in message:
        message += " (use spaces, not tabs, to indent)"
    if mark is None:
        return Problem(file, None, None, "error", "", f"YAML syntax: {message}")
    return Problem(file, mark.line + 1, mark.column + 1, "error", "", f"YAML syntax: {message}")


def _check_tree(root: Node, file: str) -> list[Problem]:
    """Refuse alias bombs, deep nesting, tags and duplicate keys before anything is constructed."""
    problems: list[Problem] = []
    sizes: dict[int, int] = {}

    def size(node: Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        if id(node) in sizes:
            return sizes[id(node)]
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        sizes[id(node)] = total
        return total

    try:
        if size(root, 0) > MAX_NODES:
            problems.append(Problem(file, 1, 1, "error", "", "too many values once aliases are expanded; "
                                    "refusing what looks like a YAML bomb"))
            return problems
    except _TooDeep as deep:
        m = deep.node.start_mark
        problems.append(Problem(file, m.line + 1, m.column + 1, "error", "",
                                f"data is nested more than {MAX_DEPTH} levels deep"))
        return problems

    seen: set[int] = set()
    dropped: set[int] = set()

    def walk(node: Node) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        m = node.start_mark
        if node.tag not in _PLAIN_TAGS:
            problems.append(Problem(file, m.line + 1, m.column + 1, "error", "",
                                    f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed; "
                                    "tags never construct objects here"))
            return
        if isinstance(node, MappingNode):
            keys: dict[object, Node] = {}
            for k, v in node.value:
                ident = (k.tag, k.value) if isinstance(k, ScalarNode) else id(k)
                if ident in keys:
                    first = keys[ident].start_mark
                    problems.append(Problem(file, k.start_mark.line + 1, k.start_mark.column + 1, "error", "",
                                            f"duplicate key {k.value!r} (first defined on line {first.line + 1})"))
                    dropped.add(id(k))
                else:
                    keys[ident] = k
                walk(k)
                walk(v)
            # keep the first of duplicate keys, so other errors speak of what the user wrote first
            node.value = [(k, v) for k, v in node.value if id(k) not in dropped]
        elif isinstance(node, SequenceNode):
            for item in node.value:
                walk(item)

    walk(root)
    return problems


_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class _TooDeep(Exception):
    def __init__(self, node: Node):
        self.node = node


def _marks(node: Node, path: Path_, located: Located) -> None:
    located.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode):
                child = path + (k.value,)
                located.keys[child] = (k.start_mark.line + 1, k.start_mark.column + 1)
                _marks(v, child, located)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _marks(item, path + (i,), located)


def _decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise ProgramError([Problem(file, None, None, "error", "",
                                    f"file is {len(raw) // 1024 // 1024 or 1} MB or more; a program is at most "
                                    f"{MAX_BYTES // 1024 // 1024} MB, so this is not a program")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ProgramError([Problem(file, 1, 1, "error", "",
                                    "file starts with a byte-order mark; save it as UTF-8 without BOM")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ProgramError([Problem(file, line, col, "error", "",
                                    f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8")]) from None


def parse_yaml(text: str, file: str) -> Located:
    """YAML text -> data with marks; raises ProgramError listing every problem found."""
    loader = None
    duplicates: list[Problem] = []
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None:
            raise ProgramError([Problem(file, 1, 1, "error", "", "file is empty; a program needs at least "
                                        "'mentorkit', 'program.id', 'title', 'type', 'starts' and 'ends' or 'duration'")])
        problems = _check_tree(root, file)
        duplicates = [p for p in problems if p.message.startswith("duplicate key")]
        if len(duplicates) < len(problems):
            raise ProgramError(problems)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise ProgramError([_yaml_problem(file, exc)]) from None
    except yaml.YAMLError as exc:  # reader errors carry a position too
        pos = getattr(exc, "position", None)
        line, col = (None, None)
        if pos is not None:
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = getattr(exc, "character", None)
        what = f"character U+{char:04X}" if isinstance(char, int) else "a character"
        raise ProgramError([Problem(file, line, col, "error", "",
                                    f"{what} is a control character and not allowed in a program")]) from None
    except RecursionError:
        raise ProgramError([Problem(file, 1, 1, "error", "", "data is nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    located = Located(file, data, duplicates=duplicates)
    _marks(root, (), located)
    return located


def read_program_text(path: Path) -> str:
    """Read and decode a program file, refusing oversized and non-UTF-8 files."""
    file = str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ProgramError([Problem(file, None, None, "error", "", "no such file")]) from None
    except IsADirectoryError:
        raise ProgramError([Problem(file, None, None, "error", "", "is a folder, not a program file")]) from None
    except OSError as exc:
        raise ProgramError([Problem(file, None, None, "error", "", f"cannot read: {exc.strerror}")]) from None
    return _decode(raw, file)


def load_yaml(path: Path, display: str | None = None) -> Located:
    """Read a program file into located raw data."""
    return parse_yaml(read_program_text(path), display or str(path))


def load_yaml_bytes(raw: bytes, display: str) -> Located:
    """Parse program bytes (e.g. from a git revision) into located raw data."""
    return parse_yaml(_decode(raw, display), display)


__all__ = ["Located", "load_yaml", "load_yaml_bytes", "parse_yaml", "dotted", "ConstructorError"]
