"""Grades as the CSV files the Canvas and Moodle gradebooks import, keyed through a roster.

Input: ``grades.csv`` written by ``coursekit grade`` (columns ``student, item, points,
max_points, feedback``; one row per student and item) and a roster CSV with a ``student``
column holding the same ids (the roster ``coursekit grade --roster`` reads, with columns added
for the LMS). Output: one row per roster student with the total points of the assignment.

Canvas (Grades > Import): columns ``Student, ID, SIS User ID, SIS Login ID, Section`` and one
column per assignment, as in the file Canvas exports; the student is identified by the ID, SIS
User ID or SIS Login ID, so the roster needs ``canvas_id``, ``sis_user_id`` or ``sis_login_id``
(plus optional ``name`` and ``section``). Column list as described in "Import a CSV File to
Carmen Grades" (The Ohio State University, Teaching and Learning Resource Center,
https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades).

Moodle (Grades > Import > CSV file): any columns, mapped in the import form; this file has
``ID number``, ``Email address`` and the assignment. MoodleDocs, "Grade import",
https://docs.moodle.org/311/en/Grade_import: set "Map from" to "Email address" and "Map to" to
"useremail", or "ID number" to "useridnumber". The roster needs ``email`` or ``idnumber``.

Nothing is dropped silently: a graded student missing from the roster is an error; a roster
student without grades gets an empty cell (the LMS leaves that grade unchanged) and is listed in
the report.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from coursekit._resources import read_csv_text
from coursekit.errors import InputError

from ._output import check_out, write_out

__all__ = ["CANVAS_COLUMNS", "MOODLE_COLUMNS", "GradesReport", "export", "read_grades",
           "read_roster"]

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["ID number", "Email address"]
#: The roster columns that identify a student in each LMS (at least one per row).
_ROSTER = {"canvas": ("canvas_id", "sis_user_id", "sis_login_id"),
           "moodle": ("idnumber", "email")}


@dataclass
class GradesReport:
    """What ``export`` wrote: students with a total, roster students without grades."""

    format: str
    out: Path | None = None
    assignment: str = ""
    max_points: float = 0.0
    written: dict[str, float] = field(default_factory=dict)
    ungraded: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.format} grades: {len(self.written)} student(s), assignment "
                 f"{self.assignment!r} out of {self.max_points:g} points"
                 + (f", written to {self.out}" if self.out else "")]
        if self.ungraded:
            lines.append(f"on the roster without grades (cell left empty) "
                         f"({len(self.ungraded)}): {', '.join(self.ungraded)}")
        return "\n".join(lines)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip())


def _rows(path: Path, what: str, required: tuple[str, ...]) -> tuple[list[str], list[dict]]:
    path = Path(path)
    text = read_csv_text(path, what)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}, line 1: the {what} needs the column(s) "
                         f"{', '.join(missing)}; got {', '.join(header) or 'nothing'}")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise InputError(f"{path}, line {reader.line_num}: more fields than the header has")
        if any((v or "").strip() for v in row.values()):
            rows.append({k: (v or "").strip() for k, v in row.items()} |
                        {"_line": reader.line_num})
    return header, rows


def read_grades(path: Path) -> tuple[dict[str, float], float]:
    """Total points per student and the assignment's maximum, from ``grades.csv``."""
    _, rows = _rows(path, "grades", ("student", "item", "points", "max_points"))
    totals: dict[str, float] = {}
    maxima: dict[str, float] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        student, item = _key(row["student"]), row["item"]
        if not student or not item:
            raise InputError(f"{path}, line {row['_line']}: field "
                             f"{'student' if not student else 'item'} is empty")
        if (student, item) in seen:
            raise InputError(f"{path}, line {row['_line']}: {student!r} has a second row for "
                             f"item {item!r} (first on line {seen[student, item]})")
        seen[student, item] = row["_line"]
        values = []
        if not row["points"] and "/" in item:
            raise InputError(f"{path}, line {row['_line']}: {item} of {student!r} is awaiting "
                             "marks (a written part); merge them with `coursekit marks merge` "
                             "first")
        for column in ("points", "max_points"):
            try:
                value = float(row[column])
            except ValueError:
                raise InputError(f"{path}, line {row['_line']}: field {column!r} should be a "
                                 f"number, got {row[column]!r}") from None
            if not math.isfinite(value) or value < 0:
                raise InputError(f"{path}, line {row['_line']}: field {column!r} should be a "
                                 f"number >= 0, got {row[column]!r}")
            values.append(value)
        points, max_points = values
        if points > max_points + 1e-9:
            raise InputError(f"{path}, line {row['_line']}: points {points:g} exceed "
                             f"max_points {max_points:g}")
        if item in maxima and maxima[item] != max_points:
            raise InputError(f"{path}, line {row['_line']}: item {item!r} is worth "
                             f"{max_points:g} here but {maxima[item]:g} on another line")
        maxima[item] = max_points
        totals[student] = totals.get(student, 0.0) + points
    if not totals:
        raise InputError(f"{path}: no grades (a header but no rows)")
    return totals, sum(maxima.values())


