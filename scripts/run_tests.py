"""``make test``: build the book while the tests that do not need it already run.

The book build (``jupyter-book build``, strict) runs in the background with its output in
``_build/book-build.log``; pytest starts at once. ``COURSEKIT_BOOK_STATUS`` names the file the
build's exit status is written to when it ends: the ``built_book`` fixture (tests/conftest.py)
waits for it, and conftest.py hands the files that need the book to the workers only after the
build's expected end (``tests/durations.json``). The build alone uses one core; the other would
idle for its ~2 minutes without this.

Exit status: pytest's, or 1 when the book build failed (its log's end is printed).
Usage (from the Makefile): ``python scripts/run_tests.py --build="<book build command>" -- <pytest args>``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOG = REPO / "_build" / "book-build.log"
STATUS_ENV = "COURSEKIT_BOOK_STATUS"  # read by tests/conftest.py
LOG_ENV = "COURSEKIT_BOOK_LOG"  # named in the failure of a test that needed the book
BUILD_KEY = "(book build)"  # the build's seconds in tests/durations.json


def dispatch_order(files: set[str], seconds: dict[str, float], needs_book: set[str],
                   build: float, workers: int = 2) -> dict[str, int]:
    """Each file's place in the queue: longest first, as the workers would take them, except that
    a file needing the book waits until ``build`` seconds (the book's expected build time, when it
    is built alongside the tests) unless nothing else is left to run."""
    unknown = 10.0  # a file not measured yet: about a typical test file
    free = [0.0] * workers
    left = sorted(files, key=lambda f: (-seconds.get(f, unknown), f))
    order: dict[str, int] = {}
    while left:
        now = min(free)
        ready = [f for f in left if f not in needs_book or now >= build] or left
        pick = ready[0]
        left.remove(pick)
        order[pick] = len(order)
        free[free.index(now)] = max(now, build if pick in needs_book else 0.0) + seconds.get(pick, unknown)
    return order


def _write_status(path: Path, code: int) -> None:
    """Write the exit status whole (temp file, then rename): a waiting test never reads half."""
    part = path.with_suffix(".part")
    part.write_text(str(code), encoding="utf-8")
    part.replace(path)


def _record_build_seconds(seconds: float) -> None:
    """With ``COURSEKIT_RECORD_DURATIONS`` set (bench/run.py), add the build's seconds to it."""
    target = os.environ.get("COURSEKIT_RECORD_DURATIONS")
    if not target or not Path(target).is_file():
        return
    from coursekit._resources import write_atomic

    durations = json.loads(Path(target).read_text(encoding="utf-8"))
    durations[BUILD_KEY] = round(seconds, 1)
    write_atomic(Path(target), json.dumps(durations, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="the book build's command line")
    parser.add_argument("--log", type=Path, default=LOG, help=f"the build's output (default {LOG})")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    pytest_args = argv[split + 1:]

    log_path: Path = args.log.resolve()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    status = Path(tempfile.mkdtemp(prefix="coursekit-book-")) / "status"
    began = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        build = subprocess.Popen(shlex.split(args.build), cwd=REPO, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    finished: dict[str, float] = {}

    def watch() -> None:
        code = build.wait()
        finished["seconds"] = time.monotonic() - began
        _write_status(status, code)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    print(f"book build started in the background (log: {log_path})", flush=True)
    try:
        tests = subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=REPO,
                               env={**os.environ, STATUS_ENV: str(status), LOG_ENV: str(log_path)},
                               check=False)
        watcher.join()
    except KeyboardInterrupt:
        os.killpg(build.pid, signal.SIGTERM)
        raise
    finally:
        status.unlink(missing_ok=True)
        status.parent.rmdir()

    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    if build.returncode:
        print("\n".join(lines[-150:]))
        print(f"\nFAILED: the book build exited with {build.returncode} (whole log: {log_path})")
        return 1
    print(f"book build: ok in {finished['seconds']:.0f} s, alongside the tests (log: {log_path})")
    _record_build_seconds(finished["seconds"])
    return tests.returncode


if __name__ == "__main__":
    raise SystemExit(main())
