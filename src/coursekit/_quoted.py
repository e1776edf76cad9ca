"""Build time: collect every quotation the course makes and merge them into ``seeds/quoted.json``.

Quotations come from four places, each checked against the full texts in ``seeds/``:

* chapter notebooks: every literal ``excerpt("<id>", "<passage>")`` call in a code cell;
* datasets: every ``*source_quote`` whose ``*source_kind`` is ``seed`` in the CSV files listed
  by ``data/datapackage.json``, and the ``quote`` of each claim;
* public quiz files (``chapters/quizzes/*.yml``): every mapping with a seed id as ``source``
  and a ``passage`` (excerpts and references);
* ``data/routes.yml``: every route's ``quotes`` and the ``quote`` of its stages and hubs.

Quotations of one paragraph that overlap or touch are merged into one fragment. The result is
data, written by ``python -m coursekit._sourcepages`` (see that module); the package ships it
in place of the full texts that have no open licence.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from coursekit._yaml import safe_load
from coursekit.errors import RunError
from coursekit.sources import SOURCE_IDS, excerpt_calls, full_text_available
from coursekit.sources._locate import _match
from coursekit.sources._text import KIND_ANCHOR, _Block

__all__ = ["Quotation", "collect", "quoted_passages", "render_quoted_json"]

_KIND_ORDER = {kind: i for i, kind in enumerate(KIND_ANCHOR)}
# column prefixes of the provenance triples (source_kind, source, source_quote) in the datasets
_PREFIXES = ("", "end_", "dissolved_", "opened_", "closed_")


@dataclass(frozen=True)
class Quotation:
    """One quotation of a source and where the course makes it (``data/claims.csv#C01``)."""

    source_id: str
    passage: str
    where: str


def _chapters(root: Path) -> Iterator[Quotation]:
    for path in sorted((root / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            for sid, passage in excerpt_calls("".join(cell["source"])):
                if passage is not None:
                    yield Quotation(sid, passage, f"chapters/{path.name}")


def _datasets(root: Path) -> Iterator[Quotation]:
    package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        if not str(res.get("path", "")).endswith(".csv"):
            continue
        with (root / "data" / res["path"]).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                row_id = next(iter(row.values()))
                where = f"data/{res['path']}#{row_id}"
                for pre in _PREFIXES:
                    if row.get(f"{pre}source_kind") == "seed" and row.get(f"{pre}source_quote"):
                        yield Quotation(row[f"{pre}source"], row[f"{pre}source_quote"], where)
                if row.get("source_id") in SOURCE_IDS and row.get("quote"):
                    yield Quotation(row["source_id"], row["quote"], where)


def _walk(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _quizzes(root: Path) -> Iterator[Quotation]:
    for path in sorted((root / "chapters" / "quizzes").glob("*.yml")):
        for node in _walk(safe_load(path.read_text(encoding="utf-8"))):
            source, passage = node.get("source"), node.get("passage")
            if source in SOURCE_IDS and isinstance(passage, str):
                yield Quotation(source, passage, f"chapters/quizzes/{path.name}")


def _routes(root: Path) -> Iterator[Quotation]:
    path = root / "data" / "routes.yml"
    if not path.is_file():
        return
    for route in safe_load(path.read_text(encoding="utf-8"))["routes"]:
        where = f"data/routes.yml#{route['route_id']}"
        quotes = [*route.get("quotes", []), *(s["quote"] for s in route.get("stages", [])),
                  *(h["quote"] for h in route.get("hubs", []))]
        for quote in quotes:
            yield Quotation(route["source_id"], quote, where)


def collect(root: Path) -> list[Quotation]:
    """Every quotation of a source that the course at ``root`` makes, in a fixed order."""
    return [*_chapters(root), *_datasets(root), *_quizzes(root), *_routes(root)]


def quoted_passages(quotations: list[Quotation]) -> dict[str, list[dict]]:
    """Merge the quotations into fragments of the full texts, per source, in document order.

    Every quotation is located exactly in the full seed text; a source whose full text is not
    present (an installed package) is an error, since fragments must come from the full text.
    """
    for sid in SOURCE_IDS:
        if not full_text_available(sid):
            raise RunError(f"the full text of {sid!r} is not present (seeds/{sid}.txt): run "
                               "this in a clone of the course repository")
    spans: dict[tuple[str, str, int], list[tuple[int, int, str]]] = defaultdict(list)
    blocks: dict[tuple[str, str, int], _Block] = {}
    for q in quotations:
        block, start, end = _match(q.source_id, q.passage)  # raises PassageNotFound
        key = (q.source_id, block.kind, block.paragraph)
        spans[key].append((start, end, q.where))
        blocks[key] = block
    out: dict[str, list[dict]] = {sid: [] for sid in SOURCE_IDS}
    for key in sorted(spans, key=lambda k: (k[0], _KIND_ORDER[k[1]], k[2])):
        block = blocks[key]
        merged: list[list] = []
        for start, end, where in sorted(spans[key]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                merged[-1][2].add(where)
            else:
                merged.append([start, end, {where}])
        for start, end, wheres in merged:
            out[key[0]].append({
                "kind": block.kind,
                "paragraph": block.paragraph,
                "number": block.number,
                "section": block.section,
                "start": start,
                "end": end,
                "length": len(block.text),
                "text": block.text[start:end],
                "quoted_in": sorted(wheres),
            })
    return out


def render_quoted_json(root: Path, full_text: dict[str, bool]) -> str:
    """The text of ``seeds/quoted.json`` for the course at ``root``."""
    passages = quoted_passages(collect(root))
    data = {
        "about": "The passages the course quotes from each source, merged per paragraph. Written "
                 "by 'python -m coursekit._sourcepages'; do not edit. The package ships this file "
                 "in place of the full texts that have no open licence.",
        "sources": {sid: {"full_text_shipped": full_text[sid], "passages": passages[sid]}
                    for sid in SOURCE_IDS},
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
