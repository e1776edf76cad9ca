"""The course datasets: load them, describe them, validate them and answer common questions.

The data live in ``data/`` as tidy CSV files described by ``data/datapackage.json`` (a
Frictionless Data Package). That file is the only description of the data: :func:`describe`,
:func:`load` and :func:`validate` all read it.

Dates
-----
Dates are stored and loaded as ISO strings ``YYYY-MM-DD`` (pandas ``str`` dtype) written as the
*first day of the period known*, with a ``*_precision`` column saying whether the day, the month
or only the year is known (``"2003-10-01"`` with precision ``month`` means "October 2003").
ISO strings sort and compare correctly; ``load(name, parse_dates=True)`` turns them into
``datetime64`` instead. Enumerated fields load as ``category``, integers as nullable ``Int64``,
numbers as ``float64``.

Membership spells run from ``start`` (included) to ``end`` (excluded); an empty ``end`` means
the spell had not ended when the data were compiled.

Checking
--------
``python -m coursekit.data`` validates the package (schema and foreign keys through
frictionless, plus the declared rules of :mod:`coursekit._validate`: date precision, provenance
and every seed quotation through :func:`coursekit.sources.locate`), prints the problems and
exits 1 if there are any.
``python -m coursekit.data --write-reference reference/datasets.md`` regenerates the dataset
reference page; ``--provenance-report`` prints every dataset's rows by source kind (seed,
dataset, or the kind of a web source's domain in ``data/source_domains.csv``; see
:mod:`coursekit.provenance`).

>>> "memberships" in names()
True
>>> members("csto", "2008-01-01")
['KAZ', 'KGZ', 'RUS', 'TJK', 'UZB']
"""

from __future__ import annotations

import calendar
import functools
import json
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from coursekit._resources import resource_path
from coursekit._tableschema import DataValidationError, Problem, cast, is_date
from coursekit.errors import InputError, UnknownName

__all__ = [
    "DataValidationError",
    "Problem",
    "UnknownDataset",
    "UnknownValue",
    "check_all",
    "claims_about",
    "describe",
    "events_between",
    "load",
    "main",
    "members",
    "memberships_of",
    "names",
    "render_reference",
    "validate",
]

_PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
#: Prefixes of the provenance column groups (``source_kind``, ``end_source_kind``...).
PROVENANCE_PREFIXES = ("", "end_", "dissolved_", "opened_", "closed_")


class UnknownDataset(UnknownName):
    """A dataset name that is not a resource of ``data/datapackage.json``."""


class UnknownValue(UnknownName):
    """An argument (organisation, role, country, topic) that does not occur in the data."""


# --------------------------------------------------------------------------------------------
# The package description


def _data_dir(root: Path | str | None = None) -> Path:
    return Path(root) if root is not None else resource_path("data")


