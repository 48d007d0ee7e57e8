"""Raw located YAML -> ProgramFile, with every pydantic error turned into a located, actionable problem."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem, ProgramError
from .load import Located
from .model import ProgramFile
from .suggest import closest

_FRIENDLY = {
    "string_type": "expected text, got {got}",
    "int_type": "expected a whole number, got {got}",
    "int_parsing": "expected a whole number, got {got}",
    "int_from_float": "expected a whole number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "bool_parsing": "expected true or false, got {got}",
    "list_type": "expected a list (lines starting with '- '), got {got}",
    "model_type": "expected a mapping (indented 'key: value' lines), got {got}",
    "model_attributes_type": "expected a mapping (indented 'key: value' lines), got {got}",
    "dict_type": "expected a mapping (indented 'key: value' lines), got {got}",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "missing": "required key is missing",
}
_PATTERNS = {
    "colour": "expected a hex colour such as '#0b5cad', got {got}",
    "language": "expected a BCP 47 language tag such as 'en' or 'en-GB', got {got}",
    "id": "expected a slug (lowercase letters, digits and single hyphens), got {got}",
}


def describe(value: Any) -> str:
    """A short description of a YAML value for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _model_at(path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that validates the mapping at `path` (for key hints)."""
    model: Any = ProgramFile
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    for arg in (typing.get_args(annotation) or ()):
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _problem(located: Located, err: dict[str, Any]) -> Problem:
    loc: tuple[Any, ...] = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    got = describe(value)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        hint = closest(key, _keys_of(model)) if model else ""
        allowed = f" (known keys: {', '.join(_keys_of(model))})" if model and not hint else ""
        return located.problem(loc, f"unknown key {key!r}{hint}{allowed}", key=True)
    if kind == "missing":
        return located.problem(loc, f"required key {loc[-1]!r} is missing")
    if "at" in ctx:
        loc = loc + tuple(ctx["at"])
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = closest(str(value), choices) if isinstance(value, str) else ""
        return located.problem(loc, f"{got} is not one of: {', '.join(choices)}{hint}")
    if kind == "string_pattern_mismatch":
        message = _PATTERNS.get(str(loc[-1]), "{got} does not have the expected form").format(got=got)
        return located.problem(loc, message)
    if kind == "string_too_long":
        return located.problem(loc, f"is too long (at most {ctx.get('max_length')} characters)")
    if kind in _FRIENDLY:
        return located.problem(loc, _FRIENDLY[kind].format(got=got))
    message = err["msg"].removeprefix("Value error, ")
    if message[:2] != message[:2].upper():  # lower-case the first word, unless it is an acronym
        message = message[0].lower() + message[1:]
    return located.problem(loc, message)


def validate(located: Located) -> ProgramFile:
    """Validate located raw data against the model; raise ProgramError listing every problem."""
    if not isinstance(located.data, dict):
        what = describe(located.data)
        raise ProgramError([located.problem((), f"a program is a mapping of sections (mentorkit:, program:, ...), "
                                                f"not {what}")])
    problems = list(located.duplicates)
    try:
        program = ProgramFile.model_validate(located.data)
    except ValidationError as exc:
        problems += [_problem(located, dict(e)) for e in exc.errors()]
    if problems:
        raise ProgramError(sorted(set(problems), key=lambda p: (p.line or 0, p.column or 0, p.path)))
    return program
