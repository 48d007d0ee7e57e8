"""Every class of bad input gets a located, actionable error; all problems are reported at once."""

from __future__ import annotations

import textwrap
import time

import pytest

from mentorkit.errors import ProgramError
from mentorkit.load import load_yaml_bytes, parse_yaml
from mentorkit.project import load_program
from mentorkit.validate import validate

GOOD = textwrap.dedent("""\
    mentorkit: 1
    program:
      id: demo
      title: Demo
      type: one-on-one
      starts: 2027-02-01
      ends: 2027-10-29
    cadence:
      every: 2 weeks
      length: 60 min
      timezone: Europe/London
    goals:
      - id: a
        title: Goal A
        horizon: reach
        time_bound: 2027-06-30
    surveys:
      - id: s
        title: Survey
        when: conclusion
        questions:
          - id: q
            text: How was it?
            type: scale
""")


def errors(text: str) -> list[str]:
    """Formatted problems for a program text (file name 'p.yml')."""
    with pytest.raises(ProgramError) as info:
        validate(parse_yaml(text, "p.yml"))
    return [str(p) for p in info.value.problems]


def edit(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_good_program_is_valid():
    assert validate(parse_yaml(GOOD, "p.yml")).program.id == "demo"


@pytest.mark.parametrize("text, expected", [
    # YAML syntax
    (edit("  title: Demo\n", "\ttitle: Demo\n"), "p.yml:4:1: error: YAML syntax:"),
    (edit("  title: Demo\n", "   title: Demo\n"), "p.yml:4:"),
    (GOOD + "program: {}\n", "p.yml:25:1: error: duplicate key 'program' (first defined on line 2)"),
    (edit("  title: Demo\n", "  titel: Demo\n"),
     "p.yml:4:3: error: program.titel: unknown key 'titel'; did you mean 'title'?"),
    (edit("type: one-on-one", "type: one-to-one"),
     "p.yml:5:9: error: program.type: 'one-to-one' is not one of: one-on-one, group, peer, reverse, flash, virtual;"
     " did you mean 'one-on-one'?"),
    (edit("  title: Demo\n", "  title: [a, b]\n"), "p.yml:4:10: error: program.title: expected text, got a list"),
    (edit("  title: Demo\n", ""), "p.yml:3:3: error: program.title: required key 'title' is missing"),
    (edit("starts: 2027-02-01", "starts: 2027-02-30"),
     "p.yml:6:11: error: program.starts: 2027-02-30 is not a date in the calendar"),
    (edit("starts: 2027-02-01", "starts: true"),
     "p.yml:6:11: error: program.starts: expected a date written YYYY-MM-DD, got true"),
    (edit("ends: 2027-10-29", "ends: 2026-10-29"),
     "p.yml:7:9: error: program.ends: ends (2026-10-29) is before starts (2027-02-01)"),
    (edit("ends: 2027-10-29", "duration: 9 months\n  ends: 2027-10-29"),
     "p.yml:3:3: error: program: give 'ends' or 'duration', not both"),
    (edit("  ends: 2027-10-29\n", ""),
     "p.yml:3:3: error: program: give either 'ends' (a date) or 'duration' (e.g. '9 months')"),
    (edit("Europe/London", "Europe/Londn"),
     "p.yml:11:13: error: cadence.timezone: unknown time zone 'Europe/Londn'; did you mean 'Europe/London'?"),
    (edit("every: 2 weeks", "every: every other week"),
     "p.yml:9:10: error: cadence.every: cannot read 'every other week' as an interval"),
    (edit("length: 60 min", "length: 60"), "p.yml:10:11: error: cadence.length: a bare number has no unit"),
    (edit("        type: scale", "        type: scale\n        min: 5\n        max: 5"),
     "p.yml:26:14: error: surveys[0].questions[0].max: max (5) must be greater than min (5)"),
    (edit("        type: scale", "        type: choice"),
     "p.yml:22:9: error: surveys[0].questions[0]: a choice question needs 'options' or 'options_from: goals'"),
    (edit("        type: scale", "        type: multi\n        options_from: roles"),
     "p.yml:25:23: error: surveys[0].questions[0].options_from: 'roles' is not one of: goals"),
    (edit("    title: Goal A\n", "    title: Goal A\n  - id: a\n    title: Again\n"),
     "p.yml:15:9: error: goals[1].id: goal id 'a' is used twice (first at [0])"),
    (edit("        type: scale", "        type: scale\n      - id: q\n        text: Again"),
     "p.yml:25:13: error: surveys[0].questions[1].id: question id 'q' is used twice (first at [0])"),
    (GOOD + "  - id: s\n    title: Again\n    when: midpoint\n",
     "p.yml:25:9: error: surveys[1].id: survey id 's' is used twice (first at [0])"),
    (edit("id: demo", "id: Demo Program"),
     "p.yml:3:7: error: program.id: 'Demo Program' is not a slug (lowercase letters, digits and single hyphens); "
     "did you mean 'demo-program'?"),
    (edit("mentorkit: 1", "mentorkit: 2"),
     "p.yml:1:12: error: mentorkit: format version 2 is not supported; this mentorkit reads version 1"),
    ("", "p.yml:1:1: error: file is empty"),
    ("- a\n- b\n", "p.yml:1:1: error: a program is a mapping of sections (mentorkit:, program:, ...), not a list"),
    (edit("  title: Demo\n", "  title: !!python/object/apply:os.system [echo hi]\n"),
     "p.yml:4:10: error: YAML tag '!!python/object/apply:os.system' is not allowed"),
    (edit("  title: Demo\n", "  title: Demo\x07\n"), "p.yml:4:14: error: character U+0007 is a control character"),
    (edit("  timezone: Europe/London\n", "  timezone: Europe/London\n  wekday: monday\n"),
     "p.yml:12:3: error: cadence.wekday: unknown key 'wekday'; did you mean 'weekday'?"),
])
def test_error_is_located(text: str, expected: str):
    found = errors(text)
    assert any(line.startswith(expected) for line in found), found


def test_every_problem_at_once():
    text = edit("type: one-on-one", "type: one-to-one")
    text = text.replace("starts: 2027-02-01", "starts: 2027-13-01").replace("Europe/London", "Mars/Base")
    text += "program: {}\n"
    found = errors(text)
    assert len(found) == 4, found
    assert [f.split(":")[1] for f in found] == ["5", "6", "11", "25"]


def test_non_utf8_bytes_name_their_line():
    raw = GOOD.replace("title: Demo", "title: Caf\xe9").encode("latin-1")
    with pytest.raises(ProgramError) as info:
        load_yaml_bytes(raw, "p.yml")
    assert str(info.value).startswith("p.yml:4:13: error: byte 0xe9 is not UTF-8")


def test_byte_order_mark_is_refused():
    with pytest.raises(ProgramError, match="byte-order mark"):
        load_yaml_bytes(b"\xef\xbb\xbf" + GOOD.encode(), "p.yml")


def test_huge_file_is_refused_at_once(tmp_path):
    path = tmp_path / "program.yml"
    path.write_bytes(GOOD.encode() + b"#" * (30 * 1024 * 1024))
    start = time.monotonic()
    with pytest.raises(ProgramError, match="not a program"):
        load_program(path)
    assert time.monotonic() - start < 2


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.monotonic()
    found = errors("\n".join(lines) + "\n")
    assert time.monotonic() - start < 2
    assert "YAML bomb" in found[0]


def test_yaml_11_traps_stay_strings():
    data = parse_yaml("a: no\nb: 8:30\nc: 0777\nd: 2027-02-01\ne: on\n", "p.yml").data
    assert data == {"a": "no", "b": "8:30", "c": 777, "d": "2027-02-01", "e": "on"}


def test_python_tags_never_execute(tmp_path):
    canary = tmp_path / "canary"
    text = GOOD.replace("title: Demo", f"title: !!python/object/apply:os.system ['touch {canary}']")
    errors(text)
    assert not canary.exists()


def test_deep_nesting_is_refused():
    found = errors("a: " + "[" * 60 + "]" * 60 + "\n")
    assert "nested more than" in found[0]
