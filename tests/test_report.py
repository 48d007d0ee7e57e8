"""mentorkit report: the sample exports of examples/responses/ read, checked and counted, figures worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from mentorkit.cli import main
from mentorkit.model import QuestionType

SAMPLES = ROOT / "examples" / "responses"
ROSTER = ROOT / "examples" / "roster.csv"
GOOGLE = SAMPLES / "midpoint-google-forms.csv"
MICROSOFT = SAMPLES / "conclusion-microsoft-forms.csv"
KOBO = SAMPLES / "registration-kobotoolbox.csv"

# The reference program's surveys as the sample exports ask them (the contract's wording).
PROGRAM = """\
mentorkit: 1
program:
  id: northwind-reverse-2027
  title: Reverse Mentoring Programme 2027
  organisation: Northwind Health
  type: reverse
  starts: 2027-02-01
  ends: 2027-10-29
  roles: {mentor: Reverse mentor, mentee: Executive mentee}
goals:
  - {id: digital-fluency, title: Run a fully remote leadership meeting with confidence, horizon: habit}
  - {id: social-voice, title: Publish a monthly update on the internal social network}
  - {id: strategy-exposure, title: Lead a strategy workstream, horizon: stretch, for: mentor}
surveys:
  - id: registration
    title: Registration
    when: registration
    measures: [attitudinal]
    questions:
      - {id: hopes, text: "What do you hope to gain from the programme?", type: text, required: true}
      - {id: style, text: "How do you prefer to receive feedback?", type: choice,
         options: [In writing, In conversation, Either]}
  - id: midpoint
    title: Midpoint check-in
    when: midpoint
    measures: [attitudinal, behavioral]
    questions:
      - {id: satisfaction, text: "On a scale of 1 to 10, how would you rate the programme so far?", type: scale,
         min: 1, max: 10, required: true}
      - {id: meetings-held, text: "Have you met as often as you agreed?", type: yes-no}
  - id: conclusion
    title: End of programme
    when: conclusion
    measures: [attitudinal, behavioral, career, health]
    questions:
      - {id: satisfaction, text: "Looking back, how would you rate the programme overall?", type: scale,
         min: 1, max: 10, required: true}
      - {id: goals-met, text: "Which of your goals did you reach?", type: multi, options_from: goals}
      - {id: stay, text: "How likely are you to still work here in two years?", type: scale, min: 1, max: 5}
      - {id: stress, text: "Has the programme changed how you handle work stress?", type: text}
