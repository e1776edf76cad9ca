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
RAW = REPO.parent / "shared" / "seeds"
IDS = ["unsigned-essay", "rashidov-2005", "gusev-2019", "evsikov-shafir-2011",
       "talantbekova-2024"]


# --- records -------------------------------------------------------------------------------


def test_every_record_is_complete() -> None:
    recs = sources.records()
    assert list(recs) == IDS == list(sources.SOURCE_IDS)
    for sid, rec in recs.items():
        assert rec.id == sid
        for name in ("title", "date", "date_precision", "kind", "licence", "raw_file",
                     "introduction", "date_note", "reading_note"):
            assert getattr(rec, name), f"{sid}.{name} is empty"
        assert rec.authors and all(rec.authors)
        assert rec.venue or rec.venue_note, f"{sid} needs a venue or a note saying why not"
        assert rec.url or rec.url_note, f"{sid} needs an address or a note saying why not"
        assert rec.where_to_read in {rec.url, rec.url_note}
        # only an openly licensed source is published in full
        assert rec.full_text_shipped == (rec.max_published_share == 1.0)
        assert rec.full_text_shipped == rec.licence.startswith("CC BY")
        assert rec.date_precision in {"day", "month", "year", "approximate", "after"}
        assert 1990 < rec.year <= 2024
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", rec.introduction) if s]
        assert 2 <= len(sentences) <= 4, sid
        assert rec.kind in {"journal article", "think-tank commentary", "thesis", "essay"}
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", rec.raw_file), sid


@pytest.mark.skipif(not RAW.is_dir(), reason="raw texts not available")
def test_every_record_names_an_existing_raw_file() -> None:
    for sid, rec in sources.records().items():
        assert (RAW / rec.raw_file).is_file(), f"{sid}: {rec.raw_file} is not in {RAW}"


def test_record_values_follow_the_texts() -> None:
    assert sources.record("unsigned-essay").authors == ("unknown",)
    assert sources.record("unsigned-essay").author_label == "Unknown author"
    assert sources.record("rashidov-2005").licence.startswith("CC BY")
    assert sources.record("gusev-2019").date == "2019-10-03"
    assert sources.record("gusev-2019").affiliation == "MGIMO"
    assert sources.record("evsikov-shafir-2011").venue is None
    assert sources.record("talantbekova-2024").place == "New York"
    assert sources.record("rashidov-2005").url == (
        "https://cyberleninka.ru/article/n/russia-in-central-asia-a-shift-to-positive-foreign-policies")
    assert [sid for sid, r in sources.records().items() if r.full_text_shipped] == ["rashidov-2005"]
    # the capstone's page says plainly what kind of work it is
    note = sources.record("talantbekova-2024").reading_note
    assert "student work" in note and "MA capstone project" in note


def _write_records(tmp_path: Path, change) -> Path:
    import yaml

    data = yaml.safe_load((REPO / "seeds" / "records.yml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "records.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["gusev-2019"].pop("licence"), r"'gusev-2019', field \(entry\): 'licence' is"),
        (lambda d: d["gusev-2019"].update(url="ispi"), r"'gusev-2019', field url: 'ispi'"),
        (lambda d: d["gusev-2019"].update(url=None, url_note=None), r"'gusev-2019', field url_note"),
        (lambda d: d["gusev-2019"].update(max_published_share=1.0),
         r"'gusev-2019', field max_published_share: 1.0 is greater than or equal to the maximum of 1"),
        (lambda d: d["rashidov-2005"].update(max_published_share=0.2),
         r"'rashidov-2005', field max_published_share: 1 was expected"),
        (lambda d: d["gusev-2019"].update(extra="x"), r"Additional properties"),
        (lambda d: d["gusev-2019"].update(id="gusev"), r"field id: expected 'gusev-2019'"),
    ],
)
def test_bad_records_name_the_file_entry_and_field(tmp_path: Path, change, message: str) -> None:
    from coursekit.sources._records import _records_from

    folder = _write_records(tmp_path, change)
    with pytest.raises(sources.SeedFormatError, match=message) as info:
        _records_from(folder.resolve())
    assert str(folder / "records.yml") in str(info.value)


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


# --- pages and the shipped passages ---------------------------------------------------------


def _quoted() -> dict:
    import json

    return json.loads((REPO / "seeds" / "quoted.json").read_text(encoding="utf-8"))["sources"]


def test_generated_passages_and_pages_are_up_to_date() -> None:
    """seeds/quoted.json and sources/*.md are what the generator writes now: a changed
    quotation in a chapter, quiz, dataset or route fails here until they are regenerated."""
    from coursekit._sourcepages import generated_files

    files = generated_files(REPO)
    assert sorted(p.relative_to(REPO).as_posix() for p in files) == sorted(
        ["seeds/quoted.json", "sources/index.md", *[f"sources/{s}.md" for s in IDS]])
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(REPO)} is stale: run .venv/bin/python -m coursekit._sourcepages")


