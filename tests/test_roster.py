"""Roster CSV: every bad row reported at once; personalised workbooks per participant."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import ROOT, copy_reference, need_tool
from pypdf import PdfReader

from mentorkit.cli import main
from mentorkit.errors import RosterError
from mentorkit.roster import read_roster

ROSTER = ROOT / "examples" / "roster.csv"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference program in a folder of its own, for the workbook commands: one role's body,
    laid out by one of them, is taken from the cache beside program.yml by the next (the very
    bytes a layout without the cache gives: test_cache.py). Nothing else is written there."""
    return copy_reference(tmp_path_factory.mktemp("p"))


def problems(tmp_path, text: str | bytes) -> list[str]:
    path = tmp_path / "roster.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(RosterError) as info:
        read_roster(path)
    return [str(p).replace(str(path), "R") for p in info.value.problems]


def test_reference_roster_reads():
    people = read_roster(ROSTER)
    assert [p.name for p in people][:3] == ["Amara Okafor", "Jonathan Hale", "Lucía Fernández"]
    assert people[5].name == "Reid, Catherine" and people[5].role == "mentee" and people[5].row == 7


def test_every_bad_row_at_once(tmp_path):
    found = problems(tmp_path, "name,email,role,group\n"
                               "Ann,ann@x.org,mentro,pair-1\n"
                               ",bob@x.org,mentee,pair-1\n"
                               "Cy,ann@x.org,mentee,pair-2\n"
                               "Di,di@x.org,mentor,\n")
    assert found == [
        "R:2: error: group 'pair-1' has no mentor",
        "R:2: error: role 'mentro' is not mentor or mentee; did you mean 'mentor'?",
        "R:3: error: name is empty",
        "R:4: error: email 'ann@x.org' is already used on row 2",
        "R:4: error: group 'pair-2' has no mentor",
        "R:5: error: group is empty; give pairs and circles a name such as pair-01",
    ]


def test_missing_column(tmp_path):
    assert problems(tmp_path, "name,e-mail,role,group\nAnn,a@x.org,mentor,g\n") == [
        "R:1: error: missing column 'email'; did you mean 'e-mail'?; the header must name: name, email, role, group"]


def test_wrong_encoding_names_the_row(tmp_path):
    data = "name,email,role,group\nAnn,a@x.org,mentor,g\nLucía,l@x.org,mentee,g\n".encode("latin-1")
    assert problems(tmp_path, data)[0].startswith("R:3: error: byte 0xed is not UTF-8")


def test_empty_roster(tmp_path):
    assert problems(tmp_path, "") == ["R:1: error: roster is empty; expected a header row: name,email,role,group"]


def test_excel_bom_is_fine(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfname,email,role,group\nAnn,a@x.org,mentor,g\n")
    assert read_roster(path)[0].name == "Ann"


@pytest.mark.slow
def test_workbooks_command_writes_one_personal_workbook_each(reference, tmp_path):
    program = reference
    shutil.copy(ROSTER, tmp_path / "roster.csv")
    out = tmp_path / "workbooks"
    result = CliRunner().invoke(main, ["workbooks", str(tmp_path / "roster.csv"), str(program), "-o", str(out),
                                       "--jobs", "2"])
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in out.glob("*.pdf"))
    assert made == ["amara-okafor.pdf", "jonathan-hale.pdf", "lucia-fernandez.pdf", "margaret-osei.pdf",
                    "reid-catherine.pdf", "tomasz-wisniewski.pdf"]
    tool = need_tool("pdftotext")
    text = subprocess.run([tool, str(out / "lucia-fernandez.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Lucía Fernández, Reverse mentor" in text
    assert "Your mentee: Margaret Osei" in text
    assert "Meeting 1: Tuesday 2 February 2027" in text
    assert PdfReader(io.BytesIO((out / "reid-catherine.pdf").read_bytes())).get_fields()


def test_bad_roster_exits_2_and_writes_nothing(tmp_path):
    program = copy_reference(tmp_path / "p")
    (tmp_path / "roster.csv").write_text("name,email,role,group\nAnn,a@x.org,boss,g\n")
    out = tmp_path / "workbooks"
    result = CliRunner().invoke(main, ["workbooks", str(tmp_path / "roster.csv"), str(program), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'roster.csv'}:2: error: role 'boss' is not mentor or mentee" in result.stderr
    assert not out.exists()


def test_shards_partition_the_roster():
    from mentorkit.workbooks import shard_slice

    for count in (0, 1, 6, 7, 500):
        for n in (1, 2, 3, 8):
            parts = [list(range(count))[shard_slice(f"{i}/{n}", count)] for i in range(1, n + 1)]
            assert sum(parts, []) == list(range(count))
            assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.slow
def test_workbooks_shard_keeps_names_and_partners(reference, tmp_path):
    program = reference
    (tmp_path / "roster.csv").write_text("name,email,role,group\nAnn Lee,a@x.org,mentor,g1\nBo Chen,b@x.org,mentee,g1\n"
                                         "Ann Lee,c@x.org,mentor,g2\nDi Roy,d@x.org,mentee,g2\n")
    result = CliRunner().invoke(main, ["workbooks", str(tmp_path / "roster.csv"), str(program), "-o",
                                       str(tmp_path / "s2"), "--shard", "2/2", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "s2").glob("*.pdf")) == ["ann-lee-2.pdf", "di-roy.pdf"]
    tool = need_tool("pdftotext")
    text = subprocess.run([tool, str(tmp_path / "s2" / "di-roy.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Your mentor: Ann Lee" in text
    bad = CliRunner().invoke(main, ["workbooks", str(tmp_path / "roster.csv"), str(program), "--shard", "3/2"])
    assert bad.exit_code == 2 and "expected I/N" in bad.stderr
