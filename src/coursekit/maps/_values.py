"""Small value helpers of the maps: blank cells, dates at their precision, argument checks and
citations of dataset rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

__all__ = [
    "blank",
    "check_choices",
    "cite",
    "cite_row",
    "horizon",
    "iso_date",
    "mentioned_in",
    "short_citation",
    "show_date",
    "text",
    "year",
]


def blank(value: Any) -> bool:
    """True for None, NaN and empty or whitespace-only text."""
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def text(value: Any) -> str:
    """The value as stripped text, ``""`` when blank."""
    return "" if blank(value) else str(value).strip()


def year(value: Any) -> int | None:
    """The year of a date-ish value ("2003", "2003-10", "2003-10-23", 2003).

    >>> year("2003-10"), year(None)
    (2003, None)
    """
    if blank(value):
        return None
    return int(str(value).strip()[:4])


def show_date(value: Any, precision: Any) -> str:
    """A date at its precision: ``2003-10`` for month, ``2004`` for year.

    >>> show_date("2003-10-01", "month"), show_date("2004-01-01", "year")
    ('2003-10', '2004')
    """
    if blank(value):
        return ""
    value = text(value)
    return {"year": value[:4], "month": value[:7]}.get(text(precision), value)


def iso_date(value: str, what: str) -> str:
    """``value`` as ``YYYY-MM-DD``, or a :class:`MapInputError` naming ``what``."""
    from coursekit.maps._folium import MapInputError

    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise MapInputError(f"{what}: {value!r} is not a date in the form YYYY-MM-DD") from None


def check_choices(kind: str, given: Iterable[str] | str | None, valid: Iterable[str]) -> list[str] | None:
    """``given`` as a list, or a :class:`MapInputError` naming the unknown values and the
    valid ones; ``None`` (no filter) stays ``None``."""
    from coursekit.maps._folium import MapInputError

    if given is None:
        return None
    given = [given] if isinstance(given, str) else list(given)
    valid = sorted(set(valid))
    unknown = [g for g in given if g not in valid]
    if unknown:
        raise MapInputError(
            f"unknown {kind} {', '.join(map(repr, unknown))}; valid {kind}s: {', '.join(valid)}"
        )
    return given


def horizon() -> str:
    """The last day of the year of the newest source text: what the data can speak for."""
    from coursekit import sources

    return f"{max(r.year for r in sources.records().values())}-12-31"


def short_citation(source_id: str) -> str:
    """"Author (date)" of a source id of ``seeds/records.yml``."""
    from coursekit import sources

    record = sources.record(source_id)
    return f"{record.author_label} ({record.display_date})"


def cite(kind: Any, source: Any, quote: Any = None) -> str:
    """A readable citation of a dataset's source fields.

    ``kind`` ``seed``: ``source`` is a source id, shown as author and date; ``web``: ``source``
    is ``"Title — publisher <url>"``, kept as it is. The quote follows in typographic quotes.
    """
    if blank(source):
        return ""
    shown = short_citation(text(source)) if text(kind) == "seed" else text(source)
    return shown + (f": “{text(quote)}”" if not blank(quote) else "")


def cite_row(row: pd.Series, prefix: str = "") -> str:
    """:func:`cite` of a row's ``<prefix>source_kind``, ``source`` and ``source_quote``."""
    return cite(row.get(f"{prefix}source_kind"), row.get(f"{prefix}source"), row.get(f"{prefix}source_quote"))


def mentioned_in(ids: Any) -> str:
    """``"talantbekova-2024;evsikov-shafir-2011"`` as authors and dates."""
    return "; ".join(short_citation(i) for i in filter(None, (s.strip() for s in text(ids).split(";"))))
