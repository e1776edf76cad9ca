"""Validation of the data package: frictionless for schemas and keys, then declared rules.

:func:`validate` (re-exported as :func:`coursekit.data.validate`) runs frictionless over the
CSV resources, then every rule of :data:`ROW_RULES` on every row of the tables it applies to,
every rule of :data:`TABLE_RULES` on the whole package, and checks the boundaries GeoJSON. A
rule is a small function that yields ``(field, message)`` pairs (row rules) or
:class:`~coursekit._tableschema.Problem` records (table rules); adding a rule means writing one
and listing it. ``python -m coursekit.data`` is :func:`main`.
"""

from __future__ import annotations

import csv
import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from coursekit._resources import write_atomic
from coursekit._tableschema import DataValidationError, Problem, is_date
from coursekit.data import (
    PROVENANCE_PREFIXES,
    UnknownDataset,
    _data_dir,
    _package,
    _resource,
    load,
    names,
)

__all__ = ["ROW_RULES", "TABLE_RULES", "main", "validate"]

_DATE_FIELDS_WITH_PRECISION = ("founded", "dissolved", "start", "end", "opened", "closed", "date",
                               "end_date")
_PERIODS = (("start", "end"), ("founded", "dissolved"), ("opened", "closed"), ("date", "end_date"))

Row = dict[str, str]
Faults = Iterator[tuple[str | None, str]]


@dataclass(frozen=True)
class Tables:
    """Every CSV table of the package as text rows, and each table's primary-key values."""

    rows: dict[str, list[Row]]
    ids: dict[str, set[str]]


def _read_tables(root: Path) -> Tables:
    rows: dict[str, list[Row]] = {}
    ids: dict[str, set[str]] = {}
    for res in _package(root)["resources"]:
        if res.get("format") != "csv":
            continue
        with (root / res["path"]).open(encoding="utf-8", newline="") as fh:
            rows[res["name"]] = list(csv.DictReader(fh))
        key = res["schema"].get("primaryKey", [None])[0]
        ids[res["name"]] = {r.get(key, "") for r in rows[res["name"]]} if key else set()
    return Tables(rows, ids)


# --------------------------------------------------------------------------------------------
# Row rules: (row, tables) -> (field, message) pairs


def date_precision(row: Row, tables: Tables) -> Faults:
    """A date has a precision, and a month or year date is the period's first day."""
    for col in _DATE_FIELDS_WITH_PRECISION:
        value, prec = row.get(col) or "", row.get(f"{col}_precision") or ""
        if col not in row or not value:
            if prec:
                yield f"{col}_precision", f"a precision without a {col} date"
            continue
        if not is_date(value):
            continue  # frictionless reports the type error
        if not prec:
            yield f"{col}_precision", f"a precision (day, month or year) for {col}"
        elif prec == "month" and not value.endswith("-01"):
            yield col, f"the first day of the month for precision 'month'; got {value!r}"
        elif prec == "year" and not value.endswith("-01-01"):
            yield col, f"1 January for precision 'year'; got {value!r}"


def end_after_start(row: Row, tables: Tables) -> Faults:
    """No period ends before it starts."""
    for start, end in _PERIODS:
        if row.get(start) and row.get(end) and row[end] < row[start]:
            yield end, f"a date not before {start} ({row[start]}); got {row[end]!r}"


def value_range(row: Row, tables: Tables) -> Faults:
    """The upper value of a range is not below its value."""
    try:
        if row.get("value_high") and row.get("value") and \
                float(row["value_high"]) < float(row["value"]):
            yield "value_high", f"a number not below value ({row['value']})"
    except ValueError:
        pass  # frictionless reports the type error


def _seed_quote_fault(source_id: str, quote: str, what: str) -> str | None:
    from coursekit import sources

    try:
        sources.locate(source_id, quote)
    except sources.PassageNotFound as exc:
        return f"{what} found verbatim in seeds/{source_id}.txt: " + str(exc).splitlines()[0]
    return None


