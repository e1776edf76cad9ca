"""Benchmark of the course's build, tests and pages (``make bench``).

Measures, on this machine, and writes ``bench/results.json`` plus a printed table:

- clean build of the whole book (all notebooks executed), no-op rebuild, rebuild after editing
  one chapter; the same clean build of an empty book with the same toolchain, for ratios;
- the sum of the chapter notebooks' own execution times (nbclient, one clean kernel each);
- the test command's wall time: ``make test`` in a fresh clone of the committed HEAD, as CI runs it
  (environment, book build, every test), with the load average (the machine is shared: compare
  runs at similar load) and the machine's speed before and after (a fixed pure-Python loop's
  seconds: a rough guide only, as the same code's time varied by a quarter between days and the
  loop did not predict it closely); each test file's seconds
  go to ``tests/durations.json``, the order in which ``make test`` hands files to its workers; and
  nbval over the chapters alone, in the built copy;
- ``import coursekit`` time and the load time of each dataset;
- bytes transferred on the first load of each page (HTML plus every asset and its headers,
  measured in Chromium with the cache empty and the network cut off), served both with gzip (as
  static hosts serve it; the budget applies to this) and uncompressed; the largest page; the
  built site size.

Builds run in a temporary copy of the working tree (its ``coursekit`` imported from the copy) and
the test command in a fresh clone, so the working tree's ``.venv`` and ``_build`` are never used.
Budgets: clean build <= 3 x (notebook execution + empty-book build); no-op rebuild < 10 s;
first load of any chapter page <= 700 KB with gzip and <= 1.5 MB uncompressed (maps load
lazily, so the weight with every map loaded is reported beside it); ``import coursekit`` < 1 s;
test command <= 8 min.

``python bench/run.py --pages-only [SITE]`` (``make bench-pages``) measures only the pages of an
already built site (default ``_build/html``).

``python bench/run.py --tests-only`` (``make bench-tests``) measures only the test command from a
fresh clone, and updates those figures in ``bench/results.json``.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results.json"
TEST_COMMAND_BUDGET_S = 8 * 60
# first load of every chapter page (issue 17): with gzip, as static hosts serve it, and without
PAGE_BUDGET_GZIP = 700 * 1000
PAGE_BUDGET_RAW = 1500 * 1000
sys.path.insert(0, str(REPO / "tests"))
from _support import CHROMIUM_ARGS, find_chromium, offline_context, toc_pages  # noqa: E402


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall time of ``cmd``; if it fails, its output is printed and the benchmark stops."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env)
    if done.returncode:
        print(done.stdout[-20000:], file=sys.stderr)
        raise SystemExit(f"bench: {' '.join(cmd)} failed with exit status {done.returncode}")
    return time.perf_counter() - start


def copy_repo(dest: Path) -> Path:
    """A copy of the working tree as a fresh clone would have it (axe-core linked in)."""
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(
        ".venv", "_build", ".git", "node_modules", "__pycache__"))
    axe = REPO / "tests" / "browser" / "node_modules"
    if axe.is_dir():
        (dest / "tests" / "browser" / "node_modules").symlink_to(axe, target_is_directory=True)
    return dest


def copy_env(book: Path) -> dict[str, str]:
    """The environment that makes the copy import its own ``coursekit`` (kernels inherit it)."""
    return {**os.environ, "PYTHONPATH": str(book / "src")}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_speed() -> float:
    """Seconds one core takes for a fixed pure-Python loop (best of three): a rough figure for
    this machine's speed at the time, recorded beside the test command's time to compare days."""
    loop = "x = 0\nfor i in range(20_000_000):\n    x += i"
    return round(min(timeit.repeat(loop, number=1, repeat=3)), 2)


def nbval_seconds(book: Path) -> float:
    """Wall time of nbval over the chapters in this environment, in ``book`` (``make test`` runs
    nbval inside the Colab check instead, each chapter alone in a fresh environment)."""
    pytest = [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "nbval",
              "--nbval-lax", "--nbval-current-env", "chapters"]
    return timed(pytest, cwd=book, env=copy_env(book))


def fresh_clone_test_command() -> dict[str, object]:
    """``make test`` in a fresh clone of the committed HEAD, as CI runs it: environment, book build
    and every test. The run records each test file's seconds in ``tests/durations.json``, the order
    in which ``make test`` hands files to its workers (longest first)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.strip()
    # beside the repository, as a CI checkout is, so that ../shared (the raw seeds) resolves the same
    with tempfile.TemporaryDirectory(prefix="coursekit-bench-clone-", dir=REPO.parent) as tmp:
        clone = Path(tmp)
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        env = {**os.environ, "COURSEKIT_RECORD_DURATIONS": str(REPO / "tests" / "durations.json")}
        for name in ("VIRTUAL_ENV", "PYTHONPATH"):
            env.pop(name, None)
        load_before, speed_before = load_average(), machine_speed()
        seconds = timed(["make", "test"], cwd=clone, env=env)
    return {"test_command_fresh_clone_s": seconds, "test_command_fresh_clone_commit": commit,
            "test_command_fresh_clone_load": [load_before, load_average()],
            "test_command_fresh_clone_machine_speed_s": [speed_before, machine_speed()]}


