"""`mentorkit match` against `scipy.optimize.linear_sum_assignment` alone, on the same score matrix.

    python benchmarks/match.py [--sizes 200 2000] [--repeat 3]

For each size, half the registrations are mentors. Three times are reported, each the best of
`--repeat` runs:
  lsa      linear_sum_assignment alone on the mentees x mentors score matrix (forbidden pairs costly);
  match    mentorkit's matching from registrants to groups: scoring, assignment and per-pair fits;
  all      match, then the roster CSV and the Markdown explanation.
The ratios match/lsa and all/lsa should not grow with the size: the cost grows no faster than the
assignment itself.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mentorkit.matching import Registrant, explanation, match, roster_csv, score_matrix  # noqa: E402
from mentorkit.model import Criterion  # noqa: E402

GOALS = [f"goal {i}" for i in range(30)]
SKILLS = [f"skill {i}" for i in range(40)]
STYLES = ["In writing", "In conversation", "Either"]
DEPARTMENTS = [f"Department {i}" for i in range(12)]
CRITERIA = [Criterion.model_validate(c) for c in (
    {"id": "goals", "label": "career goals", "rule": "overlap", "weight": 3},
    {"id": "expertise", "label": "technical expertise", "rule": "overlap", "weight": 2},
    {"id": "style", "label": "learning and communication style", "rule": "same", "weight": 1},
    {"id": "department", "label": "department", "rule": "different"},
)]


def registrations(count: int, seed: int = 2027) -> list[Registrant]:
    """`count` people, every other one a mentor, with random answers."""
    rng = random.Random(seed)
    people = []
    for i in range(count):
        answers = {"goals": tuple(rng.sample(GOALS, rng.randint(1, 4))),
                   "expertise": tuple(rng.sample(SKILLS, rng.randint(1, 5))),
                   "style": (rng.choice(STYLES),), "department": (rng.choice(DEPARTMENTS),)}
        people.append(Registrant(f"Person {i}", f"person{i}@example.org", "mentor" if i % 2 == 0 else "mentee",
                                 answers, i + 2))
    return people


def lsa_seconds(people: list[Registrant]) -> float:
    """The floor: linear_sum_assignment alone on the score matrix, computed beforehand and not timed."""
    from scipy.optimize import linear_sum_assignment

    mentors = [p for p in people if p.role == "mentor"]
    mentees = [p for p in people if p.role == "mentee"]
    points, allowed = score_matrix(mentees, mentors, CRITERIA)
    cost = -points
    cost[~allowed] = points.sum() + 1
    start = time.perf_counter()
    linear_sum_assignment(cost)
    return time.perf_counter() - start


def match_only(people: list[Registrant]) -> None:
    match(people, CRITERIA)


def match_and_write(people: list[Registrant]) -> None:
    result = match(people, CRITERIA)
    roster_csv(result)
    explanation(result)


def best(fn: Callable[[list[Registrant]], object], people: list[Registrant], repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(people)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'registrations':>13} {'lsa s':>8} {'match s':>8} {'all s':>8} {'match/lsa':>9} {'all/lsa':>8}")
    for size in args.sizes:
        people = registrations(size)
        floor = min(lsa_seconds(people) for _ in range(args.repeat))
        matched = best(match_only, people, args.repeat)
        whole = best(match_and_write, people, args.repeat)
        print(f"{size:>13} {floor:>8.4f} {matched:>8.4f} {whole:>8.4f} {matched / floor:>9.2f} {whole / floor:>8.2f}")


if __name__ == "__main__":
    main()
