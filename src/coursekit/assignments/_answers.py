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
        try:
            return _encode_pandas(value, depth)
        except Exception as exc:  # an odd frame is an unreadable answer
            return {"$": "unreadable", "v": f"pandas object ({type(exc).__name__})"}
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
            return _decode_pandas(kind, value)
    except Exception:  # the data came from a student's kernel: never crash
        return Unreadable(f"damaged {kind}")
    return Unreadable(str(value)[:200])


def _encode_column(values: Any, depth: int) -> dict[str, Any]:
    """One column (or index) as ``{"dtype", "v"}``: dates and durations as integer ticks."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    tz = getattr(dtype, "tz", None)
    if tz is not None:
        values = values.tz_convert("UTC").tz_localize(None) if isinstance(values, pd.Index) \
            else values.dt.tz_convert("UTC").dt.tz_localize(None)
    array = np.asarray(values)
    if array.dtype.kind in "mM":
        return {"dtype": str(array.dtype), "tz": str(tz) if tz is not None else None,
                "v": array.view("int64").tolist()}
    return {"dtype": str(dtype), "v": [encode(v, depth + 1) for v in list(values)]}


def _decode_column(data: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    dtype = str(data["dtype"])
    if dtype.startswith(("datetime64[", "timedelta64[")) and "," not in dtype:
        column = pd.Series(np.array(data["v"], dtype="int64").view(dtype))
        if data.get("tz"):
            column = column.dt.tz_localize("UTC").dt.tz_convert(data["tz"])
        return column
    column = pd.Series([decode(v) for v in data["v"]], dtype=object)
    try:
        return column.astype(dtype)
    except (TypeError, ValueError):
        return column.infer_objects()


def _encode_pandas(value: Any, depth: int) -> dict[str, Any]:
    """A DataFrame or Series, column by column, keeping each column's dtype."""
    kind = "dataframe" if hasattr(value, "columns") else "series"
    frame = value if kind == "dataframe" else value.to_frame()
    index = frame.index
    return {"$": kind, "v": {
        "columns": [encode(c, depth + 1) for c in frame.columns],
        "data": [_encode_column(frame.iloc[:, i], depth) for i in range(frame.shape[1])],
        "index": _encode_column(index, depth) if index.nlevels == 1 else
        {"dtype": "object", "v": [encode(v, depth + 1) for v in index]},
        "index_names": [encode(n, depth + 1) for n in index.names],
        "name": encode(getattr(value, "name", None), depth + 1) if kind == "series" else None,
    }}


def _decode_pandas(kind: str, value: dict[str, Any]) -> Any:
    import pandas as pd

    columns = [_hashable(decode(c)) for c in value["columns"]]
    data = [_decode_column(c) for c in value["data"]]
    index_values = _decode_column(value["index"])
    names = [_hashable(decode(n)) for n in value["index_names"]]
    if len(names) > 1:
        index = pd.MultiIndex.from_tuples([tuple(v) for v in index_values], names=names)
    else:
        index = pd.Index(index_values, name=names[0] if names else None)
    frame = pd.DataFrame({i: column.to_numpy() if column.dtype == object else column.array
                          for i, column in enumerate(data)}, index=index)
    frame.columns = columns
    if kind == "series":
        series = frame.iloc[:, 0]
        series.name = _hashable(decode(value.get("name")))
        return series
    return frame


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
