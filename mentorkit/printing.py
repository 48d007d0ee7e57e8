"""Print HTML -> PDF bytes through WeasyPrint (the only module that lays out print).

Every PDF is made from a Jinja HTML template in templates/print/, rendered in a sandbox with
autoescaping, and laid out by WeasyPrint (`workers.render`) with a fetcher that reads nothing
outside the program's folder and the package. `render(...)` is the whole story for a caller:
documents in, PDF bytes out. Inside, each document is cut into pieces (`split`): a workbook's
body holds the checklist, the agreement, the goal worksheets and the feedback form, which are also
printables of their own, so each such piece is laid out once, kept in the cache, and joined
(`pdfjoin`) into every PDF that holds it; page numbers are drawn on the joined pages from an
overlay, and the contents, which shows other pieces' page numbers, is laid out last. Pieces render
in parallel in worker processes: one document does not get faster with more cores, many do.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import subprocess
import threading
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .cache import Cache, digest
from .context import Context
from .errors import FetchError
from .exports import OTHER_GOAL, OTHER_GOAL_LABEL, answer_options, qr_svg
from .i18n import Language
from .model import ProgramType
from .paths import resolve_inside
from .plan import DEST_SCHEME, Document
from .project import Project
from .resources import package_dirs
from .templating import content, environment
from .workers import PDF_OPTIONS, Pool, Rendered, Unit, join_cover, join_pieces, retitled
from .workers import render as render_unit

log = logging.getLogger("mentorkit")
BLANK_GOAL_PAGES = 2
BODY_LABEL = "workbook (shared pages)"


def print_values(project: Project, context: Context, bytecode: Path | None = None, *, cache: Cache | None = None,
                 site_pages: dict[str, str] | None = None) -> dict[str, Any]:
    """The shared context, and what only the printables use (`site_pages`: the handbook's pages
    when the site was just made from the same context; `cache`: where the book keeps each page's
    print HTML)."""
    program, pf = project.program.program, project.program
    logo = None
    if program.branding.logo:
        path, why = resolve_inside(project.root, program.branding.logo)
        if path is None:
            raise FetchError([project.located.problem(("program", "branding", "logo"), why or "not found")])
        logo = path.as_uri()
    return {
        **context.values(), "language": program.language, "stamp": context.stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "colour": program.branding.colour, "paper": "A4" if pf.print.paper == "A4" else "letter",
        "fillable": pf.print.fillable, "blank_goals": BLANK_GOAL_PAGES, "logo": logo, "person": None, "partners": [],
        "partner_label": _partner_label(program.type, "mentee", context.lang), "role_label": context.roles.mentee,
        "env": environment(project.root, bytecode), "qr_svg": qr_svg, "role": "mentee",
        "answer_options": lambda q: answer_options(q, pf.goals), "other_goal": OTHER_GOAL,
        "other_goal_label": context.lang.gettext(OTHER_GOAL_LABEL),
        "content_html": lambda name: Markup(markdown_html(context.lang.text(content(name, project.root, context.lang)))),
        "page_of": page_of_css(context.lang.gettext("Page %(page)s of %(pages)s")),
        # the handbook's pages, made only when the book is printed, and each page's print HTML
        "site_pages": (lambda: site_pages) if site_pages is not None else lambda: _site_pages(project, context, bytecode),
        "book_html": _book_html(cache),
    }


def _book_html(cache: Cache | None) -> Callable[[str], str]:
    """A page's Markdown -> the book's HTML of it, kept in the cache per page: an edit to one
    page converts that page again, not the whole book."""
    from .handbook import markdown_html as convert

    if cache is None:
        return convert

    def kept(text: str) -> str:
        key = cache.key("book-page", text)
        found = cache.get("book-page", key)
        if found is not None:
            return found.decode("utf-8")
        html = convert(text)
        cache.put("book-page", key, html.encode("utf-8"))
        return html

    return kept


def _site_pages(project: Project, context: Context, bytecode: Path | None) -> dict[str, str]:
    from .plan import CALENDAR, documents
    from .site import render_pages

    # the pages as the site shows them, whichever documents this run prints
    return render_pages(project, replace(context, documents=tuple(documents(project.program))), CALENDAR, None,
                        bytecode)


_INLINE = ((re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"), (re.compile(r"\*(.+?)\*"), r"<em>\1</em>"))
_ITEM = re.compile(r"^([-*]|\d+\.)\s+")


def _inline(line: str) -> str:
    line = escape(line, quote=False)
    for pattern, html in _INLINE:
        line = pattern.sub(html, line)
    return line


def markdown_html(text: str) -> str:
    """The plain Markdown of a content file as print HTML: headings (`#` becomes `h2`: a section
    has one `h1`), paragraphs, `-` and `1.` lists, bold and italics; anything else, HTML included,
    shows as text."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.strip().splitlines()]
        heading = re.match(r"^(#{1,4})\s+(.*)$", lines[0])
        if heading and len(lines) == 1:
            level = max(2, len(heading.group(1)))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif all(_ITEM.match(line) for line in lines):
            tag = "ol" if lines[0][0].isdigit() else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(_ITEM.sub('', line))}</li>" for line in lines) + f"</{tag}>")
        else:
            out.append(f"<p>{_inline(' '.join(lines))}</p>")
    return "\n".join(out)