def test_stale_passages_are_detected(tmp_path: Path) -> None:
    import shutil

    from coursekit._sourcepages import main

    for folder in ("chapters", "data", "seeds", "sources", "reference"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    assert main(["--check", "--root", str(tmp_path)]) == 0  # current before the planted change
    claims = tmp_path / "data" / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("the number of drug users in Russia is 1.7 million",
                                   "the number of drug users in Russia is 1.7 million,", 1),
                      encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--check", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "seeds" / "quoted.json").read_bytes() != (REPO / "seeds" / "quoted.json"
                                                                 ).read_bytes()


def test_every_quotation_of_the_course_is_in_the_shipped_passages() -> None:
    from coursekit._quoted import collect

    quotations = collect(REPO)
    kinds = {q.where.split("/")[0] + "/" + q.where.split("/")[1].split("#")[0].split(".")[-1]
             for q in quotations}
    assert {"chapters/ipynb", "chapters/quizzes", "data/csv", "data/yml"} <= kinds
    quoted = _quoted()
    for q in quotations:
        loc = sources.locate(q.source_id, q.passage)
        frags = [p for p in quoted[q.source_id]["passages"]
                 if (p["kind"], p["paragraph"]) == (loc.kind, loc.paragraph)
                 and p["start"] <= loc.start and loc.end <= p["end"]]
        assert len(frags) == 1 and q.where in frags[0]["quoted_in"], q


@pytest.mark.parametrize("source_id", IDS)
def test_source_pages_carry_full_text_only_when_licensed(source_id: str) -> None:
    page = (REPO / "sources" / f"{source_id}.md").read_text(encoding="utf-8")
    rec = sources.record(source_id)
    df = sources.corpus()
    rows = df[df.source_id == source_id]
    labels = re.findall(r"^\(([a-z0-9-]+)\)=$", page, flags=re.M)
    kinds = {"body": "p", "footnote": "fn", "bibliography": "b"}
    passages = _quoted()[source_id]["passages"]
    if rec.full_text_shipped:
        expected = [f"{source_id}-{kinds[r.kind]}{r.paragraph}" for r in rows.itertuples()]
    else:
        expected = list(dict.fromkeys(f"{source_id}-{kinds[p['kind']]}{p['paragraph']}"
                                      for p in passages))
        quoted = {(p["kind"], p["paragraph"]) for p in passages}
        for r in rows.itertuples():  # no paragraph the course does not quote is on the page
            if (r.kind, r.paragraph) not in quoted and len(r.text) > 60:
                assert sources.escape_myst(r.text[:60]) not in page, (source_id, r.paragraph)
        assert "reproduces it in full" in page and "only the" in page
    assert labels == [f"source-{source_id}", *expected]
    assert sources.escape_myst(rec.reading_note) in page
    if rec.url:
        assert f"(<{rec.url}>)" in page


def test_chapter_links_to_source_paragraphs_have_anchors() -> None:
    """Every excerpt a chapter shows links to ../sources/<id>.html#<anchor>: that anchor exists."""
    from coursekit._quoted import _chapters

    for q in _chapters(REPO):
        loc = sources.locate(q.source_id, q.passage)
        page = (REPO / "sources" / f"{q.source_id}.md").read_text(encoding="utf-8")
        assert f"({loc.anchor})=" in page, (q.where, loc.anchor)


def test_index_page_says_what_is_shipped() -> None:
    index = (REPO / "sources" / "index.md").read_text(encoding="utf-8")
    for sid in IDS:
        assert f"]({sid}.md)" in index
    assert index.count("quoted passages |") == 4 and "the full text (CC BY" in index


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


# --- an installed package: only the shipped seed files ---------------------------------------


def _shipped_seed_files() -> list[str]:
    """The seed files pyproject.toml puts in the wheel (coursekit/_seeds/...)."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    return sorted(Path(src).name for src, dest in include.items()
                  if dest.startswith("coursekit/_seeds/"))


@pytest.fixture
def shipped_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point coursekit at a seeds folder holding only what the wheel ships."""
    import shutil

    for name in _shipped_seed_files():
        shutil.copy(REPO / "seeds" / name, tmp_path / name)
    monkeypatch.setenv("COURSEKIT_SEEDS_DIR", str(tmp_path))
    return tmp_path