"""
PEOPLE = ["Amara", "Okafor", "Jonathan", "Hale", "Lucía", "Fernández", "Margaret", "Osei", "Tomasz", "Wiśniewski",
          "Catherine", "Reid", "amara.okafor", "northwind.example"]
TIMES = ["2027/06/16", "9:12:03", "10/25/27", "09:01:12", "2027-01-11", "T09:02", "40117", "6a0e2f4c"]


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "program.yml"
    path.write_text(PROGRAM, encoding="utf-8")
    return path


def figures(program: Path, *files: Path, roster: Path | None = ROSTER, extra: tuple[str, ...] = ()) -> dict:
    args: list[str | Path] = ["report", *files, "-p", program, "--format", "json", *extra]
    if roster is not None:
        args += ["--roster", roster]
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def errors_of(program: Path, *files: Path, out: Path | None = None) -> str:
    """The stderr of a report that must fail with exit code 2 and write nothing."""
    target = out or program.parent / "report-out"
    result = run("report", *files, "-p", program, "--roster", ROSTER, "-o", target)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not target.exists()
    return result.stderr


# --- the samples, counted by hand ------------------------------------------------------------

def test_sample_figures_match_a_count_by_hand(program):
    data = figures(program, GOOGLE, MICROSOFT, KOBO)
    mid, end, reg = (data["surveys"][s] for s in ("midpoint", "conclusion", "registration"))

    # midpoint (Google Forms): 8, 7, 9, 6, 7 from five of the six people on the roster
    assert (mid["invited"], mid["responses"], mid["response_rate"]) == (6, 5, 0.83)
    sat = mid["questions"]["satisfaction"]
    assert (sat["type"], sat["n"], sat["mean"], sat["median"]) == ("scale", 5, 7.4, 7.0)  # 37 / 5; 6 7 [7] 8 9
    assert sat["counts"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 1, "7": 2, "8": 1, "9": 1, "10": 0}
    assert mid["questions"]["meetings-held"] == {"type": "yes-no", "text": "Have you met as often as you agreed?",
                                                 "n": 5, "counts": {"yes": 4, "no": 1}}

    # conclusion (Microsoft Forms): 9 8 10 7 8 9; stay 5 4 5 3 4 5; goals ticked by four of six
    assert (end["invited"], end["responses"], end["response_rate"]) == (6, 6, 1.0)
    sat = end["questions"]["satisfaction"]
    assert (sat["n"], sat["mean"], sat["median"]) == (6, 8.5, 8.5)  # 51 / 6; 7 8 [8 9] 9 10
    stay = end["questions"]["stay"]
    assert (stay["n"], stay["mean"], stay["median"]) == (6, 4.33, 4.5)  # 26 / 6; 3 4 [4 5] 5 5
    assert stay["counts"] == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 3}
    goals = end["questions"]["goals-met"]
    assert goals["n"] == 4  # Lucía and Tomasz ticked nothing
    assert goals["counts"] == {"digital-fluency": 3, "social-voice": 2, "strategy-exposure": 1}
    assert end["questions"]["stress"] == {"type": "text", "text": "Has the programme changed how you handle work "
                                          "stress?", "n": 4}

    # registration (KoboToolbox, anonymous): three answers, one hope left empty
    assert (reg["invited"], reg["responses"], reg["response_rate"]) == (6, 3, 0.5)
    assert reg["questions"]["hopes"]["n"] == 2
    assert reg["questions"]["style"]["counts"] == {"In writing": 1, "In conversation": 1, "Either": 1}

    # midpoint -> end, paired by person: Amara 8->9, Jonathan 7->8, Lucía 9->10, Margaret 6->7, Catherine 7->9
    change = data["change"]["questions"]["satisfaction"]
    assert change["before"] == {"n": 5, "mean": 7.4}
    assert change["after"] == {"n": 6, "mean": 8.5}
    assert change["paired"] == {"n": 5, "mean_change": 1.2, "up": 5, "same": 0, "down": 0}  # (1+1+1+1+2) / 5

    assert data["goals"]["answered"] == 4
    assert {g: v["reached"] for g, v in data["goals"]["goals"].items()} == {
        "digital-fluency": 3, "social-voice": 2, "strategy-exposure": 1}
    assert data["outcomes"] == {"attitudinal": ["registration", "midpoint", "conclusion"],
                                "behavioral": ["midpoint", "conclusion"], "career": ["conclusion"],
                                "health": ["conclusion"]}


def test_json_has_the_documented_shape(program):
    data = figures(program, GOOGLE, MICROSOFT)
    assert list(data["surveys"]) == ["midpoint", "conclusion"]  # no answers given for registration
    assert data["not_read"] == ["registration"]
    for survey in data["surveys"].values():
        assert isinstance(survey["invited"], int) and isinstance(survey["responses"], int)
        for question in survey["questions"].values():
            assert isinstance(question["type"], str) and isinstance(question["n"], int)
            if question["type"] == "scale":
                assert isinstance(question["mean"], float) and isinstance(question["median"], float)
            if question["type"] != "text":
                assert all(isinstance(v, int) for v in question["counts"].values())
        for group in survey["by_role"].values():
            assert isinstance(group["suppressed"], bool) and isinstance(group["questions"], dict)


def test_roles_are_shown_only_when_every_group_is_large_enough(program):
    data = figures(program, GOOGLE, MICROSOFT)
    # five by default: with three mentors and three mentees nothing by role is shown
    assert all(g == {"suppressed": True, "questions": {}} for s in data["surveys"].values()
               for g in s["by_role"].values())

    data = figures(program, GOOGLE, MICROSOFT, extra=("--min-group", "3"))
    end = data["surveys"]["conclusion"]["by_role"]
    # mentors Amara 9, Lucía 10, Tomasz 8; mentees Jonathan 8, Margaret 7, Catherine 9
    assert end["mentor"]["suppressed"] is False and end["mentor"]["responses"] == 3
    assert (end["mentor"]["questions"]["satisfaction"]["mean"], end["mentor"]["questions"]["satisfaction"]["median"]) \
        == (9.0, 9.0)
    assert end["mentee"]["questions"]["satisfaction"]["mean"] == 8.0
    # only Amara of the three mentors ticked a goal: one answer is not shown; the mentees' three are
    assert end["mentor"]["questions"]["goals-met"] == {"type": "multi", "text": "Which of your goals did you reach?",
                                                       "n": 1, "suppressed": True}
    assert end["mentee"]["questions"]["goals-met"]["counts"] == {"digital-fluency": 3, "social-voice": 2,
                                                                "strategy-exposure": 0}
    # midpoint: two mentors answered, so the three mentees are withheld too (subtraction would reveal the two)
    mid = data["surveys"]["midpoint"]["by_role"]
    assert mid["mentor"] == {"suppressed": True, "questions": {}}
    assert mid["mentee"] == {"suppressed": True, "questions": {}}
    assert data["withheld"] == {"midpoint": "small"}


def test_no_roster_means_no_invited_count_and_no_roles(program):
    data = figures(program, GOOGLE, roster=None)
    mid = data["surveys"]["midpoint"]
    assert (mid["invited"], mid["response_rate"], mid["by_role"]) == (None, None, {})


def test_quotes_only_with_the_flag_sorted_and_unattributed(program):
    plain = figures(program, MICROSOFT)
    assert "quotes" not in plain["surveys"]["conclusion"]["questions"]["stress"]
    quoted = figures(program, MICROSOFT, extra=("--quotes",))
    assert quoted["surveys"]["conclusion"]["questions"]["stress"]["quotes"] == [
        "A little: I plan my week better.", "I sleep better before board meetings.", "Not really.",
        "Yes. I say no to meetings without an agenda."]


# --- the written report ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, Path]:
    """The samples' report written twice, into two folders."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "program.yml").write_text(PROGRAM, encoding="utf-8")
    outs = []
    for name in ("one", "two"):
        result = run("report", GOOGLE, MICROSOFT, KOBO, "-p", folder / "program.yml", "--roster", ROSTER,
                     "-o", folder / name)
        assert result.exit_code == 0, result.output
        assert f"wrote the report into {folder / name}/" in result.stdout
        outs.append(folder / name)
    return outs[0], outs[1]


