"""Every sentence we ship is our own: no run of words or near-copy of a sentence from the reference guide."""

from __future__ import annotations

import difflib
import re

import pytest
from conftest import IN_CI, ROOT

from mentorkit.defaults import FIRST_MEETING, TYPES

# the one test that reads outside the repository: the guide is never copied into it (in CI it must
# be there; elsewhere, without it, the test skips)
GUIDE_DIR = ROOT.parent / "shared" / "reference"
RUN = 8  # words in a row that may not be shared
REWORDED = 0.6  # a sentence with this share of its words in the guide's order is a light rewording


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.findall(r"[a-z0-9']+", text)


def sentences(text: str) -> list[str]:
    text = re.sub(r"[#*|`>_]", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?:])\s+|\n", text) if len(s.split()) >= 8]


@pytest.fixture(scope="module")
def guide() -> str:
    files = sorted(GUIDE_DIR.glob("*.txt")) if GUIDE_DIR.is_dir() else []
    if not files:
        if IN_CI:
            pytest.fail(f"the reference guide is missing from {GUIDE_DIR}")
        pytest.skip("reference guide not available")
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def shipped_texts() -> dict[str, str]:
    """Everything we ship in prose: the content library, templates, and built-in checklist and type text."""
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
             for folder in ("content", "templates") for p in sorted((ROOT / folder).rglob("*"))
             if p.is_file() and p.suffix in (".md", ".j2", ".html", ".css") and p.name != "charter.md"}
    texts["defaults:first-meeting"] = "\n".join(item for part in FIRST_MEETING.values() for item in part)
    texts["defaults:types"] = "\n".join(f"{t.summary}\n{t.mentor_is}\n{t.mentee_is}" for t in TYPES.values())
    return texts


def test_no_run_of_words_is_shared_with_the_guide(guide):
    g = words(guide)
    grams = {tuple(g[i:i + RUN]) for i in range(len(g) - RUN + 1)}
    found = []
    for name, text in shipped_texts().items():
        w = words(text)
        for i in range(len(w) - RUN + 1):
            if tuple(w[i:i + RUN]) in grams:
                found.append(f"{name}: {' '.join(w[i:i + RUN])}")
    assert not found, "\n".join(found)


def test_no_sentence_is_a_light_rewording(guide):
    theirs = [(s, set(words(s))) for s in sentences(guide)]
    found = []
    for name, text in shipped_texts().items():
        for ours in sentences(text):
            mine = set(words(ours))
            for their, their_words in theirs:
                if len(mine & their_words) < 0.5 * min(len(mine), len(their_words)):
                    continue  # cheap filter before the expensive comparison
                a, b = words(ours), words(their)
                matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
                same = sum(block.size for block in matcher.get_matching_blocks())
                # share of our sentence that follows theirs word for word, in order
                if same / len(a) >= REWORDED:
                    found.append(f"{name}: {ours!r} ~ {their!r} ({same}/{len(a)} words)")
    assert not found, "\n".join(found)


EXPECTED = ["about-mentoring", "mentoring-vs-coaching", "roles-mentor", "roles-mentee", "roles-shared", "matching",
            "first-meeting", "goals", "feedback", "surveys", "listening", "challenges", "impact", "five-cs", "faq"] + \
    [f"types/{t}" for t in ("one-on-one", "group", "peer", "reverse", "flash", "virtual")] + \
    [f"stages/{s}" for s in ("initiation", "cultivation", "separation", "redefinition")]


@pytest.mark.parametrize("name", EXPECTED)
def test_library_file_exists_and_is_plain_markdown(name):
    text = (ROOT / "content" / f"{name}.md").read_text(encoding="utf-8")
    assert len(text.split()) > 120
    assert "{{" not in text and "{%" not in text
    assert not text.startswith("# "), "the page template adds the title"
