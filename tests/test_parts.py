"""Written parts: declared in exercise metadata, collected by assign/grade, marked, totalled.

The ch02-ex-4 case of issue 13 runs end to end on the real chapter (sandboxed execution);
the rest use a copy of the fixture mini-book (tests/fixtures/assign/book) with parts added,
graded without executing code (literal answers) so they stay fast.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from coursekit import cli
from coursekit.assignments import (
    AuthoringError,
    assign,
    grade,
    gradebook,
    list_items,
    merge_marks,
)
from coursekit.assignments._parts import validate_parts

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "assign" / "book"
CH98 = "98-fixture-visits.ipynb"
MIXED = ["ch01-ex-2", "ch02-ex-2", "ch02-ex-4", "ch05-ex-1", "ch07-ex-4", "ch08-ex-5"]


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _cells(nb: nbformat.NotebookNode, item_id: str, role: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if c.metadata.get("coursekit", {}).get("id") == item_id
            and c.metadata["coursekit"].get("role") == role]


def _write_marks(path: Path, rows: list[list[str]],
                 header: tuple[str, ...] = ("student", "item", "part", "points", "comment")
                 ) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# -- metadata ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("parts", "message"), [
    ([], "must be a non-empty list"),
    ([{"id": "a", "mode": "auto", "points": 1}, {"id": "b", "mode": "hand", "points": 2}],
     "add up to 3 points but the exercise is worth 2"),
    ([{"id": "a", "mode": "machine", "points": 2}], r"parts\[0\]\.mode must be 'auto' or 'hand'"),
    ([{"id": "a", "mode": "hand", "points": 1}, {"id": "a", "mode": "hand", "points": 1}],
     r"parts\[1\]\.id 'a' is used twice"),
    ([{"id": "a", "mode": "hand", "points": 2, "key": "x"}], "unknown field.s. key"),
    ([{"id": "Verdict!", "mode": "hand", "points": 2}], r"parts\[0\]\.id must be lower-case"),
    ([{"id": "a", "mode": "auto", "points": 1}, {"id": "b", "mode": "auto", "points": 1}],
     "2 auto parts"),
    ([{"id": "a", "mode": "hand", "points": -1}, {"id": "b", "mode": "hand", "points": 3}],
     r"parts\[0\]\.points must be a non-negative number"),
])
def test_parts_are_validated(parts: list, message: str) -> None:
    problems = validate_parts(parts, 2, "book.ipynb, cell 4 (ch98-ex-2)")
    assert problems and all(p.startswith("book.ipynb, cell 4 (ch98-ex-2): ") for p in problems)
    assert any(re.search(message, p) for p in problems), problems


def test_every_mixed_task_of_the_course_declares_its_parts() -> None:
    items = {i.id: i for i in list_items(REPO)}
    for item_id in MIXED:
        item = items[item_id]
        assert item.auto, item_id
        modes = [p.mode for p in item.parts]
        assert modes.count("auto") == 1 and modes.count("hand") >= 1, item_id
        assert sum(p.points for p in item.parts) == item.points, item_id
    assert items["ch02-ex-4"].points == 4


def _book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: dict[str, list]) -> Path:
    """A copy of the fixture book with ``parts`` set on these exercises of ch98."""
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    path = book / "chapters" / CH98
    nb = nbformat.read(path, as_version=4)
    for item_id, value in parts.items():
        (index,) = _cells(nb, item_id, "exercise")
        nb.cells[index].metadata["coursekit"]["parts"] = value
    nbformat.write(nb, path)
    monkeypatch.setenv("COURSEKIT_QUIZZES_DIR", str(book / "chapters" / "quizzes"))
    return book


PARTED = {
    "ch98-ex-1": [{"id": "reading", "mode": "hand", "points": 2}],
    "ch98-ex-2": [{"id": "country", "mode": "auto", "points": 2},
                  {"id": "why", "mode": "hand", "points": 1}],
}


def test_bad_parts_stop_the_catalog_naming_file_cell_and_item(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _book(tmp_path, monkeypatch, {"ch98-ex-2": [
        {"id": "why", "mode": "hand", "points": 3}]})
    with pytest.raises(AuthoringError, match=r"98-fixture-visits\.ipynb, cell 4 \(ch98-ex-2\): "
                       r"metadata\.coursekit\.parts needs one 'auto' part"):
        list_items(book)
    book = _book(tmp_path / "2", monkeypatch, {"ch98-ex-1": [
        {"id": "a", "mode": "auto", "points": 2}]})
    with pytest.raises(AuthoringError, match=r"cell 2 \(ch98-ex-1\): .*has an 'auto' part but "
                       "the exercise has no check"):
        list_items(book)


# -- the ch02-ex-4 case, end to end on the real chapter ---------------------------------------

def _solution_code() -> str:
    bank = yaml.safe_load((REPO / "instructor-bank" / "ch02.yml").read_text(encoding="utf-8"))
    solution = bank["items"]["ch02-ex-4"]["solution"]
    (code,) = re.findall(r"```python\n(.*?)```", solution, re.S)
    return code


def test_ch02_ex_4_table_without_verdict_awaits_marks(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: the table earns its 2 points; the verdict is collected, awaits marks, and
    the marks command completes the grade."""
    monkeypatch.delenv("COURSEKIT_QUIZZES_DIR", raising=False)
    hw = tmp_path / "hw"
    manifest = assign(hw, items=["ch02-ex-4"], book=REPO, name="week2",
                      bank=REPO / "instructor-bank")
    (entry,) = manifest["items"]
    assert entry["parts"] == [{"id": "table", "mode": "auto", "points": 2.0},
                              {"id": "verdict", "mode": "hand", "points": 2.0}]
    blank = nbformat.read(hw / "week2.ipynb", as_version=4)
    (written,) = _cells(blank, "ch02-ex-4", "written")
    (check,) = _cells(blank, "ch02-ex-4", "check")
    assert blank.cells[written].cell_type == "markdown" and written > check
    assert blank.cells[written].metadata["coursekit"] == {
        "id": "ch02-ex-4", "role": "written", "part": "verdict"}
    assert "Verdict: unsupported" not in nbformat.writes(blank)  # the model verdict is private

    subs = tmp_path / "subs"
    verdict = ("Не подтверждено: the essay dates the figure to 2016 but cites a 2008 book; "
               "2012 press reports range from 6,000 to 7,500.")
    for student, text in (("Иван", None), ("张伟", verdict)):
        nb = copy.deepcopy(blank)
        (answer,) = _cells(nb, "ch02-ex-4", "answer")
        nb.cells[answer].source = _solution_code()
        if text is not None:
            nb.cells[written].source = text
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / "week2.ipynb")

    out = tmp_path / "week2"
    report = grade(subs, hw, out, jobs=2)
    assert "2 written part(s) awaiting marks" in report.summary()
    rows = {(r["student"], r["item"]): r for r in _csv(out / "grades.csv")}
    assert set(rows) == {(s, f"ch02-ex-4/{p}") for s in ("Иван", "张伟")
                         for p in ("table", "verdict")}
    for student in ("Иван", "张伟"):
        table, awaiting = rows[student, "ch02-ex-4/table"], rows[student, "ch02-ex-4/verdict"]
        assert (table["points"], table["max_points"]) == ("2", "2"), table
        assert (awaiting["points"], awaiting["max_points"]) == ("", "2")
        assert awaiting["feedback"].startswith("awaiting marks")
    marking = _csv(out / "marking" / "ch02-ex-4.csv")
    assert list(marking[0]) == ["student", "item", "part", "max_points", "points", "comment",
                                "answer"]
    assert [(m["student"], m["part"], m["points"], m["answer"]) for m in marking] == [
        ("Иван", "verdict", "", ""), ("张伟", "verdict", "", verdict)]
    totals = {t["student"]: t for t in _csv(out / "totals.csv")}
    assert (totals["Иван"]["points"], totals["Иван"]["max_points"],
            totals["Иван"]["awaiting_marks"]) == ("2", "4", "1")
    assert "awaiting marks" in (out / "feedback" / "Иван.md").read_text(encoding="utf-8")

    # the instructor fills in the marking file and merges it
    marked = tmp_path / "marked.csv"
    lines = (out / "marking" / "ch02-ex-4.csv").read_text(encoding="utf-8").splitlines()
    filled = [lines[0]] + [line.replace(",2,,,", ",2,0,no verdict written,", 1)
                           if line.startswith("Иван") else
                           line.replace(",2,,,", ",2,1.5,year and citation: good,", 1)
                           for line in lines[1:]]
    marked.write_text("\n".join(filled) + "\n", encoding="utf-8")
    merged = merge_marks(out, [marked])
    assert merged.merged == 2 and not merged.awaiting
    assert merged.totals == {"Иван": (2.0, 4.0), "张伟": (3.5, 4.0)}
    assert merged.max_points == 4.0
    assert "assignment: 2 student(s), out of 4 points, mean total 2.75" in merged.summary()
    rows = {(r["student"], r["item"]): r for r in _csv(out / "grades.csv")}
    assert rows["张伟", "ch02-ex-4/verdict"]["points"] == "1.5"
    assert rows["张伟", "ch02-ex-4/verdict"]["feedback"] == "year and citation: good"
    assert rows["Иван", "ch02-ex-4/verdict"]["points"] == "0"
    assert {t["student"]: (t["points"], t["awaiting_marks"])
            for t in _csv(out / "totals.csv")} == {"Иван": ("2", "0"), "张伟": ("3.5", "0")}
    # the marks survive a resumed run, and show in a rewritten marking file
    grade(subs, hw, out, resume=True)
    assert [m["points"] for m in _csv(out / "marking" / "ch02-ex-4.csv")] == ["0", "1.5"]
    assert {r["item"]: r["points"] for r in _csv(out / "grades.csv")
            if r["student"] == "张伟"} == {"ch02-ex-4/table": "2", "ch02-ex-4/verdict": "1.5"}


