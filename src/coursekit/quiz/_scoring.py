"""Comparison helpers shared by every question type and exercise check.

``static/quiz.js`` implements the same three rules (``normalise_text``, ``parse_number``,
``pairwise_order``) for the no-kernel book; ``tests/test_quiz_browser.py`` checks that the
browser and Python agree.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["normalise_text", "number_matches", "pairwise_order", "parse_number", "sentences"]

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ",
                         "\u2009": " ", "\u202f": " "})
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([ ,]\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket) before
# whitespace and a capital letter, digit or opening quote/bracket; an initial ("V. Putin")
# does not end a sentence.
#: A sentence ends at . ! or ? (not after an initial), with any closing quotes, brackets and
#: footnote marks (superscript digits, "events.³⁶ In ...") before the space.
_SENTENCE_END = re.compile(r"(?<!\b[A-Z]\.)(?<=[.!?])([\"'”’)\]⁰¹²³⁴⁵⁶⁷⁸⁹]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def normalise_text(text: str) -> str:
    """Fold case, typographic quotes, runs of spaces and diacritics.

    >>> normalise_text("  Górecki’s   KANT ")
    "gorecki's kant"
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    return " ".join(text.lower().split())


def parse_number(value: Any, unit: str = "") -> float | None:
    """Read a number typed by a student; ``None`` if it is not one.

    Thousands separators (``7,500``, ``7 500``), a decimal comma (``2,5``), a minus sign
    (``−3``) and a trailing unit (``7500 personnel`` when ``unit="personnel"``) are accepted.

    >>> parse_number("7,500"), parse_number("2,5"), parse_number("40 %", unit="%")
    (7500.0, 2.5, 40.0)
    >>> parse_number("about 7500") is None
    True
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        try:
            return parse_number(value.item(), unit)
        except (TypeError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = " ".join(value.translate(_QUOTES).replace("−", "-").split())
    if unit and text.lower().endswith(unit.lower()):
        text = text[: -len(unit)].strip()
    if _PLAIN.match(text):
        return float(text)
    if _THOUSANDS.match(text):
        return float(text.replace(",", "").replace(" ", ""))
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", "."))
    return None


def number_matches(
    value: float,
    answer: float | None = None,
    tolerance: float = 0.0,
    range_: Sequence[float] | None = None,
) -> bool:
    """True if ``value`` lies within ``tolerance`` of ``answer`` or inside ``range_``
    (both ends included).

    >>> number_matches(7490, 7500, tolerance=10), number_matches(5, range_=(1, 4))
    (True, False)
    """
    if math.isnan(value):
        return False
    if range_ is not None:
        low, high = range_
        return low <= value <= high
    if answer is None:
        raise ValueError("number_matches needs an answer or a range")
    # the small epsilon forgives binary rounding (0.1 + 0.2 against 0.3)
    return abs(value - answer) <= tolerance + 1e-9 * max(1.0, abs(answer))


def pairwise_order(answer: Sequence[str], key: Sequence[str]) -> float:
    """Fraction of pairs of items whose relative order in ``answer`` matches ``key``.

    Items missing from ``answer`` count as wrong in every pair they belong to.

    >>> pairwise_order(["a", "b", "c"], ["a", "b", "c"])
    1.0
    >>> round(pairwise_order(["b", "a", "c"], ["a", "b", "c"]), 3)
    0.667
    """
    pairs = [(key[i], key[j]) for i in range(len(key)) for j in range(i + 1, len(key))]
    if not pairs:
        return 1.0
    position = {item: i for i, item in enumerate(answer)}
    right = sum(
        1 for a, b in pairs if a in position and b in position and position[a] < position[b]
    )
    return right / len(pairs)


def sentences(text: str) -> list[str]:
    """Split an excerpt into sentences for a find-the-evidence question.

    >>> sentences('He left (2014). Then V. Putin spoke. "Yes," they said.')
    ['He left (2014).', 'Then V. Putin spoke.', '"Yes," they said.']
    """
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group(1))
        parts.append(text[start:end].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]