def _partner_label(kind: ProgramType, role: str, lang: Language) -> str:
    if kind == ProgramType.group:
        return lang.gettext("Circle members")
    if kind == ProgramType.peer:
        return lang.gettext("Your peer")
    return lang.gettext("Your mentor") if role == "mentee" else lang.gettext("Your mentee")


_COVERAGE: dict[str, tuple[list[int], list[int]] | None] = {}  # this process's, once asked


def _covered(cache: Cache | None = None) -> tuple[list[int], list[int]] | None:
    """Every character some installed font has, as sorted (start, end) ranges (fontconfig's own
    list); None where fontconfig's tools are missing (then nothing is checked). Asking fontconfig
    takes a noticeable part of a second, so the answer is kept in the cache, whose keys name the
    installed fonts."""
    if "ranges" not in _COVERAGE:
        key = cache.key("charset") if cache is not None else None
        kept = cache.get("charset", key) if cache is not None and key is not None else None
        if kept is not None:
            starts, ends = json.loads(kept)
            _COVERAGE["ranges"] = (starts, ends)
        else:
            _COVERAGE["ranges"] = _fontconfig_coverage()
            if cache is not None and key is not None and _COVERAGE["ranges"] is not None:
                cache.put("charset", key, json.dumps(_COVERAGE["ranges"]).encode())
    return _COVERAGE["ranges"]


