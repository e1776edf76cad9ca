"""Thin adapter over ``coursekit.quiz``: the only place this package touches its API.

Scoring is never reimplemented here: every answer goes to the question's or check's own
``score(answer)``. :func:`load` is the one place assignments and grading load a quiz, with the
instructor bank that holds the keys of its assessed items.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from coursekit.errors import InputError, UnknownName

__all__ = ["DEFAULT_BANK", "assessed", "check_ids", "checks", "default_bank", "find", "kernel_check", "load",
           "questions", "read_responses", "response_problems", "score", "score_responses",
           "unkeyed"]

#: The instructor bank of a book: a top-level folder next to ``chapters/``.
DEFAULT_BANK = "instructor-bank"


def _quiz_module() -> Any:
    from coursekit import quiz

    return quiz


def default_bank(book: Path) -> Path | None:
    """``book/instructor-bank`` if that folder exists, else ``None``."""
    folder = Path(book) / DEFAULT_BANK
    return folder if folder.is_dir() else None


def load(path: Path, bank: Path | None = None, *, keys: bool = True) -> Any:
    """Load (and validate) a quiz file with ``coursekit.quiz.load``, merging the private
    parts of its assessed items from ``bank`` (a bank folder or file).

    With ``keys`` (the default, what grading needs) every assessed item must have its key:
    ``ValueError`` naming the items and the bank otherwise.
    """
    if bank is not None and not Path(bank).exists():
        raise FileNotFoundError(f"--bank: no instructor bank at {bank}")
    quiz = _quiz_module().load(Path(path), bank=None if bank is None else Path(bank))
    missing = unkeyed(quiz)
    if keys and missing:
        raise InputError(f"{path}: assessed item(s) {', '.join(missing)} have no key: "
                         + ("no instructor bank was given (--bank PATH)" if bank is None
                            else f"not in the instructor bank {bank}"))
    return quiz


def assessed(quiz: Any) -> list[str]:
    """Ids of the quiz's assessed items (``graded: true``), questions and checks."""
    return [e.id for e in [*questions(quiz), *checks(quiz)] if getattr(e, "graded", False)]


def unkeyed(quiz: Any) -> list[str]:
    """Ids of assessed items loaded without their key (no bank entry)."""
    return [e.id for e in [*questions(quiz), *checks(quiz)] if not getattr(e, "keyed", True)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, Iterable) else []


def questions(quiz: Any) -> list[Any]:
    """The quiz's questions, in file order."""
    return _as_list(getattr(quiz, "questions", None))


def checks(quiz: Any) -> list[Any]:
    """The quiz's exercise checks (``checks:`` section), in file order."""
    return _as_list(getattr(quiz, "checks", None))


def check_ids(quiz: Any) -> set[str]:
    """Ids of the exercises that have a ``checks:`` entry."""
    return {c.id for c in checks(quiz)}


def find(quiz: Any, item_id: str) -> Any:
    """The question or check with ``item_id`` (``KeyError`` naming the known ids)."""
    for entry in [*questions(quiz), *checks(quiz)]:
        if entry.id == item_id:
            return entry
    known = ", ".join(e.id for e in [*questions(quiz), *checks(quiz)])
    raise UnknownName(f"{item_id!r} is not in quiz {getattr(quiz, 'name', '?')!r}; it has: {known}")


def score(quiz: Any, item_id: str, answer: Any) -> tuple[float, str]:
    """Score one answer: ``(fraction of the points, feedback text)``."""
    result = find(quiz, item_id).score(answer)
    fraction = float(getattr(result, "fraction", float(bool(result))))
    return max(0.0, min(1.0, fraction)), str(result)


def score_responses(quiz: Any, responses: dict[str, Any]) -> Any:
    """Score saved quiz responses with ``coursekit.quiz.score`` (graded questions included)."""
    return _quiz_module().score(quiz, responses)


def read_responses(path: Path) -> Any:
    """A response file (``coursekit.quiz.responses.load``: the book's download or
    ``Quiz.save``); ``ValueError`` naming the field if it is malformed, and
    ``LookupError`` if the JSON is not a response file at all (another program's file)."""
    from coursekit.quiz import responses

    try:
        return responses.load(path)
    except responses.ResponseFileError as exc:
        if exc.foreign:
            raise LookupError(exc.reason) from None
        raise InputError(f"field {exc.field!r}: {exc.reason}" if exc.field else exc.reason
                         ) from None


def response_problems(answers: Any, quiz: Any) -> tuple[list[str], list[str]]:
    """``(blocking, notes)``: why none of ``answers`` can be graded with ``quiz`` (another
    course, quiz or version of the book) and notes on the rest (items the quiz lacks); see
    ``coursekit.quiz.responses.problems``."""
    from coursekit.quiz import responses

    found = responses.problems(answers, quiz)
    return [p.message for p in found if p.blocking], [p.message for p in found if not p.blocking]


def kernel_check(item_id: str, answer: Any) -> bool:
    """What ``coursekit.check`` does in a student's kernel: ``coursekit.quiz.check``."""
    return bool(_quiz_module().check(item_id, answer))
