"""The course maps in a real browser, offline: a small Sphinx site laid out like the book (pages
one folder deep, ``vendor/`` published at the root by ``coursekit.sphinxext``), served on
localhost, opened in the session's Chromium with every request outside that server refused by a
closed proxy (``cached_offline_context``; a route would turn the browser's cache off).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _support import (
    PROXY_REFUSED,
    cached_offline_context,
    favicon_miss,
    outside,
    raw_html,
    sample_maps,
    serve_directory,
    sphinx_project,
)

from coursekit import maps

pytestmark = pytest.mark.browser

# Once every tile image has loaded or failed (offline: failed), Leaflet has nothing pending.
TILES_SETTLED = "() => [...document.querySelectorAll('img.leaflet-tile')].every((i) => i.complete)"


@pytest.fixture(scope="module")
def map_context(chromium, site) -> Iterator[tuple[object, list[str], str]]:
    """One offline browser context for the map pages (each test opens its own tab), the list of
    the URLs it refused, and the site's address."""
    base = site[0]
    aborted: list[str] = []
    context = cached_offline_context(chromium, base, aborted, viewport={"width": 1100, "height": 900})
    yield context, aborted, base
    context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, maps.CourseMap], Path]]:
    from sphinx.cmd.build import build_main

    built = sample_maps()
    toc = "".join(f"   chapters/{name}\n" for name in [*built, "three"])
    pages = {"index": f"Maps\n====\n\n.. toctree::\n\n{toc}"} | {
        f"chapters/{name}": f"{name}\n{'=' * len(name)}\n\n" + raw_html(course_map._repr_html_())
        for name, course_map in built.items()
    }
    # three maps, far apart: a long chapter like chapter 2
    filler = "".join(f"Paragraph {i} of the text between two maps.\n\n" for i in range(40))
    pages["chapters/three"] = "three\n=====\n\n" + "".join(
        filler + raw_html(built[name]._repr_html_()) for name in ("installations", "membership", "route"))
    src = sphinx_project(tmp_path_factory.mktemp("book"), pages)
    out = src / "_build"
    assert build_main(["-q", "-W", "-b", "html", str(src), str(out)]) == 0

    server, url = serve_directory(out)
    try:
        yield url, built, out
    finally:
        server.shutdown()
        server.server_close()


def _open(map_context, url: str):
    """Open ``url`` offline in a new tab; return (page, map frame, aborted URLs, failed local
    URLs, errors)."""
    context, aborted, base = map_context
    aborted.clear()
    failed: list[str] = []
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append((m.text, m.location["url"]))
            if m.type == "error" and not favicon_miss(m, base) else None)
    page.on(
        "response",
        lambda resp: failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None,
    )
    page.goto(url, wait_until="load")
    handle = page.wait_for_selector("iframe[title^='Map: ']")
    frame = handle.content_frame()
    frame.wait_for_selector(".leaflet-container path.leaflet-interactive", state="attached")
    return page, frame, aborted, failed, errors


@pytest.mark.parametrize("name", ["installations", "installations-2004", "membership", "events", "route"])
def test_map_renders_offline(site, map_context, name: str):
    base, built, _ = site
    course_map = built[name]
    page, frame, aborted, failed, errors = _open(map_context, f"{base}/chapters/{name}.html")
    try:
        # Leaflet and jQuery came from the vendored copies, relative to the page
        assert frame.evaluate("typeof L !== 'undefined' && L.version") == "1.9.3"
        assert frame.evaluate("typeof jQuery !== 'undefined' && jQuery.fn.jquery") == "3.7.1"
        # the country outlines: one interactive path per feature of boundaries.geojson
        outlines = len(maps.boundaries()["features"])
        paths = frame.locator("path.leaflet-interactive").count()
        assert paths >= outlines
        if name.startswith("installations"):
            assert frame.locator(".leaflet-marker-icon svg").count() == len(course_map.table)
        if name == "events":
            assert paths == outlines + len(course_map.table)
        if name == "route":
            assert paths == outlines + 2  # the two hubs
        assert frame.locator(".coursekit-legend").count() == 1
        # a popup opens and cites its source. The click is sent to the marker itself: a forced
        # mouse click at its place on screen once opened no popup in a CI run (the cause was
        # not found: something drawn over the marker, or the map still moving).
        if name in {"installations", "events"}:
            if name == "installations":
                frame.locator(".leaflet-marker-icon svg").first.dispatch_event("click")
            else:  # the circle markers are drawn after the outlines
                frame.locator("path.leaflet-interactive").last.dispatch_event("click")
            popup = frame.wait_for_selector(".leaflet-popup-content")
            assert "Source:" in popup.inner_text()
        if name == "membership":
            frame.get_by_label("CSTO on 2013-01-01").check()  # runs the DateSwitch script
            assert frame.get_by_label("CSTO on 2013-01-01").is_checked()
        frame.wait_for_function(TILES_SETTLED)
        # nothing but map tiles went (tried to go) to the network; nothing local was missing
        tiles = [u for u in aborted if urlparse(u).hostname == "tile.openstreetmap.org"]
        assert [u for u in aborted if u not in tiles] == []
        assert failed == []
        # a refused tile logs PROXY_REFUSED about the tile's URL: allow one such line per
        # refused tile and nothing else
        blocked = [e for e in errors
                   if e[0] == PROXY_REFUSED and urlparse(e[1]).hostname == "tile.openstreetmap.org"]
        assert [e for e in errors if e not in blocked] == []
        assert len(blocked) <= len(tiles)
    finally:
        page.close()


