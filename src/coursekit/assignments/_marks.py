"""Written parts: rows awaiting marks, marking files, hand marks merged from a CSV, totals.

In a grading folder ``OUT`` (written by ``coursekit grade``):

- ``grades.csv`` has one row per part of a parted exercise (item ``ch02-ex-4/verdict``); a
  written part has an empty ``points`` cell and the feedback ``awaiting marks`` until it is
  marked: never silently full (or zero) marks.
- ``marking/<item>.csv`` lists every written part of that item with the student's text:
  ``student, item, part, max_points, points, comment, answer`` (an answer starting with
  ``= + - @`` gets a leading ``'`` so no spreadsheet runs it). The instructor fills in
  ``points`` (and ``comment``) and runs ``coursekit marks merge --grades OUT --marks FILE``.
- ``marks.json`` keeps the merged marks (with a hash of the answer they marked): the one home
  of hand marks. ``grades.csv``, ``totals.csv`` and the marking files are rebuilt from the
  stored results and these marks, each written atomically. A mark whose answer has changed
  since (the student was graded again) no longer counts, and the row says so.
- ``totals.csv``: ``student, points, max_points, awaiting_marks`` per student.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit._resources import write_atomic
from coursekit.errors import InputError

from . import _parts
from ._results import NOT_GRADED, PROGRESS_DIR, Row, Store, StudentResult

__all__ = ["MARKING_COLUMNS", "MarksReport", "awaiting", "final_rows", "graded_items",
           "item_rows", "marks_for", "merge", "open_store", "write_side_files"]

MARKS_FILE = "marks.json"
MARKING_DIR = "marking"
TOTALS_FILE = "totals.csv"
MARKING_COLUMNS = ["student", "item", "part", "max_points", "points", "comment", "answer"]
AWAITING = "awaiting marks"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _digest(answer: str) -> str:
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()[:16]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _cell_safe(text: str) -> str:
    """A student's text for a spreadsheet: a leading ``= + - @`` (a formula when the file is
    opened in Excel or LibreOffice), tab, CR or NUL gets a ``'`` in front (OWASP ASVS 1.2.10,
    https://asvs.emil.hemdal.se/1.2.10; CWE-1236)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\0") else text


# -- grade: rows of an item -------------------------------------------------------------------

