"""The command line: parse options, call the library once, map MentorkitError to exit code 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .engines import ENGINES
from .errors import MentorkitError, Problem

F = TypeVar("F", bound=Callable[..., Any])
ENGINE = click.option("--engine", type=click.Choice(list(ENGINES)), default=None,
                      help="Site engine (default: site.engine in program.yml, else material).")
JOBS = click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                    help="PDF worker processes (default: one per core); 0 lays out in this process, more slowly.")
ROSTER = click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
PROGRAM = click.argument("program", required=False, default="program.yml",
                         type=click.Path(dir_okay=False, path_type=Path))


def _report(problems: list[Problem] | tuple[Problem, ...], fmt: str = "text") -> None:
    """Problems on stderr, one per line (nothing in json format: the report carries them)."""
    if fmt == "json":
        return
    for p in problems:
        click.echo(str(p), err=True)


def handles_errors(fn: F) -> F:
    """Turn MentorkitError into located messages on stderr and exit code 2: no traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MentorkitError as exc:
            _report(exc.problems)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def run() -> None:
    """The `mentorkit` command (and `python -m mentorkit`)."""
    main()


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mentorkit")
def main() -> None:
    """Turn a mentoring program described in program.yml into a handbook website, printables and a calendar.

    \b
    Examples:
      mentorkit new my-program --type peer   start a new program
      mentorkit check                        validate ./program.yml
      mentorkit build -o site                build the handbook into site/
      mentorkit serve                        preview with live reload
    """


@main.command()
@click.argument("programs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--explain", is_flag=True, help="Print the program with every default filled in, and its timeline.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: machine-readable problems for editors and CI.")
@click.option("--no-cache", is_flag=True, help="Read and write no cache: check everything again.")
def check(programs: tuple[Path, ...], strict: bool, explain: bool, fmt: str, no_cache: bool) -> None:
    """Validate PROGRAMS (default ./program.yml) and report every problem at once.

    A program checked before with nothing changed is not checked again: its verdict (ok, and its
    warnings) is kept in the cache beside it.

    \b
    Exit codes: 0 valid (warnings allowed), 2 errors (or warnings with --strict).
    Examples:
      mentorkit check
      mentorkit check programs/2027.yml --strict
      mentorkit check --explain
      mentorkit check --format json
    """
    from . import verdict

    failed = False
    report: list[dict[str, object]] = []
    for program in programs or (Path("program.yml"),):
        try:
            if explain and fmt != "json":
                from .explain import explain as explain_text
                from .project import load_program

                project = load_program(program, strict=strict)
                _report(project.warnings)
                click.echo(explain_text(project))
                continue
            found = verdict.check(program, strict=strict, use_cache=not no_cache)
        except MentorkitError as exc:
            failed = True
            report += [p.as_dict() for p in exc.problems]
            _report(exc.problems, fmt)
            continue
        report += [w.as_dict() for w in found.warnings]
        _report(found.warnings, fmt)
        if fmt != "json":
            click.echo(f"{program}: ok: {found.line()}")
    if fmt == "json":
        click.echo(json.dumps({"ok": not failed, "problems": report}, indent=2))
    if failed:
        sys.exit(2)


@main.command()
@PROGRAM
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site/ beside the current folder).")
@JOBS
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--changelog/--no-changelog", default=None,
              help="Add a 'What changed' page from program.yml's git history (default: site.changelog).")
@click.option("--no-cache", is_flag=True, help="Read and write no cache: render everything again.")
@ENGINE
@handles_errors
def build(program: Path, out: Path | None, jobs: int | None, strict: bool, changelog: bool | None,
          no_cache: bool, engine: str | None) -> None:
    """Build the handbook website, printables and calendar of PROGRAM into OUT.

    The build is made in a temporary folder and swapped in when complete: a failed
    build leaves the previous output as it was.

    \b
    Examples:
      mentorkit build
      mentorkit build programs/2027.yml -o public --jobs 2
    """
    from .build import build as run_build

    result = run_build(program, out or Path("site"), jobs=jobs, strict=strict, changelog=changelog,
                       engine=engine, use_cache=not no_cache)
    _report(result.warnings)
    click.echo(f"built {result.files} files into {result.out}/" + (" (unchanged, from the cache)" if result.cached
                                                                    else ""))


@main.command()
@PROGRAM
@click.option("--to", "target", type=click.Choice(["zip", "scorm", "scorm2004"]), default="zip", show_default=True,
              help="zip: the handbook to open from disk; scorm (1.2) or scorm2004: a package for a learning platform.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The .zip file to write (default: handbook-<kind>.zip).")