def test_report_folder_is_written_whole_and_byte_identical(written):
    one, two = written
    names = sorted(p.name for p in one.iterdir())
    assert names == [".mentorkit-output.json", "report.html", "report.json", "report.pdf"]
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_report_holds_nothing_personal(written):
    import base64
    import re

    from pypdf import PdfReader

    one, _ = written
    html = (one / "report.html").read_text(encoding="utf-8")
    charts = re.findall(r'data:image/svg\+xml;base64,([^"]+)', html)
    outputs = [re.sub(r'data:image/svg\+xml;base64,[^"]+', "", html), (one / "report.json").read_text(encoding="utf-8"),
               "\n".join(page.extract_text() for page in PdfReader(one / "report.pdf").pages),
               *(base64.b64decode(c).decode("utf-8") for c in charts)]
    for output in outputs:
        for secret in PEOPLE + TIMES + ["google-forms", "microsoft-forms", "kobotoolbox", "Written answers are quoted"]:
            assert secret not in output, secret
        assert "I sleep better" not in output  # no quotes without --quotes


def test_report_html_has_charts_with_words_and_numbers(written):
    one, _ = written
    html = (one / "report.html").read_text(encoding="utf-8")
    assert html.count('<img src="data:image/svg+xml;base64,') == 8  # change, goals, 6 questions with options
    assert ('alt="Bar chart of answers to &#39;On a scale of 1 to 10, how would you rate the programme so far?&#39;: '
            '1: 0; 2: 0; 3: 0; 4: 0; 5: 0; 6: 1; 7: 2; 8: 1; 9: 1; 10: 0."') in html
    assert "<td>7</td><td class=\"num\">2 (40%)</td>" in html
    assert "5 answers on a scale of 1 to 10: mean 7.4, median 7." in html
    assert "5 answered both: mean change +1.20; 5 up, 0 the same, 0 down" in html
    assert "Figures by role are not shown" in html


