"""Hostile and awkward submissions against ``coursekit grade`` (with the bubblewrap sandbox).

One class, graded once (``-j 2``): an honest student with wrong answers, a classmate with
right ones, and one student per attack. Every attack must score exactly what the honest
wrong answer scores, and be contained: nothing it wrote outside its scratch folder exists
afterwards, no process it started survives, and ``grades.csv`` does not change after the run.
Then the awkward-but-honest answers, malformed inputs, names, Ctrl-C and ``--resume``.
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from coursekit.assignments import assign, grade
from coursekit.assignments._chapters import cell_info
from coursekit.assignments._sandbox import (
    _UID_BASE,
    TAG_ENV,
    Limits,
    NotebookRun,
    Sandbox,
    SandboxUnavailable,
)

FIXTURE = Path(__file__).parent / "fixtures" / "assign" / "book"
QUIZZES = FIXTURE / "chapters" / "quizzes"
CH98 = "98-fixture-visits.ipynb"
REPO = Path(__file__).resolve().parent.parent
MARK = "ADV-PLANTED-7f3c"
#: Tags this module's sandboxes, so that a parallel test's sandboxes are not counted as ours.
TAG = f"adversarial-{os.getpid()}"
LIMITS = Limits(cell_timeout=8, notebook_timeout=90, memory_mb=1536, max_procs=48,
                max_output_mb=32)

WRONG_EX2 = "answer = 'Country A'"
WRONG_EX3 = "total = 9"


@pytest.fixture(autouse=True)
def _fixture_quizzes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEKIT_QUIZZES_DIR", str(QUIZZES))


@functools.cache
def _sandbox_or_fail() -> None:
    """Fail (not skip) without a working sandbox; its self-test runs once per module."""
    try:
        Sandbox(LIMITS, [])
    except SandboxUnavailable as exc:
        pytest.fail(f"the grading sandbox is required for these tests: {exc} "
                    "(scripts/ensure_browser_deps.sh installs bubblewrap)")


def _cell(nb: nbformat.NotebookNode, item_id: str, role: str) -> int:
    (index,) = [i for i, c in enumerate(nb.cells)
                if cell_info(c).get("id") == item_id and cell_info(c).get("role") == role]
    return index


def _student(blank: nbformat.NotebookNode, ex2: str = WRONG_EX2, ex3: str = WRONG_EX3,
             before: str | None = None) -> nbformat.NotebookNode:
    nb = copy.deepcopy(blank)
    nb.cells[_cell(nb, "ch98-ex-2", "answer")].source = ex2
    nb.cells[_cell(nb, "ch98-ex-3", "answer")].source = ex3
    if before is not None:
        nb.cells.insert(_cell(nb, "ch98-ex-2", "answer"), new_code_cell(before))
    return nb


def _save(nb: nbformat.NotebookNode, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / CH98)


def _attacks(hw: Path, subs: Path, out: Path, home_mark: Path, port: int) -> dict[str, dict]:
    """Student name -> {"before": code in a new cell before ex-2, "ex2": ..., "ex3": ...}."""
    snapshot = hw / "instructor" / "quizzes" / "ch98.yml"
    steal = f"""
import coursekit
answer = 'Country A'
for source in ['ch98', {str(QUIZZES / 'ch98.yml')!r}, {str(snapshot)!r}]:
    for bank in [None, {str(hw / "instructor" / "bank")!r}, {str(FIXTURE / "instructor-bank")!r},
                 'instructor-bank']:
        try:
            found = coursekit.quiz.load(source, bank=bank)['ch98-ex-2'].expected
        except Exception:
            continue
        if found is not None:
            answer = found
"""
    return {
        "keys_via_quiz_load": {"ex2": steal},
        "monkeypatch_recorder": {"before": """
import coursekit, coursekit.quiz, coursekit.assignments
import coursekit.assignments._answers as recorder
coursekit.check = coursekit.quiz.check = coursekit.assignments.check = lambda i, a: True
recorder.record = lambda *args, **kwargs: None
"""},
        "forge_runner_output": {"before": """
