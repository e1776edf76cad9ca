"""Read the chapter notebooks and quiz files of a book and list their gradable items."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit.errors import CoursekitError, InputError, UnknownName

from . import _parts, _quizapi
from .tags import (
    CHAPTER_FILE_RE,
    COURSEKIT_KEY,
    EXERCISE_ID_RE,
    KINDS,
    QUIZ_KIND,
    ROLE_CHECK,
    ROLE_EXERCISE,
    ROLE_NO_CODE,
    ROLE_SCAFFOLD,
    ROLES,
    SKILLS,
    SOLUTION_TAG,
)

__all__ = [
    "AuthoringError",
    "Catalog",
    "Chapter",
    "Item",
    "cell_info",
    "find_chapters",
    "load_catalog",
    "read_notebook",
]


class AuthoringError(CoursekitError, ValueError):
    """A chapter or quiz breaks the authoring contract (CONTRIBUTING.md).

    The message names the file, the cell index and the exercise id where known.
    """

    def __init__(self, message: str, path: Path | None = None, cell: int | None = None,
                 item: str | None = None) -> None:
        where = ", ".join(
            part for part in (
                str(path) if path else "",
                f"cell {cell}" if cell is not None else "",
                item or "",
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.path, self.cell, self.item = path, cell, item


@dataclass(frozen=True)
class Item:
    """One gradable thing: an exercise in a chapter notebook or a quiz question."""

    id: str
    chapter: str
    kind: str
    points: float
    auto: bool
    source: str  # "notebook" or "quiz"
    #: Assessed (``graded: true`` in the quiz file): its key is in the instructor bank only.
    assessed: bool = False
    #: Declared parts (``metadata.coursekit.parts``); empty: the exercise is one part.
    parts: tuple[_parts.Part, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "chapter": self.chapter, "kind": self.kind,
                "points": self.points, "auto": self.auto, "source": self.source,
                "assessed": self.assessed}
        if self.parts:
            data["parts"] = [p.as_dict() for p in self.parts]
        return data


@dataclass
class Chapter:
    """A chapter notebook with its quiz file (if any)."""

    id: str
    path: Path
    nb: NotebookNode
    quiz_path: Path | None
    quiz: Any = None
    #: The bank file merged into ``quiz`` (``None`` if none was given or needed).
    bank_path: Path | None = None
    items: list[Item] = field(default_factory=list)

    @property
    def check_ids(self) -> set[str]:
        return _quizapi.check_ids(self.quiz) if self.quiz is not None else set()


@dataclass
class Catalog:
    """Every chapter and item of a book, in chapter and notebook order."""

    book: Path
    chapters: dict[str, Chapter]

    @property
    def items(self) -> list[Item]:
        return [item for chapter in self.chapters.values() for item in chapter.items]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        known = ", ".join(i.id for i in self.items) or "none"
        raise UnknownName(f"unknown exercise or question {item_id!r}; known items: {known}")


def read_notebook(path: Path) -> NotebookNode:
    """Read and validate a notebook, raising ``ValueError`` that names the file."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several types for unreadable JSON
        raise InputError(f"{path}: not a readable Jupyter notebook ({exc})") from exc
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise InputError(f"{path}: invalid notebook ({exc.message})") from exc
    return nb


def cell_info(cell: NotebookNode) -> dict[str, Any]:
    """Return the cell's ``metadata.coursekit`` dict (empty when it has none)."""
    value = cell.get("metadata", {}).get(COURSEKIT_KEY)
    return dict(value) if isinstance(value, dict) else {}


def find_chapters(book: Path) -> list[tuple[str, Path]]:
    """Return ``[(chapter_id, path)]`` for ``book/chapters/NN-slug.ipynb``, sorted by number."""
    folder = Path(book) / "chapters"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no chapters folder; pass the book's root with --book")
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        match = CHAPTER_FILE_RE.match(path.name)
        if match:
            found.append((f"ch{match['num']}", path))
    return found


def _validate_cell(path: Path, index: int, info: dict[str, Any], chapter_id: str) -> list[str]:
    problems = []
    item_id = info.get("id")
    where = f"{path}, cell {index}"
    if not isinstance(item_id, str) or not EXERCISE_ID_RE.match(item_id):
        problems.append(f"{where}: metadata.coursekit.id must look like '{chapter_id}-ex-1' "
                        f"(got {item_id!r})")
    elif EXERCISE_ID_RE.match(item_id)[1] != chapter_id:
        problems.append(f"{where}: exercise id {item_id!r} does not belong to {chapter_id}")
    if info.get("role") not in ROLES:
        problems.append(f"{where} ({item_id}): metadata.coursekit.role must be one of "
                        f"{', '.join(ROLES)} (got {info.get('role')!r})")
    if info.get("role") == ROLE_EXERCISE:
        if info.get("kind") not in KINDS:
            problems.append(f"{where} ({item_id}): metadata.coursekit.kind must be one of "
                            f"{', '.join(KINDS)} (got {info.get('kind')!r})")
        if "skill" in info and info["skill"] not in SKILLS:
            problems.append(f"{where} ({item_id}): metadata.coursekit.skill must be one of "
                            f"{', '.join(SKILLS)} (got {info['skill']!r})")
        points = info.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
            problems.append(f"{where} ({item_id}): metadata.coursekit.points must be a "
                            f"non-negative number (got {points!r})")
        if "parts" in info:
            problems += _parts.validate_parts(info["parts"], points, f"{where} ({item_id})")
    elif "parts" in info:
        problems.append(f"{where} ({item_id}): metadata.coursekit.parts belongs on the "
                        "exercise cell (role 'exercise')")
    return problems


