"""The handbook as one book: the site's Markdown pages -> print HTML (a cover, and a body of contents
and one chapter per navigation section), for `printing` to lay out as handbook.pdf.

The pages are the very Markdown the site is built from (`site.render_pages`), in the site's
navigation order (`site.mkdocs_config`), converted with Python-Markdown and the site's extensions.
Each page's ids are prefixed with the page's name, so that headings repeated across pages stay
unique; a link to another page (`goals.md#smart-goals`) becomes a link inside the book; a link to
a file of the site (a PDF, the calendar) points to the published site when `site.url` is set and
is plain text otherwise, since the book has no folder around it. Checkboxes print as boxes to tick.
"""

from __future__ import annotations

import html as html_module
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .plan import DEST_SCHEME
from .project import Project

_HREF = re.compile(r'(<a\b[^>]*?\s)href="([^"]*)"([^>]*>)(.*?)</a>', re.S)
_ID = re.compile(r'(\sid=")([^"]+)(")')
_CHECKBOX = re.compile(r'<input\b[^>]*type="checkbox"[^>]*>', re.I)
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_EXTERNAL = ("http://", "https://", "mailto:", "tel:")


@dataclass(frozen=True)
class Page:
    """One handbook page in the book: its title, anchor and print HTML."""

    title: str
    path: str  # docs-relative path of its Markdown
    anchor: str
    html: str


@dataclass(frozen=True)
class Chapter:
    """One navigation section: its title (None for a page that stands alone, like Home) and pages."""

    title: str | None
    anchor: str
    pages: tuple[Page, ...]


def anchor_of(path: str) -> str:
    """'pages/charter.md' -> 'pages-charter': the anchor of a page in the book."""
    return re.sub(r"[^a-z0-9]+", "-", path.removesuffix(".md").lower()).strip("-") or "page"


def navigation(project: Project, pages: dict[str, str]) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """(section title or None, [(page title, docs path)]) in the site's navigation order."""
    from .site import mkdocs_config

    out: list[tuple[str | None, list[tuple[str, str]]]] = []
    for entry in mkdocs_config(project, pages, None)["nav"]:
        ((title, value),) = entry.items()
        if isinstance(value, str):
            out.append((None, [(title, value)]))
        else:
            out.append((title, [next(iter(item.items())) for item in value]))
    return out


def markdown_html(text: str) -> str:
    """A page's Markdown as HTML, with the site's extensions (no permalink signs: this is print)."""
    import markdown

    from .site import MARKDOWN_EXTENSIONS

    names: list[str] = []
    configs: dict[str, Any] = {}
    for ext in MARKDOWN_EXTENSIONS:
        if isinstance(ext, dict):
            ((name, config),) = ext.items()
            names.append(name)
            configs[name] = {**config, "permalink": False} if name == "toc" else config
        else:
            names.append(ext)
    return markdown.markdown(text, extensions=names, extension_configs=configs, output_format="html")


def _link(href: str, page: str, anchors: dict[str, str], site_url: str | None) -> str | None:
    """Where a link of `page` points in the book: '#anchor', an outside address, or None (plain text)."""
    if href.startswith(_EXTERNAL):
        return href
    if href.startswith("#"):
        return f"#{anchors[page]}--{href[1:]}" if len(href) > 1 else f"#{anchors[page]}"
    if ":" in href.split("/")[0]:
        return None  # javascript: and other schemes
    target, _, fragment = href.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target)) if target else page
    if resolved in anchors:
        return f"#{anchors[resolved]}--{fragment}" if fragment else f"#{anchors[resolved]}"
    if site_url and not resolved.startswith(".."):
        return f"{site_url.rstrip('/')}/{resolved}" + (f"#{fragment}" if fragment else "")
    return None


def page_html(text: str, path: str, anchors: dict[str, str], site_url: str | None, shift: int,
              convert: Callable[[str], str] = markdown_html) -> str:
    """One page's print HTML: ids prefixed, links made book links, headings moved down by `shift`
    (`convert`: Markdown -> HTML, `markdown_html` or a cached one)."""
    body = convert(text)
    prefix = anchors[path]
    body = _ID.sub(lambda m: f"{m.group(1)}{prefix}--{m.group(2)}{m.group(3)}", body)

    def relink(m: re.Match[str]) -> str:
        target = _link(html_module.unescape(m.group(2)), path, anchors, site_url)
        if target is None:
            return f"<span>{m.group(4)}</span>"
        return f'{m.group(1)}href="{html_module.escape(target)}"{m.group(3)}{m.group(4)}</a>'

    body = _HREF.sub(relink, body)
    body = _CHECKBOX.sub('<span class="box" aria-hidden="true"></span>', body)
    body = re.sub(r"<th(?=[\s>])(?![^>]*\bscope=)", '<th scope="col"', body)
    if shift:
        body = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", body)
    return body


def chapters(project: Project, pages: dict[str, str],
             convert: Callable[[str], str] = markdown_html) -> list[Chapter]:
    """The book's chapters, one per navigation section, each page converted to print HTML."""
    anchors = {path: anchor_of(path) for path in pages}
    site_url = project.program.site.url
    out = []
    for section, entries in navigation(project, pages):
        shift = 1 if section else 0  # a page in a chapter is a level below the chapter's title
        converted = tuple(Page(title, path, anchors[path], page_html(pages[path], path, anchors, site_url, shift,
                                                                  convert))
                          for title, path in entries if path in pages)
        if converted:
            out.append(Chapter(section, f"chapter-{anchor_of(section or converted[0].path)}", converted))
    return _cross_chapter_links(out)


def _cross_chapter_links(book: list[Chapter]) -> list[Chapter]:
    """Links from one chapter to another go through the join of the laid-out chapters (each chapter is
    laid out apart, see `printing`): written as named-destination links, which `pdfjoin` resolves."""
    owner = {}
    for chapter in book:
        for page in chapter.pages:
            owner[page.anchor] = chapter.anchor
            owner.update({m.group(2): chapter.anchor for m in _ID.finditer(page.html)})
    out = []
    for chapter in book:
        def relink(m: re.Match[str], here: str = chapter.anchor) -> str:
            name = html_module.unescape(m.group(2))[1:]
            if m.group(2).startswith("#") and owner.get(name, here) != here:
                return f'{m.group(1)}href="{DEST_SCHEME}{html_module.escape(name)}"{m.group(3)}{m.group(4)}</a>'
            return m.group(0)

        pages = tuple(Page(p.title, p.path, p.anchor, _HREF.sub(relink, p.html)) for p in chapter.pages)
        out.append(Chapter(chapter.title, chapter.anchor, pages))
    return out
