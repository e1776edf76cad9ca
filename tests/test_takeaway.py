"""The copy to take away (scripts/takeaway.py): the zip opened from disk in Chromium (quizzes
answer, maps draw) and the printed PDF (pages, text, answer space, map pictures, no solutions).

The slow tests use the book ``make book`` built (``make test`` builds it); ``make takeaway``
applies the same code to the student edition.
"""

from __future__ import annotations

import html
import importlib.util
import re
import zipfile
from pathlib import Path

import _support
import pytest
from _support import fill_in

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("takeaway", REPO / "scripts" / "takeaway.py")
takeaway = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(takeaway)

# A chapter with three maps and a quiz, and one without maps.
PDF_PAGES = ["chapters/02-security-architecture.html", "chapters/08-reading-critically.html"]


def test_zip_layout_is_deterministic_and_refuses_a_missing_book(tmp_path: Path):
    site = tmp_path / "site"
    (site / "chapters").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>")
    (site / "chapters" / "one.html").write_text("<p>one</p>")
    (site / ".buildinfo").write_text("x")
    first = takeaway.build_zip(site, tmp_path / "a.zip")
    second = takeaway.build_zip(site, tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        start = archive.read("START-HERE.html").decode()
    folder = takeaway.FOLDER
    assert names == ["START-HERE.html", f"{folder}/chapters/one.html", f"{folder}/index.html"]
    assert f'href="{takeaway.FOLDER}/index.html"' in start
    with pytest.raises(SystemExit, match=r"no index\.html"):
        takeaway.build_zip(tmp_path / "nothing", tmp_path / "c.zip")
    assert not (tmp_path / "c.zip").exists()


@pytest.fixture(scope="module")
def unzipped(built_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("takeaway")
    archive = takeaway.build_zip(built_book, out / "book.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(out / "disk")
    return out / "disk"


@pytest.mark.slow
@pytest.mark.browser
def test_zip_opened_from_disk_quizzes_answer_and_maps_draw(unzipped: Path, chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    outside: list[str] = []
    outside_disk = _support.outside("file:", "data:")
    context.route(outside_disk, lambda r: (outside.append(r.request.url), r.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((unzipped / "START-HERE.html").as_uri())
        # the start page leads into the book: index.html, which redirects to the root page
        page.wait_for_url(re.compile(r"/intro\.html$"))
        page.goto((unzipped / takeaway.FOLDER / PDF_PAGES[0]).as_uri(), wait_until="load")
        questions = page.locator("fieldset.ck-question").all()
        assert len(questions) >= 6
        for fieldset in questions:
            fill_in(fieldset)
            fieldset.get_by_role("button", name=re.compile(r"^(Check|Submit) answer$")).click()
            assert fieldset.locator(".ck-feedback").inner_text().strip()
        frames = page.locator("iframe[title^='Map: ']")
        assert frames.count() == 3
        for i in range(3):
            frames.nth(i).scroll_into_view_if_needed()
            frame = frames.nth(i).element_handle().content_frame()
            frame.wait_for_selector(".leaflet-container path.leaflet-interactive", state="attached")
            assert frame.evaluate("L.version") == "1.9.3"
        assert errors == []
        # only map tiles tried to leave the disk
        assert all("tile.openstreetmap.org" in u for u in outside), outside
    finally:
        context.close()


@pytest.fixture(scope="module")
def printed(built_book: Path, chromium, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("print") / "book.pdf"
    return takeaway.build_pdf(built_book, out, pages=PDF_PAGES, browser=chromium), built_book


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_pages_text_answer_space_maps_and_no_solutions(printed: tuple[Path, Path]):
    from pypdf import PdfReader

    pdf, site = printed
    reader = PdfReader(pdf)
    assert 6 <= len(reader.pages) <= 80
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    chapter = (site / PDF_PAGES[0]).read_text(encoding="utf-8")
    title = re.search(r'<h1><span class="section-number">[^<]*</span>([^<]*)<a', chapter)[1].strip()
    assert re.sub(r"\s+", "", title) in re.sub(r"\s+", "", text)  # PDF lines break words
    # every question of the two quizzes is followed by space to answer
    assert flat.count("Answer:") >= 12
    # three maps: three pictures, and their text alternatives are printed
    pictures = sum(len(page.images) for page in reader.pages)
    assert pictures >= 3
    assert flat.count("Text alternative:") >= 3
    # no solution is printed (the book has practice solutions; the student edition none)
    solutions = [
        html.unescape(re.sub(r"<[^>]+>|\s+", " ", found)).split()[:8]
        for found in re.findall(r'class="solution dropdown admonition".*?<section id="solution-content">'
                                r".*?<p>(.*?)</p>", chapter, re.S)
    ]
    assert solutions and "Solution to" not in flat
    assert [words for words in solutions if " ".join(words) in flat] == []
    # one bookmark per page, at its first PDF page, named by its heading
    outline = reader.outline
    assert len(outline) == len(PDF_PAGES) and re.sub(r"\s+", " ", title) in outline[0].title
    assert reader.get_destination_page_number(outline[0]) == 0
    assert reader.get_destination_page_number(outline[1]) > 0