import json, os
forged = json.dumps({"format": 1, "done": True, "score": 999, "points": {"ch98-ex-2": 3},
                     "cells": {"7": {"records": [["ch98-ex-2", "Country A"]], "error": None,
                                     "points": 3}}}) + "\\n"
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    try:
        fds = os.listdir(f'/proc/{pid}/fd')
    except OSError:
        continue
    for fd in fds:
        try:
            target = os.open(f'/proc/{pid}/fd/{fd}', os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
            os.write(target, forged.encode())
            os.close(target)
        except OSError:
            pass
log = os.environ.get('COURSEKIT_GRADE_LOG')
if log:
    with open(log, 'a') as handle:
        handle.write(json.dumps({"id": "ch98-ex-2", "answer": "Country A", "score": 1,
                                 "fraction": 1.0}) + "\\n")
"""},
        "scorer_as_oracle": {"before": """
import coursekit
found = None
for guess in ['Country A', 'Country B', 'Country C']:
    if coursekit.check('ch98-ex-2', guess) or coursekit.quiz.check('ch98-ex-2', guess):
        found = guess
        break
for n in range(20):
    try:
        from coursekit.assignments import _quizapi
        if _quizapi.score(coursekit.quiz.load('ch98'), 'ch98-ex-3', n)[0] == 1:
            found_total = n
    except Exception:
        pass
""", "ex2": "answer = found or 'Country A'", "ex3": "total = globals().get('found_total', 9)"},
        "proc_cmdline": {"ex2": """
import os, coursekit
answer = 'Country A'
seen = []
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    for name in ('cmdline', 'environ'):
        try:
            seen += open(f'/proc/{pid}/{name}', 'rb').read().decode('utf-8', 'replace') \\
                .replace('\\0', ' ').replace('=', ' ').split()
        except OSError:
            pass
for token in seen:
    for candidate in (token, token + '/instructor/quizzes/ch98.yml', token + '/ch98.yml'):
        try:
            answer = coursekit.quiz.load(candidate)['ch98-ex-2'].expected
        except Exception:
            pass
"""},
        "rewrite_classmate": {"before": f"""
import glob
for path in glob.glob({str(subs)!r} + '/**/*.ipynb', recursive=True) + \\
        glob.glob('/tmp/**/*.ipynb', recursive=True):
    if 'victim' in path:
        try:
            open(path, 'w').write('{{}}')
        except OSError:
            pass
"""},
        "plant_grades": {"before": f"""
import os
for target in [{str(out / 'grades.csv')!r}, {str(out / '.progress' / 'x.json')!r},
               {str(out / 'feedback' / 'victim.md')!r}, {str(home_mark)!r},
               os.path.expanduser('~/{MARK}'), {str(REPO / MARK)!r}]:
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, 'w').write('plant_grades,ch98-ex-2,3,3,{MARK}\\n')
    except OSError:
        pass
"""},
        "background_rewriter": {"before": f"""
