"""Fill the en_US catalogue from the British source (run by `make translations`, not by a build).

American English differs from the source in spelling only (dates and times come from Babel), so
every msgstr is its msgid with these words respelt; an entry a person has changed (not empty,
not equal to the machine's version of an older msgid) is left alone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

SPELLING = {
    "programme": "program", "programmes": "programs", "organisation": "organization",
    "organisations": "organizations", "organise": "organize", "organised": "organized", "organiser": "organizer",
    "behaviour": "behavior", "behaviours": "behaviors", "behavioural": "behavioral", "colour": "color",
    "centre": "center", "favour": "favor", "recognise": "recognize", "prioritise": "prioritize",
    "cancelling": "canceling", "cancelled": "canceled", "travelling": "traveling", "enrol": "enroll",
    "catalogue": "catalog", "judgement": "judgment", "learnt": "learned", "practise": "practice",
    "summarise": "summarize", "apologise": "apologize", "realise": "realize", "emphasise": "emphasize",
}
_PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]")
_WORD = re.compile(r"\b(" + "|".join(sorted(SPELLING, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def american(text: str) -> str:
    """`text` in American spelling, keeping each word's capitals."""
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        new = SPELLING[word.lower()]
        return new.upper() if word.isupper() else new.capitalize() if word[0].isupper() else new
    # placeholders (`%(programme)s`) are names, not words: keep them
    return "".join(part if part.startswith("%(") else _WORD.sub(swap, part)
                   for part in re.split(r"(%\(\w+\)[sd])", text))


def main(path: str) -> None:
    """Fill the empty msgstr of the catalogue at `path`."""
    po = Path(path)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="en_US")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if all(strings) and not message.fuzzy and _PLACEHOLDERS.findall(strings[0] or "") == _PLACEHOLDERS.findall(ids[0]):
            continue
        if isinstance(message.id, (tuple, list)):
            message.string = (american(ids[0]),) + tuple(american(ids[1]) for _ in strings[1:])
        else:
            message.string = american(ids[0])
        message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_by_file=False)


if __name__ == "__main__":
    main(sys.argv[1])
