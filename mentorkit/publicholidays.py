"""Public holidays of a country or subdivision (`cadence.holidays`), through the `holidays` package.

Named so as not to shadow that package. Codes are ISO 3166: a country ('GB', 'DE') or a country and
one of its subdivisions ('GB-ENG', 'DE-BY', 'US-CA').
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from .suggest import closest

# names people often write for a country whose ISO code is something else
_ALIASES = {"UK": "GB", "EN": "GB-ENG", "ENGLAND": "GB-ENG", "SCOTLAND": "GB-SCT", "WALES": "GB-WLS"}


def _supported() -> dict[str, list[str]]:
    import holidays

    return {country: list(subdivisions) for country, subdivisions in holidays.list_supported_countries().items()}


def region_problem(code: str) -> str | None:
    """Why `code` is not a country or subdivision the holidays package knows, with a did-you-mean; or None."""
    supported = _supported()
    country, _, subdivision = code.strip().partition("-")
    upper = country.upper()
    if upper not in supported:
        alias = _ALIASES.get(code.strip().upper())
        hint = f"; did you mean {alias!r}?" if alias else closest(upper, sorted(c for c in supported if len(c) == 2))
        return (f"unknown country {country!r} for public holidays{hint or ''}; use an ISO 3166 code such as "
                "'GB', 'GB-ENG', 'DE-BY' or 'US-CA'")
    if subdivision:
        names = {s.upper(): s for s in supported[upper]}
        if subdivision.upper() not in names:
            hint = _region_hint(upper, closest(subdivision, supported[upper]))
            listed = ", ".join(f"{upper}-{s}" for s in supported[upper][:12]) or "none"
            more = " ..." if len(supported[upper]) > 12 else ""
            return f"unknown subdivision {subdivision!r} of {upper}{hint}; known: {listed}{more}"
    return None


def _region_hint(country: str, hint: str) -> str:
    """'; did you mean 'ENG'?' -> "; did you mean 'GB-ENG'?"."""
    if not hint:
        return ""
    name = hint.split("'")[1]
    return f"; did you mean '{country}-{name}'?"


def normalise(code: str) -> str:
    """'gb-eng' -> 'GB-ENG' (the holidays package's own spelling of the subdivision)."""
    country, _, subdivision = code.strip().partition("-")
    country = country.upper()
    if not subdivision:
        return country
    names = {s.upper(): s for s in _supported().get(country, [])}
    return f"{country}-{names.get(subdivision.upper(), subdivision)}"


def _language(country_class: type, language: str) -> str | None:
    """The holiday names' language: the handbook's if the package has it, else English, else its own."""
    supported = tuple(getattr(country_class, "supported_languages", ()))
    wanted = language.replace("-", "_")
    for candidate in (wanted, wanted.split("_")[0], "en_GB", "en_US", "en"):
        if candidate in supported:
            return candidate
    return None


def public_holidays(code: str, years: Iterable[int], language: str = "en") -> dict[date, str]:
    """Day -> holiday name, for the years given."""
    import holidays

    country, _, subdivision = normalise(code).partition("-")
    plain = holidays.country_holidays(country, subdiv=subdivision or None, years=list(years))
    chosen = _language(type(plain), language)
    if chosen is not None and chosen != getattr(plain, "language", None):
        plain = holidays.country_holidays(country, subdiv=subdivision or None, years=list(years), language=chosen)
    return {day: str(name) for day, name in sorted(plain.items())}


def next_working_day(day: date, off: dict[date, str]) -> date:
    """The first day after `day` that is Monday to Friday and not a public holiday."""
    day += timedelta(days=1)
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, off: dict[date, str]) -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while day.weekday() >= 5 or day in off:
        day -= timedelta(days=1)
    return day
