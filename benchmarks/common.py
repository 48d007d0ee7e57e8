"""Shared helpers for the benchmarks: timing, peak memory, generated programs and rosters."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by a noisy machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_python(code: str, cwd: Path = ROOT) -> tuple[float, int]:
    """Run `code` in a fresh interpreter: (wall seconds, peak RSS in MB of the child and its children)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return wall, peak


def reference_project(folder: Path) -> Path:
    """A copy of the reference program with the files it refers to."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "content").mkdir(exist_ok=True)
    shutil.copy(ROOT / "program.yml", folder / "program.yml")
    shutil.copy(ROOT / "assets" / "logo.svg", folder / "assets" / "logo.svg")
    shutil.copy(ROOT / "content" / "charter.md", folder / "content" / "charter.md")
    return folder / "program.yml"


def context_of(project: Any) -> Any:
    """The template context of a loaded program, dated from its start (as a build outside git is)."""
    from mentorkit.context import Context
    from mentorkit.plan import documents
    from mentorkit.stamp import build_date

    return Context.of(project, build_date(None, project.program.program.starts), documents(project.program))


def roster(count: int) -> str:
    """A roster of `count` people in pairs: mentor then mentee."""
    first = ["Amara", "Jonathan", "Lucía", "Margaret", "Tomasz", "Catherine", "Wei", "Fatima", "Olu", "Ingrid"]
    last = ["Okafor", "Hale", "Fernández", "Osei", "Wiśniewski", "Reid", "Zhang", "Haddad", "Adeyemi", "Berg"]
    lines = ["name,email,role,group"]
    for i in range(count):
        name = f"{first[i % 10]} {last[(i // 10) % 10]} {i}"
        role = "mentor" if i % 2 == 0 else "mentee"
        lines.append(f"{name},person{i}@example.org,{role},pair-{i // 2:04d}")
    return "\n".join(lines) + "\n"


def scaled_program(goals: int, surveys: int) -> str:
    """The reference program with `goals` goals and `surveys` surveys."""
    head = (ROOT / "program.yml").read_text(encoding="utf-8").split("\ngoals:\n")[0]
    out = [head, "goals:"]
    for g in range(goals):
        out += [f"  - id: goal-{g}", f"    title: Goal number {g}", "    horizon: reach",
                f"    specific: Do thing {g}.", "    measurable: Counted.", "    time_bound: 2027-09-30"]
    out.append("surveys:")
    for s in range(surveys):
        out += [f"  - id: survey-{s}", f"    title: Survey {s}", "    when: " + ("conclusion" if s == 0 else "midpoint"),
                "    questions:", "      - id: q1", "        text: How satisfied are you?", "        type: scale",
                "      - id: q2", "        text: What would you change?", "        type: text"]
    return "\n".join(out) + "\n"
