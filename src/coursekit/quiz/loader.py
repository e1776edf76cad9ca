"""Read and validate quiz files: JSON Schema first, then each question's own checks."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .._resources import resource_path
from ._quiz import Quiz
from .checks import Check
from .model import Question, QuizFileError, _Invalid

__all__ = ["SCHEMA_PATH", "load", "quiz_path", "validate_data"]

SCHEMA_PATH = Path(__file__).parent / "schema.json"


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def quiz_path(name_or_path: str | Path) -> Path:
    """The file of quiz ``name`` (``"ch01"`` -> ``chapters/quizzes/ch01.yml``) or the path
    given. Raises ``FileNotFoundError`` listing the quizzes that exist."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yml", ".yaml")):
        path = Path(name_or_path)
    else:
        path = resource_path("quizzes", f"{text}.yml")
    if not path.is_file():
        folder = resource_path("quizzes")
        names = sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []
        raise FileNotFoundError(f"no quiz file {path}; known quizzes: "
                                f"{', '.join(names) or 'none'}")
    return path


def _line_of(node: yaml.Node | None, path: list[Any]) -> int | None:
    """1-based line of the YAML node at ``path`` (or of its deepest existing parent)."""
    line = None if node is None else node.start_mark.line + 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            child = node.value[step] if step < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _field_path(path: list[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


_NAMED_IN_MESSAGE = re.compile(r"^'([^']+)' is a required property|\('([^']+)'.* unexpected\)")


def _schema_error(error: jsonschema.ValidationError, data: Any) -> tuple[list[Any], str]:
    """Document path of the offending field and a message saying what was expected."""
    path = list(error.absolute_path)
    named = _NAMED_IN_MESSAGE.search(error.message)
    if named:
        path.append(named.group(1) or named.group(2))
    message = error.message
    if error.validator == "pattern":
        message = f"{error.instance!r} does not match the pattern {error.validator_value}"
    elif error.validator == "enum":
        message = (f"{error.instance!r} is not one of: "
                   f"{', '.join(map(str, error.validator_value))}")
    return path, message


def validate_data(data: Any, source: str | Path = "<quiz>", node: yaml.Node | None = None,
                  name: str = "quiz") -> Quiz:
    """Validate parsed quiz data and build the ``Quiz`` (raises ``QuizFileError``)."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: (
        [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.absolute_path],
        e.validator != "required"))
    if errors:
        path, message = _schema_error(errors[0], data)
        return _fail(message, data, path, source, node)
    items: list[Question | Check] = []
    for section, build in (("questions", Question.from_dict), ("checks", Check.from_dict)):
        for index, entry in enumerate(data.get(section, [])):
            try:
                items.append(build(entry))
            except _Invalid as exc:
                _fail(exc.message, data, [section, index, exc.field], source, node)
    questions = [i for i in items if isinstance(i, Question)]
    checks = [i for i in items if isinstance(i, Check)]
    try:
        return Quiz(questions, checks, title=data["title"], name=name, source=source)
    except QuizFileError as exc:
        entries = [*data.get("questions", []), *data.get("checks", [])]
        index = next((n for n, e in enumerate(entries) if e.get("id") == exc.item_id), None)
        if index is None:
            raise
        section = "questions" if index < len(data.get("questions", [])) else "checks"
        index -= 0 if section == "questions" else len(data.get("questions", []))
        if exc.field == "id":  # a duplicate: point at the second occurrence
            same = [n for n, e in enumerate(data.get(section, [])) if e.get("id") == exc.item_id]
            index = same[-1]
        steps = re.findall(r"[^.\[\]]+", exc.field or "")
        path = [section, index, *(int(s) if s.isdigit() else s for s in steps)]
        return _fail(exc.reason, data, path, source, node)


def _fail(message: str, data: Any, path: list[Any], source: Any, node: Any) -> Quiz:
    item_id, field = None, _field_path(path)
    if len(path) >= 2 and path[0] in ("questions", "checks") and isinstance(path[1], int):
        entries = data.get(path[0]) or []
        if path[1] < len(entries) and isinstance(entries[path[1]], dict):
            item_id = entries[path[1]].get("id")
        field = _field_path(path[2:]) or None
        if item_id is None:
            field = _field_path(path)
    raise QuizFileError(message, file=source, item_id=item_id, field=field,
                        line=_line_of(node, path))


def load(name_or_path: str | Path) -> Quiz:
    """Load and validate a quiz file.

    Parameters
    ----------
    name_or_path
        A quiz name (``"ch01"``, ``"demo"``), found with
        ``coursekit._resources.resource_path("quizzes", ...)``, or a path to a ``.yml`` file.

    Raises
    ------
    QuizFileError
        Naming file, line, question id and field of the first mistake.
    FileNotFoundError
        If there is no such quiz.

    Examples
    --------
    >>> load("no-such-quiz")
    Traceback (most recent call last):
        ...
    FileNotFoundError: no quiz file ...no-such-quiz.yml; known quizzes: ...
    """
    path = quiz_path(name_or_path)
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QuizFileError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path,
                            line=None if mark is None else mark.line + 1) from None
    return validate_data(data, path, node, name=path.stem)
