"""Quizzes and exercise checks: one data format, one scoring code, three front-ends.

- ``show("ch01")`` displays a chapter's quiz: self-contained HTML in the built book (no kernel,
  no network), an anywidget in JupyterLab (``quiz.responses``, ``quiz.score``,
  ``quiz.save("answers.json")``), readable text elsewhere.
- ``check("ch01-ex-2", answer)`` prints feedback on an exercise answer and returns True/False.
- ``score(quiz, responses)`` is what grading uses.

Quiz files are ``chapters/quizzes/<name>.yml`` (validated against ``schema.json``); see
``coursekit.quiz.model`` for the question types and answer formats. Practice items carry their
keys there; assessed items (``graded: true``) carry none: their private parts live in an
instructor bank (``instructor-bank/<name>.yml``, ``bank-schema.json``), merged only by
``load(name, bank=path)``. Without the bank an assessed item is "graded by your instructor":
``check`` verifies the answer's shape only and ``score`` raises ``MissingKeyError``.

Feedback, the same in the book, the widget and ``check``: the first wrong try shows the
chosen option's feedback and the question's ``hint``; the ``explanation`` comes only after a
right answer or a second try (``Question.respond``). Chapter quizzes also keep the course's
rules (``coursekit.quiz.rules``, run by ``coursekit check``); ``python -m coursekit.quiz
--coverage`` prints each chapter's share of questions by ``skill``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from coursekit.errors import InputError

from .. import ids
from ._quiz import ItemResult, Quiz, Result, score
from .bank import MissingKeyError, shape_problem
from .checks import CHECK_TYPES, Check
from .loader import load, quiz_path
from .model import (
    QUESTION_TYPES,
    Evidence,
    Matching,
    MultipleAnswer,
    Numeric,
    Option,
    Ordering,
    Question,
    QuizFileError,
    Reply,
    Score,
    ShortText,
    SingleChoice,
    TrueFalse,
)

__all__ = [
    "CHECK_TYPES",
    "QUESTION_TYPES",
    "Check",
    "Evidence",
    "ItemResult",
    "Matching",
    "MissingKeyError",
    "MultipleAnswer",
    "Numeric",
    "Option",
    "Ordering",
    "Question",
    "Quiz",
    "QuizFileError",
    "Reply",
    "Result",
    "Score",
    "ShortText",
    "SingleChoice",
    "TrueFalse",
    "check",
    "load",
    "score",
    "show",
]

_cache: dict[tuple[Path, int], Quiz] = {}
#: Tries at each self-check question in this session: ``check`` shows the hint after a first
#: wrong try and the explanation after a right answer or a second try.
_tries: dict[str, int] = {}


def _cached(name: str) -> Quiz:
    path = quiz_path(name)
    stamp = (path.resolve(), path.stat().st_mtime_ns)
    if stamp not in _cache:
        _cache[stamp] = load(path)
    return _cache[stamp]


def show(name: str | Path, key: str | None = None) -> Quiz:
    """Load quiz ``name`` for display; make it the last line of a cell.

    ``key`` is needed only to show the *same* quiz twice on one page (its HTML ids then get
    ``-<key>``); different quizzes never clash.

    >>> show("no-such-quiz")
    Traceback (most recent call last):
        ...
    FileNotFoundError: no quiz file ...no-such-quiz.yml; known quizzes: ...
    """
    loaded = load(name)
    loaded.display_key = key
    return loaded


def check(item_id: str, answer: Any) -> bool:
    """Check an answer to an exercise data task (``chNN-ex-M``) or a self-check question
    (``chNN-q-M``): print feedback and return True only for a fully right answer.

    For a question, as in the book: the first wrong try shows the feedback and the
    question's hint; a right answer or a second try shows the explanation too.

    The quiz file is found from the id's prefix (``ch02-ex-2`` -> ``ch02.yml``). An assessed
    item is graded by the instructor: ``check`` then only says whether the answer has the
    right shape (a number, a list, ...), reveals nothing, and returns False.

    >>> check("ch1-ex-2", 3)
    Traceback (most recent call last):
        ...
    coursekit.errors.InputError: 'ch1-ex-2' is not an exercise or question id; expected e.g. ...
    """
    match = ids.ITEM_RE.match(str(item_id))
    if not match:
        raise InputError(f"{item_id!r} is not an exercise or question id; expected e.g. "
                         "'ch02-ex-2' or 'ch02-q-1'")
    item = _cached(match[1])[item_id]
    if item.graded:
        problem = shape_problem(answer, item.shape)
        note = (f"your answer does not have the right form: {problem}." if problem else
                "your answer has the right form.")
        print(textwrap.fill(f"{item_id}: graded by your instructor; {note}", width=88,
                            break_on_hyphens=False))
        return False
    if isinstance(item, Question):
        _tries[item_id] = _tries.get(item_id, 0) + 1
        reply = item.respond(answer, _tries[item_id])
        lines = [f"{item_id}: {reply.lines()[0]}", *reply.lines()[1:]]
        print("\n".join(textwrap.fill(line, width=88, break_on_hyphens=False) for line in lines))
        return reply.correct
    outcome = item.score(answer)
    print(textwrap.fill(f"{item_id}: {outcome}", width=88, break_on_hyphens=False))
    return outcome.correct
