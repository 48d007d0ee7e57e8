"""Print HTML -> PDF bytes through WeasyPrint (the only WeasyPrint-aware module).

Every PDF is made from a Jinja HTML template in templates/print/, rendered in a sandbox with
autoescaping, and laid out by WeasyPrint with a fetcher that reads nothing outside the program's
folder and the package. Documents render in parallel across processes: one document does not get
faster with more cores, many documents do. Documents are laid out in pieces (`split`), each
rendered and cached once, and assembled by `pdfjoin`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import Cache, digest, tool_versions
from .defaults import FIRST_MEETING_TITLES, first_meeting_checklist
from .errors import FetchError
from .model import ProgramType
from .paths import resolve_inside
from .plan import DEST_SCHEME, Document
from .project import Project
from .resources import package_dirs
from .stamp import build_timestamp
from .templating import environment
from .timeline import HORIZON_TEXT
from .wording import SESSIONS_TEXT, STAGE_TEXT, day, short
from .workers import PDF_OPTIONS, Layout, Unit, imports, load_weasyprint, render

BLANK_GOAL_PAGES = 2
SMART = [("S", "specific", "Specific", "what exactly will be done"),
         ("M", "measurable", "Measurable", "how you will know it is done"),
         ("A", "achievable", "Achievable", "why it is within reach, and with what help"),
         ("R", "relevant", "Relevant", "why it matters now")]

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


def _render(unit: Unit) -> tuple[str, bytes, Layout]:
    """One unit rendered in this process (a pool's workers run `workers.render` itself)."""
    return render(unit)


def _render_laid_out_together(units: list[Unit]) -> bytes:
    """The slow way to make a document of several pieces, used only when `pdfjoin` cannot join
    them (say, a user's template adds a form field twice): lay out the document's original HTML
    (cover and body, with CSS page numbers) and let WeasyPrint copy the pages into one."""
    load_weasyprint()
    from weasyprint import HTML

    from .fetch import make_fetcher

    fetcher = make_fetcher([Path(r) for r in units[0][3]])
    options = {"pdf_forms": units[0][4], **PDF_OPTIONS}
    laid_out = [HTML(string=u[1], base_url=u[2], url_fetcher=fetcher).render(**options) for u in units]
    document = laid_out[-1].copy([page for d in laid_out for page in d.pages])
    document.metadata = laid_out[0].metadata  # the first part's title (a personal cover names the person)
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


# --- pieces: a document's pages laid out apart, so that each is rendered (and cached) once ---

_TITLE = re.compile(r"<title>.*?</title>", re.S)
_SECTION = re.compile(r'<section\b[^>]*\bclass="doc"[^>]*>|<section\b|</section\s*>')
_ID = re.compile(r'\sid="([^"]+)"')
_LOCAL_LINK = re.compile(r'(<a\b[^>]*?\s)href="#([^"]+)"')
_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "right-top",
                 "right-middle", "right-bottom", "bottom-right-corner", "bottom-right", "bottom-center",
                 "bottom-left", "bottom-left-corner", "left-bottom", "left-middle", "left-top")
_NUMBERED_BOX = re.compile(r"@(" + "|".join(_MARGIN_BOXES) + r")\s*\{[^{}]*counter\(\s*pages?\s*\)")


@dataclass(frozen=True)
class Piece:
    """One separately rendered part of a document's numbered pages. A piece that links to another
    piece (the contents) is a template: its page numbers are filled in once the others are laid out."""

    label: str
    html: str
    anchors: frozenset[str]
    links: bool  # links to an anchor in another piece


@dataclass(frozen=True)
class Body:
    """The numbered pages of a document: its pieces in order, the page-number overlay, and the
    original HTML (for the fallback)."""

    head: str  # HTML up to and including <body>, neutral title, numbered margin boxes blanked
    pieces: tuple[Piece, ...]
    numbered: tuple[str, ...]  # the margin boxes that show page numbers: drawn by the overlay
    whole: Unit
    plain_head: str = ""  # the head with its numbered margin boxes: the overlay's


@dataclass(frozen=True)
class Plan:
    """One PDF: an unnumbered cover (a workbook's) and a numbered body; its title."""

    title: str | None  # None: the cover's
    cover: Unit | None
    body: Body
    together: bool = True  # cover and pieces joined at once; else the body once, then each cover onto it


