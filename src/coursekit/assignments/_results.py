"""Grading results: one JSON file per finished student, ``grades.csv`` rebuilt after each.

``OUT/.progress/<hash of the id>.json`` is written (temporary file and rename) as soon as a
student is graded, then ``grades.csv`` is rewritten from every finished student, atomically.
A crash, a kill or Ctrl-C keeps every finished student; ``--resume`` grades only those whose
files are missing or changed (the record keeps a fingerprint of the student's files).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from coursekit._resources import write_atomic

__all__ = ["CSV_COLUMNS", "PROGRESS_DIR", "Row", "Store", "StudentResult", "fingerprint"]

CSV_COLUMNS = ["student", "item", "points", "max_points", "feedback"]
PROGRESS_DIR = ".progress"
#: ``item`` of the row that says a submission could not be graded at all.
NOT_GRADED = "(not graded)"


@dataclass
class Row:
    student: str
    item: str
    points: float | None  # None: a written part awaiting marks (``_marks``)
    max_points: float
    feedback: str


@dataclass
class StudentResult:
    """One student's rows, feedback file and notes, as stored in ``.progress``."""

    student: str
    fingerprint: str
    rows: list[Row] = field(default_factory=list)
    feedback_file: str | None = None
    skipped: list[list[str]] = field(default_factory=list)  # [file, reason]
    key: str = ""  # the student id, or the entry names of a submission not graded
    #: Written parts: {item, part, max_points, answer, notes} (``_marks``).
    written: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = self.key or self.student

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudentResult:
        return cls(student=data["student"], fingerprint=data["fingerprint"],
                   rows=[Row(**r) for r in data["rows"]], feedback_file=data.get("feedback_file"),
                   skipped=[list(s) for s in data.get("skipped", [])], key=data.get("key", ""),
                   written=list(data.get("written", [])))


def fingerprint(files: list[Path], salt: str) -> str:
    """Hash of ``salt`` and every file's name and bytes (what a resume compares)."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(files):
        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as exc:
            digest.update(repr(exc).encode())
    return digest.hexdigest()


def _fmt(value: float) -> str:
    return f"{value:g}"


def csv_text(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.student, row.item, "" if row.points is None else _fmt(row.points),
                         _fmt(row.max_points),
                         row.feedback])
    return buffer.getvalue()


def feedback_markdown(student: str, rows: list[Row], manifest: dict[str, Any],
                      notes: list[str]) -> str:
    scored = [r for r in rows if r.points is not None]
    got, out_of = sum(r.points or 0.0 for r in scored), sum(r.max_points for r in scored)
    lines = [f"# Feedback: {manifest['name']}", "", f"Student: {student}", "",
             f"Automatically graded: **{_fmt(got)} / {_fmt(out_of)}** points", "",
             "| item | points | feedback |", "| --- | --- | --- |"]
    lines += [f"| {r.item} | {'awaiting marks' if r.points is None else _fmt(r.points)} / "
              f"{_fmt(r.max_points)} | {r.feedback.replace('|', '/').replace(chr(10), ' ')} |"
              for r in rows]
    manual = [i for i in manifest["items"] if not i["auto"] and not i.get("parts")]
    if manual:
        lines += ["", "Graded by your instructor:", ""]
        lines += [f"- {i['id']} ({i['kind']}, {_fmt(float(i['points']))} points)" for i in manual]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


class Store:
    """The results of one grading run under ``out``."""

    def __init__(self, out: Path, order: list[str]) -> None:
        self.out, self.order = Path(out), order
        self.folder = self.out / PROGRESS_DIR
        self.results: dict[str, StudentResult] = {}

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + ".json")

    def previous(self) -> dict[str, StudentResult]:
        """Results a previous run stored (unreadable records are ignored: graded again)."""
        found = {}
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                result = StudentResult.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError):
                continue
            if path == self._path(result.key):
                found[result.key] = result
        return found

    def clear(self) -> list[str]:
        """Forget a previous run: remove its records and the feedback files it wrote."""
        removed = []
        for result in self.previous().values():
            if result.feedback_file:
                target = self.out / result.feedback_file
                if target.is_file():
                    target.unlink()
                    removed.append(result.feedback_file)
            self._path(result.key).unlink(missing_ok=True)
        return removed

    def add(self, result: StudentResult, feedback: str | None = None) -> None:
        """Record one student (feedback file, record, then ``grades.csv``), each atomic."""
        if feedback is not None and result.feedback_file:
            write_atomic(self.out / result.feedback_file, feedback)
        write_atomic(self._path(result.key),
                     json.dumps(asdict(result), ensure_ascii=False, indent=1) + "\n")
        self.results[result.key] = result
        self.write_csv()

    def _ordered(self) -> list[StudentResult]:
        rank = {s: i for i, s in enumerate(self.order)}
        return sorted(self.results.values(), key=lambda r: (rank.get(r.key, len(rank)), r.key))

    def rows(self) -> list[Row]:
        """Every row, with the hand marks merged so far (``_marks``)."""
        from . import _marks  # _marks builds on this module

        ordered = self._ordered()
        return _marks.final_rows([row for result in ordered for row in result.rows], ordered,
                                 _marks.marks_for(self.out))

    def write_csv(self) -> None:
        """Rewrite ``grades.csv``, then the marking files and ``totals.csv`` (``_marks``)."""
        from . import _marks

        rows = self.rows()
        write_atomic(self.out / "grades.csv", csv_text(rows))
        _marks.write_side_files(self.out, self._ordered(), rows)