def read_roster(path: Path, lms: str) -> dict[str, dict[str, str]]:
    """Roster rows by student id; each needs one of the LMS's identifying columns."""
    ids = _ROSTER[lms]
    header, rows = _rows(path, "roster", ("student",))
    if not any(c in header for c in ids):
        raise InputError(f"{path}, line 1: a roster for {lms} needs a column "
                         f"{' or '.join(ids)} to identify each student in {lms}")
    out: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    taken: dict[tuple[str, str], str] = {}
    for row in rows:
        student = _key(row["student"])
        if not student:
            raise InputError(f"{path}, line {row['_line']}: field 'student' is empty")
        if student in out:
            raise InputError(f"{path}, line {row['_line']}: student {student!r} is already on "
                             f"line {lines[student]}")
        if not any(row.get(c) for c in ids):
            raise InputError(f"{path}, line {row['_line']}: student {student!r} has no "
                             f"{' or '.join(ids)}")
        for column in ids:
            value = row.get(column, "")
            if value and (column, value) in taken:
                raise InputError(f"{path}, line {row['_line']}: {column} {value!r} is also "
                                 f"given to {taken[column, value]!r}")
            if value:
                taken[column, value] = student
        out[student], lines[student] = row, row["_line"]
    if not out:
        raise InputError(f"{path}: the roster has a header but no students")
    return out


def export(lms: str, grades: Path, roster: Path, out: Path, *, assignment: str | None = None,
           force: bool = False) -> GradesReport:
    """Write the ``lms`` ("canvas" or "moodle") grade-import CSV to ``out``."""
    if lms not in _ROSTER:
        raise InputError(f"unknown gradebook format {lms!r}; expected canvas or moodle")
    check_out(out, force=force, suffixes=(".csv",))
    totals, max_points = read_grades(grades)
    people = read_roster(roster, lms)
    unknown = [s for s in totals if s not in people]
    if unknown:
        raise InputError(f"{grades}: student(s) not on the roster {roster}: "
                         f"{', '.join(repr(s) for s in unknown)}; add them to the roster")
    name = (assignment or Path(grades).resolve().parent.name or "coursekit").strip()
    if not name:
        raise InputError("the assignment name is empty")
    report = GradesReport(lms, assignment=name, max_points=max_points)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((CANVAS_COLUMNS if lms == "canvas" else MOODLE_COLUMNS) + [name])
    for student, row in people.items():
        total = totals.get(student)
        cell = "" if total is None else f"{total:.4f}".rstrip("0").rstrip(".")
        if total is None:
            report.ungraded.append(student)
        else:
            report.written[student] = total
        if lms == "canvas":
            writer.writerow([row.get("name") or student, row.get("canvas_id", ""),
                             row.get("sis_user_id", ""), row.get("sis_login_id", ""),
                             row.get("section", ""), cell])
        else:
            writer.writerow([row.get("idnumber", ""), row.get("email", ""), cell])
    report.out = write_out(out, buffer.getvalue(), force=force, suffixes=(".csv",))
    return report
