"""The exceptions every coursekit error derives from, and the one way to say where a fault is.

Each coursekit error subclasses :class:`CoursekitError` *and* the built-in it stands for, so
``except KeyError`` and ``except ValueError`` keep working while ``except CoursekitError``
catches coursekit's errors and nothing else (not a programming error that happens to be a
``KeyError``).

>>> issubclass(UnknownName, KeyError) and issubclass(InputError, ValueError)
True
>>> issubclass(RunError, RuntimeError)
True
>>> str(UnknownName("unknown source 'x'; known: a, b"))  # not repr()-quoted like a KeyError
"unknown source 'x'; known: a, b"
>>> print(Where("data/events.csv", row=3, field="date").message("expected a date"))
data/events.csv, row 3 (line 4), field 'date': expected a date
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["CoursekitError", "InputError", "RunError", "UnknownName", "Where"]


class CoursekitError(Exception):
    """Base of every error coursekit raises on purpose (bad input, bad files, unknown names)."""


class UnknownName(CoursekitError, KeyError):
    """A name (source id, dataset, item id...) that is not known; the message lists the known
    ones. Prints as its message, not as the ``repr`` a plain ``KeyError`` shows."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InputError(CoursekitError, ValueError):
    """An argument or an input file that coursekit cannot use; the message says what was
    expected and where."""


class RunError(CoursekitError, RuntimeError):
    """A step coursekit runs could not finish: a build, a kernel, a sandbox, or a safety check
    of its own output; the message says what failed and what to do."""


@dataclass(frozen=True)
class Where:
    """Where a fault is: a file plus any of line, data row, notebook cell, item and field.

    ``row`` is a 1-based data row of a CSV file (the header is not counted), so it is shown
    with its line (``row + 1``) unless ``line`` is given.

    >>> str(Where("chapters/quizzes/ch01.yml", line=9, item="ch01-q-1", field="answer"))
    "chapters/quizzes/ch01.yml, line 9, item 'ch01-q-1', field 'answer'"
    >>> str(Where("chapters/01-empire.ipynb", cell=4))
    'chapters/01-empire.ipynb, cell 4'
    >>> str(Where("data/routes.yml", line=12, item="northern-route", field="stages[0].quote"))
    "data/routes.yml, line 12, item 'northern-route', field 'stages[0].quote'"
    """

    file: str | Path
    line: int | None = None
    row: int | None = None
    cell: int | None = None
    item: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [str(self.file)]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}" + (f" (line {self.row + 1})" if self.line is None else ""))
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.item is not None:
            parts.append(f"item {self.item!r}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def message(self, text: str) -> str:
        """``"<where>: <text>"``, the form of every located error message."""
        return f"{self}: {text}"
