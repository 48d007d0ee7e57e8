"""Survey answers -> checked responses, each matched to one survey of the program and joined to the roster.

Files are recognised by what is in them, never by an option: the file's kind by its extension
(CSV, .xlsx, PDF: one entry of `LOADERS` each), the tool that made it by its columns (Google
Forms, Microsoft Forms, KoboToolbox or any XLSForm tool, mentorkit's CSV template, mentorkit's
PDF forms: one entry of `DIALECTS` each), the survey by which questions its columns ask. Every
answer is checked against its question (one entry of `PARSERS` per question type) and every
problem is reported at once, `FILE:LINE: error: ...`.

Who answered is kept only as far as the figures need it: the e-mail address, lowercased, joins a
response to the roster (role, group) and the midpoint answers to the end-of-programme answers of
the same person. Names, timestamps and ids in the files are never read into a response.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import MentorkitError, Problem
from .exports import EMAIL_COLUMN, OTHER_GOAL, OTHER_GOAL_LABEL, Option, answer_options
from .i18n import ENGLISH, Language, program_language
from .model import Goal, ProgramFile, Question, QuestionType, Survey
from .roster import Participant
from .suggest import closest

MAX_BYTES = 100 * 1024 * 1024  # 10,000 answers with long comments are a few MB
MAX_ERRORS_PER_COLUMN = 10

Answer = int | str | tuple[str, ...]
"""A checked answer: a scale point, an option key (choice, yes-no), option keys (multi), or text."""


class ResponsesError(MentorkitError):
    """Survey answers could not be read, or do not fit the program's surveys."""


@dataclass(frozen=True)
class Response:
    """One person's answers to one survey."""

    survey: str
    respondent: str | None
    """The e-mail address, lowercased; None when the file does not say who answered. Never reported."""
    answers: dict[str, Answer]
    """Question id -> checked answer; questions left empty are absent."""
    file: str
    line: int | None
    role: str | None = None
    """mentor or mentee, from the roster."""
    group: str | None = None
    """The pair or circle, from the roster."""


@dataclass
class Responses:
    """Every response read, by survey id (in the program's order), and the warnings on the way."""

    by_survey: dict[str, list[Response]]
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, list[str]] = field(default_factory=dict)
    """Survey id -> the files its responses came from."""


# --- loaders: a file -> tables of text cells ----------------------------------------------------

@dataclass(frozen=True)
class Table:
    """A file's header and rows, every cell as text, each row with the line (or sheet row) it came from."""

    file: str
    header: list[str]
    rows: list[tuple[int | None, list[str]]]
    survey: str | None = None
    """Set when the file itself names the survey (a PDF form's field names do)."""
    header_line: int | None = 1
    """Where the header is (a PDF has no lines)."""

    @property
    def column(self) -> str:
        """What the file calls a column."""
        return "field" if self.header_line is None else "column"


