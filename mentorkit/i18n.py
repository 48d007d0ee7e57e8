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
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
    for message in catalog:
        if message.id and not _same_placeholders(message.id, message.string):
            # a name the code does not give would stop the build: keep the English text instead
            log.warning("%s: the translation of %r names other placeholders than the original (or has a lone %%: "
                        "write %%%%); using the English text", path.name, message.id if isinstance(message.id, str) else message.id[0])
            message.string = ("",) * len(message.string) if isinstance(message.string, (tuple, list)) else ""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _same_placeholders(msgid: Any, msgstr: Any) -> bool:
    """Whether a translation names only the placeholders of its original (a plural form may leave
    the number out), and all of them together, with no lone `%`."""
    ids = msgid if isinstance(msgid, (tuple, list)) else (msgid,)
    strings = [t for t in (msgstr if isinstance(msgstr, (tuple, list)) else (msgstr,)) if t]
    if not strings:
        return True
    if any("%" in re.sub(r"%\(\w+\)[sd]|%%", "", t) for t in strings):
        return False  # a lone % stops the formatting: write %%
    wanted = set().union(*(_PLACEHOLDER.findall(i) for i in ids))
    found = [set(_PLACEHOLDER.findall(t)) for t in strings]
    if isinstance(msgid, (tuple, list)):
        return not any(f - wanted for f in found) and not (wanted - set().union(*found)) - {"num", "count"}
    return found[0] == wanted


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
    terms: Terms | None = None
    """The organisation's own words (`terms:` of program.yml), put into every text of ours."""

    def gettext(self, message: str) -> str:
        """The translation of `message` (the English text where the catalogue has none), in the team's terms."""
        text = self.translations.gettext(message)
        return self.terms.apply(text) if self.terms is not None else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message for `n`."""
        text = self.translations.ngettext(singular, plural, n)
        return self.terms.apply(text) if self.terms is not None else text

    def pgettext(self, context: str, message: str) -> str:
        """The translation of `message` in `context` (as the catalogue's msgctxt), terms not applied."""
        return self.translations.pgettext(context, message)

    def text(self, text: str) -> str:
        """Our own text that is not a catalogue message (a content library file) in the team's terms."""
        return self.terms.apply(text) if self.terms is not None else text

    def roles(self, roles: Any, defaults: Any) -> Any:
        """A program's `Roles` as its texts name them: a label the type gave (not the team) in this
        language and in the team's terms; a label the team wrote, as written."""
        return roles.model_copy(update={
            role: self.gettext(label) if label == getattr(defaults, role) else label
            for role in ("mentor", "mentee") if (label := getattr(roles, role)) is not None})

    def with_terms(self, terms: dict[str, Any]) -> Language:
        """This language with the organisation's own words (`ProgramFile.terms`)."""
        return replace(self, terms=Terms.of(self, terms)) if terms else self

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

    def long(self, value: date) -> str:
        """A date without its weekday: '1 February 2027', 'February 1, 2027', '1 février 2027'."""
        from babel.dates import format_date

        return format_date(value, "long", locale=self.locale)

    def month(self, value: date) -> str:
        """Month and year: 'February 2027', 'février 2027'."""
        from babel.dates import format_date

        return format_date(value, "MMMM y", locale=self.locale)

    def plural(self, word: str) -> str:
        """The plural of a role's or term's name the team gave in the singular: the catalogue's
        'term' forms first (`terms.py`), else the language's regular ending."""
        if self.content == "de":
            if word.lower().endswith("eer"):  # English loanwords: Peers
                return word + "s"
            if word.endswith(("er", "el", "en")):
                return word
            if word.endswith(("ee", "a", "i", "o", "u", "y")) or word[-1:].isupper():  # loanwords: Mentees, Peers
                return word + "s"
            if word.endswith("or"):  # Mentor -> Mentoren
                return word + "en"
            return word + ("n" if word.endswith("e") else "e")
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
    shipped = shipped_tag(tag)
    ours = locales_dir() / SHIPPED[shipped] / "LC_MESSAGES" / f"{DOMAIN}.po" if shipped else None
    # a catalogue edited while a process runs (`mentorkit serve`) is read again
    stamps = tuple(p.stat().st_mtime_ns if p is not None and p.is_file() else 0 for p in (own, ours))
    return _language(tag, root, own, stamps)


@functools.lru_cache(maxsize=32)
def _language(tag: str, root: Path | None, own: Path | None, _stamps: tuple[int, ...]) -> Language:
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


# French and Spanish articles (and the like) that show a noun's gender: (masculine, feminine); a
# masculine word beginning with a vowel takes the elided or special form where the language has one
_AGREEMENT = {
    "fr": [("le ", "la "), ("du ", "de la "), ("au ", "à la "), ("un ", "une "), ("ce ", "cette "),
           ("Le ", "La "), ("Du ", "De la "), ("Au ", "À la "), ("Un ", "Une "), ("Ce ", "Cette "),
           ("chaque ", "chaque "), ("votre ", "votre "), ("notre ", "notre ")],
    "es": [("el ", "la "), ("del ", "de la "), ("al ", "a la "), ("un ", "una "), ("este ", "esta "),
           ("El ", "La "), ("Del ", "De la "), ("Al ", "A la "), ("Un ", "Una "), ("Este ", "Esta ")],
}
# German articles by case, for masculine, feminine and neuter: where our word's article names
# one case, the team's word takes that case's article of its own gender
_GERMAN = {
    "nom": ("der ", "die ", "das "), "acc": ("den ", "die ", "das "), "dat": ("dem ", "der ", "dem "),
    "gen": ("des ", "der ", "des "),
}
_GERMAN_INDEFINITE = {
    "nom": ("ein ", "eine ", "ein "), "acc": ("einen ", "eine ", "ein "), "dat": ("einem ", "einer ", "einem "),
    "gen": ("eines ", "einer ", "eines "),
}
_GENDERS = ("m", "f", "n")


def _key_words(lang: Language) -> dict[str, tuple[str, str, str]]:
    """mentorkit's key words in `lang`: singular, plural and gender (m, f, n; '' where none)."""
    pgettext = lang.pgettext  # the name the extractor looks for
    # Translators: the key words the `terms:` of program.yml can rename. "term": the word as your text
    # uses it; "term gender": its grammatical gender, one of m, f, n (leave empty in English).
    words = {
        "programme": (pgettext("term", "programme"), pgettext("term", "programmes"), pgettext("term gender", "programme")),
        "mentor": (pgettext("term", "mentor"), pgettext("term", "mentors"), pgettext("term gender", "mentor")),
        "mentee": (pgettext("term", "mentee"), pgettext("term", "mentees"), pgettext("term gender", "mentee")),
        "meeting": (pgettext("term", "meeting"), pgettext("term", "meetings"), pgettext("term gender", "meeting")),
        "goal": (pgettext("term", "goal"), pgettext("term", "goals"), pgettext("term gender", "goal")),
    }
    return {k: (one, other, gender if gender in _GENDERS else "") for k, (one, other, gender) in words.items()}


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    return lambda match: text


def _like(word: str) -> Callable[[re.Match[str]], str]:
    return lambda match: _cased(word, match.group(0))


def _cased(word: str, like: str) -> str:
    """`word` with the capitals of `like` ('Programme' -> 'Scheme', 'PROGRAMME' -> 'SCHEME')."""
    if len(like) > 1 and like.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


@dataclass(frozen=True)
class Terms:
    """The team's words put in place of ours: exact phrases first, then articles that must agree
    with a word of another gender, then the words themselves (plural before singular), keeping
    capitals. Placeholders, link targets and anchors are never touched."""

    rules: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]

    @classmethod
    def of(cls, lang: Language, given: dict[str, Any]) -> Terms:
        """The rules for `given` (`ProgramFile.terms`) in `lang`."""
        ours = _key_words(lang)
        rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []
        for key, term in given.items():
            one = term if isinstance(term, str) else term.one
            other = (None if isinstance(term, str) else term.other) or lang.plural(one)
            gender = None if isinstance(term, str) else term.gender
            forms = {} if isinstance(term, str) else dict(term.forms)
            our_one, our_other, our_gender = ours[key]
            for phrase, instead in forms.items():
                rules.append((re.compile(re.escape(phrase)), _constant(instead)))
            if gender and our_gender and gender != our_gender:
                rules += _article_rules(lang, our_one, our_other, our_gender, one, other, gender)
            for ours_word, theirs in ((our_other, other), (our_one, one)):
                pattern = re.compile(rf"(?<![\w/#(%.-]){re.escape(ours_word)}(?![\w/(-]|\.md)", re.IGNORECASE)
                rules.append((pattern, _like(theirs)))
        return cls(tuple(rules))

    def apply(self, text: str) -> str:
        """`text` in the team's words."""
        for pattern, replace_with in self.rules:
            text = pattern.sub(replace_with, text)
        return text