def test_charts_carry_no_date(written):
    import base64
    import re

    one, _ = written
    html = (one / "report.html").read_text(encoding="utf-8")
    for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html):
        svg = base64.b64decode(data).decode("utf-8")
        assert "<dc:date>" not in svg and "<svg" in svg


def test_report_pdf_reads_like_the_page(written):
    from pypdf import PdfReader

    one, _ = written
    reader = PdfReader(one / "report.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for phrase in ("Impact report", "At a glance", "Goals reached", "By outcome", "Midpoint check-in",
                   "End of programme", "mean 8.5", "About these figures"):
        assert phrase in text, phrase
    assert 3 <= len(reader.pages) <= 8


# --- other tools' files ------------------------------------------------------------------------

def test_microsoft_forms_workbook_reads_as_its_csv(program, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    with MICROSOFT.open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.reader(fh)):
            cells: list[object] = list(row)
            if number:  # Excel keeps times as dates and answers on a scale as numbers
                cells[1] = datetime.strptime(row[1], "%m/%d/%y %H:%M:%S")
                cells[2] = datetime.strptime(row[2], "%m/%d/%y %H:%M:%S")
                cells[0], cells[5], cells[7] = int(row[0]), float(row[5]), int(row[7])
            sheet.append(cells)
    workbook = tmp_path / "End of programme(1-6).xlsx"
    book.save(workbook)
    assert figures(program, workbook)["surveys"] == figures(program, MICROSOFT)["surveys"]


def test_kobo_export_with_groups_and_one_column_per_option(program, tmp_path):
    kobo = tmp_path / "kobo.csv"
    kobo.write_text(
        "start;end;end_survey/satisfaction;end_survey/goals-met/digital-fluency;end_survey/goals-met/social-voice;"
        "end_survey/goals-met/strategy-exposure;end_survey/stay;_uuid;_index\n"
        "2027-10-25T09:00:00;2027-10-25T09:04:00;9;1;0;1;5;a1;1\n"
        "2027-10-25T10:00:00;2027-10-25T10:04:00;7;0;0;0;4;a2;2\n", encoding="utf-8")
    end = figures(program, kobo)["surveys"]["conclusion"]
    assert end["responses"] == 2 and end["response_rate"] == 0.33  # anonymous answers count: 2 of 6
    assert end["questions"]["satisfaction"]["mean"] == 8.0
    assert end["questions"]["goals-met"]["counts"] == {"digital-fluency": 1, "social-voice": 0,
                                                       "strategy-exposure": 1}
    assert end["questions"]["goals-met"]["n"] == 1  # no box ticked reads as no answer, as an empty cell does


def test_kobo_select_multiple_in_one_column_by_choice_name(program, tmp_path):
    kobo = tmp_path / "conclusion.csv"
    kobo.write_text('"satisfaction";"goals-met";"stay";"_id"\n"8";"digital-fluency social-voice";"3";"1"\n',
                    encoding="utf-8")
    end = figures(program, kobo)["surveys"]["conclusion"]
    assert end["questions"]["goals-met"]["counts"] == {"digital-fluency": 1, "social-voice": 1,
                                                       "strategy-exposure": 0}


def test_mentorkit_csv_template_filled_in_by_hand(program, tmp_path):
    export = run("surveys", "export", program, "--to", "csv", "-o", tmp_path / "templates")
    assert export.exit_code == 0, export.output
    header = (tmp_path / "templates" / "conclusion.csv").read_text(encoding="utf-8")
    filled = tmp_path / "end-typed.csv"
    filled.write_text(header + "jonathan.hale@northwind.example,6,Lead a strategy workstream;social-voice,2,\n"
                      ",9,,5,Calmer.\n", encoding="utf-8")
    end = figures(program, filled)["surveys"]["conclusion"]
    assert end["responses"] == 2
    assert end["questions"]["goals-met"]["counts"] == {"digital-fluency": 0, "social-voice": 1,
                                                       "strategy-exposure": 1}
    assert (end["questions"]["satisfaction"]["mean"], end["questions"]["stress"]["n"]) == (7.5, 1)