@JOBS
@click.option("--no-cache", is_flag=True, help="Read and write no cache: render everything again.")
@ENGINE
@handles_errors
def package(program: Path, target: str, out: Path | None, jobs: int | None, no_cache: bool,
            engine: str | None) -> None:
    """Build PROGRAM and write it as one file to hand on: a zip or a SCORM package.

    \b
    Examples:
      mentorkit package --to zip -o handbook.zip
      mentorkit package --to scorm -o handbook-scorm.zip
    """
    from .package import package as run_package

    result = run_package(program, target, out, engine=engine, jobs=jobs, use_cache=not no_cache)  # type: ignore[arg-type]
    _report(result.warnings)
    click.echo(f"packaged {result.files} files into {result.path}")


@main.command()
@PROGRAM
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@ENGINE
@handles_errors
def serve(program: Path, host: str, port: int, engine: str | None) -> None:
    """Preview the handbook, rebuilding when program.yml, content/ or templates/ change.

    \b
    Examples:
      mentorkit serve
      mentorkit serve programs/2027.yml --port 8080
    """
    from .project import load_program
    from .serve import serve as run_serve

    load_program(program)  # fail fast with located errors
    run_serve(program, host=host, port=port, engine=engine)


@main.command()
@ROSTER
@PROGRAM
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("workbooks"),
              show_default=True, help="Output folder.")
@JOBS
@click.option("--shard", default=None, metavar="I/N",
              help="Render only the I-th of N equal slices of the roster (for a CI matrix).")
@handles_errors
def workbooks(roster: Path, program: Path, out: Path, jobs: int | None, shard: str | None) -> None:
    """Write one personalised workbook per participant of ROSTER (CSV: name,email,role,group).

    With --shard I/N, only the I-th of N slices is rendered; file names and partners are
    the same as in a full run, so the N outputs together make the whole cohort.

    \b
    Examples:
      mentorkit workbooks roster.csv
      mentorkit workbooks roster.csv programs/2027.yml -o workbooks-2027
      mentorkit workbooks roster.csv --shard 2/4 -o workbooks-2
    """
    from rich.progress import Progress

    from .workbooks import write_workbooks

    with Progress(transient=True) as bar:
        task = bar.add_task("Rendering workbooks", total=None)
        count = write_workbooks(roster, program, out, jobs=jobs, shard=shard,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"wrote {count} workbooks into {out}/")


@main.command()
@ROSTER
@PROGRAM
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("kit"),
              show_default=True, help="Output folder: one folder per participant.")
@JOBS
@handles_errors
def kit(roster: Path, program: Path, out: Path, jobs: int | None) -> None:
    """Write a kit per participant of ROSTER (CSV: name,email,role,group) into OUT/<name>/.

    Each kit holds workbook.pdf, meetings.ics (their meetings, with a reminder the day before),
    certificate.pdf and mail/*.eml: drafts addressed to them that a mail client opens
    (welcome, match, survey invitations, thank-you). mentorkit never sends mail.
    Everything is checked first; on an error nothing is written.

    \b
    Examples:
      mentorkit kit roster.csv
      mentorkit kit roster.csv programs/2027.yml -o kits-2027
    """
    from rich.progress import Progress

    from .kit import write_kit

    with Progress(transient=True) as bar:
        task = bar.add_task("Making kits", total=None)
        count = write_kit(roster, program, out, jobs=jobs,
                          progress=lambda done, total: bar.update(task, completed=done, total=total))
    click.echo(f"wrote {count} kits into {out}/")


@main.command()
@click.argument("registrations", type=click.Path(dir_okay=False, path_type=Path))
@PROGRAM
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Roster to write (default: roster.csv).")
@click.option("--explain", "explain_to", default=None, metavar="FILE",
              help="Also write why each pair was made and why anyone is left over (Markdown); '-' prints it.")
@click.option("--keep", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A roster whose pairs are already agreed: they stay together (rematching mid-programme).")
@handles_errors
def match(registrations: Path, program: Path, out: Path | None, explain_to: str | None, keep: Path | None) -> None:
    """Pair the mentees and mentors of REGISTRATIONS (CSV: name,email,role and one column per criterion id).

    The most people are matched that the hard rules and mentor capacity allow, then the
    best total score; ties go to whoever registered first. Nothing is written on an error.

    \b
    Examples:
      mentorkit match registrations.csv
      mentorkit match registrations.csv programs/2027.yml -o roster.csv --explain matching.md
      mentorkit match registrations.csv --keep roster.csv -o roster.csv --explain -
    """
    from .matching import match_files, save

    result = match_files(registrations, program, keep=keep)
    roster = out or Path("roster.csv")
    to_file = Path(explain_to) if explain_to not in (None, "-") else None
    save(result, roster, to_file)
    if explain_to == "-":
        click.echo(result.explanation)
    click.echo(f"wrote {roster}: {result.summary}" + (f"; explanation in {to_file}" if to_file else ""),
               err=explain_to == "-")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--type", "program_type", required=True,
              type=click.Choice(["one-on-one", "group", "peer", "reverse", "flash", "virtual"]),
              help="Program type: its defaults fill in roles, cadence and stages.")
