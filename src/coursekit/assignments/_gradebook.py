"""``coursekit gradebook``: one wide CSV across assignments.

Reads the grading folders that ``coursekit grade`` wrote (their stored results with the hand
marks merged, through ``_results.Store``: the same rows as their ``grades.csv``) and writes one
row per student, a column per assignment (the folder's name) and ``total``. The first data row,
``(points possible)``, holds each assignment's maximum. A student missing from an assignment
gets an empty cell, never a zero; student ids are kept exactly as graded (Unicode, NFC).
An assignment whose written parts are not all marked is an error unless ``partial`` is given;
then its cell holds the points so far and ``notes`` says what is missing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from coursekit._resources import write_atomic
from coursekit.errors import InputError

from ._marks import open_store
from ._results import NOT_GRADED

__all__ = ["POSSIBLE", "GradebookReport", "gradebook"]

#: ``student`` cell of the row with each assignment's maximum.
POSSIBLE = "(points possible)"


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


@dataclass
class GradebookReport:
    """What ``gradebook`` wrote."""

    out: Path
    assignments: dict[str, float] = field(default_factory=dict)  # name -> points possible
    students: int = 0
    incomplete: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"gradebook: {self.students} student(s), {len(self.assignments)} "
                 f"assignment(s) ({', '.join(f'{k} /{_fmt(v)}' for k, v in self.assignments.items())}),"
                 f" written to {self.out}"]
        lines += [f"  incomplete: {note}" for note in self.incomplete]
        return "\n".join(lines)


def gradebook(folders: list[Path], out: Path, *, partial: bool = False,
              force: bool = False) -> GradebookReport:
    """Write the wide gradebook of the grading ``folders`` to ``out`` (a ``.csv`` file)."""
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise InputError(f"--out {out}: expected a file name ending in .csv")
    if out.exists() and not force:
        raise FileExistsError(f"--out {out}: exists; pass --force to replace it")
    if not folders:
        raise InputError("give at least one grading folder (the --out of `coursekit grade`)")
    names: dict[str, Path] = {}
    for folder in folders:
        name = Path(folder).resolve().name
        if name in names:
            raise InputError(f"{folder}: two grading folders are named {name!r} ({names[name]} "
                             "and this one); the folder name is the gradebook column")
        names[name] = Path(folder)
    cells: dict[str, dict[str, str]] = {}
    notes: dict[str, list[str]] = {}
    report = GradebookReport(out)
    for name, folder in names.items():
        rows = open_store(folder).rows()
        maxima: dict[str, float] = {}
        for row in rows:
            if row.item != NOT_GRADED:
                maxima[row.item] = max(maxima.get(row.item, 0.0), row.max_points)
        if not maxima:
            maxima = {NOT_GRADED: max((r.max_points for r in rows), default=0.0)}
        report.assignments[name] = sum(maxima.values())
        totals: dict[str, list[float]] = {}
        for row in rows:
            student = unicodedata.normalize("NFC", row.student)
            if student == POSSIBLE:
                raise InputError(f"{folder}: a student is named {POSSIBLE!r}, the label of the "
                                 "gradebook's maximum row; rename that student in the roster")
            entry = totals.setdefault(student, [0.0, 0])
            entry[0] += row.points or 0.0
            entry[1] += row.points is None
        for student, (got, waiting) in totals.items():
            cells.setdefault(student, {})[name] = _fmt(got)
            if waiting:
                note = f"{name}: {int(waiting)} written part(s) awaiting marks"
                notes.setdefault(student, []).append(note)
                report.incomplete.append(f"{student}: {note}")
    if report.incomplete and not partial:
        raise InputError("written parts are not all marked; merge the marks first (`coursekit "
                         "marks merge`) or pass --partial:\n  " + "\n  ".join(report.incomplete))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *names, "total", "notes"])
    writer.writerow([POSSIBLE, *(_fmt(v) for v in report.assignments.values()),
                     _fmt(sum(report.assignments.values())), ""])
    for student in sorted(cells):
        row = cells[student]
        total = sum(float(v) for v in row.values())
        writer.writerow([student, *(row.get(n, "") for n in names), _fmt(total),
                         "; ".join(notes.get(student, []))])
    report.students = len(cells)
    write_atomic(out, buffer.getvalue())
    return report
