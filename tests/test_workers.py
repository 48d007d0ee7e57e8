"""Worker processes: WeasyPrint imported with a quicker library lookup (the very same libraries),
and build steps run in a forked child that report back as if they had run here."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
import time

import pytest

from mentorkit.errors import OutputError, Problem
from mentorkit.workers import Forked, _ldconfig_lookup

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quick lookup is for Linux only")

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


@linux
def test_weasyprint_loads_the_same_libraries_as_a_plain_import():
    plain = _libraries("import weasyprint")
    quick = _libraries("from mentorkit.workers import load_weasyprint\nload_weasyprint()")
    assert any("libpango-1.0" in p for p in plain)
    assert quick == plain


@linux
def test_quick_lookup_answers_as_find_library_does():
    lookup = _ldconfig_lookup()
    assert lookup is not None
    for name in ("c", "pango-1.0", "gobject-2.0", "fontconfig", "harfbuzz"):
        assert lookup(name) == ctypes.util.find_library(name), name
    # the Windows-style names WeasyPrint tries first are not found, without running gcc
    assert lookup("libgobject-2.0-0") is None
    assert lookup("libharfbuzz-vector-0.dll") is None


def _pid_and(value):
    return os.getpid(), value


def _fails():
    raise OutputError([Problem("site", 3, 4, "error", "pages", "first"), Problem("site", 1, 2, "error", "", "second")])


def _breaks():
    return {}["missing"]


def _sleeps(path):
    time.sleep(2)
    path.write_text("the child was not stopped")


def test_forked_step_returns_its_value_from_another_process():
    with Forked(_pid_and, {"site/abc"}) as job:
        pid, value = job.result()
    assert value == {"site/abc"} and pid != os.getpid()


def test_forked_step_can_run_at_a_lower_priority():
    """The site is built beside the PDFs at a lower priority; this process keeps its own."""
    own = os.nice(0)
    with Forked(os.nice, 0, nice=10) as job:
        assert job.result() == min(own + 10, 19)
    assert os.nice(0) == own


def test_forked_step_raises_its_error_with_every_problem():
    with Forked(_fails) as job, pytest.raises(OutputError) as caught:
        job.result()
    assert [str(p) for p in caught.value.problems] == ["site:1:2: error: second", "site:3:4: error: pages: first"]


def test_forked_step_with_a_bug_shows_its_traceback():
    with Forked(_breaks) as job, pytest.raises(RuntimeError, match="KeyError: 'missing'"):
        job.result()


def test_leaving_early_stops_the_forked_step(tmp_path):
    marker = tmp_path / "late"
    with pytest.raises(ValueError), Forked(_sleeps, marker):
        raise ValueError("the build failed elsewhere")
    time.sleep(2.5)
    assert not marker.exists()


def _marks(path):
    path.write_text("ready")


def _reads(path, name):
    return path.read_text(), os.environ.get(name), os.getpid()


def test_a_step_forked_early_gets_ready_then_runs_what_it_is_given_later(tmp_path):
    """MkDocs' process is forked before the pages exist: it imports MkDocs first, then builds the
    pages it is sent, with the build date set in this process after the fork."""
    marker = tmp_path / "ready"
    name = "MENTORKIT_TEST_LATER"
    with Forked(_reads, ready=lambda: _marks(marker), later=True) as job:
        for _ in range(100):  # ready() runs at once, before any start()
            if marker.exists():
                break
            time.sleep(0.05)
        assert marker.read_text() == "ready"
        os.environ[name] = "1700000000"
        try:
            job.start(marker, name, environ={name: os.environ[name]})
        finally:
            del os.environ[name]
        text, value, pid = job.result()
    assert (text, value) == ("ready", "1700000000") and pid != os.getpid()


def test_a_forked_steps_priority_can_be_lowered_while_it_waits():
    """The site's process keeps its priority after an edit (it is then the longest path), and is
    lowered when many PDFs are to be rendered."""
    own = os.nice(0)
    with Forked(os.nice, later=True) as job:
        job.lower_priority(4)
        job.start(0)
        assert job.result() == min(own + 4, 19)
    assert os.nice(0) == own


def test_a_step_forked_early_and_never_started_does_nothing(tmp_path):
    marker = tmp_path / "late"
    with pytest.raises(ValueError), Forked(_sleeps, marker, later=True):
        raise ValueError("the program was invalid")
    time.sleep(2.5)
    assert not marker.exists()


def test_big_imports_pause_the_collector_and_restore_it():
    """A build's big imports run without cyclic garbage collection; afterwards it runs as before
    (a roster of hundreds of workbooks needs it), and what was imported is no longer scanned."""
    import gc
    import sys

    from mentorkit.workers import imports

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with imports():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == frozen  # nothing imported: nothing set aside
    sys.modules.pop("wave", None)
    with imports():
        import wave  # noqa: F401
    assert gc.isenabled() and gc.get_freeze_count() > frozen
    gc.unfreeze()


DEFERRED_CHECK = """
import sys
from mentorkit.workers import DEFERRED, load_weasyprint
load_weasyprint()
print(sorted(name for name, _ in DEFERRED if name in sys.modules))
import weasyprint.pdf.fonts as fonts
import fontTools.subset, fontTools.varLib.instancer
print(fonts.subset.Options is fontTools.subset.Options)
outcomes = []
for function in (fonts.instantiateVariableFont, fontTools.varLib.instancer.instantiateVariableFont):
    try:
        function(None, {})
    except Exception as exc:
        outcomes.append(type(exc).__name__ + str(exc))
print(len(set(outcomes)) == 1 and len(outcomes) == 2)
"""


def test_weasyprint_loads_the_rarely_used_font_tools_only_when_used():
    """fontTools' subsetter and variable-font instancer are not imported with WeasyPrint (a fifth
    of its import), yet what WeasyPrint took from them is the real thing once used."""
    done = subprocess.run([sys.executable, "-c", DEFERRED_CHECK], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:3] == ["[]", "True", "True"], done.stdout


def test_a_deferred_module_is_imported_at_its_first_use():
    from mentorkit.workers import deferred

    sys.modules.pop("colorsys", None)
    stub = deferred("colorsys", ("rgb_to_hsv",))
    sys.modules["colorsys"] = stub
    import colorsys as taken  # what an importer gets while the stand-in is there

    assert taken is stub and not hasattr(stub, "__path__")
    assert taken.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)  # imports the real one, and calls it
    assert sys.modules["colorsys"] is not stub and taken.ONE_THIRD == sys.modules["colorsys"].ONE_THIRD
