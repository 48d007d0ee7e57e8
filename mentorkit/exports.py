"""Surveys -> forms other tools import: XLSForm (KoboToolbox, ODK, Enketo, SurveyCTO), Qualtrics TXT, CSV templates.

Each export format is one entry of `FORMATS`; within a format, each question type is one entry of
that format's table. `answer_options` is the one list of what a question can be answered with:
the readers of `responses` and the figures of `report` use it too, so a form made here and the
answers read back always agree on the option keys.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from .i18n import N_, Language, program_language
from .model import Goal, ProgramFile, Question, QuestionType, Survey

OTHER_GOAL = "other"
"""Key of the printed form's 'Another goal of my own' box."""
OTHER_GOAL_LABEL = "Another goal of my own"
# a fixed date for the parts of an .xlsx that carry one, so that the same program gives the same bytes
_FIXED = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Option:
    """One answer a choice, multi, scale or yes-no question offers."""

    key: str
    """What the report counts it under: option text, goal id, scale point, or yes / no."""
    label: str
    """What the respondent sees."""
    name: str
    """A name made of letters, digits and hyphens, for tools that want one (XLSForm choice names)."""


def slug(text: str) -> str:
    """'In writing!' -> 'in-writing'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "option"


def _unique_names(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return out


def _scale_options(q: Question, goals: Sequence[Goal]) -> list[Option]:
    low, high = q.scale
    ends = {low: q.labels[0], high: q.labels[-1]} if q.labels else {}
    return [Option(str(n), f"{n} - {ends[n]}" if n in ends else str(n), str(n)) for n in range(low, high + 1)]


def _listed_options(q: Question, goals: Sequence[Goal]) -> list[Option]:
    if q.options_from == "goals":
        return [Option(g.id, g.title, g.id) for g in goals]
    texts = list(q.options or [])
    return [Option(t, t, n) for t, n in zip(texts, _unique_names([slug(t) for t in texts]), strict=True)]


def _yes_no_options(q: Question, goals: Sequence[Goal]) -> list[Option]:
    return [Option("yes", "Yes", "yes"), Option("no", "No", "no")]


def _no_options(q: Question, goals: Sequence[Goal]) -> list[Option]:
    return []


OPTIONS: dict[QuestionType, Callable[[Question, Sequence[Goal]], list[Option]]] = {
    QuestionType.scale: _scale_options,
    QuestionType.choice: _listed_options,
    QuestionType.multi: _listed_options,
    QuestionType.yes_no: _yes_no_options,
    QuestionType.text: _no_options,
}


def answer_options(q: Question, goals: Sequence[Goal]) -> list[Option]:
    """The answers `q` offers, in order (none for text)."""
    return OPTIONS[q.type](q, goals)


# --- XLSForm ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class XlsRow:
    """A question's row on the `survey` sheet, and its list on the `choices` sheet."""

    type: str
    appearance: str = ""
    hint: str = ""
    list_name: str = ""


def _list_name(q: Question) -> str:
    return "q_" + q.id.replace("-", "_")


def _xls_scale(q: Question, lang: Language) -> XlsRow:
    low, high = q.scale
    hint = f"{low} = {q.labels[0]}, {high} = {q.labels[-1]}" if q.labels else \
        lang.gettext("From %(low)s to %(high)s") % {"low": low, "high": high}
    return XlsRow(f"select_one {_list_name(q)}", "likert", hint, _list_name(q))


XLSFORM: dict[QuestionType, Callable[[Question, Language], XlsRow]] = {
    QuestionType.text: lambda q, lang: XlsRow("text", "multiline"),
    QuestionType.choice: lambda q, lang: XlsRow(f"select_one {_list_name(q)}", list_name=_list_name(q)),
    QuestionType.multi: lambda q, lang: XlsRow(f"select_multiple {_list_name(q)}", list_name=_list_name(q)),
    QuestionType.scale: _xls_scale,
    QuestionType.yes_no: lambda q, lang: XlsRow("select_one yes_no", list_name="yes_no"),
}


def _shown(q: Question, option: Option, lang: Language) -> str:
    """What the respondent reads for an option, in the program's language: our Yes and No translated,
    the team's own options as written."""
    return lang.gettext(option.label) if q.type == QuestionType.yes_no else option.label


