#!/usr/bin/env python
"""Clean the five raw source texts into ``seeds/<id>.txt``.

Usage::

    python scripts/clean_seeds.py                 # raw: <repo>/../shared/seeds, out: <repo>/seeds
    python scripts/clean_seeds.py --raw DIR --out DIR [--no-pages]

The raw files are never modified. Running the script twice gives byte-identical output; the
tests re-run it into a temporary folder and compare with the committed ``seeds/``. The records
are not written here: ``seeds/records.yml`` is edited by hand (it names each source's raw file)
and checked against its JSON Schema. When the output is the repository's own ``seeds/`` and
``--no-pages`` is not given, ``seeds/quoted.json`` and the book pages ``sources/*.md`` are
regenerated afterwards (``python -m coursekit._sourcepages``).

The seed format is described once, in ``src/coursekit/sources/_text.py``. A table row
(Talantbekova's abbreviation list and literature table) is one paragraph whose cells are
separated by TAB characters; Evsikov and Shafir's unnumbered author note is note ``*``.

Footnote reference marks inside the body (Evsikov's superscripts ``¹``, Rashidov's digits
glued to a word, as in ``Cooperation4``) are part of the text and are kept.

Cleaning rules (each one removes or rewrites only what is not the author's words)
--------------------------------------------------------------------------------
R1  Title, author, affiliation, date and publisher lines go into ``records.yml`` and out of
    the body (all five sources).
R2  Site furniture is cut by slicing the text between two marker lines (``BODY_START_AFTER``
    / ``BODY_END_BEFORE`` below): CyberLeninka's Russian banners and keyword list
    (``Надоели баннеры?``, ``Ключевые слова``, ``Текст научной работы``) and the tail of an
    unrelated article (Morgenthau, Said, "Central Asianism", its notes 13-14) before
    Rashidov's capitalised title; ISPI's navigation menu ("Skip to main content", "Search
    form", menus) and everything after the last paragraph ("Related Contents", "Read more:",
    the list of other articles, tags, "AUTHORS", photo credit, newsletter, footer); the
    CyberLeninka banner after Rashidov's last paragraph.
R3  Talantbekova's table of contents (the ``Table of Contents`` heading and its lines wrapped
    in ``<i>`` tags with page numbers) is navigation, not text: removed.
R4  Markdown/HTML markup from the extraction is removed, its words kept: emphasis
    ``*x*`` / ``**x**`` -> ``x``; links ``[label](target)`` -> ``label`` (Talantbekova's
    missing-image link ``[Figure 1](#)`` keeps the author's caption "Figure 1 - ...", and the
    broken bibliography link line keeps its text); backslash escapes are undone (``\\$`` ->
    ``$``, ``\\(`` -> ``(``): un-escaping, not a word change. Italics are therefore not kept.
    Angle brackets around URLs (``<http://...>``) are kept: they are printed in the source.
R5  Rashidov's letter-spaced heading ``C o n c l u s i o n s`` is written ``Conclusions``
    (typographic letter-spacing, same word).
R6  Spaces at the start and end of a line are removed; spaces inside a line are kept. Every
    non-blank raw line is one block: the unsigned essay's paragraphs are single lines without
    blank lines between them, and a table row (cells separated by TAB) or a list item is one
    line too. Blank lines (the missing figure image) vanish.
R7  Page-break joins: a paragraph cut by a page break (with footnotes printed in between) is
    joined to its continuation. Only the joins listed in ``EXPECTED_JOINS`` are made, and the
    script fails if a body paragraph is left that ends without closing punctuation or starts
    in lower case (unless listed in ``UNFINISHED_OK``), so a new split cannot slip through.
    A join whose first part ends in ``-`` drops that hyphen and adds no space
    ("Turkmeni-" + "stan" -> "Turkmenistan"); other joins add one space. Hyphens inside a
    line (Rashidov's "Rakh-monov", "Sangtu-dinskaia", "RIA Nov-osti") are kept as given: the
    extraction prints them as one token and we do not guess.
R8  Footnotes are taken out of the body and kept, with their numbers, under ``## Notes``:
    Rashidov's notes are blocks starting with the number and a space; Evsikov and Shafir's
    start with superscript digits (or ``*``). The numbers must run 1, 2, 3 ... without gaps.
R9  Bibliography: Talantbekova's list markers ``- `` are removed; a bibliography block that
    is only a URL (or the broken link line) continues the previous entry and is joined to it
    with one space (``EXPECTED_BIB_JOINS``). Talantbekova's heading "Bibliography:" becomes
    the ``## Bibliography`` marker.
R10 Nothing else changes: no spelling, date or fact is corrected, stray characters such as
    the ". " that opens one of Talantbekova's paragraphs stay.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RAW = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "seeds"



def _raw_files() -> dict[str, str]:
    """Source id -> raw file name, from ``seeds/records.yml`` (the one home of that mapping)."""
    records = yaml.safe_load((REPO / "seeds" / "records.yml").read_text(encoding="utf-8"))
    return {sid: rec["raw_file"] for sid, rec in records.items()}


RAW_FILES = _raw_files()

# R1/R2: the body starts after the first line equal to this (stripped) text ...
BODY_START_AFTER = {
    "unsigned-essay": "Russian interests in the region",
    "rashidov-2005": "Independent researcher (Tashkent, Uzbekistan)",
    "gusev-2019": "03 October 2019",
    "evsikov-shafir-2011": "By Egor Evsikov and Leonid Shafir*",
    "talantbekova-2024": "2024",
}
# ... and ends before the first line equal to this one (None: end of file).
BODY_END_BEFORE = {
    "rashidov-2005": "i Надоели баннеры? Вы всегда можете отключить рекламу.",
    "gusev-2019": "Related Contents:",
}

# Lines that must be present before the body start (they go into the record) -- checked so
# that a changed raw file fails loudly instead of silently shifting the cut.
RECORD_LINES = {
    "unsigned-essay": ["Russian interests in the region"],
    "rashidov-2005": [
        "RUSSIA IN CENTRAL ASIA: A SHIFT TO POSITIVE FOREIGN POLICIES",
        "Bakhtier RASHIDOV",
        "Independent researcher (Tashkent, Uzbekistan)",
        "CC BY",
    ],
    "gusev-2019": [
        "Commentary",
        "The Importance of Central Asia for Russia’s Foreign Policy",
        "Leonid Gusev",
        "03 October 2019",
    ],
    "evsikov-shafir-2011": [
        "Joint Security Cooperation or Regional Disintegration? Why the West Should Engage "
        "Russia in Central Asia",
        "By Egor Evsikov and Leonid Shafir*",
    ],
    "talantbekova-2024": [
        "MILITARY STRATEGY OF RUSSIA: WHY IS RUSSIA REASSERTING ITS MILITARY PRESENCE IN "
        "CENTRAL ASIA?",
        "Diana Talantbekova",
        "New York",
        "2024",
    ],
}

# Section headings of each text, exactly as they appear (after R4/R5). Every one must be found.
HEADINGS = {
    "unsigned-essay": [],
    "rashidov-2005": [
        "Evolution of Foreign Policy Ideas",
        "Changing Priorities in Central Asia!?",
        "Russian Policy in Central Asia",
        "Russia’s Foreign Policy Potential in the Region",
        "Conclusions",
    ],
    "gusev-2019": [],
    "evsikov-shafir-2011": [
        "Kyrgyzstan: Historical Overview",
        "Security Threats: External and Internal Challenges to Kyrgyz Statehood",
        "Russia in Central Asia: Moscow's Efforts and Regional Responses",
        "The West in Central Asia: Western Initiatives and Regional Realities",
        "The Kyrgyz Crisis of 2010: The Burst of Violence and Inefficient Security Arrangements",
        "The Future Of Central Asia: Unresolved Challenges And Upcoming Threats",
        "Conclusion: Scenarios for Future Cooperation",
    ],
    "talantbekova-2024": [
        "Abstract:",
        "Acknowledgements:",
        "List of abbreviations:",
        "Introduction",
        "i.1 Introduction",
        "i.2 Aim, Research Question & Hypothesis",
        "Chapter One - Literature Review and Conceptual Framework",
        "1.1. Literature Review",
        "1.2 Conceptual Framework",
        "Chapter Two - Research Methods, Methodology, Main Findings and Analysis",
        "2.1 Research Methods and Methodology",
        "2.2 Main Findings and Analysis",
        "Before",
        "New Start",
        "Discussion",
        "External threats",
        "Security Objectives Changing – military doctrine",
        "Conclusion:",
    ],
}
# The author's heading that opens the bibliography (becomes the ``## Bibliography`` marker).
BIBLIOGRAPHY_HEADING = {
    "evsikov-shafir-2011": "Bibliography",
    "talantbekova-2024": "Bibliography:",
}

# R7: every page-break join, as (end of the first part, start of the continuation).
EXPECTED_JOINS: dict[str, list[tuple[str, str]]] = {
    "unsigned-essay": [],
    "rashidov-2005": [
        ("“independent", "principalities,”"),
        ("something", "which the people"),
        ("another", "important factor"),
        ("threats", "to Central Asia posed"),
    ],
    "gusev-2019": [],
    "evsikov-shafir-2011": [
        ("Turkmeni-", "stan, local"),
        ("Taliban-controlled", "areas of northern"),
        ("migrant workers to", "leave Russia"),
        ("contributed to the June", "2010 unrest"),
        ("in the Kremlin's", "quest for"),
        ("Uzbekistan", "approached security"),
        ("for Central Asian", "security.³⁴"),
        ("Shanghai Cooperation", "Organization (SCO)"),
        ("independence of Sou-", "th Ossetia"),
        ("terrorism.⁴⁹ There", "is a growing"),
        ("However, a continu-", "ed insistence"),
        ("Tajikistan, and", "Kazakhstan are all"),
    ],
    "talantbekova-2024": [
        ("Central Asia, many", "local and Western"),
        ("Russia has military", "facilities in"),
        ("Russia somehow", "“allowed”"),
        ("camps of scholars", "who have different"),
        ("Time-series data enabled a", "researcher to examine"),
        ("(Bobo Lo", "2015, 7-8)"),
        ("(PARP), which aims", "to help identify"),
        ("was copied", "from the U.S."),
        ("has weight in", "the region."),
        ("fit to serve", "their homeland"),
    ],
}
# Body paragraphs that legitimately end without closing punctuation (captions, table rows,
# a letter's closing) or start in lower case; compared by their full text.
UNFINISHED_OK = {
    "talantbekova-2024": {
        "Sincerely,",
        "Diana Talantbekova",
        "CSTO\tCollective Security Treaty Organization",
        "SCO\tShanghai Cooperation Organization",
        "OEF\tOperation Enduring Freedom",
        "NATO\tThe North Atlantic Treaty Organization",
        "C5+1\tDiplomatic Summit",
        "Figure 1 - Russian military installations in Central Asia",
        "Российские военные объекты в Центральной Азии",
        "Figure 2 - Literature Review Table",
        "Growing Interest of the United States in the region\tMatthew Stein, 2023 Munduzbek "
        "Kalykov, 2023",
        "Active Presence of China in Central Asia\tRichard Hoagland & Michael Repass, Nicole "
        "Wolkov 2021",
        "Strategic Historical Ties between Russia and Central Asia\tYurii, Poita, 2020. "
        "Szalkai, Kinga, 2020",
    },
}
# R9: bibliography continuation blocks, by the start of the entry they are appended to.
EXPECTED_BIB_JOINS = {
    "evsikov-shafir-2011": [],
    "talantbekova-2024": ["Hill, Fiona.", "Osisanya, Segun.", "Poita, Yurii.", "Stein, Matthew."],
}

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FOOTNOTE_RE = {
    "rashidov-2005": re.compile(r"^(?P<n>\d{1,2}) (?P<text>\S.*)$"),
    "evsikov-shafir-2011": re.compile(r"^(?P<n>[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\*) (?P<text>\S.*)$"),
}
# closing punctuation, then optional closing quotes/brackets, then optional note marks
_FINISHED = re.compile(r"[.!?:;…][\"”’')\]]*[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]*$")
_LINK = re.compile(r"\[(?P<label>(?:\\.|[^\]\\\n])+)\]\((?P<target>(?:[^()\s]|\([^()\s]*\))*)\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPH = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$<>|])")
_LETTERSPACED = re.compile(r"^(?:\w ){3,}\w$")


class CleaningError(ValueError):
    """A raw file does not look as the cleaning rules expect."""


@dataclass
class Cleaned:
    """The cleaned text of one source."""

    source_id: str
    body: list[tuple[str, str]] = field(default_factory=list)  # ("heading"|"para", text)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (number, text)
    bibliography: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)  # log of R7/R9 joins
    bib_joins: list[str] = field(default_factory=list)  # entries that received a URL line

    def to_text(self) -> str:
        blocks = [f"## {t}" if kind == "heading" else t for kind, t in self.body]
        if self.notes:
            blocks.append("## Notes")
            blocks += [f"[{n}] {t}" for n, t in self.notes]
        if self.bibliography:
            blocks.append("## Bibliography")
            blocks += self.bibliography
        return "\n\n".join(blocks) + "\n"


def strip_markup(text: str) -> str:
    """Apply rule R4 to one block.

    >>> strip_markup(r"*Parameters* (Spring 2008) pays 4.5\\$ mln, [Figure 1](#) - x")
    'Parameters (Spring 2008) pays 4.5$ mln, Figure 1 - x'
    """
    text = _LINK.sub(lambda m: m.group("label"), text)
    text = _STRONG.sub(r"\1", text)
    text = _EMPH.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", text)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group non-blank lines into blocks of consecutive lines (R6)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _slice_body(source_id: str, lines: list[str], raw_name: str) -> list[str]:
    stripped = [line.strip() for line in lines]
    for needed in RECORD_LINES[source_id]:
        if needed not in stripped:
            raise CleaningError(f"{raw_name}: expected a line {needed!r} (record field)")
    start_marker = BODY_START_AFTER[source_id]
    start = stripped.index(start_marker) + 1
    end_marker = BODY_END_BEFORE.get(source_id)
    end = len(lines)
    if end_marker is not None:
        if end_marker not in stripped[start:]:
            raise CleaningError(f"{raw_name}: expected the end marker line {end_marker!r}")
        end = stripped.index(end_marker, start)
    return lines[start:end]


def _is_toc(block: list[str]) -> bool:
    return all("<i>" in line for line in block)


def clean_text(source_id: str, raw: str, raw_name: str = "<raw>") -> Cleaned:
    """Clean one raw text (see the module docstring for the rules)."""
    if source_id not in RAW_FILES:
        raise CleaningError(f"unknown source id {source_id!r}")
    lines = raw.splitlines()
    body_lines = _slice_body(source_id, lines, raw_name)
    headings = set(HEADINGS[source_id])
    bib_heading = BIBLIOGRAPHY_HEADING.get(source_id)
    footnote_re = FOOTNOTE_RE.get(source_id)
    out = Cleaned(source_id)

    # items: ("heading"|"para"|"note"|"bib", text, number)
    items: list[tuple[str, str, str]] = []
    in_bib = False
    for block in _blocks(body_lines):
        if _is_toc(block):  # R3
            continue
        for text in (strip_markup(line) for line in block):  # R6: one line, one block
            if text == "Table of Contents":  # R3
                continue
            if _LETTERSPACED.match(text):  # R5
                text = text.replace(" ", "")
            if bib_heading is not None and text == bib_heading:
                in_bib = True
                continue
            if in_bib:
                items.append(("bib", text, ""))
            elif text in headings:
                items.append(("heading", text, ""))
            elif footnote_re is not None and (m := footnote_re.match(text)):
                items.append(("note", m.group("text"), m.group("n").translate(SUPERSCRIPTS)))
            else:
                items.append(("para", text, ""))

    found = [t for kind, t, _ in items if kind == "heading"]
    missing = [h for h in HEADINGS[source_id] if h not in found]
    if missing:
        raise CleaningError(f"{raw_name}: headings not found: {missing}")
    if bib_heading is not None and not in_bib:
        raise CleaningError(f"{raw_name}: bibliography heading {bib_heading!r} not found")

    # R7: page-break joins
    expected = list(EXPECTED_JOINS[source_id])
    body: list[list[str]] = []  # [kind, text]
    pending: int | None = None  # index in body of a paragraph waiting for its continuation
    for kind, text, number in items:
        if kind == "note":
            out.notes.append((number, text))
            continue
        if kind == "bib":
            if text.startswith(("<http", "http", "asia/#")):
                if not out.bibliography:
                    raise CleaningError(f"{raw_name}: bibliography starts with a URL line")
                out.joins.append(f"bibliography: {out.bibliography[-1][:30]!r} + {text[:30]!r}")
                out.bib_joins.append(out.bibliography[-1])
                out.bibliography[-1] = f"{out.bibliography[-1]} {text}"
                continue
            if text.startswith("- "):
                text = text[2:]
            out.bibliography.append(text)
            continue
        if pending is not None and kind == "para":
            head = body[pending][1]
            match = next(
                (j for j in expected if head.endswith(j[0]) and text.startswith(j[1])), None
            )
            if match is not None:
                expected.remove(match)
                sep = "" if head.endswith("-") else " "
                joined = (head[:-1] if head.endswith("-") else head) + sep + text
                out.joins.append(f"{match[0]!r} + {match[1]!r}")
                body[pending][1] = joined
                pending = None
                continue
        body.append([kind, text])
        pending = len(body) - 1 if kind == "para" else None
        if kind == "para" and not any(body[pending][1].endswith(j[0]) for j in expected):
            pending = None
    if expected:
        raise CleaningError(f"{raw_name}: page-break joins not found: {expected}")

    ok = UNFINISHED_OK.get(source_id, set())
    for kind, text in body:
        if kind != "para" or text in ok:
            continue
        if not _FINISHED.search(text):
            raise CleaningError(
                f"{raw_name}: paragraph ends without closing punctuation (page break not "
                f"listed in EXPECTED_JOINS?): ...{text[-60:]!r}"
            )
        if text[:1].islower():
            raise CleaningError(f"{raw_name}: paragraph starts in lower case: {text[:60]!r}...")
    out.body = [(kind, text) for kind, text in body]

    # R8: note numbers run 1, 2, 3 ... ("*" allowed first)
    numbers = [n for n, _ in out.notes if n != "*"]
    if numbers != [str(i) for i in range(1, len(numbers) + 1)]:
        raise CleaningError(f"{raw_name}: footnote numbers are not 1..n: {numbers}")
    bib_expected = EXPECTED_BIB_JOINS.get(source_id, [])
    got = out.bib_joins
    if len(got) != len(bib_expected) or not all(
        g.startswith(e) for g, e in zip(got, bib_expected, strict=True)
    ):
        raise CleaningError(f"{raw_name}: bibliography joins {got} differ from {bib_expected}")
    for kind, text in out.body:
        if kind == "para" and (text.startswith("## ") or text.startswith("[")):
            raise CleaningError(f"{raw_name}: paragraph clashes with the seed format: {text[:40]}")
        if kind == "heading" and text in {"Notes", "Bibliography"}:
            raise CleaningError(f"{raw_name}: heading {text!r} clashes with a reserved marker")
    return out


# --------------------------------------------------------------------------------------------
# The record (R1). Facts come from the raw texts and the seeds README only.
def run(raw_dir: Path, out_dir: Path, pages: bool = True, verbose: bool = True) -> None:
    """Clean every raw file from ``raw_dir`` into ``out_dir``; regenerate the quoted passages
    and the source pages when ``out_dir`` is the repository's ``seeds/`` and ``pages``."""
    sys.path.insert(0, str(REPO / "src"))
    from coursekit._resources import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    for source_id, raw_file in RAW_FILES.items():
        path = raw_dir / raw_file
        if not path.is_file():
            raise CleaningError(f"raw file not found: {path}")
        cleaned = clean_text(source_id, path.read_text(encoding="utf-8"), str(path))
        write_atomic(out_dir / f"{source_id}.txt", cleaned.to_text())
        if verbose:
            paras = sum(1 for kind, _ in cleaned.body if kind == "para")
            print(
                f"{source_id}: {paras} paragraphs, {len(cleaned.notes)} notes, "
                f"{len(cleaned.bibliography)} bibliography entries"
            )
            for join in cleaned.joins:
                print(f"    joined {join}")
    if pages and out_dir.resolve() == DEFAULT_OUT.resolve():
        from coursekit._sourcepages import main as write_pages

        if write_pages(["--root", str(REPO)]):
            raise CleaningError("could not regenerate seeds/quoted.json and sources/*.md")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="folder of raw texts")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output seeds folder")
    parser.add_argument("--no-pages", action="store_true",
                        help="do not regenerate seeds/quoted.json and sources/*.md")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        run(args.raw, args.out, not args.no_pages, verbose=not args.quiet)
    except CleaningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
