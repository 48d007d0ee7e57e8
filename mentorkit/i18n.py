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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # Jinja is imported where templates are made (not by `mentorkit check`)
    from jinja2.runtime import Context as JinjaContext

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


def team_catalogues(root: Path) -> list[bytes | str]:
    """Every catalogue beside program.yml (any `*.po`: `team_po` picks one by the program's language),
    each as its name and bytes: the team's own words, as inputs of a cache key."""
    parts: list[bytes | str] = []
    for path in sorted(root.glob("*.po")):
        parts += [path.name, path.read_bytes()]
    return parts


def _compile(path: Path, locale: str | None) -> tuple[_gettext.GNUTranslations, frozenset[str]]:
    """A `.po` file read with Babel and compiled in memory (fuzzy entries left out, as msgfmt does),
    and the labels it gives a plural of (msgctxt "plural")."""
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
    plurals = frozenset(m.id for m in catalog if m.context == "plural" and isinstance(m.id, str) and m.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer), plurals


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
    plural_labels: frozenset[str] = field(default_factory=frozenset, compare=False)
    """The labels the catalogues give a plural of (msgctxt "plural"), as their English msgids."""

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
        """This language with the organisation's own words (`ProgramFile.terms`). A phrase the rules
        cannot write is logged once per process and remembered for `terms_warnings`."""
        if not terms:
            return self
        heard = _HEARD.setdefault((self.tag, _as_written(terms)), {})

        def notice(what: str, message: str) -> None:
            if what not in heard:
                heard[what] = message
                log.warning("language %s: %s", self.tag, message)

        return replace(self, terms=Terms.of(self, terms, notice))

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

    def decimal(self, value: float, places: int = 2, sign: bool = False) -> str:
        """A number with up to `places` decimals, as the language writes it ('1.5', '1,5'); `sign`: '+1.20'."""
        if self.content is None:  # English: as Python writes it
            return f"{value:+.{places}f}" if sign else f"{value:.{places}f}".rstrip("0").rstrip(".")
        from babel.numbers import format_decimal

        pattern = ("+#,##0." + "0" * places + ";-#,##0." + "0" * places) if sign else "#,##0." + "#" * places
        return format_decimal(round(value, places), pattern, locale=self.locale)

    def long(self, value: date) -> str:
        """A date without its weekday: '1 February 2027', 'February 1, 2027', '1 février 2027'."""
        from babel.dates import format_date

        return format_date(value, "long", locale=self.locale)

    def month(self, value: date) -> str:
        """Month and year: 'February 2027', 'février 2027'."""
        from babel.dates import format_date

        return format_date(value, "MMMM y", locale=self.locale)

    def listing(self, words: Sequence[str], conjunction: Literal["and", "or"] = "and") -> str:
        """Words in a sentence, joined as the language joins them: 'a, b and c', 'a, b et c'."""
        if len(words) <= 1:
            return "".join(words)
        joined = self.gettext("%(some)s or %(last)s") if conjunction == "or" else self.gettext("%(some)s and %(last)s")
        return joined % {"some": ", ".join(words[:-1]), "last": words[-1]}

    def inline(self, label: str) -> str:
        """A label (a role, a type) inside a sentence: lower case, but in German, whose nouns keep
        their capital ('your executive mentee', 'Ihre Mentorin')."""
        return label if self.content == "de" else label.lower()

    def plural(self, word: str) -> str:
        """The plural of a role's or term's name: a program type's own label as the catalogue writes
        it in the plural (msgctxt "plural": "Mentorinnen und Mentoren", "mentores inversos"), else
        the language's regular ending on the name's head word ("Mentee aus der Führungsebene" ->
        "Mentees aus der Führungsebene", "mentor junior" -> "mentors juniors")."""
        known = _type_label_plural(self, word)
        if known is not None:
            return known
        if self.content in ("fr", "es"):  # the noun and its adjectives, up to a preposition
            words = word.split(" ")
            head = next((i for i, w in enumerate(words) if w.lower() in _ROMANCE_LINKS or "'" in w), len(words))
            return " ".join([self._plural_word(w) for w in words[:head]] + words[head:])
        if self.content == "de":  # the noun before a preposition or article (Mentee aus der Führungsebene)
            words = word.split(" ")
            head = next((i - 1 for i, w in enumerate(words) if i and w in _GERMAN_LINKS), len(words) - 1)
            return " ".join(words[:head] + [self._plural_word(words[head])] + words[head + 1:])
        return self._plural_word(word)

    def _plural_word(self, word: str) -> str:
        if self.content == "de":
            if word.endswith("in") and word[:1].isupper():  # Kollegin -> Kolleginnen
                return word + "nen"
            if word.lower().endswith("eer") or re.search(r"c(?![hk])|oa|oo|y$", word.lower()):
                return word + "s"  # English loanwords: Peers, Coachs, Scouts, Buddys
            if word.endswith(("er", "el", "en")):
                return word
            if word.endswith(("ee", "a", "i", "o", "u", "y")) or word[-1:].isupper():  # loanwords: Mentees, Peers
                return word + "s"
            if word.endswith("or"):  # Mentor -> Mentoren
                return word + "en"
            return word + ("n" if word.endswith("e") else "e")
        if self.content == "es":
            if word.lower().endswith(("ón", "ór")):  # sesión -> sesiones
                return word[:-2] + word[-2:].translate(str.maketrans("óÓ", "oO")) + "es"
            if word[-1:].lower() == "z":
                return word[:-1] + "ces"
            if word[-1:].lower() not in "aeiouáéíóú":
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


# words that end a role name's head: its plural is formed before them ("responsable de groupe")
_ROMANCE_LINKS = {"de", "du", "des", "d", "à", "au", "aux", "en", "pour", "avec", "del", "a", "al", "para", "con", "y",
                  "et", "ou", "o"}
_GERMAN_LINKS = {"aus", "von", "vom", "für", "der", "des", "mit", "im", "in", "am", "an", "oder", "und"}


