"""The handbook website's sources: Markdown pages and mkdocs.yml from Jinja templates.

What builds them into a site is a site engine (`engines`: MkDocs with Material, or Zensical),
from the very same docs tree and mkdocs.yml. Everything user-supplied is escaped by the templates'
`md` filter. The program team's own Markdown (extra `pages:` and `content/` overrides) is included
as Markdown, but raw HTML in it is neutralised: `<script>`, `<iframe>`, `<object>`, `<embed>`,
`<style>` and `on...=` attributes are escaped so they show as text. Links to the PDFs and the
calendar (written into the site after MkDocs runs) are raw HTML anchors, which MkDocs does not
validate; every other link is validated in strict mode, so a broken link fails the build.
The site fetches nothing from the network: no Google Fonts (`font: false`), no social plugin, no
offline plugin (it inserts a CDN script); the engines' search runs from local assets.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from .context import Context
from .errors import OutputError
from .i18n import N_, program_language
from .model import Outcome, SurveyMoment
from .paths import resolve_inside
from .project import Project
from .runbook import template_values
from .templating import content as read_content
from .templating import environment, md
from .wording import STAGE_NAMES

PAGES: list[tuple[str, str, str]] = [
    # (section, title, page) in navigation order; the page name is also the template name
    ("", N_("Home"), "index.md"),
    (N_("About mentoring"), N_("Mentoring and coaching"), "mentoring.md"),
    (N_("About mentoring"), N_("Our programme type"), "program-type.md"),
    (N_("About mentoring"), N_("Six types compared"), "mentoring-types.md"),
    (N_("About mentoring"), N_("Roles and expectations"), "roles.md"),
    (N_("About mentoring"), N_("Matching"), "matching.md"),
    (N_("The journey"), N_("The four stages"), "journey.md"),
    (N_("The journey"), N_("Meeting schedule"), "schedule.md"),
    (N_("The journey"), N_("First meeting"), "first-meeting.md"),
    (N_("The journey"), N_("Participant agreement"), "agreement.md"),
    (N_("Growing together"), N_("Goals"), "goals.md"),
    (N_("Growing together"), N_("Feedback"), "feedback.md"),
    (N_("Growing together"), N_("Common challenges"), "challenges.md"),
    (N_("Measuring"), N_("Surveys"), "surveys.md"),
    (N_("Measuring"), N_("Measuring impact"), "impact.md"),
    (N_("Help"), N_("FAQ"), "faq.md"),
    (N_("Help"), N_("Downloads"), "downloads.md"),
    (N_("Programme team"), N_("Runbook"), "runbook.md"),  # the team's own tab, apart from the participants' sections
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


def _site_values(project: Project, context: Context, calendar: str) -> dict[str, Any]:
    """The shared context, and what only the site's pages use."""
    pf = project.program
    return {
        **context.values(), "calendar": calendar,
        "survey_docs": {d.survey: d for d in context.documents if d.survey},
        "measured_by": {o: [s for s in pf.surveys or [] if o in s.measures] for o in Outcome},
        "content": lambda name: sanitize_markdown(context.lang.text(read_content(name, project.root, context.lang))),
        "key_dates": _key_dates(project, context),
        "runbook": template_values(pf, project.plan, context.lang),
    }


def _key_dates(project: Project, context: Context) -> list[tuple[str, Markup]]:
    plan, _ = project.plan, context.lang.gettext
    rows: list[tuple[date, int, Markup]] = [(plan.starts, 1, md(_("Programme starts"))),
                                            (plan.ends, 9, md(_("Programme ends")))]
    for s in plan.stages[1:]:
        if s.starts != plan.starts:
            rows.append((s.starts, 2, md(_("%(stage)s stage begins") % {"stage": _(STAGE_NAMES[s.name])})))
    if plan.meetings:
        rows.append((plan.meetings[0].date, 1, md(_("First meeting"))))
    for m in plan.surveys:
        if m.survey.when != SurveyMoment.after_session:
            rows.append((m.dates[0], 3, md(_("Survey: %(title)s") % {"title": m.survey.title})))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(context.day(d), text) for d, _, text in rows]


def render_pages(project: Project, context: Context, calendar: str = "calendar.ics",
                 changelog: list[Any] | None = None, bytecode: Path | None = None) -> dict[str, str]:
    """Pure: docs-relative path -> Markdown, for every page of the handbook.

    `changelog`, the program's versions from git (versions.history), adds a "What changed" page.
    """
    env = environment(project.root, bytecode)
    values = _site_values(project, context, calendar)
    pages = {page: env.get_template(f"site/{page}.j2").render(values) for _, _, page in PAGES}
    if changelog is not None:
        from .versions import format_markdown

        entries = [(md(v.label), v.date[:10], format_markdown(list(v.changes), heading_level=3))
                   for v in reversed(changelog)]
        pages[CHANGELOG] = env.get_template("site/changelog.md.j2").render(values, versions=entries)
    for _, path, text in extra_pages(project):
        pages[path] = text
    return pages


MARKDOWN_EXTENSIONS: tuple[str | dict[str, Any], ...] = (
    "admonition", "attr_list", "md_in_html", "tables", "def_list", {"toc": {"permalink": True}})
