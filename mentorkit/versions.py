"""Program versions in git: read program.yml at a revision, and diff two versions semantically.

The diff compares the *effective* programs (defaults filled in), so that a change of type that
changes the role labels or the cadence shows, and a default written out explicitly does not.
Goals, surveys and questions are identified by their ids: reordering them is not a change.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .errors import GitError, MentorkitError
from .model import ProgramFile
from .project import load_program, load_program_bytes

SECTIONS = ["program", "cadence", "matching", "goals", "checklists", "feedback", "surveys", "pages", "print", "site"]
Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One semantic change."""

    section: str
    kind: Kind
    path: str
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class Version:
    """One version of program.yml in git history, with its changes against the previous one."""

    rev: str
    date: str
    label: str
    changes: tuple[Change, ...]


# --- reading ------------------------------------------------------------------------------

def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git could not be run: {exc}") from None


def _repo(program: Path) -> tuple[Path, str]:
    folder = program.resolve().parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        raise GitError(f"{program}: not inside a git repository, so revisions cannot be read")
    root = Path(top.stdout.decode().strip())
    return root, program.resolve().relative_to(root).as_posix()


def names_in_history(program: Path) -> list[str]:
    """Every path program.yml had in history (newest first), following renames."""
    root, rel = _repo(program)
    log = _git(["log", "--follow", "--name-only", "--format=", "--", rel], root)
    names = [rel]
    for line in log.stdout.decode().splitlines():
        if line.strip() and line.strip() not in names:
            names.append(line.strip())
    return names


def read_revision(rev: str, program: Path) -> bytes:
    """program.yml as it was at `rev`, found under the name it had then."""
    root, _ = _repo(program)
    if _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).returncode != 0:
        raise GitError(f"{rev!r} is neither a file nor a git revision")
    for name in names_in_history(program):
        shown = _git(["show", f"{rev}:{name}"], root)
        if shown.returncode == 0:
            return shown.stdout
    raise GitError(f"{program.name} does not exist at {rev}")


def load_side(spec: str | None, program: Path) -> ProgramFile:
    """A side of a diff: None (the working tree), an existing file, or a git revision."""
    if spec is None:
        return load_program(program).program
    path = Path(spec)
    if path.is_file():
        return load_program(path).program
    raw = read_revision(spec, program)
    return load_program_bytes(raw, f"{spec}:{program.name}", program.resolve().parent).program


# --- diffing ------------------------------------------------------------------------------

def _dump(pf: ProgramFile) -> dict[str, Any]:
    return pf.model_dump(mode="json", by_alias=True)


