"""Who handed in what: student ids from submission names, an optional roster, safe file names.

Names are people: an id keeps its Unicode (normalised to NFC), spaces and case, so ``Иван``,
``Пётр`` and ``张伟`` are three students and ``Mary Ann`` and ``Mary_Ann`` are two. Nothing is
merged or dropped silently: two submissions that map to one id, a name that is not valid
UTF-8, a hidden entry that holds notebooks and a symbolic link (which could point at the
answer key or a classmate's work) are each reported, naming the files.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from coursekit._resources import read_csv_text
from coursekit.errors import InputError

__all__ = ["Problem", "Roster", "Submission", "discover", "display_name", "feedback_names",
           "load_roster"]


@dataclass
class Submission:
    """One student's files: ``names`` are the submission entries (folder or file) it came from."""

    student: str
    names: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


@dataclass
class Problem:
    """A submission entry that cannot be graded, with the id it would have had and why."""

    student: str
    names: list[str]
    reason: str


def display_name(name: str) -> str:
    """``name`` as text, with bytes that are not UTF-8 shown as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _readable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(ch) == "Cc" for ch in name)


def student_id(name: str) -> str:
    """The id for a submission entry: NFC, everything else kept.

    >>> student_id("Mary Ann"), student_id("Mary_Ann"), student_id("Pe\\u0308tr") == "Pëtr"
    ('Mary Ann', 'Mary_Ann', True)
    """
    return unicodedata.normalize("NFC", name)


@dataclass
class Roster:
    """Submission name -> LMS id, read from a CSV with columns ``submission`` and ``student``."""

    path: Path
    ids: dict[str, str]

    def lookup(self, name: str) -> str | None:
        return self.ids.get(student_id(name))


def load_roster(path: Path) -> Roster:
    """Read a roster CSV; ``ValueError`` names the file, the line and what was expected."""
    path = Path(path)
    text = read_csv_text(path, "roster")
    if not text.strip():
        raise InputError(f"{path}: the roster is empty; expected a header line "
                         "'submission,student' and one line per student")
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader)]
    if "submission" not in header or "student" not in header:
        raise InputError(f"{path}, line 1: expected the columns 'submission' and 'student', "
                         f"got {', '.join(repr(h) for h in header)}")
    col_sub, col_id = header.index("submission"), header.index("student")
    ids: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(col_sub, col_id):
            raise InputError(f"{path}, line {number}: expected {len(header)} fields, "
                             f"got {len(row)}")
        name, ident = student_id(row[col_sub].strip()), student_id(row[col_id].strip())
        if not name or not ident:
            raise InputError(f"{path}, line {number}: field "
                             f"{'submission' if not name else 'student'} is empty")
        if name in ids:
            raise InputError(f"{path}, line {number}: submission {name!r} is already on line "
                             f"{lines[name]}")
        ids[name], lines[name] = ident, number
    if not ids:
        raise InputError(f"{path}: the roster has a header but no students")
    return Roster(path, ids)


def _links(entry: Path) -> list[Path]:
    """Symbolic links in a submission (never followed: one could point at the answer key)."""
    if entry.is_symlink():
        return [entry]
    if not entry.is_dir():
        return []
    return sorted(p for p in entry.rglob("*") if p.is_symlink())


def _notebook_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".ipynb", ".json")
                  and ".ipynb_checkpoints" not in p.parts and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def discover(submissions: Path, roster: Roster | None = None
             ) -> tuple[list[Submission], list[Problem], list[tuple[str, str]]]:
    """Submissions by student id, entries that cannot be graded, and ignored entries.

    A folder is one student's (its name is the id); ``NAME.ipynb`` at the top level is too.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: no such folder of submissions")
    found: dict[str, Submission] = {}
    problems: list[Problem] = []
    ignored: list[tuple[str, str]] = []
    for entry in sorted(submissions.iterdir(), key=lambda p: display_name(p.name)):
        shown = display_name(entry.name)
        if entry.name.startswith("."):
            holds = entry.suffix == ".ipynb" or (entry.is_dir() and any(
                p.suffix == ".ipynb" for p in entry.rglob("*")))
            reason = (f"hidden {'folder' if entry.is_dir() else 'file'} {shown!r}: not graded; "
                      "if it is a submission, rename it without the leading dot")
            if holds:
                problems.append(Problem(shown, [shown], reason))
            else:
                ignored.append((shown, reason))
            continue
        if entry.is_file() and entry.suffix == ".json":
            ignored.append((shown, "a loose answers file: put it in the student's folder"))
            continue
        if entry.is_file() and entry.suffix != ".ipynb":
            ignored.append((shown, "not a notebook or a student's folder"))
            continue
        stem = entry.name if entry.is_dir() else entry.name[:-len(".ipynb")]
        if not _readable(stem):
            problems.append(Problem(display_name(stem), [shown],
                                    f"the name '{shown}' is not readable text (not UTF-8 or "
                                    "control characters); rename it and grade again"))
            continue
        ident = student_id(stem)
        links = _links(entry)
        if links:
            shown_links = ", ".join(repr(display_name(str(p.relative_to(submissions))))
                                    for p in links[:3])
            problems.append(Problem(ident, [shown], f"{shown_links} is a symbolic link; links "
                                    "are never followed: hand in the files themselves"))
            continue
        if roster is not None:
            mapped = roster.lookup(stem)
            if mapped is None:
                problems.append(Problem(ident, [shown], f"{shown!r} is not on the roster "
                                        f"{roster.path}; add it and grade again"))
                continue
            ident = mapped
        files = _notebook_files(entry) if entry.is_dir() else [entry]
        found.setdefault(ident, Submission(ident)).names.append(shown)
        found[ident].files.extend(files)
    graded = []
    for ident, sub in sorted(found.items()):
        if len(sub.names) > 1:
            names = " and ".join(repr(n) for n in sub.names)
            problems.append(Problem(ident, sub.names,
                                    f"{names} both map to student id {ident!r}; not merged, "
                                    "not graded: rename one (or fix the roster) and grade again"))
        else:
            graded.append(sub)
    return graded, problems, ignored


_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")


def feedback_names(students: list[str]) -> dict[str, str]:
    """A distinct, safe file stem for each id: Unicode kept, separators and control
    characters replaced, case-insensitive clashes numbered.

    >>> feedback_names(["Mary Ann", "a/b", "a_b", "..", "Ivan", "ivan"])
    {'Mary Ann': 'Mary Ann', 'a/b': 'a_b', 'a_b': 'a_b (2)', '..': '_.', 'Ivan': 'Ivan', \
'ivan': 'ivan (2)'}
    """
    names: dict[str, str] = {}
    used: set[str] = set()
    for student in students:
        stem = _UNSAFE.sub("_", student).strip() or "_"
        if stem.startswith("."):
            stem = "_" + stem[1:]
        stem = stem.encode("utf-8")[:180].decode("utf-8", "ignore")
        candidate, number = stem, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{stem} ({number})"
        used.add(candidate.casefold())
        names[student] = candidate
    return names