def _source_fault(pre: str, kind: str, src: str, quote: str, tables: Tables) -> Faults:
    from coursekit import provenance, sources

    if kind == "seed" and src not in sources.SOURCE_IDS:
        yield f"{pre}source", ("one of the seed ids " + ", ".join(sources.SOURCE_IDS)
                               + f"; got {src!r}")
    elif kind == "seed":
        fault = _seed_quote_fault(src, quote, "a quotation")
        if fault:
            yield f"{pre}source_quote", fault
    elif kind == "web":
        fault = provenance.web_source_fault(src, tables.rows.get("source_domains", []))
        if fault:
            yield f"{pre}source", fault


def row_provenance(row: Row, tables: Tables) -> Faults:
    """Every source kind comes with a source and its quotation, which must check out."""
    for pre in PROVENANCE_PREFIXES:
        kind = row.get(f"{pre}source_kind")
        if kind is None:
            continue
        src, quote = row.get(f"{pre}source") or "", row.get(f"{pre}source_quote") or ""
        if not kind:
            if pre and (src or quote):
                yield f"{pre}source_kind", "a source kind where a source is given"
        elif not src or not quote:
            yield (f"{pre}source" if not src else f"{pre}source_quote",
                   "a source and its quoted sentence")
        else:
            yield from _source_fault(pre, kind, src, quote, tables)


def claim_source(row: Row, tables: Tables) -> Faults:
    """A claim names its seed (the same as its source) or is a web figure."""
    if not row.get("source_id"):
        if row.get("source_kind") != "web":
            yield "source_id", "a seed id, or source_kind 'web' for an outside figure"
    elif row.get("source") != row.get("source_id"):
        yield "source", "the same seed id as source_id"


def claim_quote(row: Row, tables: Tables) -> Faults:
    """A claim's phrase is verbatim in its seed and inside its source quotation."""
    from coursekit import sources

    if row.get("source_id") in sources.SOURCE_IDS:
        fault = _seed_quote_fault(row["source_id"], row.get("quote") or "", "a phrase")
        if fault:
            yield "quote", fault
    if (row.get("quote") or "") not in (row.get("source_quote") or ""):
        yield "quote", "a phrase that stands inside source_quote"
    if not row.get("value") and not row.get("date_value"):
        yield "value", "a value or a date_value"


def claim_conflicts(row: Row, tables: Tables) -> Faults:
    """Every ``conflicts_with`` reference (``table:id``) names an existing row."""
    for ref in filter(None, (row.get("conflicts_with") or "").split(";")):
        target, _, rid = ref.partition(":")
        if target not in tables.ids or rid not in tables.ids[target]:
            yield "conflicts_with", f"references to existing rows; {ref!r} does not exist"


def event_sources(row: Row, tables: Tables) -> Faults:
    """An event's ``sources`` are seed ids."""
    from coursekit import sources

    for sid in filter(None, (row.get("sources") or "").split(";")):
        if sid not in sources.SOURCE_IDS:
            yield "sources", f"seed ids ({', '.join(sources.SOURCE_IDS)}); got {sid!r}"


RowRule = Callable[[Row, Tables], Faults]

#: ``(table, rule)``: the rules run on every row of ``table`` (``None``: of every table).
ROW_RULES: tuple[tuple[str | None, RowRule], ...] = (
    (None, date_precision),
    (None, end_after_start),
    (None, value_range),
    (None, row_provenance),
    ("claims", claim_source),
    ("claims", claim_quote),
    ("claims", claim_conflicts),
    ("events", event_sources),
)


# --------------------------------------------------------------------------------------------
# Table rules: (tables, root) -> problems


def non_overlapping_spells(tables: Tables, root: Path) -> Iterator[Problem]:
    """Membership spells of one country in one organisation do not overlap."""
    by_key: dict[tuple[str, str], list[tuple[int, Row]]] = {}
    for i, row in enumerate(tables.rows.get("memberships", []), 1):
        by_key.setdefault((row["org_id"], row["country_iso3"]), []).append((i, row))
    for (org, iso3), spells in by_key.items():
        spells.sort(key=lambda s: s[1]["start"])
        for (_, a), (j, b) in itertools.pairwise(spells):
            if not a["end"] or a["end"] > b["start"]:
                yield Problem("data/memberships.csv", j, "start",
                              f"a spell that begins after the previous {org}/{iso3} "
                              f"spell ends ({a['end'] or 'open'})")


