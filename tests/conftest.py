"""Shared pytest configuration and browser fixtures.

Browser tests drive Debian's chromium (``/usr/bin/chromium``) through Playwright, never a browser
that Playwright downloads, and block every request that does not go to localhost.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# Fixture notebooks are inputs to tests, not chapters: nbval must not collect them.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]

REPO = Path(__file__).resolve().parent.parent
BUILT_BOOK = REPO / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_directory(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``root`` on a free localhost port; return the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book built by ``make book`` (``make test`` builds it first)."""
    if not (BUILT_BOOK / "index.html").exists():
        pytest.fail("_build/html is missing: run 'make book' (make test does) before the browser tests")
    return BUILT_BOOK


@pytest.fixture(scope="session")
def book_url(built_book: Path) -> Iterator[str]:
    server, url = serve_directory(built_book)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium driven by Playwright."""
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run 'make browser-deps' (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def offline_context(browser, allowed_prefix: str):
    """A browser context in which every request outside ``allowed_prefix`` is aborted."""
    context = browser.new_context()

    def route(route):
        if route.request.url.startswith(allowed_prefix) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    return context
