"""mentorkit benchmarks: ratios against the plain tools, measured side by side in one run.

    python benchmarks/run.py [check build rebuild roster scale] [--people N] [--quick]

Every ratio compares two things measured in the same run on the same machine, interleaved round
by round so that a machine that slows down slows both; the best of each is compared. The floor is
what the plain tools take for the very same work: `mkdocs build` (or `zensical build`) of the docs
tree and mkdocs.yml mentorkit generated, plus WeasyPrint rendering the very print HTML of every
PDF a build makes (the documents and the runbook checklist), one after another in one process. Results go to benchmarks/results/latest.json as a
flat mapping of stable keys to numbers:
  check_s                        wall time of `mentorkit check` of a program checked before   <= 0.40
                                 (its verdict is read back; check_no_cache_s: checked again)
  build_all_cores_over_floor     clean build, all cores / floor               <= 0.60
  build_one_worker_over_floor    clean build, --jobs 1 / floor                <= 0.90
  noop_over_floor                rebuild with nothing changed / floor         <= 0.05
  edited_over_floor              rebuild after one survey question is reworded / floor   <= 0.20
  edited_over_floor_zensical     the same with --engine zensical / Zensical's floor      <= 0.20
  roster_over_naive              N personalised workbooks / one-by-one rendering         <= 0.10
  roster_peak_mb                 peak memory of the workbooks command, MB                <= 300
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, best_of, context_of, reference_project, roster, scaled_program  # noqa: E402

PY = sys.executable
RESULTS: dict[str, float] = {}
TARGETS: dict[str, float] = {}


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run([PY, "-m", "mentorkit", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return time.perf_counter() - start


def show_rounds(times: dict[str, list[float]]) -> None:
    """Every round's seconds, in the order run (the ratios use the best of each)."""
    for name, values in times.items():
        print(f"    {name:<8} " + " ".join(f"{v:7.2f}" for v in values), flush=True)


def report(key: str, value: float, target: float | None) -> None:
    """One result under its stable key; `target` is the most it may be."""
    RESULTS[key] = round(value, 3)
    mark = "" if target is None else ("ok" if value <= target else "MISSED")
    shown = f"<= {target}" if target is not None else ""
    print(f"  {key:<32} {value:>10.3f}   {shown:<10} {mark}", flush=True)
    if target is not None:
        TARGETS[key] = target


FLOOR_RENDER = """
import sys, pathlib
from weasyprint import HTML
for f in sorted(pathlib.Path(sys.argv[1]).glob('*.html')):
    HTML(filename=str(f), base_url=sys.argv[2]).write_pdf(pdf_forms=True, pdf_variant='pdf/ua-1', pdf_tags=True)
"""


def prepare_floor(work: Path, engine: str) -> tuple[Path, Path, str]:
    """The generated docs tree and the print HTML of every PDF a build makes (every document's, and
    the runbook checklist's), as files the plain tools read."""
    from mentorkit.kit import runbook_html
    from mentorkit.printing import document_html, print_values
    from mentorkit.project import load_program
    from mentorkit.site import write_docs

    project = load_program(work / "program.yml")
    context = context_of(project)
    gen = work / f"generated-{engine}"
    write_docs(project, context, gen, "calendar.ics")
    html_dir = work / "html"
    html_dir.mkdir(exist_ok=True)
    values = print_values(project, context)
    for d in context.documents:
        html = document_html(project, d, values)
        if not isinstance(html, str):  # a workbook: its cover and the shared pages, as one document
            cover, body = html
            html = cover.replace("</body>", body[body.index("<body>") + 6:body.index("</body>")] + "</body>")
        (html_dir / d.name.replace(".pdf", ".html")).write_text(html, encoding="utf-8")
    # a build also prints the programme team's runbook checklist: the floor prints it too
    (html_dir / "runbook.html").write_text(runbook_html(project, context), encoding="utf-8")
    return gen, html_dir, project.root.as_uri() + "/"