def graded_items(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Items that get rows in ``grades.csv``: auto-graded ones and those with written parts."""
    return [i for i in manifest["items"]
            if i["auto"] or any(p["mode"] == _parts.HAND for p in i.get("parts", []))]


def item_rows(student: str, item: dict[str, Any], notebooks: list[tuple[Any, Any]],
              score: Callable[[dict[str, Any]], Row],
              not_graded: str | None = None) -> tuple[list[Row], list[dict[str, Any]]]:
    """Rows of one item and its written answers. ``score(item)`` scores the auto part
    (``item["points"]`` is that part's points); ``not_graded``: nothing could be read."""
    parts = item.get("parts")
    if not parts:
        return [score(item)], []
    rows, written = [], []
    for part in parts:
        name = _parts.part_item(item["id"], part["id"])
        if part["mode"] == _parts.AUTO:
            row = score({**item, "points": part["points"]})
            rows.append(Row(student, name, row.points, row.max_points, row.feedback))
        elif not_graded is not None:
            rows.append(Row(student, name, 0.0, float(part["points"]), not_graded))
        else:
            text, notes = _parts.written_answers(notebooks, item["id"], part)
            written.append({"item": item["id"], "part": part["id"],
                            "max_points": float(part["points"]), "answer": text,
                            "notes": notes})
            rows.append(Row(student, name, None, float(part["points"]), "; ".join(
                [f"{AWAITING} (written part: marking/{item['id']}.csv)", *notes])))
    return rows, written


# -- marks --------------------------------------------------------------------------------------

def _load_marks(out: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    path = out / MARKS_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(_nfc(m["student"]), m["item"], m["part"]): m for m in data["marks"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a marks file written by `coursekit marks merge` "
                         f"({exc}); restore it or remove it to mark again") from None


def _written_of(result: StudentResult) -> dict[tuple[str, str], dict[str, Any]]:
    return {(w["item"], w["part"]): w for w in result.written}


def final_rows(rows: list[Row], results: Iterable[StudentResult],
               marks: dict[tuple[str, str, str], dict[str, Any]]) -> list[Row]:
    """``rows`` with hand marks filled in where the marked answer is unchanged."""
    answers = {(_nfc(r.student), w["item"], w["part"]): w["answer"]
               for r in results for w in r.written}
    done = []
    for row in rows:
        if row.points is None and "/" in row.item:
            item, part = row.item.rsplit("/", 1)
            key = (_nfc(row.student), item, part)
            mark = marks.get(key)
            if mark is not None and mark["answer_sha"] == _digest(answers.get(key, "")):
                row = Row(row.student, row.item, float(mark["points"]), row.max_points,
                          mark.get("comment") or "marked by hand")
            elif mark is not None:
                row = Row(row.student, row.item, None, row.max_points,
                          f"{AWAITING}: the answer changed after it was marked "
                          f"({_fmt(mark['points'])} points); mark it again")
        done.append(row)
    return done


def awaiting(rows: list[Row]) -> list[Row]:
    """Rows still without points."""
    return [r for r in rows if r.points is None]


def _read_existing(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Filled-in points and comments of a marking file being rewritten (kept if unchanged)."""
    if not path.is_file():
        return {}
    try:
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        return {(_nfc(r.get("student") or ""), r.get("part") or ""): r for r in reader
                if (r.get("points") or "").strip() or (r.get("comment") or "").strip()}
    except (UnicodeDecodeError, csv.Error):
        return {}


def write_side_files(out: Path, results: list[StudentResult], rows: list[Row]) -> None:
    """Rewrite ``marking/<item>.csv`` and ``totals.csv`` from the results and final rows."""
    by_key = {(_nfc(r.student), r.item): r for r in rows}
    files: dict[str, list[list[str]]] = {}
    for result in results:
        for w in result.written:
            row = by_key.get((_nfc(result.student), _parts.part_item(w["item"], w["part"])))
            files.setdefault(w["item"], []).append(
                [result.student, w["item"], w["part"], _fmt(w["max_points"]),
                 "" if row is None or row.points is None else _fmt(row.points),
                 "" if row is None or row.points is None else row.feedback,
                 _cell_safe(w["answer"])])
    for item, lines in files.items():
        path = out / MARKING_DIR / f"{item}.csv"
        kept = _read_existing(path)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(MARKING_COLUMNS)
        for line in lines:
            old = kept.get((_nfc(line[0]), line[2]))
            if not line[4] and old is not None and (old.get("answer") or "") == line[6]:
                line[4], line[5] = (old.get("points") or "").strip(), old.get("comment") or ""
            writer.writerow(line)
        write_atomic(path, buffer.getvalue())
    totals: dict[str, list[float]] = {}
    for row in rows:
        entry = totals.setdefault(row.student, [0.0, 0.0, 0])
        entry[0] += row.points or 0.0
        entry[1] += row.max_points
        entry[2] += row.points is None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "points", "max_points", "awaiting_marks"])
    for student, (got, most, waiting) in totals.items():
        writer.writerow([student, _fmt(got), _fmt(most), int(waiting)])
    write_atomic(out / TOTALS_FILE, buffer.getvalue())


# -- coursekit marks merge ----------------------------------------------------------------------

@dataclass
class MarksReport:
    """What ``merge`` did."""

    merged: int = 0
    changed: int = 0
    blank: int = 0
    awaiting: list[Row] = field(default_factory=list)
    totals: dict[str, tuple[float, float]] = field(default_factory=dict)
    max_points: float = 0.0  # the assignment's points (every item and part)

    def summary(self) -> str:
        lines = [f"merged {self.merged} mark(s) ({self.changed} replaced an earlier mark); "
                 f"{self.blank} line(s) without points skipped"]
        if self.totals:
            mean = sum(t[0] for t in self.totals.values()) / len(self.totals)
            lines.append(f"assignment: {len(self.totals)} student(s), out of "
                         f"{_fmt(self.max_points)} points, mean total {mean:.2f}"
                         + (" (so far: parts await marks)" if self.awaiting else ""))
        if self.awaiting:
            lines.append(f"still unmarked ({len(self.awaiting)}):")
            lines += [f"  {r.student}: {r.item}" for r in self.awaiting]
        else:
            lines.append("every written part is marked")
        return "\n".join(lines)


def open_store(out: Path) -> Store:
    if not (out / "grades.csv").is_file() or not (out / PROGRESS_DIR).is_dir():
        raise FileNotFoundError(f"--grades {out}: no grades.csv and {PROGRESS_DIR}/ here; give "
                                "the --out folder of `coursekit grade`")
    store = Store(out, [])
    store.results = store.previous()
    store.order = sorted(store.results,
                         key=lambda k: k.split("\0")[-1] if k.startswith("!\0") else k)
    return store


def _read_marks_file(path: Path, wanted: dict[tuple[str, str, str], dict[str, Any]],
                     seen: dict[tuple[str, str, str], str], errors: list[str],
                     items: set[str]) -> tuple[list[dict[str, Any]], int]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such marks file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 "
                         "CSV") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: empty; expected the columns "
                         f"{', '.join(MARKING_COLUMNS)}") from None
    missing = [c for c in ("student", "item", "part", "points") if c not in header]
    if missing:
        raise InputError(f"{path}, line 1: missing column(s) {', '.join(missing)}; expected "
                         f"{', '.join(MARKING_COLUMNS)}")
    found, blank, line = [], 0, 1
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"{path}, line {start}: not valid CSV ({exc})")
            break
        line = start
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            errors.append(f"{path}, line {line}: {len(values)} fields but the header has "
                          f"{len(header)}")
            continue
        row = dict(zip(header, values + [""] * (len(header) - len(values)), strict=True))
        student, item, part = _nfc(row["student"]), row["item"].strip(), row["part"].strip()
        key, at = (student, item, part), f"{path}, line {line}"
        if key not in wanted:
            if not any(k[0] == student for k in wanted):
                errors.append(f"{at}: field student: unknown student {row['student']!r} "
                              "(not in this grading run)")
            elif item not in items:
                errors.append(f"{at}: field item: unknown item {item!r}; items with written "
                              f"parts: {', '.join(sorted(items)) or 'none'}")
            else:
                parts = sorted({k[2] for k in wanted if k[1] == item})
                errors.append(f"{at}: field part: {part!r} is not a written part of {item} "
                              f"for {student!r}; written parts: {', '.join(parts)}")
            continue
        if key in seen:
            errors.append(f"{at}: duplicate mark for {student!r} {item} part {part} "
                          f"(first at {seen[key]})")
            continue
        seen[key] = at
        raw = row["points"].strip()
        if not raw:
            blank += 1
            continue
        try:
            points = float(raw)
        except ValueError:
            errors.append(f"{at}: field points: expected a number, got {raw!r}")
            continue
        maximum = wanted[key]["max_points"]
        if not math.isfinite(points) or points < 0:
            errors.append(f"{at}: field points: {raw} is negative or not a number; expected "
                          f"0 to {_fmt(maximum)}")
            continue
        if points > maximum + 1e-9:
            errors.append(f"{at}: field points: {raw} is above the part's maximum "
                          f"{_fmt(maximum)}")
            continue
        found.append({"student": student, "item": item, "part": part, "points": points,
                      "comment": row.get("comment", "").strip(),
                      "answer_sha": _digest(wanted[key]["answer"]), "from": at})
    return found, blank


def merge(out: Path, marks_files: list[Path]) -> MarksReport:
    """Merge hand marks from ``marks_files`` into the grading folder ``out``.

    Every line is checked first (unknown student, item or part; points negative, not a number
    or above the part's maximum; the same part twice); on any error nothing is written and
    ``ValueError`` lists every problem with file, line and field.
    """
    out = Path(out)
    store = open_store(out)
    wanted = {(_nfc(r.student), w["item"], w["part"]): w
              for r in store.results.values() for w in r.written}
    items = {k[1] for k in wanted}
    errors: list[str] = []
    seen: dict[tuple[str, str, str], str] = {}
    found: list[dict[str, Any]] = []
    report = MarksReport()
    for path in marks_files:
        marks, blank = _read_marks_file(Path(path), wanted, seen, errors, items)
        found += marks
        report.blank += blank
    if errors:
        shown = errors[:30] + ([f"... and {len(errors) - 30} more"] if len(errors) > 30 else [])
        raise InputError(f"{len(errors)} problem(s) in the marks; nothing was merged:\n"
                         + "\n".join(shown))
    marks = _load_marks(out)
    for mark in found:
        key = (mark["student"], mark["item"], mark["part"])
        report.changed += key in marks and marks[key]["points"] != mark["points"]
        marks[key] = mark
        report.merged += 1
    write_atomic(out / MARKS_FILE, json.dumps(
        {"format": 1, "marks": list(marks.values())}, ensure_ascii=False, indent=1) + "\n")
    store.write_csv()
    rows = store.rows()
    report.awaiting = awaiting(rows)
    maxima: dict[str, float] = {}
    for row in rows:
        got, most = report.totals.get(row.student, (0.0, 0.0))
        report.totals[row.student] = (got + (row.points or 0.0), most + row.max_points)
        if row.item != NOT_GRADED:
            maxima[row.item] = max(maxima.get(row.item, 0.0), row.max_points)
    report.max_points = sum(maxima.values())
    return report


def marks_for(out: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The merged marks of a grading folder (empty when none were merged)."""
    return _load_marks(Path(out))
