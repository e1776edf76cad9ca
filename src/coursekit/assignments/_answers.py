"""Carry an answer from a student's kernel to the grader as JSON (never pickle).

JSON scalars travel as themselves; containers and pandas objects are tagged
(``{"$": "set", "v": [...]}``) so that the grader rebuilds the same type. Anything else
arrives as an :class:`Unreadable` placeholder, which no check accepts.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["MAX_BYTES", "Unreadable", "decode", "encode", "record"]

#: Answers larger than this (as JSON) are not recorded.
MAX_BYTES = 2_000_000


class Unreadable:
    """An answer the grader could not rebuild; its ``repr`` says what it was."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"<unreadable answer: {self.description}>"


def encode(value: Any, depth: int = 0) -> Any:
    """JSON-ready form of ``value``.

    >>> encode({"a", "b"})
    {'$': 'set', 'v': ['a', 'b']}
    >>> decode(encode((1, [2.5, None])))
    (1, [2.5, None])
    """
    if depth > 50:
        return {"$": "unreadable", "v": "nested too deeply"}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    module = type(value).__module__.split(".")[0]
    if module == "pandas" and hasattr(value, "to_dict"):
        kind = "dataframe" if hasattr(value, "columns") else "series"
        frame = value if kind == "dataframe" else value.to_frame()
        return {"$": kind, "v": json.loads(frame.to_json(orient="table", default_handler=str))}
    if module == "numpy" and hasattr(value, "tolist"):
        return encode(value.tolist(), depth + 1)
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        if isinstance(value, set | frozenset):
            items = sorted(items, key=repr)
        kind = {list: "list", tuple: "tuple"}.get(type(value), "set")
        return {"$": kind, "v": [encode(v, depth + 1) for v in items]}
    if isinstance(value, dict):
        return {"$": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)]
                                   for k, v in value.items()]}
    return {"$": "unreadable", "v": f"{type(value).__module__}.{type(value).__name__}"}


def decode(data: Any) -> Any:
    """Rebuild a value written by :func:`encode` (unknown forms become ``Unreadable``)."""
    if not isinstance(data, dict):
        return data
    kind, value = data.get("$"), data.get("v")
    try:
        if kind == "list":
            return [decode(v) for v in value]
        if kind == "tuple":
            return tuple(decode(v) for v in value)
        if kind == "set":
            return {_hashable(decode(v)) for v in value}
        if kind == "dict":
            return {_hashable(decode(k)): decode(v) for k, v in value}
        if kind == "float":
            return float(value)
        if kind in ("dataframe", "series"):
            import io

            import pandas as pd

            frame = pd.read_json(io.StringIO(json.dumps(value)), orient="table")
            return frame if kind == "dataframe" else frame.iloc[:, 0]
    except (TypeError, ValueError, KeyError, IndexError):
        return Unreadable(f"damaged {kind}")
    return Unreadable(str(value))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def record(path: str, item_id: str, answer: Any) -> None:
    """Append ``{"id", "answer"}`` as one JSON line to ``path`` (the grader reads it)."""
    try:
        line = json.dumps({"id": str(item_id), "answer": encode(answer)}, allow_nan=False)
    except (TypeError, ValueError) as exc:
        line = json.dumps({"id": str(item_id), "answer": {"$": "unreadable", "v": str(exc)}})
    if len(line) > MAX_BYTES:
        line = json.dumps({"id": str(item_id), "answer": {"$": "unreadable", "v": "too large"}})
    with open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
