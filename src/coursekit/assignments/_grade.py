"""``coursekit grade``: score submissions against an assignment's manifest.

Design (see reference/instructor-guide.md, "Grading safely: the sandbox"):

- Who: ``_roster`` turns submission names into student ids (Unicode kept) and reports every
  entry it cannot grade, naming the files; each such entry is a row of ``grades.csv``.
- Run: each notebook runs in its own sandbox (``_sandbox``; no network, own scratch only,
  killed at its limits); it hands back plain JSON. Without a sandbox nothing runs unless the
  instructor passes ``unsafe_no_sandbox``. Without ``execute`` the answer is read from a
  literal assignment (``answer = 42``) and nothing runs.
- Score: in this process, against the quiz snapshot (``_score``); quiz questions from
  response files (``coursekit.quiz.responses``): the book's "Download my answers" or
  ``quiz.save(...)``. A file from another version of the book or course, or a malformed one,
  is named in that student's rows; items the quiz lacks are noted beside the scored ones.
- Keep: each student's result is stored as soon as it is graded (``_results``);
  ``resume`` finishes an interrupted run. ``jobs`` runs that many sandboxes at once.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from coursekit.errors import InputError, RunError

from . import _marks, _quizapi, transforms
from ._assign import BANK_DIR, INSTRUCTOR_DIR, MANIFEST
from ._chapters import cell_info, read_notebook
from ._files import OutputExistsError, check_output_folder, mark
from ._results import NOT_GRADED, Row, Store, StudentResult, feedback_markdown, fingerprint
from ._roster import Problem, Submission, discover, feedback_names, load_roster
from ._sandbox import Limits, NotebookRun, Sandbox, SandboxUnavailable
from ._score import Loaded, score_exercise, score_question
from .tags import COURSEKIT_KEY

__all__ = ["GradeReport", "grade", "load_manifest"]

log = logging.getLogger("coursekit.grade")
#: Largest answers file read (bytes); bigger ones are reported, not parsed.
MAX_ANSWERS_BYTES = 5_000_000
#: Largest notebook read (bytes).
MAX_NOTEBOOK_BYTES = 100 << 20


@dataclass
class GradeReport:
    """What ``grade`` did: rows of ``grades.csv``, students graded, files skipped."""

    rows: list[Row] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    resumed: list[str] = field(default_factory=list)
    not_graded: list[tuple[str, str]] = field(default_factory=list)  # (entries, reason)

    def summary(self) -> str:
        lines = [f"graded {len(self.graded)} student(s); skipped {len(self.skipped)} file(s)"]
        if self.resumed:
            lines[0] += f"; {len(self.resumed)} kept from the interrupted run"
        waiting = sum(r.points is None for r in self.rows)
        if waiting:
            lines[0] += (f"; {waiting} written part(s) awaiting marks (marking/*.csv, then "
                         "`coursekit marks merge`)")
        lines += [f"  NOT GRADED {names}: {reason}" for names, reason in self.not_graded]
        lines += [f"  skipped {name}: {reason}" for name, reason in self.skipped]
        return "\n".join(lines)


def load_manifest(assignment: Path) -> dict[str, Any]:
    """Read ``assignment/manifest.json``; ``ValueError`` names the missing field."""
    path = Path(assignment) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no manifest; is {assignment} the folder written by "
                                "`coursekit assign`?") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a JSON manifest ({exc})") from None
    for key in ("name", "items", "quizzes"):
        if key not in manifest:
            raise InputError(f"{path}: field {key!r} is missing")
    return manifest


def _load_quizzes(assignment: Path, manifest: dict[str, Any], bank: Path | None) -> dict:
    """Every quiz the manifest names, through ``_quizapi.load`` (the one loader)."""
    if bank is None and (assignment / BANK_DIR).is_dir():  # keys of assessed items
        bank = assignment / BANK_DIR
    quizzes = {chapter: _quizapi.load(assignment / rel, bank)
               for chapter, rel in manifest["quizzes"].items()}
    for item in manifest["items"]:
        if item["auto"] and item["chapter"] not in quizzes:
            raise InputError(f"{assignment / MANIFEST}: item {item['id']} is auto-graded but "
                             f"there is no quiz snapshot for {item['chapter']} in "
                             f"{assignment / INSTRUCTOR_DIR / 'quizzes'}")
    return quizzes


def _load(sub: Submission, root: Path, manifest: dict[str, Any],
          quizzes: dict[str, Any]) -> tuple[Loaded, list[list[str]]]:
    loaded, skipped = Loaded(sub.student), []
    item_ids = {i["id"] for i in manifest["items"]}
    for path in sub.files:
        rel = str(path.relative_to(root))
        if path.suffix == ".ipynb":
            try:
                if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                    raise InputError(f"{path}: larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
                nb = read_notebook(path)
            except ValueError as exc:
                skipped.append([rel, f"malformed notebook: {str(exc).split(': ', 1)[-1]}"])
                continue
            meta = nb.metadata.get(COURSEKIT_KEY, {})
            ours = isinstance(meta, dict) and meta.get("assignment") == manifest["name"]
            if not ours and not any(cell_info(c).get("id") in item_ids for c in nb.cells):
                skipped.append([rel, f"not a notebook of assignment {manifest['name']!r}"])
                continue
            loaded.notebooks.append((path, nb))
            continue
        try:
            if path.stat().st_size > MAX_ANSWERS_BYTES:
                raise InputError(f"larger than {MAX_ANSWERS_BYTES} bytes")
            answers = _quizapi.read_responses(path)
        except LookupError:
            skipped.append([rel, "not a quiz answers file of this assignment "
                                 "(expected {\"quiz\": ..., \"responses\": {...}})"])
            continue
        except (ValueError, OSError) as exc:  # malformed: this student's rows say so
            reason = f"malformed answers file: {str(exc)[:200]}"
            skipped.append([rel, reason])
            loaded.unusable.setdefault(None, []).append((path, reason))
            continue
        if answers.quiz not in quizzes:
            skipped.append([rel, f"answers for quiz {answers.quiz!r}, which is not in "
                                 "this assignment"])
            continue
        blocking, notes = _quizapi.response_problems(answers, quizzes[answers.quiz])
        if blocking:  # another course or version of the book: nothing is scored
            reason = "; ".join(blocking)
            skipped.append([rel, reason])
            loaded.unusable.setdefault(answers.quiz, []).append((path, reason))
            continue
        loaded.warnings.setdefault(answers.quiz, []).extend(f"{path.name}: {n}" for n in notes)
        loaded.responses.setdefault(answers.quiz, []).append((path, answers.responses))
    return loaded, skipped


@dataclass
class _Context:
    root: Path
    manifest: dict[str, Any]
    quizzes: dict[str, Any]
    sandbox: Sandbox | None
    feedback: dict[str, str]
    salt: str


def _grade_one(sub: Submission, ctx: _Context) -> tuple[StudentResult, str, str]:
    """Grade one student; any failure is this student's rows, never the run's."""
    manifest = ctx.manifest
    graded = _marks.graded_items(manifest)  # auto items and items with written parts
    result = StudentResult(sub.student, fingerprint(sub.files, ctx.salt),
                           feedback_file=f"feedback/{ctx.feedback[sub.student]}.md")
    loaded, result.skipped = _load(sub, ctx.root, manifest, ctx.quizzes)
    notes = [f"{name} was not graded: {reason}" for name, reason in result.skipped]
    if not loaded.notebooks and not loaded.responses:
        why = "; ".join(f"{name}: {reason}" for name, reason in result.skipped) or \
            "no notebook or quiz answers file handed in"
        for item in graded:
            rows, _ = _marks.item_rows(sub.student, item, [], lambda i, w=why: Row(
                sub.student, i["id"], 0.0, float(i["points"]), f"not graded: {w}"),
                not_graded=f"not graded: {why}")
            result.rows += rows
    else:
        runs: dict[Path, NotebookRun] | None = None
        if ctx.sandbox is not None:
            runs = {}
            for path, nb in loaded.notebooks:
                source = nbformat.writes(transforms.clear_outputs(nb)).encode("utf-8")
                runs[path] = ctx.sandbox.run(source)
                if runs[path].problem:
                    notes.append(f"{path.relative_to(ctx.root)}: {runs[path].problem}")
        def score(item: dict[str, Any]) -> Row:
            quiz = ctx.quizzes[item["chapter"]]
            if item["source"] == "quiz":
                expected = manifest.get("responses", {}).get(item["chapter"])
                return score_question(loaded, item, quiz, expected)
            return score_exercise(loaded, item, quiz, runs)

        for item in graded:
            rows, written = _marks.item_rows(sub.student, item, loaded.notebooks, score)
            result.rows += rows
            result.written += written
    counts = (f"{len(loaded.notebooks)} notebook(s), "
              f"{sum(len(v) for v in loaded.responses.values())} answers file(s)")
    return result, feedback_markdown(sub.student, result.rows, manifest, notes), counts


def _problem_result(problem: Problem, manifest: dict[str, Any]) -> StudentResult:
    total = float(manifest.get("auto_points") or sum(
        float(i["points"]) for i in manifest["items"] if i["auto"]))
    return StudentResult(problem.student, "", [Row(problem.student, NOT_GRADED, 0.0, total,
                                                   problem.reason)],
                         key="\0".join(["!", *problem.names]))


def _banks_to_hide(manifest: dict[str, Any], bank: Path | None) -> list[Path]:
    """Every instructor bank a submission could guess the path of: the one given, the one the
    assignment was made from (``manifest["bank_source"]``) and ``instructor-bank/`` in the
    folder grading runs from."""
    found = [bank] if bank else []
    if manifest.get("bank_source"):
        found.append(Path(manifest["bank_source"]))
    found.append(Path.cwd() / _quizapi.DEFAULT_BANK)
    return [p for p in found if p.exists()]


def _sandbox_or_refuse(limits: Limits, hidden: list[Path], unsafe: bool) -> Sandbox:
    try:
        return Sandbox(limits, hidden)
    except SandboxUnavailable as exc:
        if not unsafe:
            raise RunError(
                f"cannot run student code safely here: {exc}. Without a sandbox a submission "
                "runs as you, with your files and the network. Install bubblewrap, or grade "
                "with --no-execute, or (only for code you trust) pass --unsafe-no-sandbox"
            ) from None
        log.warning("no sandbox (%s): running student code UNSAFELY, limits only", exc)
        return Sandbox(limits, hidden, unsafe=True)


def grade(
    submissions: Path,
    assignment: Path,
    out: Path,
    *,
    execute_code: bool = True,
    timeout: int = 60,
    limits: Limits | None = None,
    force: bool = False,
    resume: bool = False,
    jobs: int = 1,
    roster: Path | None = None,
    bank: Path | None = None,
    unsafe_no_sandbox: bool = False,
    progress: Callable[[str], None] = lambda message: None,
    hide: Sequence[Path] = (),
) -> GradeReport:
    """Grade every submission in ``submissions`` (one folder per student, or ``NAME.ipynb``).

    Writes ``out/grades.csv`` (student, item, points, max_points, feedback) after each
    student, and ``out/feedback/<student>.md``. ``limits`` (default: ``timeout`` seconds per
    cell) bound each notebook's sandbox. An existing run in ``out`` is finished with
    ``resume`` or replaced with ``force`` (only if coursekit made ``out``). Submissions that
    cannot be graded get a row saying why; ignored files are listed in the report. ``hide``
    names more folders no sandbox may read (the Gradescope bundle hides ``/autograder``).
    """
    submissions, assignment, out = Path(submissions), Path(assignment), Path(out)
    limits = limits or Limits(cell_timeout=timeout)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"-j/--jobs must be a positive whole number, got {jobs!r}")
    if force and resume:
        raise InputError("--force starts over and --resume finishes a run: give only one")
    manifest = load_manifest(assignment)
    quizzes = _load_quizzes(assignment, manifest, bank)
    protected = [submissions, assignment, *([bank] if bank else [])]
    resolved = check_output_folder(out, protected, force=force)
    for inside in (submissions, assignment):
        if inside.resolve() in resolved.parents:
            raise InputError(f"--out {out}: inside {inside}; choose a folder outside it")
    roster_map = load_roster(roster) if roster is not None else None
    subs, problems, ignored = discover(submissions, roster_map)
    order = sorted([s.student for s in subs] + ["\0".join(["!", *p.names]) for p in problems],
                   key=lambda k: k.split("\0")[-1] if k.startswith("!\0") else k)
    store = Store(out, order)
    previous = store.previous()
    if (previous or (out / "grades.csv").exists()) and not (resume or force):
        raise OutputExistsError(f"{out / 'grades.csv'} already exist; pass --resume to finish "
                                "that run or --force to overwrite")
    sandbox = None
    if execute_code:
        sandbox = _sandbox_or_refuse(limits, [submissions, assignment, out, *hide,
                                              *_banks_to_hide(manifest, bank)],
                                     unsafe_no_sandbox)
    fresh = not out.exists() or not any(out.iterdir())
    if force:
        store.clear()
        previous = {}
    out.mkdir(parents=True, exist_ok=True)
    if fresh:
        mark(out, "grade")
    names = feedback_names(sorted(s.student for s in subs))
    ctx = _Context(submissions, manifest, quizzes, sandbox, names,
                   salt=json.dumps([manifest, execute_code], sort_keys=True, default=str))
    report = GradeReport(skipped=list(ignored))
    todo = []
    for sub in subs:
        kept = previous.get(sub.student)
        if resume and kept and kept.fingerprint == fingerprint(sub.files, ctx.salt) and \
                (kept.feedback_file is None or (out / kept.feedback_file).exists()):
            store.results[kept.key] = kept
            report.resumed.append(sub.student)
        else:
            todo.append(sub)
    for problem in problems:
        store.add(_problem_result(problem, manifest))
    store.write_csv()
    total = len(todo)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_grade_one, sub, ctx): sub for sub in todo}
        try:
            for number, future in enumerate(concurrent.futures.as_completed(futures), 1):
                result, feedback, counts = future.result()
                store.add(result, feedback)
                progress(f"[{number}/{total}] {result.student}: {counts}")
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            if sandbox is not None:
                sandbox.kill_all()
            # Ctrl-C between a student's record and grades.csv: list every recorded student
            store.write_csv()
            raise
    for result in store.results.values():
        report.skipped += [(name, reason) for name, reason in result.skipped]
    report.graded = sorted(s.student for s in subs)
    report.rows = store.rows()
    report.not_graded = [(", ".join(p.names), p.reason) for p in problems]
    return report
