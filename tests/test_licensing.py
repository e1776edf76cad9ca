"""Licences agree everywhere, and the book and the wheel publish no more of a source than its
record allows (``max_published_share`` in ``seeds/records.yml``).

The share of a source that a publication holds is measured on words: the source's text (every
paragraph and note of ``seeds/<id>.txt``; see :data:`MEASURED_KINDS` for why bibliography entries
are left out) is cut into runs of :data:`N` consecutive words; a word counts as published when it
lies in a run that also occurs, word for word, somewhere in the publication. Case, punctuation
and markup are ignored, so a quotation counts however it is rendered, and a run never spans two
paragraphs.

The policy for a source without an open licence (brief quotation only) is
:data:`UNLICENSED_CEILING`: no such source may have more than that share of its words in the
built book or the wheel, whatever its record says; a record may only set a lower ceiling.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import tomllib
import yaml
from _support import coursekit_wheel

from coursekit import sources

REPO = Path(__file__).resolve().parent.parent
N = 8  # words per run: long enough that common phrases ("the Shanghai Cooperation ...") do not count
# Brief quotation: the most of a text without an open licence (full_text_shipped: false) that the
# book or the wheel may carry, whatever max_published_share its record gives. Three tenths of a
# 1,100-word essay is about 330 words; the course quotes single sentences or short runs of them.
UNLICENSED_CEILING = 0.30
# The kinds of block whose words are measured. A source's bibliography entries are left out: they
# are citations of other people's works (author, title, publisher, year), facts about those works
# rather than the source author's prose, and the course's bibliography page (references.bib)
# reproduces them on purpose so that a reader can find the works the sources rely on. Footnotes
# are measured: in these sources they carry the authors' own sentences as well as references.
# A note that is only a reference is measured too, and the bibliography page repeats many of
# them (the page alone holds 7.6% of Evsikov and Shafir's measured words, November 2026): the
# measure errs on the side of counting.
MEASURED_KINDS = ("body", "footnote")
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".pyc",
           ".pdf", ".zip", ".gz"}


# --- measuring ------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case words of ``text``; punctuation, quotes and markup characters fall away."""
    return _WORD.findall(text.casefold())


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        if node and all(isinstance(v, str) for v in node):
            yield "".join(node)  # a notebook cell's source or output: lines of one text
            return
        for value in node:
            yield from _strings(value)


def published_text(name: str, data: bytes) -> str:
    """The readable text of one published file (HTML without tags, JSON's strings)."""
    suffix = Path(name).suffix.lower()
    if suffix in _BINARY:
        return ""
    text = data.decode("utf-8", errors="ignore")
    if suffix in {".json", ".ipynb"}:
        with contextlib.suppress(ValueError):
            text = "\n".join(_strings(json.loads(text)))
    if suffix in {".html", ".htm", ".xml", ".svg", ".js", ".ipynb", ".json"}:
        text = html.unescape(_TAG.sub(" ", text))
    return text


def published_shares(texts: Iterable[str]) -> dict[str, float]:
    """For each source, the share of its words that lie in an N-word run found in ``texts``."""
    df = sources.corpus()
    df = df[df.kind.isin(MEASURED_KINDS)]
    blocks = {sid: [words(t) for t in df[df.source_id == sid].text] for sid in sources.SOURCE_IDS}
    runs = {tuple(ws[i : i + N]) for bs in blocks.values() for ws in bs for i in range(len(ws) - N + 1)}
    first = {run[0] for run in runs}
    found: set[tuple[str, ...]] = set()
    for text in texts:
        ws = words(text)
        for i in range(len(ws) - N + 1):
            if ws[i] in first:
                run = tuple(ws[i : i + N])
                if run in runs:
                    found.add(run)
    shares = {}
    for sid, bs in blocks.items():
        total = covered = 0
        for ws in bs:
            hit = [False] * len(ws)
            for i in range(len(ws) - N + 1):
                if tuple(ws[i : i + N]) in found:
                    hit[i : i + N] = [True] * N
            total += len(ws)
            covered += sum(hit)
        shares[sid] = covered / total
    return shares


