"""The five source texts: their records, a paragraph corpus, verified excerpts and book pages.

The cleaned texts live in ``seeds/<id>.txt`` with their record in ``seeds/records.yml``; both
are written by ``scripts/clean_seeds.py`` from the raw texts (see its docstring for every
cleaning rule). Code reads them through ``coursekit._resources.resource_path("seeds", ...)``.

Seed format
-----------
UTF-8, LF line ends, one *block* per line, blocks separated by exactly one blank line.

* ``## Heading`` -- a section heading of the author's text (the text after ``## ``);
* any other line before ``## Notes`` -- one body paragraph, verbatim (TAB characters separate
  the cells of a table row);
* ``## Notes`` -- reserved marker; each following block is a footnote ``[n] text`` where ``n``
  is the number printed in the source (``*`` for an unnumbered author note);
* ``## Bibliography`` -- reserved marker; each following block is one bibliography entry.

Matching rules of :func:`locate`
--------------------------------
A passage must occur verbatim inside **one** paragraph, footnote or bibliography entry.
Only two differences are forgiven: runs of white space (spaces, TABs, line breaks) count as
one space, and typographic quotes and apostrophes (‘ ’ “ ” „ ‚) equal straight ones (' ").
Dashes, hyphens, ellipses, spelling, case and footnote marks must be as in the seed. A passage
may also be given as ``"first words ... last words"`` (separator `` ... `` or ``…``): it then
stands for the shortest span of one paragraph that starts with the first words and ends with
the last words. A passage that is itself verbatim (the sources contain `` ... `` inside
quotations) is always tried first.

>>> loc = locate("gusev-2019", "Russia’s foreign policy in Central Asia has three main goals.")
>>> (loc.kind, loc.paragraph, loc.anchor)
('body', 2, 'gusev-2019-p2')
>>> excerpt("gusev-2019", "The first is ... military-technical cooperation").text
'The first is promoting security and military-technical cooperation'
"""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from coursekit._resources import resource_path, write_atomic

__all__ = [
    "SOURCE_IDS",
    "Excerpt",
    "Location",
    "PassageNotFound",
    "SeedFormatError",
    "SourceRecord",
    "UnknownSource",
    "bibliography",
    "corpus",
    "escape_myst",
    "excerpt",
    "excerpt_calls",
    "locate",
    "parse_seed",
    "record",
    "records",
    "render_index_page",
    "render_source_page",
    "verify_notebook_excerpts",
    "verify_quote",
    "write_source_pages",
]

SOURCE_IDS: tuple[str, ...] = (
    "unsigned-essay",
    "rashidov-2005",
    "gusev-2019",
    "evsikov-shafir-2011",
    "talantbekova-2024",
)
NOTES_MARKER = "## Notes"
BIBLIOGRAPHY_MARKER = "## Bibliography"
_NOTE_RE = re.compile(r"^\[(?P<n>[^\]\s]+)\] (?P<text>.+)$")
_KIND_ANCHOR = {"body": "p", "footnote": "fn", "bibliography": "b"}
_PRECISIONS = {"day", "month", "year", "approximate", "after"}
_REQUIRED = ("id", "title", "authors", "date", "date_precision", "kind", "licence", "raw_file",
             "introduction")


