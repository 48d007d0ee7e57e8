"""Program versions in temporary git repositories: semantic diff, renamed files, history and changelog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_reference

from mentorkit.cli import main
from mentorkit.versions import history


def git(repo: Path, *args: str, when: int = 0) -> None:
    stamp = f"2027-01-{10 + when:02d}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": "L&D", "GIT_AUTHOR_EMAIL": "ld@example.org",
           "GIT_COMMITTER_NAME": "L&D", "GIT_COMMITTER_EMAIL": "ld@example.org",
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    copy_reference(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "First design")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(repo: Path, old: str, new: str) -> None:
    path = repo / "program.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(main, ["diff", *args])


def test_no_changes_exits_0(repo):
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no changes"


def test_goal_field_cadence_and_dates(repo):
    edit(repo, "Six posts", "Eight posts")
    edit(repo, "every: 2 weeks", "every: 3 weeks")
    edit(repo, "starts: 2027-02-01", "starts: 2027-02-15")
    result = run()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "program",
        "  ~ starts: '2027-02-01' -> '2027-02-15' (14 days later)",
        "cadence",
        "  ~ every: '2 weeks' -> '3 weeks'",
        "goals",
        "  ~ goals.social-voice.measurable: 'Six posts, each with at least twenty reactions or comments.' -> "
        "'Eight posts, each with at least twenty reactions or comments.'",
    ]


def test_goals_added_and_removed_and_questions(repo):
    text = (repo / "program.yml").read_text()
    start = text.index("  - id: strategy-exposure")
    end = text.index("checklists:")
    text = text[:start] + "  - id: mentoring-others\n    title: Mentor a new starter\n    horizon: reach\n\n" + text[end:]
    text = text.replace("      - id: meetings-held\n        text: Have you met as often as you agreed?\n"
                        "        type: yes-no\n", "")
    text = text.replace("text: How likely are you to still work here in two years?",
                        "text: How likely are you to stay with us for two more years?")
    (repo / "program.yml").write_text(text)
    result = run("--format", "json")
    assert result.exit_code == 1
    changes = json.loads(result.output)["changes"]
    summary = [(c["section"], c["kind"], c["path"]) for c in changes]
    assert ("goals", "removed", "goals.strategy-exposure") in summary
    assert ("goals", "added", "goals.mentoring-others") in summary
    assert ("surveys", "removed", "surveys.midpoint.questions.meetings-held") in summary
    assert ("surveys", "changed", "surveys.conclusion.questions.stay.text") in summary
    text_out = run().output
    assert "~ surveys.conclusion.questions.stay.text reworded:" in text_out


def test_reordering_alone_is_not_a_change(repo):
    text = (repo / "program.yml").read_text()
    goals_start, checklists = text.index("goals:\n") + len("goals:\n"), text.index("checklists:")
    block = text[goals_start:checklists]
    parts = ["  - id:" + p for p in block.split("  - id:")[1:]]
    parts = [p if p.endswith("\n\n") else p.rstrip("\n") + "\n\n" for p in parts]
    (repo / "program.yml").write_text(text[:goals_start] + "".join(reversed(parts)) + text[checklists:])
    result = run()
    assert result.exit_code == 0, result.output


def test_markdown_format_escapes_user_text(repo):
    edit(repo, "title: Lead a strategy workstream", "title: \"<b>Lead</b> *now*\"")
    result = run("--format", "markdown")
    assert result.exit_code == 1
    assert "## Goals" in result.output
    assert "<b>" not in result.output and "&#60;b&#62;Lead" in result.output


def test_two_revisions_and_a_renamed_file(repo):
    git(repo, "tag", "v2026")
    edit(repo, "length: 60 min", "length: 45 min")
    (repo / "programs").mkdir()
    git(repo, "mv", "program.yml", "programs/2027.yml")
    (repo / "programs" / "assets").mkdir()
    git(repo, "commit", "-qam", "Shorter meetings, file moved", when=1)
    result = run("v2026", "HEAD", "--program", "programs/2027.yml")
    assert result.exit_code == 1, result.output
    assert "~ length: '60 min' -> '45 min'" in result.output


def test_file_paths_as_sides(repo, tmp_path):
    other = tmp_path / "other.yml"
    other.write_text((repo / "program.yml").read_text().replace("method: administered", "method: self"))
    result = run(str(repo / "program.yml"), str(other))
    assert result.exit_code == 1
    assert "~ method: 'administered' -> 'self'" in result.output


def test_bad_revision_exits_2(repo):
    result = run("no-such-tag")
    assert result.exit_code == 2
    assert "'no-such-tag' is neither a file nor a git revision" in result.stderr


def test_invalid_old_version_gives_located_errors(repo):
    edit(repo, "type: reverse", "type: backwards")
    git(repo, "commit", "-qam", "broken", when=1)
    edit(repo, "type: backwards", "type: reverse")
    result = run()
    assert result.exit_code == 2
    assert "HEAD:program.yml:10:9: error: program.type: 'backwards' is not one of" in result.stderr


def test_history_by_tags_and_by_commits(repo):
    edit(repo, "every: 2 weeks", "every: 3 weeks")
    git(repo, "commit", "-qam", "Three-weekly", when=1)
    commits = history(repo / "program.yml")
    assert [v.label.split(" ", 1)[1] for v in commits] == ["First design", "Three-weekly"]
    assert commits[0].changes == ()
    assert [c.path for c in commits[1].changes] == ["cadence.every"]
    git(repo, "tag", "v1", "HEAD~1")
    git(repo, "tag", "v2", "HEAD")
    tagged = history(repo / "program.yml")
    assert [v.label for v in tagged] == ["v1", "v2"]
    assert tagged[1].date.startswith("2027-01-11")


@pytest.mark.slow
def test_changelog_page(repo):
    edit(repo, "every: 2 weeks", "every: 3 weeks")
    git(repo, "commit", "-qam", "Three-weekly", when=1)
    result = CliRunner().invoke(main, ["build", "--changelog", "-o", str(repo / "site"), "-j", "0"])
    assert result.exit_code == 0, result.output
    page = (repo / "site" / "changelog.html").read_text()
    assert "What changed" in page and "Three-weekly" in page and "3 weeks" in page
    assert 'href="changelog.html"' in (repo / "site" / "index.html").read_text()


def test_a_build_asks_git_once_for_its_date(repo, tmp_path_factory):
    """The build date is program.yml's last commit when it is committed and unchanged; git is
    asked once a build (it was three times: 15 ms each in a repository)."""
    import shutil
    import stat

    tools = tmp_path_factory.mktemp("bin")
    calls = tools / "calls"
    fake = tools / "git"
    fake.write_text(f'#!/bin/sh\necho "$1" >> "{calls}"\nexec "{shutil.which("git")}" "$@"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"
    subprocess.run([sys.executable, "-m", "mentorkit", "build", "-o", "site"], cwd=repo, env=env, check=True,
                   capture_output=True)
    assert calls.read_text().split() == ["status", "log"]
    assert "DTSTAMP:20270110T120000Z" in (repo / "site" / "calendar.ics").read_text(encoding="utf-8")
