"""Registrations + the program's criteria -> an optimal roster and a plain explanation of it (in the program's language).

The order of priorities is fixed: match as many mentees as the hard rules and the mentors' capacity
allow, then the highest total score, then the order of the registrations. All three are folded into
one cost matrix for `scipy.optimize.linear_sum_assignment` (each mentor repeated once per free place),
so the answer is optimal rather than greedy.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .defaults import TYPES
from .errors import MentorkitError, Problem, ProgramError, RosterError
from .i18n import ENGLISH, N_, Language
from .model import REGISTRATION_COLUMNS, Criterion, MatchRule, ProgramType, Roles
from .roster import Participant, read_roster
from .suggest import closest

MAX_BYTES = 5 * 1024 * 1024
ROLES = ("mentor", "mentee")
# Overlap scores are shares such as 2/3; a unit of 1/2520 point (the least common multiple of 1..10)
# keeps every share of a list of up to ten values exact, so equal scores compare equal.
QUANTUM = 2520

Answers = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Registrant:
    """One person who registered: their role and their answers, criterion id -> values."""

    name: str
    email: str
    role: str
    answers: Answers
    line: int


@dataclass(frozen=True)
class Fit:
    """How one pair does on one criterion."""

    criterion: Criterion
    points: float
    mentor_values: tuple[str, ...]
    mentee_values: tuple[str, ...]
    shared: tuple[str, ...]


@dataclass(frozen=True)
class Pair:
    """A mentor and one of their mentees, with the score on every criterion."""

    mentor: Registrant
    mentee: Registrant
    fits: tuple[Fit, ...]
    kept: bool = False

    @property
    def score(self) -> float:
        """Total points on all criteria."""
        return sum(f.points for f in self.fits)

    @property
    def broken_rules(self) -> tuple[Fit, ...]:
        """Hard rules this pair breaks (only possible for a kept pair)."""
        return tuple(f for f in self.fits if f.criterion.rule == MatchRule.different and f.shared)


@dataclass(frozen=True)
class Group:
    """A pair, or a circle: one mentor (sometimes with co-mentors from a kept roster) and their mentees."""

    name: str
    mentor: Registrant
    pairs: tuple[Pair, ...]
    co_mentors: tuple[Registrant, ...] = ()
    kept: bool = False


@dataclass(frozen=True)
class Unmatched:
    """Someone left without a partner, and why."""

    person: Registrant
    reason: str


@dataclass(frozen=True)
class Matches:
    """The outcome of matching: groups, people left over, and what the matching was based on."""

    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]
    criteria: tuple[Criterion, ...]
    capacity: int
    circles: bool
    mentors: int
    mentees: int
    notes: tuple[str, ...] = ()
    source: str = "the registrations"
    kept_from: str | None = None

    @property
    def most(self) -> int:
        """The most points a pair can score."""
        return sum(c.points for c in self.criteria)


@dataclass(frozen=True)
class MatchResult:
    """Matches, with the roster CSV and the explanation ready to write."""

    matches: Matches
    roster: str
    explanation: str
    inputs: tuple[Path, ...] = field(default=())

    @property
    def summary(self) -> str:
        """One line: how many were matched, in how many groups, and how many are left."""
        m = self.matches
        placed = sum(len(g.pairs) for g in m.groups)
        kind = "circle" if m.circles else "pair" if m.capacity == 1 else "group"
        left = len(m.unmatched)
        return (f"{placed} of {m.mentees} mentees matched in {len(m.groups)} {kind}{'' if len(m.groups) == 1 else 's'}"
                f", {left} {'person' if left == 1 else 'people'} left without a partner")


# --- reading registrations ----------------------------------------------------------------

def _decode(raw: bytes, file: str, what: str) -> str:
    if len(raw) > MAX_BYTES:
        raise RosterError([Problem(file, None, None, "error", "", f"file is larger than 5 MB; is this {what}?")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RosterError([Problem(file, line, None, "error", "", f"byte 0x{raw[exc.start]:02x} is not UTF-8; "
                                   "save the file as UTF-8 (in Excel: CSV UTF-8)")]) from None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    ended = 0
    for row in reader:
        out.append((ended + 1, row))
        ended = reader.line_num
    return out


def role_words(mentor_label: str | None = None, mentee_label: str | None = None, lang: Language | None = None,
               program_type: ProgramType | None = None) -> dict[str, str]:
    """What the role column may say -> 'mentor' or 'mentee': the two words, and the program's own labels.

    With `lang` (the program's language, in the team's terms) also what a registration form in that
    language offers and people write: the labels as the program shows them (with `program_type`, a
    type's label in the language: 'Mentoré·e', 'Mentorin oder Mentor'), and the language's words for
    the two sides ('mentoré·e', 'Mentorin'; the team's `terms:` for them); an inclusive French word
    also without its ending ('mentoré', 'mentorée')."""
    words = {r: r for r in ROLES}

    def add(word: str | None, role: str) -> None:
        for spelling in _spellings(word or ""):
            words.setdefault(_key(spelling), role)

    labels = [(mentor_label, "mentor"), (mentee_label, "mentee")]
    if lang is not None and program_type is not None:
        shown = lang.roles(Roles(mentor=mentor_label, mentee=mentee_label), TYPES[program_type])
        labels += [(shown.mentor, "mentor"), (shown.mentee, "mentee")]
    # a peer program calls both sides 'Peer': the label cannot tell them apart
    if not (mentor_label and mentee_label and mentor_label.casefold() == mentee_label.casefold()):
        for label, role in labels:
            add(label, role)
    if lang is not None:
        for role in ROLES:
            for context in ("term", "term feminine"):
                ours = lang.pgettext(context, role)
                if ours.strip() not in ("", "-"):
                    add(ours, role)
                    add(lang.text(ours), role)
    return words


def _spellings(word: str) -> list[str]:
    """A word and, when written inclusively (mentoré·e), its two forms without the dot (mentoré, mentorée)."""
    if "·" not in word:
        return [word] if word.strip() else []
    return [word, re.sub(r"·\w+", "", word), word.replace("·", ""), word.replace("·", ".")]


def read_registrations(path: str | Path, criteria: Sequence[Criterion],
                       roles: Mapping[str, str] | None = None) -> list[Registrant]:
    """Read a registrations CSV (name, email, role, one column per criterion id); raise RosterError listing
    every problem, each with the file's own line number."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError([Problem(str(path), None, None, "error", "", f"cannot read: {exc.strerror}")]) from None
    return parse_registrations(_decode(raw, str(path), "a registrations file"), str(path), criteria, roles)


def parse_registrations(text: str, file: str, criteria: Sequence[Criterion],
                        roles: Mapping[str, str] | None = None) -> list[Registrant]:
    """Registrations CSV text -> registrants (see `read_registrations`)."""
    roles = roles or role_words()

    def fail(line: int, message: str) -> Problem:
        return Problem(file, line, None, "error", "", message)

    ids = [str(c.id) for c in criteria if c.rule is not None]
    needed = [*REGISTRATION_COLUMNS, *ids]
    rows = _rows(text)
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise RosterError([fail(1, f"expected a header row naming the columns: {', '.join(needed)}")])
    header = [" ".join(h.split()).casefold() for h in rows[0][1]]
    problems: list[Problem] = []
    for column in sorted({h for h in header if header.count(h) > 1 and h}):
        problems.append(fail(1, f"column {column!r} appears more than once in the header"))
    unknown = [h for h in header if h not in needed]
    for column in needed:
        if column not in header:
            what = "a criterion in program.yml" if column in ids else "every registration needs"
            problems.append(fail(1, f"missing column {column!r} ({what}){closest(column, unknown)}"))
    if problems:
        raise RosterError(problems)
    index = {c: header.index(c) for c in needed}
    people: list[Registrant] = []
    emails: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header) or any(cell.strip() for cell in row[len(header):]):
            problems.append(fail(line, f"has {len(row)} fields, the header has {len(header)}"))
            continue
        name, email, role = (" ".join(row[index[c]].split()) for c in REGISTRATION_COLUMNS)
        if not name:
            problems.append(fail(line, "name is empty"))
        if not email or "@" not in email:
            problems.append(fail(line, f"email {email!r} is not an e-mail address"))
        elif email.casefold() in emails:
            problems.append(fail(line, f"email {email!r} is already used on line {emails[email.casefold()]}"))
        else:
            emails[email.casefold()] = line
        canonical = roles.get(role.casefold())
        if canonical is None:
            problems.append(fail(line, _unknown_role(role, roles)))
        answers: dict[str, tuple[str, ...]] = {}
        for column in ids:
            cell = row[index[column]]
            values = tuple(" ".join(v.split()) for v in cell.split(";")) if cell.strip() else ()
            if any(not v for v in values):
                problems.append(fail(line, f"{column}: {cell.strip()!r} has an empty value between ';' separators; "
                                           "remove the extra ';'"))
            answers[column] = values
        people.append(Registrant(name, email, canonical or role, answers, line))
    if not people and not problems:
        problems.append(fail(2, "the file has a header but nobody registered"))
    if problems:
        raise RosterError(problems)
    return people


def _unknown_role(role: str, roles: Mapping[str, str]) -> str:
    if not role:
        return "role is empty; write mentor or mentee"
    hint = closest(role, list(roles))
    if role.casefold() == "peer":
        hint = ("; in a peer programme each pair still has two sides, as in the roster: register one peer of "
                "each pair-to-be as mentor and the other as mentee")
    return f"role {role!r} is not mentor or mentee{hint}"


# --- scoring ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=65536)  # the same few answers recur across thousands of registrations
def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _answered(people: Sequence[Registrant], criterion: str, vocabulary: dict[str, int]) -> tuple[list[int], list[int]]:
    """(person, value) positions of who gave which answer, values compared without case or extra spaces."""
    rows: list[int] = []
    cols: list[int] = []
    for i, person in enumerate(people):
        for value in {_key(v) for v in person.answers.get(criterion, ())}:
            rows.append(i)
            cols.append(vocabulary.setdefault(value, len(vocabulary)))
    return rows, cols


def _common(mentees: Sequence[Registrant], mentors: Sequence[Registrant], criterion: str) -> np.ndarray:
    """Mentees x mentors: how many answers each pair has in common (one sparse product, not a loop)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    a_rows, a_cols = _answered(mentees, criterion, vocabulary)
    b_rows, b_cols = _answered(mentors, criterion, vocabulary)
    size = max(len(vocabulary), 1)
    a = csr_matrix((np.ones(len(a_rows)), (a_rows, a_cols)), shape=(len(mentees), size))
    b = csr_matrix((np.ones(len(b_rows)), (b_rows, b_cols)), shape=(len(mentors), size))
    return np.asarray((a @ b.T).toarray())


def score_matrix(mentees: Sequence[Registrant], mentors: Sequence[Registrant],
                 criteria: Sequence[Criterion]) -> tuple[np.ndarray, np.ndarray]:
    """(points, allowed), both mentees x mentors: each criterion scores 0..1 times its weight; a `different`
    rule forbids a pair that shares an answer."""
    shape = (len(mentees), len(mentors))
    points = np.zeros(shape)
    allowed = np.ones(shape, dtype=bool)
    for criterion in criteria:
        column = str(criterion.id)
        if criterion.rule is None or not mentees or not mentors:
            continue
        common = _common(mentees, mentors, column)
        if criterion.rule == MatchRule.different:
            allowed &= common == 0
        elif criterion.rule == MatchRule.same:
            points += criterion.points * (common > 0)
        else:
            wanted = np.array([len({_key(v) for v in p.answers.get(column, ())}) for p in mentees], dtype=float)
            points += criterion.points * common / np.maximum(wanted, 1)[:, None]
    return points, allowed


def fits(mentor: Registrant, mentee: Registrant, criteria: Sequence[Criterion]) -> tuple[Fit, ...]:
    """One pair's score on each criterion, with the answers they share (in the mentee's spelling)."""
    out = []
    for criterion in criteria:
        if criterion.rule is None:
            continue
        column = str(criterion.id)
        theirs = mentor.answers.get(column, ())
        mine = mentee.answers.get(column, ())
        offered = {_key(v) for v in theirs}
        shared = tuple(dict.fromkeys(v for v in mine if _key(v) in offered))
        wanted = len({_key(v) for v in mine})
        if criterion.rule == MatchRule.overlap:
            points = criterion.points * len({_key(v) for v in shared}) / max(wanted, 1)
        elif criterion.rule == MatchRule.same:
            points = float(criterion.points) if shared else 0.0
        else:
            points = 0.0
        out.append(Fit(criterion, points, theirs, mine, shared))
    return tuple(out)


# --- assignment ---------------------------------------------------------------------------

def assign(units: np.ndarray, allowed: np.ndarray, free: Sequence[int]) -> dict[int, int]:
    """Mentee index -> mentor index: the most pairs, then the highest total of `units` (whole numbers),
    then the registrations' order (earlier mentees first, earlier mentors first).

    Mentor j appears once per free place; the places are ordered first place of every mentor, then second
    places, so equal choices spread mentees over mentors rather than filling one mentor up.
    A forbidden pair costs more than any total score can make up for, so leaving one fewer person
    unmatched always wins; the tie-break adds less than half a unit to a whole matching.
    """
    from scipy.optimize import linear_sum_assignment

    columns = np.array([j for k in range(max(free, default=0)) for j in range(len(free)) if free[j] > k], dtype=int)
    if columns.size == 0 or units.shape[0] == 0:
        return {}
    rows = np.flatnonzero(allowed[:, columns].any(axis=1))
    if rows.size == 0:
        return {}
    ok = allowed[np.ix_(rows, columns)]
    gain = units[np.ix_(rows, columns)].astype(float)
    n, s = ok.shape
    pairs = min(n, s)
    forbidden = pairs * (float(gain.max()) if gain.size else 0.0) + 2
    spread = 2.0 * (pairs * (n + s) + 1)  # more than twice the largest tie-break sum of one matching
    tie = (np.arange(n)[:, None] + np.arange(s)[None, :]) / spread
    cost = np.where(ok, tie - gain, forbidden)
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    chosen = {int(rows[r]): int(columns[c]) for r, c in zip(chosen_rows, chosen_cols, strict=True) if ok[r, c]}
    return _in_order(chosen, units, allowed)


def _in_order(chosen: dict[int, int], units: np.ndarray, allowed: np.ndarray) -> dict[int, int]:
    """Among equally good answers, earlier mentees get earlier mentors.

    Two mentees swap mentors when the earlier one would get the earlier mentor, both pairs keep every
    hard rule and the total score stays the same; the places each mentor fills do not change. Each swap
    moves a mentee to an earlier mentor, so this ends.
    """
    mentees = np.array(sorted(chosen), dtype=int)
    mentors = np.array([chosen[e] for e in mentees], dtype=int)

    later = np.triu(np.ones((len(mentees), len(mentees)), dtype=bool), 1)

    def swaps() -> np.ndarray:
        """a x b: mentee a (earlier) and mentee b (later) should swap mentors."""
        gain = units[np.ix_(mentees, mentors)]  # gain[a, b]: mentee a with mentee b's mentor
        both = allowed[np.ix_(mentees, mentors)]
        own = np.diagonal(gain)
        return (later & (mentors[None, :] < mentors[:, None]) & both & both.T
                & (gain + gain.T == own[:, None] + own[None, :]))

    def row_swaps(a: int) -> np.ndarray:
        """The mentees mentee a should swap with, as things stand."""
        ea, ma = mentees[a], mentors[a]
        return ((np.arange(len(mentees)) > a) & (mentors < ma) & allowed[ea, mentors] & allowed[mentees, ma]
                & (units[ea, mentors] + units[mentees, ma] == units[ea, ma] + units[mentees, mentors]))

    while True:  # all pairs at once, then row by row only the mentees that have a swap
        pending = np.flatnonzero(swaps().any(axis=1))
        if pending.size == 0:
            return {int(e): int(m) for e, m in zip(mentees, mentors, strict=True)}
        for a in pending:
            row = row_swaps(int(a))
            if row.any():
                b = np.flatnonzero(row)[np.argmin(mentors[row])]
                mentors[a], mentors[b] = mentors[b], mentors[a]


def _units(points: np.ndarray) -> np.ndarray:
    return np.rint(points * QUANTUM).astype(np.int64)


def _balanced(units: np.ndarray, allowed: np.ndarray, capacity: int, taken: Sequence[int],
              mentees_total: int) -> dict[int, int]:
    """Circles: no circle larger than its fair share (mentees / mentors, rounded up) unless a fuller circle
    is the only way to give everyone a place."""
    mentors = len(taken)
    if mentors == 0:
        return {}
    full = assign(units, allowed, [max(0, capacity - t) for t in taken])
    share = max(1, math.ceil(mentees_total / mentors))
    for limit in range(min(share, capacity), capacity):
        chosen = assign(units, allowed, [max(0, limit - t) for t in taken])
        if len(chosen) == len(full):
            return chosen
    return full


# --- kept pairs ---------------------------------------------------------------------------

@dataclass
class _Kept:
    name: str
    mentors: list[int]
    mentees: list[int]


def _read_kept(kept: Sequence[Participant], file: str, mentors: Sequence[Registrant],
               mentees: Sequence[Registrant], lang: Language = ENGLISH) -> tuple[list[_Kept], list[str]]:
    """Kept groups (indices into mentors and mentees) and notes on people who did not register again."""
    by_email = {p.email.casefold(): ("mentor", i) for i, p in enumerate(mentors)}
    by_email.update({p.email.casefold(): ("mentee", i) for i, p in enumerate(mentees)})
    groups: dict[str, _Kept] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    for person in kept:
        found = by_email.get(person.email.casefold())
        if found is None:
            notes.append(lang.gettext("%(name)s (%(role)s in %(group)s, line %(line)s of %(file)s) is not in the "
                                      "registrations, so they are left out and their partners are free to be "
                                      "matched again.")
                         % {"name": _md(person.name), "role": lang.gettext(person.role), "group": _md(person.group),
                            "line": person.row, "file": _md(file)})
            continue
        role, index = found
        if role != person.role:
            problems.append(Problem(file, person.row, None, "error", "",
                                    f"{person.name} is a {person.role} in this roster but registered as a {role}"))
            continue
        group = groups.setdefault(person.group, _Kept(person.group, [], []))
        (group.mentors if role == "mentor" else group.mentees).append(index)
    if problems:
        raise RosterError(problems)
    out = []
    for group in groups.values():
        if not group.mentors:
            notes.append(lang.gettext("Nobody who leads %(group)s registered again, so its mentees were matched "
                                      "afresh.") % {"group": _md(group.name)})
            continue
        out.append(group)
    return out, notes


# --- matching -----------------------------------------------------------------------------

def match(people: Sequence[Registrant], criteria: Sequence[Criterion], *, capacity: int = 1, circles: bool = False,
          kept: Sequence[Participant] = (), kept_file: str | None = None,
          source: str | None = None, lang: Language = ENGLISH) -> Matches:
    """Pair mentees with mentors: most pairs first, then the best total score, ties in registration order.

    `kept` pairs (from an earlier roster) stay together and use up their mentor's places; `circles`
    keeps the circles of a group program even in size.
    """
    criteria = tuple(c for c in criteria if c.rule is not None)
    mentors = [p for p in people if p.role == "mentor"]
    mentees = [p for p in people if p.role == "mentee"]
    points, allowed = score_matrix(mentees, mentors, criteria)
    groups_kept, notes = _read_kept(kept, kept_file or lang.gettext("the kept roster"), mentors, mentees, lang) \
        if kept else ([], [])

    taken = [0] * len(mentors)
    free = np.ones(len(mentees), dtype=bool)
    for group in groups_kept:
        for m in group.mentors[1:]:
            taken[m] = capacity  # co-mentors of a kept circle take nobody new
        taken[group.mentors[0]] = len(group.mentees) if len(group.mentors) == 1 else capacity
        free[group.mentees] = False
    candidates = allowed & free[:, None]
    if circles:
        chosen = _balanced(_units(points), candidates, capacity, taken, len(mentees))
    else:
        chosen = assign(_units(points), candidates, [max(0, capacity - t) for t in taken])

    joining: dict[int, list[int]] = {}
    for e, m in sorted(chosen.items()):
        joining.setdefault(m, []).append(e)

    def pairs_of(m: int, kept_mentees: Sequence[int] = ()) -> tuple[Pair, ...]:
        return tuple(Pair(mentors[m], mentees[e], fits(mentors[m], mentees[e], criteria), kept=e in kept_mentees)
                     for e in [*kept_mentees, *joining.get(m, [])])

    found: list[tuple[int, Group]] = []
    busy: set[int] = set()
    for group in groups_kept:
        head = group.mentors[0]
        pairs = pairs_of(head, group.mentees)
        if pairs:  # a kept mentor whose mentees all left and who gets nobody new is not in a group any more
            found.append((head, Group(group.name, mentors[head], pairs, tuple(mentors[m] for m in group.mentors[1:]),
                                      kept=True)))
            busy.update(group.mentors)
    prefix = "circle" if circles else "pair" if capacity == 1 else "group"
    used = {g.name for g in groups_kept}
    numbers = (n for n in range(1, len(mentors) + len(used) + 2) if _name(prefix, n, len(mentors)) not in used)
    for m in sorted(joining):
        if m not in busy and not any(m in g.mentors for g in groups_kept):
            found.append((m, Group(_name(prefix, next(numbers), len(mentors)), mentors[m], pairs_of(m))))
            busy.add(m)
    found.sort(key=lambda item: (item[0], item[1].name))

    placed = {e for g in groups_kept for e in g.mentees} | set(chosen)
    unmatched = [Unmatched(mentees[e], _why_mentee(e, mentees, mentors, allowed, criteria, circles, lang))
                 for e in range(len(mentees)) if e not in placed]
    unmatched += [Unmatched(mentors[m], _why_mentor(m, mentees, mentors, allowed, criteria, lang))
                  for m in range(len(mentors)) if m not in busy]
    unmatched.sort(key=lambda u: u.person.line)
    return Matches(tuple(g for _, g in found), tuple(unmatched), criteria, capacity, circles, len(mentors),
                   len(mentees), tuple(notes), source if source is not None else lang.gettext("the registrations"),
                   kept_file)


def _name(prefix: str, number: int, count: int) -> str:
    return f"{prefix}-{number:0{max(2, len(str(count)))}d}"


def _blocked_by(mine: Registrant, others: Sequence[Registrant], criteria: Sequence[Criterion]) -> dict[str, list[str]]:
    """Hard-rule label -> the answers `mine` shares with each of `others` under it."""
    found: dict[str, list[str]] = {}
    for criterion in criteria:
        if criterion.rule != MatchRule.different:
            continue
        column = str(criterion.id)
        mine_keys = {_key(v): v for v in mine.answers.get(column, ())}
        for other in others:
            shared = [mine_keys[_key(v)] for v in other.answers.get(column, ()) if _key(v) in mine_keys]
            if shared:
                found.setdefault(criterion.title, []).extend(shared)
    return found


def _rule_sentence(blocks: dict[str, list[str]], who: str, count: int, lang: Language = ENGLISH) -> str:
    """Why nobody on the other side could be paired with someone: `who` is 'mentor' or 'mentee'."""
    if len(blocks) == 1:
        label, values = next(iter(blocks.items()))
        answers = ", ".join(_md(v) for v in dict.fromkeys(values))
        if who == "mentor":
            text = lang.ngettext("the only mentor gave the same answer for %(label)s (%(answers)s), and the programme "
                                 "never pairs two people who share it",
                                 "every mentor gave the same answer for %(label)s (%(answers)s), and the programme "
                                 "never pairs two people who share it", count)
        else:
            text = lang.ngettext("the only mentee gave the same answer for %(label)s (%(answers)s), and the programme "
                                 "never pairs two people who share it",
                                 "every mentee gave the same answer for %(label)s (%(answers)s), and the programme "
                                 "never pairs two people who share it", count)
        return text % {"label": _md(label), "answers": answers}
    rules = lang.listing([_md(label) for label in blocks], "or")
    text = (lang.gettext("every mentor shares an answer with them under a hard rule (%(rules)s), so none could be "
                         "paired with them") if who == "mentor" else
            lang.gettext("every mentee shares an answer with them under a hard rule (%(rules)s), so none could be "
                         "paired with them"))
    return text % {"rules": rules}


OVERRULED = N_("Giving them that place would have left someone else without a partner, made the pairs fit less "
               "well overall, or passed over someone who registered earlier.")
OVERRULED_ONE_OF = N_("Giving them one of those places would have left someone else without a partner, made the "
                      "pairs fit less well overall, or passed over someone who registered earlier.")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _why_mentee(e: int, mentees: Sequence[Registrant], mentors: Sequence[Registrant], allowed: np.ndarray,
                criteria: Sequence[Criterion], circles: bool, lang: Language = ENGLISH) -> str:
    _ = lang.gettext
    if not mentors:
        return _("Nobody registered as a mentor.")
    possible = [mentors[int(m)] for m in np.flatnonzero(allowed[e])]
    if not possible:
        return _sentence(_rule_sentence(_blocked_by(mentees[e], mentors, criteria), "mentor", len(mentors), lang))
    if len(possible) == 1:
        full = (_("No circle place was left: the only mentor they could be paired with, %(names)s, was full.")
                if circles else
                _("No mentor place was left: the only mentor they could be paired with, %(names)s, was full."))
        return full % {"names": _names(possible, lang=lang)} + " " + _(OVERRULED)
    full = (_("No circle place was left: the %(count)s mentors they could be paired with (%(names)s) were all full.")
            if circles else
            _("No mentor place was left: the %(count)s mentors they could be paired with (%(names)s) were all full."))
    return full % {"count": len(possible), "names": _names(possible, lang=lang)} + " " + _(OVERRULED_ONE_OF)


def _why_mentor(m: int, mentees: Sequence[Registrant], mentors: Sequence[Registrant], allowed: np.ndarray,
                criteria: Sequence[Criterion], lang: Language = ENGLISH) -> str:
    _ = lang.gettext
    if not mentees:
        return _("Nobody registered as a mentee.")
    if not allowed[:, m].any():
        return _sentence(_rule_sentence(_blocked_by(mentors[m], mentees, criteria), "mentee", len(mentees), lang))
    fewer = (_("There were fewer mentees than mentors (%(mentees)s and %(mentors)s).")
             % {"mentees": len(mentees), "mentors": len(mentors)} + " " if len(mentees) < len(mentors) else "")
    return fewer + _("Every mentee who could be paired with them has a place with another mentor; moving one to "
                     "them would have left someone else without a partner, made the pairs fit less well overall, "
                     "or passed over someone who registered earlier.")


def _names(people: Sequence[Registrant], most: int = 5, lang: Language = ENGLISH) -> str:
    shown = [_md(p.name) for p in people[:most]]
    if len(people) > most:
        shown.append(lang.gettext("and %(count)s more") % {"count": len(people) - most})
    return ", ".join(shown)


# --- writing ------------------------------------------------------------------------------

def roster_csv(matches: Matches) -> str:
    """The roster `mentorkit workbooks` reads: name, email, role, group; each mentor first, then mentees."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "email", "role", "group"])
    for group in matches.groups:
        for mentor in (group.mentor, *group.co_mentors):
            writer.writerow([mentor.name, mentor.email, "mentor", group.name])
        for pair in group.pairs:
            writer.writerow([pair.mentee.name, pair.mentee.email, "mentee", group.name])
    return out.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """A user value for Markdown: one line, with Markdown's special characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _num(value: float, lang: Language = ENGLISH) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text if lang.content is None else lang.decimal(value)


def _list(values: Sequence[str], lang: Language = ENGLISH) -> str:
    return lang.listing([_md(v) for v in values])


def _fit_line(fit: Fit, pair: Pair, lang: Language = ENGLISH) -> str:
    _ = lang.gettext
    c = fit.criterion
    label = _md(c.title[:1].upper() + c.title[1:])
    mentor, mentee = _md(pair.mentor.name), _md(pair.mentee.name)
    if c.rule == MatchRule.different:
        if fit.shared:
            return "- " + _("%(label)s: both answered %(answers)s. This breaks the hard rule; the pair was kept "
                            "because it was already agreed.") % {"label": label, "answers": _list(fit.shared, lang)}
        return "- " + _("%(label)s: %(answers)s, so the hard rule is met.") % {
            "label": label, "answers": _answers(fit, pair, lang)}
    head = "- " + _("%(label)s: %(points)s of %(most)s.") % {"label": label, "points": _num(fit.points, lang),
                                                             "most": c.points}
    if c.rule == MatchRule.same:
        if fit.shared:
            return f"{head} " + _("Both answered %(answers)s.") % {"answers": _list(fit.shared, lang)}
        return f"{head} {_sentence(_answers(fit, pair, lang))}"
    if not fit.mentee_values:
        return f"{head} " + _("%(mentee)s did not say what they want here.") % {"mentee": mentee}
    if not fit.shared:
        offered = _list(fit.mentor_values, lang) or _("nothing here")
        return f"{head} " + _("%(mentee)s wants %(wanted)s; %(mentor)s offers %(offered)s, so nothing matches.") % {
            "mentee": mentee, "wanted": _list(fit.mentee_values, lang), "mentor": mentor, "offered": offered}
    if len(fit.shared) == len({_key(v) for v in fit.mentee_values}):
        return f"{head} " + _("%(mentor)s offers everything %(mentee)s wants: %(shared)s.") % {
            "mentor": mentor, "mentee": mentee, "shared": _list(fit.shared, lang)}
    missing = [v for v in fit.mentee_values if v not in fit.shared]
    return f"{head} " + _("%(mentor)s offers %(shared)s; %(mentee)s also wants %(missing)s.") % {
        "mentor": mentor, "shared": _list(fit.shared, lang), "mentee": mentee, "missing": _list(missing, lang)}


def _answers(fit: Fit, pair: Pair, lang: Language = ENGLISH) -> str:
    """'different answers (Mo: A; Ann: B)', or 'neither answered'."""
    _ = lang.gettext
    if not fit.mentor_values and not fit.mentee_values:
        return _("neither answered")
    mentor = _list(fit.mentor_values, lang) or _("no answer")
    mentee = _list(fit.mentee_values, lang) or _("no answer")
    return _("different answers (%(mentor)s: %(mentor_answer)s; %(mentee)s: %(mentee_answer)s)") % {
        "mentor": _md(pair.mentor.name), "mentor_answer": mentor, "mentee": _md(pair.mentee.name),
        "mentee_answer": mentee}


def _criterion_line(c: Criterion, lang: Language = ENGLISH) -> str:
    label = _md(c.title[:1].upper() + c.title[1:])
    column = f"`{c.id}`"
    if c.rule == MatchRule.overlap:
        return "- " + lang.ngettext("**%(label)s** (column %(column)s, up to %(num)s point): the share of what the "
                                    "mentee wants that the mentor offers.",
                                    "**%(label)s** (column %(column)s, up to %(num)s points): the share of what the "
                                    "mentee wants that the mentor offers.", c.points) % {
            "label": label, "column": column, "num": c.points}
    if c.rule == MatchRule.same:
        return "- " + lang.ngettext("**%(label)s** (column %(column)s, %(num)s point): scored when both give the "
                                    "same answer.",
                                    "**%(label)s** (column %(column)s, %(num)s points): scored when both give the "
                                    "same answer.", c.points) % {"label": label, "column": column, "num": c.points}
    return "- " + lang.gettext("**%(label)s** (column %(column)s): a hard rule. Two people who give the same answer "
                               "are never paired, whatever else they have in common.") % {
        "label": label, "column": column}


def explanation(matches: Matches, title: str | None = None, lang: Language = ENGLISH) -> str:
    """The matching in plain Markdown for the programme team: criteria, every pair's scores, who is left and
    why, in `lang` (the program's language)."""
    _ = lang.gettext
    m = matches
    placed = sum(len(g.pairs) for g in m.groups)
    lines = ["# " + _("How the matches were made"), ""]
    if title:
        lines += [_("Programme: %(title)s.") % {"title": _md(title)}, ""]
    lines.append(" ".join([
        lang.ngettext("%(num)s mentor and %(mentees)s registered in %(source)s.",
                      "%(num)s mentors and %(mentees)s registered in %(source)s.", m.mentors)
        % {"num": m.mentors, "source": _md(m.source),
           "mentees": lang.ngettext("%(num)s mentee", "%(num)s mentees", m.mentees) % {"num": m.mentees}},
        lang.ngettext("%(placed)s of %(num)s mentee has a mentor.", "%(placed)s of %(num)s mentees have a mentor.",
                      m.mentees) % {"placed": placed, "num": m.mentees}]))
    if m.circles:
        places = lang.ngettext("Each mentor takes a circle of up to %(num)s mentee.",
                               "Each mentor takes a circle of up to %(num)s mentees.", m.capacity)
    elif m.capacity == 1:
        places = _("Each mentor takes one mentee.")
    else:
        places = lang.ngettext("Each mentor takes up to %(num)s mentee.", "Each mentor takes up to %(num)s mentees.",
                               m.capacity)
    lines += ["", places % {"num": m.capacity} + " " + _(
        "The matching first puts together as many people as the hard rules and those places allow; among "
        "all the ways of doing that, it picks the one with the highest total score. When two choices score "
        "the same, whoever registered first goes first, so the same file always gives the same roster.")]
    if m.circles:
        lines += ["", _("Circles are kept even: no circle gets more than its fair share of mentees unless that is "
                        "the only way to give everyone a place.")]
    if m.kept_from:
        lines += ["", _("Pairs already agreed in %(file)s were kept as they are and use up their mentor's places.")
                  % {"file": _md(m.kept_from)}]
    lines += ["", "## " + _("What the scores mean"), ""]
    lines += [_criterion_line(c, lang) for c in m.criteria]
    if m.most:
        lines += ["", lang.ngettext("A pair can score at most %(num)s point.", "A pair can score at most %(num)s points.",
                                    m.most) % {"num": m.most}]
    lines += ["", "## " + (_("Circles") if m.circles else _("Pairs")), ""]
    if not m.groups:
        lines += [_("Nobody could be matched."), ""]
    for group in m.groups:
        lines += _group_lines(group, m, lang)
    if m.unmatched:
        lines += ["## " + _("Not matched"), ""]
        for u in m.unmatched:
            lines.append("- " + _("**%(name)s** (%(role)s, line %(line)s): %(reason)s") % {
                "name": _md(u.person.name), "role": _(u.person.role), "line": u.person.line, "reason": u.reason})
        lines.append("")
    if m.notes:
        lines += ["## " + _("Notes on the kept roster"), ""]
        lines += [f"- {note}" for note in m.notes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _group_lines(group: Group, m: Matches, lang: Language = ENGLISH) -> list[str]:
    _ = lang.gettext
    mentors = _list([group.mentor.name, *(c.name for c in group.co_mentors)], lang)
    if m.circles or len(group.pairs) > 1 or group.co_mentors:
        total = sum(p.score for p in group.pairs)
        lines = ["### " + _("%(group)s: led by %(mentors)s") % {"group": _md(group.name), "mentors": mentors}, "",
                 lang.ngettext("%(num)s mentee, %(points)s of %(most)s points together.",
                               "%(num)s mentees, %(points)s of %(most)s points together.", len(group.pairs))
                 % {"num": len(group.pairs), "points": _num(total, lang), "most": m.most * len(group.pairs)}, ""]
        for pair in group.pairs:
            note = " " + _("(kept as already agreed)") if pair.kept else " " + _("(new)") if group.kept else ""
            lines += ["#### " + _("%(mentee)s: %(points)s of %(most)s points") % {
                "mentee": _md(pair.mentee.name), "points": _num(pair.score, lang), "most": m.most} + note, ""]
            lines += [_fit_line(f, pair, lang) for f in pair.fits] + [""]
        return lines
    pair = group.pairs[0]
    kept = " " + _("Kept as already agreed.") if pair.kept else ""
    return ["### " + _("%(group)s: %(mentors)s and %(mentee)s") % {"group": _md(group.name), "mentors": mentors,
                                                                  "mentee": _md(pair.mentee.name)}, "",
            _("Score: %(points)s of %(most)s points.") % {"points": _num(pair.score, lang), "most": m.most} + kept, "",
            *(_fit_line(f, pair, lang) for f in pair.fits), ""]


# --- files --------------------------------------------------------------------------------

def match_files(registrations: str | Path, program: str | Path = "program.yml", *,
                keep: str | Path | None = None) -> MatchResult:
    """Load the program, read the registrations (and a roster to keep), match, and prepare both outputs."""
    from .i18n import program_language
    from .project import load_program

    project = load_program(program)
    pf = project.program
    lang = program_language(pf, project.root)
    criteria = pf.matching.scored
    if not criteria:
        raise ProgramError([project.located.problem(("matching", "criteria"), "no criterion has an id and a rule, "
                                                    "so there is nothing to match on; write criteria as mappings "
                                                    "with id, label, rule and weight")])
    roles = role_words(pf.program.roles.mentor, pf.program.roles.mentee, lang, pf.program.type)
    people = read_registrations(registrations, criteria, roles)
    kept = read_roster(keep) if keep is not None else []
    circles = pf.program.type == ProgramType.group
    capacity = pf.matching.capacity or (pf.program.group.size if circles and pf.program.group else 1)
    matches = match(people, criteria, capacity=capacity, circles=circles, kept=kept,
                    kept_file=str(keep) if keep is not None else None, source=str(registrations), lang=lang)
    inputs = tuple(Path(p) for p in (registrations, program, keep) if p is not None)
    return MatchResult(matches, roster_csv(matches), explanation(matches, pf.program.title, lang), inputs)


def save(result: MatchResult, roster: Path, explain: Path | None = None) -> list[Path]:
    """Write the roster (and the explanation) atomically; refuse to write over an input file."""
    targets = [(roster, result.roster)] + ([(explain, result.explanation)] if explain is not None else [])
    inputs = {p.resolve() for p in result.inputs if p.exists()}
    keep = result.matches.kept_from
    problems = []
    for path, _ in targets:
        if path.resolve() in inputs and not (keep is not None and path.resolve() == Path(keep).resolve()
                                             and path == roster):
            problems.append(Problem(str(path), None, None, "error", "", "is one of the input files; choose "
                                    "another file to write"))
    if explain is not None and explain.resolve() == roster.resolve():
        problems.append(Problem(str(explain), None, None, "error", "", "is also the roster; choose another file"))
    if problems:
        raise MentorkitError(problems)
    for path, text in targets:
        _write(path, text)
    return [path for path, _ in targets]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
