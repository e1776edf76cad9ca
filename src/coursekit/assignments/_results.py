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
    points: float
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

    def __post_init__(self) -> None:
        self.key = self.key or self.student

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudentResult:
        return cls(student=data["student"], fingerprint=data["fingerprint"],
                   rows=[Row(**r) for r in data["rows"]], feedback_file=data.get("feedback_file"),
                   skipped=[list(s) for s in data.get("skipped", [])], key=data.get("key", ""))


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
        writer.writerow([row.student, row.item, _fmt(row.points), _fmt(row.max_points),
                         row.feedback])
    return buffer.getvalue()


def feedback_markdown(student: str, rows: list[Row], manifest: dict[str, Any],
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

    def rows(self) -> list[Row]:
        rank = {s: i for i, s in enumerate(self.order)}
        ordered = sorted(self.results.values(), key=lambda r: (rank.get(r.key, len(rank)), r.key))
        return [row for result in ordered for row in result.rows]

    def write_csv(self) -> None:
        write_atomic(self.out / "grades.csv", csv_text(self.rows()))
