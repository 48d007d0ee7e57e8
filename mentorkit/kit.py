"""Printed kits made beside the handbook: one folder per participant (`mentorkit kit`), and the programme
team's runbook checklist that a build adds.

A participant's folder holds their workbook (as `mentorkit workbooks` makes it), their meetings as a
calendar, draft e-mails and a completion certificate. Everything that depends on the roster or the mail
templates is made before anything is written; the PDFs render in the worker pool, and the folders replace
OUT at the end, atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Cache

if TYPE_CHECKING:
    from .context import Context
    from .project import Project
    from .workers import Pool, Unit


def _unit(project: Project, label: str, html: str) -> Unit:
    from .resources import package_dirs
    from .workers import Unit

    roots = (str(project.root), *(str(p) for p in package_dirs()))
    return Unit(label, html, project.root.as_uri() + "/", roots, project.program.print.fillable)


def runbook_html(project: Project, context: Context, bytecode: Path | None = None) -> str:
    """The programme team's printable checklist, as print HTML (`bytecode`: where compiled
    templates are kept, as for the other printables)."""
    from .printing import print_values
    from .runbook import template_values

    values = print_values(project, context, bytecode)
    return values["env"].get_template("print/runbook.html.j2").render(
        values, runbook=template_values(project.program, project.plan, context.lang),
        title=context.lang.gettext("Runbook - %(programme)s") % {"programme": project.program.program.title})


def runbook_pdf(project: Project, context: Context, pool: Pool, cache: Cache | None = None,
                bytecode: Path | None = None) -> Callable[[], bytes]:
    """The programme team's printable checklist, rendering in `pool` beside the handbook's PDFs
    (or taken from the cache); call the result for its PDF."""
    from .printing import render_one

    html = runbook_html(project, context, bytecode)
    return render_one(project, _unit(project, "runbook", html), pool=pool, cache=cache)


def certificate_html(project: Project, values: dict[str, Any], person: Any) -> str:
    """A participant's completion certificate, as print HTML."""
    from .runbook import organiser_dates

    program = project.program.program
    return values["env"].get_template("print/certificate.html.j2").render(
        values, person=person, role_label=getattr(values["roles"], person.role),
        awarded=organiser_dates(project.program).closing_event,
        title=values["lang"].gettext("Certificate of completion: %(name)s - %(programme)s")
        % {"name": person.name, "programme": program.title})


def kit_folders(participants: list[Any]) -> list[str]:
    """A folder name per participant: the slug of the name, made unique in roster order (as workbooks are)."""
    from .printing import workbook_names

    return [name.removesuffix(".pdf") for name in workbook_names(participants)]


def write_kit(roster: Path, program: Path, out: Path, *, jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None, use_cache: bool = True) -> int:
    """Write a kit folder per participant of `roster` into `out`; how many.

    The program, the roster, every calendar and every draft mail are made first, so a bad roster or
    template stops the run before anything is written.
    """
    from . import ics, mail
    from .context import Context
    from .output import staged, write_files
    from .plan import documents
    from .printing import print_values, render_workbooks
    from .project import load_program
    from .roster import read_roster
    from .stamp import build_date, last_commit_time, source_date_epoch
    from .workers import Pool, render

    project = load_program(program)
    everyone = read_roster(roster)
    folders = kit_folders(everyone)
    stamp = build_date(source_date_epoch() or last_commit_time(program), project.program.program.starts)
    context = Context.of(project, stamp, documents(project.program))
    values = print_values(project, context)
    small: dict[str, bytes] = {}
    certificates: dict[str, str] = {}
    for folder, person in zip(folders, everyone, strict=True):
        partners = [p for p in everyone if p.group == person.group and p is not person]
        small[f"{folder}/meetings.ics"] = ics.personal_bytes(project, person.name, folder,
                                                             [p.name for p in partners], stamp)
        small.update({f"{folder}/mail/{name}": data for name, data in mail.render_drafts(project, person,
                                                                                        partners).items()})
        certificates[folder] = certificate_html(project, values, person)
    cache = Cache.beside(program, use_cache)
    with Pool(jobs) as pool, staged(out, project.root) as stage:
        made = {folder: pool.submit(render, _unit(project, f"{folder}/certificate.pdf", html))
                for folder, html in certificates.items()}
        write_files(stage, small)
        for name, pdf in render_workbooks(project, context, everyone, pool=pool, names=[f"{f}/workbook.pdf"
                                          for f in folders], progress=progress, cache=cache):
            folder = name.split("/", 1)[0]
            write_files(stage, {name: pdf, f"{folder}/certificate.pdf": made.pop(folder).result().pdf})
    if cache is not None:
        cache.prune()
    return len(everyone)
