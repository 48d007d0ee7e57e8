"""The handbook website: Markdown pages and mkdocs.yml from Jinja templates, built with MkDocs Material.

This is the only module that knows MkDocs. Everything user-supplied is escaped by the templates'
`md` filter. The program team's own Markdown (extra `pages:` and `content/` overrides) is included
as Markdown, but raw HTML in it is neutralised: `<script>`, `<iframe>`, `<object>`, `<embed>`,
`<style>` and `on...=` attributes are escaped so they show as text. Links to the PDFs and the
calendar (written into the site after MkDocs runs) are raw HTML anchors, which MkDocs does not
validate; every other link is validated in strict mode, so a broken link fails the build.
The site fetches nothing from the network: no Google Fonts (`font: false`), no social plugin, no
offline plugin (it inserts a CDN script); Material's search runs from local assets.
"""

from __future__ import annotations

import functools
import html
import io
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from .cache import Cache, digest, tool_versions, tree_digest
from .defaults import FIRST_MEETING_TITLES, TYPES, first_meeting_checklist
from .errors import OutputError
from .model import Outcome, Question, QuestionType, StageName, SurveyMoment
from .paths import resolve_inside
from .plan import Document
from .project import Project
from .resources import builtin_dir
from .templating import content as read_content
from .templating import environment, md
from .timeline import HORIZON_TEXT
from .wording import MOMENT_TEXT, SESSIONS_TEXT, day, short