# -- fixture book: written parts without executing code ---------------------------------------

def _graded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
            students: dict[str, str | None], parts: dict | None = None) -> Path:
    """Assign ch98-ex-1/-2 of the parted fixture book as ``name``; hand in one notebook per
    student (``why`` written, or left blank when None); grade without executing."""
    root = tmp_path / name
    book = _book(root, monkeypatch, PARTED if parts is None else parts)
    hw = root / "hw"
    assign(hw, items=["ch98-ex-1", "ch98-ex-2"], book=book, name=name)
    blank = nbformat.read(hw / f"{name}.ipynb", as_version=4)
    subs = root / "subs"
    for student, why in students.items():
        nb = copy.deepcopy(blank)
        (answer,) = _cells(nb, "ch98-ex-2", "answer")
        nb.cells[answer].source = "answer = 'Country B'"
        for index in _cells(nb, "ch98-ex-2", "written"):
            nb.cells[index].source = why or nb.cells[index].source
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, subs / student / f"{name}.ipynb")
    out = tmp_path / "grading" / name
    grade(subs, hw, out, execute_code=False)
    return out


def test_hand_only_items_and_placeholders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _graded(tmp_path, monkeypatch, "w1", {"Пётр": "Because of the border.", "Иван": None,
                                                "Zoë": '=HYPERLINK("http://x.invalid")'})
    rows = [(r["student"], r["item"], r["points"], r["max_points"])
            for r in _csv(out / "grades.csv")]
    assert rows == [("Zoë", "ch98-ex-1/reading", "", "2"), ("Zoë", "ch98-ex-2/country", "2", "2"),
                    ("Zoë", "ch98-ex-2/why", "", "1"),
                    ("Иван", "ch98-ex-1/reading", "", "2"),
                    ("Иван", "ch98-ex-2/country", "2", "2"),
                    ("Иван", "ch98-ex-2/why", "", "1"),
                    ("Пётр", "ch98-ex-1/reading", "", "2"),
                    ("Пётр", "ch98-ex-2/country", "2", "2"),
                    ("Пётр", "ch98-ex-2/why", "", "1")]
    # the untouched placeholder is not an answer; the student's text is, and a formula is
    # defused for spreadsheets
    assert [(m["student"], m["answer"]) for m in _csv(out / "marking" / "ch98-ex-2.csv")] == [
        ("Zoë", '\'=HYPERLINK("http://x.invalid")'), ("Иван", ""),
        ("Пётр", "Because of the border.")]
    assert (out / "marking" / "ch98-ex-1.csv").is_file()


