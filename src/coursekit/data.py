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
frictionless, plus date precision, provenance and every seed quotation through
:func:`coursekit.sources.locate`), prints the problems and exits 1 if there are any.
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
import csv
import functools
import itertools
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from coursekit._resources import resource_path, write_atomic

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

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PROVENANCE_PREFIXES = ("", "end_", "dissolved_", "opened_", "closed_")
_DATE_FIELDS_WITH_PRECISION = ("founded", "dissolved", "start", "end", "opened", "closed", "date",
                               "end_date")


class UnknownDataset(KeyError):
    """A dataset name that is not a resource of ``data/datapackage.json``."""

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownValue(KeyError):
    """An argument (organisation, role, country, topic) that does not occur in the data."""

    def __str__(self) -> str:
        return str(self.args[0])


class DataValidationError(ValueError):
    """A data file that does not match its Table Schema; the message names the file, the row,
    the column and what was expected."""


@dataclass(frozen=True)
class Problem:
    """One fault found by :func:`validate`.

    ``row`` is the 1-based data row (the header is not counted; the CSV line is ``row + 1``).
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.row + 1})"
        if self.field:
            where += f", column {self.field!r}"
        return f"{where}: {self.message}"


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


def _bad(file: str, row: int | None, column: str | None, expected: str, value: Any = None) -> (
        DataValidationError):
    where = file
    if row is not None:
        where += f", row {row} (line {row + 1})"
    if column is not None:
        where += f", column {column!r}"
    got = f"; got {value!r}" if value is not None else ""
    return DataValidationError(f"{where}: expected {expected}{got}")


def _is_date(text: str) -> bool:
    if not _DATE_RE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _convert(frame: pd.DataFrame, res: dict[str, Any], file: str, parse_dates: bool) -> (
        pd.DataFrame):
    fields = res["schema"]["fields"]
    expected = [f["name"] for f in fields]
    if list(frame.columns) != expected:
        missing = [c for c in expected if c not in frame.columns]
        extra = [c for c in frame.columns if c not in expected]
        column = (missing or extra or [None])[0]
        raise _bad(file, None, column,
                   f"the columns {', '.join(expected)} in that order "
                   f"(missing: {missing or 'none'}; unexpected: {extra or 'none'})")
    out = {}
    for fld in fields:
        col, ftype = fld["name"], fld["type"]
        cons = fld.get("constraints", {})
        raw = frame[col]
        present = raw.notna()
        if cons.get("required") and not present.all():
            row = int((~present).to_numpy().nonzero()[0][0]) + 1
            raise _bad(file, row, col, "a value (the field is required)", "")
        if ftype in ("integer", "number"):
            values = pd.to_numeric(raw, errors="coerce")
            broken = present & values.isna()
            if ftype == "integer":
                broken |= present & values.notna() & (values % 1 != 0)
            if broken.any():
                row = int(broken.to_numpy().nonzero()[0][0])
                raise _bad(file, row + 1, col, f"an {ftype}" if ftype == "integer" else "a number",
                           raw.iloc[row])
            out[col] = values.astype("Int64") if ftype == "integer" else values.astype("float64")
        elif ftype == "date":
            for i, (ok, text) in enumerate(zip(present, raw, strict=True)):
                if ok and not _is_date(text):
                    raise _bad(file, i + 1, col, "a date YYYY-MM-DD", text)
            out[col] = pd.to_datetime(raw) if parse_dates else raw.astype("str")
        else:
            out[col] = raw.astype("str")
        if "enum" in cons:
            allowed = [str(v) for v in cons["enum"]]
            bad = present & ~out[col].isin(allowed)
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise _bad(file, row + 1, col, "one of " + ", ".join(allowed), raw.iloc[row])
            out[col] = pd.Categorical(out[col], categories=allowed)
    return pd.DataFrame(out, index=frame.index)


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
    return _convert(frame, res, file, parse_dates)


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
# Validation


def _period_end(iso: str, precision: str) -> str:
    """Last day of the period that ``iso`` (first day) with ``precision`` stands for."""
    y, m, _ = (int(p) for p in iso.split("-"))
    if precision == "year":
        return f"{y:04d}-12-31"
    if precision == "month":
        return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
    return iso


def _frictionless_problems(root: Path) -> list[Problem]:
    try:
        from frictionless import Package  # lazy: frictionless takes about a second to import
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("coursekit.data.validate() needs frictionless: "
                                  "pip install 'coursekit[check]' (or -r requirements.txt)") from exc

    problems = []
    package = Package(str(root / "datapackage.json"))
    tabular = [r.name for r in package.resources if r.format == "csv"]
    for res in list(package.resources):
        if res.name not in tabular:
            package.remove_resource(res.name)
    report = package.validate()
    for task in report.tasks:
        file = f"data/{Path(task.place).name}" if task.place else task.name
        for err in task.errors:
            row = getattr(err, "row_number", None)
            cell = getattr(err, "cell", None)
            got = f"; got {cell!r}" if cell not in (None, "") else ""
            problems.append(Problem(file, row - 1 if row else None,
                                    getattr(err, "field_name", None),
                                    f"{err.title}: {err.note}{got}"))
    return problems


def _csv_rows(root: Path, res: dict[str, Any]) -> list[dict[str, str]]:
    with (root / res["path"]).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _check_rows(root: Path) -> list[Problem]:
    from coursekit import provenance, sources

    problems: list[Problem] = []
    ids: dict[str, set[str]] = {}
    tables: dict[str, list[dict[str, str]]] = {}
    for res in _package(root)["resources"]:
        if res.get("format") != "csv":
            continue
        rows = _csv_rows(root, res)
        tables[res["name"]] = rows
        key = res["schema"].get("primaryKey", [None])[0]
        ids[res["name"]] = {r.get(key, "") for r in rows} if key else set()

    for name, rows in tables.items():
        file = f"data/{name}.csv"
        for i, row in enumerate(rows, 1):
            def add(field: str | None, message: str, i: int = i, file: str = file) -> None:
                problems.append(Problem(file, i, field, message))

            for col in _DATE_FIELDS_WITH_PRECISION:
                value, prec = row.get(col) or "", row.get(f"{col}_precision") or ""
                if col not in row or not value:
                    if prec:
                        add(f"{col}_precision", f"a precision without a {col} date")
                    continue
                if not _is_date(value):
                    continue  # frictionless reports the type error
                if not prec:
                    add(f"{col}_precision", f"a precision (day, month or year) for {col}")
                elif prec == "month" and not value.endswith("-01"):
                    add(col, f"the first day of the month for precision 'month'; got {value!r}")
                elif prec == "year" and not value.endswith("-01-01"):
                    add(col, f"1 January for precision 'year'; got {value!r}")
            for start, end in (("start", "end"), ("founded", "dissolved"), ("opened", "closed"),
                               ("date", "end_date")):
                if row.get(start) and row.get(end) and row[end] < row[start]:
                    add(end, f"a date not before {start} ({row[start]}); got {row[end]!r}")
            if row.get("value_high") and row.get("value"):
                try:
                    if float(row["value_high"]) < float(row["value"]):
                        add("value_high", f"a number not below value ({row['value']})")
                except ValueError:
                    pass
            for pre in _PROVENANCE_PREFIXES:
                kind = row.get(f"{pre}source_kind")
                if kind is None:
                    continue
                src, quote = row.get(f"{pre}source") or "", row.get(f"{pre}source_quote") or ""
                if not kind:
                    if pre and (src or quote):
                        add(f"{pre}source_kind", "a source kind where a source is given")
                    continue
                if not src or not quote:
                    add(f"{pre}source" if not src else f"{pre}source_quote",
                        "a source and its quoted sentence")
                    continue
                if kind == "seed":
                    if src not in sources.SOURCE_IDS:
                        add(f"{pre}source", "one of the seed ids "
                            + ", ".join(sources.SOURCE_IDS) + f"; got {src!r}")
                        continue
                    try:
                        sources.locate(src, quote)
                    except sources.PassageNotFound as exc:
                        add(f"{pre}source_quote", f"a quotation found verbatim in seeds/{src}.txt: "
                            + str(exc).splitlines()[0])
                elif kind == "web":
                    fault = provenance.web_source_fault(src, tables.get("source_domains", []))
                    if fault:
                        add(f"{pre}source", fault)
            if name == "claims":
                if not row.get("source_id"):
                    if row.get("source_kind") != "web":
                        add("source_id", "a seed id, or source_kind 'web' for an outside figure")
                elif row.get("source") != row.get("source_id"):
                    add("source", "the same seed id as source_id")
                if row.get("source_id") in sources.SOURCE_IDS:
                    try:
                        sources.locate(row["source_id"], row.get("quote") or "")
                    except sources.PassageNotFound as exc:
                        add("quote", f"a phrase found verbatim in seeds/{row['source_id']}.txt: "
                            + str(exc).splitlines()[0])
                if (row.get("quote") or "") not in (row.get("source_quote") or ""):
                    add("quote", "a phrase that stands inside source_quote")
                if not row.get("value") and not row.get("date_value"):
                    add("value", "a value or a date_value")
                for ref in filter(None, (row.get("conflicts_with") or "").split(";")):
                    target, _, rid = ref.partition(":")
                    if target not in ids or rid not in ids[target]:
                        add("conflicts_with", f"references to existing rows; {ref!r} does not exist")
            if name == "events":
                for sid in filter(None, (row.get("sources") or "").split(";")):
                    if sid not in sources.SOURCE_IDS:
                        add("sources", f"seed ids ({', '.join(sources.SOURCE_IDS)}); got {sid!r}")
    problems += _check_spells(tables.get("memberships", []))
    return problems


def _check_spells(rows: list[dict[str, str]]) -> list[Problem]:
    problems = []
    by_key: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = {}
    for i, row in enumerate(rows, 1):
        by_key.setdefault((row["org_id"], row["country_iso3"]), []).append((i, row))
    for (org, iso3), spells in by_key.items():
        spells.sort(key=lambda s: s[1]["start"])
        for (_, a), (j, b) in itertools.pairwise(spells):
            if not a["end"] or a["end"] > b["start"]:
                problems.append(Problem("data/memberships.csv", j, "start",
                                        f"a spell that begins after the previous {org}/{iso3} "
                                        f"spell ends ({a['end'] or 'open'})"))
    return problems


def _check_boundaries(root: Path) -> list[Problem]:
    try:
        res = _resource("boundaries", root)
    except UnknownDataset:
        return [Problem("data/datapackage.json", None, None, "a 'boundaries' resource")]
    file = f"data/{res['path']}"
    path = root / res["path"]
    if not path.exists():
        return [Problem(file, None, None, "the file to exist (data/scripts/build_boundaries.py)")]
    try:
        gj = load("boundaries", root=root)
    except DataValidationError as exc:
        return [Problem(file, None, None, str(exc))]
    problems = []
    for i, feat in enumerate(gj.get("features", []), 1):
        props = feat.get("properties") or {}
        for key in ("iso3", "name"):
            if not props.get(key):
                problems.append(Problem(file, i, key, "a feature property " + key))
    return problems


def validate(root: Path | str | None = None) -> list[Problem]:
    """Check the data package in ``root`` (default: the course's ``data/``).

    Checks the Table Schemas, primary and foreign keys (with frictionless), that every date
    agrees with its precision and every end follows its start, that membership spells of one
    country in one organisation do not overlap, that every row names its source, that every
    quotation from a seed occurs verbatim in ``seeds/`` (:func:`coursekit.sources.locate`),
    that claims' cross-references exist, and the boundaries GeoJSON. Returns the problems
    found (an empty list when all is well).
    """
    root = _data_dir(root)
    problems = _frictionless_problems(root)
    problems += _check_rows(root)
    problems += _check_boundaries(root)
    return problems


def check_all() -> list[Problem]:
    """The data checks run by ``coursekit check`` (same as :func:`validate` on ``data/``)."""
    return validate()


# --------------------------------------------------------------------------------------------
# Helpers for the chapters


def _as_iso(on: str | date | datetime, what: str, *, upper: bool = False) -> str:
    """``on`` as ``YYYY-MM-DD``; ``YYYY`` and ``YYYY-MM`` stand for the first (or, with
    ``upper``, the last) day of the period."""
    if isinstance(on, datetime):
        return on.date().isoformat()
    if isinstance(on, date):
        return on.isoformat()
    text = str(on).strip()
    match = _PARTIAL_DATE_RE.match(text)
    if not match or (match.group(3) and not _is_date(text)):
        raise ValueError(f"{what}: expected a date YYYY-MM-DD (or YYYY-MM, YYYY); got {on!r}")
    year, month, day = match.groups()
    if day:
        return text
    first = f"{year}-{month or '01'}-01"
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
        raise ValueError(f"events_between: start {lo} is after end {hi}")
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
# The reference page


def _cell(text: Any) -> str:
    from coursekit.sources import escape_myst

    return escape_myst(str(text).replace("\n", " "))


def render_reference(root: Path | str | None = None) -> str:
    """Return the Markdown of ``reference/datasets.md``, generated from ``datapackage.json``."""
    from coursekit.sources import escape_myst

    pkg = _package(root)
    out = [
        "# Datasets",
        "",
        "<!-- Generated by `python -m coursekit.data --write-reference reference/datasets.md` "
        "from data/datapackage.json: do not edit by hand. -->",
        "",
        escape_myst(pkg["description"]),
        "",
        "Load any of them with `coursekit.data.load(name)`; `coursekit.data.describe(name)` prints "
        "the description below. Dates are ISO strings `YYYY-MM-DD` giving the first day of the "
        "period known, with a `*_precision` column (`day`, `month` or `year`).",
        "",
    ]
    for res in pkg["resources"]:
        name = res["name"]
        out += [f"(dataset-{name})=", f"## {escape_myst(res['title'])} (`{name}`)", ""]
        out += [escape_myst(res["description"]), ""]
        lic = "; ".join(f"[{escape_myst(x.get('title', x['name']))}]({x['path']})"
                        if x.get("path") else escape_myst(x.get("title", x["name"]))
                        for x in res["licenses"])
        out += [f"- **File:** `data/{res['path']}`", f"- **Licence:** {lic}"]
        out.append("- **Sources:** " + "; ".join(escape_myst(s["title"]) for s in res["sources"]))
        data = load(name, root=root)
        if isinstance(data, dict):
            out.append(f"- **Features:** {len(data.get('features', []))}")
            out.append("")
            continue
        out.append(f"- **Rows:** {len(data)}")
        if "source_kind" in data.columns:
            from coursekit import provenance

            counts = provenance.provenance_counts(name, root=root)
            out.append("- **Rows by source kind:** "
                       + ", ".join(f"{k} {n}" for k, n in counts.items()))
        keys = res["schema"].get("primaryKey")
        if keys:
            out.append("- **Primary key:** " + ", ".join(f"`{k}`" for k in keys))
        for fk in res["schema"].get("foreignKeys", []):
            target = fk["reference"]["resource"] or name
            out.append(f"- **Foreign key:** `{fk['fields']}` → `{target}.{fk['reference']['fields']}`")
        out += ["", "| field | type | required | allowed values | description |",
                "| --- | --- | --- | --- | --- |"]
        for fld in res["schema"]["fields"]:
            cons = fld.get("constraints", {})
            allowed = ", ".join(map(str, cons["enum"])) if "enum" in cons else ""
            if "minimum" in cons or "maximum" in cons:
                allowed = f"{cons.get('minimum', '')} to {cons.get('maximum', '')}"
            req = "yes" if cons.get("required") else ""
            out.append(f"| `{fld['name']}` | {fld['type']} | {req} | {_cell(allowed)} | "
                       f"{_cell(fld.get('description', ''))} |")
        out.append("")
        if "source_kind" in data.columns:
            out += provenance.web_sources_table(data, root)
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# Command line


def main(argv: Sequence[str] | None = None) -> int:
    """Validate the data package; print the problems; return 1 if there are any.

    ``--root DIR`` checks another copy of ``data/``; ``--write-reference PATH`` also writes the
    generated reference page.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m coursekit.data", description=main.__doc__)
    parser.add_argument("--root", help="folder holding datapackage.json (default: data/)")
    parser.add_argument("--write-reference", metavar="PATH",
                        help="write the generated dataset reference page to PATH")
    parser.add_argument("--provenance-report", action="store_true",
                        help="print, for every dataset, its rows by source kind, and exit")
    args = parser.parse_args(argv)
    if args.provenance_report:
        from coursekit.provenance import provenance_report

        print(provenance_report(args.root))
        return 0
    problems = validate(args.root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in the data package", file=sys.stderr)
        return 1
    if args.write_reference:
        write_atomic(Path(args.write_reference), render_reference(args.root))
        print(f"wrote {args.write_reference}")
    counts = ", ".join(f"{n} {len(load(n, root=args.root))}" for n in names(args.root)
                       if n != "boundaries")
    print(f"data package valid ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
