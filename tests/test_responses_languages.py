"""Issue 20: answers to the surveys of a French, German or Spanish program, exported by Google Forms or
Microsoft Forms from forms made with the program's own labels (Oui/Non, Ja/Nein, Sí/No; the
translated options, scale ends and 'another goal' box) and from accounts in those languages
(Horodateur, Startzeit...), are read back; English answers still are."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mentorkit.cli import main
from mentorkit.i18n import language
from mentorkit.project import load_program
from mentorkit.responses import ResponsesError, read_responses

PROGRAM = """\
mentorkit: 1
program:
  id: binomes-2027
  title: Qz
  type: one-on-one
  language: {tag}
  starts: 2027-02-01
  duration: 9 months
goals:
  - {{id: prise-de-parole, title: Qzgoal1}}
  - {{id: reseau, title: Qzgoal2}}
"""
WORDS = {"fr": ("Oui", "Non"), "de": ("Ja", "Nein"), "es": ("Sí", "No")}
# the tools' own columns, as they write them for an account in each language
GOOGLE = {"fr": ["Horodateur", "Adresse e-mail"], "de": ["Zeitstempel", "E-Mail-Adresse"],
          "es": ["Marca temporal", "Dirección de correo electrónico"]}
MICROSOFT = {"fr": ["ID", "Heure de début", "Heure de fin", "Adresse de messagerie", "Nom"],
             "de": ["ID", "Startzeit", "Fertigstellungszeit", "E-Mail", "Name"],
             "es": ["Id", "Hora de inicio", "Hora de finalización", "Correo electrónico", "Nombre"]}


def _program(folder: Path, tag: str) -> tuple[Path, Any]:
    path = folder / "program.yml"
    path.write_text(PROGRAM.format(tag=tag), encoding="utf-8")
    return path, load_program(path).program


def _questions(program: Any, survey: str) -> dict[str, Any]:
    return {q.id: q for s in program.surveys if s.id == survey for q in s.questions}


def _csv(folder: Path, name: str, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = folder / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _google_midpoint(folder: Path, tag: str, program: Any, answers: list[str]) -> Path:
    """A Google Forms export of the midpoint survey: the questions as the program asks them."""
    q = _questions(program, "midpoint")
    header = [*GOOGLE[tag], q["satisfaction"].text, q["meeting-as-agreed"].text, q["progress"].text]
    rows = [[f"2027/06/16 9:1{n}:03", f"p{n}@x.org", str(7 + n % 3), said, ""] for n, said in enumerate(answers)]
    return _csv(folder, "midpoint.csv", [header, *rows])


@pytest.mark.parametrize("tag", ["fr", "de", "es"])
def test_google_forms_answers_in_the_program_s_language_are_read(tmp_path, tag):
    _, program = _program(tmp_path, tag)
    yes, no = WORDS[tag]
    export = _google_midpoint(tmp_path, tag, program, [yes, no, yes.upper(), "Yes"])
    read = read_responses([export], program).by_survey["midpoint"]
    assert [r.answers.get("meeting-as-agreed") for r in read] == ["yes", "no", "yes", "yes"]
    assert [r.respondent for r in read] == ["p0@x.org", "p1@x.org", "p2@x.org", "p3@x.org"]  # its e-mail column


def test_spanish_si_typed_without_its_accent_is_yes(tmp_path):
    _, program = _program(tmp_path, "es")
    export = _google_midpoint(tmp_path, "es", program, ["Si", "sí", "No"])
    assert [r.answers["meeting-as-agreed"] for r in read_responses([export], program).by_survey["midpoint"]] == \
        ["yes", "yes", "no"]


def test_an_answer_that_is_not_yes_or_no_names_the_program_s_words(tmp_path):
    _, program = _program(tmp_path, "de")
    export = _google_midpoint(tmp_path, "de", program, ["Ja", "Vielleicht"])
    with pytest.raises(ResponsesError) as raised:
        read_responses([export], program)
    assert f"{export}:3: error: column " in str(raised.value)
    assert "'Vielleicht' is not yes or no ('Ja' or 'Nein')" in str(raised.value)


@pytest.mark.parametrize("tag", ["fr", "de", "es"])
def test_microsoft_forms_answers_with_translated_options_and_scale_ends_are_read(tmp_path, tag):
    _, program = _program(tmp_path, tag)
    q = _questions(program, "conclusion")
    another = language(tag).gettext("Another goal of my own")
    assert another != "Another goal of my own"
    never, weekly = q["applied"].labels  # the scale's ends, as the program's form prints them
    header = [*MICROSOFT[tag], *(q[k].text for k in ("satisfaction", "goals-reached", "applied", "stress",
                                                      "mentor-next"))]
    yes, no = WORDS[tag]
    export = _csv(tmp_path, "conclusion.csv", [
        header,
        ["1", "10/25/27 09:01:12", "10/25/27 09:04:40", "ana@x.org", "Ana", "9", f"Qzgoal1;{another};", weekly, "", yes],
        ["2", "10/25/27 10:15:00", "10/25/27 10:19:31", "ben@x.org", "Ben", "6", "Qzgoal2;", never, "Qz", no],
        ["3", "10/25/27 11:15:00", "10/25/27 11:19:31", "cy@x.org", "Cy", "7", "", f"3 - {weekly}", "", "No"]])
    read = read_responses([export], program).by_survey["conclusion"]
    assert [r.answers.get("goals-reached") for r in read] == [("prise-de-parole", "other"), ("reseau",), None]
    assert [r.answers.get("applied") for r in read] == [5, 1, 3]
    assert [r.answers.get("mentor-next") for r in read] == ["yes", "no", "no"]


def test_the_report_counts_french_yes_and_no(tmp_path):
    path, program = _program(tmp_path, "fr")
    export = _google_midpoint(tmp_path, "fr", program, ["Oui", "Oui", "Non"])
    result = CliRunner().invoke(main, ["report", str(export), "-p", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)["surveys"]["midpoint"]["questions"]["meeting-as-agreed"]["counts"]
    assert counts == {"yes": 2, "no": 1}


def test_an_english_program_reads_yes_and_no_as_before(tmp_path):
    path = tmp_path / "program.yml"
    path.write_text(PROGRAM.format(tag="en"), encoding="utf-8")
    program = load_program(path).program
    export = _google_midpoint(tmp_path, "fr", program, ["Yes", "no", "Y"])  # an account in French: Horodateur
    assert [r.answers["meeting-as-agreed"] for r in read_responses([export], program).by_survey["midpoint"]] == \
        ["yes", "no", "yes"]
    export = _google_midpoint(tmp_path, "fr", program, ["Oui"])
    with pytest.raises(ResponsesError, match=r"'Oui' is not yes or no$"):
        read_responses([export], program)