def _chapter_items(chapter: Chapter) -> list[Item]:
    problems: list[str] = []
    exercises: dict[str, tuple[int, dict[str, Any]]] = {}
    roles: dict[str, set[str]] = {}
    variants: list[tuple[int, str, str]] = []  # (cell index, item id, role) of data-task help
    for index, cell in enumerate(chapter.nb.cells):
        info = cell_info(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if not info:
            if SOLUTION_TAG in tags:
                problems.append(f"{chapter.path}, cell {index}: tagged 'solution' but has no "
                                "metadata.coursekit (id, role: solution)")
            continue
        problems += _validate_cell(chapter.path, index, info, chapter.id)
        item_id, role = info.get("id"), info.get("role")
        if SOLUTION_TAG in tags and role in ROLES and role != "solution":
            problems.append(f"{chapter.path}, cell {index} ({item_id}): tagged 'solution' but "
                            f"role is {role!r}; students would lose this cell")
        roles.setdefault(str(item_id), set()).add(str(role))
        if role in (ROLE_SCAFFOLD, ROLE_NO_CODE):
            variants.append((index, str(item_id), role))
            if cell.cell_type != "markdown":
                problems.append(f"{chapter.path}, cell {index} ({item_id}): role {role!r} "
                                "belongs on a Markdown cell (it is shown, never run)")
        if role == ROLE_EXERCISE:
            if item_id in exercises:
                problems.append(f"{chapter.path}, cell {index} ({item_id}): second exercise "
                                f"cell with this id (first is cell {exercises[item_id][0]})")
            else:
                exercises[item_id] = (index, info)
    for item_id in roles:
        if item_id not in exercises:
            problems.append(f"{chapter.path} ({item_id}): cells carry this id but no cell has "
                            "role 'exercise'")
    for index, item_id, role in variants:
        if item_id in exercises and exercises[item_id][1].get("kind") != "data":
            problems.append(f"{chapter.path}, cell {index} ({item_id}): role {role!r} is for "
                            f"data tasks, but the exercise's kind is "
                            f"{exercises[item_id][1].get('kind')!r}")
    if problems:
        raise AuthoringError("\n".join(problems))
    checks = chapter.check_ids
    assessed = set(_quizapi.assessed(chapter.quiz)) if chapter.quiz is not None else set()
    items = []
    for item_id, (index, info) in exercises.items():
        auto = item_id in checks and ROLE_CHECK in roles[item_id]
        parts = _parts.parse_parts(info.get("parts"))
        if parts and auto != any(p.mode == _parts.AUTO for p in parts):
            problems.append(f"{chapter.path}, cell {index} ({item_id}): metadata.coursekit.parts "
                            + ("needs one 'auto' part: the exercise has a check"
                               if auto else "has an 'auto' part but the exercise has no check "
                               "cell and checks: entry"))
        items.append(Item(item_id, chapter.id, info["kind"], float(info["points"]), auto,
                          "notebook", item_id in assessed, parts))
    if problems:
        raise AuthoringError("\n".join(problems))
    return items


def load_catalog(book: Path, chapters: list[str] | None = None,
                 bank: Path | None = None) -> Catalog:
    """Read the chapters of ``book`` (all, or the ids in ``chapters``) and their quizzes.

    Quizzes are read from ``book/chapters/quizzes/chNN.yml`` with ``coursekit.quiz.load``,
    merged with the instructor bank ``bank`` (a folder of ``chNN.yml``) when given; without
    it, assessed items have no key (``_quizapi.unkeyed``).
    """
    book = Path(book)
    available = dict(find_chapters(book))
    wanted = list(available) if chapters is None else chapters
    result: dict[str, Chapter] = {}
    for chapter_id in wanted:
        if chapter_id not in available:
            raise UnknownName(f"unknown chapter {chapter_id!r}; chapters in {book / 'chapters'}: "
                           f"{', '.join(available) or 'none'}")
        path = available[chapter_id]
        quiz_path = book / "chapters" / "quizzes" / f"{chapter_id}.yml"
        chapter = Chapter(chapter_id, path, read_notebook(path),
                          quiz_path if quiz_path.is_file() else None)
        if chapter.quiz_path is not None:
            chapter.quiz = _quizapi.load(chapter.quiz_path, bank, keys=False)
            chapter.bank_path = chapter.quiz.bank
        chapter.items = _chapter_items(chapter)
        if chapter.quiz is not None:
            chapter.items += [
                Item(q.id, chapter_id, QUIZ_KIND, float(q.points), True, "quiz", q.graded)
                for q in _quizapi.questions(chapter.quiz)
            ]
        result[chapter_id] = chapter
    return Catalog(book, result)
