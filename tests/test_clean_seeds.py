"""scripts/clean_seeds.py: the cleaned seeds are reproducible and hold only the authors' text."""

from __future__ import annotations

import doctest
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "clean_seeds.py"
RAW = REPO.parent / "shared" / "seeds"
SEEDS = REPO / "seeds"
IDS = ["unsigned-essay", "rashidov-2005", "gusev-2019", "evsikov-shafir-2011",
       "talantbekova-2024"]

needs_raw = pytest.mark.skipif(not RAW.is_dir(), reason="raw texts not available")


def _load_script():
    spec = importlib.util.spec_from_file_location("clean_seeds", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["clean_seeds"] = module
    spec.loader.exec_module(module)
    return module


clean_seeds = _load_script()


def seed_text(source_id: str) -> str:
    return (SEEDS / f"{source_id}.txt").read_text(encoding="utf-8")


def all_seeds() -> str:
    return "\n".join(seed_text(s) for s in IDS)


@needs_raw
def test_rerun_reproduces_committed_seeds(tmp_path: Path) -> None:
    out = tmp_path / "seeds"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--raw", str(RAW), "--out", str(out), "-q"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    produced = sorted(p.name for p in out.iterdir())
    assert produced == [f"{sid}.txt" for sid in sorted(IDS)]
    for name in produced:
        assert (out / name).read_bytes() == (SEEDS / name).read_bytes(), name
    # a folder other than the repository's seeds/ never triggers the page generator
    assert not (tmp_path / "sources").exists() and not (out / "quoted.json").exists()


def test_seed_files_exist_for_every_source() -> None:
    assert sorted(p.stem for p in SEEDS.glob("*.txt")) == sorted(IDS)
    assert (SEEDS / "records.yml").is_file()


@pytest.mark.parametrize(
    "removed",
    [
        "Надоели баннеры", "Научная статья", "Ключевые слова", "Текст научной работы",
        "CC BY",  # CyberLeninka page furniture (the licence is in the record)
        "Hans Mor-genthau", "Central Asianism", "Orientalism", "op. cit., p. 5",
        "Politics among Nations",  # tail of the unrelated article before Rashidov's title
        "RUSSIA IN CENTRAL ASIA: A SHIFT", "Bakhtier RASHIDOV", "Independent researcher",
        "Skip to main content", "Search form", "CLERICI PALACE", "Read more", "Related Contents",
        "Versione stampabile", "SUBSCRIBE TO NEWSLETTER", "Filippo Fasulo", "P.IVA",
        "Photo: Park of 28 Panfilov", "03 October 2019",
        "Table of Contents", "<i>", "</i>", "<a", "](#)", "\\$", "\\(", "**",
        "By Egor Evsikov", "A capstone project submitted", "MILITARY STRATEGY OF RUSSIA",
        "C o n c l u s i o n s", "Turkmeni-", "Sou-", "continu-",
    ],
)
def test_furniture_and_markup_are_gone(removed: str) -> None:
    assert removed not in all_seeds()


@pytest.mark.parametrize(
    "kept",
    [
        # page-break joins
        "In Kazakhstan, Uzbekistan, and Turkmenistan, local Communist Party bosses",
        "None of the SCO or CSTO member states recognized the independence of South Ossetia",
        "However, a continued insistence on adopting Western values",
        "which imagined themselves “independent principalities,” into line",
        "(Bobo Lo 2015, 7-8)",
        # in-line hyphens are the text as given, not page breaks
        "supporting Emomali Rakh-monov", "Sangtu-dinskaia", "RIA Nov-osti",
        # un-escaped dollars, unwrapped figure caption, author's odd characters kept
        "pays 4.5$ mln annually", "more than $140 million", "by donating $16mln",
        "Figure 1 - Russian military installations in Central Asia",
        ". Central Asia is said to be the axis", "crisis of1998", "Rubezh-2004joint",
        # in-text URLs of the unsigned essay are part of its argument
        "(see http://en.itar-tass.com/russia/755981)",
    ],
)
def test_authors_text_is_kept(kept: str) -> None:
    assert kept in all_seeds()


def test_seed_format() -> None:
    for sid in IDS:
        text = seed_text(sid)
        assert text.endswith("\n") and not text.endswith("\n\n"), sid
        assert "\n\n\n" not in text and "\r" not in text, sid
        blocks = text[:-1].split("\n\n")
        assert all(b and "\n" not in b and b == b.strip() for b in blocks), sid
        if "## Notes" in blocks:
            notes = blocks[blocks.index("## Notes") + 1 :]
            if "## Bibliography" in notes:
                notes = notes[: notes.index("## Bibliography")]
            assert all(n.startswith("[") and "] " in n for n in notes), sid


def test_footnotes_are_out_of_the_body_with_their_numbers() -> None:
    rashidov = seed_text("rashidov-2005")
    body, notes = rashidov.split("## Notes\n\n")
    assert "Presidents Karimov and Putin signed the treaty" not in body
    assert "[4] Presidents Karimov and Putin signed the treaty on 16 June, 2004" in notes
    assert [line.split("]")[0] for line in notes.strip().split("\n\n")] == [
        f"[{i}" for i in range(1, 10)
    ]
    evsikov = seed_text("evsikov-shafir-2011")
    body, rest = evsikov.split("## Notes\n\n")
    notes, _bibliography = rest.split("## Bibliography\n\n")
    assert "During the Second World War many industrial" not in body
    assert "[3] During the Second World War many industrial" in notes
    assert "[*] Egor Evsikov is a member of the Canadian Armed Forces" in notes
    numbers = [line.split("]")[0][1:] for line in notes.strip().split("\n\n")]
    assert numbers == ["*"] + [str(i) for i in range(1, 55)]
    # the superscript reference marks in the body stay
    assert "the “consolidation of authoritarian regimes” in Central Asia.¹" in body


def test_bibliography_url_lines_join_their_entry() -> None:
    text = seed_text("talantbekova-2024")
    bib = text.split("## Bibliography\n\n")[1].strip().split("\n\n")
    hill = next(b for b in bib if b.startswith("Hill, Fiona."))
    assert hill.endswith("<https://www.brookings.edu/articles/the-united-states-and-russia-in-"
                         "central-asia-uzbekistan-tajikistan-afghanistan-pakistan-and-iran/>")
    assert not any(b.startswith(("<http", "asia/", "- ")) for b in bib)


def _raw(source_id: str) -> str:
    return (RAW / clean_seeds.RAW_FILES[source_id]).read_text(encoding="utf-8")


@needs_raw
def test_unlisted_page_break_fails_loudly() -> None:
    raw = _raw("gusev-2019").replace(
        "there are opportunities. Russia", "there are opportunities. Russia\n\nand more", 1
    )
    raw = raw.replace("Russia can develop and promote", "Russia can develop and promote\n\nx", 1)
    with pytest.raises(clean_seeds.CleaningError, match=r"002_x\.txt: paragraph ends without"):
        clean_seeds.clean_text("gusev-2019", raw, "002_x.txt")


@needs_raw
def test_missing_marker_and_join_fail_with_the_file_name() -> None:
    raw = _raw("rashidov-2005").replace("Bakhtier RASHIDOV", "B. R.")
    with pytest.raises(clean_seeds.CleaningError, match=r"001_y.txt: expected a line 'Bakhtier"):
        clean_seeds.clean_text("rashidov-2005", raw, "001_y.txt")
    raw = _raw("evsikov-shafir-2011").replace("Turkmeni-\n", "Turkmenistan,\n")
    with pytest.raises(clean_seeds.CleaningError, match=r"joins not found.*Turkmeni-"):
        clean_seeds.clean_text("evsikov-shafir-2011", raw, "003_z.txt")


@needs_raw
def test_footnote_gap_is_an_error() -> None:
    raw = _raw("rashidov-2005").replace("\n7 Ibidem.\n", "\n17 Ibidem.\n")
    with pytest.raises(clean_seeds.CleaningError, match=r"footnote numbers are not 1\.\.n"):
        clean_seeds.clean_text("rashidov-2005", raw, "r.txt")


def test_raw_file_names_come_from_the_hand_edited_records() -> None:
    import yaml

    records = yaml.safe_load((SEEDS / "records.yml").read_text(encoding="utf-8"))
    assert list(records) == IDS
    assert {sid: rec["raw_file"] for sid, rec in records.items()} == clean_seeds.RAW_FILES
    assert not hasattr(clean_seeds, "RECORDS")  # records live in records.yml only


@needs_raw
def test_every_raw_file_named_by_a_record_exists() -> None:
    for raw_file in clean_seeds.RAW_FILES.values():
        assert (RAW / raw_file).is_file(), raw_file


def test_script_doctests() -> None:
    result = doctest.testmod(clean_seeds)
    assert result.attempted > 0 and result.failed == 0
