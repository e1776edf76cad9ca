"""A copy of a built book to take away: a zip that works opened from disk, and a printable PDF.

    python scripts/takeaway.py zip SITE OUT.zip
    python scripts/takeaway.py pdf SITE OUT.pdf

``SITE`` is a built book (``make takeaway`` builds the student edition with solutions removed,
``coursekit edition student --solutions removed``, into ``_build/student``).

The zip holds the site under one folder (``russia-in-central-asia/``) plus ``START-HERE.html``;
pages, quizzes and maps need no server: the quiz script runs in the page, and a map loads Leaflet
and the shared outlines with plain ``<script src>``, which works from ``file://``. Sphinx's search
page needs a server (it fetches the pages); the zip's ``START-HERE.html`` says so.

The PDF is printed by Debian's chromium (headless, through Playwright), one page of the table of
contents after another, then joined with pypdf. Print styles (``PRINT_CSS``): the theme's bars
hidden, each quiz question followed by ruled space to answer and without its buttons and feedback,
solutions and teaching notes omitted, each map replaced by a picture of it (drawn offline by the
same Chromium: country outlines and symbols, no tiles) followed by its text alternative, opened.
Nothing is fetched from the network: every request outside the site is refused.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from _support import CHROMIUM_ARGS, find_chromium, toc_pages  # noqa: E402

from coursekit._resources import write_atomic  # noqa: E402

FOLDER = "russia-in-central-asia"
# A fixed timestamp for every zip entry, so the same site gives the same zip.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_SKIP = {".buildinfo", ".doctrees"}

START_HERE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Russia in Central Asia (offline copy)</title>
<meta http-equiv="refresh" content="0; url={folder}/index.html"></head>
<body><h1>Russia in Central Asia: offline copy</h1>
<p><a href="{folder}/index.html">Open the course</a>. Everything works without a network:
pages, quizzes (answers are checked in the page, nothing is sent) and maps (country outlines
and symbols; the background map tiles need a network). The search box needs a web server; use
your browser's find (Ctrl+F) on a page instead.</p></body></html>
"""

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-article,
.bd-header-article, .prev-next-area, .header-article, .skip-link, .ck-actions, .ck-feedback,
button, .solution, .tag_solution, .teaching-note, .ck-question .ck-hint, #jb-print-toc,
.coursekit-map-live { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.ck-question { break-inside: avoid; }
.ck-question::after { content: "Answer:"; display: block; margin-top: 6px; padding-top: 2px;
  height: 9em; font-size: 0.85em; color: #555;
  background: repeating-linear-gradient(to bottom, transparent 0, transparent 1.75em,
    #999 1.75em, #999 calc(1.75em + 1px));
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.coursekit-map-picture { display: block; width: 100%; max-width: 170mm; border: 1px solid #999;
  break-inside: avoid; }
details.coursekit-map-text > summary { font-weight: 600; list-style: none; }
pre, table { break-inside: avoid; }
"""

# Replace each map frame, once drawn, by a picture of it, and open its text alternative.
_MAP_TO_PICTURE = """([index, data, title]) => {
  const frame = document.querySelectorAll("iframe[title^='Map: ']")[index];
  const img = document.createElement("img");
  img.className = "coursekit-map-picture";
  img.src = "data:image/png;base64," + data;
  img.alt = title + " (a picture of the interactive map; its text alternative follows)";
  frame.classList.add("coursekit-map-live");
  frame.insertAdjacentElement("afterend", img);
}"""
_OPEN_TEXTS = "() => document.querySelectorAll('details.coursekit-map-text').forEach(d => d.open = true)"


def site_files(site: Path) -> list[Path]:
    """The files of the built site to ship, sorted."""
    return sorted(p for p in site.rglob("*") if p.is_file()
                  and not _SKIP.intersection(p.relative_to(site).parts))


def build_zip(site: Path, out: Path) -> Path:
    """Write ``out``: the site under :data:`FOLDER` plus ``START-HERE.html`` (deterministic)."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site}: no index.html; build the book first (make takeaway builds it)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(zipfile.ZipInfo("START-HERE.html", ZIP_TIME), START_HERE.format(folder=FOLDER))
        for path in site_files(site):
            info = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(site).as_posix()}", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    write_atomic(out, buffer.getvalue())
    return out


def _print_page(browser, url: str) -> tuple[bytes, str]:
    """One page as PDF bytes, its maps drawn offline and replaced by pictures; and its title."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else r.abort())
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        frames = page.locator("iframe[title^='Map: ']")
        for i in range(frames.count()):
            handle = frames.nth(i)
            handle.scroll_into_view_if_needed()
            frame = handle.element_handle().content_frame()
            frame.wait_for_selector(".leaflet-container path.leaflet-interactive", state="attached")
            frame.wait_for_function(
                "() => [...document.querySelectorAll('img.leaflet-tile')].every(i => i.complete)")
            # the picture: outlines and symbols only (tiles failed offline; hide their gaps)
            frame.add_style_tag(content=".leaflet-tile-pane, .leaflet-control-container "
                                        "{ display: none !important; }")
            frame.evaluate("document.querySelectorAll('details.coursekit-legend')"
                           ".forEach(d => d.open = true)")
            picture = base64.b64encode(handle.screenshot(type="png")).decode()
            page.evaluate(_MAP_TO_PICTURE, [i, picture, handle.get_attribute("title") or "Map"])
        page.evaluate(_OPEN_TEXTS)
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        title = page.evaluate("() => (document.querySelector('main h1') || document.querySelector('h1'))"
                              "?.innerText.replace(/#$/, '').trim() || document.title")
        pdf = page.pdf(format="A4", print_background=True, outline=True, tagged=True,
                       display_header_footer=False, prefer_css_page_size=True)
        return pdf, title
    finally:
        context.close()


def build_pdf(site: Path, out: Path, pages: list[str] | None = None, browser=None) -> Path:
    """Write ``out``: every page of the table of contents found in ``site`` (or ``pages``), in
    order, each with an outline entry. ``browser``: a Playwright browser to use (else one is
    launched: Debian's chromium)."""
    from pypdf import PdfWriter

    pages = [p for p in (pages or toc_pages()) if (site / p).is_file()]
    if not pages:
        raise SystemExit(f"{site}: none of the book's pages is there; build the book first")
    writer = PdfWriter()

    def print_all(browser) -> None:
        for rel in pages:
            start = len(writer.pages)
            pdf, title = _print_page(browser, (site / rel).resolve().as_uri())
            writer.append(io.BytesIO(pdf), import_outline=False)
            writer.add_outline_item(title=title, page_number=start)

    if browser is not None:
        print_all(browser)
    else:
        from playwright.sync_api import sync_playwright

        executable = find_chromium()
        if executable is None:
            raise SystemExit("chromium is not installed: run 'make browser-deps'")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                print_all(launched)
            finally:
                launched.close()
    writer.add_metadata({"/Title": "Russia in Central Asia (student edition)"})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(out, buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("zip", "pdf"))
    parser.add_argument("site", type=Path, help="the built book (a folder with index.html)")
    parser.add_argument("out", type=Path, help="the zip or PDF to write")
    args = parser.parse_args(argv)
    out = (build_zip if args.kind == "zip" else build_pdf)(args.site, args.out)
    print(f"{out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
