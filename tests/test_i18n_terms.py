"""Issue 20: `terms:` in program.yml. A team's feminine form of a word for people (`feminine:`) is a
field of the model, validated, and written where our text uses a feminine form; a phrase the terms
cannot write is a warning that `--strict` makes fatal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import context_of

from mentorkit.cli import main
from mentorkit.errors import ProgramError
from mentorkit.i18n import program_language, strict_terms, terms_warnings
from mentorkit.model import json_schema
from mentorkit.project import load_program
from mentorkit.site import render_pages

PROGRAM = """\
mentorkit: 1
program:
  id: paten-2027
  title: Qz
  type: one-on-one
  language: {tag}
  starts: 2027-03-01
  duration: 6 months
terms:
{terms}
"""


def _program(folder: Path, tag: str, terms: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "program.yml"
    path.write_text(PROGRAM.format(tag=tag, terms=terms), encoding="utf-8")
    return path


def _pages(path: Path) -> str:
    project = load_program(path)
    return "\n".join(render_pages(project, context_of(project)).values())


# --- feminine: -----------------------------------------------------------------------------------

def test_a_german_team_s_feminine_keeps_both_names_of_a_person_in_its_words(tmp_path):
    pages = _pages(_program(tmp_path, "de", "  mentor: {one: Pate, other: Paten, gender: m, feminine: Patin}"))
    assert "Patinnen und Paten" in pages  # the plural of the feminine: the language's rule
    assert "Ihre Patin oder Ihr Pate" in pages and "der Patin oder des Paten" in pages
    assert not re.search(r"\bMentor(in|innen|en|s)?\b", pages)


def test_a_french_team_s_feminine_replaces_the_feminine_our_text_uses(tmp_path):
    terms = "  mentee: {one: filleul, gender: m, feminine: {one: filleule, other: filleules}}"
    pages = _pages(_program(tmp_path, "fr", terms))
    assert "filleule" in pages and "filleul" in pages.replace("filleule", "")
    assert "personne mentorée" not in pages and "personnes mentorées" not in pages and "mentoré" not in pages


def test_feminine_is_read_as_a_word_or_a_mapping_and_written_back_as_given(tmp_path):
    terms = "  mentor: {one: Pate, feminine: Patin}\n  mentee: {one: Nachwuchskraft, feminine: {one: Patenkind}}\n" \
            "  goal: Vorhaben"
    pf = load_program(_program(tmp_path, "de", terms)).program
    assert pf.terms["mentor"].feminine is not None and pf.terms["mentor"].feminine.one == "Patin"
    assert pf.model_dump(mode="json")["terms"]["goal"] == "Vorhaben"
    assert pf.model_dump(mode="json")["terms"]["mentor"]["feminine"] == "Patin"
    data = json.loads(json.dumps(yaml.safe_load((tmp_path / "program.yml").read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, json_schema())  # editors accept both spellings
    data["terms"]["mentor"]["feminine"] = {"one": "Patin", "plural": "Patinnen"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


@pytest.mark.parametrize(("terms", "where", "message"), [
    ("  goal: {one: Vorhaben, feminine: Vorhabin}", "10:35", "terms.goal.feminine: only mentor and mentee name people"),
    ("  mentor: {one: Pate, feminine: {one: Patin, plural: Patinnen}}", "10:46",
     "terms.mentor.feminine.plural: unknown key 'plural'"),
    ("  mentor: {one: Pate, femnine: Patin}", "10:23", "terms.mentor.femnine: unknown key 'femnine'"),
    ("  mentor: [Pate, Patin]", "10:11", "terms.mentor: expected a word, or a mapping with one, other, gender"),
])
def test_a_wrong_feminine_is_located(tmp_path, terms, where, message):
    path = _program(tmp_path, "de", terms)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert any(line.startswith(f"{path}:{where}: error: {message}") for line in result.stderr.splitlines()), \
        result.stderr
    assert "constrained-str" not in result.stderr and ".Term." not in result.stderr  # one problem, said once


def test_the_schema_describes_feminine():
    schema = json_schema()
    term = schema["$defs"]["Term"]["properties"]["feminine"]
    assert "Mentorin" in term["description"]
    assert {"type": "string", "minLength": 1, "maxLength": 300} in term["anyOf"]
    json.dumps(schema)


MEETING = "  meeting: {one: Termin, other: Termine, gender: m}"


# --- the default surveys -------------------------------------------------------------------------

def test_the_default_surveys_are_in_the_team_s_terms(tmp_path):
    pf = load_program(_program(tmp_path / "de", "de", MEETING)).program
    texts = [q.text for s in pf.surveys or [] for q in s.questions]
    assert "Hat Ihr erster Termin schon stattgefunden?" in texts  # determiner and adjective agree
    assert not any("Treffen" in t for t in texts)
    pf = load_program(_program(tmp_path / "en", "en", "  programme: scheme\n  mentee: protégé")).program
    texts = [q.text for s in pf.surveys or [] for q in s.questions]
    assert "What do you hope to gain from the scheme?" in texts
    assert pf.program.summary == "Each protégé is paired with one mentor for regular, private conversations about " \
                                 "their growth."


# --- strict ----------------------------------------------------------------------------------------


def test_a_phrase_terms_cannot_write_is_a_located_warning_and_strict_makes_it_an_error(tmp_path):
    path = _program(tmp_path, "de", MEETING + "\n  goal: Vorhaben")
    project = load_program(path)
    lang = program_language(project.program, project.root)
    assert lang.text("Wir verschieben dieses Treffen.") == "Wir verschieben dieses Termin."
    found = [str(w) for w in terms_warnings(project.program, project.located)]
    assert f'{path}:10:12: warning: terms.meeting: the case of "dieses Treffen" is not clear, so its article is ' \
           "left as it is; give the phrase under terms: meeting: forms:" in found
    with pytest.raises(ProgramError) as raised:
        strict_terms(project.program, project.located)
    assert f'{path}:10:12: error: terms.meeting: the case of "dieses Treffen"' in str(raised.value)
    # the phrase given under forms: is settled, and these terms have nothing to say
    settled = _program(tmp_path, "de", MEETING[:-1] + ", forms: {verschieben dieses Treffen: verschieben diesen "
                                                      "Termin}}\n  goal: Vorhaben")
    project = load_program(settled)
    lang = program_language(project.program, project.root)
    assert lang.text("Wir verschieben dieses Treffen.") == "Wir verschieben diesen Termin."
    strict_terms(project.program, project.located)


@pytest.mark.slow
def test_a_strict_build_fails_on_a_phrase_terms_cannot_write_and_writes_nothing(tmp_path):
    path = _program(tmp_path, "de", MEETING)
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--strict", "--jobs", "0", "--no-cache"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors and all(line.startswith(f"{path}:10:12: error: terms.meeting: the case of ") for line in errors)
    assert 'the case of "jedes Treffen" is not clear' in result.stderr
    assert not out.exists()
