"""Assign exercises, hand out student notebooks, grade submissions, build book editions.

Public API
----------
- :func:`check`: ``coursekit.quiz.check`` that records answers while grading.
- :func:`list_items`: every exercise and quiz question of a book.
- :func:`assign`: student notebooks, instructor key and ``manifest.json``.
- :func:`grade`: ``grades.csv`` and per-student feedback; each notebook runs in a sandbox
  bounded by :class:`Limits`.
- :func:`merge_marks`, :func:`gradebook`: hand marks of written parts; one wide gradebook.
- :func:`build_edition`: the student or instructor edition of the book.

The notebook transforms are in :mod:`coursekit.assignments.transforms`; tag and metadata
names in :mod:`coursekit.assignments.tags`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .tags import GRADE_LOG_ENV

if TYPE_CHECKING:
    from ._chapters import Item

# Loaded on first use (as in ``coursekit``): a grading kernel imports this package for
# :func:`check` alone, and the sandbox's runner for ``_runner``; neither needs nbformat or
# the assign/grade/edition modules (about 0.3 s of CPU per graded notebook).
_LAZY = {
    "AuthoringError": "_chapters", "Item": "_chapters", "load_catalog": "_chapters",
    "GradeReport": "_grade", "grade": "_grade", "load_manifest": "_grade",
    "GradebookReport": "_gradebook", "gradebook": "_gradebook",
    "MarksReport": "_marks", "OutputExistsError": "_files", "Limits": "_sandbox",
    "assign": "_assign", "build_edition": "_edition",
}

__all__ = [
    "AuthoringError",
    "GradeReport",
    "GradebookReport",
    "Item",
    "Limits",
    "MarksReport",
    "OutputExistsError",
    "assign",
    "build_edition",
    "check",
    "grade",
    "gradebook",
    "list_items",
    "load_manifest",
    "merge_marks",
]

def check(item_id: str, answer: Any) -> bool:
    """Check the answer to an exercise data task: print feedback, return True if right.

    Outside grading this is ``coursekit.quiz.check`` (what ``coursekit.check`` calls). While
    ``coursekit grade`` runs a submission (``COURSEKIT_GRADE_LOG`` set) the grading kernel
    routes ``coursekit.quiz.check`` here, and it only records the answer for the grader,
    prints a note and returns False: grading never trusts the student's kernel.
    """
    log = os.environ.get(GRADE_LOG_ENV)
    if log:
        from . import _answers

        _answers.record(log, item_id, answer)
        print(f"{item_id}: answer recorded for grading")
        return False
    from . import _quizapi

    return _quizapi.kernel_check(item_id, answer)


def list_items(book: Path = Path("."), chapters: list[str] | None = None) -> list[Item]:
    """Every exercise and quiz question of ``book`` (or of ``chapters``), in course order.

    ``Item.auto`` is true for quiz questions and for exercises with a ``checks:`` entry and a
    check cell.
    """
    from ._chapters import load_catalog

    return load_catalog(Path(book), chapters).items


def __getattr__(name: str) -> Any:
    if name == "merge_marks":
        return importlib.import_module(f"{__name__}._marks").merge
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
