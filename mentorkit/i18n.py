"""The handbook's language: which locale a program's `language` resolves to, its gettext
catalogue (the `.po` files, compiled in memory when a build first needs them), dates and times
in the locale's own format, and where the content library's translation of a file is.

Shipped languages are `SHIPPED`; the English source text (the msgids) is British English. A
language we do not ship builds with the English text and a warning naming what is missing; a
team translates it file by file with `<lang>.po` beside program.yml and `content/<lang>/`.
See docs/i18n.md.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context as JinjaContext
from markupsafe import Markup

log = logging.getLogger("mentorkit")

DOMAIN = "mentorkit"
SOURCE = "en-GB"
# BCP 47 tag -> the catalogue's folder (gettext locale name); en-GB is the source and has none
SHIPPED = {"en-GB": "en_GB", "en-US": "en_US", "fr": "fr", "de": "de", "es": "es"}
# how a bare or regional tag maps onto a shipped language ("en" is British English)
_BY_PRIMARY = {"en": "en-GB", "fr": "fr", "de": "de", "es": "es"}
_US_ENGLISH = {"en-us", "en-as", "en-gu", "en-mp", "en-pr", "en-um", "en-vi", "en-ph"}
# the long date of the English source: our house style ("Tuesday 2 February 2027") where CLDR puts a comma
_LONG = {"en_GB": "EEEE d MMMM y"}


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark a string for the catalogue where it is defined; translate it where it is used."""
    return message


def locales_dir() -> Path:
    """The built-in catalogues: `mentorkit/locales/<locale>/LC_MESSAGES/mentorkit.po`."""
    return Path(__file__).resolve().parent / "locales"


def shipped_tag(tag: str) -> str | None:
    """The shipped language a BCP 47 tag resolves to ('en' -> 'en-GB', 'fr-CA' -> 'fr'), or None."""
    low = tag.lower()
    if low in _US_ENGLISH:
        return "en-US"
    return _BY_PRIMARY.get(low.split("-")[0])


def team_po(tag: str, root: Path | None) -> Path | None:
    """The team's own catalogue beside program.yml: `<tag>.po`, else `<primary>.po` (e.g. `it.po`)."""
    if root is None:
        return None
    for name in dict.fromkeys((tag, tag.split("-")[0], tag.lower(), tag.split("-")[0].lower())):
        path = root / f"{name}.po"
        if path.is_file():
            return path
    return None