def _read_bytes(path: Path, file: str) -> bytes:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ResponsesError([_error(file, None, "no such file")]) from None
    except IsADirectoryError:
        raise ResponsesError([_error(file, None, "is a folder; give the files of answers themselves")]) from None
    except OSError as exc:
        raise ResponsesError([_error(file, None, f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise ResponsesError([_error(file, None, f"file is larger than {MAX_BYTES // 1024 // 1024} MB; "
                                                 "is this a file of survey answers?")])
    return raw


def _load_csv(path: Path, file: str, program: ProgramFile) -> list[Table]:
    raw = _read_bytes(path, file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ResponsesError([_error(file, line, f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as "
                                                 "UTF-8 (in Excel: CSV UTF-8)")]) from None
    if not text.strip():
        raise ResponsesError([_error(file, 1, "file is empty; expected a header row naming the questions")])
    first = text.splitlines()[0]
    # KoboToolbox writes ';' between values by default; the others ','
    delimiter = max((",", ";", "\t"), key=lambda d: (len(next(csv.reader([first], delimiter=d))), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int | None, list[str]]] = []
    try:
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ResponsesError([_error(file, reader.line_num, f"not readable as CSV: {exc}")]) from None
    return [Table(file, header, rows)]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _load_xlsx(path: Path, file: str, program: ProgramFile) -> list[Table]:
    import zipfile

    from openpyxl import load_workbook

    raw = _read_bytes(path, file)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ResponsesError([_error(file, None, "is not an Excel workbook (.xlsx) that can be read")]) from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        first = next(lines, None)
        if first is None:
            raise ResponsesError([_error(file, 1, "the first sheet is empty; expected a header row naming "
                                                  "the questions")])
        header = [_cell_text(c) for c in first]
        while header and not header[-1]:
            header.pop()
        rows: list[tuple[int | None, list[str]]] = [
            (number, [_cell_text(c) for c in values]) for number, values in enumerate(lines, start=2)]
    finally:
        book.close()
    return [Table(file, header, rows)]


FIELD = re.compile(r"^survey\.([a-z0-9-]+)\.([a-z0-9-]+)$")
# a multi question's box is a field of its own, named after its option (a goal's id, an option's name)
OPTION_FIELD = re.compile(r"^(survey\.[a-z0-9-]+\.[a-z0-9-]+)\.([a-z0-9-]+)$")
_OPTION = object()  # marks a box read by its option's name


def _load_pdf(path: Path, file: str, program: ProgramFile) -> list[Table]:
    """The answers in a filled-in survey form (or a workbook's forms): one table per survey answered.

    The forms name their fields `survey.<survey id>.<question id>` (templates/print/macros.html.j2).
    Radio buttons of one question share a field whose widgets are in the order of the options;
    each check box of a multi question is a field of its own, `survey.<survey id>.<question
    id>.<option name>` (forms made before that: widgets with the question's name, in order).
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    raw = _read_bytes(path, file)
    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError):
        raise ResponsesError([_error(file, None, "is not a PDF that can be read")]) from None
    widgets: dict[str, list[tuple[str, str, Any]]] = {}  # field -> (its "on" state, state, value) per widget
    for page in pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Widget":
                continue
            parent = annotation.get("/Parent")
            owner = parent.get_object() if parent is not None else annotation
            name = owner.get("/T") or annotation.get("/T")
            if not isinstance(name, str) or not name.startswith("survey."):
                continue
            looks = annotation.get("/AP", {}).get("/N", {})
            on = next((str(k) for k in (looks.keys() if hasattr(looks, "keys") else []) if k != "/Off"), "")
            option = OPTION_FIELD.match(str(name))
            if option and not FIELD.match(str(name)):  # one box of a multi question, named after its option
                ticked = bool(on) and _ticked(annotation, owner, on)
                widgets.setdefault(option.group(1), []).append((option.group(2), "ticked" if ticked else "", _OPTION))
                continue
            widgets.setdefault(str(name), []).append((on, str(annotation.get("/AS", "")), owner.get("/V")))
    surveys = {s.id: s for s in program.surveys or []}
    cells: dict[str, dict[str, str]] = {}
    for name, found in widgets.items():
        match = FIELD.match(name)
        survey = surveys.get(match.group(1)) if match else None
        question = next((q for q in survey.questions if q.id == match.group(2)), None) if survey and match else None
        if question is None:
            cells.setdefault(match.group(1) if match else "", {})[name] = "?"  # reported as a column no survey asks
            continue
        value = _pdf_value(question, found, program.goals)
        if value:
            cells.setdefault(survey.id, {})[name] = value  # type: ignore[union-attr]
    return [Table(file, list(answers), [(None, list(answers.values()))], survey=sid or None, header_line=None)
            for sid, answers in cells.items()]


def _ticked(annotation: Any, owner: Any, on: str) -> bool:
    """Whether a check box is ticked: its appearance state, or (some viewers set only this) its value."""
    return str(annotation.get("/AS", "")) == on or str(owner.get("/V", "")) == on


def _pdf_value(q: Question, widgets: list[tuple[str, str, Any]], goals: Sequence[Goal]) -> str:
    """A field's answer as the text a CSV would hold (options by their label, several on separate lines)."""
    options = answer_options(q, goals)
    labels = [o.label for o in options]
    if q.options_from == "goals":
        labels.append(OTHER_GOAL_LABEL)
    if q.type == QuestionType.text:
        value = widgets[0][2]
        return "" if value is None else str(value).strip()
    if any(kind is _OPTION for _, _, kind in widgets):  # boxes named after their options
        by_name = {o.name: o.label for o in options} | {OTHER_GOAL: OTHER_GOAL_LABEL}
        return "\n".join(by_name.get(name, "?") for name, state, _ in widgets if state == "ticked")
    ticked = [i for i, (on, state, _) in enumerate(widgets) if on and state == on]
    if not ticked:  # some viewers set only the field's value, not each box's state
        value = str(widgets[0][2] or "")
        ticked = [i for i, (on, _, _) in enumerate(widgets) if on and value == on]
    return "\n".join(labels[i] if i < len(labels) else "?" for i in ticked)


LOADERS: dict[str, Callable[[Path, str, ProgramFile], list[Table]]] = {
    ".csv": _load_csv,
    ".txt": _load_csv,
    ".xlsx": _load_xlsx,
    ".pdf": _load_pdf,
}


# --- dialects: which tool made the file ----------------------------------------------------------

KOBO_META = frozenset({"start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
                       "subscriberid", "audit", "intro", "intro-note", "__version__", "instanceid"})


@dataclass(frozen=True)
class Dialect:
    """What one tool's exports look like."""

    name: str
    recognises: Callable[[list[str]], bool]
    """Whether a header row is this tool's."""
    email: tuple[str, ...]
    """Columns (lowercased) holding the respondent's e-mail address."""
    metadata: Callable[[str], bool]
    """Whether a column (lowercased) is the tool's own, not a question."""
    separators: tuple[str, ...]
    """How several ticked boxes are joined in one cell, most likely first."""


def _lower(header: list[str]) -> list[str]:
    return [h.strip().lower() for h in header]


# Google Forms and Microsoft Forms name their own columns in the language of the form owner's account:
# English, French, German, Spanish (lowercased)
GOOGLE_TIMESTAMP = frozenset({"timestamp", "horodateur", "zeitstempel", "marca temporal"})
GOOGLE_EMAIL = ("email address", "email", "adresse e-mail", "e-mail-adresse", "dirección de correo electrónico")
GOOGLE_META = GOOGLE_TIMESTAMP | {"email address", "adresse e-mail", "e-mail-adresse", "dirección de correo electrónico",
                                  "score", "punkte", "puntuación"}
MICROSOFT_END = frozenset({"completion time", "heure de fin", "fertigstellungszeit", "hora de finalización"})
MICROSOFT_EMAIL = ("email", "adresse de messagerie", "e-mail", "correo electrónico")
MICROSOFT_META = MICROSOFT_END | set(MICROSOFT_EMAIL) | {
    "id", "start time", "name", "last modified time", "total points", "quiz feedback",
    "heure de début", "nom", "heure de la dernière modification", "startzeit", "hora de inicio", "nombre"}

DIALECTS: list[Dialect] = [
    Dialect("mentorkit PDF form", lambda h: bool(h) and all(FIELD.match(c) for c in h), (), lambda c: False,
            ("\n",)),
    Dialect("Google Forms", lambda h: bool(h) and _lower(h)[0] in GOOGLE_TIMESTAMP, GOOGLE_EMAIL,
            lambda c: c in GOOGLE_META, (", ",)),
    Dialect("Microsoft Forms", lambda h: _lower(h)[:1] == ["id"] and bool(MICROSOFT_END & set(_lower(h))),
            MICROSOFT_EMAIL, lambda c: c in MICROSOFT_META, (";", ", ")),
    Dialect("KoboToolbox (XLSForm)",
            lambda h: any(c in KOBO_META or c.startswith("_") or "/" in c for c in _lower(h)),
            ("email",), lambda c: c in KOBO_META or c.startswith(("_", "meta/", "formhub/")),
            (" ", ", ", ";")),
    Dialect("mentorkit CSV template", lambda h: True, (EMAIL_COLUMN,), lambda c: c == EMAIL_COLUMN,
            (";", ", ")),
]


def dialect_of(header: list[str]) -> Dialect:
    """The first dialect that recognises `header` (the CSV template's accepts anything)."""
    return next(d for d in DIALECTS if d.recognises(header))


# --- answers: one parser per question type ------------------------------------------------------

class WrongAnswer(ValueError):
    """An answer that does not fit its question; the message says why."""


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _unaccented(text: str) -> str:
    """'Sí' -> 'Si': how a word is often typed into a spreadsheet."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Asked:
    """A question with everything needed to check its answers quickly."""

    survey: Survey
    question: Question
    options: list[Option]
    lookup: dict[str, str]
    """Normalised label, name or key -> option key."""
    yes_no: tuple[str, str] = ("Yes", "No")
    """How the program's forms write yes and no (its language: 'Oui', 'Non')."""

    @classmethod
    def of(cls, survey: Survey, q: Question, goals: Sequence[Goal], lang: Language = ENGLISH) -> Asked:
        """`q` with what its answers may say: its options' keys, names and labels, and the words our
        forms print for it in the program's language `lang` (and in English)."""
        options = answer_options(q, goals)
        lookup: dict[str, str] = {}
        for o in options:
            for spelling in (o.name, o.key, o.label):
                lookup.setdefault(_norm(spelling), o.key)
        if q.options_from == "goals":  # the printed form's own box, as the form wrote it
            lookup.setdefault(OTHER_GOAL, OTHER_GOAL)
            lookup.setdefault(_norm(OTHER_GOAL_LABEL), OTHER_GOAL)
            lookup.setdefault(_norm(lang.gettext(OTHER_GOAL_LABEL)), OTHER_GOAL)
        yes_no = ("Yes", "No")
        if q.type == QuestionType.yes_no:
            lookup.update({"y": "yes", "n": "no", "true": "yes", "false": "no"})
            yes_no = (lang.gettext("Yes"), lang.gettext("No"))  # our forms' words: Oui, Ja, Sí
            for key, word in zip(("yes", "no"), yes_no, strict=True):
                lookup.setdefault(_norm(word), key)
                lookup.setdefault(_norm(_unaccented(word)), key)
        if q.type == QuestionType.scale and q.labels:
            low, high = q.scale
            lookup.setdefault(_norm(q.labels[0]), str(low))
            lookup.setdefault(_norm(q.labels[-1]), str(high))
        return cls(survey, q, options, lookup, yes_no)

    def choices_text(self) -> str:
        shown = [o.label for o in self.options[:8]]
        return ", ".join(repr(s) for s in shown) + (", ..." if len(self.options) > 8 else "")


_NUMBER = re.compile(r"^([+-]?\d+)(?:[.,]0+)?(?:\s*[-\u2013:]\s*\S.*)?$")


def _parse_scale(asked: Asked, cell: str, separators: Sequence[str]) -> Answer:
    low, high = asked.question.scale
    match = _NUMBER.match(cell)
    if match:
        value = int(match.group(1))
    elif _norm(cell) in asked.lookup:
        value = int(asked.lookup[_norm(cell)])
    else:
        raise WrongAnswer(f"{cell!r} is not a number on the scale {low} to {high}")
    if not low <= value <= high:
        raise WrongAnswer(f"{value} is not on the scale {low} to {high}")
    return value


def _parse_choice(asked: Asked, cell: str, separators: Sequence[str]) -> Answer:
    key = asked.lookup.get(_norm(cell))
    if key is None:
        hint = closest(cell, [o.label for o in asked.options])
        raise WrongAnswer(f"{cell!r} is not one of the options{hint or '; the options are ' + asked.choices_text()}")
    return key


def _parse_yes_no(asked: Asked, cell: str, separators: Sequence[str]) -> Answer:
    key = asked.lookup.get(_norm(cell))
    if key is None:
        words = "" if asked.yes_no == ("Yes", "No") else f" ({asked.yes_no[0]!r} or {asked.yes_no[1]!r})"
        raise WrongAnswer(f"{cell!r} is not yes or no{words}")
    return key


def _split_known(cell: str, separator: str, lookup: dict[str, str]) -> list[str] | None:
    """The option keys `cell` joins with `separator`, even where an option's own text holds the separator."""
    pieces = cell.split(separator)
    keys = [lookup.get(_norm(p)) for p in pieces]
    if all(k is not None for k in keys):
        return keys  # type: ignore[return-value]
    found: list[list[str] | None] = [[]] + [None] * len(pieces)  # found[i]: the keys of pieces[:i]
    for end in range(1, len(pieces) + 1):
        for begin in range(end - 1, -1, -1):
            before = found[begin]
            key = lookup.get(_norm(separator.join(pieces[begin:end])))
            if before is not None and key is not None:
                found[end] = before + [key]
                break
    return found[-1]


def _parse_multi(asked: Asked, cell: str, separators: Sequence[str]) -> Answer:
    cell = cell.strip().rstrip(";").strip()  # Microsoft Forms ends the list with ';'
    if not cell:
        return ()
    whole = asked.lookup.get(_norm(cell))
    keys = [whole] if whole is not None else None
    for separator in separators:
        if keys is not None:
            break
        keys = _split_known(cell, separator, asked.lookup)
    if keys is None:
        pieces = [p for p in cell.split(separators[0]) if p.strip()]
        unknown = next((p for p in pieces if _norm(p) not in asked.lookup), cell)
        hint = closest(unknown.strip(), [o.label for o in asked.options])
        raise WrongAnswer(f"{unknown.strip()!r} is not one of the options"
                          f"{hint or '; the options are ' + asked.choices_text()}")
    order = {o.key: i for i, o in enumerate(asked.options)}
    return tuple(sorted(set(keys), key=lambda k: order.get(k, len(order))))


def _parse_text(asked: Asked, cell: str, separators: Sequence[str]) -> Answer:
    return cell


PARSERS: dict[QuestionType, Callable[[Asked, str, Sequence[str]], Answer]] = {
    QuestionType.scale: _parse_scale,
    QuestionType.choice: _parse_choice,
    QuestionType.multi: _parse_multi,
    QuestionType.yes_no: _parse_yes_no,
    QuestionType.text: _parse_text,
}


# --- matching a table to a survey ----------------------------------------------------------------

def _error(file: str, line: int | None, message: str) -> Problem:
    return Problem(file, line, None, "error", "", message)


def _warning(file: str, line: int | None, message: str) -> Problem:
    return Problem(file, line, None, "warning", "", message)


def _column_key(column: str) -> str:
    """'group/sub/satisfaction' and 'survey.midpoint.satisfaction' -> 'satisfaction'."""
    match = FIELD.match(column)
    return match.group(2) if match else column.rsplit("/", 1)[-1].strip()


def _find(survey: Survey, column: str, texts: dict[str, dict[str, Question]]) -> Question | None:
    key = _column_key(column)
    for q in survey.questions:
        if q.id == key:
            return q
    return texts[survey.id].get(_norm(column))


@dataclass(frozen=True)
class Column:
    """What one column of a table is."""

    index: int
    header: str
    asked: Asked | None = None
    option_of: Asked | None = None
    """A KoboToolbox column of one option of a multi question ('goals-met/social-voice'), 0 or 1."""
    option: str = ""


def _choose_survey(table: Table, program: ProgramFile, dialect: Dialect,
                   texts: dict[str, dict[str, Question]]) -> tuple[Survey | None, list[Problem]]:
    surveys = list(program.surveys or [])
    if table.survey is not None:
        chosen = next((s for s in surveys if s.id == table.survey), None)
        if chosen is None:
            hint = closest(table.survey, [s.id for s in surveys])
            return None, [_error(table.file, None, f"the form's fields belong to survey {table.survey!r}, "
                                                   f"which the program does not have{hint}")]
        return chosen, []
    questions = [c for c in table.header if c and not dialect.metadata(c.lower())]
    score = {s.id: sum(1 for c in questions if _find(s, c, texts) is not None) for s in surveys}
    best = max(score.values(), default=0)
    if best == 0:
        every = [q.text for s in surveys for q in s.questions] + [q.id for s in surveys for q in s.questions]
        shown = questions[:3]
        hints = "".join(f"; column {c!r}{closest(c, every) or ' is no question'}" for c in shown)
        names = ", ".join(repr(s.id) for s in surveys) or "none"
        return None, [_error(table.file, 1, f"no survey of the program asks these columns{hints} "
                                            f"(the program's surveys: {names}; read as a {dialect.name} file)")]
    tied = [s for s in surveys if score[s.id] == best]
    if len(tied) > 1:  # a file named after its survey settles it
        named = [s for s in tied if s.id in Path(table.file).name]
        if len(named) == 1:
            return named[0], []
        return None, [_error(table.file, 1, "the columns fit surveys " + " and ".join(repr(s.id) for s in tied)
                             + " equally; put the survey's id in the file name, e.g. "
                             f"{tied[0].id}-answers{Path(table.file).suffix}")]
    return tied[0], []


def _columns(table: Table, survey: Survey, program: ProgramFile, dialect: Dialect,
             texts: dict[str, dict[str, Question]], problems: list[Problem], lang: Language) -> list[Column]:
    asked = {q.id: Asked.of(survey, q, program.goals, lang) for q in survey.questions}
    columns: list[Column] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(table.header):
        question = _find(survey, header, texts) if header else None
        if question is not None:
            if question.id in seen:
                problems.append(_error(table.file, table.header_line, f"{table.column} {header!r} answers the same "
                                                                      f"question as {seen[question.id]!r}"))
                continue
            seen[question.id] = header
            columns.append(Column(index, header, asked[question.id]))
            continue
        parent = header.rsplit("/", 2)
        multi = asked.get(_column_key(parent[-2])) if len(parent) >= 2 and "/" in header else None
        if multi is not None and multi.question.type == QuestionType.multi and _norm(parent[-1]) in multi.lookup:
            columns.append(Column(index, header, option_of=multi, option=multi.lookup[_norm(parent[-1])]))
            continue
        if not header or dialect.metadata(header.lower()):
            continue
        unknown.append(header)
    missing = [q for q in survey.questions if q.id not in seen]
    for header in unknown:
        hint = closest(header, [q.text for q in survey.questions] + [q.id for q in survey.questions])
        if not hint and missing:
            hint = "; questions no column answers: " + ", ".join(repr(q.text) for q in missing[:3])
        problems.append(_error(table.file, table.header_line, f"{table.column} {header!r} is not a question of "
                                                              f"survey {survey.id!r} ({survey.title}){hint}"))
    # a multi question's own column wins over its one-column-per-option form
    return [c for c in columns if c.option_of is None or c.option_of.question.id not in seen]


def _email(table: Table, dialect: Dialect) -> int | None:
    lowered = _lower(table.header)
    return next((lowered.index(name) for name in dialect.email if name in lowered), None)


def _read_table(table: Table, program: ProgramFile, texts: dict[str, dict[str, Question]],
                problems: list[Problem], lang: Language) -> tuple[Survey | None, list[Response]]:
    dialect = dialect_of(table.header)
    survey, found = _choose_survey(table, program, dialect, texts)
    problems += found
    if survey is None:
        return None, []
    columns = _columns(table, survey, program, dialect, texts, problems, lang)
    email_at = _email(table, dialect)
    width = len(table.header)
    errors: dict[str, int] = {}
    responses: list[Response] = []
    for line, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(_error(table.file, line, f"has {len(cells)} fields, the header has {width}"))
            continue
        answers: dict[str, Answer] = {}
        ticked: dict[str, list[str]] = {}
        for column in columns:
            cell = cells[column.index].strip() if column.index < len(cells) else ""
            if column.option_of is not None:
                if cell.lower() in ("1", "true", "yes"):
                    ticked.setdefault(column.option_of.question.id, []).append(column.option)
                continue
            if not cell:
                continue
            assert column.asked is not None
            try:
                value = PARSERS[column.asked.question.type](column.asked, cell, dialect.separators)
            except WrongAnswer as wrong:
                errors[column.header] = errors.get(column.header, 0) + 1
                if errors[column.header] <= MAX_ERRORS_PER_COLUMN:
                    problems.append(_error(table.file, line, f"{table.column} {column.header!r}: {wrong}"))
                continue
            if value != ():
                answers[column.asked.question.id] = value
        for qid, keys in ticked.items():
            answers[qid] = tuple(keys)
        email = cells[email_at].strip().lower() if email_at is not None and email_at < len(cells) else ""
        responses.append(Response(survey.id, email if "@" in email else None, answers, table.file, line))
    for header, count in errors.items():
        if count > MAX_ERRORS_PER_COLUMN:
            problems.append(_error(table.file, None, f"{table.column} {header!r}: {count - MAX_ERRORS_PER_COLUMN} "
                                                     "more answers do not fit the question"))
    return survey, responses


def read_responses(paths: Iterable[str | Path], program: ProgramFile,
                   roster: Sequence[Participant] | None = None, lang: Language | None = None) -> Responses:
    """Read every file of answers, check each answer, join respondents to the roster.

    Answers may be written as the program's forms print them in its language (`lang`, default the
    program's language without a team's own catalogue): 'Oui'/'Non', 'Ja'/'Nein', 'Sí'/'No' as well
    as Yes/No. Raises ResponsesError listing every problem in every file; returns the responses and
    warnings. When one person answered a survey twice, the later answer counts: further down the
    file, or in a file given later.
    """
    lang = lang or program_language(program, None)
    surveys = list(program.surveys or [])
    texts = {s.id: {_norm(q.text): q for q in s.questions} for s in surveys}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    by_survey: dict[str, list[Response]] = {s.id: [] for s in surveys}
    files: dict[str, list[str]] = {s.id: [] for s in surveys}
    for given in paths:
        path = Path(given)
        file = str(given)
        loader = LOADERS.get(path.suffix.lower())
        if loader is None:
            problems.append(_error(file, None, f"cannot read {path.suffix or 'a file without an extension'}: "
                                               "give a CSV export, an Excel workbook (.xlsx) or a filled-in PDF form"))
            continue
        try:
            tables = loader(path, file, program)
        except ResponsesError as exc:
            problems += exc.problems
            continue
        if not tables:
            warnings.append(_warning(file, None, "no answers in this form"))
        for table in tables:
            survey, responses = _read_table(table, program, texts, problems, lang)
            if survey is not None:
                by_survey[survey.id] += responses
                if file not in files[survey.id]:
                    files[survey.id].append(file)
    if problems:
        raise ResponsesError(problems)
    for sid, responses in by_survey.items():
        by_survey[sid] = _latest(responses, sid, warnings)
    if roster is not None:
        by_survey = {sid: _join(responses, roster, warnings) for sid, responses in by_survey.items()}
    return Responses(by_survey, warnings, files)


def _where(r: Response) -> str:
    return f"{r.file}:{r.line}" if r.line is not None else r.file


def _latest(responses: list[Response], survey: str, warnings: list[Problem]) -> list[Response]:
    kept: dict[str, int] = {}
    out: list[Response | None] = []
    for response in responses:
        if response.respondent is not None and response.respondent in kept:
            earlier = kept[response.respondent]
            previous = out[earlier]
            assert previous is not None
            warnings.append(_warning(response.file, response.line, f"this person already answered survey {survey!r} "
                                     f"(at {_where(previous)}); the later answer is kept"))
            out[earlier] = None
        if response.respondent is not None:
            kept[response.respondent] = len(out)
        out.append(response)
    return [r for r in out if r is not None]


def _join(responses: list[Response], roster: Sequence[Participant], warnings: list[Problem]) -> list[Response]:
    people = {p.email.strip().lower(): p for p in roster}
    strangers: dict[str, list[str]] = {}
    out = []
    for response in responses:
        person = people.get(response.respondent) if response.respondent else None
        if person is None:
            if response.respondent is not None:
                strangers.setdefault(response.file, []).append(str(response.line))
            out.append(response)
        else:
            out.append(replace(response, role=person.role, group=person.group))
    for file, lines in strangers.items():
        shown = ", ".join(lines[:10]) + (" and more" if len(lines) > 10 else "")
        warnings.append(_warning(file, None, f"{len(lines)} respondent(s) are not on the roster (line(s) {shown}): "
                                             "their answers count, without a role"))
    return out


__all__ = ["Response", "Responses", "ResponsesError", "read_responses", "DIALECTS", "LOADERS", "PARSERS",
           "dialect_of", "Answer"]