def jb_build(book: Path) -> float:
    return timed([str(BIN / "jupyter-book"), "build", str(book), "-W", "-n", "--keep-going"], cwd=book,
                 env=copy_env(book))


def notebook_execution_seconds() -> dict[str, float]:
    import nbclient
    import nbformat

    times = {}
    for path in sorted((REPO / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        times[path.name] = time.perf_counter() - start
    return times


def empty_book_build(work: Path) -> float:
    book = work / "empty"
    book.mkdir()
    (book / "_config.yml").write_text("title: Empty\nexecute:\n  execute_notebooks: cache\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (book / "intro.md").write_text("# Empty\n\nAn empty book.\n")
    return jb_build(book)


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import coursekit; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(5)]
    return statistics.median(runs)


def dataset_load_times() -> dict[str, float]:
    code = ("import time, json, coursekit.data as d; out = {}\n"
            "for n in d.names():\n"
            "    t = time.perf_counter(); d.load(n); out[n] = time.perf_counter() - t\n"
            "print(json.dumps(out))")
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                     check=True).stdout)


_TEXT_SUFFIXES = frozenset({".html", ".js", ".css", ".json", ".svg", ".txt", ".map"})


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Static file server; when the server's ``compress`` is set it gzips text assets, as GitHub
    Pages, Netlify or Read the Docs do."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if (not self.server.compress or path.suffix not in _TEXT_SUFFIXES or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def _scroll_through(page) -> None:
    """Scroll to the bottom in viewport steps, so that every lazily loaded map loads."""
    height = page.evaluate("document.documentElement.scrollHeight")
    step = page.viewport_size["height"] if page.viewport_size else 700
    for y in range(0, height + step, step):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def page_weights(site: Path, compress: bool, scrolled: bool = False) -> dict[str, int]:
    """Bytes transferred (bodies as sent, plus headers) on the first load of every page, with an
    empty cache and the network cut off; a file requested twice is served from cache once.
    ``scrolled``: after scrolling through the whole page (every map loaded) instead."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_StaticHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.compress = compress  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    weights = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
            for page_path in toc_pages():
                context = offline_context(browser, url)
                page = context.new_page()
                finished = []
                page.on("requestfinished", lambda request, found=finished: found.append(request))
                page.goto(f"{url}/{page_path}", wait_until="load")
                page.wait_for_load_state("networkidle")
                if scrolled:
                    _scroll_through(page)
                total = 0
                for request in finished:
                    sizes = request.sizes()
                    total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                weights[page_path] = total
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return weights


def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def tests_only() -> int:
    """The test command from a fresh clone only; update those figures in ``bench/results.json``."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(fresh_clone_test_command())
    seconds = results["test_command_fresh_clone_s"]
    results.setdefault("budgets", {})["test_command"] = [seconds, TEST_COMMAND_BUDGET_S]
    write_results(results)
    print(f"make test in a fresh clone of {results['test_command_fresh_clone_commit']}: {seconds:.1f} s "
          f"(budget {TEST_COMMAND_BUDGET_S} s); load average before/after "
          f"{results['test_command_fresh_clone_load']}; machine speed before/after (s, lower is "
          f"faster) {results['test_command_fresh_clone_machine_speed_s']}")
    return 0 if seconds <= TEST_COMMAND_BUDGET_S else 1


