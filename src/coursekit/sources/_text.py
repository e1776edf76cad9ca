"""The texts of the sources: full seed texts where present, else the passages the course quotes.

Seed format (``seeds/<id>.txt``; this is its only description)
---------------------------------------------------------------
UTF-8, LF line ends, one *block* per line, blocks separated by exactly one blank line, the
file ends with one newline.

* ``## Heading`` -- a section heading of the author's text (the text after ``## ``);
* any other line before ``## Notes`` -- one body paragraph, verbatim (TAB characters separate
  the cells of a table row);
* ``## Notes`` -- reserved marker; each following block is a footnote ``[n] text`` where ``n``
  is the number printed in the source (``*`` for an unnumbered author note);
* ``## Bibliography`` -- reserved marker; each following block is one bibliography entry.

Quoted passages (``seeds/quoted.json``)
---------------------------------------
Written by ``python -m coursekit._sourcepages`` from every quotation the course makes; never
edited by hand. For each source it lists the *fragments* of its blocks that are quoted (the
union of overlapping quotations), each with the block's kind, paragraph number, footnote
number, section, character offsets in the block and the verbatim text. The package ships this
file, and the full seed text only of a source whose record says ``full_text_shipped: true``.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._records import SOURCE_IDS, SeedFormatError, _check_id, _records_from, _seeds_dir

NOTES_MARKER = "## Notes"
BIBLIOGRAPHY_MARKER = "## Bibliography"
QUOTED_FILE = "quoted.json"
_NOTE_RE = re.compile(r"^\[(?P<n>[^\]\s]+)\] (?P<text>.+)$")
KIND_ANCHOR = {"body": "p", "footnote": "fn", "bibliography": "b"}


class PartialTextWarning(UserWarning):
    """Some sources are present only as the passages the course quotes (an installed package)."""


@dataclass(frozen=True)
class _Block:
    source_id: str
    section: str
    paragraph: int
    kind: str
    number: str | None
    text: str
    offset: int = 0  # where ``text`` starts in the full block (non-zero for a quoted fragment)

    @property
    def anchor(self) -> str:
        return f"{self.source_id}-{KIND_ANCHOR[self.kind]}{self.paragraph}"


@dataclass(frozen=True)
class _Seed:
    source_id: str
    # document order: ("heading", text) or ("block", _Block)
    items: tuple[tuple[str, object], ...]
    complete: bool = True  # False: only the quoted fragments are known

    @property
    def blocks(self) -> list[_Block]:
        return [b for kind, b in self.items if kind == "block"]  # type: ignore[misc]


def parse_seed(source_id: str, text: str, path: str = "<seed>") -> _Seed:
    """Parse one seed file (format in this module's docstring)."""
    if not text.endswith("\n") or "\n\n\n" in text or "\r" in text:
        raise SeedFormatError(f"{path}: blocks must be separated by one blank line, LF endings")
    lines = text[:-1].split("\n\n")
    items: list[tuple[str, object]] = []
    part, section = "body", ""
    counters = {"body": 0, "footnote": 0, "bibliography": 0}
    line_no = 1
    for line in lines:
        if "\n" in line or not line.strip() or line != line.strip():
            raise SeedFormatError(f"{path}, line {line_no}: a block must be one non-blank line")
        if line == NOTES_MARKER and part == "body":
            part, section = "footnote", "Notes"
        elif line == BIBLIOGRAPHY_MARKER and part in {"body", "footnote"}:
            part, section = "bibliography", "Bibliography"
        elif line.startswith("## "):
            if part != "body":
                raise SeedFormatError(f"{path}, line {line_no}: heading after the notes")
            section = line[3:]
            items.append(("heading", section))
        else:
            number = None
            if part == "footnote":
                m = _NOTE_RE.match(line)
                if m is None:
                    raise SeedFormatError(f"{path}, line {line_no}: expected a note '[n] text'")
                number, line = m.group("n"), m.group("text")
            counters[part] += 1
            items.append(
                ("block", _Block(source_id, section, counters[part], part, number, line))
            )
        line_no += 2
    return _Seed(source_id, tuple(items))


@functools.lru_cache(maxsize=4)
def _quoted_from(seeds_dir: Path) -> dict[str, dict]:
    """The parsed ``quoted.json`` of ``seeds_dir`` ({} when the file is absent)."""
    path = seeds_dir / QUOTED_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise SeedFormatError(f"{path}: expected an object with a 'sources' object")
    return data["sources"]


def _fragments(source_id: str, seeds_dir: Path) -> _Seed:
    path = seeds_dir / QUOTED_FILE
    entry = _quoted_from(seeds_dir).get(source_id)
    if entry is None:
        raise SeedFormatError(
            f"{seeds_dir / (source_id + '.txt')} is missing and {path} holds no passages of "
            f"{source_id!r}: coursekit is installed without this source's text"
        )
    blocks = []
    for i, p in enumerate(entry["passages"]):
        try:
            blocks.append(("block", _Block(source_id, p["section"], int(p["paragraph"]), p["kind"],
                                           p["number"], p["text"], int(p["start"]))))
        except (KeyError, TypeError, ValueError) as exc:
            raise SeedFormatError(f"{path}: {source_id} passage {i}: bad field {exc}") from exc
    return _Seed(source_id, tuple(blocks), complete=False)


@functools.lru_cache(maxsize=4)
def _seeds_from(seeds_dir: Path) -> dict[str, _Seed]:
    seeds = {}
    for sid in SOURCE_IDS:
        path = seeds_dir / f"{sid}.txt"
        if path.is_file():
            seeds[sid] = parse_seed(sid, path.read_text(encoding="utf-8"), str(path))
        else:
            seeds[sid] = _fragments(sid, seeds_dir)
    return seeds


def _seed(source_id: str) -> _Seed:
    _check_id(source_id)
    return _seeds_from(_seeds_dir())[source_id]


def full_text_available(source_id: str) -> bool:
    """Whether the full text of ``source_id`` is present (a clone of the course repository, or
    an openly licensed source), rather than only the passages the course quotes.

    >>> full_text_available("rashidov-2005")
    True
    """
    return _seed(source_id).complete


@functools.lru_cache(maxsize=4)
def _corpus_from(seeds_dir: Path) -> pd.DataFrame:
    rows = [
        {
            "source_id": b.source_id,
            "section": b.section,
            "paragraph": b.paragraph,
            "kind": b.kind,
            "number": b.number,
            "text": b.text,
        }
        for seed in _seeds_from(seeds_dir).values()
        for b in seed.blocks
    ]
    df = pd.DataFrame(rows, columns=["source_id", "section", "paragraph", "kind", "number", "text"])
    df["paragraph"] = df["paragraph"].astype("int64")
    df["number"] = df["number"].astype("string")
    return df


def corpus() -> pd.DataFrame:
    """Return every paragraph, footnote and bibliography entry of the five sources.

    Columns: ``source_id``; ``section`` (the heading above a body paragraph, ``""`` before the
    first heading, ``"Notes"`` for footnotes, ``"Bibliography"`` for entries); ``paragraph``
    (int, 1-based within source and kind); ``kind`` (``body``, ``footnote`` or
    ``bibliography``); ``number`` (the footnote number as printed, a string such as ``"3"``
    or ``"*"``, else ``<NA>``); ``text`` (verbatim). Headings are not rows. The frame is a
    fresh copy on every call.

    In an installed package, a source without an open licence is present only as the passages
    the course quotes (one row per quoted fragment, ``text`` the fragment); the call then warns
    with :class:`PartialTextWarning` naming those sources, and ``df.attrs["partial_sources"]``
    lists them. In a clone of the course repository every text is complete.

    >>> df = corpus()
    >>> df[df.kind == "footnote"].groupby("source_id").size().to_dict()
    {'evsikov-shafir-2011': 55, 'rashidov-2005': 9}
    """
    sdir = _seeds_dir()
    df = _corpus_from(sdir).copy()
    partial = [sid for sid, seed in _seeds_from(sdir).items() if not seed.complete]
    df.attrs["partial_sources"] = partial
    if partial:
        recs = _records_from(sdir)
        where = "; ".join(f"{sid}: {recs[sid].where_to_read}" for sid in partial)
        warnings.warn(
            f"coursekit ships only the quoted passages of {', '.join(partial)} (no open licence), "
            f"so counts over the corpus cover only those passages for them. Read the originals: "
            f"{where}",
            PartialTextWarning,
            stacklevel=2,
        )
    return df


def bibliography(source_id: str | None = None) -> pd.DataFrame:
    """Return the bibliography entries printed by the sources (all, or one source's).

    Only Evsikov and Shafir and Talantbekova print a bibliography; the works the other
    sources cite in notes or in the text are collected in the book's ``references.bib``.

    >>> bibliography("talantbekova-2024").text.iloc[0][:26]
    'Brown, Vanda-Felbab. 2024.'
    """
    if source_id is not None:
        _check_id(source_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PartialTextWarning)
        df = corpus()
    df = df[df.kind == "bibliography"]
    if source_id is not None:
        df = df[df.source_id == source_id]
    return df[["source_id", "paragraph", "text"]].reset_index(drop=True)
