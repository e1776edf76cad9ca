"""Score one student's answers item by item, in the grader's own process.

Items are found by ``metadata.coursekit.id``, never by position. Data-task answers come
from the sandbox as decoded JSON (or, without executing, from a literal in the notebook);
quiz answers from response files (the book's download or ``quiz.save(...)``). Scoring itself is
``coursekit.quiz``'s, through ``_quizapi``; an answer the scorer cannot take is that item's
row with the reason, never a crash of the run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from . import _quizapi
from ._chapters import cell_info
from ._results import Row
from ._sandbox import NotebookRun
from .tags import ROLE_CHECK

__all__ = ["Loaded", "score_exercise", "score_question"]


@dataclass
class Loaded:
    """One student's readable files: notebooks and quiz answers files by chapter."""

    student: str
    notebooks: list[tuple[Path, NotebookNode]] = field(default_factory=list)
    responses: dict[str, list[tuple[Path, dict[str, Any]]]] = field(default_factory=dict)
    #: answers files that cannot be scored, by quiz (``None``: unreadable, quiz unknown)
    unusable: dict[str | None, list[tuple[Path, str]]] = field(default_factory=dict)
    #: notes on usable answers files by quiz (items the quiz does not have)
    warnings: dict[str, list[str]] = field(default_factory=dict)


def _find_cells(sub: Loaded, item_id: str, role: str) -> list[tuple[Path, int, NotebookNode]]:
    return [(path, index, cell)
            for path, nb in sub.notebooks
            for index, cell in enumerate(nb.cells)
            if cell_info(cell).get("id") == item_id and cell_info(cell).get("role") == role]


def static_answer(nb: NotebookNode, check_index: int, item_id: str) -> tuple[bool, Any, str]:
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


def _run_reason(run: NotebookRun | None, index: int, item_id: str) -> str:
    cell = run.cells.get(index) if run is not None else None
    if cell is None:
        why = (run.problem if run is not None else None) or "the notebook stopped before it"
        return f"the check cell did not run: {why}"
    if cell.error is None:
        return f"the check cell did not call coursekit.check({item_id!r}, ...)"
    if cell.error.startswith("timed out"):
        return f"the check cell {cell.error}"
    if cell.error.startswith("not run"):
        return f"the check cell was {cell.error}"
    return f"the check cell raised {cell.error}"


def _scored(student: str, item_id: str, max_points: float, notes: list[str], quiz: Any,
            answer: Any) -> Row:
    try:
        fraction, feedback = _quizapi.score(quiz, item_id, answer)
    except Exception as exc:  # an answer the scorer cannot take scores 0
        fraction, feedback = 0.0, f"could not score this answer ({type(exc).__name__}: " \
                                  f"{str(exc)[:200]})"
    return Row(student, item_id, round(fraction * max_points, 4), max_points,
               "; ".join([*notes, feedback]))


def score_exercise(sub: Loaded, item: dict[str, Any], quiz: Any,
                   runs: dict[Path, NotebookRun] | None) -> Row:
    """One data task: ``runs`` holds each notebook's sandbox run (``None``: read literals)."""
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
    if runs is not None:
        run = runs.get(path)
        cell = run.cells.get(index) if run is not None else None
        answers = [a for i, a in (cell.records if cell else []) if i == item_id]
        if not answers:
            return Row(sub.student, item_id, 0.0, max_points,
                       "; ".join([*notes, _run_reason(run, index, item_id)]))
        answer = answers[-1]
    else:
        ok, answer, reason = static_answer(nb, index, item_id)
        if not ok:
            return Row(sub.student, item_id, 0.0, max_points, "; ".join([*notes, reason]))
    return _scored(sub.student, item_id, max_points, notes, quiz, answer)


def score_question(sub: Loaded, item: dict[str, Any], quiz: Any,
                   expected_file: str | None) -> Row:
    """One graded quiz question, from the student's answers file for its chapter."""
    item_id, max_points = item["id"], float(item["points"])
    files = sub.responses.get(item["chapter"], [])
    unusable = [*sub.unusable.get(item["chapter"], []), *sub.unusable.get(None, [])]
    if not files and unusable:
        why = "; ".join(f"{path.name}: {reason}" for path, reason in unusable)
        return Row(sub.student, item_id, 0.0, max_points,
                   f"no usable quiz answers file for {item['chapter']} ({why}); scored 0")
    if not files:
        return Row(sub.student, item_id, 0.0, max_points,
                   f"no quiz answers file for {item['chapter']} "
                   f"({expected_file or 'answers.json'}) handed in; scored 0")
    notes = list(sub.warnings.get(item["chapter"], []))
    chosen = next((f for f in files if f[0].name == expected_file), files[0])
    if len(files) > 1:
        notes.append(f"{len(files)} answers files for quiz {item['chapter']}: "
                     f"graded {chosen[0].name}")
    try:
        result = _quizapi.score_responses(quiz, {item_id: chosen[1][item_id]}
                                          if item_id in chosen[1] else {}).items.get(item_id)
    except Exception as exc:  # a malformed answer is this item's row
        return Row(sub.student, item_id, 0.0, max_points,
                   "; ".join([*notes, f"could not score the answer in {chosen[0].name} "
                                      f"({type(exc).__name__}: {str(exc)[:200]})"]))
    if result is None or not result.answered:
        return Row(sub.student, item_id, 0.0, max_points, "; ".join([*notes, "not answered"]))
    return Row(sub.student, item_id, round(result.fraction * max_points, 4), max_points,
               "; ".join([*notes, result.feedback]))
