"""``python -m coursekit.quiz --coverage``: the share of each chapter quiz's questions by skill
(a Markdown table, :func:`coursekit.quiz.rules.coverage_table`); ``--check`` lists what breaks
the course's quiz rules (:mod:`coursekit.quiz.rules`) and exits 1 if anything does."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from coursekit.errors import CoursekitError

from .._resources import resource_path
from . import rules


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.quiz", description=__doc__)
    parser.add_argument("--coverage", action="store_true",
                        help="print the share of questions by skill per chapter quiz")
    parser.add_argument("--check", action="store_true",
                        help="list the questions that break the course's quiz rules")
    parser.add_argument("--quizzes", type=Path, default=None,
                        help="folder of chNN.yml quizzes (default: the course's)")
    parser.add_argument("--bank", type=Path, default=None,
                        help="instructor bank folder (checks the assessed items' private parts)")
    args = parser.parse_args(argv)
    if not (args.coverage or args.check):
        parser.error("give --coverage and/or --check")
    folder = args.quizzes or resource_path("quizzes")
    try:
        quizzes = rules.load_course(folder, bank=args.bank)
        policy = rules.policy(folder)
    except CoursekitError as exc:  # a quiz that does not load: say where, no traceback
        print(exc, file=sys.stderr)
        return 1
    if args.coverage:
        print(rules.coverage_table(quizzes))
    if args.check and policy is None:
        print(f"{folder}: no {rules.POLICY_FILE}, so no course rules to check", file=sys.stderr)
    found = rules.problems(quizzes, policy) if args.check else []
    for problem in found:
        print(problem, file=sys.stderr)
    if args.check:
        print("ok" if not found else f"{len(found)} problem(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
