"""Validate a YAML file against a JSON Schema, naming the line and field of the first fault.

Schemas live in ``coursekit/schemas/`` (or are given by path, as the quiz loader gives
``quiz/schema.json`` and ``quiz/bank-schema.json``). The quiz loader adds its own messages for
fields an assessed item must not have, on top of :func:`describe`.
"""

from __future__ import annotations

import functools
import json
import marshal
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from coursekit._yaml import parse
from coursekit.errors import InputError, Where

__all__ = ["describe", "errors", "field_path", "first_error", "line_of", "load_yaml"]


@functools.cache
def _validator(schema: str | Path) -> jsonschema.Draft202012Validator:
    """The validator of ``schema``: a file name in ``coursekit/schemas/`` or a path."""
    if isinstance(schema, Path):
        text = schema.read_text(encoding="utf-8")
    else:
        text = resources.files("coursekit").joinpath("schemas", schema).read_text(encoding="utf-8")
    loaded = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded)


def line_of(node: yaml.Node | None, path: list[Any]) -> int | None:
    """1-based line of the YAML node at ``path`` (or of its deepest existing parent).

    >>> line_of(yaml.compose("a:\\n  - x\\n  - y\\n"), ["a", 1])
    3
    """
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


def field_path(path: list[Any]) -> str:
    """``["stages", 0, "quote"]`` -> ``"stages[0].quote"``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


_NAMED = re.compile(r"^'([^']+)' is a required property|\('([^']+)'.* unexpected\)")
_WORDS = {"boolean": "true or false", "number": "a number", "string": "text", "array": "a list",
          "object": "a mapping", "integer": "a whole number"}


def _a(kind: Any) -> str:
    return " or ".join(_WORDS.get(k, k) for k in (kind if isinstance(kind, list) else [kind]))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return f"{value!r}".lower()
    return f"{type(value).__name__} {value!r}" if isinstance(value, str) else repr(value)


#: Validation results by (serialised data, schema): a process reads the same quiz many times
#: (``coursekit check`` about forty loads), and validating it is most of a load's CPU.
_SEEN: dict[tuple[bytes, str | Path], list[jsonschema.ValidationError]] = {}
_SEEN_MAX = 256


def errors(data: Any, schema: str | Path) -> list[jsonschema.ValidationError]:
    """Every schema violation, ordered by place in the document (list items by index), a
    missing required field before other faults at the same place, and the
    ``unevaluatedProperties`` summary (which only repeats that a failed branch left its fields
    unchecked) after every specific fault.

    Data seen before gives the remembered result: the key is ``marshal``'s exact form of the
    data (types and order kept; equal bytes mean equal data, while some equal data may miss),
    and data it cannot write (a YAML date) is not remembered."""
    try:
        key = (marshal.dumps(data, 2), schema)  # version 2: no back-references
    except ValueError:
        key = None
    if key in _SEEN:
        return list(_SEEN[key])
    found = sorted(_validator(schema).iter_errors(data), key=lambda e: (
        e.validator == "unevaluatedProperties",
        [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.absolute_path],
        e.validator != "required"))
    if key is not None:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.pop(next(iter(_SEEN)))
        _SEEN[key] = found
    return list(found)


def describe(error: jsonschema.ValidationError) -> tuple[list[Any], str]:
    """The document path of the offending field and a message saying what was expected."""
    path = list(error.absolute_path)
    named = _NAMED.search(error.message)
    if named:
        path.append(named.group(1) or named.group(2))
    message = error.message
    if error.validator == "pattern":
        message = f"{error.instance!r} does not match the pattern {error.validator_value}"
    elif error.validator == "enum":
        message = f"{error.instance!r} is not one of: {', '.join(map(str, error.validator_value))}"
    elif error.validator == "anyOf":
        message = f"expected one of {json.dumps(error.validator_value)}"
    elif error.validator == "type":
        message = f"expected {_a(error.validator_value)}, got {_value(error.instance)}"
    return path, message


def first_error(data: Any, schema: str | Path) -> tuple[list[Any], str] | None:
    """The document path and a readable message of the first schema violation (in the order
    of :func:`errors`), or None."""
    found = errors(data, schema)
    return describe(found[0]) if found else None


def load_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """Parse ``text`` (data and node tree, for line numbers); a syntax error names ``source``."""
    try:
        return parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Where(source, line=mark.line + 1 if mark else None)
        raise InputError(where.message(f"not valid YAML: {getattr(exc, 'problem', exc)}")) from None