def _fill(pdf: bytes, answers: dict[str, int | list[int] | str], states: bool = True) -> bytes:
    """The form filled in as a PDF viewer does: the chosen widget's appearance state (unless not `states`), the
    field's value."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    seen: dict[str, int] = {}
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            parent = widget.get("/Parent")
            field = parent.get_object() if parent is not None else widget
            name = str(field.get("/T"))
            if name not in answers:
                continue
            index = seen[name] = seen.get(name, -1) + 1
            wanted = answers[name]
            if isinstance(wanted, str):
                field[NameObject("/V")] = TextStringObject(wanted)
                continue
            on = [s for s in widget["/AP"]["/N"] if s != "/Off"]
            if index in (wanted if isinstance(wanted, list) else [wanted]):
                if states:
                    widget[NameObject("/AS")] = NameObject(on[0])
                field[NameObject("/V")] = NameObject(on[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_filled_in_pdf_forms(program, tmp_path):
    from conftest import context_of

    from mentorkit import printing
    from mentorkit.plan import Document
    from mentorkit.project import load_program

    project = load_program(program)
    doc = Document("survey-conclusion.pdf", "Survey: End of programme", "survey", survey="conclusion")
    html = printing.document_html(project, doc, printing.print_values(project, context_of(project)))
    assert isinstance(html, str)
    blank = printing.html_to_pdf(html, base_url=project.root.as_uri() + "/", roots=[project.root], forms=True)
    one = tmp_path / "form-1.pdf"
    one.write_bytes(_fill(blank, {"survey.conclusion.satisfaction": 7, "survey.conclusion.goals-met.digital-fluency": 0,
                                  "survey.conclusion.goals-met.other": 0,
                                  "survey.conclusion.stay": 4, "survey.conclusion.stress": "I take breaks."}))
    two = tmp_path / "form-2.pdf"
    two.write_bytes(_fill(blank, {"survey.conclusion.satisfaction": 9, "survey.conclusion.goals-met.strategy-exposure": 0}))
    three = tmp_path / "form-3.pdf"  # a viewer that sets the field's value only
    three.write_bytes(_fill(blank, {"survey.conclusion.satisfaction": 0}, states=False))
    empty = tmp_path / "form-4.pdf"
    empty.write_bytes(blank)
    result = run("report", one, two, three, empty, "-p", program, "--format", "json", "--roster", ROSTER)
    assert result.exit_code == 0, result.output
    assert f"{empty}: warning: no answers in this form" in result.stderr
    end = json.loads(result.stdout)["surveys"]["conclusion"]
    assert end["responses"] == 3
    sat = end["questions"]["satisfaction"]
    assert (sat["n"], sat["mean"]) == (3, 6.33)  # the 8th, 10th and 1st box: (8 + 10 + 1) / 3
    assert (sat["counts"]["1"], sat["counts"]["8"], sat["counts"]["10"]) == (1, 1, 1)
    assert end["questions"]["goals-met"]["counts"] == {"digital-fluency": 1, "social-voice": 0,
                                                       "strategy-exposure": 1, "other": 1}
    assert end["questions"]["stay"]["counts"]["5"] == 1
    assert end["questions"]["stress"]["n"] == 1


def test_the_same_person_twice_keeps_the_later_answer(program, tmp_path):
    again = tmp_path / "midpoint.csv"
    again.write_text(GOOGLE.read_text(encoding="utf-8") +
                     "2027/06/22 9:00:00 AM GMT+1,Amara.Okafor@northwind.example,10,No\n", encoding="utf-8")
    result = run("report", again, "-p", program, "--format", "json", "--roster", ROSTER)
    assert result.exit_code == 0, result.output
    assert (f"{again}:7: warning: this person already answered survey 'midpoint' (at {again}:2); the later answer "
            "is kept") in result.stderr
    mid = json.loads(result.stdout)["surveys"]["midpoint"]
    assert mid["responses"] == 5
    assert mid["questions"]["satisfaction"]["mean"] == 7.8  # 10 7 9 6 7 = 39 / 5
    assert mid["questions"]["meetings-held"]["counts"] == {"yes": 3, "no": 2}


def test_someone_not_on_the_roster_counts_without_a_role(program, tmp_path):
    extra = tmp_path / "midpoint.csv"
    extra.write_text(GOOGLE.read_text(encoding="utf-8") +
                     "2027/06/22 9:00:00 AM GMT+1,visitor@elsewhere.example,5,No\n", encoding="utf-8")
    result = run("report", extra, "-p", program, "--format", "json", "--roster", ROSTER)
    assert result.exit_code == 0, result.output
    assert f"{extra}: warning: 1 respondent(s) are not on the roster (line(s) 7)" in result.stderr
    assert "visitor" not in result.stderr
    mid = json.loads(result.stdout)["surveys"]["midpoint"]
    assert (mid["responses"], mid["response_rate"]) == (6, 0.83)  # the rate counts the five on the roster


def test_json_format_writes_nothing(program, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    figures(program, GOOGLE)
    assert not (tmp_path / "report").exists()


# --- bad input: FILE:LINE: error, exit 2, nothing written -------------------------------------

def _edited(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / (name or source.name)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_a_number_off_the_scale(program, tmp_path):
    bad = _edited(tmp_path, GOOGLE, "example,8,Yes", "example,12,Yes")
    assert errors_of(program, bad) == (f"{bad}:2: error: column 'On a scale of 1 to 10, how would you rate the "
                                       "programme so far?': 12 is not on the scale 1 to 10\n")


def test_an_unknown_option_with_did_you_mean(program, tmp_path):
    bad = _edited(tmp_path, MICROSOFT, "Lead a strategy workstream;", "Lead a strategy workstrem;")
    assert errors_of(program, bad) == (f"{bad}:2: error: column 'Which of your goals did you reach?': 'Lead a "
                                       "strategy workstrem' is not one of the options; did you mean 'Lead a strategy "
                                       "workstream'?\n")


def test_an_unknown_choice_lists_the_options(program, tmp_path):
    bad = _edited(tmp_path, KOBO, '"either"', '"by carrier pigeon"')
    assert errors_of(program, bad) == (f"{bad}:3: error: column 'about_you/style': 'by carrier pigeon' is not one of "
                                       "the options; the options are 'In writing', 'In conversation', 'Either'\n")


def test_not_yes_or_no(program, tmp_path):
    bad = _edited(tmp_path, GOOGLE, "example,6,No", "example,6,Maybe")
    assert f"{bad}:5: error: column 'Have you met as often as you agreed?': 'Maybe' is not yes or no" in \
        errors_of(program, bad)


def test_a_column_no_survey_asks_with_did_you_mean(program, tmp_path):
    bad = _edited(tmp_path, GOOGLE, "how would you rate the programme so far?", "how would you rate the program so far?")
    assert errors_of(program, bad) == (
        f"{bad}:1: error: column 'On a scale of 1 to 10, how would you rate the program so far?' is not a question "
        "of survey 'midpoint' (Midpoint check-in); did you mean 'On a scale of 1 to 10, how would you rate the "
        "programme so far?'?\n")


def test_reworded_question_names_the_question_left_without_a_column(tmp_path):
    reworded = tmp_path / "program.yml"
    reworded.write_text(PROGRAM.replace("On a scale of 1 to 10, how would you rate the programme so far?",
                                        "How satisfied are you with your mentoring experience so far?"),
                        encoding="utf-8")
    message = errors_of(reworded, GOOGLE)
    assert message.startswith(f"{GOOGLE}:1: error: column 'On a scale of 1 to 10, how would you rate the programme so "
                              "far?' is not a question of survey 'midpoint' (Midpoint check-in)")
    assert "questions no column answers: 'How satisfied are you with your mentoring experience so far?'" in message


def test_a_file_no_survey_asks(program, tmp_path):
    bad = tmp_path / "pulse.csv"
    bad.write_text("Timestamp,Email Address,How was lunch?\n2027/06/16 9:12:03 AM GMT+1,a@b.example,Fine\n",
                   encoding="utf-8")
    message = errors_of(program, bad)
    assert message.startswith(f"{bad}:1: error: no survey of the program asks these columns; column 'How was lunch?'")
    assert "read as a Google Forms file" in message


def test_columns_that_fit_two_surveys_need_the_survey_in_the_file_name(program, tmp_path):
    ambiguous = tmp_path / "answers.csv"
    ambiguous.write_text("email,satisfaction\n,8\n", encoding="utf-8")
    assert errors_of(program, ambiguous) == (
        f"{ambiguous}:1: error: the columns fit surveys 'midpoint' and 'conclusion' equally; put the survey's id in "
        "the file name, e.g. midpoint-answers.csv\n")
    named = tmp_path / "conclusion-answers.csv"
    shutil.copy(ambiguous, named)
    assert figures(program, named)["surveys"]["conclusion"]["questions"]["satisfaction"]["mean"] == 8.0


def test_unreadable_files(program, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"email,satisfaction\nj@x.example,8\n" + "José,9\n".encode("latin-1"))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    odd = tmp_path / "answers.ods"
    odd.write_bytes(b"PK")
    fake_pdf = tmp_path / "form.pdf"
    fake_pdf.write_text("not a pdf", encoding="utf-8")
    fake_xlsx = tmp_path / "answers.xlsx"
    fake_xlsx.write_text("not a workbook", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    message = errors_of(program, latin, empty, odd, fake_pdf, fake_xlsx, missing)
    assert set(message.splitlines()) == {
        f"{odd}: error: cannot read .ods: give a CSV export, an Excel workbook (.xlsx) or a filled-in PDF form",
        f"{fake_xlsx}: error: is not an Excel workbook (.xlsx) that can be read",
        f"{empty}:1: error: file is empty; expected a header row naming the questions",
        f"{fake_pdf}: error: is not a PDF that can be read",
        f"{latin}:3: error: byte 0xe9 is not UTF-8; save the file as UTF-8 (in Excel: CSV UTF-8)",
        f"{missing}: error: no such file",
    }


def test_a_row_with_more_fields_than_the_header(program, tmp_path):
    bad = _edited(tmp_path, GOOGLE, "example,7,Yes\n", "example,7,Yes,surplus\n")
    assert errors_of(program, bad) == f"{bad}:3: error: has 5 fields, the header has 4\n"


def test_every_problem_in_every_file_at_once(program, tmp_path):
    one = _edited(tmp_path, GOOGLE, "example,8,Yes", "example,0,Yes")
    two = _edited(tmp_path, MICROSOFT, ",7,Run", ",eleven,Run")
    assert set(errors_of(program, one, two).splitlines()) == {
        f"{one}:2: error: column 'On a scale of 1 to 10, how would you rate the programme so far?': 0 is not on the "
        "scale 1 to 10",
        f"{two}:5: error: column 'Looking back, how would you rate the programme overall?': 'eleven' is not a number "
        "on the scale 1 to 10"}


def test_many_wrong_answers_in_one_column_are_summed_up(program, tmp_path):
    rows = "".join(f"2027/06/16 9:12:03 AM GMT+1,p{i}@x.example,{11 + i},Yes\n" for i in range(15))
    bad = tmp_path / "midpoint.csv"
    bad.write_text(GOOGLE.read_text(encoding="utf-8").splitlines(keepends=True)[0] + rows, encoding="utf-8")
    lines = errors_of(program, bad).splitlines()
    assert len(lines) == 11
    assert lines[0].endswith("5 more answers do not fit the question")


def test_a_wrong_answer_in_a_pdf_field_names_the_field(program, tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    widget = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
                               NameObject("/FT"): NameObject("/Tx"),
                               NameObject("/T"): TextStringObject("survey.conclusion.mood"),
                               NameObject("/V"): TextStringObject("fine")})
    writer.add_annotation(page, widget)
    form = tmp_path / "form.pdf"
    with form.open("wb") as fh:
        writer.write(fh)
    message = errors_of(program, form)
    assert message.startswith(f"{form}: error: field 'survey.conclusion.mood' is not a question of survey "
                              "'conclusion'")


def test_every_question_type_has_a_reader_and_figures():
    from mentorkit.report import FIGURES
    from mentorkit.responses import PARSERS

    assert set(PARSERS) == set(QuestionType) == set(FIGURES)