def _sections(html: str) -> tuple[str, list[str]]:
    """The head (up to and including <body>) and the top-level `<section class="doc">` elements of a
    print document; ("", [html]) when it is not one mentorkit can cut."""
    opened, closed = html.find("<body>"), html.rfind("</body>")
    if opened < 0 or closed < opened:
        return "", [html]
    head, inner = html[:opened + len("<body>")], html[opened + len("<body>"):closed]
    cuts, depth = [], 0
    for match in _SECTION.finditer(inner):
        if match.group(0).startswith("</"):
            depth -= 1
            continue
        if depth == 0 and 'class="doc"' in match.group(0):
            cuts.append(match.start())
        depth += 1
    if not cuts or inner[:cuts[0]].strip():
        cuts = [0, *cuts[1:]] if cuts else [0]
    return head, [inner[a:b].strip() for a, b in zip(cuts, [*cuts[1:], len(inner)], strict=True)]


def split(unit: Unit, shared: Sequence[tuple[str, ...]] | None = None) -> Body:
    """Cut a document's HTML into pieces. Without `shared`, the whole body is one piece (a
    standalone printable). With it (the sections of each standalone printable), a workbook body
    is cut at its top-level `<section class="doc">` elements, and a run of sections that is a
    whole standalone printable stays together, so both are the very same piece, rendered once."""
    label = unit[0]
    head, sections = _sections(unit[1])
    if not head:  # not an HTML document mentorkit can cut: one piece, laid out as it is
        return Body("", (Piece(label, unit[1], frozenset(), False),), (), unit)
    runs: list[list[str]] = []
    if shared is None:
        runs = [sections]
    else:
        known = sorted({run for run in shared if run}, key=lambda run: (-len(run), run))
        i = 0
        while i < len(sections):
            run = next((list(r) for r in known if tuple(sections[i:i + len(r)]) == r), [sections[i]])
            runs.append(run)
            i += len(run)
    css = "".join(re.findall(r"<style[^>]*>(.*?)</style>", head, re.S))
    numbered = tuple(sorted(set(_NUMBERED_BOX.findall(css))))
    head = plain = _TITLE.sub("<title>mentorkit</title>", head, count=1)  # the title is set by the join
    if numbered:
        blank = " ".join(f"@{box} {{ content: none; }}" for box in numbered)
        head = plain.replace("</head>", f"<style>@page {{ {blank} }}</style>\n</head>", 1)
    pieces_html = ["\n".join(run) for run in runs]
    anchors = [frozenset(_ID.findall(h)) for h in pieces_html]
    everywhere = frozenset().union(*anchors)
    pieces: list[Piece] = []
    for h, own in zip(pieces_html, anchors, strict=True):
        targets = {m.group(2) for m in _LOCAL_LINK.finditer(h)} & everywhere
        first = _ID.search(h)
        pieces.append(Piece(f"#{first.group(1)}" if first else f"{label} part {len(pieces) + 1}", h, own,
                            bool(targets - own)))
    return Body(head, tuple(pieces), numbered, unit, plain)


def standalone_sections(project: Project, context: dict[str, Any] | None = None) -> list[tuple[str, ...]]:
    """The sections of every standalone printable, which a workbook body holds too."""
    from .plan import documents

    ctx = context or _context(project)
    out = []
    for d in documents(project.program):
        if d.kind != "workbook":
            html = document_html(project, d, ctx)
            assert isinstance(html, str)
            out.append(tuple(_sections(html)[1]))
    return out


def _piece_html(body: Body, piece: Piece, pages: dict[str, int] | None = None) -> str:
    html = piece.html
    if pages is not None:  # links to other pieces go through the join, with their page numbers
        html = _LOCAL_LINK.sub(lambda m: f'{m.group(1)}href="{DEST_SCHEME}{m.group(2)}" data-page="{pages[m.group(2)]}"'
                               if m.group(2) in pages else m.group(0), html)
    return f"{body.head}\n{html}\n</body>\n</html>\n" if body.head else html


def _overlay_html(body: Body, count: int) -> str:
    """`count` empty pages whose only content is the page-number margin boxes."""
    others = " ".join(f"@{box} {{ content: none; }}" for box in _MARGIN_BOXES if box not in body.numbered)
    style = (f"<style>@page {{ background: none; border: none; {others} }} "
             "html, body { background: none; } .mk-page { break-before: page; }</style>\n</head>")
    head = body.plain_head.replace("</head>", style, 1)
    return f"{head}\n" + '<div class="mk-page"></div>' * count + "\n</body>\n</html>\n"