def xlsform(program: ProgramFile, survey: Survey, lang: Language | None = None) -> bytes:
    """One survey as an XLSForm workbook (`survey`, `choices` and `settings` sheets), our words in `lang`
    (default: the program's language)."""
    from openpyxl import Workbook

    lang = lang or program_language(program, None)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "hint", "required", "appearance"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    if survey.intro:
        names = {q.id for q in survey.questions}
        sheet.append(["note", "intro" if "intro" not in names else "intro-note", survey.intro, "", "", ""])
    listed: set[str] = set()
    for q in survey.questions:
        row = XLSFORM[q.type](q, lang)
        sheet.append([row.type, q.id, q.text, row.hint, "yes" if q.required else "", row.appearance])
        if row.list_name and row.list_name not in listed:
            listed.add(row.list_name)
            for option in answer_options(q, program.goals):
                choices.append([row.list_name, option.name, _shown(q, option, lang)])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append([survey.title, f"{program.program.id}-{survey.id}"])
    book.properties.creator = "mentorkit"
    book.properties.created = book.properties.modified = _FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same workbook with fixed dates in its zip entries and properties: same program, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()


# --- Qualtrics Advanced Format TXT ----------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join(text.split())


def _qualtrics_choices(tag: str) -> Callable[[Question, Sequence[Goal], Language], list[str]]:
    def lines(q: Question, goals: Sequence[Goal], lang: Language) -> list[str]:
        return [tag, _one_line(q.text), "", "[[Choices]]",
                *(_one_line(_shown(q, o, lang)) for o in answer_options(q, goals))]

    return lines


QUALTRICS: dict[QuestionType, Callable[[Question, Sequence[Goal], Language], list[str]]] = {
    QuestionType.text: lambda q, goals, lang: ["[[Question:TE:Essay]]", _one_line(q.text)],
    QuestionType.choice: _qualtrics_choices("[[Question:MC:SingleAnswer:Vertical]]"),
    QuestionType.multi: _qualtrics_choices("[[Question:MC:MultipleAnswer:Vertical]]"),
    QuestionType.scale: _qualtrics_choices("[[Question:MC:SingleAnswer:Horizontal]]"),
    QuestionType.yes_no: _qualtrics_choices("[[Question:MC:SingleAnswer:Horizontal]]"),
}


def qualtrics(program: ProgramFile, survey: Survey, lang: Language | None = None) -> bytes:
    """One survey in Qualtrics' Advanced Format TXT: a block of questions, each with its id.

    The format has no way to say that an answer is required: required questions say so in
    their text (in `lang`, default the program's language), and 'Force response' is switched on
    in Qualtrics after the import.
    """
    lang = lang or program_language(program, None)
    out = ["[[AdvancedFormat]]", "", f"[[Block:{_one_line(survey.title)}]]", ""]
    if survey.intro:
        out += ["[[Question:Text]]", "[[ID:intro]]", _one_line(survey.intro), ""]
    for q in survey.questions:
        lines = QUALTRICS[q.type](q, program.goals, lang)
        if q.required:
            lines[1] += " " + lang.gettext("(required)")
        out += [lines[0], f"[[ID:{q.id}]]", *lines[1:], ""]
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")


# --- CSV template -----------------------------------------------------------------------------

EMAIL_COLUMN = "email"


def csv_template(program: ProgramFile, survey: Survey, lang: Language | None = None) -> bytes:
    """A header row for typing answers in by hand: `email`, then one column per question id."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([EMAIL_COLUMN, *(q.id for q in survey.questions)])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Format:
    """One export format: what it writes for a survey, and the file's extension."""

    extension: str
    write: Callable[[ProgramFile, Survey, Language | None], bytes]


FORMATS: dict[str, Format] = {
    "xlsform": Format(".xlsx", xlsform),
    "qualtrics": Format(".txt", qualtrics),
    "csv": Format(".csv", csv_template),
}


def export_surveys(program: ProgramFile, fmt: str, lang: Language | None = None) -> dict[str, bytes]:
    """File name -> bytes: one file per survey of `program` in the format `fmt`, our words in `lang`
    (default: the program's language, without a team's own catalogue: pass `program_language(program,
    project.root)` for that)."""
    chosen = FORMATS[fmt]
    lang = lang or program_language(program, None)
    return {f"{s.id}{chosen.extension}": chosen.write(program, s, lang) for s in program.surveys or []}


QR_ALT = N_("QR code of %(url)s")


def qr_svg(url: str, size: str = "28mm", alt: str | None = None) -> Markup:
    """A QR code of `url` for paper: an SVG image, inline, with the address as its text alternative
    (`alt`: the template gives it in the program's language, `gettext(QR_ALT, url=url)`).

    The same URL always gives the same bytes.
    """
    import base64

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", scale=4, border=2, xmldecl=False, nl=False)
    src = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Markup('<img class="qr" src="{}" alt="{}" style="width: {}; height: {};">').format(
        src, alt if alt is not None else QR_ALT % {"url": url}, size, size)


__all__ = ["Option", "answer_options", "export_surveys", "FORMATS", "qr_svg", "slug", "OTHER_GOAL",
           "OTHER_GOAL_LABEL", "EMAIL_COLUMN"]