def write_results(results: dict) -> None:
    from coursekit._resources import write_atomic

    write_atomic(RESULTS, json.dumps(results, indent=2, sort_keys=True) + "\n")


def pages_only(site: Path) -> int:
    """Page weights of an already built site (``make bench-pages``): first load with gzip and
    uncompressed, and with gzip after scrolling through each page (every map loaded); the
    chapter budgets; the site's size. Updates those figures in ``bench/results.json``."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["page_bytes"] = page_weights(site, compress=True)
    results["page_bytes_uncompressed"] = page_weights(site, compress=False)
    results["page_bytes_scrolled_to_end"] = page_weights(site, compress=True, scrolled=True)
    results["site_bytes"] = site_size(site)
    chapters = [k for k in results["page_bytes"] if k.startswith("chapters/")]
    budgets = results.setdefault("budgets", {})
    budgets["largest_chapter_page_bytes_gzip"] = [
        max(results["page_bytes"][k] for k in chapters), PAGE_BUDGET_GZIP]
    budgets["largest_chapter_page_bytes_uncompressed"] = [
        max(results["page_bytes_uncompressed"][k] for k in chapters), PAGE_BUDGET_RAW]
    write_results(results)
    print(render_pages(results))
    over = [k for k in ("largest_chapter_page_bytes_gzip", "largest_chapter_page_bytes_uncompressed")
            if budgets[k][0] > budgets[k][1]]
    print("page budgets:", "OVER " + ", ".join(over) if over else "ok")
    return 1 if over else 0


def render_pages(r: dict) -> str:
    """The page-weight table: first load with gzip and uncompressed; gzip scrolled to the end."""
    loaded = r.get("page_bytes_scrolled_to_end", {})
    lines = [f"{'page':<42} {'gzip':>8} {'raw':>8} {'scrolled, gzip':>15}   (KB = 1000 bytes)"]
    for k in sorted(r["page_bytes"]):
        lines.append(f"{k:<42} {r['page_bytes'][k] / 1000:>8.0f} "
                     f"{r['page_bytes_uncompressed'][k] / 1000:>8.0f} {loaded.get(k, 0) / 1000:>15.0f}")
    lines.append(f"built site, total: {r['site_bytes'] / 1e6:.2f} MB")
    return "\n".join(lines)


def main() -> int:
    if sys.argv[1:] == ["--tests-only"]:
        return tests_only()
    if sys.argv[1:2] == ["--pages-only"]:
        return pages_only(Path(sys.argv[2]) if len(sys.argv) > 2 else REPO / "_build" / "html")
    results: dict[str, object] = {"machine": os.uname().nodename, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="coursekit-bench-") as tmp:
        work = Path(tmp)
        book = copy_repo(work / "book")
        results["clean_build_s"] = jb_build(book)
        results["noop_rebuild_s"] = jb_build(book)
        chapter = sorted((book / "chapters").glob("*.ipynb"))[0]
        original = chapter.read_text()
        nb = json.loads(original)
        nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "bench-edit",
                            "metadata": {}, "outputs": [], "source": ["1 + 1"]})
        chapter.write_text(json.dumps(nb, indent=1))
        results["edited_chapter_rebuild_s"] = jb_build(book)
        results["empty_book_build_s"] = empty_book_build(work)
        site = book / "_build" / "html"
        weights = page_weights(site, compress=True)
        results["page_bytes"] = weights
        results["page_bytes_uncompressed"] = page_weights(site, compress=False)
        results["page_bytes_scrolled_to_end"] = page_weights(site, compress=True, scrolled=True)
        results["site_bytes"] = site_size(site)
        chapter.write_text(original)  # the tests run on the book as committed
        jb_build(book)
        results["nbval_s"] = nbval_seconds(book)
    results.update(fresh_clone_test_command())
    executions = notebook_execution_seconds()
    results["notebook_execution_s"] = executions
    results["notebook_execution_total_s"] = sum(executions.values())
    results["import_coursekit_s"] = import_time()
    results["dataset_load_s"] = dataset_load_times()

    chapter_pages = {k: v for k, v in weights.items() if k.startswith("chapters/")}
    raw = results["page_bytes_uncompressed"]
    budget_build = 3 * (results["notebook_execution_total_s"] + results["empty_book_build_s"])
    largest = max(weights.items(), key=lambda kv: kv[1])
    results["budgets"] = {
        "clean_build": [results["clean_build_s"], budget_build],
        "noop_rebuild": [results["noop_rebuild_s"], 10.0],
        "largest_chapter_page_bytes_gzip": [max(chapter_pages.values(), default=0), PAGE_BUDGET_GZIP],
        "largest_chapter_page_bytes_uncompressed": [
            max((v for k, v in raw.items() if k.startswith("chapters/")), default=0), PAGE_BUDGET_RAW],
        "import_coursekit": [results["import_coursekit_s"], 1.0],
        "test_command": [results["test_command_fresh_clone_s"], TEST_COMMAND_BUDGET_S],
    }
    write_results(results)
    results["largest_chapter_page_bytes_uncompressed"] = max(
        (v for k, v in raw.items() if k.startswith("chapters/")), default=0)
    print(render_table(results, largest))
    return 0 if all(v <= b for v, b in results["budgets"].values()) else 1


def render_table(r: dict, largest: tuple[str, int]) -> str:
    rows = [
        ("clean build (all notebooks executed)", f"{r['clean_build_s']:.1f} s"),
        ("no-op rebuild", f"{r['noop_rebuild_s']:.1f} s"),
        ("rebuild after editing one chapter", f"{r['edited_chapter_rebuild_s']:.1f} s"),
        ("empty book, same toolchain", f"{r['empty_book_build_s']:.1f} s"),
        ("notebooks' own execution (sum)", f"{r['notebook_execution_total_s']:.1f} s"),
        ("clean build / (execution + empty book)",
         f"{r['clean_build_s'] / (r['notebook_execution_total_s'] + r['empty_book_build_s']):.2f} x"),
        ("test command (make test in a fresh clone)", f"{r['test_command_fresh_clone_s']:.1f} s"),
        ("load average before / after the test command", str(r["test_command_fresh_clone_load"])),
        ("nbval of the chapters alone", f"{r['nbval_s']:.1f} s"),
        ("import coursekit (median of 5)", f"{r['import_coursekit_s'] * 1000:.0f} ms"),
        *[(f"load('{k}')", f"{v * 1000:.1f} ms") for k, v in sorted(r["dataset_load_s"].items())],
        *[(f"first load {k} (gzip / uncompressed; gzip scrolled to the end)",
           f"{v / 1000:.0f} / {r['page_bytes_uncompressed'][k] / 1000:.0f} KB; "
           f"{r['page_bytes_scrolled_to_end'][k] / 1000:.0f} KB")
          for k, v in sorted(r["page_bytes"].items())],
        (f"largest page, gzip ({largest[0]})", f"{largest[1] / 1000:.0f} KB"),
        ("built site, total", f"{r['site_bytes'] / 1024 / 1024:.1f} MiB"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{'measure':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("")
    lines.append("budgets (value <= budget):")
    for name, (value, budget) in r["budgets"].items():
        ok = "ok" if value <= budget else "OVER"
        lines.append(f"  {name:<28} {value:>12.2f}  <= {budget:<12.2f} {ok}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