def test_wheel_ships_full_text_only_of_openly_licensed_sources() -> None:
    full = [f"{sid}.txt" for sid, r in sources.records().items() if r.full_text_shipped]
    assert _shipped_seed_files() == sorted(["records.yml", "quoted.json", *full])


def test_shipped_passages_verify_every_quotation_as_the_full_texts_do(shipped_only: Path) -> None:
    import os

    from coursekit._quoted import collect

    quotations = collect(REPO)
    del os.environ["COURSEKIT_SEEDS_DIR"]
    full = [(sources.locate(q.source_id, q.passage),
             sources.excerpt(q.source_id, q.passage).text) for q in quotations]
    os.environ["COURSEKIT_SEEDS_DIR"] = str(shipped_only)
    assert not sources.full_text_available("gusev-2019")
    assert sources.full_text_available("rashidov-2005")
    shipped = [(sources.locate(q.source_id, q.passage),
                sources.excerpt(q.source_id, q.passage).text) for q in quotations]
    assert shipped == full


def test_unquoted_passage_says_the_full_text_is_not_shipped(shipped_only: Path) -> None:
    # a sentence of Gusev's ¶1 that no chapter, quiz, dataset or route quotes
    with pytest.raises(sources.FullTextNotShipped) as info:
        sources.excerpt("gusev-2019", "Russia’s foreign policy in Central Asia is based on")
    assert isinstance(info.value, PassageNotFound)
    message = str(info.value)
    assert "is not shipped with the package" in message
    assert sources.record("gusev-2019").where_to_read in message
    assert "closest shipped passage" in message
    rendered = info.value._render_traceback_()  # what IPython shows: the message, no traceback
    assert rendered[0].startswith("FullTextNotShipped: passage not among the quoted passages")
    assert not any("Traceback" in line for line in rendered)
    # a typo in a shipped passage is still a near miss, and a CC BY text is complete
    with pytest.raises(sources.FullTextNotShipped, match="three main goals"):
        sources.locate("gusev-2019", "Russia’s foreign policy ... three main gaols.")
    with pytest.raises(PassageNotFound) as info:
        sources.locate("rashidov-2005", "a sentence Rashidov never wrote")
    assert type(info.value) is PassageNotFound


def test_corpus_warns_when_only_quoted_passages_are_present(shipped_only: Path) -> None:
    with pytest.warns(sources.PartialTextWarning, match="Read the originals"):
        df = sources.corpus()
    partial = [sid for sid in IDS if sid != "rashidov-2005"]
    assert df.attrs["partial_sources"] == partial
    assert set(df.source_id) == set(IDS)
    passages = _quoted()
    for sid in partial:
        assert len(df[df.source_id == sid]) == len(passages[sid]["passages"])
    assert sources.bibliography("evsikov-shafir-2011").shape[1] == 3  # no warning, no error


def test_missing_text_and_passages_is_a_clear_error(shipped_only: Path) -> None:
    (shipped_only / "quoted.json").unlink()
    with pytest.raises(sources.SeedFormatError,
                       match=r"\.txt is missing and \S*quoted\.json holds no passages"):
        sources.locate("gusev-2019", "three main goals")


# --- the built book ---------------------------------------------------------------------------


@pytest.mark.slow
def test_built_source_pages_render_the_seed_text(built_book: Path) -> None:
    """On the built pages, every anchored paragraph shows its ¶ label and the verbatim text
    (the full text of a licensed source; the quoted fragment, with ellipses, of the others)."""
    from bs4 import BeautifulSoup

    df = sources.corpus()
    quoted = _quoted()
    kinds = {"body": "p", "footnote": "fn", "bibliography": "b"}
    for sid in IDS:
        soup = BeautifulSoup((built_book / "sources" / f"{sid}.html").read_text(encoding="utf-8"),
                             "html.parser")
        if sources.record(sid).full_text_shipped:
            expected = {f"{sid}-{kinds[r.kind]}{r.paragraph}":
                        {"body": f"¶{r.paragraph} ", "footnote": f"[{r.number}] "}.get(r.kind, "")
                        + r.text for r in df[df.source_id == sid].itertuples()}
        else:
            expected = {}
            for p in quoted[sid]["passages"]:
                label = {"body": f"¶{p['paragraph']} ", "footnote": f"Note [{p['number']}] ",
                         "bibliography": f"Bibliography entry {p['paragraph']} "}[p["kind"]]
                text = ("… " if p["start"] else "") + p["text"] + (
                    " …" if p["end"] < p["length"] else "")
                expected.setdefault(f"{sid}-{kinds[p['kind']]}{p['paragraph']}", label + text)
        for anchor, text in expected.items():
            element = soup.find(id=anchor)
            assert element is not None, anchor
            assert " ".join(element.get_text().split()) == " ".join(text.split()), anchor
