"""Roster CSV -> participants, with row-numbered errors for everything wrong at once."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, RosterError
from .suggest import closest

COLUMNS = ("name", "email", "role", "group")
ROLES = ("mentor", "mentee")
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Participant:
    """One person on the roster."""

    name: str
    email: str
    role: str
    group: str
    row: int


def read_roster(path: str | Path) -> list[Participant]:
    """Read and check a roster; raise RosterError listing every bad row."""
    path = Path(path)
    file = str(path)

    def fail(row: int | None, message: str) -> Problem:
        return Problem(file, row, None, "error", "", message)

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError([fail(None, f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise RosterError([fail(None, "file is larger than 5 MB; is this a roster?")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RosterError([fail(line, f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the roster as UTF-8 "
                                     "(in Excel: CSV UTF-8)")]) from None
    if not text.strip():
        raise RosterError([fail(1, "roster is empty; expected a header row: name,email,role,group")])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        unknown = [h for h in header if h not in COLUMNS]
        raise RosterError([fail(1, f"missing column {column!r}{closest(column, unknown)}; the header must name: "
                                   f"{', '.join(COLUMNS)}") for column in missing])
    index = {c: header.index(c) for c in COLUMNS}
    problems: list[Problem] = []
    people: list[Participant] = []
    emails: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.append(fail(row_number, f"has {len(row)} fields, the header has {len(header)}"))
            continue
        name, email, role, group = (row[index[c]].strip() for c in COLUMNS)
        if not name:
            problems.append(fail(row_number, "name is empty"))
        if role.lower() not in ROLES:
            problems.append(fail(row_number, f"role {role!r} is not mentor or mentee{closest(role, ROLES)}"))
        if not email or "@" not in email:
            problems.append(fail(row_number, f"email {email!r} is not an e-mail address"))
        elif email.lower() in emails:
            problems.append(fail(row_number, f"email {email!r} is already used on row {emails[email.lower()]}"))
        else:
            emails[email.lower()] = row_number
        if not group:
            problems.append(fail(row_number, "group is empty; give pairs and circles a name such as pair-01"))
        people.append(Participant(name, email, role.lower(), group, row_number))
    if not people and not problems:
        problems.append(fail(2, "roster has a header but no participants"))
    groups: dict[str, list[Participant]] = defaultdict(list)
    for person in people:
        groups[person.group].append(person)
    for group, members in groups.items():
        if group and not any(p.role == "mentor" for p in members):
            problems.append(fail(members[0].row, f"group {group!r} has no mentor"))
    if problems:
        raise RosterError(problems)
    return people
