"""Acceptance of the built book in headless Chromium, with the network cut off.

For every page in the table of contents: no console error, no failed request other than map
tiles, every internal link resolves, every image has alternative text, every map draws its
features, every quiz can be answered and announces its feedback through a live region (read
from Chromium's accessibility tree), and axe-core (WCAG 2.0/2.1 A and AA rules plus best
practices, ``AXE_TAGS``) finds no violation of any impact, in light and in dark mode.
``reference/accessibility.md`` describes these checks; keep the two in step.

Each colour scheme has one offline tab that visits every page in turn (as a reader's browser
would, with its cache), instead of a new browser context per page; between two pages the tab
goes to ``about:blank`` so that nothing of one page is counted against the next. The tabs are
cut off by a closed proxy, not by routes, which would turn the browser's cache off
(``cached_offline_context``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from _support import (
    DISABLED_FEATURES,
    PROXY_REFUSED,
    axe_violations,
    cached_offline_context,
    favicon_miss,
    fill_in,
    live_region_texts,
    playwright_disabled_features,
    toc_pages,
)

pytestmark = pytest.mark.browser

# Map tiles are the one network dependency the offline book is allowed.
TILE_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*(tile\.openstreetmap\.org|basemaps\.cartocdn\.com)/")


PAGES = toc_pages()
# Once every image (map tiles included) has loaded or failed, no request is pending.
IMAGES_SETTLED = "() => [...document.images].every((i) => i.complete)"


@pytest.fixture(scope="module")
def light_tab(chromium, book_url) -> Iterator[tuple[object, list[str]]]:
    """A light-scheme offline tab and the list its blocked requests go to."""
    blocked: list[str] = []
    context = cached_offline_context(chromium, book_url, blocked, color_scheme="light")
    yield context.new_page(), blocked
    context.close()


@pytest.fixture(scope="module")
def dark_tab(chromium, book_url) -> Iterator[object]:
    context = cached_offline_context(chromium, book_url, color_scheme="dark")
    yield context.new_page()
    context.close()


def test_the_browser_keeps_playwrights_switches_and_has_no_omnibox_renderer(chromium):
    """``CHROMIUM_ARGS`` gives one ``--disable-features``: Chromium obeys only the last such
    switch, so it repeats Playwright's own features before adding :data:`DISABLED_FEATURES`.
    Every renderer is started with all of them, and no window has an omnibox popup page."""
    theirs = playwright_disabled_features()
    assert len(theirs) >= 5, "Playwright's --disable-features list was not found in its driver"
    context = chromium.new_context()
    session = chromium.new_browser_cdp_session()
    try:
        context.new_page().goto("data:text/html,<p>one window</p>")
        targets = [t["url"] for t in session.send("Target.getTargets")["targetInfos"]]
        renderers = [p["id"] for p in session.send("SystemInfo.getProcessInfo")["processInfo"]
                     if p["type"] == "renderer"]
        switches = [_switches(pid) for pid in renderers]
    finally:
        session.detach()
        context.close()
    assert not [url for url in targets if "omnibox-popup" in url], targets
    # a renderer of a page closed just before may be gone (and its process id taken)
    switches = [s for s in switches if "--type=renderer" in s]
    assert switches, f"no live renderer among {renderers}"
    for renderer in switches:
        disabled = {f for s in renderer if s.startswith("--disable-features=")
                    for f in s.split("=", 1)[1].split(",")}
        assert {*theirs, *DISABLED_FEATURES} <= disabled, sorted(disabled)


def _switches(pid: int) -> list[str]:
    """The command-line switches of process ``pid``; none once it has exited. (A renderer
    forked from the zygote shows them as one line, space-separated.)"""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ").split()
    except OSError:
        return []


@contextmanager
def _listening(page, handlers: dict) -> Iterator[None]:
    """``handlers`` (event name to callback) attached to ``page`` for one visit; the tab then goes
    to ``about:blank``, so that what the page leaves behind is not reported for the next one."""
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        yield
    finally:
        page.goto("about:blank")
        for event, handler in handlers.items():
            page.remove_listener(event, handler)


@functools.cache
def _ids_in(path: Path) -> frozenset[str]:
    """The ids and names in a built page (read once: the book does not change during the run)."""
    html = path.read_text(encoding="utf-8", errors="replace")
    return frozenset(re.findall(r'\b(?:id|name)="([^"]+)"', html))


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_offline_and_is_accessible(page_path, light_tab, book_url, built_book, axe_source):
    page, blocked = light_tab  # blocked: every request outside the book, refused
    blocked.clear()
    errors: list[tuple[str, str]] = []  # (message, the URL it is about)
    failed: list[str] = []
    with _listening(page, {
        "console": lambda m: errors.append((m.text, m.location["url"]))
        if m.type == "error" and not favicon_miss(m, book_url) else None,
        "pageerror": lambda e: errors.append((str(e), "")),
        "requestfailed": lambda r: failed.append(r.url),
        "response": lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    }):
        _check_page(page, page_path, blocked, errors, failed, book_url, built_book, axe_source)


def _check_page(page, page_path, blocked, errors, failed, book_url, built_book, axe_source):
    page.goto(f"{book_url}/{page_path}", wait_until="load")
    # Wait for every map frame's tiles to load or fail (offline: fail) before judging errors.
    for frame in page.frames:
        frame.wait_for_function(IMAGES_SETTLED)

    # Map tiles are allowed to fail offline; nothing else is.
    tiles = [u for u in blocked if TILE_HOSTS.match(u)]
    assert [u for u in blocked if u not in tiles] == [], f"{page_path}: requests left the book"
    failed_other = [u for u in failed if not TILE_HOSTS.match(u.split(" ")[-1])]
    assert failed_other == [], f"{page_path}: failed requests {failed_other}"
    # A refused tile logs PROXY_REFUSED about the tile's URL: allow one such line per refused
    # tile, and no other console error.
    tile_noise = [e for e in errors if e[0] == PROXY_REFUSED and TILE_HOSTS.match(e[1])]
    errors_other = [e for e in errors if e not in tile_noise]
    assert errors_other == [], f"{page_path}: console errors {errors_other}"
    assert len(tile_noise) <= len(tiles), f"{page_path}: failed loads that are not tiles"

    # Every image has alternative text (decorative images must say so).
    missing_alt = page.eval_on_selector_all(
        "img", "els => els.filter(e => !e.closest('[aria-hidden=true]') && e.getAttribute('role') !== "
        "'presentation' && !(e.getAttribute('alt') || '').trim()).map(e => e.src)")
    assert missing_alt == [], f"{page_path}: images without alt text {missing_alt}"

    # Every internal link resolves to a built file and, if it has one, to an existing anchor.
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    broken = []
    for href in hrefs:
        if not href.startswith(book_url):
            continue
        url, fragment = urldefrag(href)
        target = built_book / unquote(urlparse(url).path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        anchor_missing = (fragment and target.suffix == ".html" and target.exists()
                          and unquote(fragment) not in _ids_in(target))
        if not target.exists() or anchor_missing:
            broken.append(href)
    assert broken == [], f"{page_path}: broken internal links {sorted(set(broken))}"

    # Every map draws its features: Leaflet's DOM inside each map frame has vector paths.
    for frame in page.frames[1:]:
        if frame.query_selector(".leaflet-container") is None:
            continue
        frame.wait_for_selector(".leaflet-interactive", state="attached", timeout=5000)
        assert frame.eval_on_selector_all(".leaflet-interactive", "els => els.length") > 0
    for title in page.eval_on_selector_all("iframe", "els => els.map(e => e.title)"):
        assert title.strip(), f"{page_path}: an iframe has no title"

    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    # Every quiz question on the page can be answered and gives feedback (no kernel, no network);
    # the feedback is a polite live region (role=status) that exists, empty, before the answer is
    # checked, so that a screen reader announces it without moving the focus (WCAG 4.1.3).
    questions = page.locator("fieldset.ck-question").all()
    if page_path.startswith("chapters/"):
        assert len(questions) >= 6, f"{page_path}: the self-check quiz did not render"
    for fieldset in questions:
        qid = fieldset.get_attribute("data-question")
        fill_in(fieldset)
        region = fieldset.get_by_role("status")
        assert region.count() >= 1, f"{page_path}: question {qid} has no status live region"
        assert region.first.get_attribute("aria-live") == "polite"
        assert region.first.inner_text().strip() == "", f"{page_path}: {qid} feedback not empty"
        fieldset.get_by_role("button", name=re.compile(r"^(Check|Submit) answer$")).click()
        feedback = fieldset.locator(".ck-feedback").inner_text().strip()
        assert feedback, f"{page_path}: question {qid} gave no feedback"
        assert fieldset.get_by_role("status").first.inner_text().strip() == feedback
    if questions:
        # What Chromium hands to screen readers: every feedback is the text of a live region.
        announced = live_region_texts(page)
        for fieldset in questions:
            spoken = " ".join(fieldset.locator(".ck-feedback").inner_text().lstrip("✓✗◐ ").split())
            assert any(spoken in text for text in announced), (
                f"{page_path}: feedback {spoken!r} is in no live region of the accessibility tree")

    # Accessibility: no axe-core violation of any impact (WCAG 2.0/2.1 A and AA, best practices).
    violations = axe_violations(page, axe_source)
    assert violations == [], f"{page_path}: {json.dumps(violations, indent=1)}"


@pytest.mark.parametrize("page_path", PAGES)
def test_page_is_accessible_in_dark_mode(page_path, dark_tab, book_url, axe_source):
    """The dark colour scheme (the theme follows the reader's system setting) passes axe too,
    with a quiz question answered so that feedback colours are checked as well."""
    page = dark_tab
    with _listening(page, {}):
        page.goto(f"{book_url}/{page_path}", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        for fieldset in page.locator("fieldset.ck-question").all()[:2]:
            choice = fieldset.locator("input[type=radio], input[type=checkbox]")
            if choice.count():
                choice.first.check(force=True)
                fieldset.get_by_role("button", name=re.compile(r"^(Check|Submit) answer$")).click()
        violations = axe_violations(page, axe_source)
    assert violations == [], f"{page_path} (dark): {json.dumps(violations, indent=1)}"
