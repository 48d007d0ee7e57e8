"""The one Jinja environment: StrictUndefined, autoescaped HTML, an explicit Markdown escape, user overrides."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .i18n import Language, content_candidates
from .resources import builtin_dir

# Characters that mean something to Markdown or its extensions (tables, tilde, caret, mark, emoji, attr_list).
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~<>:^=$%@\"']")


def md(value: Any) -> Markup:
    """Escape a user value for Markdown: every HTML and Markdown character becomes an entity.

    The result is marked safe so that it is not escaped twice; it never contains raw HTML.
    """
    if value is None:
        return Markup("")
    # `&` first, so the entities written next are not escaped again; `;` is never special.
    text = _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", str(value).replace("&", "&amp;"))
    text = " ".join(text.split())
    # `{{` in user data stays literal: it is data, and MkDocs never re-renders our Markdown as Jinja.
    return Markup(text)


def md_block(value: Any) -> Markup:
    """Like `md`, but keeps paragraph breaks (blank lines) of multi-line user text."""
    if value is None:
        return Markup("")
    paragraphs = [p for p in re.split(r"\n\s*\n", str(value).strip()) if p.strip()]
    return Markup("\n\n".join(str(md(" ".join(p.split()))) for p in paragraphs))


@pass_context
def inline(context: Any, text: Any) -> str:
    """A label (a role, a type) inside a sentence: lower case, but in German, whose nouns keep
    their capital ('your executive mentee', 'Ihre Mentorin')."""
    lang = context.get("lang")
    return lang.inline(str(text)) if lang is not None else str(text).lower()


def sentence(text: Any) -> str:
    """The first letter in capitals, the rest as written (Jinja's `capitalize` lowers the rest,
    which breaks German nouns)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _autoescape(name: str | None) -> bool:
    return bool(name) and name.endswith((".html", ".html.j2", ".xml", ".svg"))  # type: ignore[union-attr]


def environment(project_root: Path | None = None, bytecode: Path | None = None) -> ImmutableSandboxedEnvironment:
    """The Jinja environment for a program folder (see `_environment`); `bytecode`, a folder of
    the cache where compiled templates are kept between runs."""
    user = project_root is not None and (project_root / "templates").is_dir()
    return _environment(project_root, user, bytecode)


@functools.lru_cache(maxsize=16)
def _environment(project_root: Path | None, user_templates: bool, bytecode: Path | None
                 ) -> ImmutableSandboxedEnvironment:
    """The Jinja environment: user `templates/` beside program.yml first, then the built-ins.

    User templates are code written by someone else, so everything renders in a sandbox.
    `{% extends "builtin/site/home.md.j2" %}` lets an override extend the original.
    One environment per folder, kept, so that compiled templates are reused (Jinja still
    reloads a template whose file changed).
    """
    builtin = FileSystemLoader(str(builtin_dir("templates")))
    loaders: list[Any] = []
    if project_root is not None and user_templates:
        loaders.append(FileSystemLoader(str(project_root / "templates")))
    loaders += [builtin, PrefixLoader({"builtin": builtin})]
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        # compiled templates survive between runs (Jinja checks each source's mtime)
        bytecode_cache=FileSystemBytecodeCache(str(bytecode)) if bytecode is not None else None,
        undefined=StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md
    env.filters["md_block"] = md_block
    env.filters["inline"] = inline
    env.filters["sentence"] = sentence
    # `{% trans %}` and `_()`: the words come from the render context's `gettext`/`ngettext`
    # (`Language.template_functions`), so one environment serves every language; these
    # English ones are for templates rendered without a context.
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # msgids without the template's line breaks (babel.cfg agrees)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def content_path(name: str, project_root: Path | None = None, language: Language | None = None) -> Path:
    """A content library file in the program's language: the team's `content/<lang>/NAME`, their
    `content/NAME`, our `content/<lang>/NAME`, then our English one (with a warning naming the file).

    The team's folder comes first at every level: a file a team wrote replaces ours.
    """
    folders = ([project_root / "content"] if project_root is not None else []) + [builtin_dir("content")]
    candidates = content_candidates(name, language)
    for folder in folders:
        for candidate in candidates:
            path = folder / candidate
            if path.is_file():
                if language is not None and language.content is not None and candidate == name \
                        and folder == builtin_dir("content"):
                    language.warn_once(f"content/{language.content}/{name} is missing")
                return path
    return builtin_dir("content") / name


def content(name: str, project_root: Path | None = None, language: Language | None = None) -> str:
    """The text of a content library file (Markdown written by us or by the program team: not a template)."""
    return content_path(name, project_root, language).read_text(encoding="utf-8")

