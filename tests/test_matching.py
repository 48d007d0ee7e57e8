"""`mentorkit match`: optimal pairs under hard rules and capacity, stable ties, kept pairs, circles, bad input."""

from __future__ import annotations

import csv
import io
import itertools
import random
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from mentorkit.cli import main
from mentorkit.matching import Registrant, match, roster_csv
from mentorkit.model import Criterion
from mentorkit.project import load_program
from mentorkit.roster import read_roster

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "registrations.csv"

PROGRAM = """\
mentorkit: 1
program:
  id: demo
  title: Demo programme
  type: {type}
  starts: 2027-02-01
  duration: 9 months
matching:
  criteria:
{criteria}
{extra}
"""

CRITERIA = """\
    - id: goals
      label: career goals
      rule: overlap
      weight: 3
    - id: expertise
      label: technical expertise
      rule: overlap
      weight: 2
    - id: style
      label: learning and communication style
      rule: same
      weight: 1
    - id: department
      label: location and department
      rule: different
"""


def program(folder: Path, criteria: str = CRITERIA, kind: str = "reverse", extra: str = "") -> Path:
    path = folder / "program.yml"
    path.write_text(PROGRAM.format(type=kind, criteria=criteria.rstrip("\n"), extra=extra), encoding="utf-8")
    return path


def registrations(folder: Path, text: str, name: str = "registrations.csv") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["match", *args])
    return result.exit_code, result.stdout, result.stderr


def pairs_of(roster: Path) -> set[tuple[str, ...]]:
    """Each group as (mentor, mentees...) names."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for person in read_roster(roster):
        groups.setdefault(person.group, []).append((person.role, person.name))
    return {tuple(n for r, n in sorted(members, key=lambda m: m[0] != "mentor")) for members in groups.values()}


# --- optimality ---------------------------------------------------------------------------

def test_the_sample_matches_everyone_where_best_first_would_strand_catherine(tmp_path):
    # By hand (goals 3, expertise 2, style 1; same department forbidden):
    # Jonathan-Amara 6, Margaret-Lucía 6 are the two best pairs, and a best-first pass takes them;
    # Catherine (Finance) is then left with Tomasz (Finance): forbidden, so she is stranded.
    # Optimal: Amara-Catherine 1.5 (remote leadership of data;remote leadership), Lucía-Margaret 6,
    # Tomasz-Jonathan 3 (remote leadership) = 10.5, and nobody is left out.
    out = tmp_path / "roster.csv"
    code, stdout, stderr = run(str(EXAMPLE), str(program(tmp_path)), "-o", str(out))
    assert code == 0, stderr
    assert pairs_of(out) == {("Amara Okafor", "Reid, Catherine"), ("Lucía Fernández", "Margaret Osei"),
                             ("Tomasz Wiśniewski", "Jonathan Hale")}
    assert "3 of 3 mentees matched in 3 pairs, 0 people left" in stdout
    assert out.read_text(encoding="utf-8").splitlines()[:3] == [
        "name,email,role,group",
        "Amara Okafor,amara.okafor@northwind.example,mentor,pair-01",
        '"Reid, Catherine",catherine.reid@northwind.example,mentee,pair-01',
    ]


def test_the_example_program_matches_the_example_registrations(tmp_path):
    out = tmp_path / "roster.csv"
    code, _, stderr = run(str(EXAMPLE), str(EXAMPLE.parent / "matching" / "program.yml"), "-o", str(out))
    assert code == 0, stderr
    assert ("Tomasz Wiśniewski", "Jonathan Hale") in pairs_of(out)


def test_fewer_perfect_pairs_lose_to_more_good_pairs(tmp_path):
    # Ann-Dan and Ben-Dan both score 3, Ann-Eve 0, and Ben-Eve is forbidden (both in B). Best first, in
    # registration order, takes Ann-Dan and strands Ben; two pairs (Ben-Dan 3, Ann-Eve 0) beat that.
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Dan,dan@x.org,mentor,A,data;writing;video,,
        Eve,eve@x.org,mentor,B,,,
        Ann,ann@x.org,mentee,C,data,,
        Ben,ben@x.org,mentee,B,writing,,
    """)
    out = tmp_path / "roster.csv"
    assert run(str(regs), str(program(tmp_path)), "-o", str(out))[0] == 0
    assert pairs_of(out) == {("Dan", "Ben"), ("Eve", "Ann")}


