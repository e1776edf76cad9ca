"""Locating a passage in a source: the matching rules and the errors that name what is wrong.

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

Where the full text of a source is not present (an installed package: see
:mod:`coursekit.sources`), the same rules apply to the passages the course quotes; a passage
outside them raises :class:`FullTextNotShipped`, which says where to read the original.
"""

from __future__ import annotations

import difflib
import functools
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from coursekit.errors import CoursekitError

from ._records import _records_from, _seeds_dir
from ._text import KIND_ANCHOR, _Block, _seed


class PassageNotFound(CoursekitError, ValueError):
    """A passage that does not occur verbatim in the seed text of its source."""


class FullTextNotShipped(PassageNotFound):
    """A passage that is not among the quoted passages shipped for a source whose full text the
    package does not carry. In IPython it shows as its message, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                         "„": '"', "‟": '"'})
_SPLIT = re.compile(r"\s+\.\.\.\s+|\s*…\s*")


@functools.lru_cache(maxsize=8192)
def _normalise(text: str) -> tuple[str, array]:
    """Collapse white space and straighten quotes; return the text and, for every character
    of it, its offset in ``text`` (plus a final entry for the end). Remembered per text (the
    offsets packed, 8 bytes each): a quiz resolves a dozen passages, and the course checks
    hundreds, each searching the same paragraphs."""
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
    return "".join(out), array("q", offsets)


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
        return f"{self.source_id}-{KIND_ANCHOR[self.kind]}{self.paragraph}"

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
    return _seed(source_id).blocks


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
                # ratio()'s cheap upper bounds first: a window that cannot beat the best is skipped
                if best is not None and (matcher.real_quick_ratio() <= best[0]
                                         or matcher.quick_ratio() <= best[0]):
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
    complete = _seed(source_id).complete
    if complete:
        msg = (f"passage not found verbatim in source {source_id!r} (seeds/{source_id}.txt): "
               f"{passage!r}")
    else:
        rec = _records_from(_seeds_dir())[source_id]
        msg = (
            f"passage not among the quoted passages of {source_id!r} that coursekit ships: "
            f"{passage!r}\n  The full text of {rec.author_label}, “{rec.title}”, is not shipped "
            f"with the package because it has no open licence; only the passages the course "
            f"quotes are. Read the original: {rec.where_to_read}\n  (In a clone of the course "
            f"repository, seeds/{source_id}.txt holds the full text and every passage is checked.)"
        )
    best = _closest(blocks, needle)
    if best is not None:
        ratio, b, window = best
        what = "closest passage" if complete else "closest shipped passage"
        msg += f"\n  {what} ({_describe(b)}, similarity {ratio:.2f}): {window!r}"
    return (PassageNotFound if complete else FullTextNotShipped)(msg)


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
    return _locate_with_text(source_id, passage)[0]


def _locate_with_text(source_id: str, passage: str) -> tuple[Location, str]:
    """:func:`locate`, and the verbatim text the passage stands for."""
    b, start, end = _match(source_id, passage)
    loc = Location(source_id, b.section, b.paragraph, b.kind, b.offset + start, b.offset + end,
                   b.number)
    return loc, b.text[start:end]


def _match(source_id: str, passage: str) -> tuple[_Block, int, int]:
    """The block holding ``passage`` and the passage's offsets in the block's ``text``."""
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
    return found


def verify_quote(source_id: str, quote: str) -> Location:
    """Check that ``quote`` is verbatim in the source; same as :func:`locate`."""
    return locate(source_id, quote)