class _KeptJoins:
    """How the joins of a build wrote each piece (`pdfjoin.join`'s `_kept`), in the cache, keyed
    also by the tools' versions and mentorkit's code."""

    def __init__(self, cache: Cache):
        self.cache = cache

    def get(self, key: str) -> bytes | None:
        return self.cache.get_bytes("joined", digest("joined", tool_versions(), key))

    def put(self, key: str, data: bytes) -> None:
        self.cache.put_bytes("joined", digest("joined", tool_versions(), key), data)


class Assembled(Mapping[str, bytes]):
    """Document name -> PDF bytes; each body is joined from its pieces once, and a workbook from
    its cover and body when asked for, so a roster of hundreds is never all in memory at once."""

    def __init__(self, pending: Pending):
        self.p = pending
        self._parsed: dict[bytes, Any] = pending.parsed
        self.entries: dict[str, str] = {}  # document name -> its cache entry ("document/KEY")
        self._bodies: dict[tuple[int, str | None], bytes] = {}
        self._kept = _KeptJoins(pending.cache) if pending.cache is not None else None

    def _body(self, plan: Plan) -> bytes:
        from .pdfjoin import JoinError, join

        key = (id(plan.body), plan.title if plan.cover is None else None)
        if key not in self._bodies:
            if len(self._bodies) > 4:
                self._bodies.clear()
            parts = [self.p.done[k] for k in self.p.body_keys[id(plan.body)]]
            overlay = self.p.done.get(self.p.overlay_keys.get(id(plan.body), ""))
            base = max(range(len(parts)), key=lambda i: (len(parts[i]), -i))
            try:
                self._bodies[key] = join(parts[base], parts[:base], parts[base + 1:], title=key[1], numbers=overlay,
                                         _parsed=self._parsed, _kept=self._kept)
            except JoinError:
                self._bodies[key] = b""
        return self._bodies[key]

    def __getitem__(self, name: str) -> bytes:
        """A build's documents are few and kept in the cache whole, keyed by their parts' keys, so a
        document none of whose parts changed is not joined again (nor is pypdf imported when
        none changed at all); a roster's personalised workbooks are many and joined each time."""
        plan = self.p.plans[name]
        cache = self.p.cache if plan.cover is None or plan.together else None
        if cache is None:
            return self._assemble(name, plan)
        key = digest("document", plan.title or "", str(plan.together), self.p.cover_keys.get(name, ""),
                     *self.p.body_keys[id(plan.body)], self.p.overlay_keys.get(id(plan.body), ""))
        data = cache.get_bytes("document", key)
        if data is None:
            data = self._assemble(name, plan)
            cache.put_bytes("document", key, data)
        self.entries[name] = f"document/{key}"
        return data

    def _assemble(self, name: str, plan: Plan) -> bytes:
        from .pdfjoin import JoinError, join

        if plan.cover is not None and plan.together:
            parts = [self.p.done[k] for k in self.p.body_keys[id(plan.body)]]
            overlay = self.p.done.get(self.p.overlay_keys.get(id(plan.body), ""))
            base = max(range(len(parts)), key=lambda i: (len(parts[i]), -i))
            cover = self.p.done[self.p.cover_keys[name]]
            try:
                return join(parts[base], [cover, *parts[:base]], parts[base + 1:], info_from=0, numbers=overlay,
                            unnumbered=self.p.layouts[self.p.cover_keys[name]][0], _parsed=self._parsed,
                            _kept=self._kept)
            except JoinError:
                return _render_laid_out_together([plan.cover, plan.body.whole])
        body = self._body(plan)
        if body and plan.cover is None:
            return body
        if body and plan.cover is not None:
            try:
                return join(body, [self.p.done[self.p.cover_keys[name]]], info_from=0, _parsed=self._parsed)
            except JoinError:
                pass
        return _render_laid_out_together([u for u in (plan.cover, plan.body.whole) if u is not None])

    def __iter__(self) -> Iterator[str]:
        return iter(self.p.plans)

    def __len__(self) -> int:
        return len(self.p.plans)


