"""Shared pytest configuration and browser fixtures (helpers live in ``_support.py``).

Browser tests drive Debian's chromium through Playwright, never a browser that Playwright
downloads, and block every request that does not go to localhost. One chromium serves the
whole session; axe-core is required wherever browser tests run.

Tests that use the ``built_book`` fixture are marked ``book`` automatically, so
``make test-fast`` (``-m "not browser and not slow and not book"``) never needs ``_build``.
``make test`` runs the suite on two workers (pytest-xdist, one file per worker at a time, so a
notebook's cells and a module's fixtures stay together), the longest files first, as measured in
``tests/durations.json`` (``make bench-tests`` rewrites it): the longest-first order keeps both
workers busy to the end instead of leaving one long file to run alone. The book builds meanwhile
(scripts/run_tests.py): files that need it come after its expected build time, and wait for it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import AXE, BUILT_BOOK, CHROMIUM_ARGS, REPO, find_chromium, serve_directory

# Before any test module imports nbformat (and with it jsonschema): coursekit tells jsonschema
# to skip rfc3987_syntax's grammars, as it does in every kernel and grader (see its __init__).
import coursekit  # noqa: F401

sys.path.insert(0, str(REPO / "scripts"))
# make test's runner: the book build's status file (env) and its seconds' key in durations.json
from run_tests import BUILD_KEY, LOG_ENV, STATUS_ENV, dispatch_order

# Fixture notebooks are inputs to tests, not chapters: nbval must not collect them.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    needs_book = set()
    for item in items:
        if "built_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.book)
            needs_book.add(_file_of(item.nodeid))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # make test (-n 2 --dist loadfile --no-loadscope-reorder) hands out files in this order.
        expected = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.is_file() else {}
        build = expected.get(BUILD_KEY, 0.0) if os.environ.get(STATUS_ENV) else 0.0
        order = dispatch_order({_file_of(i.nodeid) for i in items}, expected, needs_book, build)
        items.sort(key=lambda item: order[_file_of(item.nodeid)])


DURATIONS = Path(__file__).with_name("durations.json")
_RECORD = "COURSEKIT_RECORD_DURATIONS"  # set by bench/run.py: where to write the measured seconds
_seconds: Counter[str] = Counter()


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get(_RECORD):
        _seconds[_file_of(report.nodeid)] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """With ``COURSEKIT_RECORD_DURATIONS`` set, the controller writes each file's seconds there."""
    target = os.environ.get(_RECORD)
    if target and _seconds and not os.environ.get("PYTEST_XDIST_WORKER"):
        from coursekit._resources import write_atomic

        ordered = {name: round(sec, 1) for name, sec in sorted(_seconds.items(), key=lambda kv: -kv[1])}
        write_atomic(Path(target), json.dumps(ordered, indent=1) + "\n")


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book built by ``make book``; under ``make test``, which builds it alongside the tests
    (scripts/run_tests.py), the first test to ask waits for the build to end."""
    if os.environ.get(STATUS_ENV):
        status = Path(os.environ[STATUS_ENV])
        deadline = time.monotonic() + 3600
        while not status.exists():  # written whole (renamed into place) when the build ends
            if time.monotonic() > deadline:
                pytest.fail(f"the book build did not end within an hour: see {os.environ.get(LOG_ENV)}")
            time.sleep(1)
        code = status.read_text(encoding="utf-8")
        if code != "0":
            pytest.fail(f"the book build failed (exit status {code}): see {os.environ.get(LOG_ENV)}")
    if not (BUILT_BOOK / "index.html").exists():
        pytest.fail("_build/html is missing: run 'make book' (make test does) before these tests")
    return BUILT_BOOK


@pytest.fixture(scope="session")
def book_url(built_book: Path) -> Iterator[str]:
    server, url = serve_directory(built_book)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium driven by Playwright, shared by the whole session."""
    executable = find_chromium()
    if executable is None:
        pytest.fail("chromium is not installed: run 'make browser-deps' (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script; a browser test run without it fails instead of skipping the audit."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run 'make browser-deps' (make test does)")
    return AXE.read_text(encoding="utf-8")
