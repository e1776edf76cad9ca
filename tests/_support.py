"""Helpers shared by the tests and by ``bench/run.py``: no pytest import, no test functions.

- a quiet static server on a free localhost port;
- Debian's chromium (found on ``PATH`` or at ``/usr/bin/chromium``) and its flags, plus an
  offline browser context (requests routed and aborted) and a cached one (requests sent to a
  closed proxy port, so that Chromium's HTTP cache stays on);
- axe-core from ``tests/browser/node_modules`` (``make browser-deps`` installs it), the rule
  sets the book is held to and a runner returning its violations;
- the texts the accessibility tree exposes in live regions (what a screen reader announces);
- the pages of ``_toc.yml``;
- a throwaway Sphinx site for map fragments.
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import re
import shutil
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
BUILT_BOOK = REPO / "_build" / "html"
VENDOR = REPO / "vendor"
#: Every chapter's id (ch00, ch01, ...), from the chapter notebooks themselves.
CHAPTER_IDS = sorted(f"ch{p.name[:2]}" for p in (REPO / "chapters").glob("[0-9][0-9]-*.ipynb"))
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core rule tags the book must pass with no finding of any impact (WCAG 2.0 and 2.1, levels
#: A and AA, plus Deque's best practices); reference/accessibility.md states the same.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: Chromium features the tests turn off: the omnibox popup, which Chromium draws as a WebUI page
#: in a renderer process of its own for every window (a headless window never shows it; about
#: 0.8 CPU-s per window over a test run, some 20 CPU-s in all).
DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")


def playwright_disabled_features() -> list[str]:
    """The features Playwright's own ``--disable-features`` switch turns off, read from its
    driver (``chromiumSwitches``); empty when that list cannot be found there, or holds
    anything but plain names (a name chosen at run time, say)."""
    from playwright._impl._driver import compute_driver_executable

    lib = Path(compute_driver_executable()[1]).parent / "lib"
    for path in (lib / "server" / "chromium" / "chromiumSwitches.js", lib / "coreBundle.js"):
        if path.is_file():
            found = re.search(r"disabledFeatures = \[(.*?)\]", path.read_text(encoding="utf-8"), re.S)
            if found:
                items = re.sub(r"//[^\n]*", "", found.group(1)).replace(",", " ").split()
                names = [item.strip('"') for item in items]
                plain = all(re.fullmatch(r'"\w+"', item) for item in items)
                return names if plain else []
    return []


def _disable_features() -> list[str]:
    """One ``--disable-features`` with Playwright's features and :data:`DISABLED_FEATURES`:
    Chromium keeps only the last of several such switches, so this one repeats Playwright's.
    Nothing when Playwright's list is not found (the tests then run as before, only slower)."""
    theirs = playwright_disabled_features()
    return [f"--disable-features={','.join([*theirs, *DISABLED_FEATURES])}"] if theirs else []


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    *_disable_features(),
]


def find_chromium() -> str | None:
    """The chromium executable to launch: the one on ``PATH``, else ``/usr/bin/chromium``."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Keep-alive: a page's few dozen files come over a handful of connections, not one each.
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_directory(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``root`` on a free localhost port; return the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def offline_context(browser, allowed_prefix: str, blocked: list[str] | None = None, **options):
    """A browser context in which every request outside ``allowed_prefix`` (or ``data:``) is
    aborted; the aborted URLs are appended to ``blocked`` when it is given.

    The pattern goes to the browser, so only the requests to abort make a round trip to Python."""
    context = browser.new_context(**options)

    def abort(route):
        if blocked is not None:
            blocked.append(route.request.url)
        route.abort()

    context.route(outside(allowed_prefix, "data:"), abort)
    return context


@functools.cache
def _closed_port() -> socket.socket:
    """A localhost TCP port bound for the whole process and never listened on: every connection
    to it is refused at once, and no other program can take the port meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def cached_offline_context(browser, allowed_origin: str, blocked: list[str] | None = None, **options):
    """A browser context in which every request outside ``allowed_origin`` (or ``data:``) fails,
    as in :func:`offline_context`, but with Chromium's HTTP cache on.

    Playwright turns the cache off in any context that has a route. Here no request is routed:
    the context's proxy is a closed localhost port that only ``allowed_origin`` (scheme, host,
    port; a ``file:`` origin bypasses nothing) bypasses, so the browser itself fails every other
    request, loopback included, with ``net::ERR_PROXY_CONNECTION_FAILED``. The URLs of failed
    requests outside ``allowed_origin`` and ``data:`` are appended to ``blocked`` when given."""
    parts = urlsplit(allowed_origin)
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ValueError(f"cached_offline_context wants an origin, not {allowed_origin!r}")
    proxy = {"server": f"http://127.0.0.1:{_closed_port().getsockname()[1]}"}
    if parts.scheme in ("http", "https"):
        # "127.0.0.1:8000" bypasses only that port; Playwright proxies the rest of loopback.
        proxy["bypass"] = parts.netloc
    context = browser.new_context(proxy=proxy, **options)
    if blocked is not None:
        left = outside(allowed_origin.rstrip("/"), "data:")
        context.on("requestfailed", lambda request: blocked.append(request.url)
                   if left.match(request.url) else None)
    return context


#: What Chromium logs for a resource the closed proxy of :func:`cached_offline_context` refused
#: (the text names no URL; the message's location is the resource's URL). An aborted route logs
#: ``net::ERR_FAILED`` instead.
PROXY_REFUSED = "Failed to load resource: net::ERR_PROXY_CONNECTION_FAILED"