class Pending:
    """PDFs being rendered in worker processes while the caller does other work (the site build).

    A document is an optional cover and a body cut into pieces (`split`); each distinct piece is
    rendered once, however many documents hold it (the survey in its own PDF and in both
    workbooks). Pieces that link to others (the contents) wait until the rest are laid out, so
    their page numbers are known; so does the page-number overlay. Unchanged units come from the
    cache at once; the rest go, longest first, to process pools (a one-worker pool started as the
    build began, then one more with the other workers when there is enough to do) or, with one
    worker, are rendered in-process when `result()` is called. Use as a context manager so
    workers always stop.
    """

    def __init__(self, plans: dict[str, Plan], workers: int | None,
                 progress: Callable[[int, int], None] | None = None, cache: Cache | None = None,
                 project: Project | None = None, warm: ProcessPoolExecutor | None = None):
        self.logo = _logo_bytes(project) if project is not None else b""
        self.plans = plans
        self.units: dict[str, Unit] = {}
        self.cover_keys: dict[str, str] = {}
        self.bodies: dict[int, Body] = {}
        self.body_keys: dict[int, list[str]] = {}
        self.overlay_keys: dict[int, str] = {}
        self.done: dict[str, bytes] = {}
        self.layouts: dict[str, Layout] = {}
        self.cache, self.progress = cache, progress
        self.fresh: dict[str, tuple[bytes, Layout]] = {}
        first: list[str] = []
        self.parsed: dict[bytes, Any] = {}  # parsed PDFs, shared by the joins
        self.early: list[str] = []  # the pieces and covers (a few: not a roster's) known before any render
        for name, plan in plans.items():
            if plan.cover is not None:
                self.cover_keys[name] = self._add(plan.cover)
                first.append(self.cover_keys[name])
                if plan.together:
                    self.early.append(self.cover_keys[name])
            if id(plan.body) not in self.bodies:
                self.bodies[id(plan.body)] = plan.body
                pieces = [self._add(self._unit(plan.body, p)) for p in plan.body.pieces if not p.links]
                first += pieces
                self.early += pieces
        self.workers = workers or os.cpu_count() or 1
        # pools with their number of workers and the work given to them (a one-worker pool started
        # early, `workers.start_warm`, comes first); Pending stops them all
        self.pools: list[tuple[ProcessPoolExecutor, int]] = [(warm, 1)] if warm is not None and self.workers > 1 else []
        self.load: list[int] = [0] * len(self.pools)
        self.futures: dict[str, Any] = {}
        self.sent = 0  # units sent to the workers so far
        self._start(first)

    def _unit(self, body: Body, piece: Piece, pages: dict[str, int] | None = None) -> Unit:
        _, _, base, roots, forms = body.whole
        return (piece.label, _piece_html(body, piece, pages), base, roots, forms)

    def _add(self, unit: Unit) -> str:
        key = _unit_key(unit, self.logo)
        self.units.setdefault(key, unit)
        return key

    def _start(self, keys: list[str]) -> None:
        """Take what the cache has; send the rest to the pool, longest first."""
        todo = []
        for key in dict.fromkeys(keys):
            if key in self.done or key in self.futures:
                continue
            hit = self.cache.get_bytes("pdf", key) if self.cache is not None else None
            shape = self.cache.get_bytes("layout", key) if self.cache is not None and hit is not None else None
            if hit is not None and shape is not None:
                count, anchors = json.loads(shape)
                self.done[key], self.layouts[key] = hit, (count, anchors)
            else:
                todo.append(key)
        todo.sort(key=lambda key: -len(self.units[key][1]))
        have, want = sum(n for _, n in self.pools), min(self.workers, len(todo) + len(self.futures))
        if todo and self.workers > 1 and want > have:
            self.pools.append((ProcessPoolExecutor(max_workers=want - have, mp_context=multiprocessing.get_context("fork")),
                               want - have))
            self.load.append(0)
        for key in todo:
            if not self.pools:
                self.futures[key] = None  # rendered in this process by _wait
                continue
            i = min(range(len(self.pools)), key=lambda i: (self.load[i] / self.pools[i][1], i))
            self.load[i] += len(self.units[key][1])
            self.futures[key] = self.pools[i][0].submit(render, self.units[key])
            self.sent += 1

    def _wait(self) -> None:
        for key, future in list(self.futures.items()):
            _, data, shape = future.result() if future is not None else _render(self.units[key])
            self.done[key], self.layouts[key] = data, shape
            self.fresh[key] = (data, shape)
            del self.futures[key]
            if self.progress:
                self.progress(len(self.done), len(self.units))

    def __enter__(self) -> Pending:
        return self

    def __exit__(self, *exc: object) -> None:
        from .workers import stop

        for pool, _ in self.pools:
            stop(pool)
        self.pools, self.load = [], []

    def _second_round(self) -> None:
        """Lay out the pieces that show page numbers of other pieces, and the page-number overlays:
        guess the linking pieces' length, render, and again while a guess was wrong."""
        def laid_out(key: str) -> Layout:
            return self.layouts[key]

        guesses: dict[int, list[tuple[int, dict[str, int]]]] = {
            i: [(1, {a: 0 for a in p.anchors}) if p.links else (0, {}) for p in b.pieces] for i, b in self.bodies.items()}
        for _ in range(4):
            wanted: dict[int, list[str]] = {}
            for i, body in self.bodies.items():
                shapes = [guesses[i][n] if p.links else laid_out(self._add(self._unit(body, p)))
                          for n, p in enumerate(body.pieces)]
                pages, start = {}, 1
                for count, anchors in shapes:
                    pages.update({a: start + at for a, at in anchors.items()})
                    start += count
                keys = [self._add(self._unit(body, p, pages if p.links else None)) for p in body.pieces]
                self.body_keys[i] = keys
                if body.numbered:
                    self.overlay_keys[i] = self._add((f"{body.whole[0]} page numbers", _overlay_html(body, start - 1),
                                                      *body.whole[2:]))
                wanted[i] = keys
            self._start([k for i, keys in wanted.items() for k in [*keys, self.overlay_keys.get(i, "")] if k])
            self._wait()
            wrong = False
            for i, body in self.bodies.items():
                for n, p in enumerate(body.pieces):
                    if p.links and laid_out(self.body_keys[i][n]) != guesses[i][n]:
                        guesses[i][n], wrong = laid_out(self.body_keys[i][n]), True
            if not wrong:
                return

    def result(self) -> Assembled:
        """Every document's PDF, in the order the documents were given."""
        with imports():
            from . import pdfjoin  # imported while the workers render (pypdf takes 0.08 s)

        if any(future is not None for future in self.futures.values()):
            # while the workers render what changed, parse for the joins what came from the cache
            for key in self.early:
                if key in self.done:
                    pdfjoin.prepare(self.done[key], self.parsed)
        self._wait()
        self._second_round()
        self.__exit__()
        if self.cache is not None:
            for key, (data, shape) in self.fresh.items():
                self.cache.put_bytes("pdf", key, data)
                self.cache.put_bytes("layout", key, json.dumps(shape, sort_keys=True).encode())
        return Assembled(self)