class UnknownSource(KeyError):
    """A source id that is not one of :data:`SOURCE_IDS`."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class PassageNotFound(ValueError):
    """A passage that does not occur verbatim in the seed text of its source."""


class SeedFormatError(ValueError):
    """A seed file or ``records.yml`` that breaks the documented format."""


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class SourceRecord:
    """The bibliographic record of one source (one entry of ``seeds/records.yml``)."""

    id: str
    title: str
    authors: tuple[str, ...]
    date: str
    date_precision: str
    date_note: str | None
    venue: str | None
    venue_note: str | None
    kind: str
    affiliation: str | None
    place: str | None
    licence: str
    raw_file: str
    introduction: str
    notes: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        """The (first) year of the date: ``2010`` for ``"2010/2011"``."""
        return int(self.date[:4])

    @property
    def author_label(self) -> str:
        """Authors for a caption: ``"Egor Evsikov and Leonid Shafir"``, ``"Unknown author"``.

        >>> record("evsikov-shafir-2011").author_label
        'Egor Evsikov and Leonid Shafir'
        """
        if list(self.authors) == ["unknown"]:
            return "Unknown author"
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]

    @property
    def display_date(self) -> str:
        """The date as readers see it: ``"3 October 2019"``, ``"c. 2005"``, ``"after 2018"``.

        >>> [record(s).display_date for s in SOURCE_IDS]
        ['after 2018', 'c. 2005', '3 October 2019', 'c. 2010–2011', '2024']
        """
        shown = self.date.replace("/", "–")
        if self.date_precision == "day":
            d = date.fromisoformat(self.date)
            return f"{d.day} {d:%B %Y}"
        if self.date_precision == "month":
            return f"{date.fromisoformat(self.date + '-01'):%B %Y}"
        if self.date_precision == "approximate":
            return f"c. {shown}"
        if self.date_precision == "after":
            return f"after {shown}"
        return shown

    @property
    def page(self) -> str:
        """Path of the source's book page, relative to a chapter: ``../sources/<id>.html``."""
        return f"../sources/{self.id}.html"


def _check_record(source_id: str, data: object, path: Path) -> SourceRecord:
    if not isinstance(data, dict):
        raise SeedFormatError(f"{path}: entry {source_id!r} must be a mapping")
    missing = [k for k in _REQUIRED if not data.get(k)]
    if missing:
        raise SeedFormatError(f"{path}: entry {source_id!r} lacks {', '.join(missing)}")
    if data["id"] != source_id:
        raise SeedFormatError(f"{path}: entry {source_id!r} has id {data['id']!r}")
    if data["date_precision"] not in _PRECISIONS:
        raise SeedFormatError(
            f"{path}: {source_id}.date_precision is {data['date_precision']!r}; expected one of "
            f"{', '.join(sorted(_PRECISIONS))}"
        )
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?(/\d{4})?", str(data["date"])):
        raise SeedFormatError(f"{path}: {source_id}.date {data['date']!r} is not ISO-like")
    if data.get("venue") is None and not data.get("venue_note"):
        raise SeedFormatError(f"{path}: {source_id} has no venue and no venue_note saying why")
    known = {f for f in SourceRecord.__dataclass_fields__}
    unknown = set(data) - known
    if unknown:
        raise SeedFormatError(f"{path}: {source_id} has unknown fields {sorted(unknown)}")
    values = dict(data)
    values["authors"] = tuple(values["authors"])
    values["notes"] = tuple(values.get("notes") or ())
    values["date"] = str(values["date"])
    for optional in ("date_note", "venue", "venue_note", "affiliation", "place"):
        values.setdefault(optional, None)
    return SourceRecord(**values)


@functools.lru_cache(maxsize=4)
def _records_from(seeds_dir: Path) -> dict[str, SourceRecord]:
    path = seeds_dir / "records.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or list(data) != list(SOURCE_IDS):
        raise SeedFormatError(f"{path}: expected the entries {', '.join(SOURCE_IDS)} in order")
    return {sid: _check_record(sid, data[sid], path) for sid in SOURCE_IDS}


def _seeds_dir(seeds_dir: Path | str | None = None) -> Path:
    return (Path(seeds_dir) if seeds_dir is not None else resource_path("seeds")).resolve()


def _check_id(source_id: str) -> None:
    if source_id not in SOURCE_IDS:
        raise UnknownSource(
            f"unknown source id {source_id!r}; valid ids: {', '.join(SOURCE_IDS)}"
        )


def records() -> dict[str, SourceRecord]:
    """Return the record of every source, keyed by id (in the order of :data:`SOURCE_IDS`)."""
    return dict(_records_from(_seeds_dir()))


def record(source_id: str) -> SourceRecord:
    """Return the record of one source.

    >>> record("rashidov-2005").place
    'Tashkent, Uzbekistan'
    >>> record("rashidov")
    Traceback (most recent call last):
        ...
    coursekit.sources.UnknownSource: unknown source id 'rashidov'; valid ids: unsigned-essay, \
rashidov-2005, gusev-2019, evsikov-shafir-2011, talantbekova-2024
    """
    _check_id(source_id)
    return _records_from(_seeds_dir())[source_id]


