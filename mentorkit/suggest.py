"""Did-you-mean hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when none is close."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    if not match and word.lower().replace("_", "-") in lowered:
        match = [word.lower().replace("_", "-")]
    return f"; did you mean {lowered[match[0]]!r}?" if match else ""