def _compile(path: Path, locale: str | None) -> _gettext.GNUTranslations:
    """A `.po` file read with Babel and compiled in memory (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class Language:
    """A program's language: the tag it declares, the locale its words and dates are in, its catalogue."""

    tag: str
    """The program's own tag: `<html lang>`, the PDFs' /Lang, the calendar's language."""
    locale: str
    """The Babel locale of interface words and dates, e.g. 'fr' or 'en_GB'."""
    content: str | None
    """The content library's folder for this language (`content/fr/`), None for the English source."""
    translations: _gettext.NullTranslations = field(default_factory=_gettext.NullTranslations, compare=False)
    root: Path | None = None
    missing: set[str] = field(default_factory=set, compare=False)  # what was warned about, once each

    def gettext(self, message: str) -> str:
        """The translation of `message` (the English text where the catalogue has none)."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message for `n`."""
        return self.translations.ngettext(singular, plural, n)

    def day(self, value: date) -> str:
        """A date in full: 'Tuesday 2 February 2027', 'mardi 2 février 2027'."""
        from babel.dates import format_date

        return format_date(value, _LONG.get(self.locale, "full"), locale=self.locale)

    def short(self, value: date) -> str:
        """A short date: '2 Feb 2027', 'Feb 2, 2027', '2 févr. 2027'."""
        from babel.dates import format_date

        return format_date(value, "medium", locale=self.locale)

    def time(self, value: time) -> str:
        """A time of day: '09:30', '9:30 AM'."""
        from babel.dates import format_time

        if isinstance(value, datetime):  # the wall-clock time where it happens
            value = value.time()
        return format_time(value, "short", locale=self.locale)

    def weekday(self, value: date) -> str:
        """A date's weekday, abbreviated: 'Tue', 'mar.', 'Di.'."""
        from babel.dates import format_date

        return format_date(value, "EEE", locale=self.locale)

    def span(self, value: Any) -> str:
        """An `intervals.Interval` in words: '60 min', '2 weeks', '2 semaines', 'none'."""
        from babel.units import format_unit

        if self.content is None or value.is_none:  # English: the way program.yml writes it
            return self.gettext("none") if value.is_none else str(value)
        amount, unit = (value.amount * 2, "week") if value.unit == "fortnight" else (value.amount, value.unit)
        return format_unit(amount, f"duration-{unit}", length="short" if unit == "minute" else "long",
                           locale=self.locale)

    def month(self, value: date) -> str:
        """Month and year: 'February 2027', 'février 2027'."""
        from babel.dates import format_date

        return format_date(value, "MMMM y", locale=self.locale)

    def plural(self, word: str) -> str:
        """The plural of a role's or term's name the team gave in the singular: the catalogue's
        'term' forms first (`terms.py`), else the language's regular ending."""
        if self.content == "de":
            return word if word.endswith(("er", "el", "en")) else word + ("n" if word.endswith("e") else "e")
        if self.content == "es" and word[-1:].lower() not in "aeiouáéíóú":
            return word + "es"
        return word if word.endswith(("s", "x", "z")) and self.content == "fr" else word + "s"

    def warn_once(self, what: str) -> None:
        """Log that `what` is missing in this language (once per build process and language)."""
        if what not in self.missing:
            self.missing.add(what)
            log.warning("language %s: %s; using the English text", self.tag, what)

    def template_functions(self) -> dict[str, Callable[..., Any]]:
        """`gettext`/`ngettext` for the templates, as `jinja2.ext.i18n` calls them with newstyle
        gettext: placeholders by name, the result autoescaped where the template is HTML."""
        return {"gettext": _newstyle_gettext(self.gettext), "ngettext": _newstyle_ngettext(self.ngettext)}


def _newstyle_gettext(func: Callable[[str], str]) -> Callable[..., str]:
    @pass_context
    def gettext(__context: JinjaContext, __string: str, **variables: Any) -> str:
        rv: str = func(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return gettext


def _newstyle_ngettext(func: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_context
    def ngettext(__context: JinjaContext, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
        variables.setdefault("num", __num)
        rv: str = func(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return ngettext


def language(tag: str = SOURCE, root: Path | None = None) -> Language:
    """The language of a program declaring `tag`, with the team's folder `root` (for `<tag>.po`)."""
    own = team_po(tag, root)
    stamp = own.stat().st_mtime_ns if own is not None else 0
    return _language(tag, root, own, stamp)


@functools.lru_cache(maxsize=32)
def _language(tag: str, root: Path | None, own: Path | None, _stamp: int) -> Language:
    from babel import Locale, UnknownLocaleError

    shipped = shipped_tag(tag)
    translations: _gettext.NullTranslations = _gettext.NullTranslations()
    if shipped is not None:
        locale = SHIPPED[shipped]
        po = locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if shipped != SOURCE and po.is_file():
            translations = _compile(po, locale)
        content = None if shipped in (SOURCE, "en-US") else shipped
    else:
        try:
            locale = str(Locale.parse(tag, sep="-"))
        except (ValueError, UnknownLocaleError):
            locale = ""
        content = tag
    if own is not None:
        team = _compile(own, locale or None)
        if isinstance(translations, _gettext.GNUTranslations):
            team.add_fallback(translations)
        translations = team
    if not locale or (shipped is None and own is None):
        locale = SHIPPED[SOURCE]  # English words: English dates too
    found = Language(tag, locale, content, translations, root)
    if shipped is None:
        found.warn_once(f"mentorkit does not ship this language; no {tag}.po beside program.yml"
                        if own is None else "mentorkit does not ship this language (the team's "
                        f"{own.name} is used; what it lacks stays English)")
    return found


def content_candidates(name: str, lang: Language | None) -> list[str]:
    """Where the content library's file `name` may be, best first, within one content folder."""
    if lang is None or lang.content is None:
        return [name]
    return [f"{lang.content}/{name}", name]


ENGLISH = Language(SOURCE, SHIPPED[SOURCE], None)
