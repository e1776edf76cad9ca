"""The Gradescope autograder bundle (``coursekit gradescope``), run here as Gradescope would.

The bundle of a fixture assignment is unpacked into ``tmp_path`` as a fake ``/autograder``
(``source/`` = the zip, ``run_autograder`` copied beside it, ``submission/`` = the student's
files), and ``run_autograder`` runs with ``COURSEKIT_AUTOGRADER_ROOT`` pointing there and
``COURSEKIT_AUTOGRADER_PYTHON`` at this environment's interpreter (setup.sh's apt-get and pip
steps are skipped that way). Every ``results.json`` is validated against
``gradescope_files/results-schema.json``, written from Gradescope's "Autograder
Specifications" (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml
from _support import coursekit_wheel

from coursekit import __version__
from coursekit.assignments import assign, grade
from coursekit.assignments._chapters import cell_info
from coursekit.assignments._results import Row
from coursekit.assignments.gradescope import (
    WITHHELD,
    build_bundle,
    results_json,
    results_schema,
)
from coursekit.cli import main
from coursekit.quiz.bank import KEY_FIELDS, find_leaks

FIXTURE = Path(__file__).parent / "fixtures" / "assign" / "book"
QUIZZES = FIXTURE / "chapters" / "quizzes"
BANK = FIXTURE / "instructor-bank"
NAME = "hw1"
ANSWERS = f"{NAME}-ch98-answers.json"
RIGHT = {"ch98-ex-2": "answer = max(visits, key=visits.get)",
         "ch98-ex-3": "total = sum(visits.values())"}
WRONG = {"ch98-ex-2": "answer = 'Country A'", "ch98-ex-3": "total = 9"}
BASH = shutil.which("bash") or "/bin/bash"
AUTO = {"ch98-ex-2": 3.0, "ch98-ex-3": 2.0, "ch98-q-1": 2.0, "ch98-q-3": 1.0}


@pytest.fixture(autouse=True)
def _fixture_quizzes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEKIT_QUIZZES_DIR", str(QUIZZES))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The coursekit wheel of this checkout, built once per session (the same bytes as the
    CLI's default ``pip wheel``); tests only read it."""
    return coursekit_wheel(tmp_path_factory)


@pytest.fixture(scope="module")
def hw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture assignment, made once for the module (tests only read it)."""
    folder = tmp_path_factory.mktemp("assignment") / "hw"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_QUIZZES_DIR", str(QUIZZES))
        assign(folder, chapters=["ch98"], book=FIXTURE, name=NAME)
    return folder


@pytest.fixture(scope="module")
def bundle(hw: Path, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default bundle of ``hw``, built once (tests unpack copies of it)."""
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_bundle(hw, out, wheel=wheel)
    return out


def _student(hw: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nbformat.read(hw / f"{NAME}.ipynb", as_version=4))
    for item_id, source in answers.items():
        (index,) = [i for i, c in enumerate(nb.cells) if cell_info(c).get("id") == item_id
                    and cell_info(c).get("role") == "answer"]
        nb.cells[index].source = source
    return nb