def _walk(section: str, path: str, old: Any, new: Any, out: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else key
            if key not in new:
                out.append(Change(section, "removed", sub, old[key], None))
            elif key not in old:
                out.append(Change(section, "added", sub, None, new[key]))
            else:
                _walk(section, sub, old[key], new[key], out)
        return
    out.append(Change(section, "changed", path, old, new))


def _by_id(section: str, prefix: str, old: list[dict[str, Any]], new: list[dict[str, Any]],
           out: list[Change], nested: str | None = None) -> None:
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    for key, item in before.items():
        if key not in after:
            out.append(Change(section, "removed", f"{prefix}{key}", item.get("title") or item.get("text"), None))
    for key, item in after.items():
        if key not in before:
            out.append(Change(section, "added", f"{prefix}{key}", None, item.get("title") or item.get("text")))
    for key in (k for k in after if k in before):
        a, b = dict(before[key]), dict(after[key])
        if nested:
            _by_id(section, f"{prefix}{key}.{nested}.", a.pop(nested, []) or [], b.pop(nested, []) or [], out)
        _walk(section, f"{prefix}{key}", a, b, out)


def diff_programs(old: ProgramFile, new: ProgramFile) -> list[Change]:
    """Every semantic change from `old` to `new`, grouped by section in file order."""
    a, b = _dump(old), _dump(new)
    out: list[Change] = []
    for section in SECTIONS:
        if section == "goals":
            _by_id(section, "goals.", a["goals"], b["goals"], out)
        elif section == "surveys":
            _by_id(section, "surveys.", a["surveys"] or [], b["surveys"] or [], out, nested="questions")
        else:
            _walk(section, section, a.get(section), b.get(section), out)
    return out


# --- formatting ---------------------------------------------------------------------------

def _value(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, str):
        return repr(" ".join(v.split()))
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def _shift(change: Change) -> str:
    try:
        days = (date.fromisoformat(change.new) - date.fromisoformat(change.old)).days
    except (TypeError, ValueError):
        return ""
    if days == 0:
        return ""
    return f" ({abs(days)} day{'s' if abs(days) != 1 else ''} {'later' if days > 0 else 'earlier'})"


def describe(change: Change) -> str:
    """One change as a line of text."""
    what = change.path.removeprefix(change.section + ".") if change.section not in ("goals", "surveys") \
        else change.path
    if change.kind == "added":
        return f"+ {what}: {_value(change.new)}"
    if change.kind == "removed":
        return f"- {what}: {_value(change.old)}"
    verb = " reworded" if change.path.endswith(".text") and ".questions." in change.path else ""
    return f"~ {what}{verb}: {_value(change.old)} -> {_value(change.new)}{_shift(change)}"


def format_text(changes: list[Change], color: bool = False) -> str:
    """Changes grouped by section, as plain (optionally coloured) text."""
    import click

    lines: list[str] = []
    for section in SECTIONS:
        group = [c for c in changes if c.section == section]
        if not group:
            continue
        lines.append(click.style(section, bold=True) if color else section)
        for change in group:
            line = "  " + describe(change)
            if color:
                line = click.style(line, fg={"added": "green", "removed": "red", "changed": "yellow"}[change.kind])
            lines.append(line)
    return "\n".join(lines) if lines else "no changes"


def format_markdown(changes: list[Change], heading_level: int = 2) -> str:
    """Changes as Markdown: a heading per section and a bullet per change (user text escaped)."""
    from .templating import md

    marks = {"added": "Added", "removed": "Removed", "changed": "Changed"}
    lines: list[str] = []
    for section in SECTIONS:
        group = [c for c in changes if c.section == section]
        if not group:
            continue
        lines += ["#" * heading_level + f" {section.capitalize()}", ""]
        for change in group:
            lines.append(f"- **{marks[change.kind]}** {md(describe(change)[2:])}")
        lines.append("")
    return "\n".join(lines) if lines else "No changes.\n"


def format_json(changes: list[Change]) -> str:
    """Changes as a stable JSON document."""
    return json.dumps({"changes": [asdict(c) for c in changes]}, indent=2, ensure_ascii=False, sort_keys=True)


# --- history ------------------------------------------------------------------------------

def history(program: Path) -> list[Version]:
    """Each tagged version of program.yml (or each commit touching it, without tags), oldest first."""
    root, rel = _repo(program)
    names = names_in_history(program)
    tags = _git(["tag", "--merged", "HEAD", "--sort=creatordate", "--format=%(refname:short)"], root)
    revs: list[tuple[str, str]] = []
    for tag in tags.stdout.decode().split():
        if any(_git(["cat-file", "-e", f"{tag}:{n}"], root).returncode == 0 for n in names):
            revs.append((tag, tag))
    if not revs:
        log = _git(["log", "--follow", "--reverse", "--format=%h %s", "--", rel], root)
        revs = [(line.split(" ", 1)[0], line) for line in log.stdout.decode().splitlines() if line.strip()]
    versions: list[Version] = []
    previous: ProgramFile | None = None
    for rev, label in revs:
        when = _git(["log", "-1", "--format=%cI", rev], root).stdout.decode().strip()
        try:
            current = load_program_bytes(read_revision(rev, program), f"{rev}:{rel}", program.resolve().parent).program
        except MentorkitError:
            continue  # an invalid version cannot be compared; the next valid one is compared with the last valid
        changes = tuple(diff_programs(previous, current)) if previous else ()
        versions.append(Version(rev, when, label, changes))
        previous = current
    return versions