def _brute_force(people: list[Registrant], criteria: list[Criterion], capacity: int = 1) -> tuple[int, float]:
    """(pairs, total score) of the best matching, by trying every one."""
    from mentorkit.matching import score_matrix

    mentors = [p for p in people if p.role == "mentor"]
    mentees = [p for p in people if p.role == "mentee"]
    points, allowed = score_matrix(mentees, mentors, criteria)
    best = (0, 0.0)
    slots = [m for m in range(len(mentors)) for _ in range(capacity)] + [None] * len(mentees)
    for choice in set(itertools.permutations(slots, len(mentees))):
        chosen = [(e, m) for e, m in enumerate(choice) if m is not None]
        if all(allowed[e, m] for e, m in chosen):
            value = (len(chosen), round(sum(points[e, m] for e, m in chosen), 6))
            best = max(best, value)
    return best


@pytest.mark.parametrize(("capacity", "most"), [(1, 8), (2, 6)])
def test_random_small_cases_agree_with_trying_every_matching(capacity, most):
    criteria = [Criterion.model_validate(c) for c in ({"id": "goals", "rule": "overlap", "weight": 3},
                                                      {"id": "style", "rule": "same", "weight": 2},
                                                      {"id": "dept", "rule": "different"})]
    rng = random.Random(7)
    for _ in range(40):
        people = []
        for i in range(rng.randint(2, most)):
            goals = tuple(rng.sample(["a", "b", "c", "d"], rng.randint(0, 3)))
            people.append(Registrant(f"P{i}", f"p{i}@x.org", rng.choice(["mentor", "mentee"]),
                                     {"goals": goals, "style": (rng.choice("xy"),), "dept": (rng.choice("DEF"),)},
                                     i + 2))
        result = match(people, criteria, capacity=capacity)
        got = (sum(len(g.pairs) for g in result.groups),
               round(sum(p.score for g in result.groups for p in g.pairs), 6))
        assert got == _brute_force(people, criteria, capacity)


# --- hard rules, capacity, ties -----------------------------------------------------------

def test_a_different_rule_is_never_broken_and_the_reason_is_given(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,finance ,data,dashboards,Either
        Flo,flo@x.org,mentee,Finance,data,dashboards,Either
    """)
    out, explained = tmp_path / "roster.csv", tmp_path / "why.md"
    code, stdout, _ = run(str(regs), str(program(tmp_path)), "-o", str(out), "--explain", str(explained))
    assert code == 0
    assert out.read_text(encoding="utf-8") == "name,email,role,group\n" and "0 of 1 mentees matched" in stdout
    text = explained.read_text(encoding="utf-8")
    assert "## Not matched" in text
    assert "- **Flo** (mentee, line 3): The only mentor gave the same answer for location and department (Finance)" in text
    assert "- **Mo** (mentor, line 2): The only mentee gave the same answer" in text


def test_capacity_two_takes_two_and_the_third_is_told_why(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,A,data,,
        Ann,ann@x.org,mentee,B,data,,
        Ben,ben@x.org,mentee,C,,,
        Cat,cat@x.org,mentee,D,data,,
    """)
    out, explained = tmp_path / "roster.csv", tmp_path / "why.md"
    assert run(str(regs), str(program(tmp_path, extra="  capacity: 2")), "-o", str(out), "--explain",
               str(explained))[0] == 0
    assert pairs_of(out) == {("Mo", "Ann", "Cat")}  # the two who want data, not Ben
    assert [p.group for p in read_roster(out)] == ["group-01"] * 3
    text = explained.read_text(encoding="utf-8")
    assert "- **Ben** (mentee, line 4): No mentor place was left: the only mentor they could be paired with, Mo, " \
           "was full." in text


def test_ties_go_to_whoever_registered_first(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Zed,zed@x.org,mentee,X,data,,
        Mo,mo@x.org,mentor,A,data,,
        Al,al@x.org,mentor,B,data,,
        Yan,yan@x.org,mentee,Y,data,,
        Xia,xia@x.org,mentee,Z,data,,
    """)
    out = tmp_path / "roster.csv"
    prog = program(tmp_path)
    assert run(str(regs), str(prog), "-o", str(out))[0] == 0
    first = out.read_bytes()
    # all score 3: the first mentee takes the first mentor, the next the next; Xia, last, waits
    assert pairs_of(out) == {("Mo", "Zed"), ("Al", "Yan")}
    for _ in range(3):
        assert run(str(regs), str(prog), "-o", str(out))[0] == 0
        assert out.read_bytes() == first


def test_equal_scores_give_earlier_mentees_earlier_mentors(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,A,data,,
        Al,al@x.org,mentor,B,data,,
        M1,m1@x.org,mentee,C,data,,
        M2,m2@x.org,mentee,C,data,,
        M3,m3@x.org,mentee,C,data,,
        M4,m4@x.org,mentee,C,data,,
    """)
    out = tmp_path / "roster.csv"
    assert run(str(regs), str(program(tmp_path, extra="  capacity: 2")), "-o", str(out))[0] == 0
    assert pairs_of(out) == {("Mo", "M1", "M2"), ("Al", "M3", "M4")}


