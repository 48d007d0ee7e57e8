"""Issue 20: the registration survey that `mentorkit match` reads comes in the program's language (its
questions composed from the team's criteria and our words), and `mentorkit match` reads the role
options a French, German or Spanish form gives, in the team's `terms:` too."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_i18n_output import ALSO_A_WORD, ENGLISH

from mentorkit.cli import main
from mentorkit.project import load_program
from mentorkit.roster import read_roster

PROGRAM = """\
mentorkit: 1
program:
  id: binomes-2027
  title: Binômes 2027
  type: {type}
  language: {tag}
  starts: 2027-02-01
  duration: 9 months
matching:
  criteria:
    - {{id: objectifs, label: {goals}, rule: overlap, weight: 3}}
    - {{id: style, label: {style}, rule: same, options: [{options}]}}
    - {{id: service, label: {unit}, rule: different}}
{terms}"""

# the team's own words in each language: data, printed as written
TEAM = {
    "fr": {"goals": "objectifs de carrière", "style": "façon d'apprendre", "options": "Par écrit, De vive voix",
           "unit": "service"},
    "de": {"goals": "Berufliche Ziele", "style": "Lernstil", "options": "Schriftlich, Im Gespräch", "unit": "Abteilung"},
    "es": {"goals": "objetivos profesionales", "style": "forma de aprender", "options": "Por escrito, Hablando",
           "unit": "departamento"},
}
# the role options each language's form offers for a one-on-one program (the type's labels, translated)
ROLE_OPTIONS = {"fr": ["Mentor", "Mentoré·e"], "de": ["Mentorin oder Mentor", "Mentee"], "es": ["Mentor", "Mentee"]}


def _program(folder: Path, tag: str, kind: str = "one-on-one", terms: str = "") -> Path:
    path = folder / "program.yml"
    path.write_text(PROGRAM.format(type=kind, tag=tag, terms=terms, **TEAM[tag]), encoding="utf-8")
    return path


def _registration(program: Path) -> dict[str, Any]:
    survey = next(s for s in load_program(program).program.surveys or [] if s.id == "registration")
    return {q.id: q for q in survey.questions}


def _english_words(text: str, tag: str) -> list[str]:
    words = ENGLISH - ALSO_A_WORD.get(tag, set())
    return sorted({w for w in re.findall(r"[^\W\d_][\w']*", text) if w.lower() in words})


def _registrations(folder: Path, rows: list[list[str]]) -> Path:
    """A registrations file as an XLSForm tool (KoboToolbox) exports the registration survey: one column
    per question id."""
    out = io.StringIO()
    csv.writer(out).writerows([["name", "email", "role", "objectifs", "style", "service"], *rows])
    path = folder / "registrations.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _match(registrations: Path, program: Path, roster: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["match", str(registrations), str(program), "-o", str(roster)])
    return result.exit_code, result.stderr


def _pairs(roster: Path) -> set[tuple[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    for person in read_roster(roster):
        groups.setdefault(person.group, {})[person.role] = person.name
    return {(g["mentor"], g["mentee"]) for g in groups.values()}


def test_a_french_registration_survey_asks_in_french_around_the_team_s_words(tmp_path):
    questions = _registration(_program(tmp_path, "fr"))
    texts = {qid: q.text for qid, q in questions.items()}
    assert list(texts)[:6] == ["name", "email", "role", "objectifs", "style", "service"]
    assert texts["role"] == "Pour quel rôle vous inscrivez-vous\u202f?"
    assert texts["objectifs"] == ("Objectifs de carrière\u00a0: que pouvez-vous apporter si vous êtes mentor, ou "
                                  "qu'espérez-vous acquérir si vous êtes mentoré·e\u202f? Séparez plusieurs réponses "
                                  "par un point-virgule (;).")
    assert texts["style"] == "Façon d'apprendre\u00a0: quelle réponse vous décrit le mieux\u202f?"
    assert texts["service"] == "Service\u00a0: quelle est votre réponse\u202f?"
    assert questions["role"].options == ROLE_OPTIONS["fr"]
    assert questions["style"].options == ["Par écrit", "De vive voix"]  # the team's options, as written
    everything = " ".join([*texts.values(), *(o for q in questions.values() for o in q.options or [])])
    assert not _english_words(everything, "fr")


@pytest.mark.parametrize("tag", ["de", "es"])
def test_german_and_spanish_registration_surveys_ask_in_their_language(tmp_path, tag):
    questions = _registration(_program(tmp_path, tag))
    texts = [q.text for q in questions.values()]
    assert questions["role"].options == ROLE_OPTIONS[tag]
    assert not _english_words(" ".join(texts), tag), texts
    expected = {"de": ("Berufliche Ziele: Was können Sie als Mentorin oder Mentor bieten", "durch ein Semikolon (;)."),
                "es": ("Objetivos profesionales: ¿qué puedes aportar si eres mentor", "con punto y coma (;).")}[tag]
    goals = questions["objectifs"].text
    assert goals.startswith(expected[0]) and goals.endswith(expected[1])


@pytest.mark.parametrize("tag", ["fr", "de", "es"])
def test_match_reads_the_role_options_of_a_form_in_the_program_s_language(tmp_path, tag):
    program = _program(tmp_path, tag)
    mentor, mentee = _registration(program)["role"].options
    style = TEAM[tag]["options"].split(", ")
    regs = _registrations(tmp_path, [["Ana", "ana@x.org", mentor, "données;écriture", style[0], "A"],
                                     ["Ben", "ben@x.org", mentee, "données", style[0], "B"],
                                     ["Cy", "cy@x.org", mentor, "budget", style[1], "C"],
                                     ["Dee", "dee@x.org", mentee, "budget", style[1], "D"]])
    roster = tmp_path / "roster.csv"
    code, stderr = _match(regs, program, roster)
    assert code == 0, stderr
    assert _pairs(roster) == {("Ana", "Ben"), ("Cy", "Dee")}
    assert {p.role for p in read_roster(roster)} == {"mentor", "mentee"}  # the roster mentorkit reads


def test_match_reads_french_role_words_as_people_type_them(tmp_path):
    program = _program(tmp_path, "fr")
    regs = _registrations(tmp_path, [["Ana", "ana@x.org", "mentor", "données", "Par écrit", "A"],
                                     ["Ben", "ben@x.org", "mentorée", "données", "Par écrit", "B"],
                                     ["Cy", "cy@x.org", "MENTOR", "budget", "De vive voix", "C"],
                                     ["Dee", "dee@x.org", "personne mentorée", "budget", "De vive voix", "D"],
                                     ["Eve", "eve@x.org", "mentoré", "", "", "E"]])
    code, stderr = _match(regs, program, tmp_path / "roster.csv")
    assert code == 0, stderr
    regs = _registrations(tmp_path, [["Ana", "ana@x.org", "mentorat", "données", "Par écrit", "A"]])
    code, stderr = _match(regs, program, tmp_path / "roster.csv")
    assert code == 2 and f"{regs}:2: error: role 'mentorat' is not mentor or mentee" in stderr


def test_a_team_s_terms_rename_the_role_options_and_match_reads_them(tmp_path):
    program = _program(tmp_path, "fr", terms="terms:\n  mentee: {one: filleul, gender: m}\n")
    questions = _registration(program)
    assert questions["role"].options == ["Mentor", "Filleul"]
    assert "si vous êtes filleul\u202f?" in questions["objectifs"].text
    regs = _registrations(tmp_path, [["Ana", "ana@x.org", "Mentor", "données", "Par écrit", "A"],
                                     ["Ben", "ben@x.org", "Filleul", "données", "Par écrit", "B"]])
    roster = tmp_path / "roster.csv"
    code, stderr = _match(regs, program, roster)
    assert code == 0, stderr
    assert _pairs(roster) == {("Ana", "Ben")}


def test_a_french_peer_program_names_the_two_sides_in_french(tmp_path):
    program = _program(tmp_path, "fr", kind="peer")
    assert _registration(program)["role"].options == ["mentor", "mentoré·e"]
    regs = _registrations(tmp_path, [["Ana", "ana@x.org", "mentor", "données", "Par écrit", "A"],
                                     ["Ben", "ben@x.org", "mentoré·e", "données", "Par écrit", "B"]])
    roster = tmp_path / "roster.csv"
    assert _match(regs, program, roster)[0] == 0
    assert _pairs(roster) == {("Ana", "Ben")}


def test_an_english_registration_survey_is_worded_as_before(tmp_path):
    path = tmp_path / "program.yml"
    path.write_text(PROGRAM.format(type="reverse", tag="en", terms="", goals="career goals", style="learning style",
                                   options="In writing, In conversation", unit="department"), encoding="utf-8")
    questions = _registration(path)
    assert questions["objectifs"].text == ("Career goals: what can you offer if you mentor, or hope to gain if "
                                           "you are mentored? Separate several answers with ';'.")
    assert questions["style"].text == "Learning style: which describes you best?"
    assert questions["service"].text == "Department: which is yours?"
    assert questions["role"].options == ["Reverse mentor", "Senior mentee"]


def test_a_teams_own_po_words_the_default_surveys_and_is_read_back_in_answers(tmp_path):
    """A team's `fr.po` beside program.yml rewords our default survey questions (the registration
    survey it prints and exports), and `mentorkit report` reads answers given in the team's words."""
    program = tmp_path / "program.yml"
    program.write_text(PROGRAM.format(type="one-on-one", tag="fr", terms="", **TEAM["fr"]), encoding="utf-8")
    ours = next(q for q in load_program(program).program.surveys[0].questions if q.id == "hopes").text
    (tmp_path / "fr.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                    'msgid "What do you hope to gain from the programme?"\n'
                                    'msgstr "Qu\'attendez-vous de votre binôme cette année ?"\n', encoding="utf-8")
    survey = load_program(program).program.surveys[0]
    hopes = next(q for q in survey.questions if q.id == "hopes").text
    assert hopes == "Qu'attendez-vous de votre binôme cette année ?" and hopes != ours
    # an export whose column is the team's wording of the question is read back as that question
    answers = tmp_path / "registration.csv"
    answers.write_text(f'Horodateur,Adresse e-mail,"{hopes}"\n2027/01/10 10:00:00,ann@example.org,Apprendre\n',
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(answers), "--program", str(program), "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["surveys"]["registration"]["questions"]["hopes"]["n"] == 1
    assert "registration" not in figures["not_read"]