# the languages Material for MkDocs and Zensical translate their own labels into (`theme.language`)
THEME_LANGUAGES = frozenset(
    "af ar az be bg bn ca cs cy da de el en eo es et eu fa fi fr gl he hi hr hu hy id is it ja ka kn ko lb lt lv mk "
    "mn ms my nb nl nn pl pt pt-BR ro ru sa sh si sk sl sq sr sv ta te th tl tr uk ur uz vi zh zh-Hant zh-TW".split())


def _language(tag: str) -> str:
    if tag in THEME_LANGUAGES:
        return tag
    primary = tag.split("-")[0].lower()
    return primary if primary in THEME_LANGUAGES else "en"


def mkdocs_config(project: Project, pages: dict[str, str], logo: str | None) -> dict[str, Any]:
    """The generated mkdocs.yml, with relative paths only."""
    pf = project.program.program
    _ = program_language(project.program, project.root).gettext
    sections: dict[str, list[Any]] = {}
    nav: list[Any] = []
    for section, title, page in PAGES:
        if not section:
            nav.append({_(title): page})
        else:
            if section not in sections:
                sections[section] = []
                nav.append({_(section): sections[section]})
            sections[section].append({_(title): page})
    for path in sorted(p for p in pages if p.startswith("pages/")):
        sections["Help"].append({_page_title(pages[path], Path(path).stem.replace("-", " ").title()): path})
    if CHANGELOG in pages:
        sections["Help"].append({_("What changed"): CHANGELOG})
    theme: dict[str, Any] = {
        "name": "material",
        "variant": "classic",  # Zensical: Material's look, with the brand colour in the header
        "language": _language(pf.language),
        "font": False,
        "palette": {"primary": "custom", "accent": "custom"},
        "features": ["navigation.tabs", "navigation.sections", "navigation.top", "navigation.footer",
                     "search.highlight", "toc.follow"],
        "custom_dir": "overrides",  # one block of the theme: its search also works from a folder on disk
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
        "copyright": html.escape(_("%(owner)s. Made with mentorkit.") % {"owner": owner}),
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": False,
        "strict": True,
        "theme": theme,
        "extra_css": ["assets/mentorkit.css"],
        "extra_javascript": ["assets/mentorkit.js", "assets/scorm.js"],
        "plugins": ["search"],
        # the heading anchors' title in the program's language (the engine's default is English)
        "markdown_extensions": [{"toc": {"permalink": True, "permalink_title": _("Permanent link")}}
                                if ext == {"toc": {"permalink": True}} else ext for ext in MARKDOWN_EXTENSIONS],
        "extra": {"generator": False},  # the theme's "Made with Material for MkDocs" is English in every language
        "validation": {"links": {"not_found": "warn", "anchors": "warn", "unrecognized_links": "warn"},
                       "nav": {"omitted_files": "warn", "not_found": "warn"}},
        "nav": nav,
    }


@dataclass(frozen=True)
class Docs:
    """A written docs tree: its mkdocs.yml and its pages' Markdown."""

    config: Path
    pages: dict[str, str]

    def book_pages(self) -> dict[str, str]:
        """The pages a printed handbook holds: all but "What changed"."""
        return {path: text for path, text in self.pages.items() if path != CHANGELOG}


def write_docs(project: Project, context: Context, work_dir: Path, calendar: str,
               changelog: list[Any] | None = None, bytecode: Path | None = None) -> Docs:
    """Write docs/ and mkdocs.yml into `work_dir`."""
    pages = render_pages(project, context, calendar, changelog, bytecode)
    docs = work_dir / "docs"
    for rel in sorted(pages):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(pages[rel], encoding="utf-8")
    assets = docs / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    env = environment(project.root, bytecode)
    colour = project.program.program.branding.colour
    on_colour, link_colour = contrast_colours(colour)
    (assets / "mentorkit.css").write_text(env.get_template("site/mentorkit.css.j2").render(
        colour=colour, on_colour=on_colour, link_colour=link_colour), encoding="utf-8")
    (assets / "mentorkit.js").write_text(env.get_template("site/mentorkit.js.j2").render(), encoding="utf-8")
    _write_publishing(project, pages, work_dir, env)
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
    return Docs(config, pages)


def _write_publishing(project: Project, pages: dict[str, str], work_dir: Path, env: Any) -> None:
    """What the offline copy and the SCORM package need in every page (`package`): the theme
    override that lets the engine's search run from disk, and the script that reports to a
    learning platform (it does nothing outside one)."""
    from .resources import builtin_dir

    overrides = builtin_dir("templates") / "site" / "overrides"
    (work_dir / "overrides").mkdir(exist_ok=True)
    shutil.copyfile(overrides / "main.html", work_dir / "overrides" / "main.html")
    shutil.copyfile(overrides / "offline.js", work_dir / "docs" / "assets" / "offline.js")
    html_pages = sorted(rel.removesuffix(".md") + ".html" for rel in pages)
    script = env.get_template("scorm/scorm.js.j2").render(complete=project.program.publish.scorm.complete,
                                                         pages=html_pages)
    (work_dir / "docs" / "assets" / "scorm.js").write_text(script, encoding="utf-8")