def favicon_miss(message, origin: str) -> bool:
    """Whether a console message is the 404 of ``origin/favicon.ico``. Chromium asks a site for it
    by itself (the book declares no icon); in a context without routes the miss is logged, and
    Playwright reports no request or response for any ``/favicon.ico``, routed or not."""
    return (message.type == "error" and message.location.get("url") == f"{origin.rstrip('/')}/favicon.ico"
            and "status of 404" in message.text)


def outside(*prefixes: str) -> re.Pattern[str]:
    """A URL pattern for ``context.route`` matching every URL that starts with none of
    ``prefixes``; Playwright hands it to the browser, which then routes only those requests."""
    return re.compile("^(?!" + "|".join(re.escape(p) for p in prefixes) + ")")


def axe_violations(page, axe_source: str) -> list[dict]:
    """Run axe-core (rules tagged :data:`AXE_TAGS`) on ``page``; its violations, each with id,
    impact, help and up to three target selectors."""
    page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                     resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
        AXE_TAGS)


def live_region_texts(page) -> list[str]:
    """The text of every live region in Chromium's accessibility tree (nodes whose ``live``
    property is polite or assertive): what a screen reader announces when it changes."""
    client = page.context.new_cdp_session(page)
    try:
        nodes = client.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        client.detach()
    by_id = {node["nodeId"]: node for node in nodes}

    def live(node: dict) -> bool:
        return any(p["name"] == "live" and p["value"].get("value") in ("polite", "assertive")
                   for p in node.get("properties", []))

    def text(node: dict) -> str:
        if node.get("role", {}).get("value") in ("StaticText", "text"):
            return node.get("name", {}).get("value", "")
        return " ".join(t for t in (text(by_id[c]) for c in node.get("childIds", []) if c in by_id) if t)

    roots = [n for n in nodes if live(n) and not (n.get("parentId") in by_id and live(by_id[n["parentId"]]))]
    return [" ".join(text(n).split()) for n in roots]


def toc_pages() -> list[str]:
    """HTML paths of every page in ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    pages: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    pages.append(f"{node[key]}.html")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return pages


def raw_html(fragment: str) -> str:
    """An reStructuredText ``raw:: html`` block holding ``fragment``."""
    return ".. raw:: html\n\n" + "".join(f"   {line}\n" for line in fragment.splitlines()) + "\n"


def sphinx_project(root: Path, pages: dict[str, str]) -> Path:
    """A minimal Sphinx project using ``coursekit.sphinxext``; ``pages`` maps a document name
    (``"index"``, ``"chapters/one"``) to its reStructuredText."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "conf.py").write_text(
        "extensions = ['coursekit.sphinxext']\n"
        "html_theme = 'basic'\n"
        f"coursekit_vendor_dir = {str(VENDOR)!r}\n"
        "exclude_patterns = ['_build']\n"
    )
    for name, body in pages.items():
        path = root / f"{name}.rst"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


def sample_maps() -> dict:
    """One map of every kind; the map tests and the maps browser test draw the same set."""
    from coursekit import maps

    return {
        "installations": maps.installations_map(),
        "installations-2004": maps.installations_map(2004),
        "membership": maps.membership_map("csto", ["2003-01-01", "2013-01-01"]),
        "events": maps.events_map(),
        "route": maps.route_map("northern-route"),
    }


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts (the data tests' reader)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Write ``rows`` back as CSV in the datasets' own layout."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def executed_notebook(built_book: Path, notebook: Path) -> dict:
    """``notebook`` with the outputs the book build computed, from the build's jupyter-cache
    (myst-nb's own; ``_build/jupyter_execute`` lacks outputs when a notebook came from the cache)."""
    import nbformat
    from jupyter_cache import get_cache

    nb = nbformat.read(notebook, as_version=4)
    try:
        _, merged = get_cache(built_book.parent / ".jupyter_cache").merge_match_into_notebook(nb)
    except KeyError:
        pytest.fail(f"the book build has no outputs for {notebook.name}: run 'make book'")
    return json.loads(nbformat.writes(merged))


def fill_in(fieldset) -> None:
    """Give some answer to every input of a quiz question in the book (a Playwright locator)."""
    choice = fieldset.locator("input[type=radio], input[type=checkbox]")
    if choice.count():
        choice.first.check(force=True)
    for box in fieldset.locator("input[type=text], input[type=number], input:not([type])").all():
        box.fill("1")
    for select in fieldset.locator("select").all():
        select.select_option(index=1)


def coursekit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built once per test session and shared by every test (and
    both xdist workers) that reads it; callers must not change it.

    ``uv build --wheel``: hatchling builds the same bytes as ``pip wheel`` (what the Gradescope
    CLI runs), for a sixth of the CPU. The first caller builds into a temporary folder and
    renames the wheel into place under a lock; the others wait and reuse it.
    """
    import fcntl
    import os
    import tempfile

    session = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        session = session.parent  # the workers' basetemps share this session folder
    folder = session / "coursekit-wheel"
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = sorted(folder.glob("coursekit-*.whl"))
        if not built:
            from colab_check import build_wheel  # scripts/ is on sys.path (conftest.py)

            staging = Path(tempfile.mkdtemp(dir=folder))
            wheel = build_wheel(staging)
            built = [wheel.rename(folder / wheel.name)]
            shutil.rmtree(staging)
    (wheel,) = built
    return wheel
