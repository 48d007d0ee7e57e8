"""Benchmark of `mentorkit report`: 10,000 generated responses across three surveys, in three tools' formats.

    python benchmarks/report.py [--responses N] [--keep FOLDER]

Prints, measured side by side on this machine (best of three runs each):
  - reading the same CSV files with the csv module alone (the floor: no checking at all);
  - reading and checking them with mentorkit (`read_responses`: every answer against its question,
    joined to the roster), and the ratio to the floor;
  - the whole command, `mentorkit report FILES --roster ROSTER -o OUT`, in a fresh interpreter
    (imports, figures, charts, HTML, PDF and the atomic write), and its peak memory (target < 300 MB).
Standalone: it needs nothing but an installed mentorkit.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of  # noqa: E402

PROGRAM = """\
mentorkit: 1
program:
  id: bench-report
  title: Report benchmark
  type: one-on-one
  starts: 2027-02-01
  ends: 2027-10-29
goals:
  - {id: speaking, title: Speak at a leadership meeting}
  - {id: delegation, title: Delegate one recurring task}
  - {id: network, title: Meet five people outside my team}
surveys:
  - id: registration
    title: Registration
    when: registration
    measures: [attitudinal]
    questions:
      - {id: hopes, text: "What do you hope to gain from the programme?", type: text}
      - {id: style, text: "How do you prefer to receive feedback?", type: choice,
         options: [In writing, In conversation, Either]}
      - {id: confidence, text: "How confident are you about your next career step?", type: scale, min: 1, max: 5}
  - id: midpoint
    title: Midpoint check-in
    when: midpoint
    measures: [attitudinal, behavioral]
    questions:
      - {id: satisfaction, text: "On a scale of 1 to 10, how would you rate the programme so far?", type: scale,
         min: 1, max: 10}
      - {id: meetings-held, text: "Have you met as often as you agreed?", type: yes-no}
      - {id: topics, text: "Which topics have you covered?", type: multi,
         options: [Career paths, Feedback, "Networking, inside and out", Presenting]}
  - id: conclusion
    title: End of programme
    when: conclusion
    measures: [attitudinal, career]
    questions:
      - {id: satisfaction, text: "Looking back, how would you rate the programme overall?", type: scale,
         min: 1, max: 10}
      - {id: goals-met, text: "Which of your goals did you reach?", type: multi, options_from: goals}
      - {id: stay, text: "How likely are you to still work here in two years?", type: scale, min: 1, max: 5}
      - {id: stress, text: "Has the programme changed how you handle work stress?", type: text}
"""
GOALS = ["Speak at a leadership meeting", "Delegate one recurring task", "Meet five people outside my team"]
TOPICS = ["Career paths", "Feedback", "Networking, inside and out", "Presenting"]
COMMENTS = ["", "", "A little.", "Yes: I plan my week and say no more often.", "Not really.", "I take real breaks now."]


def generate(folder: Path, responses: int) -> list[Path]:
    """A program, a roster and three exports (Google Forms, Microsoft Forms, KoboToolbox) in `folder`."""
    rng = random.Random(17)
    people = responses // 3 + 1
    (folder / "program.yml").write_text(PROGRAM, encoding="utf-8")
    with (folder / "roster.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "email", "role", "group"])
        for i in range(people):
            out.writerow([f"Person {i}", f"person{i}@example.org", "mentor" if i % 2 == 0 else "mentee",
                          f"pair-{i // 2:05d}"])
    counts = [responses // 3 + (1 if i < responses % 3 else 0) for i in range(3)]
    kobo = folder / "registration-kobo.csv"
    with kobo.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["start", "end", "intro/hopes", "intro/style", "intro/confidence", "_id", "_uuid", "_index"])
        for i in range(counts[0]):
            out.writerow(["2027-01-10T09:00:00", "2027-01-10T09:04:00", rng.choice(COMMENTS),
                          rng.choice(["in-writing", "in-conversation", "either"]), rng.randint(1, 5), 1000 + i,
                          f"uuid-{i}", i + 1])
    google = folder / "midpoint-google.csv"
    with google.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Timestamp", "Email Address", "On a scale of 1 to 10, how would you rate the programme so far?",
                      "Have you met as often as you agreed?", "Which topics have you covered?"])
        for i in range(counts[1]):
            out.writerow(["2027/06/16 9:12:03 AM GMT+1", f"person{i}@example.org", rng.randint(1, 10),
                          rng.choice(["Yes", "No"]), ", ".join(rng.sample(TOPICS, rng.randint(0, 3)))])
    microsoft = folder / "conclusion-microsoft.csv"
    with microsoft.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Id", "Start time", "Completion time", "Email", "Name",
                      "Looking back, how would you rate the programme overall?", "Which of your goals did you reach?",
                      "How likely are you to still work here in two years?",
                      "Has the programme changed how you handle work stress?"])
        for i in range(counts[2]):
            ticked = rng.sample(GOALS, rng.randint(0, 2))
            out.writerow([i + 1, "10/25/27 09:01:12", "10/25/27 09:04:40", f"person{i}@example.org", f"Person {i}",
                          rng.randint(1, 10), "".join(g + ";" for g in ticked), rng.randint(1, 5),
                          rng.choice(COMMENTS)])
    return [kobo, google, microsoft]


def csv_only(files: list[Path]) -> int:
    """The floor: every row of every file read with the csv module, nothing checked."""
    rows = 0
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            rows += sum(1 for _ in csv.reader(fh, delimiter=";" if first.count(";") > first.count(",") else ","))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="Generate into this folder and keep it.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="mentorkit-bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = generate(folder, args.responses)

    from mentorkit.project import load_program
    from mentorkit.responses import read_responses
    from mentorkit.roster import read_roster

    program = load_program(folder / "program.yml").program
    roster = read_roster(folder / "roster.csv")
    floor = best_of(lambda: csv_only(files))
    checked = best_of(lambda: read_responses(files, program, roster))
    read = read_responses(files, program, roster)
    assert sum(len(r) for r in read.by_survey.values()) == args.responses, "every response read"

    command = [sys.executable, "-m", "mentorkit", "report", *map(str, files), "-p", str(folder / "program.yml"),
               "--roster", str(folder / "roster.csv")]
    whole = []
    for run in range(3):
        start = time.perf_counter()
        done = subprocess.run([*command, "-o", str(folder / f"report-{run}")], capture_output=True, text=True)
        whole.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    same = len({(folder / f"report-{run}" / "report.pdf").read_bytes() for run in range(3)}) == 1

    print(f"{args.responses} responses in 3 files, {sum(f.stat().st_size for f in files) // 1024} kB")
    print(f"csv module alone (floor)            {floor:8.3f} s")
    print(f"read and check (read_responses)     {checked:8.3f} s   {checked / floor:5.1f} x the floor")
    print(f"mentorkit report, whole command     {min(whole):8.3f} s   {min(whole) / floor:5.1f} x the floor")
    print(f"peak memory of the command          {peak:8d} MB  (target < 300 MB: {'ok' if peak < 300 else 'OVER'})")
    print(f"same bytes on every run             {'yes' if same else 'NO'}")
    if args.keep is None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
