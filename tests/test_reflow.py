"""Phones and zoom, measured in headless Chromium on the built book (WCAG 2.1 AA).

- Reflow (success criterion 1.4.10): at 320 CSS px wide, no page scrolls sideways and every
  block of text (paragraphs, list items, headings, quotations, quiz labels) and every control
  (buttons, menus, text boxes, choices) lies inside the viewport. Only maps, tables, code and
  charts may be wider, and they scroll in their own box.
- Chart text: at 390 CSS px wide (a common phone), every chart is SVG with its text kept as
  text, and each text is drawn at least 11 px high. The size is measured in the browser: the
  chart is drawn inline at the width the page gives its image, and each text's font size is
  multiplied by the scale of its transformation to the screen.

``reference/accessibility.md`` describes these checks; keep the two in step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from _support import cached_offline_context, toc_pages

pytestmark = pytest.mark.browser

PAGES = toc_pages()
MIN_CHART_TEXT_PX = 11
# Elements that hold running text, and controls; each must fit in the viewport unless it sits in
# a box that scrolls by itself and is one of the allowed wide things (table, code, map, chart).
TEXT = ("p, li, h1, h2, h3, h4, h5, h6, dt, dd, blockquote, figcaption, legend, label, caption, "
        "button, select, input, textarea")
OVERFLOW = """([text, wide]) => {
  const vw = document.documentElement.clientWidth;
  const scrollsItself = (el) => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      const ox = getComputedStyle(n).overflowX;
      if ((ox === "auto" || ox === "scroll" || ox === "hidden") && n.clientWidth <= vw) return n;
    }
    return null;
  };
  const out = [];
  for (const el of document.querySelectorAll(text)) {
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    if (el.closest(".bd-sidebar-primary, .bd-sidebar-secondary, dialog, .d-none")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left >= -1 && r.right <= vw + 1) continue;
    const box = scrollsItself(el);
    if (box && el.closest(wide)) continue;
    out.push(`${el.tagName.toLowerCase()}${el.className ? "." + el.className.split(" ")[0] : ""}`
             + ` [${Math.round(r.left)}, ${Math.round(r.right)}]: `
             + el.textContent.trim().replace(/\\s+/g, " ").slice(0, 60));
  }
  return out;
}"""
WIDE = "table, pre, .highlight, iframe, .folium-map, .cell_output .output"

CHART_TEXT = """async () => {
  const found = [];
  for (const img of document.querySelectorAll(".cell_output img")) {
    const shown = img.getBoundingClientRect().width;
    if (!img.src.endsWith(".svg")) { found.push({src: img.src, raster: true}); continue; }
    const svgText = await (await fetch(img.src)).text();
    const holder = document.createElement("div");
    holder.style.cssText = `position: absolute; left: 0; top: 0; width: ${shown}px`;
    holder.innerHTML = svgText.replace(/^[\\s\\S]*?(<svg)/, "$1");
    document.body.append(holder);
    const svg = holder.querySelector("svg");
    svg.setAttribute("width", `${shown}`);
    svg.removeAttribute("height");
    const sizes = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim()).map((t) => {
      const m = t.getScreenCTM();
      return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    });
    holder.remove();
    found.push({src: img.src.split("/").pop(), shown: Math.round(shown), texts: sizes.length,
                smallest: sizes.length ? Math.min(...sizes) : null});
  }
  return found;
}"""


@pytest.fixture(scope="module")
def phone_320(chromium, book_url) -> Iterator[object]:
    """One offline tab 320 CSS px wide that visits every page in turn."""
    context = cached_offline_context(chromium, book_url, viewport={"width": 320, "height": 640})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_page_reflows_at_320_css_px(page_path, phone_320, book_url):
    page = phone_320
    page.goto(f"{book_url}/{page_path}", wait_until="load")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    overflowing = page.evaluate(OVERFLOW, [TEXT, WIDE])
    assert page_width <= 320, f"{page_path}: the page is {page_width} px wide at 320 px"
    assert overflowing == [], f"{page_path}: text outside the viewport {json.dumps(overflowing, indent=1)}"


@pytest.fixture(scope="module")
def chart_sizes(chromium, book_url, built_book) -> dict[str, list[dict]]:
    """Every page's chart images and the smallest text of each, at 390 CSS px wide (a page
    whose built HTML has no ``<img`` at all has none, and is not opened)."""
    context = cached_offline_context(chromium, book_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sizes: dict[str, list[dict]] = {}
    for page_path in PAGES:
        if "<img" not in (built_book / page_path).read_text(encoding="utf-8"):
            sizes[page_path] = []
            continue
        page.goto(f"{book_url}/{page_path}", wait_until="load")
        sizes[page_path] = page.evaluate(CHART_TEXT)
    context.close()
    return sizes


@pytest.mark.parametrize("page_path", PAGES)
def test_chart_text_is_at_least_11_px_at_390_css_px(page_path, chart_sizes):
    charts = chart_sizes[page_path]
    raster = [c["src"] for c in charts if c.get("raster")]
    assert raster == [], f"{page_path}: charts drawn as raster images, not SVG text: {raster}"
    no_text = [c["src"] for c in charts if not c["texts"]]
    assert no_text == [], f"{page_path}: SVG charts whose text is not text: {no_text}"
    small = [c for c in charts if c["smallest"] < MIN_CHART_TEXT_PX]
    assert small == [], f"{page_path}: chart text under {MIN_CHART_TEXT_PX} px: {small}"


def test_the_chapter_charts_are_measured(chart_sizes):
    """The size test above has something to measure: the money chart of chapter 5 and the
    charts of chapters 1, 7 and 8 and the timeline are SVG images with text."""
    for page_path in ["chapters/01-after-the-union.html", "chapters/05-economy-soft-power.html",
                      "chapters/07-after-2022.html", "chapters/08-reading-critically.html",
                      "reference/timeline.html"]:
        charts = chart_sizes[page_path]
        assert charts and all(c.get("texts", 0) >= 5 for c in charts), (page_path, charts)
