"""coursekit.sources: records, corpus, verbatim excerpts and the generated source pages."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import coursekit
from coursekit import sources
from coursekit.sources import PassageNotFound, UnknownSource

REPO = Path(__file__).resolve().parent.parent
IDS = ["unsigned-essay", "rashidov-2005", "gusev-2019", "evsikov-shafir-2011",
       "talantbekova-2024"]


# --- records -------------------------------------------------------------------------------


def test_every_record_is_complete() -> None:
    recs = sources.records()
    assert list(recs) == IDS == list(sources.SOURCE_IDS)
    for sid, rec in recs.items():
        assert rec.id == sid
        for name in ("title", "date", "date_precision", "kind", "licence", "raw_file",
                     "introduction", "date_note"):
            assert getattr(rec, name), f"{sid}.{name} is empty"
        assert rec.authors and all(rec.authors)
        assert rec.venue or rec.venue_note, f"{sid} needs a venue or a note saying why not"
        assert rec.date_precision in {"day", "month", "year", "approximate", "after"}
        assert 1990 < rec.year <= 2024
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", rec.introduction) if s]
        assert 2 <= len(sentences) <= 4, sid
        assert rec.kind in {"journal article", "think-tank commentary", "thesis", "essay"}
        assert (REPO.parent / "shared" / "seeds" / rec.raw_file).name == rec.raw_file


def test_record_values_follow_the_texts() -> None:
    assert sources.record("unsigned-essay").authors == ("unknown",)
    assert sources.record("unsigned-essay").author_label == "Unknown author"
    assert sources.record("rashidov-2005").licence.startswith("CC BY")
    assert sources.record("gusev-2019").date == "2019-10-03"
    assert sources.record("gusev-2019").affiliation == "MGIMO"
    assert sources.record("evsikov-shafir-2011").venue is None
    assert sources.record("talantbekova-2024").place == "New York"


def test_unknown_source_lists_valid_ids() -> None:
    with pytest.raises(UnknownSource) as info:
        sources.record("rashidov-2004")
    assert isinstance(info.value, KeyError)
    message = str(info.value)
    assert "'rashidov-2004'" in message
    assert all(sid in message for sid in IDS)
    with pytest.raises(UnknownSource):
        sources.locate("gusev", "anything")


# --- corpus --------------------------------------------------------------------------------


def test_corpus_shape_and_types() -> None:
    df = sources.corpus()
    assert list(df.columns) == ["source_id", "section", "paragraph", "kind", "number", "text"]
    assert df["paragraph"].dtype == "int64"
    assert set(df.kind) == {"body", "footnote", "bibliography"}
    assert set(df.source_id) == set(IDS)
    for (_sid, _kind), group in df.groupby(["source_id", "kind"]):
        assert list(group.paragraph) == list(range(1, len(group) + 1))
    assert df.loc[df.kind != "footnote", "number"].isna().all()
    assert df.loc[df.kind == "footnote", "number"].notna().all()
    assert not df.text.str.startswith("## ").any()
    assert (df.text.str.strip() == df.text).all() and (df.text != "").all()


def test_corpus_counts_match_the_seed_blocks() -> None:
    df = sources.corpus()
    for sid in IDS:
        blocks = (REPO / "seeds" / f"{sid}.txt").read_text(encoding="utf-8")[:-1].split("\n\n")
        rows = df[df.source_id == sid]
        assert len(rows) == sum(1 for b in blocks if not b.startswith("## ")), sid
    notes = df[df.kind == "footnote"]
    assert list(notes[notes.source_id == "rashidov-2005"].number) == [str(i) for i in
                                                                       range(1, 10)]
    assert list(notes[notes.source_id == "evsikov-shafir-2011"].number)[:3] == ["*", "1", "2"]


def test_corpus_is_a_copy() -> None:
    df = sources.corpus()
    df.loc[:, "text"] = "changed"
    assert (sources.corpus().text != "changed").all()


def test_sections_follow_headings() -> None:
    df = sources.corpus()
    row = df[df.text.str.startswith("Moscow has acquired a unique chance")].iloc[0]
    assert (row.source_id, row.section, row.kind) == ("rashidov-2005", "Conclusions", "body")
    first = df[(df.source_id == "evsikov-shafir-2011") & (df.kind == "body")].iloc[0]
    assert first.section == ""
    assert set(df[df.kind == "footnote"].section) == {"Notes"}


def test_footnote_texts_are_not_in_body_paragraphs() -> None:
    df = sources.corpus()
    body = "\n".join(df[df.kind == "body"].text)
    for text in df[df.kind == "footnote"].text:
        if len(text) > 25:  # "Ibid., 54." and the like also occur in the body's prose
            assert text not in body


def test_bibliography_rows() -> None:
    bib = sources.bibliography()
    assert set(bib.source_id) == {"evsikov-shafir-2011", "talantbekova-2024"}
    evsikov = sources.bibliography("evsikov-shafir-2011")
    assert evsikov.text.str.contains("Brzezinski, Zbigniew. The Grand Chessboard").any()


# --- locate --------------------------------------------------------------------------------

PASSAGE = ("Around 90 percent of world's heroin supply originates in Afghanistan, and proximity "
           "to this country plays a central role in the narco-criminalization of Central Asia.")


def test_locate_verbatim_passage() -> None:
    loc = sources.locate("evsikov-shafir-2011", PASSAGE)
    text = sources.corpus().query(
        "source_id == 'evsikov-shafir-2011' and kind == 'body' and paragraph == @loc.paragraph"
    ).text.iloc[0]
    assert text[loc.start : loc.end] == PASSAGE
    assert loc.section == "Security Threats: External and Internal Challenges to Kyrgyz Statehood"
    assert loc.anchor == f"evsikov-shafir-2011-p{loc.paragraph}"


def test_only_whitespace_and_quotes_are_forgiven() -> None:
    # straight quotes and broken lines match typographic quotes and single spaces
    loc = sources.locate("rashidov-2005", 'the notorious paper "SNG: nachalo ili\n  konets istorii"1')
    assert loc.kind == "body"
    sources.locate("gusev-2019", "Russia's foreign policy in Central Asia")
    # but a different dash, a case change or a missing footnote mark do not
    with pytest.raises(PassageNotFound):
        sources.locate("rashidov-2005", "four countries-Russia, Belarus, Kazakhstan, and Ukraine")
    sources.locate("rashidov-2005", "four countries—Russia, Belarus, Kazakhstan, and Ukraine")
    with pytest.raises(PassageNotFound):
        sources.locate("gusev-2019", "russia’s foreign policy in Central Asia")


def test_first_and_last_words_form() -> None:
    ex = sources.excerpt("gusev-2019", "Russia’s foreign policy ... three main goals.")
    assert ex.text == "Russia’s foreign policy in Central Asia has three main goals."
    same = sources.excerpt("gusev-2019", "Russia’s foreign policy … three main goals.")
    assert same.text == ex.text and same.location == ex.location
    # shortest span: the last words are taken at their first occurrence after the first words
    ex = sources.excerpt("gusev-2019", "The first is ... cooperation")
    assert ex.text == "The first is promoting security and military-technical cooperation"
    # both ends must lie in one paragraph
    with pytest.raises(PassageNotFound):
        sources.locate("gusev-2019", "At present, Russia's influence ... three main goals.")


def test_verbatim_passage_with_its_own_ellipsis() -> None:
    quote = ("“the United States and NATO prefer to develop cooperation with the Central Asian "
             "nations ... while ‘not noticing’ counter-proposals")
    ex = sources.excerpt("evsikov-shafir-2011", quote)
    assert ex.text == quote


def test_near_miss_names_the_source_and_the_closest_passage() -> None:
    with pytest.raises(PassageNotFound) as info:
        sources.locate("evsikov-shafir-2011", PASSAGE.replace("heroin supply", "heroine supply"))
    message = str(info.value)
    assert "'evsikov-shafir-2011'" in message
    assert "closest passage" in message and "world's heroin supply originates" in message
    assert "Security Threats: External and Internal" in message
    with pytest.raises(PassageNotFound) as info:
        sources.locate("gusev-2019", "Russia’s foreign policy ... three main gaols.")
    assert "three main goals." in str(info.value)


def test_passage_from_another_source_is_not_found() -> None:
    with pytest.raises(PassageNotFound, match="'gusev-2019'"):
        sources.verify_quote("gusev-2019", PASSAGE)
    with pytest.raises(PassageNotFound):
        sources.locate("gusev-2019", "   ")


def test_footnotes_and_bibliography_can_be_quoted() -> None:
    loc = sources.locate("rashidov-2005", "Presidents Karimov and Putin signed the treaty")
    assert (loc.kind, loc.number, loc.label, loc.anchor) == (
        "footnote", "4", "note 4", "rashidov-2005-fn4")
    loc = sources.locate("talantbekova-2024", "Lo Bobo. 2015.")
    assert loc.kind == "bibliography" and loc.anchor.startswith("talantbekova-2024-b")


# --- excerpts ------------------------------------------------------------------------------


def test_excerpt_renders_attributed_quotation() -> None:
    ex = coursekit.excerpt("rashidov-2005", "Moscow has acquired a unique chance ... Central Asia.",
                           note="Compare Gusev.")
    assert ex.record is sources.record("rashidov-2005")
    html = ex._repr_html_()
    assert html.count("<style>") == 1 and ".ck-excerpt" in html
    assert 'html[data-theme="dark"] .ck-excerpt' in html
    assert re.search(r"<figure class=\"ck-excerpt\"><blockquote[^>]*><p>Moscow has acquired",
                     html)
    assert "<figcaption>— Bakhtier Rashidov (c. 2005)" in html
    assert "section “Conclusions”" in html
    href = f'href="../sources/rashidov-2005.html#rashidov-2005-p{ex.location.paragraph}"'
    assert href in html
    assert "Compare Gusev." in html
    assert html == coursekit.excerpt("rashidov-2005", ex.text, note="Compare Gusev.")._repr_html_()
    assert "id=" not in html  # deterministic, no generated ids
    plain = str(ex)
    assert plain.startswith("“Moscow has acquired") and "Bakhtier Rashidov" in plain
    md = ex.to_markdown()
    assert md == ex._repr_markdown_() and md.startswith("> Moscow has acquired")
    assert f"(../sources/rashidov-2005.html#rashidov-2005-p{ex.location.paragraph})" in md


def test_excerpt_escapes_markup() -> None:
    ex = sources.excerpt("talantbekova-2024", "Russia pays 4.5$ mln annually")
    assert "4.5\\$ mln" in ex.to_markdown()
    ex = sources.excerpt("talantbekova-2024", "Security & Strategic Warfare")
    assert "Security &amp; Strategic Warfare" in ex._repr_html_()


def test_excerpt_is_immutable() -> None:
    ex = sources.excerpt("gusev-2019", "three main goals")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.text = "other"  # type: ignore[misc]


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source_id", IDS)
def test_source_pages_are_up_to_date(source_id: str) -> None:
    page = (REPO / "sources" / f"{source_id}.md").read_text(encoding="utf-8")
    assert page == sources.render_source_page(source_id)
    df = sources.corpus()
    rows = df[df.source_id == source_id]
    labels = re.findall(r"^\(([a-z0-9-]+)\)=$", page, flags=re.M)
    kinds = {"body": "p", "footnote": "fn", "bibliography": "b"}
    expected = [f"source-{source_id}"] + [
        f"{source_id}-{kinds[r.kind]}{r.paragraph}" for r in rows.itertuples()
    ]
    assert labels == expected


def test_index_page_is_up_to_date() -> None:
    index = (REPO / "sources" / "index.md").read_text(encoding="utf-8")
    assert index == sources.render_index_page()
    for sid in IDS:
        assert f"]({sid}.md)" in index


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("4.5$ mln", "4.5\\$ mln"),
        ("*x* _y_ [z] {w} <v> |u| `t`", "\\*x\\* \\_y\\_ \\[z\\] \\{w\\} \\<v> \\|u\\| \\`t\\`"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("Q&A", "Q\\&A"),
        ("see http://a.org/x_y).", "see [http://a.org/x\\_y](<http://a.org/x_y>))."),
        ("at www.da.mod.uk/c", "at [www.da.mod.uk/c](<http://www.da.mod.uk/c>)"),
    ],
)
def test_escape_myst(text: str, markdown: str) -> None:
    assert sources.escape_myst(text) == markdown


def test_write_source_pages(tmp_path: Path) -> None:
    written = sources.write_source_pages(tmp_path)
    assert sorted(p.name for p in written) == sorted([f"{s}.md" for s in IDS] + ["index.md"])
    for path in written:
        assert path.read_bytes() == (REPO / "sources" / path.name).read_bytes()


# --- references.bib ------------------------------------------------------------------------


def _bib():
    from pybtex.database import parse_file
    from pybtex.errors import set_strict_mode

    set_strict_mode(True)
    return parse_file(str(REPO / "references.bib"))


def _plain(text: str) -> str:
    text = text.replace("{", "").replace("}", "").replace("\\&", "&").replace("\\_", "_")
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    return " ".join(text.split()).lower()


def test_references_parse_and_name_their_citing_source() -> None:
    db = _bib()
    assert len(db.entries) >= 70
    for key, entry in db.entries.items():
        assert re.fullmatch(r"[a-z]+(\d{4})?[a-z]*", key), key
        cited_by = entry.fields["citedby"]
        assert cited_by in IDS, key
        note = entry.fields.get("note", "")
        incomplete = "incomplete" in entry.fields.get("keywords", "")
        assert incomplete == note.startswith("incomplete:"), key
        assert f"Cited by {cited_by}." in note, key


def test_references_trace_to_the_citing_text() -> None:
    """Every author surname and the start of every title occur in the text that cites it."""
    db = _bib()
    seeds = {sid: _plain((REPO / "seeds" / f"{sid}.txt").read_text(encoding="utf-8"))
             for sid in IDS}
    for key, entry in db.entries.items():
        text = seeds[entry.fields["citedby"]]
        for person in entry.persons.get("author", []):
            for name in person.last_names:
                assert _plain(name) in text, (key, name)
        title = entry.fields.get("title")
        if title:
            start = " ".join(_plain(title).split()[:4])
            assert start in text, (key, start)
        if "url" in entry.fields:
            assert _plain(entry.fields["url"]) in text, (key, entry.fields["url"])
        assert entry.fields.get("year", "") in text, key


# --- a real build of the generated pages ----------------------------------------------------


@pytest.mark.slow
def test_source_pages_build_without_warnings_and_render_the_seed_text(tmp_path: Path) -> None:
    """Build the source pages and the bibliography in a throwaway book with the book's MyST
    settings (``-W -n``), then compare every anchored paragraph's text with the corpus."""
    import shutil
    import subprocess
    import sys

    import yaml
    from bs4 import BeautifulSoup

    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    book_config = (config.get("sphinx") or {}).get("config") or {}
    book = tmp_path / "book"
    (book / "reference").mkdir(parents=True)
    shutil.copytree(REPO / "sources", book / "sources")
    shutil.copy(REPO / "references.bib", book / "references.bib")
    shutil.copy(REPO / "reference" / "bibliography.md", book / "reference" / "bibliography.md")
    (book / "intro.md").write_text("# Test\n\nThrowaway book.\n", encoding="utf-8")
    keep = {k: book_config[k] for k in ("smartquotes", "bibtex_reference_style")
            if k in book_config}
    (book / "_config.yml").write_text(yaml.safe_dump({
        "title": "Sources test",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "parse": config.get("parse", {}),
        "bibtex_bibfiles": ["references.bib"],
        "sphinx": {"config": {"nitpicky": True, **keep}},
    }), encoding="utf-8")
    (book / "_toc.yml").write_text(yaml.safe_dump({
        "format": "jb-book", "root": "intro",
        "chapters": [{"file": "sources/index",
                      "sections": [{"file": f"sources/{s}"} for s in IDS]},
                     {"file": "reference/bibliography"}],
    }), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run([str(jb), "build", str(book), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html_dir = book / "_build" / "html"
    df = sources.corpus()
    for sid in IDS:
        soup = BeautifulSoup((html_dir / "sources" / f"{sid}.html").read_text(encoding="utf-8"),
                             "html.parser")
        for row in df[df.source_id == sid].itertuples():
            kind = {"body": "p", "footnote": "fn", "bibliography": "b"}[row.kind]
            element = soup.find(id=f"{sid}-{kind}{row.paragraph}")
            assert element is not None, (sid, row.paragraph, row.kind)
            label = {"body": f"¶{row.paragraph} ", "footnote": f"[{row.number}] "}.get(row.kind, "")
            expected = label + row.text
            assert " ".join(element.get_text().split()) == " ".join(expected.split())