PAGES: list[tuple[str, str, str]] = [
    # (section, title, page) in navigation order; the page name is also the template name
    ("", "Home", "index.md"),
    ("About mentoring", "Mentoring and coaching", "mentoring.md"),
    ("About mentoring", "Our programme type", "program-type.md"),
    ("About mentoring", "Roles and expectations", "roles.md"),
    ("About mentoring", "Matching", "matching.md"),
    ("The journey", "The four stages", "journey.md"),
    ("The journey", "Meeting schedule", "schedule.md"),
    ("The journey", "First meeting", "first-meeting.md"),
    ("Growing together", "Goals", "goals.md"),
    ("Growing together", "Feedback", "feedback.md"),
    ("Growing together", "Common challenges", "challenges.md"),
    ("Measuring", "Surveys", "surveys.md"),
    ("Measuring", "Measuring impact", "impact.md"),
    ("Help", "FAQ", "faq.md"),
    ("Help", "Downloads", "downloads.md"),
]
CHANGELOG = "changelog.md"
_DANGEROUS_HTML = re.compile(r"<(/?\s*(?:script|iframe|object|embed|style|link|meta|base|form)\b)", re.IGNORECASE)
_EVENT_ATTR = re.compile(r"(<[^>]*?)\son\w+\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"\]\(\s*javascript:", re.IGNORECASE)


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def contrast_colours(brand: str) -> tuple[str, str]:
    """Text colour on the brand colour (white or near-black), and a link colour readable on white.

    Links also need 3:1 against body text (#212121); a brand colour that fails either test
    falls back to a dark blue that passes both.
    """
    lum = _luminance(brand)
    on_brand = "#ffffff" if _contrast(lum, 1.0) >= _contrast(lum, _luminance("#1a1a1a")) else "#1a1a1a"
    link = brand if _contrast(lum, 1.0) >= 4.5 else "#0b4f94"
    return on_brand, link


def sanitize_markdown(text: str) -> str:
    """The program team's Markdown with active HTML neutralised (it shows as text, it never runs)."""
    text = _DANGEROUS_HTML.sub(lambda m: "&lt;" + m.group(1), text)
    text = _EVENT_ATTR.sub(lambda m: m.group(1) + " data-removed=", text)
    return _JS_URL.sub("](#", text)


def _page_title(text: str, fallback: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else fallback


def extra_pages(project: Project) -> list[tuple[str, str, str]]:
    """(title, docs path, Markdown) for every page listed under `pages:`."""
    out = []
    for i, value in enumerate(project.program.pages):
        path, why = resolve_inside(project.root, value)
        if path is None:
            raise OutputError([project.located.problem(("pages", i), why or "not found")])
        text = sanitize_markdown(path.read_text(encoding="utf-8"))
        name = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or f"page-{i + 1}"
        out.append((_page_title(text, path.stem.replace("-", " ").title()), f"pages/{name}.md", text))
    return out


def _context(project: Project, documents: list[Document], calendar: str) -> dict[str, Any]:
    pf, plan = project.program, project.plan
    goal_titles = [g.title for g in pf.goals]
    measured_by = {o: [s for s in pf.surveys or [] if o in s.measures] for o in Outcome}
    return {
        "program": pf.program, "pf": pf, "plan": plan, "roles": pf.program.roles,
        "type": TYPES[pf.program.type], "checklist": first_meeting_checklist(pf),
        "checklist_titles": FIRST_MEETING_TITLES, "documents": documents, "calendar": calendar,
        "survey_docs": {d.survey: d for d in documents if d.survey},
        "goal_titles": goal_titles, "measured_by": measured_by, "Outcome": Outcome, "StageName": StageName,
        "QuestionType": QuestionType,
        "content": lambda name: sanitize_markdown(read_content(name, project.root)),
        "day": day, "short": short, "md": md,
        "key_dates": _key_dates(project), "horizon_text": HORIZON_TEXT,
        "smart": [("S", "specific", "Specific"), ("M", "measurable", "Measurable"), ("A", "achievable", "Achievable"),
                  ("R", "relevant", "Relevant")],
        "sessions_text": SESSIONS_TEXT[pf.feedback.sessions], "moment_text": MOMENT_TEXT,
        "describe_question": lambda q: describe_question(q, goal_titles),
        "outcome_names": {Outcome.attitudinal: "Attitudinal: how people feel",
                          Outcome.behavioral: "Behavioural: what people do",
                          Outcome.career: "Career: where careers go", Outcome.health: "Health: how people cope"},
    }


def describe_question(q: Question, goal_titles: list[str]) -> Markup:
    """How a question is answered, in words, escaped for Markdown."""
    if q.type == QuestionType.scale:
        low, high = q.scale
        ends = f" ({q.labels[0]} to {q.labels[-1]})" if q.labels else ""
        return md(f"Scale from {low} to {high}{ends}")
    if q.type == QuestionType.yes_no:
        return md("Yes or no")
    if q.type == QuestionType.text:
        return md("Written answer")
    options = goal_titles if q.options_from == "goals" else list(q.options or [])
    kind = "Choose one" if q.type == QuestionType.choice else "Choose any"
    return md(f"{kind}: {'; '.join(options) if options else 'one per programme goal'}")


def _key_dates(project: Project) -> list[tuple[str, Markup]]:
    plan = project.plan
    rows: list[tuple[date, int, Markup]] = [(plan.starts, 1, md("Programme starts")),
                                            (plan.ends, 9, md("Programme ends"))]
    for s in plan.stages[1:]:
        if s.starts != plan.starts:
            rows.append((s.starts, 2, md(f"{s.name.value.capitalize()} stage begins")))
    if plan.meetings:
        rows.append((plan.meetings[0].date, 1, md("First meeting")))
    for m in plan.surveys:
        if m.survey.when != SurveyMoment.after_session:
            rows.append((m.dates[0], 3, md(f"Survey: {m.survey.title}")))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(day(d), text) for d, _, text in rows]


def render_pages(project: Project, documents: list[Document], calendar: str = "calendar.ics",
                 changelog: list[Any] | None = None) -> dict[str, str]:
    """Pure: docs-relative path -> Markdown, for every page of the handbook.

    `changelog`, the program's versions from git (versions.history), adds a "What changed" page.
    """
    env = environment(project.root)
    context = _context(project, documents, calendar)
    pages = {page: env.get_template(f"site/{page}.j2").render(context) for _, _, page in PAGES}
    if changelog is not None:
        from .versions import format_markdown

        entries = [(md(v.label), v.date[:10], format_markdown(list(v.changes), heading_level=3))
                   for v in reversed(changelog)]
        pages[CHANGELOG] = env.get_template("site/changelog.md.j2").render(context, versions=entries)
    for _, path, text in extra_pages(project):
        pages[path] = text
    return pages


def _language(tag: str) -> str:
    primary = tag.split("-")[0].lower()
    available = builtin_material_languages()
    return primary if primary in available else "en"


def builtin_material_languages() -> set[str]:
    """Languages Material for MkDocs has translations for."""
    import material

    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    return {p.stem for p in folder.glob("*.html")}


def mkdocs_config(project: Project, pages: dict[str, str], logo: str | None) -> dict[str, Any]:
    """The generated mkdocs.yml, with relative paths only."""
    pf = project.program.program
    sections: dict[str, list[Any]] = {}
    nav: list[Any] = []
    for section, title, page in PAGES:
        if not section:
            nav.append({title: page})
        else:
            if section not in sections:
                sections[section] = []
                nav.append({section: sections[section]})
            sections[section].append({title: page})
    for path in sorted(p for p in pages if p.startswith("pages/")):
        sections["Help"].append({_page_title(pages[path], Path(path).stem.replace("-", " ").title()): path})
    if CHANGELOG in pages:
        sections["Help"].append({"What changed": CHANGELOG})
    theme: dict[str, Any] = {
        "name": "material",
        "language": _language(pf.language),
        "font": False,
        "palette": {"primary": "custom", "accent": "custom"},
        "features": ["navigation.tabs", "navigation.sections", "navigation.top", "navigation.footer",
                     "search.highlight", "toc.follow"],
    }
    if logo:
        theme["logo"] = logo
        theme["favicon"] = logo
    owner = pf.organisation or pf.title
    return {
        # the theme inserts these into HTML unescaped: escape them here, they are data
        "site_name": html.escape(pf.title),
        "site_description": html.escape(" ".join((pf.summary or "").split())),
        "site_url": project.program.site.url or "",
        "copyright": html.escape(f"{owner}. Made with mentorkit."),
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": False,
        "strict": True,
        "theme": theme,
        "extra_css": ["assets/mentorkit.css"],
        "extra_javascript": ["assets/mentorkit.js"],
        "plugins": ["search"],
        "markdown_extensions": list(MARKDOWN_EXTENSIONS),
        "validation": {"links": {"not_found": "warn", "anchors": "warn", "unrecognized_links": "warn"},
                       "nav": {"omitted_files": "warn", "not_found": "warn"}},
        "nav": nav,
    }


def write_docs(project: Project, work_dir: Path, documents: list[Document], calendar: str,
               changelog: list[Any] | None = None) -> Path:
    """Write docs/ and mkdocs.yml into `work_dir`; return the mkdocs.yml path."""
    pages = render_pages(project, documents, calendar, changelog)
    docs = work_dir / "docs"
    for rel in sorted(pages):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(pages[rel], encoding="utf-8")
    assets = docs / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    env = environment(project.root)
    colour = project.program.program.branding.colour
    on_colour, link_colour = contrast_colours(colour)
    (assets / "mentorkit.css").write_text(env.get_template("site/mentorkit.css.j2").render(
        colour=colour, on_colour=on_colour, link_colour=link_colour), encoding="utf-8")
    (assets / "mentorkit.js").write_text(env.get_template("site/mentorkit.js.j2").render(), encoding="utf-8")
    logo = None
    if project.program.program.branding.logo:
        path, why = resolve_inside(project.root, project.program.program.branding.logo)
        if path is None:
            raise OutputError([project.located.problem(("program", "branding", "logo"), why or "not found")])
        logo = f"assets/logo{path.suffix.lower()}"
        shutil.copyfile(path, docs / logo)
    config = work_dir / "mkdocs.yml"
    config.write_text(yaml.safe_dump(mkdocs_config(project, pages, logo), sort_keys=False, allow_unicode=True),
                      encoding="utf-8")
    return config


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _quiet_mkdocs() -> Iterator[_Collect]:
    """MkDocs logs INFO lines to the terminal; keep them, and gather warnings for our error."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = (logger.level, logger.handlers[:], logger.propagate)
    logger.handlers = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.setLevel(saved[0])
        logger.handlers = saved[1]
        logger.propagate = saved[2]


def theme_files(env: Any, extensions: Any = None, filter_func: Any = None) -> list[str]:
    """`env.list_templates` for MkDocs' theme environment, without walking into folders whose
    name starts with a dot.

    MkDocs lists the theme's files to copy its static ones into the site, and its filter drops
    every name with a part that starts with a dot. Material keeps over 14,000 icons in `.icons/`:
    walking and filtering them took about 0.07 s of every build, for no file of the site. The
    names and their order are otherwise Jinja's own (tested against it)."""
    from jinja2 import FileSystemLoader

    loader = env.loader
    if extensions is not None or not isinstance(loader, FileSystemLoader):
        return list(type(env).list_templates(env, extensions, filter_func))
    found: set[str] = set()
    for searchpath in loader.searchpath:
        for dirpath, dirnames, filenames in os.walk(searchpath, followlinks=loader.followlinks):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for filename in filenames:
                if filename.startswith("."):
                    continue
                name = os.path.join(dirpath, filename)[len(searchpath):].strip(os.path.sep).replace(os.path.sep, "/")
                found.add(name[2:] if name[:2] == "./" else name)
    names = sorted(found)
    return [name for name in names if filter_func(name)] if filter_func is not None else names


PAGE_RENDERS = "mkdocs-pages.json"
PAGE_HTML = "mkdocs-html"


class _PageRenders:
    """Each page's Markdown converted to HTML, kept from one build to the next (in the cache, as
    `PAGE_RENDERS`): after an edit, MkDocs converts only the pages whose Markdown changed. Each
    page's HTML from the theme is kept too (`build_page`, in `PAGE_HTML`).

    A render is keyed by all it depends on: the page's Markdown, where the page is, mkdocs.yml,
    the list of every file of the site (relative links are checked and rewritten against it) and
    the tools' versions. It keeps what `Page.render` sets: the HTML, the table of contents, the
    title found in it, and the anchors the page has and links to (MkDocs checks those after every
    build, against the pages as they are then). Renders are kept only from a build that logged no
    warning, so a reused render never hides one.
    """

    def __init__(self, path: Path, config: bytes):
        self.path, self.config = path, config
        try:
            self.old: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.old = {}
        if not isinstance(self.old, dict):
            self.old = {}
        self.new: dict[str, Any] = {}
        self._listing: tuple[int, str] | None = None
        self.keys: dict[str, str] = {}  # page -> the key of its render, this build
        self.html = path.with_name(PAGE_HTML)
        self.html_used: set[str] = set()
        self.pending_html: dict[str, Any] = {}
        self._site: tuple[int, str] | None = None

    def _key(self, page: Any, files: Any) -> str:
        if self._listing is None or self._listing[0] != id(files):
            self._listing = (id(files), "\n".join(f"{f.src_uri}\t{f.dest_uri}\t{f.url}\t{f.inclusion}" for f in files))
        return digest(tool_versions(), self.config, page.file.src_uri, page.file.dest_uri, page.markdown or "",
                      self._listing[1])

    def render(self, original: Any, page: Any, config: Any, files: Any) -> None:
        from mkdocs.structure.toc import get_toc

        key = self._key(page, files)
        self.keys[page.file.src_uri] = key
        kept: Any = self.old.get(key)
        try:
            page.content = kept["content"]
            page.toc = get_toc(kept["toc"])
            page._title_from_render = kept["title"]
            page.present_anchor_ids = set(kept["anchors"])
            if kept["links"] is not None:
                page.links_to_anchors = {files.get_file_from_path(uri): dict(links)
                                         for uri, links in kept["links"].items()}
            self.new[key] = kept
            return
        except (KeyError, TypeError, AttributeError, ValueError):  # none kept, or a damaged one: render
            pass
        original(page, config, files)
        links = getattr(page, "links_to_anchors", None)
        self.new[key] = {
            "content": page.content,
            "toc": [_toc_token(item) for item in page.toc],
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
        }

    def build_page(self, original: Any, page: Any, config: Any, doc_files: Any, nav: Any, env: Any,
                   dirty: bool = False, excluded: bool = False) -> None:
        """MkDocs' `_build_page`: the page's HTML from the theme, kept between builds too.

        Besides the page's render, its HTML depends on the navigation, which the titles in
        mkdocs.yml and every page's front matter (an icon, a status) shape, and on the build date.
        The search plugin indexes each page as it is built, so the entries a page added are kept
        with its HTML and added again when the HTML is reused.
        """
        search = next((p.search_index for p in config.plugins.values() if hasattr(p, "search_index")), None)
        render = self.keys.get(page.file.src_uri)
        if search is None or render is None or excluded or dirty:
            original(page, config, doc_files, nav, env, dirty, excluded)
            return
        if self._site is None or self._site[0] != id(doc_files):
            self._site = (id(doc_files), json.dumps([[f.src_uri, getattr(f.page, "title", None), getattr(f.page, "meta", None)]
                                                     for f in doc_files], sort_keys=True, default=str))
        key = digest(render, self._site[1], os.environ.get("SOURCE_DATE_EPOCH", ""))
        target = Path(page.file.abs_dest_path)
        try:
            kept = json.loads((self.html / key).read_text(encoding="utf-8"))
            html, entries = kept["html"], kept["search"]
            if isinstance(html, str) and isinstance(entries, list) and all(isinstance(e, dict) for e in entries):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(html.encode("utf-8"))
                search.entries.extend(entries)
                self.html_used.add(key)
                return
        except (OSError, ValueError, KeyError, TypeError):  # none kept, or a damaged one: build it
            pass
        before = len(search.entries)
        original(page, config, doc_files, nav, env, dirty, excluded)
        if target.is_file():
            self.pending_html[key] = {"html": target.read_bytes().decode("utf-8"), "search": search.entries[before:]}

    def save(self) -> None:
        """Keep this build's renders and pages' HTML (and only those), atomically."""
        tmp = self.path.with_name(f".tmp-{os.getpid()}-{self.path.name}")
        tmp.write_text(json.dumps(self.new, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
        self.html.mkdir(exist_ok=True)
        for key, kept in self.pending_html.items():
            tmp = self.html / f".tmp-{os.getpid()}-{key}"
            tmp.write_text(json.dumps(kept), encoding="utf-8")  # keys in their order: the search index keeps it
            os.replace(tmp, self.html / key)
        keep = self.html_used | set(self.pending_html)
        for old in self.html.iterdir():
            if old.name not in keep and not old.name.startswith(".tmp-"):
                old.unlink(missing_ok=True)


def _toc_token(item: Any) -> dict[str, Any]:
    return {"level": item.level, "id": item.id, "name": item.title,
            "children": [_toc_token(child) for child in item.children]}


@contextmanager
def _page_renders(renders: _PageRenders | None) -> Iterator[None]:
    """`Page.render` and MkDocs' `_build_page` served from `renders` for the length of one build."""
    if renders is None:
        yield
        return
    import mkdocs.commands.build as mkdocs_build
    from mkdocs.structure.pages import Page

    original, original_build_page = Page.render, mkdocs_build._build_page

    def render(page: Any, config: Any, files: Any) -> None:
        renders.render(original, page, config, files)

    def build_page(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
                   excluded: bool = False) -> None:
        renders.build_page(original_build_page, page, config, doc_files, nav, env, dirty, excluded)

    Page.render = render  # type: ignore[method-assign, assignment]
    mkdocs_build._build_page = build_page
    try:
        yield
    finally:
        Page.render = original  # type: ignore[method-assign]
        mkdocs_build._build_page = original_build_page


MARKDOWN_EXTENSIONS: tuple[str | dict[str, Any], ...] = (
    "admonition", "attr_list", "md_in_html", "tables", "def_list", {"toc": {"permalink": True}})


def prepare_mkdocs() -> None:
    """Ahead of a build (in the site's process, while the pages are being written): import what
    `run_mkdocs` needs (MkDocs, Material's search plugin, Markdown), look up the installed
    themes, plugins and Markdown extensions (each a scan of every installed package's entry
    points, kept by their libraries), and make a Markdown converter with the extensions
    mkdocs.yml lists, which compiles their patterns into `re`'s cache."""
    from .workers import imports

    with imports():
        import markdown
        import markdown.util
        import mkdocs.commands.build  # noqa: F401
        import mkdocs.config  # noqa: F401
        import mkdocs.config.defaults  # noqa: F401 - looks up the installed plugins, as it is imported
        import mkdocs.utils
        from material.plugins.search import plugin  # noqa: F401

        mkdocs.utils.get_themes()
        markdown.util.get_installed_extensions()
        markdown.Markdown(extensions=[e if isinstance(e, str) else next(iter(e)) for e in MARKDOWN_EXTENSIONS])


def _config_options(config_file: Path) -> dict[str, Any]:
    """What `load_config` is given for the mkdocs.yml `write_docs` wrote: the file, or, read with
    libyaml (MkDocs reads it with PyYAML's Python parser: 0.01 s), its settings, which MkDocs
    then takes as it takes settings given beside a file. The file is plain YAML that
    `yaml.safe_dump` wrote (no tags, no INHERIT), which both parsers read alike; anything else,
    or a setting with no value (MkDocs would skip it), is left to MkDocs."""
    loader = getattr(yaml, "CSafeLoader", None)
    data = config_file.read_bytes()
    if loader is not None and b"!" not in data:
        try:
            settings = yaml.load(data, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            settings = None
        if isinstance(settings, dict) and "INHERIT" not in settings and None not in settings.values():
            return {"config_file": io.BytesIO(b""), "config_file_path": str(config_file), **settings}
    return {"config_file": str(config_file)}


def run_mkdocs(config_file: Path, site_dir: Path, cache_dir: Path | None = None) -> None:
    """Build a generated mkdocs.yml in-process into `site_dir`; warnings fail the build.

    With `cache_dir`, two things are kept there between builds:
    - the theme's compiled Jinja templates (MkDocs compiles Material's templates afresh every
      time: about 0.4 s of a build). Every Jinja environment the theme makes gets that cache, the
      one the search plugin makes to look up its language settings too;
    - each page's Markdown converted to HTML, and each page's HTML from the theme with the
      entries it adds to the search index (`_PageRenders`).
    Listing the theme's files skips its dot folders (`theme_files`).
    """
    from jinja2 import FileSystemBytecodeCache
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _quiet_mkdocs() as collected:
        try:
            cfg = load_config(**{**_config_options(config_file), "site_dir": str(site_dir)})
            bytecode_dir = cache_dir / "theme-jinja" if cache_dir is not None else None
            if bytecode_dir is not None:
                bytecode_dir.mkdir(parents=True, exist_ok=True)
            theme_env = cfg.theme.get_env

            def get_env() -> Any:
                env = theme_env()
                if bytecode_dir is not None:
                    env.bytecode_cache = FileSystemBytecodeCache(str(bytecode_dir))
                env.list_templates = functools.partial(theme_files, env)  # type: ignore[method-assign]
                return env

            cfg.theme.get_env = get_env  # type: ignore[method-assign]  # this build's theme only
            renders = None
            if cache_dir is not None:
                renders = _PageRenders(cache_dir / PAGE_RENDERS, config_file.read_bytes())
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                with _page_renders(renders):
                    build(cfg)
            finally:
                cfg.plugins.on_shutdown()
            if renders is not None and not collected.messages:
                renders.save()
        except (MkDocsException, SystemExit) as exc:
            details = "; ".join(collected.messages) or str(exc)
            raise OutputError(f"the handbook site could not be built: {details}") from None


def build_site(project: Project, site_dir: Path, *, work_dir: Path, documents: list[Document],
               calendar: str = "calendar.ics", changelog: list[Any] | None = None,
               cache: Cache | None = None) -> None:
    """Render pages and mkdocs.yml into `work_dir`, then MkDocs-build them into `site_dir`.

    With a cache, an unchanged docs tree reuses the site MkDocs built from it last time.
    """
    config = write_docs(project, work_dir, documents, calendar, changelog)
    mkdocs_build(config, site_dir, cache)


def mkdocs_build(config: Path, site_dir: Path, cache: Cache | None = None) -> str | None:
    """MkDocs-build a docs tree written by `write_docs` (beside `config`) into `site_dir`.

    With a cache, an unchanged docs tree reuses the site MkDocs built from it last time. Returns
    the site's cache entry ("site/KEY"; None without a cache), which the caller marks as used:
    this may run in a forked process.
    """
    if cache is None:
        run_mkdocs(config, site_dir)
        return None
    key = digest(tool_versions(), tree_digest(config.parent), os.environ.get("SOURCE_DATE_EPOCH", ""))
    if not cache.get_tree("site", key, site_dir):
        run_mkdocs(config, site_dir, cache.root)
        cache.put_tree("site", key, site_dir)
    return f"site/{key}"


def serve(program_path: Path, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Preview: rebuild on changes to program.yml, content/ and templates/, and reload the browser."""
    import tempfile

    from mkdocs.livereload import LiveReloadServer

    from .build import build as full_build
    from .build import preload

    preload()  # every rebuild forks its workers from this process: they start with it all imported
    folder = Path(tempfile.mkdtemp(prefix="mentorkit-serve-"))
    out = folder / "site"
    root = program_path.resolve().parent

    def rebuild() -> None:
        from .errors import MentorkitError

        try:
            full_build(program_path, out)
        except MentorkitError as exc:
            logging.getLogger("mentorkit").error("%s", exc)

    rebuild()
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(out))
    server.watch(str(program_path.resolve()))
    for folder_name in ("content", "templates"):
        if (root / folder_name).is_dir():
            server.watch(str(root / folder_name))
        server.watch(str(builtin_dir(folder_name)))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