def boundaries_features(tables: Tables, root: Path) -> Iterator[Problem]:
    """The boundaries GeoJSON exists, parses and gives every feature ``iso3`` and ``name``."""
    try:
        res = _resource("boundaries", root)
    except UnknownDataset:
        yield Problem("data/datapackage.json", None, None, "a 'boundaries' resource")
        return
    file = f"data/{res['path']}"
    if not (root / res["path"]).exists():
        yield Problem(file, None, None, "the file to exist (data/scripts/build_boundaries.py)")
        return
    try:
        gj = load("boundaries", root=root)
    except DataValidationError as exc:
        yield Problem(file, None, None, str(exc))
        return
    for i, feat in enumerate(gj.get("features", []), 1):
        props = feat.get("properties") or {}
        for key in ("iso3", "name"):
            if not props.get(key):
                yield Problem(file, i, key, "a feature property " + key)


TableRule = Callable[[Tables, Path], Iterator[Problem]]

#: Rules over the whole package, run after the row rules.
TABLE_RULES: tuple[TableRule, ...] = (non_overlapping_spells, boundaries_features)


# --------------------------------------------------------------------------------------------
# Running them


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
    for task in package.validate().tasks:
        file = f"data/{Path(task.place).name}" if task.place else task.name
        for err in task.errors:
            row = getattr(err, "row_number", None)
            cell = getattr(err, "cell", None)
            got = f"; got {cell!r}" if cell not in (None, "") else ""
            problems.append(Problem(file, row - 1 if row else None,
                                    getattr(err, "field_name", None),
                                    f"{err.title}: {err.note}{got}"))
    return problems


def _row_problems(tables: Tables) -> list[Problem]:
    problems = []
    for name, rows in tables.rows.items():
        rules = [rule for table, rule in ROW_RULES if table in (None, name)]
        for i, row in enumerate(rows, 1):
            for rule in rules:
                problems += [Problem(f"data/{name}.csv", i, field, message)
                             for field, message in rule(row, tables)]
    return problems


def validate(root: Path | str | None = None) -> list[Problem]:
    """Check the data package in ``root`` (default: the course's ``data/``).

    Checks the Table Schemas, primary and foreign keys (with frictionless), then the rules of
    :data:`ROW_RULES` and :data:`TABLE_RULES`: every date agrees with its precision and every
    end follows its start, membership spells of one country in one organisation do not
    overlap, every row names its source, every quotation from a seed occurs verbatim in
    ``seeds/`` (:func:`coursekit.sources.locate`), claims' cross-references exist, and the
    boundaries GeoJSON is sound. Returns the problems found (an empty list when all is well).
    """
    root = _data_dir(root)
    tables = _read_tables(root)
    problems = _frictionless_problems(root) + _row_problems(tables)
    for rule in TABLE_RULES:
        problems += rule(tables, root)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Validate the data package; print the problems; return 1 if there are any.

    ``--root DIR`` checks another copy of ``data/``; ``--write-reference PATH`` also writes the
    generated reference page, ``--write-documents PATH`` the page of primary documents.
    """
    import argparse

    from coursekit._datapage import render_documents, render_reference

    parser = argparse.ArgumentParser(prog="python -m coursekit.data", description=main.__doc__)
    parser.add_argument("--root", help="folder holding datapackage.json (default: data/)")
    parser.add_argument("--write-reference", metavar="PATH",
                        help="write the generated dataset reference page to PATH")
    parser.add_argument("--write-documents", metavar="PATH",
                        help="write the generated page of primary documents to PATH")
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
    if args.write_documents:
        write_atomic(Path(args.write_documents), render_documents(args.root))
        print(f"wrote {args.write_documents}")
    counts = ", ".join(f"{n} {len(load(n, root=args.root))}" for n in names(args.root)
                       if n != "boundaries")
    print(f"data package valid ({counts})")
    return 0


