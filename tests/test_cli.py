"""Tests of the ``coursekit`` command line (argparse front-end of coursekit.assignments)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from coursekit.cli import build_parser, main

FIXTURE = Path(__file__).parent / "fixtures" / "assign" / "book"


@pytest.fixture(autouse=True)
def _fixture_quizzes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEKIT_QUIZZES_DIR", str(FIXTURE / "chapters" / "quizzes"))


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_csv_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--book", FIXTURE, "--chapter", "ch99", "--format", "csv")
    assert code == 0
    assert out == ("id,chapter,kind,auto,assessed,points\n"
                   "ch99-ex-1,ch99,data,yes,no,2\n"
                   "ch99-ex-2,ch99,source-criticism,no,no,1\n"
                   "ch99-q-1,ch99,quiz,yes,yes,1\n")
    code, out, _ = run(capsys, "list", "--book", FIXTURE, "--format", "json")
    data = json.loads(out)
    assert len(data) == 9 and data[0] == {"id": "ch98-ex-1", "chapter": "ch98",
                                          "kind": "close-reading", "points": 2.0,
                                          "auto": False, "source": "notebook",
                                          "assessed": False}


def test_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--book", FIXTURE)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "chapter", "kind", "auto-gradable", "assessed", "points"]
    assert lines[1].split() == ["ch98-ex-1", "ch98", "close-reading", "no", "no", "2"]
    assert lines[-1] == ("9 items, 15 points (12 auto-gradable); 4 assessed (keys in the "
                         "instructor bank), the rest practice")


def test_assign_then_grade_without_executing(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    hw = tmp_path / "hw"
    code, out, _ = run(capsys, "assign", "--book", FIXTURE, "--items", "ch99-ex-1,ch99-q-1",
                       "--out", hw, "--due", "2026-12-01", "--name", "hw2")
    assert code == 0
    assert f"student notebook: {hw / 'hw2.ipynb'}" in out
    assert "2 items (2 auto-graded), 3 points, due 2026-12-01" in out
    # a student hands in a literal answer and the quiz file
    nb = nbformat.read(hw / "hw2.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("coursekit", {}).get("role") == "answer":
            cell.source = "answer = ['A', 'C']"
    subs = tmp_path / "in" / "amir"
    subs.mkdir(parents=True)
    nbformat.write(nb, subs / "hw2.ipynb")
    (subs / "hw2-ch99-answers.json").write_text(
        json.dumps({"quiz": "ch99", "responses": {"ch99-q-1": ["a"]}}))
    code, out, err = run(capsys, "grade", tmp_path / "in", "--assignment", hw,
                         "--out", tmp_path / "grades", "--no-execute")
    assert code == 0
    assert "[1/1] amir: 1 notebook(s), 1 answers file(s)" in err
    assert "graded 1 student(s); skipped 0 file(s)" in out
    assert (tmp_path / "grades" / "grades.csv").read_text() == (
        "student,item,points,max_points,feedback\n"
        "amir,ch99-ex-1,2,2,Correct.\n"
        "amir,ch99-q-1,0.5,1,Partly correct (50%).\n")
    code, _, err = run(capsys, "grade", tmp_path / "in", "--assignment", hw,
                       "--out", tmp_path / "grades", "--no-execute")
    assert code == 1 and "grades.csv already exist; pass --resume to finish that run or --force" in err


def test_errors_are_one_line_messages(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    code, _, err = run(capsys, "assign", "--book", FIXTURE, "--items", "ch99-ex-7",
                       "--out", tmp_path / "x")
    assert code == 1
    assert err.strip() == ("coursekit assign: error: --items: unknown item 'ch99-ex-7'; items "
                           "of that chapter: ch99-ex-1, ch99-ex-2, ch99-q-1")
    code, _, err = run(capsys, "grade", tmp_path, "--assignment", tmp_path / "nope",
                       "--out", tmp_path / "g")
    assert code == 1 and "no manifest" in err
    code, _, err = run(capsys, "list", "--book", tmp_path)
    assert code == 1 and "no chapters folder" in err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["edition", "student", "--solutions", "hidden"])
    with pytest.raises(SystemExit):  # --chapter and --items exclude each other
        build_parser().parse_args(["assign", "--chapter", "ch01", "--items", "ch01-ex-1",
                                   "--out", "x"])


def test_check_reports_authoring_errors(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    code, out, _ = run(capsys, "check", "--book", FIXTURE)
    assert code == 0 and "chapters: 2 checked, 9 items" in out
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    path = book / "chapters" / "98-fixture-visits.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print(busiest)"))
    nbformat.write(nb, path)
    code, out, err = run(capsys, "check", "--book", book)
    assert code == 1
    assert "cell 15 (not an exercise): reads 'busiest'" in err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "coursekit"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("list", "assign", "grade", "edition", "check"):
        assert command in done.stdout


def test_grade_limits_must_be_positive(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    for flag in ("--timeout", "--notebook-timeout", "--memory-mb", "--max-procs",
                 "--max-output-mb", "-j"):
        for value in ("0", "-3"):
            with pytest.raises(SystemExit) as exit_info:
                main(["grade", str(tmp_path), "--assignment", str(tmp_path), "--out",
                      str(tmp_path / "g"), flag, value])
            assert exit_info.value.code == 2
            assert f"must be positive, got {int(value)}" in capsys.readouterr().err
    assert not (tmp_path / "g").exists()


def test_edition_out_at_the_book_root_is_refused(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    monkeypatch.chdir(book)
    before = sorted(p.relative_to(book) for p in book.rglob("*"))
    for out in (".", "..", str(Path.home())):
        code, _, err = run(capsys, "edition", "student", "--out", out, "--force")
        assert code == 1 and "refusing to write into" in err, err
    assert sorted(p.relative_to(book) for p in book.rglob("*")) == before


def test_grade_unsafe_flag_is_explained(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from coursekit.assignments import _sandbox

    hw = tmp_path / "hw"
    run(capsys, "assign", "--book", FIXTURE, "--items", "ch99-ex-1", "--out", hw, "--name", "hw")
    (tmp_path / "in" / "amir").mkdir(parents=True)
    shutil.copy(hw / "hw.ipynb", tmp_path / "in" / "amir" / "hw.ipynb")
    monkeypatch.setattr(_sandbox, "_bwrap", lambda: None)
    code, _, err = run(capsys, "grade", tmp_path / "in", "--assignment", hw,
                       "--out", tmp_path / "g")
    assert code == 1
    assert "cannot run student code safely here: bubblewrap (bwrap) is not installed" in err
    assert "--unsafe-no-sandbox" in err
    assert not (tmp_path / "g").exists()
