"""The one Table Schema caster: a CSV read as text, checked and typed field by field.

:func:`coursekit.data.load` casts every table through :func:`cast`; a value that does not fit
its field raises :class:`DataValidationError` naming file, row, field and what was expected
(:class:`Problem`, formatted by :class:`coursekit.errors.Where`). :mod:`coursekit._validate`
reports the same :class:`Problem` records.

>>> str(Problem("data/places.csv", 5, "lat", "a number from 30 to 56"))
"data/places.csv, row 5 (line 6), field 'lat': a number from 30 to 56"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from coursekit.errors import CoursekitError, Where

__all__ = ["DataValidationError", "Problem", "cast", "is_date"]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Problem:
    """One fault in a data file.

    ``row`` is the 1-based data row (the header is not counted; the CSV line is ``row + 1``).
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return Where(self.file, row=self.row, field=self.field).message(self.message)


class DataValidationError(CoursekitError, ValueError):
    """A data file that does not match its Table Schema; the message names the file, the row,
    the field and what was expected (``problem`` holds them apart, when known)."""

    def __init__(self, fault: str | Problem) -> None:
        self.problem = fault if isinstance(fault, Problem) else None
        super().__init__(str(fault))


def _bad(file: str, row: int | None, field: str | None, expected: str,
         value: Any = None) -> DataValidationError:
    got = f"; got {value!r}" if value is not None else ""
    return DataValidationError(Problem(file, row, field, f"expected {expected}{got}"))


def is_date(text: str) -> bool:
    """Whether ``text`` is a real calendar day written ``YYYY-MM-DD``."""
    if not _DATE_RE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _first(mask: pd.Series) -> int:
    """The 1-based row of the first true value of ``mask``."""
    return int(mask.to_numpy().nonzero()[0][0]) + 1


def _check_columns(frame: pd.DataFrame, expected: list[str], file: str) -> None:
    if list(frame.columns) == expected:
        return
    missing = [c for c in expected if c not in frame.columns]
    extra = [c for c in frame.columns if c not in expected]
    raise _bad(file, None, (missing or extra or [None])[0],
               f"the columns {', '.join(expected)} in that order "
               f"(missing: {missing or 'none'}; unexpected: {extra or 'none'})")


def _cast_field(raw: pd.Series, ftype: str, file: str, parse_dates: bool) -> Any:
    present = raw.notna()
    if ftype in ("integer", "number"):
        values = pd.to_numeric(raw, errors="coerce")
        broken = present & values.isna()
        if ftype == "integer":
            broken |= present & values.notna() & (values % 1 != 0)
        if broken.any():
            row = _first(broken)
            raise _bad(file, row, raw.name, "an integer" if ftype == "integer" else "a number",
                       raw.iloc[row - 1])
        return values.astype("Int64") if ftype == "integer" else values.astype("float64")
    if ftype == "date":
        for i, (ok, text) in enumerate(zip(present, raw, strict=True), 1):
            if ok and not is_date(text):
                raise _bad(file, i, raw.name, "a date YYYY-MM-DD", text)
        return pd.to_datetime(raw) if parse_dates else raw.astype("str")
    return raw.astype("str")


def cast(frame: pd.DataFrame, res: dict[str, Any], file: str, parse_dates: bool) -> pd.DataFrame:
    """``frame`` (every cell text, missing as NA) typed by the Table Schema of resource ``res``.

    Integers become ``Int64``, numbers ``float64``, enumerated fields ``category`` and dates ISO
    strings (``datetime64`` with ``parse_dates``). The first value that does not fit raises
    :class:`DataValidationError`.
    """
    fields = res["schema"]["fields"]
    _check_columns(frame, [f["name"] for f in fields], file)
    out = {}
    for fld in fields:
        col, cons = fld["name"], fld.get("constraints", {})
        raw = frame[col]
        if cons.get("required") and not raw.notna().all():
            raise _bad(file, _first(~raw.notna()), col, "a value (the field is required)", "")
        out[col] = _cast_field(raw, fld["type"], file, parse_dates)
        if "enum" in cons:
            allowed = [str(v) for v in cons["enum"]]
            bad = raw.notna() & ~pd.Series(out[col], index=raw.index).isin(allowed)
            if bad.any():
                row = _first(bad)
                raise _bad(file, row, col, "one of " + ", ".join(allowed), raw.iloc[row - 1])
            out[col] = pd.Categorical(out[col], categories=allowed)
    return pd.DataFrame(out, index=frame.index)
