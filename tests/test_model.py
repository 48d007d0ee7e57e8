"""The model: defaults by type, intervals, the JSON Schema, warnings."""

from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest
import yaml
from conftest import REFERENCE, minimal

from mentorkit.defaults import FIRST_MEETING, TYPES, first_meeting_checklist
from mentorkit.errors import ProgramError
from mentorkit.intervals import Interval, parse_interval
from mentorkit.model import ProgramType, json_schema
from mentorkit.project import load_program


@pytest.mark.parametrize("text, expected", [
    ("2 weeks", Interval(2, "week")), ("1 week", Interval(1, "week")), ("biweekly", Interval(2, "week")),
    ("1 fortnight", Interval(2, "week")), ("9 months", Interval(9, "month")), ("1 day", Interval(1, "day")),
    ("monthly", Interval(1, "month")), ("none", Interval(0, "none")),
])
def test_intervals_read_as_people_write_them(text, expected):
    assert parse_interval(text, units={"day", "week", "month"}, allow_none=True) == expected


def test_minutes_and_hours():
    assert parse_interval("60 min", units={"minute", "hour"}, allow_none=False).minutes() == 60
    assert parse_interval("2 hours", units={"minute", "hour"}, allow_none=False).minutes() == 120


def test_month_arithmetic_clamps_to_month_end():
    from datetime import date
    assert Interval(1, "month").add_to(date(2027, 1, 31)) == date(2027, 2, 28)
    assert Interval(9, "month").add_to(date(2027, 2, 1)) == date(2027, 11, 1)


@pytest.mark.parametrize("kind", [t.value for t in ProgramType])
def test_five_line_program_gets_defaults_that_fit_its_type(write_program, kind):
    project = load_program(write_program(minimal(kind, "1 day" if kind == "flash" else "9 months")))
    pf = project.program
    t = TYPES[ProgramType(kind)]
    assert (pf.program.roles.mentor, pf.program.roles.mentee) == (t.mentor, t.mentee)
    assert pf.cadence.length == t.length
    assert pf.program.summary
    assert pf.surveys and pf.surveys[-1].when.value == "conclusion"
    assert (pf.program.group is not None) == (kind == "group")
    assert project.plan.meetings
    if kind == "flash":
        assert len(project.plan.meetings) == 1
    if kind == "virtual":
        assert pf.program.delivery.value == "virtual"


def test_role_labels_per_type():
    assert TYPES[ProgramType.peer].mentor == TYPES[ProgramType.peer].mentee == "Peer"
    assert "junior" in TYPES[ProgramType.reverse].mentor_is
    assert "senior" in TYPES[ProgramType.reverse].mentee_is.lower()


def test_reference_roles_override_defaults():
    roles = load_program(REFERENCE).program.program.roles
    assert (roles.mentor, roles.mentee) == ("Reverse mentor", "Executive mentee")


def test_checklist_additions_and_replacement(write_program):
    added = first_meeting_checklist(load_program(REFERENCE).program)
    assert added["before"] == FIRST_MEETING["before"] + ["Read the programme charter together with your line manager"]
    replaced = load_program(write_program(minimal() + "checklists:\n  first_meeting:\n    replace: true\n"
                                          "    during: [Only this]\n")).program
    assert first_meeting_checklist(replaced) == {"before": [], "during": ["Only this"], "after": []}


def test_json_schema_accepts_the_reference_file_and_rejects_typos():
    schema = json_schema()
    data = json.loads(json.dumps(yaml.safe_load(REFERENCE.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, schema)
    data["program"]["titel"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_every_field_has_a_description():
    """Editors show these while a team types program.yml: every field of every section has its own,
    from the docstring under it."""
    schema = json_schema()

    def walk(node, where):
        for name, prop in node.get("properties", {}).items():
            assert prop.get("description"), f"{where}.{name} has no docstring"

    walk(schema, "ProgramFile")
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), f"{name} has no docstring"
        walk(definition, name)
    assert schema["properties"]["program"]["description"] == "What the program is, for whom, and when it runs."
    assert schema["$defs"]["Stages"]["properties"]["initiation"]["description"] == (
        "Getting to know each other and agreeing how to work.")


def test_warnings_are_located_and_strict_makes_them_errors(write_program):
    text = minimal("one-on-one", "6 months") + """\
goals:
  - id: quick
    title: Quick habit
    horizon: habit
    time_bound: 2027-08-01
    milestones:
      - { title: Late, due: 2027-08-15 }
  - id: early
    title: Before the start
    time_bound: 2027-01-01
surveys:
  - id: only
    title: Only one
    when: midpoint
"""
    project = load_program(write_program(text))
    found = [str(w).split(": warning: ")[1] for w in project.warnings]
    lines = [str(w).split(":")[1] for w in project.warnings]
    assert any(f.startswith("goals[0].time_bound: a habit goal spans 4-8 weeks") for f in found), found
    assert any(f.startswith("goals[0].milestones[0].due: milestone due 2027-08-15 is after") for f in found)
    assert any(f.startswith("goals[1].time_bound: deadline 2027-01-01 is before the program starts") for f in found)
    assert any(f.startswith("surveys: no conclusion survey") for f in found)
    assert "12" in lines and "14" in lines
    with pytest.raises(ProgramError) as info:
        load_program(write_program(text), strict=True)
    assert all(p.severity == "error" for p in info.value.problems)


def test_cadence_slower_than_a_stage_warns(write_program):
    text = minimal("one-on-one", "9 months") + "cadence:\n  every: 2 weeks\n  stages:\n" \
        "    initiation: { weeks: 2, every: 3 weeks }\n"
    found = [str(w) for w in load_program(write_program(text)).warnings]
    assert any("cadence.stages.initiation: meetings every 3 weeks are further apart than the initiation stage"
               in f for f in found), found


def test_reference_program_has_no_warnings():
    assert load_program(REFERENCE, strict=True).warnings == ()


FOLLOW_UP = "surveys:\n  - id: later\n    title: Later\n    when: {when}\n{extra}"


@pytest.mark.parametrize("when, extra, where, message", [
    ("follow-up", "", "11:11", "a follow-up survey needs 'after' (e.g. '6 months' after the program ends) or 'on'"),
    ("follow-up", "    after: 6 months\n    on: 2028-05-01\n", "13:9", "give 'after' or 'on', not both"),
    ("follow-up", "    on: 2027-06-01\n", "12:9", "2027-06-01 is not after its last day (2027-11-30)"),
    ("follow-up", "    after: later\n", "12:12", "cannot read 'later' as an interval"),
    ("conclusion", "    after: 6 months\n", "12:12", "'after' only fits a survey with 'when: follow-up'"),
])
def test_follow_up_survey_needs_one_date_after_the_program(write_program, when, extra, where, message):
    path = write_program(minimal() + FOLLOW_UP.format(when=when, extra=extra))
    with pytest.raises(ProgramError) as caught:
        load_program(path)
    assert f"{path}:{where}: error: surveys[0]." in str(caught.value) and message in str(caught.value)


def test_follow_up_survey_on_a_date(write_program):
    project = load_program(write_program(minimal() + FOLLOW_UP.format(when="follow-up", extra="    on: 2028-05-01\n")))
    assert [m.dates for m in project.plan.surveys] == [(date(2028, 5, 1),)]
