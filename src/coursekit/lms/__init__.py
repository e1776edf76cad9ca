"""Export to learning management systems: quiz banks and grades.

- ``export_quizzes("qti12" | "qti21" | "moodle", ["ch01", ...], out, bank=...)`` writes the
  chapters' quiz questions, with the keys of assessed items from the instructor bank, as QTI 1.2
  for Canvas (``qti12``), an IMS QTI 2.1 content package (``qti21``) or Moodle XML
  (``moodle``), and returns a ``Report`` listing every difference and everything not exported.
- ``export_grades("canvas" | "moodle", grades, roster, out)`` writes the CSV the gradebook
  imports (``coursekit.lms.gradebook``).

The files contain answer keys: they are written only to ``out``, never inside a book, and
atomically. ``coursekit export`` is the command-line front end.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coursekit.errors import InputError

from . import gradebook, moodle, qti12, qti21
from ._items import Item, Note, Report, load_chapters, to_item
from .gradebook import GradesReport

__all__ = ["FORMATS", "GradesReport", "Item", "Note", "Report", "export_grades",
           "export_quizzes", "to_item"]

FORMATS = {"qti12": qti12.export, "qti21": qti21.export, "moodle": moodle.export}


def export_quizzes(fmt: str, chapters: Sequence[str], out: Path, *, bank: Path | None = None,
                   book: Path | None = None, force: bool = False) -> Report:
    """Export the quizzes of ``chapters`` (``"ch01"`` ...) in format ``fmt`` to ``out``."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not chapters:
        raise InputError("no chapters given; name at least one (e.g. ch01)")
    if bank is not None and not Path(bank).exists():
        raise FileNotFoundError(f"{bank}: no such instructor bank")
    return FORMATS[fmt](load_chapters(chapters, bank, book), Path(out), force=force)


def export_grades(lms: str, grades: Path, roster: Path, out: Path, *,
                  assignment: str | None = None, force: bool = False) -> GradesReport:
    """Write the grade-import CSV of ``lms`` ("canvas" or "moodle")."""
    return gradebook.export(lms, Path(grades), Path(roster), Path(out), assignment=assignment,
                            force=force)