# --------------------------------------------------------------------------------------------
# Seed texts and the corpus


@dataclass(frozen=True)
class _Block:
    source_id: str
    section: str
    paragraph: int
    kind: str
    number: str | None
    text: str


@dataclass(frozen=True)
class _Seed:
    source_id: str
    # document order: ("heading", text) or ("block", _Block)
    items: tuple[tuple[str, object], ...]

    @property
    def blocks(self) -> list[_Block]:
        return [b for kind, b in self.items if kind == "block"]  # type: ignore[misc]


def parse_seed(source_id: str, text: str, path: str = "<seed>") -> _Seed:
    """Parse one seed file (format in the module docstring)."""
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
def _seeds_from(seeds_dir: Path) -> dict[str, _Seed]:
    seeds = {}
    for sid in SOURCE_IDS:
        path = seeds_dir / f"{sid}.txt"
        seeds[sid] = parse_seed(sid, path.read_text(encoding="utf-8"), str(path))
    return seeds


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

    >>> df = corpus()
    >>> df[df.kind == "footnote"].groupby("source_id").size().to_dict()
    {'evsikov-shafir-2011': 55, 'rashidov-2005': 9}
    """
    return _corpus_from(_seeds_dir()).copy()


def bibliography(source_id: str | None = None) -> pd.DataFrame:
    """Return the bibliography entries printed by the sources (all, or one source's).

    Only Evsikov and Shafir and Talantbekova print a bibliography; the works the other
    sources cite in notes or in the text are collected in the book's ``references.bib``.

    >>> bibliography("talantbekova-2024").text.iloc[0][:26]
    'Brown, Vanda-Felbab. 2024.'
    """
    df = corpus()
    df = df[df.kind == "bibliography"]
    if source_id is not None:
        _check_id(source_id)
        df = df[df.source_id == source_id]
    return df[["source_id", "paragraph", "text"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Locating passages

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                         "„": '"', "‟": '"'})
_SPLIT = re.compile(r"\s+\.\.\.\s+|\s*…\s*")


def _normalise(text: str) -> tuple[str, list[int]]:
    """Collapse white space and straighten quotes; return the text and, for every character
    of it, its offset in ``text`` (plus a final entry for the end)."""
    out: list[str] = []
    offsets: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                offsets.append(i)
            in_space = True
            continue
        in_space = False
        out.append(ch.translate(_QUOTES))
        offsets.append(i)
    offsets.append(len(text))
    return "".join(out), offsets


def _norm_passage(passage: str) -> str:
    return _normalise(passage.strip())[0]


@dataclass(frozen=True)
class Location:
    """Where a passage stands: a paragraph (or note, or entry) and character offsets in it."""

    source_id: str
    section: str
    paragraph: int
    kind: str
    start: int
    end: int
    number: str | None = None

    @property
    def anchor(self) -> str:
        """The HTML id of the paragraph on the source's page, e.g. ``rashidov-2005-p12``."""
        return f"{self.source_id}-{_KIND_ANCHOR[self.kind]}{self.paragraph}"

    @property
    def href(self) -> str:
        """Link from a chapter page to the paragraph: ``../sources/<id>.html#<anchor>``."""
        return f"../sources/{self.source_id}.html#{self.anchor}"

    @property
    def label(self) -> str:
        """``"paragraph 12"``, ``"note 3"`` or ``"bibliography entry 5"``."""
        if self.kind == "footnote":
            return f"note {self.number}"
        if self.kind == "bibliography":
            return f"bibliography entry {self.paragraph}"
        return f"paragraph {self.paragraph}"


def _blocks(source_id: str) -> list[_Block]:
    _check_id(source_id)
    return _seeds_from(_seeds_dir())[source_id].blocks


def _find_exact(blocks: Iterable[_Block], needle: str) -> tuple[_Block, int, int] | None:
    for b in blocks:
        norm, offsets = _normalise(b.text)
        i = norm.find(needle)
        if i >= 0:
            return b, offsets[i], offsets[i + len(needle) - 1] + 1
    return None


def _find_span(blocks: Iterable[_Block], first: str, last: str) -> tuple[_Block, int, int] | None:
    for b in blocks:
        norm, offsets = _normalise(b.text)
        best: tuple[int, int] | None = None
        i = norm.find(first)
        while i >= 0:
            j = norm.find(last, i + len(first))
            if j < 0:
                break
            span = (i, j + len(last))
            if best is None or span[1] - span[0] < best[1] - best[0]:
                best = span
            i = norm.find(first, i + 1)
        if best is not None:
            return b, offsets[best[0]], offsets[best[1] - 1] + 1
    return None


def _closest(blocks: list[_Block], needle: str) -> tuple[float, _Block, str] | None:
    """The window of ``blocks`` most similar to ``needle`` (difflib ratio)."""
    words = needle.split()
    if not words or not blocks:
        return None
    wanted = {w.lower() for w in words}
    # 1. the few blocks sharing most words with the needle ...
    scored = sorted(
        blocks,
        key=lambda b: -len(wanted & {w.lower() for w in _normalise(b.text)[0].split()}),
    )[:4]
    best: tuple[float, _Block, str] | None = None
    n = len(words)
    # 2. ... then every window of about the needle's length in them
    for b in scored:
        tokens = list(re.finditer(r"\S+", b.text))
        btext = [t.group(0).translate(_QUOTES) for t in tokens]
        for size in sorted({max(1, n - 1), n, n + 1}):
            for start in range(max(1, len(btext) - size + 1)):
                window = " ".join(btext[start : start + size])
                matcher = difflib.SequenceMatcher(None, needle, window, autojunk=False)
                if best is not None and matcher.real_quick_ratio() <= best[0]:
                    continue
                ratio = matcher.ratio()
                if best is None or ratio > best[0]:
                    stop = tokens[min(start + size, len(tokens)) - 1].end()
                    best = (ratio, b, b.text[tokens[start].start() : stop])
    return best


def _describe(b: _Block) -> str:
    where = f"{b.kind} paragraph {b.paragraph}" if b.kind != "footnote" else f"note {b.number}"
    if b.section and b.kind == "body":
        where += f" (section “{b.section}”)"
    return where


def _not_found(source_id: str, passage: str, needle: str, blocks: list[_Block]) -> PassageNotFound:
    msg = (
        f"passage not found verbatim in source {source_id!r} (seeds/{source_id}.txt): "
        f"{passage!r}"
    )
    best = _closest(blocks, needle)
    if best is not None:
        ratio, b, window = best
        msg += f"\n  closest passage ({_describe(b)}, similarity {ratio:.2f}): {window!r}"
    return PassageNotFound(msg)


def locate(source_id: str, passage: str) -> Location:
    """Return where ``passage`` stands in the seed text of ``source_id``.

    See the module docstring for the matching rules. Raises :class:`UnknownSource` for an
    unknown id and :class:`PassageNotFound` (naming the source and the closest passage) when
    the passage is not in the text.

    >>> locate("rashidov-2005", "Throughout the entire period ... domestic problems").paragraph
    1
    >>> locate("gusev-2019", "Russia's foriegn policy in Central Asia has three main goals")
    Traceback (most recent call last):
        ...
    coursekit.sources.PassageNotFound: passage not found verbatim in source 'gusev-2019' \
(seeds/gusev-2019.txt): "Russia's foriegn policy in Central Asia has three main goals"
      closest passage (body paragraph 2, similarity 0.98): 'Russia’s foreign policy in Central \
Asia has three main goals.'
    """
    blocks = _blocks(source_id)
    if not isinstance(passage, str) or not passage.strip():
        raise PassageNotFound(f"empty passage for source {source_id!r}")
    needle = _norm_passage(passage)
    found = _find_exact(blocks, needle)
    if found is None:
        parts = _SPLIT.split(needle)
        if len(parts) == 2 and all(p.strip() for p in parts):
            first, last = parts[0].strip(), parts[1].strip()
            found = _find_span(blocks, first, last)
            if found is None:
                missing = last if _find_exact(blocks, first) else first
                raise _not_found(source_id, passage, missing, blocks)
        elif len(parts) > 2:
            raise PassageNotFound(
                f"passage for source {source_id!r} has {len(parts) - 1} ' ... ' separators; "
                f"give 'first words ... last words' or the full passage: {passage!r}"
            )
    if found is None:
        raise _not_found(source_id, passage, needle, blocks)
    b, start, end = found
    return Location(source_id, b.section, b.paragraph, b.kind, start, end, b.number)


def verify_quote(source_id: str, quote: str) -> Location:
    """Check that ``quote`` is verbatim in the source; same as :func:`locate`."""
    return locate(source_id, quote)


# --------------------------------------------------------------------------------------------
# Excerpts

_CSS = """\
.ck-excerpt{margin:1.25em 0;padding:.75em 1em;border-left:4px solid #1f5f8b;
background:rgba(31,95,139,.06);color:inherit;border-radius:0 4px 4px 0}
.ck-excerpt blockquote{margin:0;padding:0;border:0;background:none;font-size:1em;color:inherit}
.ck-excerpt blockquote p{margin:0;white-space:pre-wrap}
.ck-excerpt figcaption{margin-top:.6em;font-size:.92em;color:inherit}
.ck-excerpt figcaption a{color:#0b4f7c;text-decoration:underline}
.ck-excerpt .ck-excerpt-note{margin:.5em 0 0;font-size:.92em;font-style:italic}
html[data-theme="dark"] .ck-excerpt{border-left-color:#7fb8e0;background:rgba(127,184,224,.10)}
html[data-theme="dark"] .ck-excerpt figcaption a{color:#9fd0f5}
body[data-jp-theme-light="false"] .ck-excerpt{border-left-color:#7fb8e0}
body[data-jp-theme-light="false"] .ck-excerpt figcaption a{color:#9fd0f5}
"""


@dataclass(frozen=True)
class Excerpt:
    """A verified quotation: the verbatim ``text``, its source ``record`` and ``location``."""

    text: str
    record: SourceRecord
    location: Location
    note: str | None = field(default=None)

    @property
    def citation(self) -> str:
        """``Author (date), “Title”, section “…”, paragraph N``."""
        loc = self.location
        parts = [f"{self.record.author_label} ({self.record.display_date})",
                 f"“{self.record.title}”"]
        if loc.section and loc.kind == "body":
            parts.append(f"section “{loc.section}”")
        parts.append(loc.label)
        return ", ".join(parts)

    def __str__(self) -> str:
        out = f"“{self.text}”\n— {self.citation}"
        if self.note:
            out += f"\n({self.note})"
        return out

    def _repr_html_(self) -> str:
        r, loc = self.record, self.location
        esc = html.escape
        caption = (
            f"— {esc(r.author_label)} ({esc(r.display_date)}), <cite>{esc(r.title)}</cite>"
        )
        if loc.section and loc.kind == "body":
            caption += f", section “{esc(loc.section)}”"
        caption += (
            f', <a href="{esc(loc.href)}">{esc(loc.label)}</a>'
        )
        note = f'<p class="ck-excerpt-note">{esc(self.note)}</p>' if self.note else ""
        return (
            f"<style>{_CSS}</style>"
            f'<figure class="ck-excerpt">'
            f'<blockquote cite="{esc(loc.href)}"><p>{esc(self.text)}</p></blockquote>'
            f"<figcaption>{caption}</figcaption>{note}</figure>"
        )

    def to_markdown(self) -> str:
        """The excerpt as a Markdown block quote with its attribution (MyST-safe)."""
        r, loc = self.record, self.location
        where = f", section “{escape_myst(loc.section)}”" if loc.section and loc.kind == "body" else ""
        lines = [
            f"> {escape_myst(self.text)}",
            ">",
            f"> — {escape_myst(r.author_label)} ({escape_myst(r.display_date)}), "
            f"*{escape_myst(r.title)}*{where}, [{loc.label}]({loc.href})",
        ]
        if self.note:
            lines += [">", f"> {escape_myst(self.note)}"]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def excerpt(source_id: str, passage: str, *, note: str | None = None) -> Excerpt:
    """Return a verified excerpt of ``source_id``; it renders as an attributed quotation.

    ``passage`` is the full text or ``"first words ... last words"``; see :func:`locate`.

    >>> ex = excerpt("evsikov-shafir-2011", "the exclusion of Russia ... nor feasible")
    >>> ex.text
    'the exclusion of Russia from the area is neither desirable nor feasible'
    >>> print(ex)
    “the exclusion of Russia from the area is neither desirable nor feasible”
    — Egor Evsikov and Leonid Shafir (c. 2010–2011), “Joint Security Cooperation or Regional \
Disintegration? Why the West Should Engage Russia in Central Asia”, paragraph 1
    """
    loc = locate(source_id, passage)
    blocks = _blocks(source_id)
    block = next(b for b in blocks if b.kind == loc.kind and b.paragraph == loc.paragraph)
    return Excerpt(block.text[loc.start : loc.end], record(source_id), loc, note)


def excerpt_calls(code: str) -> list[tuple[str, str | None]]:
    """The ``(source_id, passage)`` of every ``excerpt("<id>", "<passage>")`` call in ``code``
    (``passage`` is None when it is not a literal string). Code that does not parse gives [].

    >>> excerpt_calls('ck.excerpt("gusev-2019", "three main goals")\\nx = 1')
    [('gusev-2019', 'three main goals')]
    """
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        if name == "excerpt" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            second = node.args[1] if len(node.args) > 1 else None
            passage = second.value if isinstance(second, ast.Constant) else None
            calls.append((first.value, passage if isinstance(passage, str) else None))
    return calls


def verify_notebook_excerpts(path: Path | str) -> list[str]:
    """Check every literal ``excerpt(...)`` call in a notebook's code cells without running it;
    return one message per problem (cell number, source id and the closest passage)."""
    import json

    path = Path(path)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    problems = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        for source_id, passage in excerpt_calls("".join(cell["source"])):
            if passage is None:
                continue
            try:
                locate(source_id, passage)
            except (PassageNotFound, UnknownSource) as exc:
                problems.append(f"{path.name}, cell {number}: {exc}")
    return problems


# --------------------------------------------------------------------------------------------
# Book pages

_ALWAYS = set("\\`*_[]{}<$|~&")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\]\[]*[^\s<>\]\[.,;:)(\"'”’]")