def _article_rules(lang: Language, our_one: str, our_other: str, our_gender: str, one: str, other: str,
                   gender: str) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    """Rules that change the article before our word when the team's word has another gender."""
    rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []

    def rule(before: str, word: str, after: str, theirs: str) -> None:
        pattern = re.compile(rf"(?<![\w]){re.escape(before)}{re.escape(word)}(?![\w])", re.IGNORECASE)
        rules.append((pattern, lambda m: _cased(after, m.group(0)) + theirs))

    language_code = lang.content or ""
    if language_code in _AGREEMENT and {our_gender, gender} <= {"m", "f"}:
        for masculine, feminine in _AGREEMENT[language_code]:
            before, after = (masculine, feminine) if our_gender == "m" else (feminine, masculine)
            if after == "le " and language_code == "fr" and one[:1].lower() in "aeéèêiîoôuh":
                after = "l'"
            rule(before, our_one, after, one)
        if language_code == "fr" and our_gender == "m" and our_one[:1].lower() in "aeéèêiîoôuh":
            rule("l'", our_one, "la ", one)
    if language_code == "de":
        mine, theirs = _GENDERS.index(our_gender), _GENDERS.index(gender)
        for table in (_GERMAN, _GERMAN_INDEFINITE):
            seen: dict[str, set[str]] = {}
            for case, articles in table.items():
                seen.setdefault(articles[mine], set()).add(case)
            for article, cases in seen.items():
                wanted = {table[case][theirs] for case in cases}
                if len(wanted) == 1:  # the article tells the case: the team's word takes its own
                    rule(article, our_one, wanted.pop(), one)
                    rule(article, our_one + "s", table[next(iter(cases))][theirs], one)
    return rules


