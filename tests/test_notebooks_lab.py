"""The chapters as a student reads them on Binder: JupyterLab from a fresh environment made only from
the files in ``binder/`` (``scripts/binder_check.py``'s ``build_env``: the pinned requirements, then
``postBuild``; the repository copy is deleted), each notebook alone in a folder, opened in headless
Chromium offline, every cell run. This is the Binder check: every chapter runs top to bottom there.
One JupyterLab page serves the module: each test opens its notebook with JupyterLab's own
``docmanager:open`` command, and closes it and stops its kernel after (loading JupyterLab again for
every notebook cost more CPU than most chapters take to run).

For every chapter and the timeline: exercises, glossary terms and citations are rendered by
jupyterlab-myst, no raw MyST (```` ```{exercise} ````, ``{term}`...` ``, ``{cite:t}`...` ``) is
visible, the quotations show as quotations with their ``ck.excerpt(...)`` code collapsed, solutions
are folded, the quiz widget is live and maps draw (Leaflet served from ``vendor/`` in place of the
CDN). With ``SHOTS_DIR`` set, screenshots of each chapter go there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _support import REPO, outside

sys.path.insert(0, str(REPO / "scripts"))
from binder_check import build_env
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from coursekit.sources import excerpt_calls

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = [*sorted((REPO / "chapters").glob("*.ipynb")), REPO / "reference" / "timeline.ipynb"]
TERM = re.compile(r"\{term\}`([^`<]+?)\s*(?:<[^`]*)?`")
RAW_MYST = re.compile(r"```\{|:::\{|\{(term|cite:t|cite:p|cite|ref|numref|doc|exercise|solution)[}\w-]*\}`?")
VENDOR = json.loads((REPO / "vendor" / "MANIFEST.json").read_text(encoding="utf-8"))
# CDN folder -> vendored folder (Leaflet's script, style sheet and the marker images they load).
CDN_FILES = {url: REPO / "vendor" / path
             for pkg in VENDOR["packages"] for url, path in pkg["cdn_urls"].items()}
CDN = {url.rsplit("/", 1)[0] + "/": path.parent for url, path in CDN_FILES.items()}
# The lab's own settings for the test: render every cell (no virtual scrolling), no update checks.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none", "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


PROMPTS = ".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt"
# Tracebacks and warnings (JupyterLab renders an error as stderr).
STDERR = '.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.stderr"]'

# The execution count of every code cell of the open notebook (JupyterLab's own model: a
# collapsed cell shows no prompt); null for a cell not run.
CODE_COUNTS = """() => {
    const notebook = window.jupyterapp.shell.currentWidget?.content;
    return notebook?.model ? [...notebook.model.cells].filter(c => c.type === 'code')
        .map(c => c.executionCount) : [];
}"""

# The text of every code editor on screen (a collapsed input shows a one-line placeholder instead).
VISIBLE_EDITORS = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputArea-editor')]
    .filter(e => e.offsetParent !== null).map(e => e.textContent).join('\\n')"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_lab(root: Path, state: Path, *, myst: bool = True, python: Path | None = None,
              base_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start JupyterLab on localhost serving ``root`` (token off, no browser); return it and its URL.

    ``myst=False`` disables jupyterlab-myst, to show the notebooks as they read without it.
    ``python`` and ``base_env``: the environment to run it from (default: this one).
    """
    config, settings = state / "config", state / "settings"
    for path, content in SETTINGS.items():
        target = settings / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content), encoding="utf-8")
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    disabled = {} if myst else {"jupyterlab-myst": True}
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": disabled}), encoding="utf-8")
    port = _free_port()
    env = {**(base_env or os.environ), "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(state / "ws")}
    env.pop("PYTHONPATH", None)
    lab = subprocess.Popen(
        [str(Path(python or sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--ServerApp.root_dir={root}", "--IdentityProvider.token=",
         "--ServerApp.password=", "--allow-root", "--LabApp.news_url=",
         "--ServerApp.disable_check_xsrf=True",  # lets the test stop kernels through the REST API
         "--LabApp.extension_manager=readonly",
         "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the test opens notebooks by command
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=root, env=env, stdout=(state / "lab.log").open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if lab.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {(state / 'lab.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                return lab, url
        except OSError:
            time.sleep(0.5)
    lab.terminate()
    raise RuntimeError("JupyterLab did not answer within 90 s")


def lab_page(browser, url: str, blocked: list[str]):
    """A page in which only ``url`` is reachable; the CDN's Leaflet comes from ``vendor/``."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})

    def route(r):  # only requests that leave the lab come here (the pattern goes to the browser)
        target = r.request.url
        if target in CDN_FILES:
            r.fulfill(path=str(CDN_FILES[target]))
        elif (folder := next((f for f in CDN if target.startswith(f)), None)) \
                and (CDN[folder] / target.removeprefix(folder)).is_file():
            r.fulfill(path=str(CDN[folder] / target.removeprefix(folder)))
        else:
            blocked.append(target)
            r.abort()

    context.route(outside(url, "data:", "blob:", "about:"), route)
    return context.new_page()


def load_lab(page, url: str) -> None:
    """Load JupyterLab in ``page`` (no tabs from earlier runs) and wait until it has started."""
    page.goto(f"{url}/lab?reset")
    page.wait_for_function("() => window.jupyterapp", timeout=90_000)
    page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")


def close_notebooks(page) -> None:
    """Close every document in the lab's main area (JupyterLab's "Close All Tabs"), without asking
    to save the run notebooks (the test's copies), and wait until no notebook is left in the page."""
    page.evaluate("""async () => {
        const app = window.jupyterapp;
        for (const widget of app.shell.widgets('main')) {
            if (widget.context?.model) widget.context.model.dirty = false;
        }
        await app.commands.execute('application:close-all');
    }""")
    page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel')", timeout=30_000)


def open_and_run(page, url: str, relpath: str) -> None:
    """Open a notebook in the lab that ``page`` shows (loaded first if it is not), wait for its
    kernel, run every cell and wait until all have run. The lab must have no notebook open, so that
    ``.jp-NotebookPanel`` is this one (:func:`close_notebooks`)."""
    if not page.evaluate("() => !!window.jupyterapp"):
        load_lab(page, url)
    assert page.locator(".jp-NotebookPanel").count() == 0, "another notebook is still open"
    page.evaluate("p => window.jupyterapp.commands.execute('docmanager:open', {path: p}).then(() => null)",
                  relpath)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    # The kernel starts by itself, unless JupyterLab asks which kernel to use (when the kernel
    # list arrives after the notebook): wait for whichever comes first, and answer the dialog.
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select")
    page.wait_for_function(
        "() => document.querySelector('.jp-Dialog') || document.querySelector("
        "'.jp-NotebookPanel .jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') === 'idle'",
        timeout=90_000)
    if select.count():
        select.click()
    page.wait_for_function(
        "() => !document.querySelector('.jp-Dialog') && document.querySelector("
        "'.jp-NotebookPanel .jp-Notebook-ExecutionIndicator')?.getAttribute('data-status') === 'idle'",
        timeout=90_000)
    # ...and the server has the notebook's kernel connected to this page, so "Run All" reaches it.
    _wait_for_kernel(url, relpath, page)
    page.locator(".jp-NotebookPanel .jp-Notebook").click(position={"x": 5, "y": 5})
    page.evaluate("() => { window.__ckIdleSince = 0; }")  # the page may have run a notebook before
    # No execution count is left from the saved file: every count seen after "Run All" is new.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    counts = page.evaluate(CODE_COUNTS)
    assert counts and all(c is None for c in counts), f"execution counts left after clearing: {counts}"
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.locator(".lm-Menu").get_by_text("Run All Cells", exact=True).click()
    # Settled: the kernel idle, no cell queued ([*]) and every code cell given an execution count
    # by this run (its model's count: a collapsed cell shows no prompt). Otherwise, once idle with
    # at least one cell numbered and none queued for two seconds in a row: a cell still unrun
    # ([ ]) then means "Run All" stopped at an error.
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll(PROMPTS)].map(p => p.textContent);
            const idle = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator')
                ?.getAttribute('data-status') === 'idle';
            const settled = idle && prompts.some(t => /\\[\\d+\\]/.test(t))
                && !prompts.some(t => /\\[\\*\\]/.test(t));
            const counts = (CODE_COUNTS)();
            if (settled && counts.length && counts.every(c => c !== null)) return true;
            window.__ckIdleSince = settled ? (window.__ckIdleSince || Date.now()) : 0;
            return settled && Date.now() - window.__ckIdleSince > 2000;
        }""".replace("PROMPTS", repr(PROMPTS)).replace("CODE_COUNTS", CODE_COUNTS),
        timeout=int(os.environ.get("LAB_RUN_TIMEOUT", "600")) * 1000, polling=250)
    unrun = page.evaluate(CODE_COUNTS).count(None)  # collapsed cells included (no prompt shown)
    if unrun:
        stderr = "\n".join(page.locator(STDERR).all_inner_texts())
        raise AssertionError(f"{unrun} cell(s) did not run: a cell raised an error:\n{stderr[-2000:]}")
    # An error in the last code cell leaves no cell unrun: look for its traceback too.
    tracebacks = [t for t in page.locator(STDERR).all_inner_texts() if "Traceback (most recent call" in t]
    assert not tracebacks, f"a cell raised an error:\n{tracebacks[0][-2000:]}"


def _wait_for_kernel(url: str, relpath: str, page, timeout: float = 90) -> None:
    """Wait until the server's session for ``relpath`` has an idle kernel with a client connected."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/api/sessions", timeout=10) as answer:
            kernels = [s["kernel"] for s in json.load(answer) if s.get("path") == relpath]
        if any(k.get("connections", 0) >= 1 and k.get("execution_state") == "idle" for k in kernels):
            return
        page.wait_for_timeout(200)  # lets the page's own events run while the server catches up
    raise AssertionError(f"{relpath}: no kernel connected within {timeout:.0f} s")


def shoot(page, name: str, anchor: str | None = None) -> None:
    """With ``SHOTS_DIR`` set, screenshot the lab into it as ``name``, scrolled so that ``anchor``
    (a selector) is at the top when given; without it, nothing (no one would look)."""
    if not os.environ.get("SHOTS_DIR"):
        return
    path = Path(os.environ["SHOTS_DIR"]) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if anchor and page.locator(anchor).count():
        page.locator(anchor).first.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
    page.screenshot(path=str(path))


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """JupyterLab from a fresh Binder environment, serving a copy of the notebooks (so that
    autosave never writes into the repository): the chapters alone, as a Binder user gets them."""
    python, env = build_env(tmp_path_factory.mktemp("binder"))
    root = tmp_path_factory.mktemp("lab-root")
    for nb in NOTEBOOKS:
        (root / nb.parent.name).mkdir(exist_ok=True)
        shutil.copy2(nb, root / nb.parent.name / nb.name)
    process, url = start_lab(root, tmp_path_factory.mktemp("lab-state"), python=python, base_env=env)
    yield url, root
    process.terminate()
    process.wait(timeout=30)


def _shut_down_kernels(url: str) -> None:
    """Stop the kernels the test started (each chapter's own), as closing the tab would not."""
    with urllib.request.urlopen(f"{url}/api/kernels", timeout=10) as answer:
        kernels = json.load(answer)
    for kernel in kernels:
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def _cells(nb: Path) -> list[dict]:
    return json.loads(nb.read_text(encoding="utf-8"))["cells"]


@dataclass
class LabSession:
    """One browser page showing the lab, shared by the module's tests: loading JupyterLab costs
    more CPU than most chapters, so each test opens its notebook in the loaded lab instead.

    ``blocked`` and ``errors`` collect the requests aborted and the page's uncaught errors; each
    test empties them first, so they hold its own. ``healthy`` is False after a test failed, so the
    next one reloads the lab rather than start from whatever state the failure left."""

    url: str
    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    healthy: bool = False


@pytest.fixture(scope="module")
def lab_session(chromium, lab) -> Iterator[LabSession]:
    url, _root = lab
    session = LabSession(url, None)
    session.page = lab_page(chromium, url, session.blocked)
    session.page.on("pageerror", lambda e: session.errors.append(str(e)))
    yield session
    session.page.context.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_reads_as_in_the_book(lab_session: LabSession, notebook: Path) -> None:
    url, page = lab_session.url, lab_session.page
    cells = _cells(notebook)
    sources = ["".join(c["source"]) for c in cells]
    blocked, errors = lab_session.blocked, lab_session.errors
    blocked.clear()
    errors.clear()
    if not lab_session.healthy:  # the first test, or the one before failed
        load_lab(page, url)
        _shut_down_kernels(url)
    lab_session.healthy = False
    try:
        open_and_run(page, url, f"{notebook.parent.name}/{notebook.name}")
        panel = page.locator(".jp-NotebookPanel")
        shoot(page, f"{notebook.stem}-top.png")
        text = panel.inner_text()

        # No raw MyST anywhere a student can see it.
        raw = sorted(set(m.group(0) for m in RAW_MYST.finditer(text)))
        assert not raw, f"raw MyST visible: {raw}"

        # Exercises and solutions: each directive is a rendered box.
        n_exercises = sum(s.count("{exercise}") for s in sources)
        n_solutions = sum(s.count("{solution}") + s.count("{solution-start}") for s in sources)
        assert panel.locator(".myst-exercise").count() >= n_exercises + n_solutions
        assert panel.locator(".myst-exercise-title").filter(
            has_text=re.compile(r"^Exercise \d+")).count() == n_exercises
        if n_exercises:
            shoot(page, f"{notebook.stem}-exercise.png", ".jp-MarkdownCell:has(.myst-exercise)")

        # Glossary terms and citations: the words are there, the roles are not.
        for term in {m.group(1).strip() for s in sources for m in TERM.finditer(s)}:
            assert term in text, f"glossary term {term!r} not rendered"
        if any("{cite" in s for s in sources):
            assert panel.locator(".cite-group, cite").count() > 0

        # Quotations: shown as quotations; their code collapsed.
        n_excerpts = sum(len(excerpt_calls(s)) for s, c in zip(sources, cells, strict=True)
                         if c["cell_type"] == "code")
        assert panel.locator(".jp-OutputArea .ck-excerpt").count() == n_excerpts
        editors = page.evaluate(VISIBLE_EDITORS)
        assert "ck.excerpt(" not in editors, "an excerpt's code is open in an editor, not collapsed"
        assert panel.locator(".jp-InputPlaceholder").count() >= n_excerpts
        if n_excerpts:
            shoot(page, f"{notebook.stem}-excerpt.png", ".jp-Cell:has(.ck-excerpt)")

        # Solutions folded: no solution's body, code or output is on screen until the student opens it.
        # (a solution without ":class: dropdown" is an open box with no folded body: count them)
        bodies = panel.locator(".myst-exercise .details-body")
        assert bodies.count() == n_solutions, f"{n_solutions - bodies.count()} solution(s) not folded"
        for body in bodies.all():
            assert not body.is_visible()
        # ...and every cell the conventions collapse shows the placeholder, not its editor.
        dom_cells = panel.locator(".jp-Notebook .jp-Cell")
        assert dom_cells.count() == len(cells)
        for index, cell in enumerate(cells):
            if cell["metadata"].get("jupyter", {}).get("source_hidden"):
                node = dom_cells.nth(index)
                assert node.locator(".jp-InputPlaceholder").is_visible(), cell["id"]
                assert not node.locator(".jp-InputArea-editor").is_visible(), cell["id"]
                # (outputs_hidden folds a solution's output until it runs: JupyterLab shows fresh output)

        # The quiz widget is live (the anywidget drew its questions) where a chapter has a quiz.
        if any("ck.quiz.show(" in s for s in sources):
            quiz = panel.locator(".jp-OutputArea-output form.ck-quiz")
            try:  # the widget draws once its model arrives from the kernel
                quiz.first.wait_for(timeout=30_000)
            except PlaywrightTimeout:
                raise AssertionError("no quiz widget drawn within 30 s") from None
            # ...as the widget, not the book's static HTML (which JupyterLab would show in its place)
            assert panel.locator(".jp-RenderedHTMLCommon form.ck-quiz").count() == 0

        # Maps draw with Leaflet, offline.
        frames = panel.locator(".coursekit-map iframe")
        for i in range(frames.count()):
            frame = frames.nth(i).content_frame
            frame.locator(".leaflet-container").wait_for(timeout=30_000)
    finally:
        close_notebooks(page)
        _shut_down_kernels(url)
    # Only map tiles are left to the network (a map without them still draws its shapes and text).
    assert not [b for b in blocked if not b.startswith("https://tile.openstreetmap.org/")], blocked
    assert not errors, f"page errors: {errors}"
    lab_session.healthy = True
