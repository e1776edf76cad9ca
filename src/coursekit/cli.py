"""The ``coursekit`` command: list, assign, grade, edition, check, export, gradescope.

Run ``coursekit <command> --help`` for the options of each command; the instructor guide
(reference/instructor-guide.md) walks through a term.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from coursekit import __version__
from coursekit.errors import CoursekitError

__all__ = ["build_parser", "main"]

#: What the command reports as a one-line error: coursekit's own errors (bad input, unknown
#: names, a failed step) and the operating system's (a missing file, no permission). Anything
#: else is a bug and keeps its traceback.
_ERRORS = (CoursekitError, OSError)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- list ------------------------------------------------------------------------------------

def _cmd_list(args: argparse.Namespace) -> int:
    from coursekit.assignments import list_items

    items = list_items(args.book, args.chapter or None)
    rows = [{"id": i.id, "chapter": i.chapter, "kind": i.kind,
             "auto": ("partly" if i.auto and any(p.mode == "hand" for p in i.parts)
                      else "yes" if i.auto else "no"), "assessed": "yes" if i.assessed else "no",
             "points": f"{i.points:g}"} for i in items]
    if args.format == "json":
        print(json.dumps([i.as_dict() for i in items], indent=2))
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, ["id", "chapter", "kind", "auto", "assessed", "points"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        print(buffer.getvalue(), end="")
    else:
        header = {"id": "id", "chapter": "chapter", "kind": "kind", "auto": "auto-gradable",
                  "assessed": "assessed", "points": "points"}
        widths = {k: max(len(header[k]), *(len(r[k]) for r in rows)) if rows else len(header[k])
                  for k in header}
        for row in [header, *rows]:
            print("  ".join(row[k].ljust(widths[k]) for k in header).rstrip())
        total = sum(i.points for i in items)
        auto = sum(sum(p.points for p in i.parts if p.mode == "auto") if i.parts else i.points
                   for i in items if i.auto)
        assessed = sum(1 for i in items if i.assessed)
        print(f"\n{len(items)} items, {total:g} points ({auto:g} auto-gradable); {assessed} "
              "assessed (keys in the instructor bank), the rest practice")
    return 0


# -- assign ----------------------------------------------------------------------------------

def _cmd_assign(args: argparse.Namespace) -> int:
    from coursekit.assignments import assign

    items = [i.strip() for part in args.items or [] for i in part.split(",") if i.strip()]
    manifest = assign(args.out, chapters=args.chapter or None, items=items or None,
                      book=args.book, due=args.due, name=args.name,
                      per_chapter=args.per_chapter, force=args.force, bank=args.bank)
    out = Path(args.out)
    for entry in manifest["notebooks"]:
        print(f"student notebook: {out / entry['file']}")
    print(f"instructor key:   {out / 'instructor'}")
    print(f"manifest:         {out / 'manifest.json'}")
    auto = sum(1 for i in manifest["items"] if i["auto"])
    print(f"{len(manifest['items'])} items ({auto} auto-graded), "
          f"{manifest['total_points']:g} points, due {manifest['due'] or 'not set'}")
    return 0


# -- grade -----------------------------------------------------------------------------------

def _cmd_grade(args: argparse.Namespace) -> int:
    from coursekit.assignments import Limits, grade

    limits = Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    memory_mb=args.memory_mb, max_procs=args.max_procs,
                    max_output_mb=args.max_output_mb)
    options = {"bank": args.bank} if getattr(args, "bank", None) else {}
    report = grade(args.submissions, args.assignment, args.out, execute_code=args.execute,
                   limits=limits, force=args.force, resume=args.resume, jobs=args.jobs,
                   roster=args.roster, unsafe_no_sandbox=args.unsafe_no_sandbox,
                   progress=_say, **options)
    print(f"grades:   {Path(args.out) / 'grades.csv'}")
    print(f"feedback: {Path(args.out) / 'feedback'}/")
    print(report.summary())
    return 0


# -- edition ---------------------------------------------------------------------------------

def _cmd_edition(args: argparse.Namespace) -> int:
    from coursekit.assignments import build_edition

    out = args.out or Path("_build") / args.edition
    html = build_edition(args.edition, out, book=args.book, solutions=args.solutions,
                         force=args.force, strict=args.strict, keep_temp=args.keep_temp,
                         progress=_say)
    print(f"{args.edition} edition: {html / 'index.html'}")
    return 0


# -- marks, gradebook ------------------------------------------------------------------------

def _cmd_marks(args: argparse.Namespace) -> int:
    """Merge hand marks of written parts into a grading folder."""
    from coursekit.assignments import merge_marks

    report = merge_marks(args.grades, args.marks)
    print(f"grades: {Path(args.grades) / 'grades.csv'} (totals: "
          f"{Path(args.grades) / 'totals.csv'})")
    print(report.summary())
    return 0


def _cmd_gradebook(args: argparse.Namespace) -> int:
    """One wide CSV across grading folders."""
    from coursekit.assignments import gradebook

    report = gradebook(args.folders, args.out, partial=args.partial, force=args.force)
    print(report.summary())
    return 0


# -- check -----------------------------------------------------------------------------------

def _cmd_check(args: argparse.Namespace) -> int:
    """Run the check gate (datasets, routes.yml, boundaries, excerpts, quizzes with the
    instructor bank, teaching notes: :mod:`coursekit._gate`) and validate the chapters'
    exercise metadata."""
    from coursekit._gate import run_all
    from coursekit.assignments import transforms
    from coursekit.assignments._chapters import load_catalog

    problems: list[str] = [str(p) for p in run_all(args.book)]
    try:
        catalog = load_catalog(args.book)
        for chapter in catalog.chapters.values():
            transforms.run(chapter.nb, transforms.PIPELINE, chapter.path)
        print(f"chapters: {len(catalog.chapters)} checked, {len(catalog.items)} items")
    except _ERRORS as exc:
        problems.append(str(exc))
    for problem in problems:
        _say(problem)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


# -- export ----------------------------------------------------------------------------------

def _cmd_export(args: argparse.Namespace) -> int:
    """Quiz banks for an LMS (qti12, qti21, moodle) or grades for its gradebook (grades)."""
    from coursekit import lms

    if args.what == "grades":
        report = lms.export_grades(args.format, args.grades, args.roster, args.out,
                                   assignment=args.assignment, force=args.force)
    else:
        from coursekit.assignments._quizapi import default_bank

        chapters = [c.strip() for part in args.chapter for c in part.split(",") if c.strip()]
        bank = args.bank if args.bank is not None else default_bank(Path(args.book))
        report = lms.export_quizzes(args.what, chapters, args.out, bank=bank, book=args.book,
                                    force=args.force)
    print(report)
    return 0


# -- gradescope -----------------------------------------------------------------------------

def _cmd_gradescope(args: argparse.Namespace) -> int:
    """The Gradescope autograder zip of an assignment (:mod:`coursekit.assignments.gradescope`)."""
    from coursekit.assignments import Limits
    from coursekit.assignments.gradescope import build_bundle

    limits = Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    memory_mb=args.memory_mb)
    names = build_bundle(args.assignment, args.out, bank=args.bank, wheel=args.wheel,
                         visibility=args.visibility, limits=limits,
                         unsafe_no_sandbox=args.unsafe_no_sandbox, execute_code=args.execute,
                         force=args.force)
    print(f"autograder: {args.out} ({len(names)} files; instructor only: it holds the keys)")
    return 0


# -- parser ----------------------------------------------------------------------------------

def _positive(text: str) -> int:
    """argparse type: a whole number above zero."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``coursekit`` command."""
    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log each step; print the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def book_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--book", type=Path, default=Path("."),
                       help="root of the book, holding chapters/ (default: current folder)")

    p = sub.add_parser("list", help="list every exercise and quiz question")
    book_option(p)
    p.add_argument("--chapter", action="append", metavar="chNN", help="only this chapter "
                   "(repeatable)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("assign", help="write student notebooks, an answer key and a manifest")
    book_option(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--chapter", action="append", metavar="chNN",
                       help="assign every exercise and graded quiz question of a chapter "
                       "(repeatable)")
    group.add_argument("--items", action="append", metavar="ID,ID,...",
                       help="assign these exercises and quiz questions (comma-separated)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--due", help="due date, YYYY-MM-DD")
    p.add_argument("--name", help="assignment name (default: the chapter ids)")
    p.add_argument("--per-chapter", action="store_true",
                   help="one student notebook per chapter instead of one notebook")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--bank", type=Path, help="instructor bank with the keys of assessed items "
                   "(default: BOOK/instructor-bank when it exists)")
    p.set_defaults(func=_cmd_assign)

    p = sub.add_parser("grade", help="grade submissions: grades.csv and feedback files")
    p.add_argument("submissions", type=Path,
                   help="folder with one sub-folder per student (or NAME.ipynb files)")
    p.add_argument("--assignment", type=Path, required=True,
                   help="the folder written by `coursekit assign`")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--execute", action=argparse.BooleanOptionalAction, default=True,
                   help="run each notebook in a fresh kernel (default); --no-execute reads "
                   "literal answers only and runs nothing")
    p.add_argument("--timeout", type=_positive, default=60, help="seconds per cell (default 60)")
    p.add_argument("--notebook-timeout", type=_positive, default=600,
                   help="seconds per notebook, all cells (default 600)")
    p.add_argument("--memory-mb", type=_positive, default=2048,
                   help="memory per sandboxed process, MB (default 2048)")
    p.add_argument("--max-procs", type=_positive, default=64,
                   help="processes per sandbox (default 64)")
    p.add_argument("--max-output-mb", type=_positive, default=64,
                   help="scratch space and output read back per notebook, MB (default 64)")
    p.add_argument("-j", "--jobs", type=_positive, default=1,
                   help="grade this many submissions at once (default 1)")
    p.add_argument("--roster", type=Path, help="CSV with columns submission,student that maps "
                   "submission names to LMS ids")
    p.add_argument("--resume", action="store_true",
                   help="finish an interrupted run in --out (keeps finished students)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code WITHOUT the sandbox when none can be made (only "
                   "for code you trust)")
    p.add_argument("--force", action="store_true",
                   help="start over in an --out folder that coursekit made")
    p.add_argument("--bank", type=Path, help="instructor bank with the keys of assessed items "
                   "(default: the snapshot in ASSIGNMENT/instructor/bank)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("edition", help="build the student or instructor edition of the book")
    book_option(p)
    p.add_argument("edition", choices=("student", "instructor"))
    p.add_argument("--solutions", choices=("collapsed", "removed"), default="collapsed",
                   help="student edition: solutions as dropdowns or removed (default collapsed)")
    p.add_argument("--out", type=Path, help="HTML output folder (default: _build/EDITION)")
    p.add_argument("--strict", action="store_true", help="jupyter-book -W -n --keep-going")
    p.add_argument("--keep-temp", action="store_true", help="keep the transformed copy")
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.set_defaults(func=_cmd_edition)

    p = sub.add_parser("export", help="quiz banks for Canvas or Moodle (QTI 1.2, QTI 2.1, Moodle "
                       "XML) and grades for their gradebooks")
    what = p.add_subparsers(dest="what", required=True, metavar="FORMAT")
    for name, text, suffix in (("qti12", "QTI 1.2 zip for Canvas", ".zip"),
                               ("qti21", "IMS QTI 2.1 content package", ".zip"),
                               ("moodle", "Moodle XML", ".xml")):
        q = what.add_parser(name, help=f"quiz questions as {text} (contains answer keys)")
        book_option(q)
        q.add_argument("--chapter", action="append", required=True, metavar="chNN",
                       help="chapter whose quiz to export (repeatable, comma-separated, "
                       "or 'all')")
        q.add_argument("--bank", type=Path, help="instructor bank with the keys of assessed "
                       "items (default: BOOK/instructor-bank when it exists)")
        q.add_argument("--out", type=Path, required=True,
                       help=f"output file ({suffix}), outside the book")
        q.add_argument("--force", action="store_true", help="replace an existing file")
        q.set_defaults(func=_cmd_export)
    g = what.add_parser("grades", help="grades.csv as the CSV the Canvas or Moodle gradebook "
                        "imports")
    g.add_argument("--format", choices=("canvas", "moodle"), required=True)
    g.add_argument("--grades", type=Path, required=True, help="grades.csv from coursekit grade")
    g.add_argument("--roster", type=Path, required=True, help="CSV with a 'student' column and "
                   "the LMS ids (canvas_id/sis_user_id/sis_login_id, or email/idnumber)")
    g.add_argument("--assignment", help="the gradebook column (default: the folder of "
                   "grades.csv)")
    g.add_argument("--out", type=Path, required=True, help="output file (.csv), outside the book")
    g.add_argument("--force", action="store_true", help="replace an existing file")
    g.set_defaults(func=_cmd_export)

    p = sub.add_parser("marks", help="merge hand marks of written parts into grades.csv")
    marks = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    m = marks.add_parser("merge", help="merge a marking CSV (student, item, part, points, "
                         "comment) into a grading folder")
    m.add_argument("--grades", type=Path, required=True,
                   help="the --out folder of `coursekit grade`")
    m.add_argument("--marks", type=Path, action="append", required=True,
                   help="marking CSV, e.g. GRADES/marking/ch02-ex-4.csv (repeatable)")
    m.set_defaults(func=_cmd_marks)

    p = sub.add_parser("gradebook", help="one wide CSV across assignments: a row per student, "
                       "a column per assignment and the total")
    p.add_argument("folders", type=Path, nargs="+", metavar="GRADES",
                   help="--out folders of `coursekit grade` (the folder name is the column)")
    p.add_argument("--out", type=Path, required=True, help="output file (.csv)")
    p.add_argument("--partial", action="store_true",
                   help="allow written parts awaiting marks (points so far, listed in notes)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=_cmd_gradebook)

    p = sub.add_parser("gradescope", help="the Gradescope autograder zip of an assignment "
                       "(grades with the same sandbox and scoring code)")
    p.add_argument("assignment", type=Path, help="the folder written by `coursekit assign`")
    p.add_argument("--out", type=Path, required=True, help="output file (autograder.zip)")
    p.add_argument("--bank", type=Path, help="instructor bank with the keys of assessed items "
                   "(default: the snapshot in ASSIGNMENT/instructor/bank)")
    p.add_argument("--wheel", type=Path, help="coursekit wheel to bundle (default: built from "
                   "this checkout)")
    p.add_argument("--visibility", choices=("hidden", "after_due_date", "after_published",
                                            "visible"), default="after_due_date",
                   help="when students see each item's result (default after_due_date)")
    p.add_argument("--timeout", type=_positive, default=60, help="seconds per cell (default 60)")
    p.add_argument("--notebook-timeout", type=_positive, default=480,
                   help="seconds per notebook (default 480; Gradescope stops a run at 10 "
                   "minutes unless the assignment allows more)")
    p.add_argument("--memory-mb", type=_positive, default=2048,
                   help="memory per sandboxed process, MB (default 2048)")
    p.add_argument("--execute", action=argparse.BooleanOptionalAction, default=True,
                   help="run each notebook in the sandbox (default); --no-execute reads "
                   "literal answers and quiz answers files only and runs nothing")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code WITHOUT the sandbox if Gradescope's container cannot "
                   "make one (a student could then read the keys and change the score)")
    p.add_argument("--force", action="store_true", help="replace an existing zip")
    p.set_defaults(func=_cmd_gradescope)

    p = sub.add_parser("check", help="validate quizzes and chapter exercise metadata")
    book_option(p)
    p.set_defaults(func=_cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coursekit`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(name)s: %(message)s", stream=sys.stderr)
    try:
        return args.func(args)
    except _ERRORS as exc:
        if args.verbose:
            traceback.print_exc()
        _say(f"coursekit {args.command}: error: {exc}")
        return 1
    except KeyboardInterrupt:
        hint = " (finished students are kept: run again with --resume)" \
            if args.command == "grade" else ""
        _say(f"coursekit {args.command}: interrupted{hint}")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
