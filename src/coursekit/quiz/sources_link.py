"""The quiz's only door to ``coursekit.sources``: verify an excerpt and attribute it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import _Invalid

__all__ = ["attribution", "resolve"]


def resolve(excerpt: Mapping[str, Any], field: str) -> tuple[str, str]:
    """Return the verified passage text and its attribution (the excerpt's citation).

    Raises ``_Invalid`` naming ``field`` when the source is unknown or the passage is not in it.
    """
    from coursekit import sources  # lazy: the quiz loads without the seeds until it needs them

    source, passage = excerpt.get("source"), excerpt.get("passage")
    if not source or not passage:
        raise _Invalid(field, "an excerpt needs `source` (a seed id) and `passage`")
    try:
        found = sources.excerpt(str(source), str(passage))
    except sources.UnknownSource as exc:
        raise _Invalid(f"{field}.source", f"unknown source {source!r}: {exc}") from exc
    except sources.PassageNotFound as exc:
        raise _Invalid(f"{field}.passage", f"excerpt not verified: {exc}") from exc
    return str(found.text), found.citation


def attribution(source: str, passage: str) -> str:
    """Attribution text of a verified passage (used for ``reference:``)."""
    return resolve({"source": source, "passage": passage}, "reference")[1]