def _plans(project: Project, documents: list[Document]) -> dict[str, Plan]:
    context = _context(project)
    base, roots, forms = project.root.as_uri() + "/", _roots(project), project.program.print.fillable
    plans: dict[str, Plan] = {}
    shared: dict[str, Body] = {}
    runs = standalone_sections(project, context)
    for d in documents:
        html = document_html(project, d, context)
        if isinstance(html, str):
            plans[d.name] = Plan(f"{d.title} - {project.program.program.title}", None,
                                 split((d.name, html, base, roots, forms)))
        else:
            if html[1] not in shared:
                shared[html[1]] = split((BODY_LABEL, html[1], base, roots, forms), runs)
            plans[d.name] = Plan(None, (f"{d.name} (cover)", html[0], base, roots, forms), shared[html[1]])
    return plans


def start_documents(project: Project, documents: list[Document], *, jobs: int | None = None,
                    cache: Cache | None = None, warm: ProcessPoolExecutor | None = None) -> Pending:
    """Start rendering every document (first in `warm`, a pool started early); collect the PDFs
    with `.result()`."""
    return Pending(_plans(project, documents), jobs, cache=cache, project=project, warm=warm)


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
    body = split((BODY_LABEL, workbook_body_html(project, context), base, roots, forms),
                 standalone_sections(project, context))
    work = {name: Plan(None, (name, workbook_cover_html(project, person, everyone, context), base, roots, forms), body,
                       together=False)
            for name, person in zip(names, participants, strict=True)}
    with Pending(work, jobs, progress, cache, project) as pending:
        return pending.result()


def html_to_pdf(html: str, *, base_url: str, roots: Sequence[Path], forms: bool = False) -> bytes:
    """One print HTML document -> tagged PDF bytes (for documents made outside the handbook, such
    as the impact report); files are read only below `roots` and the package."""
    _, data, _ = render(("document", html, base_url, [str(r) for r in roots] + [str(p) for p in package_dirs()],
                         forms))
    return data