def floor_run(gen: Path, html_dir: Path, base: str, engine: str) -> None:
    """The plain tools, once: the engine's own build, then WeasyPrint over every document."""
    shutil.rmtree(gen / "site", ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if engine == "material":
        subprocess.run([PY, "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml"], cwd=gen, check=True,
                       capture_output=True, env=env)
    else:
        subprocess.run([str(Path(PY).parent / "zensical"), "build", "-c"], cwd=gen, check=True, capture_output=True,
                       env=env)
    subprocess.run([PY, "-c", FLOOR_RENDER, str(html_dir), base], check=True, capture_output=True)


def bench_build(tmp: Path, rounds: int = 4) -> None:
    print("build: mentorkit build (clean) / floor (plain mkdocs build + plain WeasyPrint)")
    work = tmp / "build"
    reference_project(work)
    gen, html_dir, base = prepare_floor(work, "material")
    times: dict[str, list[float]] = {"floor": [], "one": [], "many": []}
    for _ in range(rounds):
        times["floor"].append(best_of(lambda: floor_run(gen, html_dir, base, "material"), 1))
        times["one"].append(best_of(lambda: cli("build", "-o", "out1", "--no-cache", "-j", "1", cwd=work), 1))
        times["many"].append(best_of(lambda: cli("build", "-o", "outn", "--no-cache", cwd=work), 1))
    show_rounds(times)
    best = {k: min(v) for k, v in times.items()}
    report("floor_s", best["floor"], None)
    report("build_one_worker_s", best["one"], None)
    report("build_all_cores_s", best["many"], None)
    report("build_one_worker_over_floor", best["one"] / best["floor"], 0.90)
    report("build_all_cores_over_floor", best["many"] / best["floor"], 0.60)


def bench_rebuild(tmp: Path, rounds: int = 6) -> None:
    """No-op and edited rebuilds against the floor, interleaved round by round, for each engine."""
    for engine in ("material", "zensical"):
        _rebuild(tmp, engine, rounds)


def _rebuild(tmp: Path, engine: str, rounds: int) -> None:
    print(f"rebuild ({engine}): cached rebuilds / floor")
    work = tmp / f"rebuild-{engine}"
    program = reference_project(work)
    text = program.read_text(encoding="utf-8")
    gen, html_dir, base = prepare_floor(work, engine)

    edits = iter(range(1, 1000))

    def edited() -> None:
        # a wording never built before (the cache keeps earlier versions: going back would be a hit)
        program.write_text(text.replace("as you agreed", f"as you agreed ({next(edits)})"), encoding="utf-8")
        cli("build", "-o", "site", "--engine", engine, cwd=work)

    cli("build", "-o", "site", "--engine", engine, cwd=work)
    times: dict[str, list[float]] = {"floor": [], "noop": [], "edited": []}
    for _ in range(rounds):
        times["floor"].append(best_of(lambda: floor_run(gen, html_dir, base, engine), 1))
        times["edited"].append(best_of(edited, 1))
        times["noop"].append(best_of(lambda: cli("build", "-o", "site", "--engine", engine, cwd=work), 1))
    show_rounds(times)
    best = {k: min(v) for k, v in times.items()}
    suffix = "" if engine == "material" else "_zensical"
    report("floor_rebuild_s" if engine == "material" else "floor_zensical_s", best["floor"], None)
    report(f"noop{suffix}_s", best["noop"], None)
    report(f"edited{suffix}_s", best["edited"], None)
    if engine == "material":
        report("noop_over_floor", best["noop"] / best["floor"], 0.05)
    report(f"edited_over_floor{suffix}", best["edited"] / best["floor"], 0.20)


def bench_check(tmp: Path) -> None:
    print("check: wall time of mentorkit check (the program checked before: its verdict is read back), "
          "and of a check that reads no cache")
    wall = best_of(lambda: cli("check", "program.yml", cwd=ROOT), 5)
    report("check_s", wall, 0.40)
    report("check_no_cache_s", best_of(lambda: cli("check", "--no-cache", "program.yml", cwd=ROOT), 5), None)


def bench_roster(tmp: Path, people: int, sample: int = 12) -> None:
    """Naive rendering is strictly one person after another in one process, so it is timed for
    `sample` people and scaled to the roster: (start-up) + (time per person x people)."""
    print(f"roster: {people} personalised workbooks / naive one-by-one rendering")
    work = tmp / "roster"
    reference_project(work)
    (work / "roster.csv").write_text(roster(people), encoding="utf-8")
    # naive: each person's whole workbook laid out and written as one HTML document, one after another
    naive_code = """
import sys
from pathlib import Path
from weasyprint import HTML
from mentorkit.fetch import make_fetcher
from mentorkit.workers import PDF_OPTIONS
from mentorkit.printing import print_values, workbook_body_html, workbook_cover_html
from mentorkit.project import load_program
from mentorkit.resources import package_dirs
from mentorkit.roster import read_roster
sys.path.insert(0, sys.argv[4])
from common import context_of
import time
p = load_program(sys.argv[1]); people = read_roster(sys.argv[2])[:int(sys.argv[3])]; ctx = print_values(p, context_of(p))
start = time.perf_counter()
body = workbook_body_html(p, ctx)
inner = body[body.index("<body>") + 6:body.index("</body>")]
for person in people:
    cover = workbook_cover_html(p, person, people, ctx)
    whole = cover.replace("</body>", inner + "</body>")
    HTML(string=whole, base_url=p.root.as_uri() + "/", url_fetcher=make_fetcher([p.root, *package_dirs()])
         ).write_pdf(pdf_forms=True, **PDF_OPTIONS)
print(time.perf_counter() - start)
"""
    count = min(sample, people)
    start = time.perf_counter()
    done = subprocess.run([PY, "-c", naive_code, str(work / "program.yml"), str(work / "roster.csv"), str(count),
                           str(ROOT / "benchmarks")],
                          check=True, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    loop = float(done.stdout.split()[-1])
    naive = (wall - loop) + loop * people / count
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run([sys.executable, '-m', 'mentorkit', 'workbooks', 'roster.csv', '-o', 'wb'])\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")
    start = time.perf_counter()
    done = subprocess.run([PY, "-c", code], cwd=work, capture_output=True, text=True, check=True)
    ours = time.perf_counter() - start
    peak = int(done.stdout.split()[-1])
    report("roster_people", people, None)
    report("roster_naive_s_per_workbook", loop / count, None)
    report("roster_s", ours, None)
    report("roster_over_naive", ours / naive, 0.10)
    report("roster_peak_mb", peak, 300)


def bench_scale(tmp: Path, quick: bool) -> None:
    print("scale: build time as the program grows (no cache)")
    goals = [10, 100] if quick else [10, 100, 1000]
    cases = [(g, 1) for g in goals] + [(10, s) for s in (10, 50)]
    times = {}
    for g, s in cases:
        work = tmp / f"scale-{g}-{s}"
        reference_project(work)
        (work / "program.yml").write_text(scaled_program(g, s), encoding="utf-8")
        times[(g, s)] = cli("build", "-o", "out", "--no-cache", cwd=work)
        report(f"scale_{g}_goals_{s}_surveys_s", times[(g, s)], None)
    g0, g1 = goals[0], goals[-1]
    per_goal = (times[(g1, 1)] - times[(g0, 1)]) / (g1 - g0)
    mid = goals[len(goals) // 2]
    predicted = times[(g0, 1)] + per_goal * (mid - g0)
    report("scale_goals_measured_over_linear", times[(mid, 1)] / predicted, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*", default=["check", "build", "rebuild", "roster", "scale"])
    parser.add_argument("--people", type=int, default=500, help="roster size")
    parser.add_argument("--quick", action="store_true", help="smaller scale runs")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1800000000")
    # Measure mentorkit as a wheel install has it: byte-compiled (pip compiles at install). An
    # editable install run with PYTHONDONTWRITEBYTECODE=1 (as on the machines here) would compile
    # mentorkit's modules again on every run: 0.05 s of each command.
    compileall.compile_dir(ROOT / "mentorkit", quiet=1)
    with tempfile.TemporaryDirectory(prefix="mentorkit-bench-") as tmp:
        for name in args.which:
            if name == "roster":
                bench_roster(Path(tmp), args.people)
            elif name == "scale":
                bench_scale(Path(tmp), args.quick)
            else:
                globals()[f"bench_{name}"](Path(tmp))
    print("\n| key | value | target |\n| --- | ---: | --- |")
    for key, value in RESULTS.items():
        print(f"| {key} | {value} | {'<= ' + str(TARGETS[key]) if key in TARGETS else ''} |")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(RESULTS, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    missed = [key for key, target in TARGETS.items() if RESULTS[key] > target]
    print("missed: " + ", ".join(missed) if missed else "every target met")


if __name__ == "__main__":
    main()