def _type_label_plural(lang: Language, word: str) -> str | None:
    """The catalogue's plural (msgctxt "plural") of a program type's default role label that reads
    `word` in `lang`."""
    for label in sorted(lang.plural_labels):  # the team's catalogue's and ours
        if lang.gettext(label).casefold() == word.casefold():
            many = lang.pgettext("plural", label)
            if many != label and many.strip() not in ("", "-"):
                many = lang.text(many)
                if word[:1].isupper():
                    return many[:1].upper() + many[1:]
                return many if lang.content == "de" else many[:1].lower() + many[1:]  # German nouns keep theirs
    return None


def _newstyle_gettext(func: Callable[[str], str]) -> Callable[..., str]:
    from jinja2 import pass_context
    from markupsafe import Markup

    @pass_context
    def gettext(__context: JinjaContext, __string: str, **variables: Any) -> str:
        rv: str = func(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return gettext


def _newstyle_ngettext(func: Callable[[str, str, int], str]) -> Callable[..., str]:
    from jinja2 import pass_context
    from markupsafe import Markup

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
    plurals: frozenset[str] = frozenset()
    if shipped is not None:
        locale = SHIPPED[shipped]
        po = locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if shipped != SOURCE and po.is_file():
            translations, plurals = _compile(po, locale)
        content = None if shipped in (SOURCE, "en-US") else shipped
    else:
        try:
            locale = str(Locale.parse(tag, sep="-"))
        except (ValueError, UnknownLocaleError):
            locale = ""
        content = tag
    if own is not None:
        team, own_plurals = _compile(own, locale or None)
        plurals |= own_plurals
        if isinstance(translations, _gettext.GNUTranslations):
            team.add_fallback(translations)
        translations = team
    if not locale or (shipped is None and own is None):
        locale = SHIPPED[SOURCE]  # English words: English dates too
    found = Language(tag, locale, content, translations, root, plural_labels=plurals)
    if shipped is None:
        found.warn_once(f"mentorkit does not ship this language; no {tag}.po beside program.yml"
                        if own is None else "mentorkit does not ship this language (the team's "
                        f"{own.name} is used; what it lacks stays English)")
    return found


# --- the organisation's own words (`terms:`) ------------------------------------------------------
#
# Each language's catalogue says how its text writes mentorkit's key words: singular and plural
# (msgctxt "term"), grammatical gender ("term gender") and, for people, the feminine form the text
# also uses ("term feminine": German "Mentorin"; French "personne mentorée"). From these the rules
# below find every form of our word in our text (with its article, and in German its determiner,
# adjective and case) and write the team's word in its place, in the same number and case, with
# articles of the team's word's gender. docs/i18n.md explains it for teams and translators.

_GENDERS = ("m", "f", "n")


@dataclass(frozen=True)
class _Reading:
    """What a form of our word can be: number ('one'/'other'), gender, and (German) the case it shows."""

    number: str
    gender: str
    case: str = ""
    feminine: bool = False


@dataclass(frozen=True)
class _Ours:
    """One key word as the language's text writes it: each form with its readings (likeliest first)."""

    key: str
    one: str
    other: str
    gender: str
    feminine: tuple[str, str] | None
    forms: dict[str, tuple[_Reading, ...]]

    def masculine_forms(self) -> list[str]:
        """The word's own forms, longest first (not the feminine ones)."""
        feminine = set(self.feminine or ())
        return sorted((f for f in self.forms if f not in feminine), key=len, reverse=True)


@dataclass(frozen=True)
class _Theirs:
    """The team's word for a key word (`model.Term`), with its plural and gender filled in."""

    one: str
    other: str
    gender: str | None
    forms: dict[str, str]
    feminine: tuple[str, str] | None = None

    def word(self, number: str) -> str:
        return self.other if number == "other" else self.one


def _key_words(lang: Language) -> dict[str, _Ours]:
    """mentorkit's key words in `lang`: each word's forms, gender (m, f, n; '' where none) and feminine."""
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
    # Translators: "term feminine": the feminine form your text also uses for these people, singular
    # and plural (German: Mentorin, Mentorinnen), or another feminine way it names them (French:
    # personne mentorée, personnes mentorées); write - if your text has none.
    feminine = {
        "mentor": (pgettext("term feminine", "mentor"), pgettext("term feminine", "mentors")),
        "mentee": (pgettext("term feminine", "mentee"), pgettext("term feminine", "mentees")),
    }
    german = lang.content == "de"
    found = {}
    for key, (one, other, gender) in words.items():
        gender = gender if gender in _GENDERS else ""
        fem = feminine.get(key)
        fem = fem if fem and all(f.strip() not in ("", "-") for f in fem) and fem != (key, key + "s") else None
        forms: dict[str, list[_Reading]] = {}

        def add(form: str, reading: _Reading, forms: dict[str, list[_Reading]] = forms) -> None:
            readings = forms.setdefault(form, [])
            if reading not in readings:
                readings.append(reading)

        add(other, _Reading("other", gender))
        add(one, _Reading("one", gender))
        if german:
            if gender in ("m", "n"):  # genitive singular: des Mentors, des Programms, des Zieles
                endings = ("es",) if one.endswith(("s", "ß", "x", "z")) else ("s",) if one[-1:] in "aeiouy" \
                    or one.endswith(("en", "el", "er")) else ("s", "es")
                for ending in endings:
                    add(one + ending, _Reading("one", gender, "gen"))
            if not other.endswith(("n", "s")):  # dative plural: den Zielen
                add(other + "n", _Reading("other", gender, "dat"))
        if fem is not None:
            add(fem[1], _Reading("other", "f", feminine=True))
            add(fem[0], _Reading("one", "f", feminine=True))
        found[key] = _Ours(key, one, other, gender, fem, {f: tuple(r) for f, r in forms.items()})
    return found


def _theirs(lang: Language, term: Any) -> _Theirs:
    one = term if isinstance(term, str) else term.one
    other = (None if isinstance(term, str) else term.other) or lang.plural(one)
    gender = None if isinstance(term, str) else term.gender
    forms = {} if isinstance(term, str) else dict(term.forms)
    feminine = getattr(term, "feminine", None)  # both names of a person, if the team gives them (`model.Feminine`)
    if isinstance(feminine, str):
        feminine = (feminine, lang.plural(feminine))
    elif feminine is not None and not isinstance(feminine, (tuple, list)):
        feminine = (feminine.one, feminine.other or lang.plural(feminine.one))
    return _Theirs(one, other, gender, forms, tuple(feminine) if feminine else None)


def _target(ours: _Ours, theirs: _Theirs, reading: _Reading) -> tuple[Callable[[str], str], str]:
    """The team's word for a form of ours (their feminine for ours, if they give one) and its gender."""
    if reading.feminine and theirs.feminine is not None:
        feminine = theirs.feminine
        return (lambda number: feminine[1] if number == "other" else feminine[0]), "f"
    return theirs.word, theirs.gender or ours.gender or "m"


def _cased(word: str, like: str) -> str:
    """`word` with the capitals of `like` ('Programme' -> 'Scheme', 'PROGRAMME' -> 'SCHEME')."""
    if len(like) > 1 and like.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _alternatives(forms: Any) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# Where a word of ours starts and ends: not inside a word, a link target, an anchor or a placeholder
_BEFORE = r"(?<![\w/#(%.·-])"
_AFTER = r"(?![\w/(·-]|\.md)"
# German also renames the word inside a hyphenated compound (SMART-Ziel, Co-Mentor): nouns are
# capitalised there, link targets are not
_DE_BEFORE = r"(?:(?<![\w/#(%.-])|(?<=[^\W\d_]-))"
_DE_AFTER = r"(?:(?![\w/(-]|\.md)|(?=-[A-ZÄÖÜ]))"


class _Rule:
    """A pattern and what to write instead of what it matches."""

    __slots__ = ("pattern", "write")

    def __init__(self, pattern: re.Pattern[str], write: Callable[[re.Match[str]], str]):
        self.pattern, self.write = pattern, write


# --- German: determiners, adjectives and cases ------------------------------------------------
_CASES = ("nom", "acc", "dat", "gen")
_DE_DEFINITE = {"m": ("der", "den", "dem", "des"), "f": ("die", "die", "der", "der"),
                "n": ("das", "das", "dem", "des"), "pl": ("die", "die", "den", "der")}
_DE_ENDINGS = {  # determiners declined like "dieser" and like "ein"
    "der": {"m": ("er", "en", "em", "es"), "f": ("e", "e", "er", "er"), "n": ("es", "es", "em", "es"),
            "pl": ("e", "e", "en", "er")},
    "ein": {"m": ("", "en", "em", "es"), "f": ("e", "e", "er", "er"), "n": ("", "", "em", "es"),
            "pl": ("e", "e", "en", "er")},
}
_DE_STEMS = {"der": ("dies", "jed", "jen", "welch", "manch", "solch", "all"),
             "ein": ("unser", "kein", "mein", "dein", "sein", "ein", "ihr")}
_DE_ADJECTIVE = {  # adjective endings after a definite determiner, after an ein-word, and alone
    "weak": {"m": ("e", "en", "en", "en"), "f": ("e", "e", "en", "en"), "n": ("e", "e", "en", "en"),
             "pl": ("en", "en", "en", "en")},
    "mixed": {"m": ("er", "en", "en", "en"), "f": ("e", "e", "en", "en"), "n": ("es", "es", "en", "en"),
              "pl": ("en", "en", "en", "en")},
    "strong": {"m": ("er", "en", "em", "en"), "f": ("e", "e", "er", "er"), "n": ("es", "es", "em", "en"),
               "pl": ("e", "e", "en", "er")},
}
# a preposition and "dem", "der" or "das" written as one word
_DE_CONTRACTED = {"im": ("in", "dem"), "am": ("an", "dem"), "zum": ("zu", "dem"), "vom": ("von", "dem"),
                  "beim": ("bei", "dem"), "zur": ("zu", "der"), "ins": ("in", "das"), "ans": ("an", "das")}
_DE_CONTRACT = {parts: word for word, parts in _DE_CONTRACTED.items()}
_DE_DET = (r"(?<![\w-])(?:[Dd](?:er|ie|as|en|em|es)|[Ii]m|[Aa](?:m|ns)|[Zz]u[mr]|[Vv]om|[Bb]eim|[Ii]ns"
           r"|(?:[Dd]ies|[Jj]ed|[Jj]en|[Ww]elch|[Mm]anch|[Ss]olch|[Aa]ll)(?:er|e|en|em|es)"
           r"|(?:[Uu]nser|[Kk]ein|[Mm]ein|[Dd]ein|[Ss]ein|[Ee]in|[Ii]hr)(?:e|en|em|er|es)?)(?![\w-])")
# an adjective between the determiner and the noun (ersten, gute, anderen); not a conjunction
_DE_NOT_ADJECTIVE = ("oder", "aber", "über", "unter", "hinter", "wieder", "immer", "weder", "sondern", "außer",
                     "neben", "gegen", "eher", "später", "früher", "sicher", "sehr", "mehr", "weniger", "bitte",
                     "gerne", "ohne", "habe", "nie", "wie", "sie", "hier", "jeder", "einer", "beide")
_DE_ADJ = (r"(?<![\w-])(?!(?i:" + "|".join(_DE_NOT_ADJECTIVE) + r")\b)[a-zäöüß][a-zäöüß]*(?:e|en|er|es|em)(?![\w-])")
_DE_ADJ_ALONE = (r"(?<![\w-])(?!(?i:" + "|".join(_DE_NOT_ADJECTIVE) + r")\b)(?i:[a-zäöüß])[a-zäöüß]*(?:e|er|es|em)"
                 r"(?![\w-])")


def _de_determiner(token: str) -> tuple[str, str, str] | None:
    """A German determiner: (kind, how its stem is written, preposition): kind is 'def' (der, die,
    das), 'der' (dieser, jede) or 'ein' (ein, Ihr, keine); None if `token` is none."""
    low = token.lower()
    if low in _DE_CONTRACTED:
        return "def", "", _DE_CONTRACTED[low][0]
    if low in {a for forms in _DE_DEFINITE.values() for a in forms}:
        return "def", "", ""
    for kind, stems in _DE_STEMS.items():
        for stem in stems:
            if low.startswith(stem) and low[len(stem):] in set(_DE_ENDINGS[kind]["m"] + _DE_ENDINGS[kind]["f"]
                                                                 + _DE_ENDINGS[kind]["n"]):
                return kind, token[:len(stem)], ""
    return None


def _de_form(kind: str, stem: str, preposition: str, gn: str, case: int) -> str:
    if kind == "def":
        article = _DE_DEFINITE[gn][case]
        if preposition:
            return _DE_CONTRACT.get((preposition, article), f"{preposition} {article}")
        return article
    return stem + _DE_ENDINGS[kind][gn][case]


def _de_cases(token: str, found: tuple[str, str, str], gn: str) -> set[int]:
    kind, stem, preposition = found
    return {c for c in range(4) if _de_form(kind, stem.lower(), preposition, gn, c) == token.lower()}


def _de_noun(word: str, number: str, gender: str, cases: set[int]) -> str:
    """The team's word in a number and case: genitive -s (des Coachs), the -n of a weak masculine
    noun (dem Paten) and of the dative plural (den Teams, den Gruppen, den Zielen)."""
    if number == "other":
        return word + "n" if cases == {2} and not word.endswith(("n", "s")) else word
    if cases == {3} and gender in ("m", "n"):
        return word + ("es" if word.endswith(("s", "ß", "x", "z")) else "n" if word.endswith("e")
                       and not word.endswith("ee") and gender == "m" else "s")
    if gender == "m" and word.endswith("e") and not word.endswith("ee") and cases and cases <= {1, 2, 3}:
        return word + "n"
    return word


def _de_phrase(determiner: str | None, adjective: str | None, spaces: tuple[str, str], readings: tuple[_Reading, ...],
               word: Callable[[str], str], gender: str, original: str, notice: Callable[[str], None]) -> str:
    """A German noun phrase of ours ([determiner] [adjective] noun) with the team's word: the
    determiner and adjective take the endings of the team's word's gender, in the same case."""
    found = _de_determiner(determiner) if determiner else None
    chosen, cases = readings[0], set(range(4))
    if found is not None:
        for reading in readings:
            gn = "pl" if reading.number == "other" else reading.gender or "m"
            matching = _de_cases(determiner or "", found, gn)
            if found[2]:  # after a preposition (im, zum, ins): never the nominative
                matching -= {0}
            if reading.case:
                matching &= {_CASES.index(reading.case)}
            if matching:
                chosen, cases = reading, matching
                break
    elif adjective is not None:  # no determiner: the adjective's own ending shows number and case
        for reading in readings:
            gn = "pl" if reading.number == "other" else reading.gender or "m"
            stem, ending = _de_adjective_stem(adjective)
            matching = {c for c in range(4) if _DE_ADJECTIVE["strong"][gn][c] == ending}
            if reading.case:
                matching &= {_CASES.index(reading.case)}
            if matching:
                chosen, cases = reading, matching
                break
    elif chosen.case:
        cases = {_CASES.index(chosen.case)}
    if chosen.number == "one" and chosen.gender in ("m", "n") and not chosen.case:
        cases -= {3}  # the genitive of our word is a form of its own (des Programms)
    target = "pl" if chosen.number == "other" else gender
    out = []
    if determiner is not None:
        if found is None:
            out.append(determiner)
        else:
            options = {_de_form(found[0], found[1], found[2], target, c) for c in cases}
            new = options.pop() if len(options) == 1 else None
            if new is None:
                new = determiner
                kept = {c for c in cases if _de_form(found[0], found[1], found[2], target, c).lower() == determiner.lower()}
                if kept:  # the determiner fits one reading: the adjective takes the same (Ihr erster Termin)
                    cases = kept
                else:
                    notice(original)
            out.append(_cased(new, determiner) if not new[:1].isupper() else new)
        out.append(spaces[0])
    if adjective is not None:
        stem, ending = _de_adjective_stem(adjective)
        table = _DE_ADJECTIVE["strong" if found is None else "mixed" if found[0] == "ein" else "weak"]
        endings = {table[target][c] for c in cases}
        if len(endings) == 1:
            out.append(stem + endings.pop())
        else:
            out.append(adjective)
            if ending not in endings and determiner is None:
                notice(original)
        out.append(spaces[1])
    out.append(_de_noun(word(chosen.number), chosen.number, gender, cases))
    return "".join(out)


def _de_adjective_stem(adjective: str) -> tuple[str, str]:
    for ending in ("en", "er", "es", "em", "e"):
        if adjective.endswith(ending) and len(adjective) > len(ending) + 1:
            return adjective[:-len(ending)], ending
    return adjective, ""


# --- French and Spanish articles ------------------------------------------------------------
# kind -> (masculine, feminine, before a vowel or a mute h (None: as its gender))
_FR_ARTICLES = {"le": ("le ", "la ", "l'"), "du": ("du ", "de la ", "de l'"), "au": ("au ", "à la ", "à l'"),
                "un": ("un ", "une ", None), "ce": ("ce ", "cette ", None), "de": ("de ", "de ", "d'"),
                "dun": ("d'un ", "d'une ", None), "qun": ("qu'un ", "qu'une ", None)}
_FR_SPELLINGS = {"le ": ("le", "m"), "la ": ("le", "f"), "l'": ("le", ""), "du ": ("du", "m"), "de la ": ("du", "f"),
                 "de l'": ("du", ""), "au ": ("au", "m"), "à la ": ("au", "f"), "à l'": ("au", ""),
                 "un ": ("un", "m"), "une ": ("un", "f"), "un·e ": ("un", "·"), "ce ": ("ce", "m"),
                 "cet ": ("ce", "m"), "cette ": ("ce", "f"), "de ": ("de", ""), "d'": ("de", ""),
                 "d'un ": ("dun", "m"), "d'une ": ("dun", "f"), "qu'un ": ("qun", "m"), "qu'une ": ("qun", "f")}
# before a plural: the same for both genders
_FR_PLURAL = ("les ", "des ", "aux ", "ces ", "vos ", "nos ", "leurs ", "mes ", "tes ", "ses ", "de ", "d'")
# adjectives before the noun: masculine, feminine, their plurals, and the masculine before a vowel
_Adjective = tuple[str, str, str, str, str | None]
_FR_ADJECTIVES: list[_Adjective] = [("premier", "première", "premiers", "premières", None),
                  ("dernier", "dernière", "derniers", "dernières", None),
                  ("prochain", "prochaine", "prochains", "prochaines", None),
                  ("seul", "seule", "seuls", "seules", None), ("bon", "bonne", "bons", "bonnes", None),
                  ("meilleur", "meilleure", "meilleurs", "meilleures", None),
                  ("nouveau", "nouvelle", "nouveaux", "nouvelles", "nouvel"),
                  ("ancien", "ancienne", "anciens", "anciennes", None), ("petit", "petite", "petits", "petites", None),
                  ("grand", "grande", "grands", "grandes", None), ("vrai", "vraie", "vrais", "vraies", None),
                  ("futur", "future", "futurs", "futures", None), ("seul·e", "seul·e", "seul·es", "seul·es", None)]
_ES_ARTICLES = {  # singular and plural words that show a noun's gender, masculine and feminine
    "one": [("el ", "la "), ("del ", "de la "), ("al ", "a la "), ("un ", "una "), ("este ", "esta "),
            ("ese ", "esa "), ("aquel ", "aquella "), ("nuestro ", "nuestra "), ("vuestro ", "vuestra "),
            ("otro ", "otra "), ("ningún ", "ninguna "), ("algún ", "alguna ")],
    "other": [("los ", "las "), ("unos ", "unas "), ("estos ", "estas "), ("esos ", "esas "),
              ("nuestros ", "nuestras "), ("vuestros ", "vuestras "), ("otros ", "otras "),
              ("todos los ", "todas las "), ("algunos ", "algunas "), ("muchos ", "muchas ")],
}
_ES_SAME = ("cada ", "tu ", "su ", "mi ", "tus ", "sus ", "mis ", "de ", "a ")  # the same for both genders
_ES_ADJECTIVES: list[_Adjective] = [("primer", "primera", "primeros", "primeras", None), ("último", "última", "últimos", "últimas", None),
                  ("próximo", "próxima", "próximos", "próximas", None), ("único", "única", "únicos", "únicas", None),
                  ("nuevo", "nueva", "nuevos", "nuevas", None), ("mismo", "misma", "mismos", "mismas", None),
                  ("propio", "propia", "propios", "propias", None), ("buen", "buena", "buenos", "buenas", None),
                  ("antiguo", "antigua", "antiguos", "antiguas", None)]
_VOWEL = "aeiouyhàâäéèêëîïôöùûü"
def _adjective(table: list[_Adjective], adjective: str, gender: str, number: str,
               word: str) -> str:
    """A French or Spanish adjective before the noun, in the team's word's gender and our number."""
    low = adjective.lower()
    for forms in table:
        if low in forms[:4]:
            new: str = forms[(2 if number == "other" else 0) + (1 if gender == "f" else 0)] or adjective
            if forms[4] and new == forms[0] and word[:1].lower() in _VOWEL:
                new = forms[4]  # nouvel accompagnateur
            return _cased(new, adjective)
    return adjective


@dataclass(frozen=True)
class Terms:
    """The team's words put in place of ours, in one pass over a text: exact phrases first, then our
    word with the words that agree with it (articles; in German also determiners, adjectives and the
    case endings), then the word alone (plural before singular), keeping capitals. Placeholders,
    link targets and anchors are never touched. A German compound left as written (Etappenziel) is
    named in a warning, once."""

    rules: tuple[_Rule, ...]
    leftovers: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = ()
    notice: Callable[[str, str], None] = field(default=lambda what, message: None, compare=False)

    @classmethod
    def of(cls, lang: Language, given: dict[str, Any], notice: Callable[[str, str], None] | None = None) -> Terms:
        """The rules for `given` (`ProgramFile.terms`) in `lang`; `notice(what, message)` hears about a
        phrase the rules cannot write (the team gives it under `forms:`) each time they meet it; `what`
        starts with the key word ("meeting: das Treffen")."""
        ours_all = _key_words(lang)
        say = notice or (lambda what, message: None)
        code = lang.content or ""
        rules: list[_Rule] = []
        leftovers = []
        for key, term in given.items():
            ours, theirs = ours_all[key], _theirs(lang, term)

            def tell(phrase: str, key: str = key) -> None:
                say(f"{key}: {phrase}", f"terms: {key}: the case of \"{phrase}\" is not clear, so its article "
                    f"is left as it is; give the phrase under terms: {key}: forms:")

            for phrase, instead in theirs.forms.items():
                rules.append(_Rule(re.compile(re.escape(phrase)), _constant(instead)))
            if code == "de":
                rules += _german_rules(ours, theirs, tell)
                leftovers.append(_leftover(ours, theirs))
            elif code in ("fr", "es"):
                rules += _romance_rules(code, ours, theirs)
            elif not code and lang.locale.startswith("en"):
                rules += _english_rules(ours, theirs)
            rules += _word_rules(code, ours, theirs)
        return cls(tuple(rules), tuple(leftovers), say)

    def apply(self, text: str) -> str:
        """`text` in the team's words."""
        if not self.rules or not text:
            return text
        found = [rule.pattern.search(text) for rule in self.rules]
        out, at = [], 0
        while True:
            best = None
            for i, match in enumerate(found):
                if match is not None and (best is None or match.start() < found[best].start()):  # type: ignore[union-attr]
                    best = i
            if best is None:
                break
            match = found[best]
            assert match is not None
            out += [text[at:match.start()], self.rules[best].write(match)]
            at = match.end()
            for i, other in enumerate(found):
                if other is not None and other.start() < at:
                    found[i] = self.rules[i].pattern.search(text, at)
        out.append(text[at:])
        result = "".join(out)
        for key, pattern, allowed in self.leftovers:
            for match in pattern.finditer(result):
                if match.group(0) not in allowed:
                    self.notice(f"{key}: {match.group(0)}", f"terms: {key}: \"{match.group(0)}\" ends in our word and "
                                "is left as written; give it under terms: "
                                f"{key}: forms: if it should change (\"{_around(result, match)}\")")
        return result


def _around(text: str, match: re.Match[str], width: int = 30) -> str:
    start = max(0, match.start() - width)
    end = min(len(text), match.end() + width)
    return ("..." if start else "") + " ".join(text[start:end].split()) + ("..." if end < len(text) else "")


def _word_rules(code: str, ours: _Ours, theirs: _Theirs) -> list[_Rule]:
    """Our word alone, each form: the team's word in its number (and, in German, its case)."""
    rules = []
    german = code == "de"
    before, after = (_DE_BEFORE, _DE_AFTER) if german else (_BEFORE, _AFTER)
    for form, readings in sorted(ours.forms.items(), key=lambda item: len(item[0]), reverse=True):
        one = next((r for r in readings if r.number == "one" and not r.case), None)
        if german and one is not None and one != readings[0]:  # Treffen 3, Treffen %(number)s: one meeting
            word, gender = _target(ours, theirs, one)
            pattern = re.compile(before + re.escape(form) + r"(?=\s+(?:\d|%\())")
            rules.append(_Rule(pattern, _noun_writer(word, one, gender, set(), german)))
        pattern = re.compile(before + re.escape(form) + after, 0 if german else re.IGNORECASE)
        reading = readings[0]
        word, gender = _target(ours, theirs, reading)
        cases = {_CASES.index(reading.case)} if reading.case else set()
        rules.append(_Rule(pattern, _noun_writer(word, reading, gender, cases, german)))
    return rules


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    return lambda match: text


def _noun_writer(word: Callable[[str], str], reading: _Reading, gender: str, cases: set[int],
                 german: bool) -> Callable[[re.Match[str]], str]:
    """Our word alone -> the team's word in its number (German: and case), with our word's capitals."""
    def write(match: re.Match[str]) -> str:
        text = word(reading.number)
        return _cased(_de_noun(text, reading.number, gender, cases) if german else text, match.group(0))

    return write


def _german_rules(ours: _Ours, theirs: _Theirs, tell: Callable[[str], None]) -> list[_Rule]:
    """German: both names of a person (die Mentorin oder der Mentor) become one phrase of the team's
    word (or stay both, if the team gives both); our word after a determiner (and an adjective), or
    after an adjective alone, takes the team's word's gender in the case ours shows."""
    rules = []
    nouns = _alternatives(ours.forms)
    if ours.feminine is not None:
        feminine = _alternatives(ours.feminine)
        masculine = _alternatives(ours.masculine_forms())
        half = (rf"(?:(?P<{{0}}det>{_DE_DET})(?P<{{0}}s1>\s+)(?:(?P<{{0}}adj>{_DE_ADJ})(?P<{{0}}s2>\s+))?"
                rf"|(?P<{{0}}alone>{_DE_ADJ_ALONE})(?P<{{0}}s3>\s+))?")
        pair = re.compile(half.format("f") + r"(?:(?P<compound>(?<![\w-])[^\W\d_]+-)|(?<![\w/#(%.-]))"
                          rf"(?P<fem>{feminine})(?P<sep>\s+(?:oder|und|bzw\.)\s+|,\s+|\s*/\s*)"
                          + half.format("m") + rf"(?P<dash>-)?(?P<masc>{masculine})(?![\w/(-]|\.md)")

        def write_pair(m: re.Match[str]) -> str:
            fem, masc = ours.forms[m.group("fem")], ours.forms[m.group("masc")]

            def side(name: str, readings: tuple[_Reading, ...], word: Callable[[str], str], gender: str) -> str:
                if m.group(f"{name}alone"):  # an adjective without a determiner
                    return _de_phrase(None, m.group(f"{name}alone"), ("", m.group(f"{name}s3")), readings, word,
                                      gender, m.group(0), tell)
                return _de_phrase(m.group(f"{name}det"), m.group(f"{name}adj"),
                                  (m.group(f"{name}s1") or "", m.group(f"{name}s2") or ""), readings, word, gender,
                                  m.group(0), tell)

            def has(name: str) -> bool:
                return bool(m.group(f"{name}det") or m.group(f"{name}alone"))

            if theirs.feminine is not None:  # the team names both too: both stay, in their words
                return (m.group("compound") or "") + side("f", fem, *_target(ours, theirs, fem[0])) + m.group("sep") \
                    + (m.group("dash") or "") + side("m", masc, *_target(ours, theirs, masc[0]))
            number = fem[0].number
            if m.group("compound"):
                return m.group("compound") + theirs.word(number)
            gender = theirs.gender or ours.gender or "m"
            if number == "other":
                chosen = "m" if has("m") else "f"
            else:
                chosen = "f" if gender == "f" and has("f") else "m"
            readings = tuple(replace(r, feminine=False) for r in (fem if chosen == "f" else masc))
            # the half whose words agree with the team's word's gender, with the team's word
            text = side(chosen, readings, theirs.word, gender)
            return text[:1].upper() + text[1:] if m.group(0)[:1].isupper() else text

        rules.append(_Rule(pair, write_pair))
    phrase = re.compile(rf"(?P<det>{_DE_DET})(?P<s1>\s+)(?:(?P<adj>{_DE_ADJ})(?P<s2>\s+))?"
                        rf"(?P<noun>{nouns}){_DE_AFTER}")

    def write_phrase(m: re.Match[str]) -> str:
        readings = ours.forms[m.group("noun")]
        word, gender = _target(ours, theirs, readings[0])
        return _de_phrase(m.group("det"), m.group("adj"), (m.group("s1"), m.group("s2") or ""), readings, word,
                          gender, m.group(0), tell)

    rules.append(_Rule(phrase, write_phrase))
    alone = re.compile(rf"(?P<adj>{_DE_ADJ_ALONE})(?P<s2>\s+)(?P<noun>{nouns}){_DE_AFTER}")

    def write_alone(m: re.Match[str]) -> str:
        readings = ours.forms[m.group("noun")]
        word, gender = _target(ours, theirs, readings[0])
        return _de_phrase(None, m.group("adj"), ("", m.group("s2")), readings, word, gender, m.group(0), tell)

    rules.append(_Rule(alone, write_alone))
    # a compound that starts with our word (Programmteam, Zielfristen): the team's word, a hyphen and
    # the rest, as German spelling allows (Initiative-Team); `forms:` gives it solid (Initiativteam)
    compound = re.compile(rf"(?<![\w/#(%.-]){re.escape(ours.one)}(?!{_DE_NOT_COMPOUND})(?P<rest>[a-zäöüß]{{3,}})"
                          r"(?![\w/(]|\.md)")
    rules.append(_Rule(compound, lambda m: f"{theirs.one}-{m.group('rest')[:1].upper()}{m.group('rest')[1:]}"))
    return rules


# what follows our word without making a compound: Mentoring is no compound of Mentor, -innen is a form
_DE_NOT_COMPOUND = r"ing|ier|innen\b"


# adjectives and participles right after the noun whose ending shows its gender, and what they
# become in the other gender. Endings that are as often a verb's (il arrive, elle rejoint, ils
# partagent) are left out, or kept to the stems adjectives have (-tive, -nelle)
_FR_EITHER = ["suivant", "précédent", "important", "différent", "récurrent", "fréquent", "intéressant",
              "suffisant", "courant", "existant"]
_AFTER_NOUN: dict[str, dict[str, list[tuple[str, str]]]] = {
    "fr": {
        "f": [("és$", "ées"), ("é$", "ée"), ("([ts])ifs$", r"\1ives"), ("([ts])if$", r"\1ive"),
              ("([nuimré])els$", r"\1elles"), ("([nuimré])el$", r"\1elle"), ("ints$", "intes"),
              *((f"^{w}(s?)$", rf"{w}e\1") for w in _FR_EITHER)],
        "m": [("ées$", "és"), ("ée$", "é"), ("([ts])ives$", r"\1ifs"), ("([ts])ive$", r"\1if"),
              ("([nuimré])elles$", r"\1els"), ("([nuimré])elle$", r"\1el"), ("intes$", "ints"), ("inte$", "int"),
              ("antes$", "ants"), ("entes$", "ents"), ("ues$", "us"), *((f"^{w}e(s?)$", rf"{w}\1") for w in _FR_EITHER)],
    },
    "es": {
        "f": [("ados$", "adas"), ("ado$", "ada"), ("idos$", "idas"), ("ido$", "ida"), ("ivos$", "ivas"), ("ivo$", "iva")],
        "m": [("adas$", "ados"), ("ada$", "ado"), ("idas$", "idos"), ("ida$", "ido"), ("ivas$", "ivos"), ("iva$", "ivo")],
    },
}
_AFTER_ENDINGS = {"fr": "é|ée|és|ées|if|ive|ifs|ives|el|elle|els|elles|int|inte|ints|intes|ant|ante|ants|antes|ent|ente"
                        "|ents|entes|ues",
                  "es": "ado|ada|ados|adas|ido|ida|idos|idas|ivo|iva|ivos|ivas"}


def _after_noun(code: str, word: str, ours: str, theirs: str) -> str:
    """An adjective or participle right after our noun (gender `ours`), for the team's noun (`theirs`)."""
    if ours == theirs or {ours, theirs} - {"m", "f"}:
        return word
    for pattern, instead in _AFTER_NOUN[code][theirs]:
        if re.search(pattern, word) and len(word) > 3:
            return re.sub(pattern, instead, word)
    return word


def _romance_rules(code: str, ours: _Ours, theirs: _Theirs) -> list[_Rule]:
    """French and Spanish: the articles (and the like) and adjectives before our word agree with the
    team's word: its gender, and in French its first letter (l'accompagnateur, cet objectif)."""
    rules = []
    table = _FR_ADJECTIVES if code == "fr" else _ES_ADJECTIVES
    adjectives = "|".join(re.escape(f) for forms in table for f in forms[:4])
    for form, readings in ours.forms.items():
        reading = readings[0]
        word_of, gender = _target(ours, theirs, reading)
        word = word_of(reading.number)
        if code == "fr":
            singular = [a for a in _FR_SPELLINGS if a not in ("de ", "d'") or word[:1].lower() in _VOWEL
                        or form[:1].lower() in _VOWEL]
            articles = list(_FR_PLURAL) if reading.number == "other" else singular
            articles += [a.replace("'", "’") for a in articles if "'" in a]
        else:
            articles = [a for pair in _ES_ARTICLES["other" if reading.number == "other" else "one"] for a in pair]
            articles += list(_ES_SAME)
        spelled = "|".join(re.escape(a) for a in sorted(set(articles), key=len, reverse=True))
        post = rf"(?: (?P<post>[^\W\d_]{{2,}}(?:{_AFTER_ENDINGS[code]}))(?![\w'’·-]))"
        noun = rf"(?P<noun>{re.escape(form)}){_AFTER}"
        write = _romance_writer(code, word, gender, reading, "·" in word and theirs.gender is None)
        rules.append(_Rule(re.compile(rf"(?<![\w'’·])(?P<art>{spelled})(?:(?P<adj>{adjectives}) )?{noun}{post}?",
                                      re.IGNORECASE), write))
        rules.append(_Rule(re.compile(rf"(?<![\w'’·-])(?P<adj>{adjectives}) {noun}{post}?", re.IGNORECASE), write))
        rules.append(_Rule(re.compile(rf"{_BEFORE}{noun}{post}", re.IGNORECASE), write))
    return rules


def _romance_writer(code: str, word: str, gender: str, reading: _Reading, inclusive: bool
                    ) -> Callable[[re.Match[str]], str]:
    number = reading.number

    def write(m: re.Match[str]) -> str:
        found = m.groupdict()
        article, adjective, after = found.get("art"), found.get("adj"), found.get("post")
        out = ""
        if adjective:
            adjective = _adjective(_FR_ADJECTIVES if code == "fr" else _ES_ADJECTIVES, adjective, gender, number,
                                   word) + " "
        follows = adjective or word
        if article and code == "fr":  # before a plural only de/d' changes (d'accompagnateurs)
            plural_same = number == "other" and article.lower().replace("’", "'") not in ("de ", "d'")
            out = article if plural_same else _fr_article(article, gender, follows, inclusive)
        elif article:
            out = _es_article(article, gender)
        if after and not inclusive:
            after = _after_noun(code, after, reading.gender, gender)
        return out + (adjective or "") + _cased(word, m.group("noun")) + (f" {after}" if after else "")

    return write


def _es_article(article: str, gender: str) -> str:
    low = article.lower()
    for masculine, feminine in _ES_ARTICLES["one"] + _ES_ARTICLES["other"]:
        if low in (masculine, feminine):
            return _cased(feminine if gender == "f" else masculine, article)
    return article


def _fr_article(article: str, gender: str, word: str, inclusive: bool) -> str:
    """A French article (le, du, au, un, ce, de; la, l', un·e...) for the team's `word` of `gender`."""
    kind, shown = _FR_SPELLINGS[article.lower().replace("’", "'")]
    masculine, feminine, elided = _FR_ARTICLES[kind]
    if inclusive and not (elided is not None and word[:1].lower() in _VOWEL):  # the team's own inclusive word
        both = "un·e " if kind == "un" else masculine if masculine == feminine else f"{masculine[:-1]} ou {feminine}"
        return _cased(both, article)
    new = feminine if gender == "f" else masculine
    if word[:1].lower() in _VOWEL:
        if elided is not None:
            new = elided
        elif kind == "ce" and gender != "f":
            new = "cet "
    return _cased(new.replace("'", "’" if "’" in article else "'"), article)


def _english_rules(ours: _Ours, theirs: _Theirs) -> list[_Rule]:
    """English: 'a' or 'an' before the team's word as it sounds (a mentor, an adviser)."""
    word = theirs.one
    article = "an " if word[:1].lower() in "aeio" else "a "
    pattern = re.compile(rf"(?<![\w'])(?P<art>an? )(?P<noun>{re.escape(ours.one)}){_AFTER}", re.IGNORECASE)
    return [_Rule(pattern, lambda m: _cased(article, m.group("art")) + _cased(word, m.group("noun")))]


def _leftover(ours: _Ours, theirs: _Theirs) -> tuple[str, re.Pattern[str], frozenset[str]]:
    """German compounds that end in our word (Etappenziel): mentorkit cannot form them."""
    theirs_words = " ".join([theirs.one, theirs.other, *theirs.forms.values(), *(theirs.feminine or ())])
    allowed = frozenset(re.findall(r"[\w·-]+", theirs_words))
    lower = re.escape(ours.one.lower())
    pattern = re.compile(rf"(?<![\w/#(%.-])[A-ZÄÖÜ][a-zäöüß]+{lower}(?:e|en|n|s|es)?(?![\w/(-]|\.md)")
    return ours.key, pattern, allowed


# What `terms:` could not write, heard in this process: (language tag, the terms as written) -> what
# -> message. The log tells each phrase once; a build with --strict reads them all (`terms_warnings`)
# once its texts are written, whether or not an earlier build in this process logged them.
_HEARD: dict[tuple[str, str], dict[str, str]] = {}


def _as_written(terms: dict[str, Any]) -> str:
    return repr(sorted(terms.items()))


def terms_warnings(pf: Any, located: Any) -> list[Any]:
    """Each phrase `terms:` could not write in the texts made so far for the program `pf`
    (`ProgramFile`), as a warning located at its key under `terms:` in program.yml (`located`)."""
    heard = _HEARD.get((pf.program.language, _as_written(dict(pf.terms))), {})
    found = []
    for what, message in heard.items():
        key = what.partition(":")[0]
        found.append(located.problem(("terms", key), message.removeprefix(f"terms: {key}: "), severity="warning"))
    return sorted(found)


def strict_terms(pf: Any, located: Any) -> None:
    """For `--strict`: raise ProgramError naming, as errors, the phrases `terms:` could not write in
    the texts made so far for `pf` (call it once they are all made)."""
    from .errors import Problem, ProgramError

    found = terms_warnings(pf, located)
    if found:
        raise ProgramError([Problem(w.file, w.line, w.column, "error", w.path, w.message) for w in found])


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
    `k` of each call `calls` names as `Name:n` or `Name:k`, for the catalogue; `plurals` names
    arguments (`Name:n`) whose plural the catalogue holds too (msgctxt "plural"). The module's
    gettext calls are found as the Python extractor finds them. Dict keys and the arguments of `skip`
    calls (e.g. `Interval("week")`) are not texts. The module is read, never imported."""
    import ast

    from babel.messages.extract import extract_python

    source = fileobj.read()
    # the module's own gettext calls (lang.gettext, N_) as the Python extractor finds them
    yield from extract_python(io.BytesIO(source if isinstance(source, bytes) else source.encode("utf-8")), keywords,
                              comment_tags, options)  # type: ignore[arg-type]
    tree = ast.parse(source)
    names = set(options.get("names", "").split())
    plurals: dict[str, list[int]] = {}  # `Name:n` -> argument n's text also as msgctxt "plural"
    for call in options.get("plurals", "").split():
        name, _, which = call.partition(":")
        plurals.setdefault(name, []).append(int(which))
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
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in plurals:
            for index in plurals[node.func.id]:
                argument = node.args[index] if index < len(node.args) else None
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield argument.lineno, "pgettext", ("plural", argument.value), \
                        ["the plural of this role's name, as your text writes it"]
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