@functools.lru_cache(maxsize=8)
def _package_cached(path: str, mtime: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _package(root: Path | str | None = None) -> dict[str, Any]:
    path = _data_dir(root) / "datapackage.json"
    return _package_cached(str(path), path.stat().st_mtime)


def _resource(name: str, root: Path | str | None = None) -> dict[str, Any]:
    for res in _package(root)["resources"]:
        if res["name"] == name:
            return res
    raise UnknownDataset(
        f"unknown dataset {name!r}; known datasets: {', '.join(names(root))}"
    )


def names(root: Path | str | None = None) -> list[str]:
    """Return the names of the datasets, in the order of ``datapackage.json``."""
    return [res["name"] for res in _package(root)["resources"]]


def describe(name: str) -> str:
    """Return a plain-text description of a dataset: title, description, licence, sources and
    fields, all read from ``datapackage.json``.

    >>> print(describe("places").splitlines()[0])
    places: Places on the maps
    """
    res = _resource(name)
    lines = [f"{name}: {res.get('title', '')}", "", res.get("description", ""), ""]
    lines.append("Licence: " + "; ".join(lic.get("title", lic["name"]) for lic in res["licenses"]))
    lines.append("Sources: " + "; ".join(s["title"] for s in res.get("sources", [])))
    lines.append(f"File: data/{res['path']}")
    fields = res.get("schema", {}).get("fields", [])
    if fields:
        lines += ["", "Fields:"]
        for fld in fields:
            cons = fld.get("constraints", {})
            extra = " (required)" if cons.get("required") else ""
            if "enum" in cons:
                extra += " one of: " + ", ".join(map(str, cons["enum"]))
            lines.append(f"  {fld['name']} [{fld['type']}]{extra}: {fld.get('description', '')}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Loading


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float, name: str, root: str | None,
                 parse_dates: bool) -> pd.DataFrame:
    res = _resource(name, root)
    file = f"data/{res['path']}"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                            encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataValidationError(f"{file}: expected a UTF-8 CSV file ({exc})") from exc
    return cast(frame, res, file, parse_dates)


def load(name: str, *, parse_dates: bool = False, root: Path | str | None = None) -> Any:
    """Load a dataset as a pandas DataFrame typed by its Table Schema.

    ``boundaries`` is GeoJSON and loads as the parsed ``dict`` (a FeatureCollection whose
    features carry ``iso3`` and ``name`` properties). Dates stay ISO strings unless
    ``parse_dates`` is true. Each call returns a fresh copy, so callers may modify it.

    Raises
    ------
    UnknownDataset
        For a name that is not in ``datapackage.json`` (the message lists the known names).
    DataValidationError
        For a file that does not fit its schema (the message names file, row, column and what
        was expected).
    """
    res = _resource(name, root)
    path = _data_dir(root) / res["path"]
    if res.get("format") == "geojson":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataValidationError(f"data/{res['path']}: expected GeoJSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise DataValidationError(f"data/{res['path']}: expected a GeoJSON FeatureCollection")
        return data
    root_key = None if root is None else str(root)
    frame = _load_cached(str(path), path.stat().st_mtime, name, root_key, parse_dates)
    return frame.copy()


# --------------------------------------------------------------------------------------------
# Helpers for the chapters


def _period_end(iso: str, precision: str) -> str:
    """Last day of the period that ``iso`` (first day) with ``precision`` stands for."""
    y, m, _ = (int(p) for p in iso.split("-"))
    if precision == "year":
        return f"{y:04d}-12-31"
    if precision == "month":
        return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
    return iso


def _as_iso(on: str | date | datetime, what: str, *, upper: bool = False) -> str:
    """``on`` as ``YYYY-MM-DD``; ``YYYY`` and ``YYYY-MM`` stand for the first (or, with
    ``upper``, the last) day of the period."""
    if isinstance(on, datetime):
        return on.date().isoformat()
    if isinstance(on, date):
        return on.isoformat()
    text = str(on).strip()
    match = _PARTIAL_DATE_RE.match(text)
    year, month, day = match.groups() if match else (None, None, None)
    first = f"{year}-{month or '01'}-01"
    if not match or not is_date(text if day else first):  # a real day, a month 01 to 12
        raise InputError(f"{what}: expected a date YYYY-MM-DD (or YYYY-MM, YYYY); got {on!r}")
    if day:
        return text
    if not upper:
        return first
    return _period_end(first, "month" if month else "year")


def _check_value(value: str, known: Sequence[str], what: str) -> None:
    if value not in set(known):
        raise UnknownValue(f"unknown {what} {value!r}; known: {', '.join(sorted(set(known)))}")


def members(org_id: str, on: str | date | datetime, role: str = "member") -> list[str]:
    """ISO3 codes of the countries that held ``role`` in ``org_id`` on the day ``on``.

    A spell counts from its start (included) to its end (excluded); dates known only to the
    month or year count from the first day of that period. Only the countries the data cover
    (the five Central Asian states, Russia, China, the United States) can appear.

    >>> members("csto", "2013-01-01")
    ['KAZ', 'KGZ', 'RUS', 'TJK']
    """
    day = _as_iso(on, "members(on=...)")
    spells = load("memberships")
    _check_value(org_id, load("organizations")["org_id"], "org_id")
    _check_value(role, spells["role"].cat.categories, "role")
    mask = ((spells["org_id"] == org_id) & (spells["role"] == role) & (spells["start"] <= day)
            & (spells["end"].isna() | (spells["end"] > day)))
    return sorted(spells.loc[mask, "country_iso3"].unique())


def memberships_of(country_iso3: str) -> pd.DataFrame:
    """Every membership spell of one country, with the organisation's name, in date order."""
    spells = load("memberships")
    _check_value(country_iso3, spells["country_iso3"], "country_iso3")
    orgs = load("organizations")[["org_id", "name", "abbreviation"]]
    mine = spells[spells["country_iso3"] == country_iso3]
    out = mine.merge(orgs, on="org_id", how="left")
    return out.sort_values(["start", "org_id"]).reset_index(drop=True)


def events_between(start: str | date | None = None, end: str | date | None = None) -> (
        pd.DataFrame):
    """Events that overlap the period from ``start`` to ``end`` (both included).

    ``start`` and ``end`` may be ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``end="2005"`` means
    up to 31 December 2005); either may be omitted. An event spans from ``date`` to
    ``end_date`` (or to ``date``), each widened to the whole month or year its precision
    allows.
    """
    events = load("events")
    lo = _as_iso(start, "events_between(start=...)") if start is not None else "0000-01-01"
    hi = _as_iso(end, "events_between(end=...)", upper=True) if end is not None else "9999-12-31"
    if lo > hi:
        raise InputError(f"events_between: start {lo} is after end {hi}")
    first = events["date"]
    last = [
        _period_end(e, str(ep)) if isinstance(e, str) else _period_end(d, str(dp))
        for d, dp, e, ep in zip(events["date"], events["date_precision"], events["end_date"],
                                events["end_date_precision"], strict=True)
    ]
    mask = (first <= hi) & (pd.Series(last, index=events.index) >= lo)
    return events[mask].sort_values(["date", "event_id"]).reset_index(drop=True)


def claims_about(topic: str) -> pd.DataFrame:
    """The sources' quantitative claims on one topic (see the ``topic`` field's values)."""
    claims = load("claims")
    _check_value(topic, claims["topic"].cat.categories, "topic")
    return claims[claims["topic"] == topic].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Validation and the reference page (build time; their code lives in other modules)


def validate(root: Path | str | None = None) -> list[Problem]:
    """Check the data package in ``root`` (default: the course's ``data/``) and return the
    problems found (an empty list when all is well); see :func:`coursekit._validate.validate`
    for the checks. Needs frictionless (``pip install 'coursekit[check]'``)."""
    from coursekit import _validate

    return _validate.validate(root)


def check_all() -> list[Problem]:
    """The data checks run by ``coursekit check`` (same as :func:`validate` on ``data/``)."""
    return validate()


def render_reference(root: Path | str | None = None) -> str:
    """Return the Markdown of ``reference/datasets.md``, generated from ``datapackage.json``
    (:mod:`coursekit._datapage`)."""
    from coursekit._datapage import render_reference as render

    return render(root)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coursekit.data``: validate the data package, print the problems and return
    1 if there are any (``--write-reference``, ``--provenance-report``: see ``--help``)."""
    from coursekit import _validate

    return _validate.main(argv)


if __name__ == "__main__":
    sys.exit(main())
