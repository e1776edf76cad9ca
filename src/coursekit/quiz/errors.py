"""The quiz package's errors: :class:`QuizFileError` (an authoring mistake, located) and
``_Invalid`` (what ``validate()`` raises before the loader knows the file and line).

They live apart from the question types so that every quiz module (model, checks, loader,
sources_link) can import them without importing the others.

>>> str(QuizFileError("no correct answer given", file="ch01.yml", line=9, item_id="ch01-q-1",
...                   field="answer"))
"ch01.yml, line 9, item 'ch01-q-1', field 'answer': no correct answer given"
"""

from __future__ import annotations

from coursekit.errors import CoursekitError, Where

__all__ = ["QuizFileError"]


class QuizFileError(CoursekitError, ValueError):
    """An authoring mistake in a quiz file or a quiz built in Python.

    The message names the file (and line), the question or check id and the field, formatted
    by :class:`coursekit.errors.Where`; the same values are kept as attributes ``file``,
    ``line``, ``item_id``, ``field`` and ``reason`` (the message without its location).
    """

    def __init__(
        self,
        message: str,
        *,
        file: object = None,
        item_id: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file, self.item_id, self.field, self.line, self.reason = (
            None if file is None else str(file), item_id, field, line, message)
        where = Where(self.file or "<quiz built in Python>", line=line, item=item_id or None,
                      field=field or None)
        super().__init__(where.message(message))


class _Invalid(ValueError):
    """Raised by ``validate()``; the loader adds file, id and line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message
