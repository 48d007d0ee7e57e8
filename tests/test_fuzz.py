"""Property test: a mutated reference program is either accepted or refused with mentorkit's own error."""

from __future__ import annotations

import copy
import os
from typing import Any

import yaml
from conftest import REFERENCE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit import load
from mentorkit.errors import MentorkitError
from mentorkit.project import load_program_bytes

BASE = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
EXAMPLES = int(os.environ.get("MENTORKIT_FUZZ_EXAMPLES", "2000" if os.environ.get("CI") == "true" else "300"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30), st.sampled_from(["2027-02-30", "none", "2 weeks", "60 min", "25:00", "Mars/Base",
                                          "one-on-one", "goals", "{{ 7*7 }}", "<script>", "0777", "no", "1e9",
                                          "99999 months", "0 days", "9999-12-31", "0001-01-01", "1 day"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


ALL_PATHS = [p for p in _paths(BASE) if p]


def _parent(doc: Any, path: tuple) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        key = path[-1]
        action = draw(st.sampled_from(["drop", "retype", "duplicate", "reorder", "rename"]))
        if action == "drop":
            del parent[key]
        elif action == "retype":
            parent[key] = draw(values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "reorder" and isinstance(parent, list):
            parent.reverse()
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(key)
    # LibYAML's emitter (PyYAML's pure-Python one took most of each example's time)
    text = yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
    if draw(st.booleans()):  # raw text mutations: random unicode spliced in
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=5)) + text[at:]
    return text.encode("utf-8", errors="surrogatepass")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=os.environ.get("CI") == "true")
@given(mutated())
def test_check_accepts_or_raises_its_own_error(tmp_path_factory, raw: bytes):
    root = tmp_path_factory.getbasetemp()
    try:
        project = load_program_bytes(raw, "fuzz.yml", root)
    except MentorkitError as exc:
        for problem in exc.problems:
            assert problem.file == "fuzz.yml"
            assert problem.message
    else:
        assert project.plan.starts <= project.plan.ends


def test_yaml_11_traps_stay_what_a_team_wrote():
    read = load.parse_yaml("a: yes\nb: 0777\nc: 2027-02-01\nd: 12:30\ne: no", "x.yml").data
    assert read == {"a": "yes", "b": 777, "c": "2027-02-01", "d": "12:30", "e": "no"}
