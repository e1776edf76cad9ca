"""The quiz's only door to ``coursekit.sources``: verify an excerpt and attribute it."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from .model import _Invalid

__all__ = ["attribution", "resolve"]


def _excerpt(source: str, passage: str) -> Any:
    sources = importlib.import_module("coursekit.sources")
    return sources.excerpt(source, passage)


def _field(record: Any, *names: str) -> Any:
    for name in names:
        value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        if value:
            return value
    return None


def _describe(found: Any, source: str) -> str:
    citation = getattr(found, "citation", None)
    if isinstance(citation, str) and citation:
        return citation
    record = getattr(found, "record", None) or {}
    author = _field(record, "author", "authors") or "Unknown author"
    if isinstance(author, list | tuple):
        author = " and ".join(str(a) for a in author)
    year = _field(record, "year", "date") or "n.d."
    location = getattr(found, "location", None)
    location = getattr(location, "label", location)
    if isinstance(location, Mapping):
        location = ", ".join(f"{k} {v}" for k, v in location.items())
    elif location is not None and not isinstance(location, str | int):
        location = None  # never print an object repr (memory addresses break determinism)
    text = f"{author} ({year})"
    if location not in (None, ""):
        text += f", {location}"
    return f"{text} [{source}]"


def resolve(excerpt: Mapping[str, Any], field: str) -> tuple[str, str]:
    """Return the verified passage text and its attribution ("Author (year), location").

    Raises ``_Invalid`` naming ``field`` when the source is unknown or the passage is not in it.
    """
    source, passage = excerpt.get("source"), excerpt.get("passage")
    if not source or not passage:
        raise _Invalid(field, "an excerpt needs `source` (a seed id) and `passage`")
    try:
        found = _excerpt(str(source), str(passage))
    except ModuleNotFoundError as exc:
        raise _Invalid(field, f"cannot verify the excerpt: {exc}") from exc
    except KeyError as exc:  # unknown source id
        raise _Invalid(f"{field}.source", f"unknown source {source!r}: "
                       f"{exc.args[0] if exc.args else exc}") from exc
    except ValueError as exc:  # PassageNotFound(ValueError)
        raise _Invalid(f"{field}.passage", f"excerpt not verified: "
                       f"{exc.args[0] if exc.args else exc}") from exc
    return str(found.text), _describe(found, str(source))


def attribution(source: str, passage: str) -> str:
    """Attribution text of a verified passage (used for ``reference:``)."""
    return resolve({"source": source, "passage": passage}, "reference")[1]