def test_same_compares_without_case_or_extra_spaces(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,A,,,In  Writing
        Al,al@x.org,mentor,B,,,In conversation
        Ann,ann@x.org,mentee,C,,, in writing
    """)
    out = tmp_path / "roster.csv"
    assert run(str(regs), str(program(tmp_path)), "-o", str(out))[0] == 0
    assert pairs_of(out) == {("Mo", "Ann")}


# --- kept pairs and circles ---------------------------------------------------------------

def test_keep_holds_agreed_pairs_and_rematches_the_rest(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,A,data,,
        Al,al@x.org,mentor,B,writing,,
        Ann,ann@x.org,mentee,C,writing,,
        Ben,ben@x.org,mentee,D,data,,
        Cat,cat@x.org,mentee,E,data,,
    """)
    # Ann and Mo agreed to work together although Al fits Ann better; Gus has left the programme.
    kept = registrations(tmp_path, """
        name,email,role,group
        Mo,mo@x.org,mentor,pair-07
        Ann,ann@x.org,mentee,pair-07
        Al,al@x.org,mentor,pair-08
        Gus,gus@x.org,mentee,pair-08
    """, "roster.csv")
    explained = tmp_path / "why.md"
    code, _, stderr = run(str(regs), str(program(tmp_path)), "--keep", str(kept), "-o", str(kept), "--explain",
                          str(explained))
    assert code == 0, stderr
    people = read_roster(kept)
    assert {(p.name, p.group) for p in people} == {("Mo", "pair-07"), ("Ann", "pair-07"), ("Al", "pair-08"),
                                                    ("Ben", "pair-08")}
    text = explained.read_text(encoding="utf-8")
    assert "Kept as already agreed." in text
    assert "Gus (mentee in pair-08, line 5 of" in text
    assert "- **Cat** (mentee, line 6): No mentor place was left" in text


def test_group_programs_make_even_circles(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,A,data,,
        Al,al@x.org,mentor,B,writing,,
        M1,m1@x.org,mentee,C,data,,
        M2,m2@x.org,mentee,C,data,,
        M3,m3@x.org,mentee,C,data,,
        M4,m4@x.org,mentee,C,writing,,
    """)
    out, explained = tmp_path / "roster.csv", tmp_path / "why.md"
    code, stdout, _ = run(str(regs), str(program(tmp_path, kind="group", extra="  capacity: 3")), "-o", str(out),
                          "--explain", str(explained))
    assert code == 0
    # By score alone Mo would take M1-M3 (9) and Al M4 (3): 12. Even circles hold two each: Mo gets the
    # first two who want data, Al the third and M4: 3 + 3 + 0 + 3 = 9.
    assert pairs_of(out) == {("Mo", "M1", "M2"), ("Al", "M3", "M4")}
    assert sorted({p.group for p in read_roster(out)}) == ["circle-01", "circle-02"]
    assert "in 2 circles" in stdout
    text = explained.read_text(encoding="utf-8")
    assert "## Circles" in text and "### circle-01: led by Mo" in text and "#### M2: 3 of 6 points" in text


def test_circles_grow_past_their_share_rather_than_leave_someone_out(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentor,A,,,
        Al,al@x.org,mentor,B,,,
        M1,m1@x.org,mentee,B,,,
        M2,m2@x.org,mentee,B,,,
        M3,m3@x.org,mentee,C,,,
        M4,m4@x.org,mentee,C,,,
    """)
    out = tmp_path / "roster.csv"
    assert run(str(regs), str(program(tmp_path, kind="group", extra="  capacity: 3")), "-o", str(out))[0] == 0
    # M1 and M2 share Al's department: both must join Mo, and Mo's circle takes three
    assert len(read_roster(out)) == 6
    assert ("Mo", "M1", "M2") in {g[:3] for g in pairs_of(out)}


