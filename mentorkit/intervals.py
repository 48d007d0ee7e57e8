"""Durations and intervals written the way people say them: "2 weeks", "60 min", "9 months", "none"."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

UNITS = {
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
    "fortnight": "fortnight", "fortnights": "fortnight",
    "month": "month", "months": "month",
    "y": "year", "yr": "year", "year": "year", "years": "year",
}
_PATTERN = re.compile(r"^\s*(\d+)?\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Interval:
    """An amount of a calendar unit; amount 0 means "none" (no meetings)."""

    amount: int
    unit: str

    @property
    def is_none(self) -> bool:
        """True for the explicit "none"."""
        return self.amount == 0

    def __str__(self) -> str:
        if self.is_none:
            return "none"
        word = {"minute": "min"}.get(self.unit, self.unit)
        plural = "" if self.amount == 1 or word == "min" else "s"
        return f"{self.amount} {word}{plural}"

    def minutes(self) -> int:
        """Length in minutes for minute/hour intervals."""
        return self.amount * (60 if self.unit == "hour" else 1)

    def approx_days(self) -> float:
        """Roughly how many days the interval spans (for comparisons and warnings)."""
        per = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}
        return self.amount * per[self.unit]

    def add_to(self, start: date, times: int = 1) -> date:
        """`start` moved forward by this interval `times` times (months clamp to the month's end)."""
        n = self.amount * times
        if self.unit == "day":
            return start + timedelta(days=n)
        if self.unit == "week":
            return start + timedelta(weeks=n)
        if self.unit in ("month", "year"):
            months = n * (12 if self.unit == "year" else 1)
            y, m = divmod(start.month - 1 + months, 12)
            year, month = start.year + y, m + 1
            return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        raise ValueError(f"cannot add {self} to a date")


NONE = Interval(0, "none")


def parse_interval(value: Any, *, units: set[str], allow_none: bool, at_most: Interval | None = None) -> Interval:
    """Parse "2 weeks" / "60 min" / "none" into an Interval, with messages users can act on."""
    if isinstance(value, Interval):
        return value
    example = "'2 weeks'" if "week" in units else "'60 min'"
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PydanticCustomError("interval", "expected an interval such as {example}", {"example": example})
    if isinstance(value, int):
        raise PydanticCustomError("interval", "a bare number has no unit; write e.g. {example}", {"example": example})
    text = value.strip().lower()
    if text in ("none", "never", "no meetings"):
        if allow_none:
            return NONE
        raise PydanticCustomError("interval", "'none' is not allowed here; write e.g. {example}", {"example": example})
    alias = {"weekly": "1 week", "biweekly": "2 weeks", "fortnightly": "2 weeks", "monthly": "1 month",
             "daily": "1 day", "quarterly": "3 months", "yearly": "1 year", "annually": "1 year"}
    text = alias.get(text, text)
    match = _PATTERN.match(text)
    unit = UNITS.get(match.group(2)) if match else None
    if not match or unit is None:
        raise PydanticCustomError("interval", f"cannot read {value!r} as an interval; write a number and a unit, "
                                  f"e.g. {example}")
    amount = int(match.group(1) or 1)
    if unit == "fortnight":
        unit, amount = "week", amount * 2
    if unit not in units:
        allowed = ", ".join(sorted(units))
        raise PydanticCustomError("interval", "unit {unit!r} does not fit here; use one of: {allowed}",
                                  {"unit": unit, "allowed": allowed})
    if amount <= 0:
        raise PydanticCustomError("interval", "an interval must be at least 1 {unit}", {"unit": unit})
    interval = Interval(amount, unit)
    if at_most is not None and interval.approx_days() > at_most.approx_days():
        raise PydanticCustomError("interval", f"{interval} is too long here; at most {at_most}")
    return interval


def _field(units: set[str], allow_none: bool, description: str, at_most: Interval) -> Any:
    pattern = r"^\s*(none|\d+\s*[A-Za-z]+|[A-Za-z]+ly)\s*$" if allow_none else r"^\s*(\d+\s*[A-Za-z]+|[A-Za-z]+ly)\s*$"
    return Annotated[
        Interval,
        BeforeValidator(lambda v: parse_interval(v, units=units, allow_none=allow_none, at_most=at_most)),
        PlainSerializer(str, return_type=str),
        WithJsonSchema({"type": "string", "pattern": pattern, "description": description}),
    ]


CalendarSpan = _field({"day", "week", "month", "year"}, False, "e.g. '9 months', '12 weeks', '1 day'",
                      Interval(10, "year"))
MeetingEvery = _field({"day", "week", "month"}, True, "e.g. '2 weeks', '1 month', or 'none'", Interval(12, "month"))
MeetingLength = _field({"minute", "hour"}, False, "e.g. '60 min', '1 hour'", Interval(12, "hour"))
