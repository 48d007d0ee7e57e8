"""Print HTML -> PDF bytes through WeasyPrint (the only WeasyPrint-aware module).

Every PDF is made from a Jinja HTML template in templates/print/, rendered in a sandbox with
autoescaping, and laid out by WeasyPrint with a fetcher that reads nothing outside the program's
folder and the package. Documents render in parallel across processes: one document does not get
faster with more cores, many documents do.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .cache import Cache, digest, tool_versions
from .defaults import FIRST_MEETING_TITLES, first_meeting_checklist
from .errors import FetchError
from .model import ProgramType
from .paths import resolve_inside
from .plan import Document
from .project import Project
from .resources import package_dirs
from .stamp import build_timestamp
from .templating import environment
from .timeline import HORIZON_TEXT
from .wording import SESSIONS_TEXT, STAGE_TEXT, day, short

BLANK_GOAL_PAGES = 2
SMART = [("S", "specific", "Specific", "what exactly will be done"),
         ("M", "measurable", "Measurable", "how you will know it is done"),
         ("A", "achievable", "Achievable", "why it is within reach, and with what help"),
         ("R", "relevant", "Relevant", "why it matters now")]
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}

# name, HTML (or a workbook's cover and shared body), base_url, allowed roots, forms
Job = tuple[str, "str | tuple[str, str]", str, list[str], bool]
_BODIES: dict[str, Any] = {}  # per process: a workbook body laid out once, joined to every cover


def _context(project: Project) -> dict[str, Any]:
    pf, plan = project.program, project.plan
    program = pf.program
    logo = None
    if program.branding.logo:
        path, why = resolve_inside(project.root, program.branding.logo)
        if path is None:
            raise FetchError([project.located.problem(("program", "branding", "logo"), why or "not found")])
        logo = path.as_uri()
    stamp = build_timestamp(project.path, program.starts)
    return {
        "program": program, "pf": pf, "plan": plan, "roles": program.roles, "language": program.language,
        "stamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "colour": program.branding.colour,
        "paper": "A4" if pf.print.paper == "A4" else "letter", "fillable": pf.print.fillable,
        "checklist": first_meeting_checklist(pf), "checklist_titles": FIRST_MEETING_TITLES,
        "day": day, "short": short, "horizon_text": HORIZON_TEXT, "smart": SMART, "blank_goals": BLANK_GOAL_PAGES,
        "goal_titles": [g.title for g in pf.goals], "sessions_text": SESSIONS_TEXT[pf.feedback.sessions],
        "stage_text": STAGE_TEXT, "logo": logo, "person": None, "partners": [],
        "partner_label": _partner_label(program.type, "mentee"), "role_label": program.roles.mentee,
    }


def _partner_label(kind: ProgramType, role: str) -> str:
    if kind == ProgramType.group:
        return "Circle members"
    if kind == ProgramType.peer:
        return "Your peer"
    return "Your mentor" if role == "mentee" else "Your mentee"


def document_html(project: Project, doc: Document, context: dict[str, Any] | None = None) -> str | tuple[str, str]:
    """The print HTML of one document; a workbook is a cover and a body, rendered apart and joined."""
    ctx = dict(context or _context(project))
    ctx["title"] = f"{doc.title} - {project.program.program.title}"
    env = environment(project.root)
    if doc.survey:
        ctx["survey_moment"] = next(m for m in project.plan.surveys if m.survey.id == doc.survey)
    if doc.kind == "workbook":
        if doc.role:
            ctx["role_label"] = getattr(project.program.program.roles, doc.role)
            ctx["partner_label"] = _partner_label(project.program.program.type, doc.role)
        return (env.get_template("print/workbook-cover.html.j2").render(ctx), workbook_body_html(project, ctx))
    return env.get_template(f"print/{doc.kind}.html.j2").render(ctx)


def workbook_body_html(project: Project, context: dict[str, Any]) -> str:
    """The part of every workbook that is the same for everyone: contents, journey, log and forms."""
    ctx = dict(context)
    ctx["title"] = f"Workbook - {project.program.program.title}"
    return environment(project.root).get_template("print/workbook-body.html.j2").render(ctx)


def _roots(project: Project) -> list[str]:
    return [str(project.root)] + [str(p) for p in package_dirs()]


def _render(job: Job) -> tuple[str, bytes]:
    """Worker: one document -> PDF bytes (runs in a child process or in-process).

    A workbook's body is laid out once per process and joined to each cover with WeasyPrint's
    own page copying, so the PDF keeps its form fields, bookmarks and PDF/UA structure.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetch import make_fetcher

    name, html, base_url, roots, forms = job
    fetcher = make_fetcher([Path(r) for r in roots])
    options = {"pdf_forms": forms, **PDF_OPTIONS}  # forms and tags are decided at layout time
    try:
        if isinstance(html, str):
            document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)
        else:
            cover_html, body_html = html
            key = digest(body_html, base_url, str(forms))
            if key not in _BODIES:
                _BODIES.clear()  # one body at a time is all a roster needs
                _BODIES[key] = HTML(string=body_html, base_url=base_url, url_fetcher=fetcher).render(**options)
            body = _BODIES[key]
            cover = HTML(string=cover_html, base_url=base_url, url_fetcher=fetcher).render(**options)
            document = body.copy([*cover.pages, *body.pages])
            document.metadata = cover.metadata  # the cover's title names the person
        return name, document.write_pdf(**options)
    except FatalURLFetchingError as exc:
        raise FetchError(f"{name}: {exc}") from None


