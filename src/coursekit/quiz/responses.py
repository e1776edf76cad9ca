"""The response file: a student's answers to one quiz, handed in for grading.

One format with two writers and one reader. The built book's "Download my answers" button
(``static/quiz.js``) and ``Quiz.save(path)`` in a live notebook write it; ``coursekit grade``
reads it with :func:`load` and checks it against the quiz it grades with :func:`problems`.
``responses-schema.json`` (shipped beside this module) is the format's definition::

    {"format": "coursekit-responses", "format_version": 1,
     "course": "russia-in-central-asia", "quiz": "ch02",
     "book_version": "0.1.0+3f2a9c1d4e5b", "name": "Иван Петров",
     "saved_at": "2026-11-30T01:23:45.678Z",
     "responses": {"ch02-q-3": "b", "ch02-q-5": "7,500"}}

``book_version`` is :func:`book_version` of the quiz the page showed: the coursekit version and
a hash of the public quiz file, stamped into the page at build time. Grading compares the hash
part, so answers given to other questions (a quiz edited since) are reported, never scored.

A file of the older form ``{"quiz": ..., "responses": {...}}`` (``Quiz.save`` before format 1)
is still read, as ``format_version`` 0 with no course, version or name.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import jsonschema

from .._resources import write_atomic
from ..errors import InputError

if TYPE_CHECKING:
    from ._quiz import Quiz

__all__ = ["COURSE_ID", "FORMAT", "FORMAT_VERSION", "MAX_BYTES", "SCHEMA_PATH", "Problem",
           "ResponseFile", "ResponseFileError", "book_version", "build", "dump", "load", "problems",
           "validate"]

FORMAT = "coursekit-responses"
FORMAT_VERSION = 1
#: The course this package serves; response files of another course are not graded.
COURSE_ID = "russia-in-central-asia"
SCHEMA_PATH = Path(__file__).parent / "responses-schema.json"
#: A response file larger than this is refused unread (a real one is a few kilobytes).
MAX_BYTES = 1 << 20
_DIGITS = 12


class ResponseFileError(InputError):
    """A response file that cannot be read: the message names the file, the field and what
    was expected. ``file``, ``field`` and ``reason`` are kept as attributes; ``foreign`` is
    true for JSON that is not a response file at all (another program's file)."""

    def __init__(self, message: str, *, file: object = None, field: str | None = None,
                 foreign: bool = False) -> None:
        self.file, self.field, self.reason = (None if file is None else str(file)), field, message
        self.foreign = foreign
        where = self.file or "<responses>"
        super().__init__(f"{where}: field {field!r}: {message}" if field else
                         f"{where}: {message}")


@dataclass(frozen=True)
class ResponseFile:
    """A validated response file (``format_version`` 0 is the older ``{quiz, responses}``)."""

    quiz: str
    responses: dict[str, Any]
    course: str | None = None
    book_version: str | None = None
    name: str = ""
    saved_at: str | None = None
    format_version: int = FORMAT_VERSION
    source: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (format 1)."""
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "course": self.course,
                "quiz": self.quiz, "book_version": self.book_version, "name": self.name,
                "saved_at": self.saved_at, "responses": dict(self.responses)}


def book_version(quiz: Quiz) -> str:
    """``<coursekit version>+<12 hex digits>``: the version of ``quiz`` a page shows.

    The digits are the SHA-256 of the public quiz file (line endings made ``\\n``), so the book
    and a grader holding a copy of that file (an assignment's snapshot) agree; a quiz built in
    Python hashes its public spec instead. Deterministic: same files, same version.
    """
    from .. import __version__

    source = Path(quiz.source) if quiz.source is not None else None
    if source is not None and source.is_file():
        data = source.read_bytes().replace(b"\r\n", b"\n")
    else:
        spec = {k: v for k, v in quiz.spec().items() if k != "ns"}
        data = json.dumps(spec, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return f"{__version__}+{hashlib.sha256(data).hexdigest()[:_DIGITS]}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(quiz: Quiz, responses: Mapping[str, Any], name: str = "",
          saved_at: str | None = None) -> dict[str, Any]:
    """The response-file payload for ``responses`` to ``quiz`` (what the browser builds too)."""
    payload = ResponseFile(quiz=quiz.name, responses=dict(responses), course=COURSE_ID,
                           book_version=book_version(quiz), name=name.strip(),
                           saved_at=saved_at or _now()).to_dict()
    validate(payload)
    return payload


def dump(quiz: Quiz, responses: Mapping[str, Any], path: str | Path, name: str = "") -> Path:
    """Write a response file to ``path`` atomically (``ResponseFileError`` if an answer is not
    JSON the format allows; nothing is written then)."""
    path = Path(path)
    text = json.dumps(build(quiz, responses, name), indent=2, ensure_ascii=False,
                      sort_keys=True) + "\n"
    write_atomic(path, text)
    return path


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _where(error: jsonschema.ValidationError) -> str | None:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        path.append(error.message.split("'")[1])
    elif error.validator == "additionalProperties" and not path:
        extra = sorted(set(error.instance) - set(error.schema["properties"]))
        path.append(extra[0] if extra else "?")
    return ".".join(path) or None


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "is missing"
    if error.validator == "additionalProperties":
        return "is not a field of a response file"
    if error.validator == "const":
        return f"expected {error.validator_value!r}, got {error.instance!r:.60}"
    if error.validator == "pattern":
        return f"{error.instance!r:.60} does not match the pattern {error.validator_value}"
    if error.validator == "anyOf" and list(error.absolute_path)[:1] == ["responses"]:
        return (f"{error.instance!r:.60} is not an answer: expected text, a number, true/false, "
                "a list of ids or a mapping {item: choice}")
    if error.validator in ("maxLength", "maxItems", "maxProperties"):
        unit = {"maxLength": "characters", "maxItems": "items", "maxProperties": "fields"}
        return f"is too long: at most {error.validator_value} {unit[error.validator]}"
    if error.validator == "type":
        return f"expected {error.validator_value}, got {type(error.instance).__name__}"
    return error.message if len(error.message) < 200 else error.message[:200] + "..."


def _answer_level(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Report a bad answer as a whole (``responses.<id>``), not one branch of its ``anyOf``."""
    while error.parent is not None and list(error.absolute_path)[:1] == ["responses"] and (
            len(error.absolute_path) > 2 or error.parent.validator == "anyOf"):
        error = error.parent
    return error


def validate(payload: Any, source: object = None) -> ResponseFile:
    """Check ``payload`` against the schema; ``ResponseFileError`` naming the field if it
    does not conform. A legacy ``{quiz, responses}`` mapping is accepted (format 0)."""
    if (isinstance(payload, dict) and set(payload) == {"quiz", "responses"}
            and isinstance(payload["quiz"], str) and isinstance(payload["responses"], dict)):
        return ResponseFile(quiz=payload["quiz"], responses=dict(payload["responses"]),
                            format_version=0, source=None if source is None else str(source))
    if not isinstance(payload, dict):
        raise ResponseFileError(f"expected a JSON object (a response file), got "
                                f"{type(payload).__name__}", file=source, foreign=True)
    error = jsonschema.exceptions.best_match(_validator().iter_errors(payload))
    if error is not None:
        error = _answer_level(error)
        if "format" not in payload:
            raise ResponseFileError(f"not a response file (no \"format\": {FORMAT!r})",
                                    file=source, foreign=True)
        raise ResponseFileError(_message(error), file=source, field=_where(error))
    return ResponseFile(quiz=payload["quiz"], responses=dict(payload["responses"]),
                        course=payload["course"], book_version=payload["book_version"],
                        name=payload["name"], saved_at=payload["saved_at"],
                        format_version=payload["format_version"],
                        source=None if source is None else str(source))


def load(path: str | Path) -> ResponseFile:
    """Read and validate a response file; ``ResponseFileError`` (naming the file, line or
    field) if it is too large, not UTF-8, not JSON, or not a response file."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ResponseFileError(f"{size} bytes, more than the {MAX_BYTES} a response file may "
                                "have", file=path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponseFileError(f"not UTF-8 text (byte at offset {exc.start})", file=path) from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResponseFileError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                                file=path) from None
    except RecursionError:
        raise ResponseFileError("not JSON this reader accepts: nested too deeply",
                                file=path) from None
    return validate(payload, path)


class Problem(NamedTuple):
    """Why a response file does not fit a quiz. ``kind`` is ``course``, ``quiz`` or
    ``version`` (nothing in the file can be scored) or ``unknown`` (items the quiz lacks)."""

    kind: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.kind != "unknown"

    def __str__(self) -> str:
        return self.message


def _digest(version: str | None) -> str | None:
    return None if version is None else version.rpartition("+")[2]


def problems(answers: ResponseFile, quiz: Quiz) -> list[Problem]:
    """Why ``answers`` cannot be graded with ``quiz`` ([] if they can): another course,
    another quiz, another version of the quiz's questions, or item ids the quiz lacks.
    Messages do not name the file (``answers.source``)."""
    if answers.course is not None and answers.course != COURSE_ID:
        return [Problem("course", f"answers for course {answers.course!r}, "
                                  f"not {COURSE_ID!r}")]
    if answers.quiz != quiz.name:
        return [Problem("quiz", f"answers for quiz {answers.quiz!r}, not {quiz.name!r}")]
    found = []
    grading = book_version(quiz)
    if answers.book_version is not None and _digest(answers.book_version) != _digest(grading):
        found.append(Problem("version", f"answers from another version of the book "
                                        f"({answers.book_version}; grading {grading}): the "
                                        "questions may differ, so none is scored"))
    known = {q.id for q in quiz.questions}
    unknown = sorted(k for k in answers.responses if k not in known)
    if unknown:
        found.append(Problem("unknown", f"item(s) not in quiz {quiz.name}: "
                                        f"{', '.join(unknown)}"))
    return found
