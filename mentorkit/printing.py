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
from collections.abc import Callable, Iterator, Mapping
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

# what WeasyPrint renders: a label (for progress and tests), HTML, base_url, allowed roots, forms
Unit = tuple[str, str, str, list[str], bool]
BODY_LABEL = "workbook (shared pages)"


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


def _render(unit: Unit) -> tuple[str, bytes]:
    """Worker: one HTML document -> PDF bytes (runs in a child process or in-process)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetch import make_fetcher

    label, html, base_url, roots, forms = unit
    fetcher = make_fetcher([Path(r) for r in roots])
    options = {"pdf_forms": forms, **PDF_OPTIONS}  # forms and tags are decided at layout time
    try:
        return label, HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(**options)
    except FatalURLFetchingError as exc:
        raise FetchError(f"{label}: {exc}") from None


def _render_laid_out_together(cover: Unit, body: Unit) -> bytes:
    """The slow way to join a cover to the shared pages, used only when `pdfjoin` cannot join
    them (say, a user's cover template adds a form field the body also has): lay both out and
    let WeasyPrint copy the pages into one document."""
    from weasyprint import HTML

    from .fetch import make_fetcher

    fetcher = make_fetcher([Path(r) for r in cover[3]])
    options = {"pdf_forms": cover[4], **PDF_OPTIONS}
    first = HTML(string=cover[1], base_url=cover[2], url_fetcher=fetcher).render(**options)
    rest = HTML(string=body[1], base_url=body[2], url_fetcher=fetcher).render(**options)
    document = rest.copy([*first.pages, *rest.pages])
    document.metadata = first.metadata  # the cover's title names the person
    return document.write_pdf(**options)


def _unit_key(unit: Unit, logo_bytes: bytes) -> str:
    _, html, base, _, forms = unit
    return digest(tool_versions(), html, base, str(forms), repr(sorted(PDF_OPTIONS.items())), logo_bytes)


def _logo_bytes(project: Project) -> bytes:
    logo = project.program.program.branding.logo
    if logo:
        path, _ = resolve_inside(project.root, logo)
        return path.read_bytes() if path else b""
    return b""


class Assembled(Mapping[str, bytes]):
    """Document name -> PDF bytes; a workbook is joined from its cover and the shared pages when
    asked for, so a roster of hundreds is never all in memory at once."""

    def __init__(self, parts: dict[str, list[str]], units: dict[str, Unit], pdfs: dict[str, bytes]):
        self.parts, self.units, self.pdfs = parts, units, pdfs
        self._parsed: dict[bytes, Any] = {}

    def __getitem__(self, name: str) -> bytes:
        keys = self.parts[name]
        if len(keys) == 1:
            return self.pdfs[keys[0]]
        from .pdfjoin import JoinError, join

        *covers, body = keys
        try:
            return join(self.pdfs[body], [self.pdfs[k] for k in covers], info_from=0, _parsed=self._parsed)
        except JoinError:
            return _render_laid_out_together(self.units[covers[0]], self.units[body])

    def __iter__(self) -> Iterator[str]:
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)


class Pending:
    """PDFs being rendered in worker processes while the caller does other work (the site build).

    Each document is one or more units of HTML (a workbook: its cover and the pages every
    workbook shares, rendered once however many covers there are). Unchanged units come from the
    cache at once; the rest go to a process pool (forked from the main thread before any other
    work starts, longest first) or, with one worker, are rendered in-process when `result()` is
    called. Use as a context manager so workers always stop.
    """

    def __init__(self, documents: dict[str, list[Unit]], workers: int | None,
                 progress: Callable[[int, int], None] | None = None, cache: Cache | None = None,
                 project: Project | None = None):
        logo = _logo_bytes(project) if project is not None else b""
        self.units: dict[str, Unit] = {}
        self.parts: dict[str, list[str]] = {}
        for name, units in documents.items():
            self.parts[name] = []
            for unit in units:
                key = _unit_key(unit, logo)
                self.units.setdefault(key, unit)
                self.parts[name].append(key)
        self.done: dict[str, bytes] = {}
        self.cache, self.progress = cache, progress
        if cache is not None:
            for key in self.units:
                hit = cache.get_bytes("pdf", key)
                if hit is not None:
                    self.done[key] = hit
        # longest first, so the shared pages of a roster start before the covers
        self.todo = sorted((key for key in self.units if key not in self.done),
                           key=lambda key: -len(self.units[key][1]))
        self.workers = min(workers or os.cpu_count() or 1, len(self.todo)) or 1
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[str, Any]] = []
        if self.todo and self.workers > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"))
            self.futures = [(key, self.pool.submit(_render, self.units[key])) for key in self.todo]

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _tick(self) -> None:
        if self.progress:
            self.progress(len(self.done), len(self.units))

    def result(self) -> Assembled:
        """Every document's PDF, in the order the documents were given."""
        fresh: dict[str, bytes] = {}
        if self.pool is not None:
            for key, future in self.futures:
                fresh[key] = self.done[key] = future.result()[1]
                self._tick()
            self.__exit__()
        else:
            for key in self.todo:
                fresh[key] = self.done[key] = _render(self.units[key])[1]
                self._tick()
        self.todo = []
        if self.cache is not None:
            for key, data in fresh.items():
                self.cache.put_bytes("pdf", key, data)
        return Assembled(self.parts, self.units, self.done)


def _document_units(project: Project, documents: list[Document]) -> dict[str, list[Unit]]:
    context = _context(project)
    base, roots, forms = project.root.as_uri() + "/", _roots(project), project.program.print.fillable
    units: dict[str, list[Unit]] = {}
    for d in documents:
        html = document_html(project, d, context)
        if isinstance(html, str):
            units[d.name] = [(d.name, html, base, roots, forms)]
        else:
            units[d.name] = [(f"{d.name} (cover)", html[0], base, roots, forms), (BODY_LABEL, html[1], base, roots, forms)]
    return units


def start_documents(project: Project, documents: list[Document], *, jobs: int | None = None,
                    cache: Cache | None = None) -> Pending:
    """Start rendering every document; collect the PDFs with `.result()`."""
    return Pending(_document_units(project, documents), jobs, cache=cache, project=project)


def render_documents(project: Project, documents: list[Document], *, jobs: int | None = None,
                     cache: Cache | None = None) -> Mapping[str, bytes]:
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
                     names: list[str] | None = None, cache: Cache | None = None) -> Mapping[str, bytes]:
    """File name -> personalised workbook PDF for each participant.

    `everyone` (the whole roster) and `names` let a shard of the roster be rendered with the
    partners and file names it would have in a full run.
    """
    everyone = everyone if everyone is not None else participants
    names = names if names is not None else workbook_names(participants)
    context = _context(project)
    base = project.root.as_uri() + "/"
    roots, forms = _roots(project), project.program.print.fillable
    body: Unit = (BODY_LABEL, workbook_body_html(project, context), base, roots, forms)
    work = {name: [(name, workbook_cover_html(project, person, everyone, context), base, roots, forms), body]
            for name, person in zip(names, participants, strict=True)}
    with Pending(work, jobs, progress, cache, project) as pending:
        return pending.result()