def site_texts(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield published_text(path.name, path.read_bytes())


def wheel_texts(wheel: Path) -> Iterator[str]:
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            yield published_text(name, zf.read(name))


def allowed_share(sid: str) -> float:
    """The record's ``max_published_share``, never above :data:`UNLICENSED_CEILING` for a source
    whose full text is not shipped."""
    rec = sources.record(sid)
    return rec.max_published_share if rec.full_text_shipped else min(rec.max_published_share,
                                                                     UNLICENSED_CEILING)


def _check_shares(shares: dict[str, float], where: str) -> None:
    report = ", ".join(f"{sid} {share:.1%}" for sid, share in shares.items())
    print(f"published share in {where}: {report}")
    too_much = {sid: share for sid, share in shares.items() if share > allowed_share(sid)}
    assert not too_much, (
        f"{where} holds more of these sources than allowed (max_published_share, and at most "
        f"{UNLICENSED_CEILING:.0%} of a source without an open licence): "
        + ", ".join(f"{sid} {s:.1%} > {allowed_share(sid):.0%}" for sid, s in too_much.items()))


def test_records_keep_unlicensed_sources_to_brief_quotation() -> None:
    """The policy: a record may lower the ceiling of a source without an open licence, never raise
    it above UNLICENSED_CEILING; an openly licensed source may be published in full."""
    for sid, rec in sources.records().items():
        if rec.full_text_shipped:
            assert rec.max_published_share == 1.0, sid
        else:
            assert 0 < rec.max_published_share <= UNLICENSED_CEILING, (
                f"{sid}: max_published_share {rec.max_published_share} is above the policy "
                f"ceiling {UNLICENSED_CEILING} for a source without an open licence")
    assert allowed_share("gusev-2019") <= UNLICENSED_CEILING
    assert allowed_share("rashidov-2005") == 1.0


def test_the_measure_counts_runs_of_words_not_common_phrases() -> None:
    text = sources.corpus().query("source_id == 'gusev-2019'").text
    whole = "\n".join(text)
    assert published_shares([whole])["gusev-2019"] == 1.0
    # markup, case and typographic quotes do not hide a quotation
    shouted = "<p>" + html.escape(whole.upper()).replace(" ", " <b></b>") + "</p>"
    assert published_shares([published_text("x.html", shouted.encode())])["gusev-2019"] == 1.0
    # the first half of every paragraph is about half of the words
    halves = published_shares(["\n".join(t[: len(t) // 2] for t in text)])["gusev-2019"]
    assert 0.35 < halves < 0.6
    # short phrases and shuffled words are not quotations
    assert published_shares(["Central Asia", " ".join(sorted(words(whole)))])["gusev-2019"] < 0.02
    assert published_shares([])["rashidov-2005"] == 0.0


def test_bibliography_entries_are_not_measured_but_notes_are() -> None:
    corpus = sources.corpus()
    # Talantbekova has a bibliography and no notes: her bibliography published in full counts 0
    tb = corpus.query("source_id == 'talantbekova-2024'")
    assert (tb.kind == "bibliography").sum() > 10 and not (tb.kind == "footnote").any()
    assert published_shares(["\n".join(tb[tb.kind == "bibliography"].text)])[
        "talantbekova-2024"] == 0.0
    df = corpus.query("source_id == 'evsikov-shafir-2011'")
    notes = df[df.kind == "footnote"].text
    # one long note (its author's sentences, not only a reference) counts for its words
    note = max(notes, key=len)
    share = published_shares([note])["evsikov-shafir-2011"]
    measured = sum(len(words(t)) for t in df[df.kind.isin(MEASURED_KINDS)].text)
    assert share == pytest.approx(len(words(note)) / measured)


def test_notebook_json_is_read_as_its_strings() -> None:
    sentence = "Russia’s foreign policy in Central Asia has three main goals."
    nb = json.dumps({"cells": [{"source": [sentence[:30], sentence[30:]]}]}, ensure_ascii=True)
    assert words(sentence) == words(published_text("c.ipynb", nb.encode()))


# --- what is published ------------------------------------------------------------------------


def test_generated_source_pages_stay_within_the_allowed_share() -> None:
    """Fast check on the pages themselves; the built site and the wheel are measured below."""
    pages = [(REPO / "sources" / p.name).read_text(encoding="utf-8")
             for p in sorted((REPO / "sources").glob("*.md"))]
    _check_shares(published_shares(pages), "sources/*.md")
    quoted = (REPO / "seeds" / "quoted.json").read_bytes()
    _check_shares(published_shares([published_text("quoted.json", quoted)]), "seeds/quoted.json")


@pytest.mark.slow
def test_built_site_stays_within_the_allowed_share(built_book: Path) -> None:
    _check_shares(published_shares(site_texts(built_book)), "_build/html")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's coursekit wheel (tests only read it)."""
    return coursekit_wheel(tmp_path_factory)


@pytest.mark.slow
def test_wheel_stays_within_the_allowed_share(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        seeds = sorted(n.removeprefix("coursekit/_seeds/") for n in zf.namelist()
                       if n.startswith("coursekit/_seeds/"))
    full = [f"{sid}.txt" for sid, r in sources.records().items() if r.full_text_shipped]
    assert seeds == sorted(["quoted.json", "records.yml", *full])
    _check_shares(published_shares(wheel_texts(wheel)), wheel.name)


@pytest.mark.slow
def test_wheel_metadata_names_the_licences(wheel: Path) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    with zipfile.ZipFile(wheel) as zf:
        meta = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        names = zf.namelist()
    assert f"License-Expression: {project['license']}" in meta.splitlines()
    for path in project["license-files"]:
        assert f"License-File: {path}" in meta.splitlines()
        assert any(n.endswith(f".dist-info/licenses/{path}") for n in names), path


# --- the licence files agree ---------------------------------------------------------------------


def _spdx() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["license"].split(" AND ")


def _section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end > 0 else None]


def test_licence_files_exist_and_agree_with_the_package_metadata() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert _spdx() == ["MIT", "CC-BY-4.0", "CC0-1.0"]
    assert project["license-files"] == ["LICENSE", "LICENSE-CONTENT.md"]
    mit = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in mit
    content = (REPO / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International licence (CC BY 4.0)" in content
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in content
    assert "[`LICENSE`](LICENSE)" in content
    # the exclusions name every source, and the one published in full with its address
    for sid, rec in sources.records().items():
        surname = rec.authors[0].split()[-1] if rec.authors != ("unknown",) else "unsigned essay"
        assert surname in content, sid
        if rec.full_text_shipped:
            assert rec.title in content and rec.url in content
    # the datasets' own licence is the third term of the expression
    package = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert [lic["name"] for lic in package["licenses"]] == ["CC0-1.0"]


def test_citation_file_agrees() -> None:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["license"] == _spdx()
    assert cff["version"] == project["version"]
    assert cff["repository-code"] == config["repository"]["url"]
    assert cff["title"].startswith(config["title"])
    assert [a["name"] for a in cff["authors"]] == [a["name"] for a in project["authors"]]


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("README.md", lambda: _section(REPO / "README.md", "## Licences")),
        ("intro.md", lambda: _section(REPO / "intro.md", "## Licences")),
        ("footer", lambda: yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
         ["html"]["extra_footer"]),
    ],
)
def test_readme_intro_and_footer_state_the_same_licences(where: str, text) -> None:
    said = " ".join(text().split())
    assert re.search(r"\bMIT\b", said) and "CC BY 4.0" in said, where
    assert "LICENSE-CONTENT.md" in said and "LICENSE" in said.replace("LICENSE-CONTENT", ""), where
    assert "CC0 1.0" in said, where  # the datasets
    open_source = [r for r in sources.records().values() if r.full_text_shipped]
    assert [r.id for r in open_source] == ["rashidov-2005"]
    assert "Rashidov (2005" in said and "passages the course quotes" in said, where
