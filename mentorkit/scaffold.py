"""`mentorkit new`: a starter project for each program type, which passes `check` as written."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from .defaults import TYPES
from .errors import OutputError
from .model import ProgramType, json_schema

_DURATION = {"flash": "1 day", "group": "6 months", "peer": "6 months", "virtual": "6 months"}

_PROGRAM = """\
# yaml-language-server: $schema=./program.schema.json
# {name} program. Run `mentorkit check` after each edit and `mentorkit build` to make the handbook.
mentorkit: 1

program:
  id: {id}
  title: {title}
  organisation: Your organisation
  type: {type}
  summary: >
    {summary}
  starts: {starts}
  duration: {duration}
  contact:
    name: Programme team
    email: mentoring@example.org
  objectives:
    - Help participants grow in their roles
{group}
cadence:
{every}  length: {length}
  weekday: tuesday
  time: "10:00"
  timezone: Europe/London

goals:
  - id: first-goal
    title: Replace this with the mentee's first goal
    horizon: habit
    specific: What exactly will be done.
    measurable: How you will know it is done.
    achievable: Why it is within reach, and with what help.
    relevant: Why it matters now.
    time_bound: {deadline}

pages:
  - content/charter.md
"""

_CHARTER = """\
# Programme charter

Write here what the programme promises its participants and what it asks of them:
how often partners meet, what stays confidential, and whom to contact.
"""

_GITIGNORE = "site/\n.mentorkit-cache/\n.mentorkit-staging-*/\n.venv/\n"


def _first_monday_after(today: date) -> date:
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def scaffold(folder: Path, program_type: ProgramType, *, today: date | None = None) -> list[Path]:
    """Write a starter project into `folder` (which must not exist or be empty); never overwrites."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder}: already exists and is not empty; mentorkit new never overwrites files")
    t = TYPES[program_type]
    starts = _first_monday_after(today or date.today())
    duration = _DURATION.get(program_type.value, "9 months")
    every = "" if program_type == ProgramType.flash else f"  every: {t.every}\n"
    group = "  group:\n    size: 6\n" if program_type == ProgramType.group else ""
    deadline = starts + timedelta(weeks=6)
    slug = folder.resolve().name.lower()
    slug = "-".join("".join(c if c.isalnum() else " " for c in slug).split()) or "my-program"
    text = _PROGRAM.format(name=t.name, id=slug, title=f"{t.name} {starts.year}", type=program_type.value,
                           summary=t.summary, starts=starts.isoformat(), duration=duration, group=group,
                           every=every, length=t.length, deadline=deadline.isoformat())
    files = {
        "program.yml": text,
        "program.schema.json": json.dumps(json_schema(), indent=2, sort_keys=True) + "\n",
        "content/charter.md": _CHARTER,
        ".gitignore": _GITIGNORE,
    }
    written = []
    for rel, body in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as fh:  # "x": never overwrite
            fh.write(body)
        written.append(target)
    return written
