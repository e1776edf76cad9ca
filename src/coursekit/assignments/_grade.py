"""``coursekit grade``: score submissions against an assignment's manifest.

Design (see reference/instructor-guide.md):

- Items are found by ``metadata.coursekit.id``, never by position.
- Data tasks: by default each notebook runs in a fresh kernel (nbclient, empty temporary
  folder, per-cell timeout). ``coursekit.check`` only *records* the answer there; the grader
  scores it in its own process with the quiz snapshot in ``instructor/quizzes/``. Without
  ``execute`` the answer is read from a literal assignment (``answer = 42``) and nothing runs.
- Quiz questions: from the JSON files that ``quiz.save(...)`` writes, scored with
  ``coursekit.quiz.score``. Nothing a student's kernel prints is trusted.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from . import _quizapi
from ._assign import INSTRUCTOR_DIR, MANIFEST
from ._chapters import cell_info, read_notebook
from ._sandbox import CellRun
from ._files import Writer
from .tags import COURSEKIT_KEY, ROLE_CHECK

__all__ = ["GradeReport", "grade", "load_manifest"]

log = logging.getLogger("coursekit.grade")
CSV_COLUMNS = ["student", "item", "points", "max_points", "feedback"]


@dataclass
class Row:
    student: str
    item: str
    points: float
    max_points: float
    feedback: str


@dataclass
class GradeReport:
    """What ``grade`` did: rows of ``grades.csv``, students graded, files skipped."""

    rows: list[Row] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    def summary(self) -> str:
        lines = [f"graded {len(self.graded)} student(s); skipped {len(self.skipped)} file(s)"]
        lines += [f"  skipped {name}: {reason}" for name, reason in self.skipped]
        return "\n".join(lines)


@dataclass
class _Submission:
    student: str
    notebooks: list[tuple[Path, NotebookNode]] = field(default_factory=list)
    responses: dict[str, list[tuple[Path, dict[str, Any]]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load_manifest(assignment: Path) -> dict[str, Any]:
    """Read ``assignment/manifest.json``; ``ValueError`` names the missing field."""
    path = Path(assignment) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no manifest; is {assignment} the folder written by "
                                "`coursekit assign`?") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    for key in ("name", "items", "quizzes"):
        if key not in manifest:
            raise ValueError(f"{path}: field {key!r} is missing")
    return manifest


def _student_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "student"


def _discover(submissions: Path) -> tuple[dict[str, list[Path]], list[tuple[str, str]]]:
    found: dict[str, list[Path]] = {}
    skipped: list[tuple[str, str]] = []
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: no such folder of submissions")
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files = sorted(p for p in entry.rglob("*") if p.suffix in (".ipynb", ".json")
                           and ".ipynb_checkpoints" not in p.parts and p.is_file())
            found.setdefault(_student_id(entry.name), []).extend(files)
        elif entry.suffix == ".ipynb":
            found.setdefault(_student_id(entry.stem), []).append(entry)
        elif entry.suffix == ".json":
            skipped.append((entry.name, "a loose answers file: put it in the student's folder"))
    return found, skipped


def _load_submission(student: str, files: list[Path], root: Path, manifest: dict[str, Any],
                     skipped: list[tuple[str, str]]) -> _Submission:
    sub = _Submission(student)
    item_ids = {i["id"] for i in manifest["items"]}
    for path in files:
        rel = str(path.relative_to(root))
        if path.suffix == ".ipynb":
            try:
                nb = read_notebook(path)
            except ValueError as exc:
                skipped.append((rel, f"malformed notebook: {str(exc).split(': ', 1)[-1]}"))
                continue
            meta = nb.metadata.get(COURSEKIT_KEY, {})
            ours = isinstance(meta, dict) and meta.get("assignment") == manifest["name"]
            if not ours and not any(cell_info(c).get("id") in item_ids for c in nb.cells):
                skipped.append((rel, f"not a notebook of assignment {manifest['name']!r}"))
                continue
            sub.notebooks.append((path, nb))
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            skipped.append((rel, f"malformed answers file: {exc}"))
            continue
        if not (isinstance(payload, dict) and isinstance(payload.get("responses"), dict)
                and payload.get("quiz") in manifest["quizzes"]):
            skipped.append((rel, "not a quiz answers file of this assignment "
                                 "(expected {\"quiz\": ..., \"responses\": {...}})"))
            continue
        sub.responses.setdefault(payload["quiz"], []).append((path, payload["responses"]))
    return sub


def _find_cells(sub: _Submission, item_id: str, role: str) -> list[tuple[Path, int, NotebookNode]]:
    return [(path, index, cell)
            for path, nb in sub.notebooks
            for index, cell in enumerate(nb.cells)
            if cell_info(cell).get("id") == item_id and cell_info(cell).get("role") == role]


def _static_answer(nb: NotebookNode, check_index: int, item_id: str) -> tuple[bool, Any, str]:
    """Read the answer without running code: the check call's argument, if it is a literal or
    a name last assigned a literal before the check cell."""
    source = "".join(nb.cells[check_index].source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False, None, "the check cell is not valid Python"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and len(n.args) >= 2
             and isinstance(n.args[0], ast.Constant) and n.args[0].value == item_id]
    if not calls:
        return False, None, f"the check cell does not call coursekit.check({item_id!r}, ...)"
    expr = calls[-1].args[1]
    if isinstance(expr, ast.Name):
        value_node = None
        for cell in nb.cells[:check_index]:
            if cell.cell_type != "code":
                continue
            try:
                body = ast.parse("".join(cell.source)).body
            except SyntaxError:
                continue
            for stmt in body:
                if isinstance(stmt, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == expr.id for t in stmt.targets):
                    value_node = stmt.value
        if value_node is None:
            return False, None, f"no value assigned to {expr.id!r} before the check cell"
        expr = value_node
    try:
        return True, ast.literal_eval(expr), ""
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None, "the answer is computed by code; grade with --execute to score it"


def _grade_exercise(sub: _Submission, item: dict[str, Any], quiz: Any,
                    runs: dict[Path, dict[int, CellRun]], execute_code: bool) -> Row:
    item_id, max_points = item["id"], float(item["points"])
    cells = _find_cells(sub, item_id, ROLE_CHECK)
    prefix = f"{item['chapter']}-"
    if not any(str(cell_info(c).get("id", "")).startswith(prefix)
               for _, nb in sub.notebooks for c in nb.cells):
        return Row(sub.student, item_id, 0.0, max_points,
                   f"no notebook with chapter {item['chapter']} handed in; scored 0")
    if not cells:
        return Row(sub.student, item_id, 0.0, max_points,
                   f"no check cell for {item_id} found (was it deleted?); scored 0")
    notes = []
    if len(cells) > 1:
        where = ", ".join(f"{p.name} cell {i}" for p, i, _ in cells)
        notes.append(f"{len(cells)} cells carry the id {item_id} ({where}): graded the first")
    path, index, _ = cells[0]
    nb = dict(sub.notebooks)[path]
    if execute_code:
        run = runs.get(path, {}).get(index, CellRun(error="the cell did not run"))
        answers = [a for i, a in run.records if i == item_id]
        if not answers:
            reason = (f"the check cell raised {run.error}" if run.error else
                      f"the check cell did not call coursekit.check({item_id!r}, ...)")
            return Row(sub.student, item_id, 0.0, max_points, "; ".join([*notes, reason]))
        answer = answers[-1]
    else:
        ok, answer, reason = _static_answer(nb, index, item_id)
        if not ok:
            return Row(sub.student, item_id, 0.0, max_points, "; ".join([*notes, reason]))
    fraction, feedback = _quizapi.score(quiz, item_id, answer)
    return Row(sub.student, item_id, round(fraction * max_points, 4), max_points,
               "; ".join([*notes, feedback]))


def _grade_question(sub: _Submission, item: dict[str, Any], quiz: Any,
                    expected_file: str | None) -> Row:
    item_id, max_points = item["id"], float(item["points"])
    files = sub.responses.get(item["chapter"], [])
    if not files:
        return Row(sub.student, item_id, 0.0, max_points,
                   f"no quiz answers file for {item['chapter']} "
                   f"({expected_file or 'answers.json'}) handed in; scored 0")
    notes = []
    chosen = next((f for f in files if f[0].name == expected_file), files[0])
    if len(files) > 1:
        notes.append(f"{len(files)} answers files for quiz {item['chapter']}: "
                     f"graded {chosen[0].name}")
    result = _quizapi.score_responses(quiz, chosen[1]).items.get(item_id)
    if result is None or not result.answered:
        return Row(sub.student, item_id, 0.0, max_points, "; ".join([*notes, "not answered"]))
    return Row(sub.student, item_id, round(result.fraction * max_points, 4), max_points,
               "; ".join([*notes, result.feedback]))


def _fmt(value: float) -> str:
    return f"{value:g}"


def _csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.student, row.item, _fmt(row.points), _fmt(row.max_points),
                         row.feedback])
    return buffer.getvalue()


def _feedback_md(student: str, rows: list[Row], manifest: dict[str, Any],
                 notes: list[str]) -> str:
    got, out_of = sum(r.points for r in rows), sum(r.max_points for r in rows)
    lines = [f"# Feedback: {manifest['name']}", "", f"Student: {student}", "",
             f"Automatically graded: **{_fmt(got)} / {_fmt(out_of)}** points", "",
             "| item | points | feedback |", "| --- | --- | --- |"]
    lines += [f"| {r.item} | {_fmt(r.points)} / {_fmt(r.max_points)} | "
              f"{r.feedback.replace('|', '/').replace(chr(10), ' ')} |" for r in rows]
    manual = [i for i in manifest["items"] if not i["auto"]]
    if manual:
        lines += ["", "Graded by your instructor:", ""]
        lines += [f"- {i['id']} ({i['kind']}, {_fmt(float(i['points']))} points)" for i in manual]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def grade(
    submissions: Path,
    assignment: Path,
    out: Path,
    *,
    execute_code: bool = True,
    timeout: int = 60,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> GradeReport:
    """Grade every submission in ``submissions`` (one folder per student, or ``NAME.ipynb``).

    Writes ``out/grades.csv`` (student, item, points, max_points, feedback) and
    ``out/feedback/<student>.md``; nothing is overwritten unless ``force``. Malformed or
    foreign files are skipped and listed in the returned report.
    """
    submissions, assignment, out = Path(submissions), Path(assignment), Path(out)
    manifest = load_manifest(assignment)
    quizzes = {chapter: _quizapi.load(assignment / rel)
               for chapter, rel in manifest["quizzes"].items()}
    auto = [i for i in manifest["items"] if i["auto"]]
    for item in auto:
        if item["chapter"] not in quizzes:
            raise ValueError(f"{assignment / MANIFEST}: item {item['id']} is auto-graded but "
                             f"there is no quiz snapshot for {item['chapter']} in "
                             f"{assignment / INSTRUCTOR_DIR / 'quizzes'}")
    writer = Writer(out, force)
    writer.add_text("grades.csv", "")
    writer.check()  # fail before the (slow) grading, not after
    found, skipped = _discover(submissions)
    report = GradeReport(skipped=list(skipped))
    for number, (student, files) in enumerate(sorted(found.items()), start=1):
        before = len(report.skipped)
        sub = _load_submission(student, files, submissions, manifest, report.skipped)
        progress(f"[{number}/{len(found)}] {student}: {len(sub.notebooks)} notebook(s), "
                 f"{sum(len(v) for v in sub.responses.values())} answers file(s)")
        if not sub.notebooks and not sub.responses:
            report.skipped.append((student, "nothing gradable handed in"))
            continue
        runs: dict[Path, dict[int, CellRun]] = {}
        if execute_code:
            for path, nb in sub.notebooks:
                runs[path] = execute(nb, timeout=timeout)
        rows = []
        for item in auto:
            if item["source"] == "quiz":
                rows.append(_grade_question(sub, item, quizzes[item["chapter"]],
                                            manifest.get("responses", {}).get(item["chapter"])))
            else:
                rows.append(_grade_exercise(sub, item, quizzes[item["chapter"]], runs,
                                            execute_code))
        notes = [f"{name} was not graded: {reason}" for name, reason in report.skipped[before:]]
        writer.add_text(f"feedback/{student}.md", _feedback_md(student, rows, manifest, notes))
        report.rows += rows
        report.graded.append(student)
    writer.add_text("grades.csv", _csv(report.rows))
    writer.write()
    return report
