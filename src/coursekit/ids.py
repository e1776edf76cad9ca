"""Item ids, spelled once: ``chNN-q-N`` (a quiz question), ``chNN-ex-N`` (an exercise).

Quiz names are ``chNN`` (a chapter) or ``demo``; every id starts with its quiz's name. The
JSON Schemas of quiz and bank files repeat these patterns (JSON cannot import Python);
``tests/test_quiz.py`` checks that they agree with the expressions here.

>>> parse("ch03-ex-2")
('ch03', 'ex', 2)
>>> quiz_of("demo-q-1")
'demo'
>>> parse("ch3-q-1")
Traceback (most recent call last):
    ...
coursekit.errors.InputError: 'ch3-q-1' is not an item id; expected e.g. 'ch02-ex-2' or 'ch02-q-1'
"""

from __future__ import annotations

import re

from coursekit.errors import InputError

__all__ = [
    "CHAPTER_PATTERN",
    "CHAPTER_RE",
    "EXERCISE_PATTERN",
    "EXERCISE_RE",
    "ITEM_PATTERN",
    "ITEM_RE",
    "KEY_PATTERN",
    "KEY_RE",
    "QUESTION_PATTERN",
    "QUESTION_RE",
    "QUIZ_PATTERN",
    "QUIZ_RE",
    "parse",
    "quiz_of",
]

#: A chapter id: ``ch`` and two digits.
CHAPTER_PATTERN = r"^ch[0-9]{2}$"
#: A quiz name: a chapter id or ``demo`` (the demonstration quiz of the reference pages).
QUIZ_PATTERN = r"^(ch[0-9]{2}|demo)$"
#: A quiz question id. Group 1 is the quiz. (The schemas repeat these strings exactly.)
QUESTION_PATTERN = r"^(ch[0-9]{2}|demo)-q-[0-9]+$"
#: An exercise id (a ``checks:`` entry of a quiz file, an exercise cell of a chapter).
EXERCISE_PATTERN = r"^(ch[0-9]{2}|demo)-ex-[0-9]+$"
#: Either of the two; group 1 is the quiz, group 2 the kind (``q`` or ``ex``).
ITEM_PATTERN = r"^(ch[0-9]{2}|demo)-(q|ex)-[0-9]+$"

#: Any other name: quiz names of files outside the book, option and item keys.
KEY_PATTERN = r"^[A-Za-z0-9_-]+$"

CHAPTER_RE = re.compile(CHAPTER_PATTERN)
KEY_RE = re.compile(KEY_PATTERN)
QUIZ_RE = re.compile(QUIZ_PATTERN)
QUESTION_RE = re.compile(QUESTION_PATTERN)
EXERCISE_RE = re.compile(EXERCISE_PATTERN)
ITEM_RE = re.compile(ITEM_PATTERN)


def parse(item_id: str) -> tuple[str, str, int]:
    """``(quiz, "q" or "ex", number)`` of ``item_id``; :class:`~coursekit.errors.InputError`
    (a ``ValueError``) if it is not an id."""
    match = ITEM_RE.match(str(item_id))
    if not match:
        raise InputError(f"{item_id!r} is not an item id; expected e.g. 'ch02-ex-2' or "
                         "'ch02-q-1'")
    return match[1], match[2], int(str(item_id).rsplit("-", 1)[1])


def quiz_of(item_id: str) -> str:
    """The quiz (``chNN`` or ``demo``) that ``item_id`` belongs to."""
    return parse(item_id)[0]