def _job_key(job: Job, project: Project) -> str:
    name, html, base, roots, forms = job
    parts = [html] if isinstance(html, str) else list(html)
    logo = project.program.program.branding.logo
    logo_bytes = b""
    if logo:
        path, _ = resolve_inside(project.root, logo)
        logo_bytes = path.read_bytes() if path else b""
    return digest(tool_versions(), *parts, base, str(forms), repr(sorted(PDF_OPTIONS.items())), logo_bytes)


class Pending:
    """PDFs being rendered in worker processes while the caller does other work (the site build).

    Unchanged documents come from the cache at once; the rest are submitted to a process pool
    (forked from the main thread before any other work starts) or, with one worker, rendered
    in-process when `result()` is called. Use as a context manager so workers always stop.
    """

    def __init__(self, jobs: list[Job], workers: int | None, progress: Callable[[int, int], None] | None = None,
                 cache: Cache | None = None, project: Project | None = None):
        self.order = [job[0] for job in jobs]
        self.done: dict[str, bytes] = {}
        self.keys: dict[str, str] = {}
        self.cache, self.progress = cache, progress
        if cache is not None and project is not None:
            for job in jobs:
                self.keys[job[0]] = _job_key(job, project)
                hit = cache.get_bytes("pdf", self.keys[job[0]])
                if hit is not None:
                    self.done[job[0]] = hit
        self.todo = [job for job in jobs if job[0] not in self.done]
        self.workers = min(workers or os.cpu_count() or 1, len(self.todo)) or 1
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Any] = []
        if self.todo and self.workers > 1:
            import weasyprint  # noqa: F401  (imported before forking, so workers start warm)

            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"))
            self.futures = [self.pool.submit(_render, job) for job in self.todo]

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _tick(self) -> None:
        if self.progress:
            self.progress(len(self.done), len(self.order))

    def result(self) -> dict[str, bytes]:
        """Every document's PDF, in the order the jobs were given."""
        fresh: dict[str, bytes] = {}
        if self.pool is not None:
            for future in self.futures:
                name, pdf = future.result()
                fresh[name] = self.done[name] = pdf
                self._tick()
            self.__exit__()
        else:
            for job in self.todo:
                name, pdf = _render(job)
                fresh[name] = self.done[name] = pdf
                self._tick()
        self.todo = []
        if self.cache is not None:
            for name, data in fresh.items():
                self.cache.put_bytes("pdf", self.keys[name], data)
        return {name: self.done[name] for name in self.order}


def _run(jobs: list[Job], workers: int | None, progress: Callable[[int, int], None] | None = None,
         cache: Cache | None = None, project: Project | None = None) -> dict[str, bytes]:
    with Pending(jobs, workers, progress, cache, project) as pending:
        return pending.result()


def _document_jobs(project: Project, documents: list[Document]) -> list[Job]:
    context = _context(project)
    base = project.root.as_uri() + "/"
    return [(d.name, document_html(project, d, context), base, _roots(project), project.program.print.fillable)
            for d in documents]


def start_documents(project: Project, documents: list[Document], *, jobs: int | None = None,
                    cache: Cache | None = None) -> Pending:
    """Start rendering every document; collect the PDFs with `.result()`."""
    return Pending(_document_jobs(project, documents), jobs, cache=cache, project=project)


def render_documents(project: Project, documents: list[Document], *, jobs: int | None = None,
                     cache: Cache | None = None) -> dict[str, bytes]:
    """Document name -> PDF bytes, for every document; output is the same for any number of jobs."""
    with start_documents(project, documents, jobs=jobs, cache=cache) as pending:
        return pending.result()


def slug(name: str) -> str:
    """'Lucía Fernández' -> 'lucia-fernandez'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "participant"


def workbook_names(participants: list[Any]) -> list[str]:
    """A file name per participant: slug of the name, made unique with -2, -3 in roster order."""
    seen: dict[str, int] = {}
    names = []
    for person in participants:
        base = slug(person.name)
        seen[base] = seen.get(base, 0) + 1
        names.append(f"{base}.pdf" if seen[base] == 1 else f"{base}-{seen[base]}.pdf")
    return names


def workbook_cover_html(project: Project, person: Any, everyone: list[Any], context: dict[str, Any]) -> str:
    """The personal cover of one participant's workbook."""
    program = project.program.program
    ctx = dict(context)
    ctx["person"] = person
    ctx["role_label"] = getattr(program.roles, person.role)
    ctx["partner_label"] = _partner_label(program.type, person.role)
    ctx["partners"] = [p.name for p in everyone if p.group == person.group and p is not person]
    ctx["title"] = f"{program.title}: workbook for {person.name}"
    return environment(project.root).get_template("print/workbook-cover.html.j2").render(ctx)


def render_workbooks(project: Project, participants: list[Any], *, jobs: int | None = None,
                     progress: Callable[[int, int], None] | None = None, everyone: list[Any] | None = None,
                     names: list[str] | None = None, cache: Cache | None = None) -> dict[str, bytes]:
    """File name -> personalised workbook PDF for each participant.

    `everyone` (the whole roster) and `names` let a shard of the roster be rendered with the
    partners and file names it would have in a full run.
    """
    everyone = everyone if everyone is not None else participants
    names = names if names is not None else workbook_names(participants)
    context = _context(project)
    base = project.root.as_uri() + "/"
    body = workbook_body_html(project, context)
    work: list[Job] = [(name, (workbook_cover_html(project, person, everyone, context), body), base,
                        _roots(project), project.program.print.fillable)
                       for name, person in zip(names, participants, strict=True)]
    return _run(work, jobs, progress, cache=cache, project=project)
