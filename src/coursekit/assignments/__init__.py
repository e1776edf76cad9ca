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

import os
from pathlib import Path
from typing import Any

from . import _answers, _quizapi
from ._assign import assign
from ._chapters import AuthoringError, Item, load_catalog
from ._edition import build_edition
from ._files import OutputExistsError
from ._grade import GradeReport, grade, load_manifest
from ._gradebook import GradebookReport, gradebook
from ._marks import MarksReport
from ._marks import merge as merge_marks
from ._sandbox import Limits
from .tags import GRADE_LOG_ENV

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
        _answers.record(log, item_id, answer)
        print(f"{item_id}: answer recorded for grading")
        return False
    return _quizapi.kernel_check(item_id, answer)


def list_items(book: Path = Path("."), chapters: list[str] | None = None) -> list[Item]:
    """Every exercise and quiz question of ``book`` (or of ``chapters``), in course order.

    ``Item.auto`` is true for quiz questions and for exercises with a ``checks:`` entry and a
    check cell.
    """
    return load_catalog(Path(book), chapters).items