@handles_errors
def new(folder: Path, program_type: str) -> None:
    """Start a new program in FOLDER (which must not exist or be empty).

    \b
    Examples:
      mentorkit new peer-2027 --type peer
      mentorkit new exec-reverse --type reverse
    """
    from .model import ProgramType
    from .scaffold import scaffold

    for path in scaffold(folder, ProgramType(program_type)):
        click.echo(f"created {path}")
    click.echo(f"next: cd {folder} && mentorkit check && mentorkit build")


@main.command()
def schema() -> None:
    """Print the JSON Schema of program.yml (for editors: yaml-language-server).

    \b
    Examples:
      mentorkit schema > program.schema.json
    """
    from .model import json_schema

    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


@main.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--program", "program", type=click.Path(dir_okay=False, path_type=Path), default=Path("program.yml"),
              show_default=True, help="The program file, read at each revision.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@handles_errors
def diff(old: str | None, new: str | None, program: Path, fmt: str) -> None:
    """What changed in the program between OLD and NEW (git revisions or files).

    OLD defaults to HEAD, NEW to the working tree. Exit codes: 0 no changes, 1 changes, 2 error.

    \b
    Examples:
      mentorkit diff                      HEAD against your edits
      mentorkit diff v2026 v2027          two tagged cohorts
      mentorkit diff HEAD~1 --format markdown
      mentorkit diff old.yml program.yml --format json
    """
    from .versions import diff_programs, format_json, format_markdown, format_text, load_side

    changes = diff_programs(load_side(old or "HEAD", program), load_side(new, program))
    if fmt == "json":
        click.echo(format_json(changes))
    elif fmt == "markdown":
        click.echo(format_markdown(changes))
    else:
        click.echo(format_text(changes, color=sys.stdout.isatty()))
    sys.exit(1 if changes else 0)


@main.group()
def surveys() -> None:
    """Run the program's surveys in other tools."""


@surveys.command("export")
@PROGRAM
@click.option("--to", "fmt", required=True, type=click.Choice(["xlsform", "qualtrics", "csv"]),
              help="xlsform: KoboToolbox, ODK, Enketo, SurveyCTO; qualtrics: Advanced Format TXT; "
                   "csv: a template for typing answers in.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: surveys-FORMAT/).")
@handles_errors
def export_surveys(program: Path, fmt: str, out: Path | None) -> None:
    """Write one form per survey of PROGRAM, to import into a survey tool.

    \b
    Examples:
      mentorkit surveys export --to xlsform
      mentorkit surveys export programs/2027.yml --to qualtrics -o qualtrics
      mentorkit surveys export --to csv -o answers
    """
    from .exports import export_surveys as export
    from .i18n import program_language
    from .output import staged, write_files
    from .project import load_program

    project = load_program(program)
    files = export(project.program, fmt, program_language(project.program, project.root))  # a team's .po too
    target = out or Path(f"surveys-{fmt}")
    with staged(target, project.root) as stage:
        write_files(stage, files)
    click.echo(f"wrote {len(files)} {fmt} forms into {target}/")


@main.command()
@click.argument("responses", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-p", "--program", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The program file (default: program.yml).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Roster CSV (name,email,role,group): who was invited, and each respondent's role.")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder for report.html, report.pdf and report.json (default: report/).")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="json: print the figures on stdout (and write OUT only when -o is given).")
@click.option("--min-group", type=click.IntRange(min=1), default=5, show_default=True,
              help="Show figures by role only when every group has at least this many respondents.")
@click.option("--quotes", is_flag=True, help="Quote written answers (sorted, never with who wrote them).")
@handles_errors
def report(responses: tuple[Path, ...], program: Path | None, roster: Path | None, out: Path | None, fmt: str,
           min_group: int, quotes: bool) -> None:
    """Read survey answers and write the impact report.

    RESPONSES are exports of Google Forms or Microsoft Forms (CSV or .xlsx), KoboToolbox or any
    XLSForm tool, mentorkit's CSV template, or filled-in PDF forms: each file is matched to its
    survey by its columns. Every answer is checked first; on any error nothing is written.

    \b
    Examples:
      mentorkit report answers/*.csv --roster roster.csv
      mentorkit report midpoint.csv end.xlsx forms/*.pdf -p programs/2027.yml -o report-2027
      mentorkit report answers/*.csv --roster roster.csv --format json > figures.json
    """
    from .project import load_program
    from .report import build_report, render_json, report_files, write_report
    from .roster import read_roster

    project = load_program(program or Path("program.yml"))
    result = build_report(project.program, responses, read_roster(roster) if roster else None,
                          min_group=min_group, quotes=quotes, root=project.root)
    _report(result.warnings)
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    if fmt == "html" or out is not None:
        target = out or Path("report")
        write_report(target, report_files(project.program, result, project.root), project.root)
        click.echo(f"wrote the report into {target}/", err=fmt == "json")