@pytest.fixture
def marked_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _graded(tmp_path, monkeypatch, "w1", {"Иван": "One.", "Пётр": "Two."})


@pytest.mark.parametrize(("rows", "message"), [
    ([["Ivan", "ch98-ex-2", "why", "1", ""]],
     r"marks\.csv, line 2: field student: unknown student 'Ivan'"),
    ([["Иван", "ch98-ex-2", "why", "1", ""], ["Иван", "ch98-ex-9", "why", "1", ""]],
     r"marks\.csv, line 3: field item: unknown item 'ch98-ex-9'"),
    ([["Иван", "ch98-ex-2", "country", "1", ""]],
     r"line 2: field part: 'country' is not a written part of ch98-ex-2 for 'Иван'; written "
     "parts: why"),
    ([["Иван", "ch98-ex-2", "why", "1.5", ""]],
     r"line 2: field points: 1\.5 is above the part's maximum 1"),
    ([["Иван", "ch98-ex-2", "why", "-1", ""]], r"line 2: field points: -1 is negative"),
    ([["Иван", "ch98-ex-2", "why", "nan", ""]], r"line 2: field points: nan is negative or not"),
    ([["Иван", "ch98-ex-2", "why", "one", ""]], r"line 2: field points: expected a number, got "
     "'one'"),
    ([["Иван", "ch98-ex-2", "why", "1", ""], ["Иван", "ch98-ex-2", "why", "0", ""]],
     r"line 3: duplicate mark for 'Иван' ch98-ex-2 part why \(first at .*marks\.csv, line 2\)"),
    ([["Иван", "ch98-ex-2", "why", "1", "", "extra"]], r"line 2: 6 fields but the header has 5"),
])
def test_malformed_marks_are_refused_and_nothing_is_written(marked_run: Path, tmp_path: Path,
                                                            rows: list, message: str) -> None:
    before = (marked_run / "grades.csv").read_bytes()
    path = _write_marks(tmp_path / "marks.csv", rows)
    with pytest.raises(ValueError, match=message):
        merge_marks(marked_run, [path])
    assert (marked_run / "grades.csv").read_bytes() == before
    assert not (marked_run / "marks.json").exists()


