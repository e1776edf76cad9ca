"""Provenance of the datasets' web sources: which kind of source each cited domain is.

``data/source_domains.csv`` (the ``source_domains`` resource) registers every web domain the
datasets cite, with its kind (official, agency, scholarly, press, reference-mirror) and whether
it is denied (content farms, proxies, scraped mirrors). :func:`coursekit.data.validate` rejects
a web source whose domain is unregistered or denied (:func:`web_source_fault`, the one home of
that rule); :func:`source_kind` looks a citation up; :func:`provenance_counts` and
``python -m coursekit.data --provenance-report`` count a dataset's rows by source kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from coursekit._datapage import cell
from coursekit.data import PROVENANCE_PREFIXES, UnknownValue, load, names
from coursekit.errors import InputError

__all__ = ["domain_of", "provenance_counts", "provenance_report", "source_kind",
           "web_source_fault", "web_sources_table"]

_WEB_SOURCE_RE = re.compile(r"<(https?://[^>\s]+)>$")


def domain_of(source: str) -> str | None:
    """Host of the ``<address>`` that ends a web source, lower case, without ``www.``/port."""
    match = _WEB_SOURCE_RE.search(source.strip())
    if not match:
        return None
    host = (urlsplit(match.group(1)).hostname or "").lower()
    return host.removeprefix("www.") or None


def _lookup_domain(host: str, registry: Sequence[dict[str, str]]) -> dict[str, str] | None:
    """The registry row for ``host`` or, failing that, for its nearest registered parent."""
    by_domain = {row["domain"]: row for row in registry}
    labels = host.split(".")
    for i in range(len(labels) - 1):
        row = by_domain.get(".".join(labels[i:]))
        if row is not None:
            return row
    return None


def web_source_fault(source: str, registry: Sequence[dict[str, str]]) -> str | None:
    """Why a web source is not acceptable (``None`` if it is): the one home of that rule."""
    host = domain_of(source)
    if host is None:
        return "a page title followed by its <http(s)://address>"
    row = _lookup_domain(host, registry)
    if row is None:
        return (f"a web source whose domain is registered in data/source_domains.csv; "
                f"{host!r} is not")
    if row["denied"].strip().lower() == "true":
        return (f"a source from a domain that is not denied; {row['domain']!r} is denied in "
                f"data/source_domains.csv ({row['note'] or row['publisher']})")
    return None


def source_kind(source: str, *, root: Path | str | None = None) -> str:
    """The kind (official, agency, scholarly, press, reference-mirror) of a web source, looked
    up by the domain of the ``<address>`` that ends it in ``data/source_domains.csv``.

    >>> source_kind("CIS: Turkmenistan Reduces Ties — RFE/RL <https://www.rferl.org/a/1.html>")
    'agency'

    Raises :class:`~coursekit.errors.InputError` (a ``ValueError``) for text without a
    trailing address and :class:`UnknownValue` for a domain that is not registered.
    """
    host = domain_of(source)
    if host is None:
        raise InputError(f"expected a page title followed by its <http(s)://address>; "
                         f"got {source!r}")
    registry = load("source_domains", root=root).to_dict("records")
    row = _lookup_domain(host, registry)
    if row is None:
        raise UnknownValue(f"domain {host!r} is not registered in data/source_domains.csv")
    return str(row["kind"])


def provenance_counts(name: str, *, root: Path | str | None = None) -> dict[str, int]:
    """How many rows of a dataset rest on each kind of source: ``seed``, ``dataset``, or the
    kind of a web source's domain (``unregistered`` if it is not in the registry). Only the
    main ``source_kind``/``source`` of each row counts (not end or closing dates).

    >>> sum(provenance_counts("memberships").values()) == len(load("memberships"))
    True
    """
    frame = load(name, root=root)
    if "source_kind" not in getattr(frame, "columns", ()):
        raise UnknownValue(f"dataset {name!r} has no source_kind column")
    registry = load("source_domains", root=root).to_dict("records")
    counts: dict[str, int] = {}
    for kind, src in zip(frame["source_kind"].astype(str), frame["source"], strict=True):
        if kind == "web":
            host = domain_of(str(src))
            row = _lookup_domain(host, registry) if host else None
            kind = str(row["kind"]) if row else "unregistered"
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def provenance_report(root: Path | str | None = None) -> str:
    """A plain-text table: for every dataset with provenance, rows by source kind and share."""
    lines = []
    for name in names(root):
        try:
            counts = provenance_counts(name, root=root)
        except UnknownValue:
            continue
        total = sum(counts.values())
        parts = ", ".join(f"{k} {n} ({100 * n / total:.0f}%)" for k, n in counts.items())
        lines.append(f"{name} ({total} rows): {parts}")
    return "\n".join(lines)


def web_sources_table(data: pd.DataFrame, root: Path | str | None) -> list[str]:
    """Markdown table of the distinct web sources a dataset cites, with each one's kind."""
    cols = [p + "source" for p in PROVENANCE_PREFIXES if p + "source_kind" in data.columns]
    used: dict[str, int] = {}
    for col in cols:
        web = data[data[col.removesuffix("source") + "source_kind"].astype(str) == "web"]
        for src in web[col]:
            used[str(src)] = used.get(str(src), 0) + 1
    if not used:
        return []
    out = ["Web sources cited, with the kind of each (from `source_domains`):", "",
           "| web source | kind | citations |", "| --- | --- | --- |"]
    for src, n in sorted(used.items()):
        try:
            kind = source_kind(src, root=root)
        except (ValueError, UnknownValue):
            kind = "unregistered"
        out.append(f"| {cell(src)} | {kind} | {n} |")
    return [*out, ""]
