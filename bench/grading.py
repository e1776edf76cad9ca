"""Benchmark of ``coursekit grade`` with the sandbox on (part of ``make bench``).

Assigns the two chapters of the test fixture book (``tests/fixtures/assign/book``: ch98 and
ch99, synthetic data) as one notebook, makes ``--count`` synthetic submissions (default 100;
right, wrong and erroring answers in turn, with quiz answers files) and grades them at
``-j 1`` and ``-j 2``. The baseline is a plain kernel run of the same notebook (nbclient in
this process, fresh kernel, no sandbox), the median of five. Writes
``bench/grading-results.json`` and prints seconds per submission, throughput and the ratio
to the plain run.

Usage: ``python bench/grading.py [--count N] [--jobs 1 2]``
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "assign" / "book"
RESULTS = REPO / "bench" / "grading-results.json"

ANSWERS = [  # (ch98-ex-2, ch98-ex-3, ch99-ex-1): right, wrong, an error
    ("answer = max(visits, key=visits.get)", "total = sum(visits.values())",
     "answer = {m for m, y in joined.items() if y == 1992}"),
    ("answer = 'Country A'", "total = 9", "answer = ['A']"),
    ("answer = undefined_name", "total = 10", "answer = ['C', 'A']"),
]


def _fill(nb: object, item_id: str, source: str) -> None:
    for cell in nb.cells:  # type: ignore[attr-defined]
        meta = cell.get("metadata", {}).get("coursekit", {})
        if meta.get("id") == item_id and meta.get("role") == "answer":
            cell.source = source


def make_class(work: Path, count: int) -> tuple[Path, Path, Path]:
    """Assign ch98+ch99 and write ``count`` submissions; return (assignment, submissions,
    the blank student notebook)."""
    import nbformat

    from coursekit.assignments import assign

    hw, subs = work / "hw", work / "submissions"
    assign(hw, chapters=["ch98", "ch99"], book=FIXTURE, name="bench")
    blank = nbformat.read(hw / "bench.ipynb", as_version=4)
    for number in range(count):
        nb = copy.deepcopy(blank)
        for item_id, source in zip(("ch98-ex-2", "ch98-ex-3", "ch99-ex-1"),
                                   ANSWERS[number % len(ANSWERS)], strict=True):
            _fill(nb, item_id, source)
        folder = subs / f"student {number:03d}"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / "bench.ipynb")
        (folder / "bench-ch98-answers.json").write_text(json.dumps(
            {"quiz": "ch98", "responses": {"ch98-q-1": "c", "ch98-q-3": "quokkaberry"}}))
    return hw, subs, hw / "bench.ipynb"


def plain_kernel_seconds(notebook: Path, repeat: int = 5) -> float:
    """Median wall time of running ``notebook`` in a fresh kernel, no sandbox."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeat):
        nb = nbformat.read(notebook, as_version=4)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3",
                           resources={"metadata": {"path": tmp}}).execute()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    os.environ["COURSEKIT_QUIZZES_DIR"] = str(FIXTURE / "chapters" / "quizzes")
    from coursekit.assignments import grade

    with tempfile.TemporaryDirectory(prefix="coursekit-bench-grading-") as tmp:
        work = Path(tmp)
        hw, subs, notebook = make_class(work, args.count)
        plain = plain_kernel_seconds(notebook)
        runs = {}
        for jobs in args.jobs:
            out = work / f"grades-j{jobs}"
            start = time.perf_counter()
            report = grade(subs, hw, out, jobs=jobs)
            seconds = time.perf_counter() - start
            assert len(report.graded) == args.count, report.summary()
            runs[f"j{jobs}"] = {
                "jobs": jobs,
                "wall_seconds": round(seconds, 2),
                "seconds_per_submission": round(seconds / args.count, 3),
                "submissions_per_minute": round(60 * args.count / seconds, 1),
                "ratio_to_plain_kernel_run": round(seconds / args.count / plain, 2),
                "csv": (out / "grades.csv").read_text(encoding="utf-8"),
            }
        same = len({r.pop("csv") for r in runs.values()}) == 1
    results = {
        "submissions": args.count,
        "chapters": ["ch98", "ch99"],
        "sandbox": "bubblewrap",
        "plain_kernel_run_seconds": round(plain, 3),
        "runs": runs,
        "identical_grades_across_jobs": same,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"plain kernel run of one notebook: {plain:.2f} s")
    for name, run in runs.items():
        print(f"{name}: {run['seconds_per_submission']:.2f} s per submission, "
              f"{run['submissions_per_minute']:.1f} submissions/min, "
              f"{run['ratio_to_plain_kernel_run']:.2f} x a plain kernel run")
    print(f"identical grades at every -j: {same}; results: {RESULTS}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