# --- output and explanation ---------------------------------------------------------------

def test_explanation_shows_scores_per_criterion_and_what_is_shared(tmp_path):
    code, stdout, stderr = run(str(EXAMPLE), str(program(tmp_path)), "-o", str(tmp_path / "r.csv"), "--explain", "-")
    assert code == 0
    assert "wrote" in stderr and "wrote" not in stdout
    assert "A pair can score at most 6 points." in stdout
    assert "### pair-02: Lucía Fernández and Margaret Osei\n\nScore: 6 of 6 points." in stdout
    assert "- Career goals: 3 of 3. Lucía Fernández offers everything Margaret Osei wants: social media and " \
           "writing." in stdout
    assert "- Career goals: 1.5 of 3. Amara Okafor offers remote leadership; Reid, Catherine also wants data." \
           in stdout
    assert "- Learning and communication style: 1 of 1. Both answered In writing." in stdout
    assert "- Location and department: different answers (Lucía Fernández: Patient Services; Margaret Osei: " \
           "Digital), so the hard rule is met." in stdout


def test_markdown_in_names_is_escaped_in_the_explanation(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        <b>Mo</b> | *x*,mo@x.org,mentor,A,data,,
        Ann,ann@x.org,mentee,B,data,,
    """)
    code, stdout, _ = run(str(regs), str(program(tmp_path)), "-o", str(tmp_path / "r.csv"), "--explain", "-")
    assert code == 0
    assert r"\<b\>Mo\</b\> \| \*x\*" in stdout and "<b>" not in stdout


def test_the_roster_is_what_workbooks_reads(tmp_path):
    out = tmp_path / "roster.csv"
    assert run(str(EXAMPLE), str(program(tmp_path)), "-o", str(out))[0] == 0
    people = read_roster(out)
    assert [p.role for p in people] == ["mentor", "mentee"] * 3
    assert roster_csv(match([], [])) == "name,email,role,group\n"


def test_role_labels_of_the_program_are_accepted(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,Reverse Mentor,A,,,
        Ann,ann@x.org,senior mentee,B,,,
    """)
    out = tmp_path / "roster.csv"
    assert run(str(regs), str(program(tmp_path)), "-o", str(out))[0] == 0
    assert pairs_of(out) == {("Mo", "Ann")}


# --- bad input ----------------------------------------------------------------------------

def test_every_bad_row_is_reported_at_once_with_its_line_and_nothing_is_written(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,mentro,A,data,,
        ,nameless@x.org,mentee,B,data,,
        Ann,mo@x.org,mentee,C,data,,
        "Ben
        Jones",ben@x.org,mentee,D,data;;writing,,
        Cat,cat@x.org,mentee,E,data;,,
        Dee,dee@x.org,mentee
    """)
    out, explained = tmp_path / "roster.csv", tmp_path / "why.md"
    code, stdout, stderr = run(str(regs), str(program(tmp_path)), "-o", str(out), "--explain", str(explained))
    assert code == 2 and "Traceback" not in stderr
    assert stderr.splitlines() == [
        f"{regs}:2: error: role 'mentro' is not mentor or mentee; did you mean 'mentor'?",
        f"{regs}:3: error: name is empty",
        f"{regs}:4: error: email 'mo@x.org' is already used on line 2",
        f"{regs}:5: error: goals: 'data;;writing' has an empty value between ';' separators; remove the extra ';'",
        f"{regs}:7: error: goals: 'data;' has an empty value between ';' separators; remove the extra ';'",
        f"{regs}:8: error: has 3 fields, the header has 7",
    ]
    assert not out.exists() and not explained.exists()


def test_a_missing_criterion_column_is_named_with_a_hint(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,departement,goal,expertise,style
        Mo,mo@x.org,mentor,A,data,,
    """)
    code, _, stderr = run(str(regs), str(program(tmp_path)), "-o", str(tmp_path / "r.csv"))
    assert code == 2
    assert stderr.splitlines() == [
        f"{regs}:1: error: missing column 'department' (a criterion in program.yml); did you mean 'departement'?",
        f"{regs}:1: error: missing column 'goals' (a criterion in program.yml); did you mean 'goal'?",
    ]
    assert not (tmp_path / "r.csv").exists()


def test_peer_role_gets_advice(tmp_path):
    regs = registrations(tmp_path, """
        name,email,role,department,goals,expertise,style
        Mo,mo@x.org,peer,A,,,
    """)
    code, _, stderr = run(str(regs), str(program(tmp_path, kind="peer")), "-o", str(tmp_path / "r.csv"))
    assert code == 2 and "register one peer of each pair-to-be as mentor and the other as mentee" in stderr


