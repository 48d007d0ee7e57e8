"""mentorkit benchmarks: ratios against the plain tools, from one run (absolute times do not travel).

    python benchmarks/run.py [build rebuild check roster scale] [--people N] [--quick]

Every ratio compares two things measured in the same run on the same machine:
  build    mentorkit build (1 worker, N workers) / floor; floor = plain `mkdocs build` of the very docs
           tree and mkdocs.yml mentorkit generated + plain WeasyPrint rendering of the very print HTML,
           in one process. Targets: <= 1.15 with one worker, <= 0.75 with parallel PDFs.
  rebuild  no-op rebuild and rebuild after editing one survey question / clean build.
           Targets: <= 0.10 and <= 0.30.
  check    wall time of `mentorkit check` (target <= 0.4 s; no WeasyPrint or MkDocs import).
  roster   personalised workbooks for N people / naive one-at-a-time rendering; peak memory.
  scale    build time for 10/100/1000 goals and 1/10/50 surveys: is growth linear?
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
from common import ROOT, best_of, reference_project, roster, scaled_program  # noqa: E402

PY = sys.executable
RESULTS: list[tuple[str, str, str, str]] = []


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run([PY, "-m", "mentorkit", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return time.perf_counter() - start


def report(name: str, value: str, target: str, verdict: bool | None) -> None:
    mark = "" if verdict is None else ("ok" if verdict else "MISSED")
    RESULTS.append((name, value, target, mark))
    print(f"  {name:<44} {value:>12}   {target:<10} {mark}", flush=True)


def floor_time(work: Path) -> float:
    """Plain mkdocs build of the generated tree + plain WeasyPrint of the same HTML, in one process each."""
    from mentorkit.plan import documents
    from mentorkit.printing import document_html
    from mentorkit.project import load_program
    from mentorkit.site import write_docs

    project = load_program(work / "program.yml")
    docs = documents(project.program)
    gen = work / "generated"
    write_docs(project, gen, docs, "calendar.ics")
    html_dir = work / "html"
    html_dir.mkdir()
    for d in docs:
        html = document_html(project, d)
        if not isinstance(html, str):  # a workbook: its cover and the shared pages, as one document
            cover, body = html
            html = cover.replace("</body>", body[body.index("<body>") + 6:body.index("</body>")] + "</body>")
        (html_dir / d.name.replace(".pdf", ".html")).write_text(html, encoding="utf-8")
    render = ("import sys, pathlib\nfrom weasyprint import HTML\n"
              "for f in sorted(pathlib.Path(sys.argv[1]).glob('*.html')):\n"
              "    HTML(filename=str(f), base_url=sys.argv[2]).write_pdf(pdf_forms=True, pdf_variant='pdf/ua-1', "
              "pdf_tags=True)\n")

    def run() -> None:
        shutil.rmtree(gen / "out", ignore_errors=True)
        subprocess.run([PY, "-m", "mkdocs", "build", "-q", "-f", str(gen / "mkdocs.yml"), "-d", str(gen / "out")],
                       check=True, capture_output=True)
        subprocess.run([PY, "-c", render, str(html_dir), project.root.as_uri() + "/"], check=True,
                       capture_output=True)

    return best_of(run, 2)


def bench_build(tmp: Path) -> None:
    print("build: mentorkit build / (plain mkdocs build + plain WeasyPrint)")
    work = tmp / "build"
    reference_project(work)
    floor = floor_time(work)
    one = best_of(lambda: cli("build", "-o", "out1", "--no-cache", "-j", "1", cwd=work), 2)
    many = best_of(lambda: cli("build", "-o", "outn", "--no-cache", cwd=work), 2)
    report("floor (plain tools), s", f"{floor:.2f}", "", None)
    report("build, 1 worker / floor", f"{one / floor:.2f}", "<= 1.15", one / floor <= 1.15)
    report(f"build, {os.cpu_count()} workers / floor", f"{many / floor:.2f}", "<= 0.75", many / floor <= 0.75)


def bench_rebuild(tmp: Path, rounds: int = 5) -> None:
    """Clean builds, no-op rebuilds and edited rebuilds, interleaved round by round, so that each
    kind sees the machine as the others do; the best of each is compared."""
    print("rebuild: cached rebuilds / clean build")
    work = tmp / "rebuild"
    program = reference_project(work)
    text = program.read_text(encoding="utf-8")

    def clean() -> None:
        cli("build", "-o", "clean", "--no-cache", cwd=work)

    def noop() -> None:
        cli("build", "-o", "site", cwd=work)

    def edited() -> None:
        word = "planned" if "as you agreed" in program.read_text(encoding="utf-8") else "agreed"
        program.write_text(text.replace("as you agreed", f"as you {word}"), encoding="utf-8")
        cli("build", "-o", "site", cwd=work)

    cli("build", "-o", "site", cwd=work)
    times: dict[str, list[float]] = {"clean": [], "noop": [], "edited": []}
    for _ in range(rounds):
        for name, fn in (("clean", clean), ("edited", edited), ("noop", noop)):
            times[name].append(best_of(fn, 1))
    best = {name: min(values) for name, values in times.items()}
    report("clean build, s", f"{best['clean']:.2f}", "", None)
    report("no-op rebuild, s", f"{best['noop']:.2f}", "", None)
    report("rebuild after one question edited, s", f"{best['edited']:.2f}", "", None)
    report("no-op rebuild / clean build", f"{best['noop'] / best['clean']:.3f}", "<= 0.10", best["noop"] / best["clean"] <= 0.10)
    report("one question edited / clean build", f"{best['edited'] / best['clean']:.3f}", "<= 0.30",
           best["edited"] / best["clean"] <= 0.30)


def bench_check(tmp: Path) -> None:
    print("check: wall time of mentorkit check")
    wall = best_of(lambda: cli("check", "program.yml", cwd=ROOT), 5)
    report("mentorkit check, s", f"{wall:.2f}", "<= 0.40", wall <= 0.40)


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
from mentorkit.printing import PDF_OPTIONS, _context, workbook_body_html, workbook_cover_html, _roots
from mentorkit.project import load_program
from mentorkit.roster import read_roster
import time
p = load_program(sys.argv[1]); people = read_roster(sys.argv[2])[:int(sys.argv[3])]; ctx = _context(p)
start = time.perf_counter()
body = workbook_body_html(p, ctx)
inner = body[body.index("<body>") + 6:body.index("</body>")]
for person in people:
    cover = workbook_cover_html(p, person, people, ctx)
    whole = cover.replace("</body>", inner + "</body>")
    HTML(string=whole, base_url=p.root.as_uri() + "/", url_fetcher=make_fetcher([Path(r) for r in _roots(p)])
         ).write_pdf(pdf_forms=True, **PDF_OPTIONS)
print(time.perf_counter() - start)
"""
    count = min(sample, people)
    start = time.perf_counter()
    done = subprocess.run([PY, "-c", naive_code, str(work / "program.yml"), str(work / "roster.csv"), str(count)],
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
    report(f"naive, s per workbook ({count} timed)", f"{loop / count:.2f}", "", None)
    report(f"{people} workbooks, s", f"{ours:.1f}", "", None)
    report(f"{people} workbooks / naive", f"{ours / naive:.3f}", "<= 0.15", ours / naive <= 0.15)
    report("peak memory of one process, MB", f"{peak}", "<= 500", peak <= 500)


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
        report(f"{g} goals, {s} surveys, s", f"{times[(g, s)]:.1f}", "", None)
    g0, g1 = goals[0], goals[-1]
    per_goal = (times[(g1, 1)] - times[(g0, 1)]) / (g1 - g0)
    mid = goals[len(goals) // 2]
    predicted = times[(g0, 1)] + per_goal * (mid - g0)
    report("goals: measured / linear prediction (mid)", f"{times[(mid, 1)] / predicted:.2f}", "~1.0", None)


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
    print("\n| benchmark | value | target | |\n| --- | ---: | --- | --- |")
    for row in RESULTS:
        print("| " + " | ".join(row) + " |")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(RESULTS, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
