"""Expected answers of exercise data tasks (the ``checks:`` section of a quiz file).

Five kinds, each comparing with the helpers the questions use:

- ``numeric``: ``expected`` number (or ``range: [low, high]``), ``tolerance`` (absolute).
- ``text``: ``expected`` string or list of accepted strings (case, spacing, diacritics ignored).
- ``set``: ``expected`` list; order ignored; partial credit (found - unexpected) / expected.
- ``sequence``: ``expected`` list; partial credit is the fraction of positions that match.
- ``table``: ``expected: {columns: [...], rows: [[...], ...]}``; the answer is a pandas
  DataFrame, a list of dicts or a list of rows; extra columns are ignored; row order counts
  only with ``ordered: true``; partial credit is the fraction of expected rows found.

Numbers inside sets, sequences and tables match within ``tolerance``; strings are normalised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ._records import Score, _DictForm
from ._scoring import normalise_text, number_matches, parse_number
from .errors import _Invalid

__all__ = ["CHECK_TYPES", "Check"]


@dataclass(kw_only=True)
class Check(_DictForm):
    """One expected answer. ``Check.from_dict`` picks the subclass from ``type``."""

    type: ClassVar[str] = ""
    id: str
    expected: Any = None
    range: list[float] | None = None
    tolerance: float = 0.0
    ordered: bool = False
    points: float = 1
    feedback_right: str = ""
    feedback_wrong: str = ""
    #: Assessed: ``expected`` and feedback live in the instructor bank, not the quiz file.
    graded: bool = False
    #: The answer's shape (see ``coursekit.quiz.model.shape_problem``).
    shape: ClassVar[str] = "list"

    _family: ClassVar[str] = "check"

    @classmethod
    def _kinds(cls) -> Mapping[str, type[Check]]:
        return CHECK_TYPES

    def validate(self) -> None:
        if self.tolerance < 0:
            raise _Invalid("tolerance", f"must be >= 0, got {self.tolerance!r}")
        if not self.keyed:
            return
        if self.expected is None and self.range is None:
            raise _Invalid("expected", "no expected answer given")

    def _verdict(self, fraction: float, detail: str = "") -> Score:
        text = self.feedback_right if fraction >= 1 else self.feedback_wrong
        return Score(fraction, f"{detail} {text}".strip())

    def _same(self, got: Any, want: Any) -> bool:
        if isinstance(want, int | float) and not isinstance(want, bool):
            value = parse_number(got)
            return value is not None and number_matches(value, float(want), self.tolerance)
        return normalise_text(str(got)) == normalise_text(str(want))


@dataclass(kw_only=True)
class NumericCheck(Check):
    type: ClassVar[str] = "numeric"
    shape: ClassVar[str] = "number"

    def validate(self) -> None:
        super().validate()
        if not self.keyed:
            return
        if (self.expected is None) == (self.range is None):
            raise _Invalid("expected", "give either `expected` (with `tolerance`) or `range`")
        if self.expected is not None and parse_number(self.expected) is None:
            raise _Invalid("expected", f"expected a number, got {self.expected!r}")
        if self.range is not None and (len(self.range) != 2 or self.range[0] > self.range[1]):
            raise _Invalid("range", f"expected [low, high] with low <= high, got {self.range!r}")

    def _score(self, answer: Any) -> Score:
        value = parse_number(answer)
        if value is None:
            return Score(0.0, f"Expected a number, got {type(answer).__name__} {answer!r}.")
        want = None if self.expected is None else float(self.expected)
        return self._verdict(float(number_matches(value, want, self.tolerance, self.range)))


@dataclass(kw_only=True)
class TextCheck(Check):
    type: ClassVar[str] = "text"
    shape: ClassVar[str] = "text"

    def _accepted(self) -> set[str]:
        values = [self.expected] if isinstance(self.expected, str) else list(self.expected)
        return {normalise_text(v) for v in values}

    def validate(self) -> None:
        super().validate()
        if not self.keyed:
            return
        if not self._accepted() - {""}:
            raise _Invalid("expected", "no expected answer given")

    def _score(self, answer: Any) -> Score:
        if not isinstance(answer, str):
            return Score(0.0, f"Expected text, got {type(answer).__name__} {answer!r}.")
        return self._verdict(float(normalise_text(answer) in self._accepted()))


def _as_list(answer: Any) -> list[Any] | None:
    if isinstance(answer, str | bytes | Mapping) or not isinstance(answer, Iterable):
        return None
    return list(answer)


@dataclass(kw_only=True)
class SetCheck(Check):
    type: ClassVar[str] = "set"

    def validate(self) -> None:
        super().validate()
        if not self.keyed:
            return
        if not isinstance(self.expected, list) or not self.expected:
            raise _Invalid("expected", "expected a non-empty list")

    def _score(self, answer: Any) -> Score:
        got = _as_list(answer)
        if got is None:
            return Score(0.0, f"Expected a list or set, got {type(answer).__name__}.")
        found = sum(1 for want in self.expected if any(self._same(g, want) for g in got))
        extra = sum(1 for g in got if not any(self._same(g, w) for w in self.expected))
        fraction = max(0.0, (found - extra) / len(self.expected))
        detail = "" if fraction >= 1 else (
            f"{len(self.expected) - found} expected item(s) missing, {extra} unexpected.")
        return self._verdict(fraction, detail)


@dataclass(kw_only=True)
class SequenceCheck(SetCheck):
    type: ClassVar[str] = "sequence"

    def _score(self, answer: Any) -> Score:
        got = _as_list(answer)
        if got is None:
            return Score(0.0, f"Expected a list, got {type(answer).__name__}.")
        right = sum(1 for g, w in zip(got, self.expected, strict=False) if self._same(g, w))
        fraction = right / max(len(got), len(self.expected))
        detail = "" if len(got) == len(self.expected) else (
            f"Expected {len(self.expected)} items, got {len(got)}.")
        return self._verdict(fraction, detail)


@dataclass(kw_only=True)
class TableCheck(Check):
    type: ClassVar[str] = "table"
    shape: ClassVar[str] = "table"

    def validate(self) -> None:
        super().validate()
        if not self.keyed:
            return
        exp = self.expected
        if not isinstance(exp, Mapping) or not exp.get("columns") or "rows" not in exp:
            raise _Invalid("expected", "expected {columns: [...], rows: [[...], ...]}")
        for n, row in enumerate(exp["rows"]):
            if len(row) != len(exp["columns"]):
                raise _Invalid(f"expected.rows[{n}]", f"has {len(row)} values for "
                               f"{len(exp['columns'])} columns")

    def _rows(self, answer: Any) -> list[list[Any]] | str:
        columns = list(self.expected["columns"])
        if hasattr(answer, "to_dict") and hasattr(answer, "columns"):  # pandas DataFrame
            answer = answer.reset_index(drop=answer.index.name is None).to_dict("records")
        rows = _as_list(answer)
        if rows is None:
            return f"Expected a table (DataFrame or list of rows), got {type(answer).__name__}."
        out = []
        for row in rows:
            if isinstance(row, Mapping):
                missing = [c for c in columns if c not in row]
                if missing:
                    return f"Column(s) missing: {', '.join(map(str, missing))}."
                out.append([row[c] for c in columns])
            elif isinstance(row, Sequence) and len(row) == len(columns):
                out.append(list(row))
            else:
                return f"Each row needs {len(columns)} values ({', '.join(columns)})."
        return out

    def _score(self, answer: Any) -> Score:
        rows = self._rows(answer)
        if isinstance(rows, str):
            return Score(0.0, rows)
        want = [list(r) for r in self.expected["rows"]]
        if self.ordered:
            right = sum(1 for g, w in zip(rows, want, strict=False)
                        if all(map(self._same, g, w)))
        else:
            pool, right = list(rows), 0
            for w in want:
                hit = next((g for g in pool if all(map(self._same, g, w))), None)
                if hit is not None:
                    pool.remove(hit)
                    right += 1
        fraction = right / max(len(rows), len(want))
        detail = "" if len(rows) == len(want) else f"Expected {len(want)} rows, got {len(rows)}."
        return self._verdict(fraction, detail)


CHECK_TYPES: dict[str, type[Check]] = {
    cls.type: cls for cls in (NumericCheck, TextCheck, SetCheck, SequenceCheck, TableCheck)
}