def test_refuses_to_write_the_roster_over_the_registrations(tmp_path):
    code, _, stderr = run(str(EXAMPLE), str(program(tmp_path)), "-o", str(EXAMPLE))
    assert code == 2 and "is one of the input files" in stderr


def test_a_program_without_rules_has_nothing_to_match_on(tmp_path):
    prog = program(tmp_path, criteria="    - career goals\n")
    code, _, stderr = run(str(EXAMPLE), str(prog), "-o", str(tmp_path / "r.csv"))
    assert code == 2
    assert stderr.startswith(f"{prog}:10:5: error: matching.criteria: no criterion has an id and a rule")


@pytest.mark.parametrize(("criteria", "where", "message"), [
    ("    - id: goals\n      rule: overlaps\n", "11:13", "'overlaps' is not one of: overlap, same, different; "
                                                         "did you mean 'overlap'?"),
    ("    - id: dept\n      rule: different\n      weight: 2\n", "12:15", "a 'different' rule is a hard rule"),
    ("    - id: goals\n      rule: same\n    - id: goals\n      rule: overlap\n", "12:11",
     "criterion id 'goals' is used twice"),
    ("    - id: goals\n", "10:11", "criterion 'goals' needs a rule"),
    ("    - id: email\n      rule: same\n", "10:11", "'email' is a column every registration already has"),
])
def test_bad_criteria_are_located(tmp_path, criteria, where, message):
    prog = program(tmp_path, criteria=criteria)
    result = CliRunner().invoke(main, ["check", str(prog)])
    assert result.exit_code == 2
    assert any(line.startswith(f"{prog}:{where}: error: matching.criteria") and message in line
               for line in result.stderr.splitlines()), result.stderr


# --- the program around matching ----------------------------------------------------------

def test_plain_labels_still_read_and_write_as_before(tmp_path):
    prog = program(tmp_path, criteria="    - career goals\n    - location and department\n")
    pf = load_program(prog).program
    assert [c.title for c in pf.matching.criteria] == ["career goals", "location and department"]
    assert pf.model_dump(mode="json")["matching"]["criteria"] == ["career goals", "location and department"]


def test_registration_survey_asks_what_matching_needs(tmp_path):
    criteria = CRITERIA.replace("      rule: different\n", "      rule: different\n      options: [Digital, Finance]\n")
    pf = load_program(program(tmp_path, criteria=criteria)).program
    registration = next(s for s in pf.surveys if s.id == "registration")
    questions = {q.id: q for q in registration.questions}
    assert list(questions)[:7] == ["name", "email", "role", "goals", "expertise", "style", "department"]
    assert questions["role"].options == ["Reverse mentor", "Senior mentee"]
    assert questions["department"].type.value == "choice" and questions["department"].options == ["Digital",
                                                                                                   "Finance"]
    assert "Separate several answers with ';'" in questions["goals"].text
    # an export of this survey, with the question ids as headers, is a registrations file
    export = io.StringIO()
    csv.writer(export).writerows([list(questions)[:7], ["Mo", "mo@x.org", "Reverse mentor", "data", "", "", "Digital"],
                                  ["Ann", "ann@x.org", "Senior mentee", "data", "", "", "Finance"]])
    regs = registrations(tmp_path, export.getvalue())
    out = tmp_path / "roster.csv"
    assert run(str(regs), str(tmp_path / "program.yml"), "-o", str(out))[0] == 0
    assert pairs_of(out) == {("Mo", "Ann")}


def test_handbook_page_describes_the_rules_in_use(tmp_path):
    from mentorkit.context import Context
    from mentorkit.plan import documents
    from mentorkit.site import render_pages

    project = load_program(program(tmp_path, kind="group", extra="  capacity: 4"))
    context = Context.of(project, datetime(2027, 1, 1, tzinfo=UTC), documents(project.program))
    page = render_pages(project, context)["matching.md"]
    assert "1. **Career goals** (weight 3): what a mentee hopes to gain, set against what a mentor can offer." in page
    assert "3. **Learning and communication style** (weight 1): two people who give the same answer fit better." \
        in page
    assert "4. **Location and department**: a firm rule. We never pair two people who give the same answer" in page
    assert "Each circle has one circle mentor and up to 4 circle members." in page
