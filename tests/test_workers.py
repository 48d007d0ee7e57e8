"""WeasyPrint is imported with a quicker library lookup, and loads the very same libraries."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from mentorkit.workers import _ldconfig_lookup

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quick lookup is for Linux only")

LOADED = """
import sys
{load}
libraries = set()
with open("/proc/self/maps") as maps:
    for line in maps:
        path = line.split()[-1]
        if ".so" in path and any(n in path for n in ("pango", "gobject", "harfbuzz", "fontconfig", "glib")):
            libraries.add(path)
print("\\n".join(sorted(libraries)))
"""


def _libraries(load: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", LOADED.format(load=load)], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_weasyprint_loads_the_same_libraries_as_a_plain_import():
    plain = _libraries("import weasyprint")
    quick = _libraries("from mentorkit.workers import load_weasyprint\nload_weasyprint()")
    assert any("libpango-1.0" in p for p in plain)
    assert quick == plain


def test_quick_lookup_answers_as_find_library_does():
    lookup = _ldconfig_lookup()
    assert lookup is not None
    for name in ("c", "pango-1.0", "gobject-2.0", "fontconfig", "harfbuzz"):
        assert lookup(name) == ctypes.util.find_library(name), name
    # the Windows-style names WeasyPrint tries first are not found, without running gcc
    assert lookup("libgobject-2.0-0") is None
    assert lookup("libharfbuzz-vector-0.dll") is None