def program_language(pf: Any, root: Path | None) -> Language:
    """The language of a program file (`ProgramFile`) in its folder, with the team's own words."""
    return language(pf.program.language, root).with_terms(dict(pf.terms))


def content_candidates(name: str, lang: Language | None) -> list[str]:
    """Where the content library's file `name` may be, best first, within one content folder."""
    if lang is None or lang.content is None:
        return [name]
    return [f"{lang.content}/{name}", name]


ENGLISH = Language(SOURCE, SHIPPED[SOURCE], None)


def extract_constants(fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, str]
                      ) -> Any:
    """A Babel extraction method (babel.cfg) for texts of modules that do not mark them: every
    string of the module-level assignments named in `names`, and argument `n` (from 0) or keyword
    `k` of each call `calls` names as `Name:n` or `Name:k`, for the catalogue. Dict keys and the arguments of `skip`
    calls (e.g. `Interval("week")`) are not texts. The module is read, never imported."""
    import ast

    tree = ast.parse(fileobj.read())
    names = set(options.get("names", "").split())
    skip = set(options.get("skip", "").split())
    calls: dict[str, list[str]] = {}
    for call in options.get("calls", "").split():
        name, _, which = call.partition(":")
        calls.setdefault(name, []).append(which)

    def texts(node: ast.AST) -> Any:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in skip:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
            return
        for name, value in ast.iter_fields(node):
            if isinstance(node, ast.Dict) and name == "keys":
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    yield from texts(child)

    for node in tree.body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id in names for t in targets) and node.value is not None:
            for line, text in texts(node.value):
                yield line, "", text, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
            for wanted in calls[node.func.id]:
                if wanted.isdigit():
                    argument = node.args[int(wanted)] if int(wanted) < len(node.args) else None
                else:  # a keyword argument
                    argument = next((k.value for k in node.keywords if k.arg == wanted), None)
                items = argument.elts if isinstance(argument, (ast.List, ast.Tuple)) else [argument]
                for item in items:  # a text, or a list of texts (a question's options or scale labels)
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        yield item.lineno, "", item.value, []