def escape_myst(text: str) -> str:
    """Return MyST Markdown that renders exactly ``text`` (with web addresses as links).

    Markdown/MyST punctuation that could start markup is backslash-escaped
    (``\\ ` * _ [ ] { } < $ | ~ &``); ``#``, ``+``, ``-``, ``=``, ``>`` and ``:`` at the start,
    and a number followed by ``.`` or ``)`` at the start, are escaped too. A web address
    becomes an explicit link whose text is the address exactly as written (so that linkify
    neither cuts it at an escape nor rewrites it), pointing to the address (``http://`` is
    added to a bare ``www.`` address for the link target only). An address holding ``&``
    stays plain text, because myst-parser 3 would double-escape it in the link target.

    >>> escape_myst("pays 4.5$ mln *and* a_b")
    'pays 4.5\\\\$ mln \\\\*and\\\\* a\\\\_b'
    >>> escape_myst("see <http://x.org/a_b>.")
    'see \\\\<[http://x.org/a\\\\_b](<http://x.org/a_b>)>.'
    >>> escape_myst("# 1. - x"), escape_myst("1. x")
    ('\\\\# 1. - x', '1\\\\. x')
    """
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        url = m.group(0)
        if "&" in url:
            # myst-parser 3 HTML-escapes link targets twice (``&`` -> ``&amp;amp;``): such an
            # address is shown as plain text, with ``:`` and ``.`` escaped so linkify skips it.
            out.append("".join("\\" + ch if ch in ":." else ch for ch in _escape_plain(url)))
        else:
            target = url if url.startswith("http") else f"http://{url}"
            out.append(f"[{_escape_plain(url)}](<{target}>)")
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    result = "".join(out)
    if re.match(r"[#+\-=>:]", result):
        result = "\\" + result
    elif m2 := re.match(r"(\d+)([.)])(\s|$)", result):
        result = m2.group(1) + "\\" + result[len(m2.group(1)) :]
    return result