def test_marks_file_shape_errors_and_partial_marking(marked_run: Path, tmp_path: Path) -> None:
    bad = _write_marks(tmp_path / "nopoints.csv", [["Иван", "ch98-ex-2", "why"]],
                       header=("student", "item", "part"))
    with pytest.raises(ValueError, match=r"nopoints\.csv, line 1: missing column\(s\) points"):
        merge_marks(marked_run, [bad])
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("student,item,part,points\nPëtr,ch98-ex-2,why,1\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.csv: not UTF-8 text"):
        merge_marks(marked_run, [latin])
    with pytest.raises(FileNotFoundError, match=r"no grades\.csv"):
        merge_marks(tmp_path, [bad])
    # one part marked, one left blank: the blank one is reported as still unmarked
    part = _write_marks(tmp_path / "some.csv", [["Иван", "ch98-ex-2", "why", "1", "ok"],
                                                ["Пётр", "ch98-ex-2", "why", "", ""]])
    report = merge_marks(marked_run, [part])
    assert report.merged == 1 and report.blank == 1
    assert [(r.student, r.item) for r in report.awaiting] == [
        ("Иван", "ch98-ex-1/reading"), ("Пётр", "ch98-ex-1/reading"),
        ("Пётр", "ch98-ex-2/why")]
    assert "still unmarked (3)" in report.summary()
    # the CLI names file and line, and exits 1
    code = cli.main(["marks", "merge", "--grades", str(marked_run), "--marks",
                     str(_write_marks(tmp_path / "over.csv",
                                      [["Пётр", "ch98-ex-2", "why", "5", ""]]))])
    assert code == 1


# -- the wide gradebook -------------------------------------------------------------------------

