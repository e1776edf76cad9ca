"""The line between public and private: what an assessed item without its key can still do
(``shape_problem``), the error for scoring it (``MissingKeyError``), and what counts as
private text of an instructor bank in leak scans (``private_strings``, ``sentinels``,
``find_leaks``).

``assign`` scans every student notebook with :func:`find_leaks` before writing it, and
``tests/test_public_boundary.py`` scans the wheel, the built book and the Binder file set.
Short values (an option id ``"b"``, a number ``2``) occur in any text, so they are checked
structurally instead (assessed items of a quiz spec or a packaged quiz file carry no key
fields); here only strings of at least :data:`MIN_LENGTH` characters count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from coursekit.errors import CoursekitError

from ._scoring import parse_number

__all__ = ["KEY_FIELDS", "MIN_LENGTH", "NOT_SECRET", "MissingKeyError",
           "find_leaks", "private_strings", "sentinels", "shape_problem"]

#: Shorter strings are not scanned for in text (they match ordinary words).
MIN_LENGTH = 6
#: Bank fields that are not secret text: ``reference`` quotes a passage of a public source
#: that the chapter itself prints (it is private only because it points at the answer).
NOT_SECRET = frozenset({"reference"})
#: Bank fields that hold keys (the rest is prose: explanations, feedback, notes, solutions).
KEY_FIELDS = ("answer", "accept", "matches", "expected", "range", "tolerance")
#: Lines of a model solution at least this long are scanned for one by one.
SOLUTION_LINE = 30


class MissingKeyError(CoursekitError, ValueError):
    """Scoring an assessed item whose private part (its key) was not loaded.

    Assessed items (``graded: true``) keep their keys in an instructor bank; load the quiz
    with ``coursekit.quiz.load(name, bank=path)`` to score them.
    """

    def __init__(self, item_id: str, quiz: object = None) -> None:
        self.item_id = item_id
        super().__init__(
            f"{item_id} is assessed (graded: true): its key is in the instructor bank, which "
            f"was not loaded; load the quiz with coursekit.quiz.load({quiz or 'name'!r}, "
            "bank=Path('instructor-bank')) to score it")


def shape_problem(answer: Any, expected: str) -> str:
    """'' if ``answer`` has the shape ``expected`` names, else what is wrong (no key used).

    ``expected`` is one of ``number``, ``text``, ``boolean``, ``list``, ``mapping``,
    ``table``, ``sentence``.
    """
    ok = {
        "number": lambda a: not isinstance(a, bool) and parse_number(a) is not None,
        "text": lambda a: isinstance(a, str) and bool(a.strip()),
        "boolean": lambda a: isinstance(a, bool),
        "list": lambda a: not isinstance(a, str | bytes | Mapping) and isinstance(
            a, Sequence | set | frozenset) and len(a) > 0,
        "mapping": lambda a: isinstance(a, Mapping) and len(a) > 0,
        "table": lambda a: (hasattr(a, "columns") and hasattr(a, "to_dict")) or (
            isinstance(a, Sequence) and not isinstance(a, str | bytes) and len(a) > 0),
        "sentence": lambda a: isinstance(a, str | int) and not isinstance(a, bool),
    }[expected]
    if ok(answer):
        return ""
    words = {"number": "a number", "text": "some text", "boolean": "True or False",
             "list": "a non-empty list", "mapping": "a mapping {item: choice}",
             "table": "a table (a DataFrame or a list of rows)",
             "sentence": "a sentence number or text"}
    return f"expected {words[expected]}, got {type(answer).__name__} {answer!r:.60}"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if len(value.strip()) >= MIN_LENGTH else []
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def private_strings(entry: Mapping[str, Any]) -> list[str]:
    """The strings of one bank entry to look for in public text: every string value of at
    least ``MIN_LENGTH`` characters (except ``reference``), and each long line of a model
    solution."""
    found: list[str] = []
    for field, value in entry.items():
        if field not in NOT_SECRET:
            found += _strings(value)
    return list(dict.fromkeys(found + _solution_lines(entry)))


def _solution_lines(entry: Mapping[str, Any]) -> list[str]:
    value = entry.get("solution")
    if not isinstance(value, str):
        return []
    return [line.strip() for line in value.splitlines() if len(line.strip()) >= SOLUTION_LINE]


def find_leaks(text: str, banks: Iterable[Mapping[str, Mapping[str, Any]]],
               public: str = "", sources: str = "") -> list[tuple[str, str]]:
    """``[(item id, private string)]`` for every private string of ``banks`` (each a
    ``{item id: bank entry}`` mapping, such as ``Quiz.private``) found in ``text``: the
    :func:`sentinels` of ``banks`` that ``text`` contains.

    >>> find_leaks("the answer is quokkaberry", [{"ch98-q-3": {"accept": ["quokkaberry"]}}])
    [('ch98-q-3', 'quokkaberry')]
    >>> find_leaks("pick b", [{"ch98-q-1": {"answer": "b"}}])
    []
    >>> find_leaks("Batken", [{"ch01-q-8": {"accept": ["Batken"]}}], public="the Batken events")
    []
    """
    return [(item_id, secret) for item_id, secret in sentinels(banks, public, sources)
            if secret in text]


def sentinels(banks: Iterable[Mapping[str, Mapping[str, Any]]], public: str = "",
              sources: str = "") -> list[tuple[str, str]]:
    """``[(item id, private string)]``: the strings of ``banks`` that no public text may contain.
    A caller that scans many texts against the same banks computes this once.

    Not every private string is a sentinel. A key (a value of :data:`KEY_FIELDS`) or a line of a
    model solution that the reading material ``public`` (chapters, sources, data) also contains
    is not: the answer to a reading question is in the reading, a line such as ``members =
    ck.load("memberships")`` is in the chapter's own code, and only their role as the key is
    private (checked structurally). Explanations, feedback and notes are sentinels unless they
    quote ``sources`` (the source texts and datasets) verbatim.
    """
    def sentinel(secret: str, entry: Mapping[str, Any]) -> bool:
        if secret in sources:
            return False
        keys = [s for f in KEY_FIELDS for s in _strings(entry.get(f))]
        return not ((secret in keys or secret in _solution_lines(entry)) and secret in public)

    return [(item_id, secret) for bank in banks for item_id, entry in bank.items()
            for secret in private_strings(entry) if sentinel(secret, entry)]