def _fontconfig_coverage() -> tuple[list[int], list[int]] | None:
    try:
        listing = subprocess.run(["fc-list", "--format", "%{charset}\\n"], capture_output=True, text=True,
                                 check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges = sorted((int(a, 16), int(b or a, 16)) for part in listing.split()
                    for a, _, b in [part.partition("-")])
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [r[0] for r in merged], [r[1] for r in merged]


_WARNED: set[str] = set()


def warn_uncovered(html: str, where: str, cache: Cache | None = None) -> None:
    """Warn (once a character) when no installed font can print a character of `html`: it would
    come out as an empty box."""
    covered = _covered(cache)
    if covered is None:
        return
    starts, ends = covered
    text = re.sub(r"<[^>]*>", " ", html)
    for char in sorted({c for c in text if ord(c) > 0x7F and c not in _WARNED}):
        i = bisect.bisect_right(starts, ord(char)) - 1
        if char.isprintable() and not (i >= 0 and ends[i] >= ord(char)):
            _WARNED.add(char)
            log.warning("no installed font has %r (U+%04X), used in %s: it prints as an empty box; install a font "
                        "that covers it (for Chinese, Japanese and Korean: fonts-noto-cjk)", char, ord(char), where)


def page_of_css(text: str) -> Markup:
    """A CSS `content` value from a translated 'Page %(page)s of %(pages)s' (word order is the language's)."""
    counters = {"page": "counter(page)", "pages": "counter(pages)"}
    out = []
    for i, part in enumerate(re.split(r"%\((page|pages)\)s", text)):
        if i % 2:
            out.append(counters[part])
        elif part:
            out.append('"' + part.replace("%%", "%").replace("\\", "\\\\").replace('"', '\\"') + '"')
    return Markup(" ".join(out))


def document_title(project: Project, doc: Document, lang: Language) -> str:
    """A printable's title, as its HTML and its PDF give it: the document's, then the programme's."""
    return lang.gettext("%(document)s - %(programme)s") % {"document": doc.title,
                                                            "programme": project.program.program.title}


def document_html(project: Project, doc: Document, values: dict[str, Any]) -> str | tuple[str, str]:
    """The print HTML of one document; a workbook is a cover and a body, rendered apart and joined."""
    ctx = dict(values)
    _ = values["lang"].gettext
    ctx["title"] = document_title(project, doc, values["lang"])
    env = values["env"]
    if doc.survey:
        ctx["survey_moment"] = next(m for m in project.plan.surveys if m.survey.id == doc.survey)
    if doc.kind == "handbook":  # the site's pages as one book: a cover and a body, like a workbook
        from .handbook import chapters

        ctx["title"] = _("Handbook - %(programme)s") % {"programme": project.program.program.title}
        ctx["chapters"] = chapters(project, values["site_pages"](), values["book_html"])
        return (env.get_template("print/handbook.html.j2").render(ctx, part="cover"),
                env.get_template("print/handbook.html.j2").render(ctx, part="body"))
    if doc.kind == "workbook":
        if doc.role:
            ctx["role_label"] = getattr(values["roles"], doc.role)
            ctx["partner_label"] = _partner_label(project.program.program.type, doc.role, values["lang"])
        return (env.get_template("print/workbook-cover.html.j2").render(ctx),
                workbook_body_html(project, ctx, doc.role or "mentee"))
    return env.get_template(f"print/{doc.kind}.html.j2").render(ctx)


def workbook_body_html(project: Project, values: dict[str, Any], role: str = "mentee") -> str:
    """The part of a workbook that is the same for everyone of a role: contents, journey, the
    role's guidance, agreement, log and forms."""
    ctx = dict(values)
    ctx["role"] = role
    ctx["role_label"] = getattr(values["roles"], role)
    ctx["partner_label"] = _partner_label(project.program.program.type, role, values["lang"])
    ctx["title"] = values["lang"].gettext("Workbook - %(programme)s") % {"programme": project.program.program.title}
    return values["env"].get_template("print/workbook-body.html.j2").render(ctx)


def _roots(project: Project) -> tuple[str, ...]:
    return (str(project.root), *(str(p) for p in package_dirs()))


# --- pieces: a document's pages laid out apart, so that each is rendered (and cached) once ---

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
    alone: bool = False  # laid out whole, as `body.whole` (a survey: no other PDF holds it)


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
    label = unit.label
    head, sections = _sections(unit.html)
    if not head:  # not an HTML document mentorkit can cut: one piece, laid out as it is
        return Body("", (Piece(label, unit.html, frozenset(), False),), (), unit)
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
    head = plain = undated(retitled(head, "mentorkit"))  # the title and the date are set by the join
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


_DATES = re.compile(r'<meta name="dcterms\.(?:created|modified)" content="[^"]*">\n?')


def undated(html: str) -> str:
    """The HTML without the document's dates (`print/base.html.j2`'s `dcterms` metadata): a part
    to be joined is laid out without them, and the join dates the document, so that a new build
    date (each commit of program.yml) joins the documents again instead of laying out every part."""
    return _DATES.sub("", html)


def standalone_sections(project: Project, values: dict[str, Any]) -> list[tuple[str, ...]]:
    """The sections of every standalone printable, which a workbook body holds too."""
    out = []
    for d in values["documents"]:
        if d.kind not in ("workbook", "handbook"):
            html = document_html(project, d, values)
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




def _encode(rendered: Rendered) -> bytes:
    layout = json.dumps([rendered.pages, rendered.anchors], sort_keys=True).encode()
    return len(layout).to_bytes(4, "big") + layout + rendered.pdf


def _decode(data: bytes) -> Rendered | None:
    try:
        size = int.from_bytes(data[:4], "big")
        pages, anchors = json.loads(data[4:4 + size])
        return Rendered(data[4 + size:], int(pages), {str(k): int(v) for k, v in anchors.items()})
    except (ValueError, TypeError, AttributeError):
        return None


class Renderer:
    """Each distinct unit rendered once: from the cache, else in the pool (longest first)."""

    def __init__(self, pool: Pool, cache: Cache | None, logo: tuple[str, bytes] | None):
        self.pool, self.cache, self.logo = pool, cache, logo
        self.units: dict[str, Unit] = {}
        self.done: dict[str, Rendered] = {}
        self.futures: dict[str, Future[Rendered]] = {}
        self.lock = threading.Lock()  # documents are assembled side by side (`_assemble`)

    def key(self, unit: Unit) -> str:
        """What decides a unit's PDF: its HTML and options, and the logo's bytes where the HTML
        shows the logo (names its file): a new logo lays out the covers again, not every piece."""
        logo = b""
        if self.logo is not None and any(name in unit.html for name in (self.logo[0], Markup.escape(self.logo[0]))):
            logo = self.logo[1]
        parts = (unit.html, unit.base_url, str(unit.forms), repr(sorted(PDF_OPTIONS.items())), logo)
        return self.cache.key("pdf", *parts) if self.cache is not None else digest("pdf", *parts)

    def want(self, units: Iterable[Unit], urgent: bool = False, last: bool = False) -> list[str]:
        """Start what is not known yet; the keys of `units`, in order (`urgent`: what others wait
        for, laid out before any other piece; `last`: documents laid out whole, which nothing
        waits for, after every piece: `Pool.submit`)."""
        keys, todo = [], []
        with self.lock:
            for unit in units:
                key = self.key(unit)
                keys.append(key)
                if key in self.units:
                    continue
                self.units[key] = unit
                kept = self.cache.get("pdf", key) if self.cache is not None else None
                rendered = _decode(kept) if kept is not None else None
                if rendered is not None:
                    self.done[key] = rendered
                else:
                    todo.append(key)
            # the longest first here too: a worker free now takes the first handed over
            for key in sorted(todo, key=lambda k: -len(self.units[k].html)):
                self.futures[key] = self.pool.submit(render_unit, self.units[key], urgent=urgent,
                                                     last=last, weight=len(self.units[key].html))
        for key in todo:  # once, as it is laid out (not again from the cache), while the workers lay out
            warn_uncovered(self.units[key].html, self.units[key].label, self.cache)
        return keys

    def get(self, key: str) -> Rendered:
        """The rendered unit, waiting for it if needed (and keeping it in the cache, once)."""
        with self.lock:
            if key in self.done:
                return self.done[key]
            future = self.futures[key]
        rendered = future.result()
        with self.lock:
            first = key not in self.done
            self.done.setdefault(key, rendered)
        if first and self.cache is not None:
            self.cache.put("pdf", key, _encode(rendered))
        return rendered


def _piece_unit(body: Body, piece: Piece, pages: dict[str, int] | None = None) -> Unit:
    return replace(body.whole, label=piece.label, html=_piece_html(body, piece, pages))


def _laid_out(renderer: Renderer, body: Body) -> tuple[list[str], str | None]:
    """The keys of a body's pieces, laid out with the page numbers of the others where a piece
    shows them (the contents), and of its page-number overlay: the pieces that show others'
    page numbers are laid out with a guess of their length, and again while a guess was wrong."""
    plain = iter(renderer.want(_piece_unit(body, p) for p in body.pieces if not p.links))
    keys = {n: next(plain) for n, p in enumerate(body.pieces) if not p.links}
    guesses = {n: (1, {a: 0 for a in p.anchors}) for n, p in enumerate(body.pieces) if p.links}
    for _ in range(4):
        pages, start = {}, 1
        for n in range(len(body.pieces)):
            count, anchors = guesses[n] if n in guesses else (renderer.get(keys[n]).pages, renderer.get(keys[n]).anchors)
            pages.update({a: start + at for a, at in anchors.items()})
            start += count
        for n in guesses:
            keys[n] = renderer.want([_piece_unit(body, body.pieces[n], pages)], urgent=True)[0]
        wrong = False
        for n in guesses:
            done = renderer.get(keys[n])
            if (done.pages, done.anchors) != guesses[n]:
                guesses[n], wrong = (done.pages, done.anchors), True
        if not wrong:
            break
    ordered = [keys[n] for n in range(len(body.pieces))]
    overlay = None
    if body.numbered:
        total = sum(renderer.get(k).pages for k in ordered)
        overlay = renderer.want([replace(body.whole, label=f"{body.whole.label} page numbers",
                                         html=_overlay_html(body, total))], urgent=True)[0]
    return ordered, overlay


def _logo(project: Project) -> tuple[str, bytes] | None:
    """The logo's file, as the print HTML names it (`print_values`; escaped there, where its path
    has an & or a quote), and its bytes."""
    logo = project.program.program.branding.logo
    if logo:
        path, _ = resolve_inside(project.root, logo)
        if path is not None:
            return path.as_uri(), path.read_bytes()
    return None


def _plans(project: Project, values: dict[str, Any], renderer: Renderer) -> dict[str, Plan]:
    """Each document's plan, its pieces handed to the workers as soon as it is known: the
    standalone printables first (their sections are what the workbook bodies share), the
    handbook last (its pages take the longest to turn into HTML).

    A survey is laid out whole, numbered by WeasyPrint itself, with no page-number overlay and
    no join: no other PDF holds it (the workbooks hold all the surveys as one piece of their
    own). Decided by the kind of document, not by what else a run prints, so that a PDF is the
    same bytes whichever documents are made with it."""
    base, roots, forms = project.root.as_uri() + "/", _roots(project), project.program.print.fillable
    documents = values["documents"]
    plans: dict[str, Plan] = {}
    runs: list[tuple[str, ...]] = []
    for d in documents:
        if d.kind not in ("workbook", "handbook"):
            html = document_html(project, d, values)
            assert isinstance(html, str)
            runs.append(tuple(_sections(html)[1]))
            printable = split(Unit(d.name, html, base, roots, forms))
            alone = d.kind == "survey" and len(printable.pieces) == 1 and not printable.pieces[0].links
            plans[d.name] = Plan(document_title(project, d, values["lang"]), None, printable, alone)
            _start(renderer, plans[d.name])
    shared: dict[str, Body] = {}
    for d in sorted((d for d in documents if d.name not in plans), key=lambda d: d.kind == "handbook"):
        parts = document_html(project, d, values)
        assert not isinstance(parts, str)  # a workbook or the book: a cover and a body
        cover, body = parts
        own = forms and d.kind != "handbook"  # the book has boxes to tick on paper, no fields
        if body not in shared:
            shared[body] = split(Unit(BODY_LABEL if d.kind == "workbook" else d.name, body, base, roots, own), runs)
        plans[d.name] = Plan(None, Unit(f"{d.name} (cover)", undated(cover), base, roots, own),
                             shared[body])
        _start(renderer, plans[d.name])
    return {d.name: plans[d.name] for d in documents}


def _start(renderer: Renderer, plan: Plan) -> None:
    """Hand to the workers what of a plan can be laid out now: its cover (small, and what the join
    waits for: ahead of the pieces), and the pieces that show no other piece's page numbers (or the
    whole document, when it is laid out alone)."""
    if plan.alone:
        renderer.want([plan.body.whole], last=True)
        return
    if plan.cover is not None:
        renderer.want([plan.cover], urgent=True)
    renderer.want(_piece_unit(plan.body, p) for p in plan.body.pieces if not p.links)


def _assemble(renderer: Renderer, plans: dict[str, Plan], cache: Cache | None, dated: str) -> dict[str, bytes]:
    """Each plan's PDF: its pieces laid out, then joined behind its cover in one join (in a worker,
    or in this process beside a single one: `Pool.beside`), and dated. With workers, the documents
    advance side by side, each in a thread of this process that waits for its own pieces: as soon
    as a body's pieces are laid out, the pieces that show their page numbers (the contents) and the
    page-number overlay go to the workers ahead of any other piece, and then its join, so that no
    document waits for another's. With none (jobs=0), this process lays everything out itself, one
    document after another."""
    # every cover and every piece that shows no other piece's page numbers went to the workers as its
    # plan was made (`_start`): here only the covers' keys are looked up
    bodies = {id(plan.body): plan.body for plan in plans.values() if not plan.alone}
    covers = {name: renderer.key(plan.cover) for name, plan in plans.items() if plan.cover is not None}
    joined = [name for name, plan in plans.items() if not plan.alone]

    def document(name: str, laid: tuple[list[str], str | None]) -> bytes:
        return _joined(renderer, plans[name], laid, covers.get(name), cache, dated)

    done: dict[str, bytes] = {}
    if renderer.pool.workers == 0:  # one WeasyPrint at a time in this process: no threads
        laid = {key: _laid_out(renderer, body) for key, body in bodies.items()}
        done.update({name: document(name, laid[id(plans[name].body)]) for name in joined})
    else:
        threads = ThreadPoolExecutor(max_workers=len(bodies) + len(joined) or 1, thread_name_prefix="mentorkit")
        try:
            # the bodies first: a document's thread waits only for a body whose thread has started
            started = {key: threads.submit(_laid_out, renderer, body) for key, body in bodies.items()}
            made = {name: threads.submit(lambda n: document(n, started[id(plans[n].body)].result()), name)
                    for name in joined}
            for future in as_completed(made.values()):  # the first that fails stops the build at once
                future.result()
            done.update({name: future.result() for name, future in made.items()})
        except BaseException:
            # the build stops: its threads end as the pool, closed, cancels or refuses what they wait for
            threads.shutdown(wait=False, cancel_futures=True)
            raise
        threads.shutdown()
    done.update({name: renderer.get(renderer.key(plan.body.whole)).pdf
                 for name, plan in plans.items() if plan.alone})
    return {name: done[name] for name in plans}


def _joined(renderer: Renderer, plan: Plan, laid: tuple[list[str], str | None], cover: str | None,
            cache: Cache | None, dated: str) -> bytes:
    """One document joined from its laid-out body (and cover), or as the cache kept it: a document
    none of whose parts changed is not joined again."""
    keys, overlay = laid
    document = None
    if cache is not None:
        document = cache.key("document", dated, plan.title or "", cover or "", *keys, overlay or "")
        kept = cache.get("document", document)
        if kept is not None:
            return kept
    numbers = renderer.get(overlay).pdf if overlay is not None else None
    parts = [renderer.get(k).pdf for k in keys]
    if plan.cover is None or cover is None:
        data = renderer.pool.beside(join_pieces, parts, numbers, plan.title, [plan.body.whole], dated=dated)
    else:
        front = renderer.get(cover)
        data = renderer.pool.beside(join_pieces, parts, numbers, None, [plan.cover, plan.body.whole],
                                    front.pdf, front.pages, dated)
    if cache is not None and document is not None:
        cache.put("document", document, data)
    return data


def render_one(project: Project, unit: Unit, *, pool: Pool, cache: Cache | None = None) -> Callable[[], bytes]:
    """Start laying out one document of its own (the runbook checklist), from the cache when it did
    not change; call the result for its PDF."""
    renderer = Renderer(pool, cache, _logo(project))
    key = renderer.want([unit], last=True)[0]
    return lambda: renderer.get(key).pdf


def render(project: Project, context: Context, *, pool: Pool, cache: Cache | None = None,
           bytecode: Path | None = None, site_pages: dict[str, str] | None = None) -> dict[str, bytes]:
    """Document name -> PDF bytes, for every document of `context`; the same for any pool size.
    `site_pages`: the handbook's pages, when the site was made from the same context."""
    values = print_values(project, context, bytecode, cache=cache, site_pages=site_pages)
    renderer = Renderer(pool, cache, _logo(project))
    return _assemble(renderer, _plans(project, values, renderer), cache, values["stamp"])


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


def workbook_cover_html(project: Project, person: Any, everyone: list[Any], values: dict[str, Any]) -> str:
    """The personal cover of one participant's workbook."""
    program = project.program.program
    ctx = dict(values)
    ctx["person"] = person
    ctx["role_label"] = getattr(values["roles"], person.role)
    ctx["partner_label"] = _partner_label(program.type, person.role, values["lang"])
    ctx["partners"] = [p.name for p in everyone if p.group == person.group and p is not person]
    ctx["title"] = values["lang"].gettext("%(programme)s: workbook for %(name)s") % {"programme": program.title,
                                                                                       "name": person.name}
    return values["env"].get_template("print/workbook-cover.html.j2").render(ctx)


def render_workbooks(project: Project, context: Context, participants: list[Any], *, pool: Pool,
                     everyone: list[Any] | None = None, names: list[str] | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     cache: Cache | None = None) -> Iterator[tuple[str, bytes]]:
    """File name and personalised workbook PDF for each participant, one at a time (a roster of
    hundreds is never all in memory): the body of each role is laid out and joined once, and
    each person's cover is joined onto the body of their role.

    `everyone` (the whole roster) and `names` let a shard of the roster be rendered with the
    partners and file names it would have in a full run.
    """
    everyone = everyone if everyone is not None else participants
    names = names if names is not None else workbook_names(participants)
    values = print_values(project, context)
    base, roots, forms = project.root.as_uri() + "/", _roots(project), project.program.print.fillable
    runs = standalone_sections(project, values)
    # one body per role (its guidance differs), each laid out and joined once
    bodies = {role: split(Unit(f"{BODY_LABEL}, {role}", workbook_body_html(project, values, role), base, roots, forms),
                          runs) for role in sorted({person.role for person in participants})}
    renderer = Renderer(pool, cache, _logo(project))
    covers = [Unit(name, workbook_cover_html(project, person, everyone, values), base, roots, forms)
              for name, person in zip(names, participants, strict=True)]
    for cover in covers:
        warn_uncovered(cover.html, cover.label, cache)
    shared: dict[str, bytes] = {}
    for role, body in bodies.items():
        keys, overlay = _laid_out(renderer, body)
        shared[role] = join_pieces([renderer.get(k).pdf for k in keys], renderer.get(overlay).pdf if overlay else None,
                                   None, [body.whole])
    # each person's cover laid out and joined in a worker; a few at a time, so that a roster of
    # hundreds is never all in memory
    window: deque[tuple[str, Future[bytes]]] = deque()
    for count, (name, cover, person) in enumerate(zip(names, covers, participants, strict=True), start=1):
        window.append((name, renderer.pool.submit(join_cover, cover, shared[person.role],
                                                  [cover, bodies[person.role].whole])))
        if len(window) > 2 * renderer.pool.workers:
            yield _next(window, progress, count - len(window) + 1, len(covers))
    while window:
        yield _next(window, progress, len(covers) - len(window) + 1, len(covers))


def _next(window: deque[tuple[str, Future[bytes]]], progress: Callable[[int, int], None] | None, done: int,
          total: int) -> tuple[str, bytes]:
    name, future = window.popleft()
    data = future.result()
    if progress is not None:
        progress(done, total)
    return name, data


def html_to_pdf(html: str, *, base_url: str, roots: Sequence[Path], forms: bool = False) -> bytes:
    """One print HTML document -> tagged PDF bytes (for documents made outside the handbook, such
    as the impact report); files are read only below `roots` and the package."""
    return render_unit(Unit("document", html, base_url, (*(str(r) for r in roots), *(str(p) for p in package_dirs())),
                            forms)).pdf