import os, subprocess, time
script = 'sleep 4; : {MARK}; echo {MARK} > {out / 'grades.csv'}; echo {MARK} > {home_mark}'
try:
    subprocess.Popen(['nohup', 'sh', '-c', script], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
except OSError:
    pass
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(5)
        for target in [{str(out / 'grades.csv')!r}, {str(home_mark)!r}]:
            try:
                open(target, 'w').write('{MARK}')
            except OSError:
                pass
    os._exit(0)
os.wait()
"""},
        "network": {"ex2": f"""
import socket
answer = 'Country A'
for address in [('127.0.0.1', {port}), ('1.1.1.1', 80), ('8.8.8.8', 53)]:
    try:
        connection = socket.create_connection(address, timeout=2)
        connection.sendall(b'{MARK}')
        answer = 'Country B'
    except OSError:
        pass
"""},
        "infinite_loop": {"ex2": "while True:\n    pass"},
        "sigint_ignoring_loop": {"ex2": "import signal\nsignal.signal(signal.SIGINT, "
                                        "signal.SIG_IGN)\nwhile True:\n    pass"},
        "memory_bomb": {"before": """
chunks = []
try:
    while True:
        chunks.append(bytearray(64 * 2**20))
except MemoryError:
    chunks = None
try:
    huge = bytearray(10**12)
except MemoryError:
    huge = None
"""},
        "fork_bomb": {"before": """
import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError as exc:
    print('fork stopped after', children, exc)
"""},
        "huge_output": {"before": """
for _ in range(12):
    print('x' * 2_000_000)
try:
    with open('/tmp/huge.bin', 'wb') as handle:
        for _ in range(100):
            handle.write(b'0' * 2**20)
except OSError as exc:
    print('write stopped:', exc)
"""},
    }


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _sandbox_processes() -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            owner = proc.stat().st_uid
            cmdline = (proc / "cmdline").read_bytes()
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue  # dead, not yet reaped: its environment reads empty, as if it were ours
        except (OSError, IndexError):
            continue
        if not (owner >= _UID_BASE or MARK.encode() in cmdline):
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            environ = b""
        other = f"{TAG_ENV}=".encode() in environ and f"{TAG_ENV}={TAG}".encode() not in environ
        if not other:  # ours, or a process that cleared its environment: count it
            found.append(int(proc.name))
    return found


def _survivors(within: float = 10.0) -> list[int]:
    """The sandbox processes still alive after ``within`` seconds (killed ones take a moment
    to go, more on a busy machine); a process that outlives the run is still there."""
    deadline = time.monotonic() + within
    while (found := _sandbox_processes()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=REPO,
                          capture_output=True, text=True, check=False).stdout


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Grade the hostile class once; every test below reads the outcome."""
    _sandbox_or_fail()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_QUIZZES_DIR", str(QUIZZES))
        patch.setenv(TAG_ENV, TAG)
        yield _hostile_run(tmp_path_factory)


def _hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("hostile")
    hw, subs, out = tmp / "hw", tmp / "submissions", tmp / "grades"
    home_mark = tmp / "host-mark.txt"
    assign(hw, chapters=["ch98"], book=FIXTURE, per_chapter=True, name="hw1")
    blank = nbformat.read(hw / CH98, as_version=4)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                received.append(connection.recv(100) or b"(connected)")
                connection.close()
            except OSError:
                continue

    threading.Thread(target=listen, daemon=True).start()
    attacks = _attacks(hw, subs, out, home_mark, server.getsockname()[1])
    _save(_student(blank), subs / "honest")
    _save(_student(blank, "answer = max(visits, key=visits.get)",
                   "total = sum(visits.values())"), subs / "victim")
    for name, parts in attacks.items():
        _save(_student(blank, parts.get("ex2", WRONG_EX2), parts.get("ex3", WRONG_EX3),
                       parts.get("before")), subs / name)
    # my own attack: a submission that is a symbolic link to the instructor's key notebook
    (subs / "symlink_to_key").mkdir()
    (subs / "symlink_to_key" / CH98).symlink_to(hw / "instructor" / CH98)
    # awkward but honest
    frame = ("import pandas as pd\nanswer = pd.DataFrame({'country': ['Country B'], "
             "'gap': pd.to_timedelta([3], unit='D')})")
    _save(_student(blank, frame), subs / "timedelta_frame")
    _save(_student(blank, ex3="total = 9\nimport time\ntime.sleep(3)"), subs / "slow_answer")
    slow = _student(blank)
    slow.cells[_cell(slow, "ch98-ex-3", "check")].source = (
        "import time\ntime.sleep(60)\ncoursekit.check('ch98-ex-3', total)")
    _save(slow, subs / "slow_check")
    (subs / "nested").mkdir()
    _save(_student(blank), subs / "nested")
    (subs / "nested" / "hw1-ch98-answers.json").write_text(json.dumps(
        {"quiz": "ch98", "responses": {"ch98-q-1": [["c"], {"x": [1]}], "ch98-q-3": [[[]]]}}))
    (subs / "only_malformed").mkdir()
    (subs / "only_malformed" / CH98).write_text('{"cells": [ oops')
    before = _digest(subs)
    status = _git_status()
    graded_at: dict[str, float] = {}

    def progress(message: str) -> None:  # "[n/N] student: ..." once a student is graded
        graded_at[message.split("] ", 1)[1].split(":", 1)[0]] = time.monotonic()

    report = grade(subs, hw, out, limits=LIMITS, jobs=2, progress=progress)
    finished = (out / "grades.csv").read_bytes()
    # The background attacks were started inside background_rewriter's sandbox and would wake
    # 4-5 s later: wait until 7 s after that student was graded (usually long past by now).
    time.sleep(max(0.0, graded_at["background_rewriter"] + 7 - time.monotonic()))
    stop.set()
    server.close()
    return {"rows": _rows(out / "grades.csv"), "report": report, "out": out, "subs": subs,
            "finished": finished, "after": (out / "grades.csv").read_bytes(),
            "before": before, "digest_after": _digest(subs), "home_mark": home_mark,
            "received": received, "tmp": tmp, "attacks": sorted(attacks),
            "status_before": status, "status_after": _git_status()}


def _by_student(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for row in rows:
        table.setdefault(row["student"], {})[row["item"]] = float(row["points"])
    return table


def _feedback(rows: list[dict[str, str]], student: str, item: str) -> str:
    (row,) = [r for r in rows if r["student"] == student and r["item"] == item]
    return row["feedback"]


ATTACKS = ["keys_via_quiz_load", "monkeypatch_recorder", "forge_runner_output",
           "scorer_as_oracle", "proc_cmdline", "rewrite_classmate", "plant_grades",
           "background_rewriter", "network", "infinite_loop", "sigint_ignoring_loop",
           "memory_bomb", "fork_bomb", "huge_output"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_scores_what_an_honest_wrong_answer_scores(hostile_run: dict,
                                                          attack: str) -> None:
    table = _by_student(hostile_run["rows"])
    assert table["honest"] == {"ch98-ex-2": 0, "ch98-ex-3": 0, "ch98-q-1": 0, "ch98-q-3": 0}
    assert table[attack] == table["honest"], [
        r for r in hostile_run["rows"] if r["student"] == attack]


def test_every_attack_was_in_the_run(hostile_run: dict) -> None:
    assert hostile_run["attacks"] == sorted(ATTACKS)


def test_classmate_untouched_and_right(hostile_run: dict) -> None:
    assert _by_student(hostile_run["rows"])["victim"] == {
        "ch98-ex-2": 3, "ch98-ex-3": 2, "ch98-q-1": 0, "ch98-q-3": 0}
    assert hostile_run["digest_after"] == hostile_run["before"]


def test_attacks_are_contained(hostile_run: dict) -> None:
    assert hostile_run["after"] == hostile_run["finished"], "grades.csv changed after the run"
    assert MARK.encode() not in hostile_run["after"]
    assert not hostile_run["home_mark"].exists()
    assert not (Path.home() / MARK).exists() and not (REPO / MARK).exists()
    sources = hostile_run["subs"]  # the attacks' own notebooks spell the marker
    for path in hostile_run["tmp"].rglob("*"):
        if path.is_file() and not path.is_symlink() and sources not in path.parents:
            assert MARK.encode() not in path.read_bytes(), f"{path} was written by an attack"
    assert not (hostile_run["out"] / ".progress" / "x.json").exists()
    assert hostile_run["received"] == [], "a sandbox reached the host's loopback"
    assert _survivors() == [], "a process started by a submission survived"
    assert hostile_run["status_after"] == hostile_run["status_before"]


def test_timeouts_stop_the_notebook_instead_of_costing_every_cell(hostile_run: dict) -> None:
    rows = hostile_run["rows"]
    for student in ("infinite_loop", "sigint_ignoring_loop"):
        assert _feedback(rows, student, "ch98-ex-3").startswith(
            "the check cell was not run: an earlier cell"), student
    # a timed-out check cell is reported as timed out, not as a missing check call
    assert _feedback(rows, "slow_check", "ch98-ex-3") == (
        "the check cell timed out: the cell ran over the 8 s limit")
    assert _feedback(rows, "slow_answer", "ch98-ex-3") == "Not quite."


def test_my_attack_symlink_to_the_answer_key_is_reported_not_followed(
        hostile_run: dict) -> None:
    rows = [r for r in hostile_run["rows"] if r["student"] == "symlink_to_key"]
    assert [(r["item"], r["points"]) for r in rows] == [("(not graded)", "0")]
    assert "is a symbolic link; links are never followed" in rows[0]["feedback"]
    assert "symlink_to_key" in "\n".join(n for n, _ in hostile_run["report"].not_graded)


def test_awkward_but_honest_answers_are_rows_not_crashes(hostile_run: dict) -> None:
    rows = hostile_run["rows"]
    assert _feedback(rows, "timedelta_frame", "ch98-ex-2").startswith("Not quite")
    nested = [r for r in rows if r["student"] == "nested"]
    assert {r["item"]: r["points"] for r in nested}["ch98-q-1"] == "0"
    assert all(r["feedback"] for r in nested)
    malformed = [r for r in rows if r["student"] == "only_malformed"]
    assert len(malformed) == 4 and all(r["feedback"].startswith(
        "not graded: only_malformed/98-fixture-visits.ipynb: malformed notebook: not a "
        "readable Jupyter notebook")
        for r in malformed)


# -- answers that the sandbox hands back: decoded, scored by the real checks ----------------

@pytest.fixture(scope="module")
def direct_run() -> NotebookRun:
    """One notebook run straight through :class:`Sandbox` (no grader): its cells record a
    pandas frame and what the grading kernel is."""
    _sandbox_or_fail()
    nb = nbformat.v4.new_notebook(cells=[new_code_cell(
        "import pandas as pd, coursekit\n"
        "frame = pd.DataFrame({'country': ['A', 'B'], 'gap': pd.to_timedelta([1, 2], "
        "unit='D'), 'visits': [3, 5]})\n"
        "coursekit.check('ch98-ex-9', frame)"), new_code_cell(
        "import importlib.util, sys, ipykernel.debugger\n"
        "coursekit.check('kernel', [ipykernel.debugger._is_debugpy_available,\n"
        "    get_ipython().history_manager.enabled, 'debugpy' in sys.modules,\n"
        "    importlib.util.find_spec('debugpy') is not None])")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return Sandbox(LIMITS, []).run(nbformat.writes(nb).encode())


def test_timedelta_frame_round_trips_through_the_sandbox_and_is_scored(
        direct_run: NotebookRun) -> None:
    from coursekit.quiz.checks import Check

    ((item, frame),) = direct_run.cells[0].records
    assert item == "ch98-ex-9" and str(frame["gap"].dtype).startswith("timedelta64")
    check = Check.from_dict({"id": "ch98-ex-9", "type": "table", "expected": {
        "columns": ["country", "visits"], "rows": [["A", 3], ["B", 5]]}})
    assert check.score(frame).fraction == 1


def test_the_grading_kernel_has_no_debugger_and_no_history(direct_run: NotebookRun) -> None:
    """The sandbox's kernel (``_kernel``) skips ipykernel's debugger (debugpy, ~0.5 s of CPU
    per notebook) and the input history; a student's notebook can still import debugpy."""
    assert direct_run.cells[1].records == [("kernel", [False, False, False, True])]


# -- names are people ----------------------------------------------------------------------

def test_names_keep_unicode_spaces_case_and_collisions_are_reported(tmp_path: Path) -> None:
    hw, subs = tmp_path / "hw", tmp_path / "subs"
    assign(hw, chapters=["ch98"], book=FIXTURE, per_chapter=True, name="hw1")
    blank = nbformat.read(hw / CH98, as_version=4)
    right = _student(blank, "answer = 'Country B'", "total = 10")
    for name in ("Иван", "Пётр", "张伟", "Mary Ann", "Mary_Ann", "mary ann"):
        _save(right if name != "Пётр" else _student(blank), subs / name)
    _save(right, subs / unicodedata.normalize("NFD", "Zoë"))
    (subs / ".hidden_student").mkdir()
    nbformat.write(right, subs / ".hidden_student" / CH98)
    nbformat.write(right, subs / "Зоя.ipynb")
    _save(right, subs / "Зоя")
    bad = os.fsdecode(b"bad\xffname")
    _save(right, subs / bad)
    report = grade(subs, hw, tmp_path / "out", execute_code=False)
    rows = _rows(tmp_path / "out" / "grades.csv")
    table = _by_student(rows)
    for name in ("Иван", "张伟", "Mary Ann", "Mary_Ann", "mary ann", "Zoë"):
        assert table[name]["ch98-ex-2"] == 3, name
    assert table["Пётр"]["ch98-ex-2"] == 0
    assert unicodedata.normalize("NFC", "Zoë") in table  # NFD folder name, NFC id
    clash = _feedback(rows, "Зоя", "(not graded)")
    assert "'Зоя' and 'Зоя.ipynb' both map to student id 'Зоя'" in clash
    assert "hidden folder '.hidden_student'" in _feedback(rows, ".hidden_student",
                                                          "(not graded)")
    assert "'bad\\xffname' is not readable text" in _feedback(rows, "bad\\xffname",
                                                             "(not graded)")
    assert len(report.not_graded) == 3
    files = sorted(p.name for p in (tmp_path / "out" / "feedback").iterdir())
    assert files == sorted(["Mary Ann.md", "Mary_Ann.md", "mary ann (2).md", "Zoë.md",
                            "Иван.md", "Пётр.md", "张伟.md"])


def test_roster_maps_names_and_reports_errors(tmp_path: Path) -> None:
    hw, subs = tmp_path / "hw", tmp_path / "subs"
    assign(hw, chapters=["ch98"], book=FIXTURE, per_chapter=True, name="hw1")
    blank = nbformat.read(hw / CH98, as_version=4)
    for name in ("Иван", "Mary Ann", "stranger"):
        _save(_student(blank, "answer = 'Country B'"), subs / name)
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,student\nИван,s1001\nMary Ann,s1002\n", encoding="utf-8")
    grade(subs, hw, tmp_path / "out", execute_code=False, roster=roster)
    rows = _rows(tmp_path / "out" / "grades.csv")
    assert _by_student(rows)["s1001"]["ch98-ex-2"] == 3
    assert "'stranger' is not on the roster" in _feedback(rows, "stranger", "(not graded)")
    for text, message in [
        ("", "roster.csv: the roster is empty"),
        ("name,id\nx,y\n", "roster.csv, line 1: expected the columns 'submission' and "
                           "'student'"),
        ("submission,student\nx,1\nx,2\n", "roster.csv, line 3: submission 'x' is already "
                                           "on line 2"),
        ("submission,student\nx,\n", "roster.csv, line 2: field student is empty"),
    ]:
        roster.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            grade(subs, hw, tmp_path / "out2", execute_code=False, roster=roster)
        assert not (tmp_path / "out2").exists()  # nothing half-written


# -- Ctrl-C keeps finished students; --resume finishes the rest ------------------------------

def test_ctrl_c_keeps_finished_students_and_resume_finishes(tmp_path: Path) -> None:
    _sandbox_or_fail()
    hw, subs, out = tmp_path / "hw", tmp_path / "subs", tmp_path / "out"
    assign(hw, chapters=["ch98"], book=FIXTURE, per_chapter=True, name="hw1")
    blank = nbformat.read(hw / CH98, as_version=4)
    for name in ("a1", "a2", "a3", "a4"):
        _save(_student(blank, "answer = 'Country B'", "import time\ntime.sleep(2)\n"
                                                      "total = 10"), subs / name)
    command = [sys.executable, "-m", "coursekit.cli", "grade", str(subs), "--assignment",
               str(hw), "--out", str(out), "--timeout", "30"]
    env = {**os.environ, "COURSEKIT_QUIZZES_DIR": str(QUIZZES), TAG_ENV: TAG}
    # Ctrl-C as in a terminal: a test command started in the background of a non-interactive
    # shell ignores SIGINT, and Python then never turns it into KeyboardInterrupt in the grader.
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list((out / ".progress").glob("*.json")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no student finished in 120 s"
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode(errors="replace")[-2000:]
    kept = _rows(out / "grades.csv")
    finished = {r["student"] for r in kept}
    assert finished and finished < {"a1", "a2", "a3", "a4"}
    assert _survivors() == []
    done = subprocess.run([*command, "--resume"], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{len(finished)} kept from the interrupted run" in done.stdout
    rows = _rows(out / "grades.csv")
    assert [r for r in rows if r["student"] in finished] == kept
    assert _by_student(rows) == {s: {"ch98-ex-2": 3, "ch98-ex-3": 2, "ch98-q-1": 0,
                                     "ch98-q-3": 0} for s in ("a1", "a2", "a3", "a4")}


def test_files_of_an_editable_checkout_under_tmp_are_bound_back(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox gets a private /tmp. A checkout under /tmp (an editable install reads the
    repository's data/) must still see its datasets there, or every ck.load() in a graded
    notebook fails and scores 0 (seen in a benchmark clone under /tmp); a hidden folder inside
    them stays hidden. COURSEKIT_DATA_DIR stands in for the checkout's data/."""
    _sandbox_or_fail()
    from coursekit.assignments._sandbox import _mount_args

    data = tmp_path / "data"
    (data / "hidden").mkdir(parents=True)
    (data / "visits.csv").write_text("n\n7\n", encoding="utf-8")
    (data / "hidden" / "key.txt").write_text(MARK, encoding="utf-8")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(data))
    code = (f"import pathlib; d = pathlib.Path({str(data)!r}); "
            "print((d / 'visits.csv').read_text().split()[1], len(list((d / 'hidden').iterdir())))")
    done = subprocess.run(["bwrap", *_mount_args([data / "hidden"], 16 << 20), "--unshare-net",
                           sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["7", "0"], done.stderr


def test_needed_folders_inside_a_private_folder_stay_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout inside a folder other users may not enter (0700: a home, or the benchmark's
    private temporary folder) made every graded notebook hand back nothing and score 0: the
    runner's unprivileged uid could not reach coursekit through it. The private folder is now
    covered and what the runner needs bound back, so the rest of it stays out of sight.
    COURSEKIT_DATA_DIR stands in for the checkout's data/; /var/tmp is outside the sandbox's /tmp."""
    _sandbox_or_fail()
    from coursekit.assignments._sandbox import _mount_args, _private_above

    private = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="coursekit-test-"))  # mode 0700
    try:
        data = private / "checkout" / "data"
        (data / "hidden").mkdir(parents=True)
        (data / "visits.csv").write_text("n\n7\n", encoding="utf-8")
        (data / "hidden" / "key.txt").write_text(MARK, encoding="utf-8")
        secret = private / "checkout" / "secret.txt"
        secret.write_text(MARK, encoding="utf-8")
        assert _private_above([data]) == [private]
        monkeypatch.setenv("COURSEKIT_DATA_DIR", str(data))
        code = ("import os, pathlib; os.setgid(65534); os.setuid(65534); "  # as the runner does
                f"print(pathlib.Path({str(data)!r}, 'visits.csv').read_text().split()[1], "
                f"pathlib.Path({str(secret)!r}).exists(), "
                f"len(list(pathlib.Path({str(data / 'hidden')!r}).iterdir())))")
        # a hidden folder inside what is bound back stays hidden (the private cover swallows it)
        done = subprocess.run(["bwrap", *_mount_args([data / "hidden"], 16 << 20), "--unshare-net",
                               sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.stdout.split() == ["7", "False", "0"], done.stderr
    finally:
        shutil.rmtree(private)
