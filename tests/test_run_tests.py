"""make test's runner (scripts/run_tests.py): the book builds in the background while the tests
that need no book run; the tests that need it wait for it, and a failed build fails the command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _support import REPO
from run_tests import dispatch_order  # scripts/ is on sys.path (conftest.py)

# The inner run is a session of its own: not a worker of this one, recording nothing.
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(("PYTEST_", "COURSEKIT_RECORD", "COURSEKIT_BOOK"))}


def test_files_needing_the_book_are_handed_out_after_its_expected_build():
    seconds = {"a": 100.0, "b": 50.0, "book": 200.0, "c": 10.0}
    # Without a build alongside: longest first, whatever the file needs.
    order = dispatch_order(set(seconds), seconds, {"book"}, build=0.0)
    assert sorted(order, key=order.get) == ["book", "a", "b", "c"]
    # With a 60 s build: the second worker runs b (0-50 s) and c (50-60 s) first, then the book file.
    order = dispatch_order(set(seconds), seconds, {"book"}, build=60.0)
    assert sorted(order, key=order.get) == ["a", "b", "c", "book"]
    # Nothing else left: a book file still gets a place (it waits for the build in its fixture).
    order = dispatch_order({"book", "c"}, seconds, {"book"}, build=1000.0)
    assert sorted(order, key=order.get) == ["c", "book"]


def test_a_failed_book_build_fails_the_tests_that_need_it_and_the_command(tmp_path: Path):
    log = tmp_path / "build.log"
    build = f"{sys.executable} -c \"print('planted build failure'); raise SystemExit(3)\""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "run_tests.py"), f"--build={build}", "--log", str(log),
         "--", "-p", "no:xdist", "-q", "tests/test_course.py::test_worked_solutions_pass_their_checks"],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "the book build failed (exit status 3)" in out  # each test that needed the book says why
    assert str(log) in out
    assert "planted build failure" in out  # the build's log is shown
    assert "FAILED: the book build exited with 3" in out


def test_a_good_build_leaves_the_tests_exit_status(tmp_path: Path):
    log = tmp_path / "build.log"
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "run_tests.py"), f"--build={sys.executable} -c pass",
         "--log", str(log), "--", "-p", "no:xdist", "-q",
         "tests/test_run_tests.py::test_files_needing_the_book_are_handed_out_after_its_expected_build"],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "book build: ok" in result.stdout
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "run_tests.py"), f"--build={sys.executable} -c pass",
         "--log", str(log), "--", "-p", "no:xdist", "-q", "tests/test_run_tests.py::no_such_test"],
        cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 4, result.stdout  # pytest's own status (usage error) comes through