def test_wide_gradebook_across_three_assignments(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    auto_only = {"ch98-ex-2": [{"id": "country", "mode": "auto", "points": 3}]}
    w1 = _graded(tmp_path, monkeypatch, "w1", {"Иван": "a", "Пётр": "b", "张伟": "c"},
                 parts=auto_only)
    w2 = _graded(tmp_path, monkeypatch, "w2", {"Иван": "a", "张伟": "c"}, parts=auto_only)
    w3 = _graded(tmp_path, monkeypatch, "w3", {"Пётр": "b", "张伟": "c"})
    out = tmp_path / "gradebook.csv"
    with pytest.raises(ValueError, match=r"Пётр: w3: 2 written part\(s\) awaiting marks"):
        gradebook([w1, w2, w3], out)
    assert not out.exists()
    report = gradebook([w1, w2, w3], out, partial=True)
    assert report.assignments == {"w1": 3.0, "w2": 3.0, "w3": 5.0}
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["student", "w1", "w2", "w3", "total", "notes"]
    assert rows[1] == ["(points possible)", "3", "3", "5", "11", ""]
    body = {r[0]: r[1:] for r in rows[2:]}
    assert set(body) == {"Иван", "Пётр", "张伟"}  # three people, none merged or dropped
    assert body["Иван"] == ["3", "3", "", "6", ""]  # missing from w3: empty, not 0
    assert body["Пётр"] == ["3", "", "2", "5", "w3: 2 written part(s) awaiting marks"]
    # mark w3 (a name written in another Unicode normal form still finds its student)
    decomposed = "Пётр".replace("ё", "е\u0308")
    marks = _write_marks(tmp_path / "w3.csv", [
        [decomposed, "ch98-ex-1", "reading", "2", ""], [decomposed, "ch98-ex-2", "why", "0.5", ""],
        ["张伟", "ch98-ex-1", "reading", "1", ""], ["张伟", "ch98-ex-2", "why", "1", ""]])
    assert not merge_marks(w3, [marks]).awaiting
    with pytest.raises(FileExistsError):
        gradebook([w1, w2, w3], out)
    assert cli.main(["gradebook", str(w1), str(w2), str(w3), "--out", str(out),
                     "--force"]) == 0
    body = {r[0]: r[1:] for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert body["Пётр"] == ["3", "", "4.5", "7.5", ""]
    assert body["张伟"] == ["3", "3", "4", "10", ""]
    with pytest.raises(ValueError, match="two grading folders are named 'w1'"):
        gradebook([w1, tmp_path / "x" / "w1"], tmp_path / "g2.csv")
    assert json.loads((w3 / "marks.json").read_text(encoding="utf-8"))["marks"][0][
        "student"] == "Пётр"


def test_a_mark_stops_counting_when_the_answer_changes(marked_run: Path, tmp_path: Path) -> None:
    marks = _write_marks(tmp_path / "m.csv", [["Иван", "ch98-ex-2", "why", "1", "clear"],
                                              ["Пётр", "ch98-ex-2", "why", "0.5", ""]])
    merge_marks(marked_run, [marks])
    # Пётр hands in a new text; the run is resumed: only Пётр is graded again
    root = marked_run.parent.parent / "w1"
    notebook = root / "subs" / "Пётр" / "w1.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    (index,) = _cells(nb, "ch98-ex-2", "written")
    nb.cells[index].source = "A longer, better answer."
    nbformat.write(nb, notebook)
    report = grade(root / "subs", root / "hw", marked_run, execute_code=False, resume=True)
    assert report.resumed == ["Иван"]
    rows = {(r["student"], r["item"]): r for r in _csv(marked_run / "grades.csv")}
    assert (rows["Иван", "ch98-ex-2/why"]["points"], rows["Иван", "ch98-ex-2/why"]["feedback"]) \
        == ("1", "clear")
    changed = rows["Пётр", "ch98-ex-2/why"]
    assert changed["points"] == ""
    assert "the answer changed after it was marked (0.5 points); mark it again" in \
        changed["feedback"]
    lines = {m["student"]: m for m in _csv(marked_run / "marking" / "ch98-ex-2.csv")}
    assert (lines["Пётр"]["points"], lines["Пётр"]["answer"]) == ("", "A longer, better answer.")
    assert lines["Иван"]["points"] == "1"


def test_nothing_handed_in_scores_the_parts_zero_with_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _graded(tmp_path, monkeypatch, "w1", {"Пётр": "Text."})
    root = tmp_path / "w1"
    (root / "subs" / "Ольга").mkdir()
    (root / "subs" / "Ольга" / "essay.json").write_text("not json", encoding="utf-8")
    grade(root / "subs", root / "hw", out, execute_code=False, resume=True)
    rows = [(r["item"], r["points"], r["max_points"], r["feedback"].split(":")[0])
            for r in _csv(out / "grades.csv") if r["student"] == "Ольга"]
    assert rows == [("ch98-ex-1/reading", "0", "2", "not graded"),
                    ("ch98-ex-2/country", "0", "2", "not graded"),
                    ("ch98-ex-2/why", "0", "1", "not graded")]
    assert "Ольга" not in {m["student"] for m in _csv(out / "marking" / "ch98-ex-2.csv")}