def _escape_plain(text: str) -> str:
    return "".join("\\" + ch if ch in _ALWAYS else ch for ch in text)


def _table_cell(value: str | None) -> str:
    return escape_myst(value) if value else "—"


def render_source_page(source_id: str, *, seeds_dir: Path | str | None = None) -> str:
    """Return the MyST Markdown page of one source: record, introduction and full text."""
    _check_id(source_id)
    sdir = _seeds_dir(seeds_dir)
    r = _records_from(sdir)[source_id]
    seed = _seeds_from(sdir)[source_id]
    lines = [
        f"% Generated by scripts/clean_seeds.py from seeds/{source_id}.txt and "
        "seeds/records.yml; do not edit.",
        "",
        f"(source-{source_id})=",
        f"# {escape_myst(r.title)}",
        "",
        "## About this source",
        "",
        escape_myst(r.introduction),
        "",
        "| Field | Value |",
        "| --- | --- |",
    ]
    rows = [
        ("Source id", f"`{source_id}`"),
        ("Title", _table_cell(r.title)),
        ("Author(s)", _table_cell(r.author_label)),
        ("Date", _table_cell(r.display_date)),
        ("Basis of the date", _table_cell(r.date_note)),
        ("Kind", _table_cell(r.kind)),
        ("Venue or publisher", _table_cell(r.venue or r.venue_note)),
        ("Affiliation", _table_cell(r.affiliation)),
        ("Place", _table_cell(r.place)),
        ("Licence and reuse", _table_cell(r.licence)),
        ("Raw file", f"`{r.raw_file}`"),
    ]
    if r.venue and r.venue_note:
        rows.insert(7, ("Note on the venue", _table_cell(r.venue_note)))
    lines += [f"| {k} | {v} |" for k, v in rows]
    lines.append("")
    if r.notes:
        lines += ["Notes on the record:", ""]
        lines += [f"- {escape_myst(n)}" for n in r.notes]
        lines.append("")
    lines += [
        "The text below is the cleaned seed text, word for word; every paragraph carries the "
        "number (¶) that excerpts in the chapters cite, and an anchor they link to. Spelling, "
        "dates and facts are the author's: they have not been corrected.",
        "",
        "## Text",
        "",
    ]
    current = None
    for kind, item in seed.items:
        if kind == "heading":
            lines += [f"### {escape_myst(str(item))}", ""]
            continue
        b: _Block = item  # type: ignore[assignment]
        if b.kind != current and b.kind == "footnote":
            lines += ["### Notes", ""]
        elif b.kind != current and b.kind == "bibliography":
            lines += ["### Bibliography", ""]
        current = b.kind
        anchor = f"{source_id}-{_KIND_ANCHOR[b.kind]}{b.paragraph}"
        body = escape_myst(b.text)
        if b.kind == "footnote":
            body = f"\\[{escape_myst(b.number or '')}\\] {body}"
        elif b.kind == "body":
            # The paragraph number that excerpts cite, shown as a label before the text.
            body = f"**¶{b.paragraph}** {body}"
        lines += [f"({anchor})=", body, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_index_page(*, seeds_dir: Path | str | None = None) -> str:
    """Return the MyST page that lists the five sources."""
    recs = _records_from(_seeds_dir(seeds_dir))
    lines = [
        "% Generated by scripts/clean_seeds.py from seeds/records.yml; do not edit.",
        "",
        "(sources-index)=",
        "# The sources",
        "",
        "The course is built from five texts. Each page below gives the source's record, a "
        "short introduction and the full cleaned text, with an anchor on every paragraph.",
        "",
        "| Source | Author(s) | Date | Kind |",
        "| --- | --- | --- | --- |",
    ]
    for sid, r in recs.items():
        lines.append(
            f"| [{escape_myst(r.title)}]({sid}.md) | {escape_myst(r.author_label)} | "
            f"{escape_myst(r.display_date)} | {escape_myst(r.kind)} |"
        )
    return "\n".join(lines) + "\n"


def write_source_pages(out_dir: Path | str, *, seeds_dir: Path | str | None = None) -> list[Path]:
    """Write ``<out_dir>/<id>.md`` for every source and ``<out_dir>/index.md``; return paths."""
    out = Path(out_dir)
    sdir = _seeds_dir(seeds_dir)
    written = []
    for sid in SOURCE_IDS:
        path = out / f"{sid}.md"
        write_atomic(path, render_source_page(sid, seeds_dir=sdir))
        written.append(path)
    index = out / "index.md"
    write_atomic(index, render_index_page(seeds_dir=sdir))
    written.append(index)
    return written