def test_page_weight(site):
    """Report the bytes of a page with one map (printed with -s); keep it bounded."""
    _, _, out = site
    sizes = {p.stem: p.stat().st_size for p in (out / "chapters").glob("*.html")}
    print("page weight (bytes):", sizes)
    assert max(sizes.values()) < 400_000


def test_maps_load_when_scrolled_to_and_share_their_files(site, chromium):
    """The first load of a page with three maps fetches no map file; scrolling to each map
    loads it, and the three use one copy of Leaflet, jQuery and the outlines."""
    base, _, _ = site
    context = cached_offline_context(chromium, base, viewport={"width": 1100, "height": 700})
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    page = context.new_page()
    try:
        page.goto(f"{base}/chapters/three.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        frames = page.locator("iframe[title^='Map: ']")
        assert frames.count() == 3
        assert page.evaluate("document.querySelectorAll('iframe[srcdoc]').length") == 0
        assert not [u for u in requested if "leaflet" in u or "coursekit-outlines" in u]
        for i in range(3):
            frames.nth(i).scroll_into_view_if_needed()
            frame = frames.nth(i).element_handle().content_frame()
            frame.wait_for_selector(".leaflet-container path.leaflet-interactive", state="attached")
            assert frame.locator("path.leaflet-interactive").count() >= len(maps.boundaries()["features"])
        # one shared copy of each file for the three maps (whether the browser asks again for
        # it depends on its cache and the server's headers, not on the page)
        for name in ("leaflet.js", "jquery.min.js", "leaflet.css", "coursekit-outlines.js"):
            assert len({u for u in requested if u.endswith("/" + name)}) == 1, name
    finally:
        context.close()


def test_maps_draw_opened_from_disk(site, chromium):
    """The built pages opened as files (file://, as from the take-away zip): the shared files
    load with plain <script src>, and every map draws its outlines and markers."""
    _, _, out = site
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    context.route(outside("file://"), lambda r: r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for name in ("installations", "three"):
            page.goto((out / "chapters" / f"{name}.html").as_uri(), wait_until="load")
            frames = page.locator("iframe[title^='Map: ']")
            for i in range(frames.count()):
                frames.nth(i).scroll_into_view_if_needed()
                frame = frames.nth(i).element_handle().content_frame()
                frame.wait_for_selector(".leaflet-container path.leaflet-interactive", state="attached")
                assert frame.evaluate("L.version") == "1.9.3"
        assert page.url.startswith("file://")
        assert errors == []
    finally:
        context.close()


def test_every_map_of_the_book_draws_when_scrolled_to(built_book: Path, book_url: str, chromium):
    """In the built book, no map loads with its page; each draws once scrolled to."""
    chapters = sorted((built_book / "chapters").glob("*.html"))
    context = cached_offline_context(chromium, book_url, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    drawn = 0
    try:
        for chapter in chapters:
            page.goto(f"{book_url}/chapters/{chapter.name}", wait_until="load")
            frames = page.locator("iframe[title^='Map: ']")
            assert page.evaluate("document.querySelectorAll('iframe[srcdoc]').length") == 0
            for i in range(frames.count()):
                frames.nth(i).scroll_into_view_if_needed()
                frame = frames.nth(i).element_handle().content_frame()
                frame.wait_for_selector(".leaflet-container path.leaflet-interactive", state="attached")
                drawn += 1
    finally:
        context.close()
    assert drawn >= 6  # the chapters' maps: installations, memberships, events, route