def _unpack(bundle: Path, root: Path) -> Path:
    """A fake /autograder: the zip in source/, run_autograder copied to the root."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "COURSEKIT_AUTOGRADER_PYTHON": sys.executable, **extra}


def _run(root: Path, **env: str) -> tuple[dict, str]:
    done = subprocess.run([BASH, str(root / "run_autograder")], cwd=root, timeout=600,
                          env=_env(COURSEKIT_AUTOGRADER_ROOT=str(root), **env),
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, results_schema())
    return results, done.stdout + done.stderr


def _keys() -> list[dict]:
    """The keys (answer, accept, expected, ...) of the fixture bank, by item."""
    bank = yaml.safe_load((BANK / "ch98.yml").read_text(encoding="utf-8"))["items"]
    return [{i: {k: v for k, v in e.items() if k in KEY_FIELDS} for i, e in bank.items()}]


def test_the_schema_is_a_valid_json_schema() -> None:
    schema = results_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    with pytest.raises(jsonschema.ValidationError):  # a top-level score or a score per test
        jsonschema.validate({"tests": [{"name": "x"}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "visibility": "soon"}, schema)
    jsonschema.validate({"tests": [{"score": 1, "max_score": 2, "visibility": "hidden"}],
                         "leaderboard": [{"name": "Time", "value": 1.5, "order": "asc"}]},
                        schema)


def test_the_bundle_holds_what_gradescope_runs_and_nothing_for_students(
        bundle: Path, wheel: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = sorted(archive.namelist())
        assert names == sorted([
            "setup.sh", "run_autograder", "requirements.txt", "coursekit-gradescope.json",
            wheel.name, "assignment/manifest.json", "assignment/instructor/quizzes/ch98.yml",
            "assignment/instructor/bank/ch98.yml"])  # no key.md, no notebook of any kind
        for script in ("setup.sh", "run_autograder"):
            mode = archive.getinfo(script).external_attr >> 16
            assert mode & stat.S_IXUSR, script
        setup = archive.read("setup.sh").decode()
        config = json.loads(archive.read("coursekit-gradescope.json"))
        pins = archive.read("requirements.txt").decode().splitlines()[1:]
        bank = yaml.safe_load(archive.read("assignment/instructor/bank/ch98.yml"))
        inner = zipfile.ZipFile(io.BytesIO(archive.read(wheel.name)))
    assert wheel.name.startswith(f"coursekit-{__version__}-")
    assert f'WHEEL="{wheel.name}"' in setup and "apt-get install" in setup
    assert f'PYVER="{sys.version_info.major}.{sys.version_info.minor}"' in setup
    subprocess.run(["bash", "-n", "-c", setup], check=True)
    assert config["visibility"] == "after_due_date" and config["unsafe_no_sandbox"] is False
    assert all(line.count("==") == 1 for line in pins)
    pinned = {line.split("==")[0].lower() for line in pins}
    assert {"nbclient", "nbformat", "ipykernel", "pandas", "pyyaml"} <= pinned
    assert "coursekit" not in pinned
    # the scoring snapshot: keys and feedback, no model solution or marking note
    assert bank["items"]["ch98-ex-2"]["expected"] == "Country B"
    assert not [e for e in bank["items"].values() if {"solution", "notes"} & set(e)]
    # the wheel inside carries no bank file and no key of the bank
    assert not [n for n in inner.namelist() if "instructor-bank" in n or "/bank/" in n]
    # (data files: the doctest of coursekit/quiz/bank.py quotes a fixture key as its example)
    text = "\n".join(inner.read(n).decode("utf-8", "replace") for n in inner.namelist()
                     if not n.endswith(".py"))
    assert find_leaks(text, _keys()) == []


def test_setup_sh_in_local_mode_runs_the_sandbox_self_test(bundle: Path, tmp_path: Path) -> None:
    root = _unpack(bundle, tmp_path / "autograder")
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], timeout=300,
                          env=_env(COURSEKIT_AUTOGRADER_ROOT=str(root)), capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "the grading sandbox works in this image" in done.stdout


def test_right_and_wrong_submissions(bundle: Path, hw: Path, tmp_path: Path) -> None:
    """Full marks and zero, item by item, the same rows as `coursekit grade`, and no key."""
    outcomes = {}
    for label, answers, responses in (
            ("right", RIGHT, {"ch98-q-1": "c", "ch98-q-3": " Quokkaberry"}),
            ("wrong", WRONG, {"ch98-q-1": "b", "ch98-q-3": "kiwi"})):
        root = _unpack(bundle, tmp_path / label)
        nbformat.write(_student(hw, answers), root / "submission" / f"{NAME}.ipynb")
        (root / "submission" / ANSWERS).write_text(json.dumps(
            {"quiz": "ch98", "responses": responses}), encoding="utf-8")
        outcomes[label] = _run(root)[0]
    right, wrong = outcomes["right"], outcomes["wrong"]
    assert right["score"] == sum(AUTO.values()) == 8 and wrong["score"] == 0
    for results in (right, wrong):
        check, *items = results["tests"]
        assert check["name"] == "Submission received" and check["status"] == "passed"
        assert check["visibility"] == "visible" and "Read: hw1-ch98-answers.json, hw1.ipynb" \
            in check["output"]
        assert {t["name"].split()[0]: t["max_score"] for t in items} == AUTO
        assert {t["visibility"] for t in items} == {"after_due_date"}
        assert "ch98-ex-1 (close-reading, 2 points)" in results["output"]  # marked by hand
        student_visible = json.dumps(results, ensure_ascii=False)
        assert find_leaks(student_visible, _keys()) == []
    assert [t["score"] for t in right["tests"][1:]] == list(AUTO.values())
    assert [t["score"] for t in wrong["tests"][1:]] == [0, 0, 0, 0]
    # the same scoring code as `coursekit grade` on the same files
    grade(tmp_path / "wrong", hw, tmp_path / "graded", execute_code=True)
    rows = [r for r in csv.DictReader(io.StringIO(
        (tmp_path / "graded" / "grades.csv").read_text(encoding="utf-8")))
        if r["student"] == "submission"]
    assert [(r["item"], float(r["points"]), r["feedback"]) for r in rows] == [
        (t["name"].split()[0], t["score"], t["output"]) for t in wrong["tests"][1:]]


@pytest.mark.parametrize("case", ["malformed", "empty", "link"])
def test_a_submission_that_cannot_be_graded_scores_0_and_says_why(
        bundle: Path, tmp_path: Path, case: str) -> None:
    root = _unpack(bundle, tmp_path / "autograder")
    if case == "malformed":
        (root / "submission" / f"{NAME}.ipynb").write_text('{"cells": [ oops', encoding="utf-8")
    elif case == "link":
        (root / "submission" / f"{NAME}.ipynb").symlink_to(
            root / "source" / "assignment" / "instructor" / "bank" / "ch98.yml")
    results, _ = _run(root)
    assert results["score"] == 0
    check, *items = results["tests"]
    assert check["status"] == "failed" and len(items) == 4
    assert all(t["score"] == 0 for t in items)
    expected = {"malformed": "Not graded: hw1.ipynb: malformed notebook",
                "empty": "No notebook or quiz answers file of this assignment was read.",
                "link": "is a symbolic link; links are never followed"}[case]
    assert expected in check["output"]
    assert "Hand in: hw1.ipynb, hw1-ch98-answers.json" in check["output"]
    assert all(t["output"].startswith(("not graded", "no quiz answers")) for t in items)
    assert find_leaks(json.dumps(results), _keys()) == []


def test_without_a_sandbox_nothing_runs_unless_the_bundle_opts_in(
        hw: Path, wheel: Path, tmp_path: Path) -> None:
    safe, unsafe, literal = tmp_path / "safe.zip", tmp_path / "unsafe.zip", tmp_path / "lit.zip"
    build_bundle(hw, safe, wheel=wheel)
    build_bundle(hw, unsafe, wheel=wheel, unsafe_no_sandbox=True, visibility="visible")
    build_bundle(hw, literal, wheel=wheel, execute_code=False)
    for label, zipped in (("safe", safe), ("unsafe", unsafe), ("literal", literal)):
        root = _unpack(zipped, tmp_path / label)
        answers = RIGHT if label != "literal" else {"ch98-ex-2": "answer = 'Country B'",
                                                    "ch98-ex-3": RIGHT["ch98-ex-3"]}
        nbformat.write(_student(hw, answers), root / "submission" / f"{NAME}.ipynb")
        results, log = _run(root, PATH="/nonexistent")  # no bwrap on PATH: no sandbox
        if label == "safe":
            assert results["score"] == 0 and results["tests"] == []
            assert "cannot run code safely" in results["output"]
            assert "bubblewrap (bwrap) is not installed" in log  # the instructor's stdout
        elif label == "unsafe":
            scores = {t["name"].split()[0]: t.get("score") for t in results["tests"]}
            assert scores["ch98-ex-2"] == 3 and scores["ch98-ex-3"] == 2
            assert {t["visibility"] for t in results["tests"]} == {"visible"}
        else:  # nothing runs: a literal answer is scored, a computed one is not
            tests = {t["name"].split()[0]: t for t in results["tests"]}
            assert tests["ch98-ex-2"]["score"] == 3 and tests["ch98-ex-3"]["score"] == 0
            assert "the answer is computed by code" in tests["ch98-ex-3"]["output"]


def test_a_feedback_that_quotes_a_key_is_withheld(hw: Path, capsys: pytest.CaptureFixture
                                                  ) -> None:
    manifest = json.loads((hw / "manifest.json").read_text(encoding="utf-8"))
    rows = [Row("submission", "ch98-q-3", 0.0, 1.0, "Not quite: the answer is quokkaberry")]
    results = results_json(rows, manifest, {"visibility": "visible"}, [ANSWERS], [],
                           _keys(), 1.0)
    (q3,) = [t for t in results["tests"] if t["name"].startswith("ch98-q-3")]
    assert q3["output"] == WITHHELD and "quokkaberry" not in json.dumps(results)
    assert "ch98-q-3: feedback withheld" in capsys.readouterr().out
    jsonschema.validate(results, results_schema())


def test_cli_builds_refuses_to_overwrite_and_needs_the_keys(hw: Path, wheel: Path,
                                                            tmp_path: Path,
                                                            capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "ag.zip"
    assert main(["gradescope", str(hw), "--out", str(out), "--wheel", str(wheel)]) == 0
    assert "instructor only" in capsys.readouterr().out
    before = out.read_bytes()
    assert main(["gradescope", str(hw), "--out", str(out), "--wheel", str(wheel)]) == 1
    assert "already exists; pass --force" in capsys.readouterr().err
    assert out.read_bytes() == before
    empty = tmp_path / "empty-bank"
    empty.mkdir()
    assert main(["gradescope", str(hw), "--out", str(tmp_path / "x.zip"), "--wheel",
                 str(wheel), "--bank", str(empty)]) == 1
    assert "empty-bank/ch98.yml: no bank file for quiz 'ch98'" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
    with pytest.raises(SystemExit):
        main(["gradescope", str(hw), "--out", str(out), "--visibility", "soon"])


def test_the_sandbox_hides_the_autograder_folder(hw: Path, wheel: Path) -> None:
    """A notebook that reads the bank snapshot in /autograder/source gets nothing from it in the
    sandbox (``grade(hide=[root])``), and the key when the bundle runs unsafely: the attack works
    where nothing hides the folder. The fake root is outside /tmp, which every sandbox replaces
    anyway, so only ``hide`` can keep the file out of sight."""
    base = Path(tempfile.mkdtemp(prefix="coursekit-gs-test-", dir="/var/tmp"))
    base.chmod(0o755)  # readable by everyone, as /autograder is: the sandbox's own uid too
    try:
        scores = {}
        for label, unsafe in (("sandboxed", False), ("unsafe", True)):
            build_bundle(hw, base / f"{label}.zip", wheel=wheel, unsafe_no_sandbox=unsafe,
                         visibility="visible")
            root = _unpack(base / f"{label}.zip", base / label)
            bank = root / "source" / "assignment" / "instructor" / "bank" / "ch98.yml"
            # Gradescope writes submission_metadata.json (earlier results) beside source/: only
            # hide=[root] keeps it out of sight (the assignment folder is hidden by grade).
            leaked = root / "submission_metadata.json"
            leaked.write_text(json.dumps({"previous_submissions": [{"results": {
                "hint": "Country B"}}]}), encoding="utf-8")
            steal = ("import json, yaml\nanswer = 'Country A'\ntry:\n"
                     f"    answer = json.load(open({str(leaked)!r}))"
                     "['previous_submissions'][0]['results']['hint']\nexcept Exception:\n"
                     "    pass\ntry:\n"
                     f"    answer = yaml.safe_load(open({str(bank)!r}))"
                     "['items']['ch98-ex-2']['expected']\nexcept Exception:\n    pass")
            nbformat.write(_student(hw, {**WRONG, "ch98-ex-2": steal}),
                           root / "submission" / f"{NAME}.ipynb")
            env = {} if not unsafe else {"PATH": "/nonexistent"}
            results, _ = _run(root, **env)
            scores[label] = {t["name"].split()[0]: t.get("score") for t in results["tests"]}
        assert scores["sandboxed"]["ch98-ex-2"] == 0
        assert scores["unsafe"]["ch98-ex-2"] == 3
    finally:
        shutil.rmtree(base)  # made above
