"""Tests of coursekit.assignments: transforms, list, assign, grade and book editions.

Fixtures: tests/fixtures/assign/book is a two-chapter mini-book (synthetic data) that follows
CONTRIBUTING.md. Its chapters are ch98/ch99 so that they never collide with the course's own
quizzes; ``COURSEKIT_QUIZZES_DIR`` points coursekit at the fixture quizzes.
"""

from __future__ import annotations

import base64
import copy
import csv
import doctest
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from coursekit import assignments
from coursekit.assignments import (
    AuthoringError,
    OutputExistsError,
    _answers,
    _markdown,
    _names,
    _roster,
    assign,
    build_edition,
    grade,
    list_items,
    transforms,
)
from coursekit.assignments._chapters import cell_info
from coursekit.assignments._edition import prepare_edition
from coursekit.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "assign" / "book"
CH98 = FIXTURE / "chapters" / "98-fixture-visits.ipynb"
CH99 = FIXTURE / "chapters" / "99-fixture-members.ipynb"

#: Strings that must never reach a student: solutions, teaching notes, graded answers and the
#: explanations/feedback that graded questions keep back.
SOLUTION_STRINGS = ["SOL-98-1", "SOL-98-2", "SOL-98-3", "SOL-99-1", "SOL-99-2",
                    "max(visits, key=visits.get)", "sum(visits.values())",
                    "if year == 1992"]
TEACHING_STRINGS = ["TN-SECRET-98", "TN-SECRET-99", "TN-SECRET-INTRO"]
GRADED_STRINGS = ["quokkaberry", "GRADED-EXPL-98-1", "GRADED-FB-98-1", "GRADED-OPTFB-98-1",
                  "GRADED-EXPL-98-3", "GRADED-EXPL-99-1"]


@pytest.fixture(autouse=True)
def _fixture_quizzes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEKIT_QUIZZES_DIR", str(FIXTURE / "chapters" / "quizzes"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def sources(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells]


def by_id(nb: nbformat.NotebookNode, item_id: str, role: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells)
            if cell_info(c).get("id") == item_id and cell_info(c).get("role") == role]


# -- doctests of the helper modules ---------------------------------------------------------

@pytest.mark.parametrize("module", [_markdown, _names, _answers, _roster, transforms])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# -- transforms, one at a time ---------------------------------------------------------------

def test_remove_teaching_notes_drops_tagged_cells_and_admonitions() -> None:
    nb = read(CH98)
    nb99 = read(CH99)
    out = transforms.remove_teaching_notes(nb)
    assert "TN-SECRET-98" not in json.dumps(out)
    assert "synthetic" in out.cells[0].source  # the rest of the cell stays
    assert "TN-SECRET-98" in json.dumps(nb)  # input untouched
    out99 = transforms.remove_teaching_notes(nb99)
    assert len(out99.cells) == len(nb99.cells) - 1
    assert "TN-SECRET-99" not in json.dumps(out99)


def test_solution_cells_finds_roles_tags_and_gated_regions() -> None:
    found = transforms.solution_cells(read(CH98))
    assert found == {3: "ch98-ex-1", 6: "ch98-ex-2", 7: "ch98-ex-2", 8: "ch98-ex-2",
                     11: "ch98-ex-3"}


def test_remove_solutions_keeps_notebook_runnable_with_stubs() -> None:
    nb = read(CH98)
    out = transforms.remove_solutions(nb)
    text = json.dumps(out)
    for marker in ("SOL-98-1", "SOL-98-2", "SOL-98-3", "solution-start", "solution-end"):
        assert marker not in text
    # ch98-ex-3 had no answer cell: its solution became a stub defining what the check reads
    (stub,) = by_id(out, "ch98-ex-3", "answer")
    assert out.cells[stub].source == "total = ...  # your code here"
    assert by_id(out, "ch98-ex-3", "check") == [stub + 1]
    # the written exercise gets a Markdown answer cell; ch98-ex-2 keeps its own answer cell
    (written,) = by_id(out, "ch98-ex-1", "answer")
    assert out.cells[written].cell_type == "markdown"
    assert len(by_id(out, "ch98-ex-2", "answer")) == 1
    assert len(nb.cells) == 15  # input untouched


def test_solution_only_variable_used_later_is_an_authoring_error() -> None:
    nb = read(CH98)
    nb.cells.insert(13, new_code_cell("print(busiest)"))
    with pytest.raises(AuthoringError) as err:
        transforms.remove_solutions(nb, "chapters/98-fixture-visits.ipynb")
    message = str(err.value)
    assert "chapters/98-fixture-visits.ipynb, cell 13" in message
    assert "'busiest'" in message and "ch98-ex-2 (cell 7)" in message


def test_check_cell_inside_gated_solution_is_an_authoring_error() -> None:
    nb = read(CH98)
    nb.cells.insert(8, copy.deepcopy(nb.cells[9]))  # a check cell before {solution-end}
    with pytest.raises(AuthoringError, match=r"cell 8 \(ch98-ex-2\): role 'check' inside"):
        transforms.remove_solutions(nb)


def test_apply_starters_replaces_answer_cells_only() -> None:
    nb = read(CH99)
    nb.cells[3].source = "answer = ['A', 'C']  # a worked answer"
    out = transforms.apply_starters(nb)
    assert out.cells[3].source == "answer = ...  # your code here"
    assert out.cells[4].source == nb.cells[4].source


def test_clear_outputs_attachments_and_metadata() -> None:
    nb = read(CH99)
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="hello")]
    nb.cells[1].execution_count = 3
    png = base64.b64encode(b"png").decode()
    nb.cells[0].attachments = {"used.png": {"image/png": png}, "stale.png": {"image/png": png}}
    nb.cells[0].source += "\n\n![x](attachment:used.png)"
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells[3].metadata["nbgrader"] = {"solution": True}
    out = transforms.clean_metadata(transforms.clear_attachments(transforms.clear_outputs(nb)))
    assert out.cells[1].outputs == [] and out.cells[1].execution_count is None
    assert list(out.cells[0].attachments) == ["used.png"]
    assert "widgets" not in out.metadata
    assert out.cells[3].metadata == {"coursekit": {"id": "ch99-ex-1", "role": "answer"}}
    assert nb.cells[1].outputs  # input untouched


def test_collapse_and_expand_solutions() -> None:
    nb = read(CH98)
    nb.cells[3].source = nb.cells[3].source.replace(":class: dropdown\n", "")
    collapsed = transforms.collapse_solutions(nb)
    assert ":class: dropdown" in collapsed.cells[3].source
    assert "hide-input" in collapsed.cells[11].metadata["tags"]
    expanded = transforms.expand_solutions(read(CH98))
    assert "dropdown" not in expanded.cells[3].source
    assert "hide-input" not in expanded.cells[7].metadata["tags"]
    assert "solution" in expanded.cells[7].metadata["tags"]


def test_pipeline_order_is_declared() -> None:
    names = [t.__name__ for t in transforms.PIPELINE]
    assert names.index("apply_starters") < names.index("remove_solutions")
    assert names[-1] == "clean_metadata"


# -- answers cross the kernel boundary as JSON -------------------------------------------------

def test_answers_round_trip_without_pickle() -> None:
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"country": ["A", "B"], "visits": [3, 5]})
    for value in (None, 3, 2.5, "x", [1, "a"], ("a", 1), {"A", "C"}, {"k": [1, 2]}):
        assert _answers.decode(json.loads(json.dumps(_answers.encode(value)))) == value
    assert _answers.decode(_answers.encode(np.int64(7))) == 7
    rebuilt = _answers.decode(json.loads(json.dumps(_answers.encode(frame))))
    pd.testing.assert_frame_equal(rebuilt, frame)
    assert isinstance(_answers.decode(_answers.encode(object())), _answers.Unreadable)


def test_pandas_answers_keep_their_dtypes() -> None:
    """An honest answer with durations, dates, time zones or categories survives the trip."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(
        {"country": ["A", "B"], "gap": pd.to_timedelta([1, None], unit="D"),
         "day": pd.to_datetime(["1992-01-01", "1994-03-05"]),
         "local": pd.to_datetime(["1992-01-01", "1994-03-05"]).tz_localize("Asia/Almaty"),
         "share": [0.5, np.nan], "kind": pd.Categorical(["x", "y"])},
        index=pd.Index([10, 20], name="row"))
    wire = json.loads(json.dumps(_answers.encode(frame)))
    pd.testing.assert_frame_equal(_answers.decode(wire), frame)
    series = pd.Series([3, 5], index=["A", "B"], name="visits")
    pd.testing.assert_series_equal(_answers.decode(_answers.encode(series)), series)
    multi = pd.DataFrame({"v": [1, 2]},
                         index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["x", "y"]))
    pd.testing.assert_frame_equal(_answers.decode(_answers.encode(multi)), multi)


@pytest.mark.parametrize("damaged", [
    {"$": "dataframe", "v": {"columns": [1]}}, {"$": "list", "v": 5},
    {"$": "dict", "v": [[[1, [2]], 3]]}, {"$": "series", "v": None},
    {"$": "dataframe", "v": {"columns": ["a"], "data": [{"dtype": "timedelta64[zz]", "v": [1]}],
                             "index": {"dtype": "int64", "v": [0]}, "index_names": [None]}},
])
def test_damaged_answers_are_unreadable_never_a_crash(damaged: dict) -> None:
    assert isinstance(_answers.decode(damaged), _answers.Unreadable)


# -- list ------------------------------------------------------------------------------------

def test_list_items_of_the_fixture_book() -> None:
    items = list_items(FIXTURE)
    assert [(i.id, i.kind, i.auto, i.points) for i in items] == [
        ("ch98-ex-1", "close-reading", False, 2.0),
        ("ch98-ex-2", "data", True, 3.0),
        ("ch98-ex-3", "data", True, 2.0),
        ("ch98-q-1", "quiz", True, 2.0),
        ("ch98-q-2", "quiz", True, 1.0),
        ("ch98-q-3", "quiz", True, 1.0),
        ("ch99-ex-1", "data", True, 2.0),
        ("ch99-ex-2", "source-criticism", False, 1.0),
        ("ch99-q-1", "quiz", True, 1.0),
    ]
    assert [i.id for i in list_items(FIXTURE, ["ch99"])] == ["ch99-ex-1", "ch99-ex-2", "ch99-q-1"]


def test_bad_exercise_metadata_names_file_cell_and_field(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    path = book / "chapters" / "99-fixture-members.ipynb"
    nb = read(path)
    nb.cells[2].metadata["coursekit"]["kind"] = "essay"
    nb.cells[6].metadata["coursekit"]["role"] = "exercise-ish"
    nbformat.write(nb, path)
    with pytest.raises(AuthoringError) as err:
        list_items(book)
    assert f"{path}, cell 2 (ch99-ex-1): metadata.coursekit.kind must be one of" in str(err.value)
    assert f"{path}, cell 6 (ch99-ex-2): metadata.coursekit.role" in str(err.value)
    with pytest.raises(KeyError, match="unknown chapter 'ch07'"):
        list_items(book, ["ch07"])


# -- assign ----------------------------------------------------------------------------------

def test_assign_writes_student_notebook_key_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "hw"
    manifest = assign(out, chapters=["ch98", "ch99"], book=FIXTURE, due="2026-12-01")
    assert manifest["name"] == "ch98-ch99" and manifest["due"] == "2026-12-01"
    # self-check question ch98-q-2 is not assigned; graded ones are
    assert [i["id"] for i in manifest["items"]] == [
        "ch98-ex-1", "ch98-ex-2", "ch98-ex-3", "ch98-q-1", "ch98-q-3", "ch99-ex-1",
        "ch99-ex-2", "ch99-q-1"]
    assert manifest["total_points"] == 14 and manifest["auto_points"] == 11
    assert json.loads((out / "manifest.json").read_text()) == manifest
    student = read(out / "ch98-ch99.ipynb")
    assert student.metadata["coursekit"] == {"assignment": "ch98-ch99", "due": "2026-12-01",
                                             "chapters": ["ch98", "ch99"]}
    assert "Due:** 2026-12-01" in student.cells[0].source
    assert any("handin_ch98.save('ch98-ch99-ch98-answers.json')" in s for s in sources(student))
    key = read(out / "instructor" / "ch98-ch99.ipynb")
    assert any("SOL-98-2" in s for s in sources(key))
    assert "expected: Country B" in (out / "instructor" / "key.md").read_text()
    assert (out / "instructor" / "quizzes" / "ch98.yml").read_text() == (
        FIXTURE / "chapters" / "quizzes" / "ch98.yml").read_text()


def test_assign_items_per_chapter_and_errors(tmp_path: Path) -> None:
    out = tmp_path / "hw"
    manifest = assign(out, items=["ch99-ex-1", "ch98-q-1"], book=FIXTURE, per_chapter=True,
                      name="quiz1")
    assert [i["id"] for i in manifest["items"]] == ["ch99-ex-1", "ch98-q-1"]
    assert sorted(p.name for p in out.glob("*.ipynb")) == [
        "98-fixture-visits.ipynb", "99-fixture-members.ipynb"]
    with pytest.raises(OutputExistsError, match="pass --force"):
        assign(out, items=["ch99-ex-1"], book=FIXTURE, per_chapter=True, name="quiz1")
    assign(out, items=["ch99-ex-1"], book=FIXTURE, per_chapter=True, name="quiz1", force=True)
    with pytest.raises(KeyError, match=r"unknown item 'ch99-ex-9'.*ch99-ex-1, ch99-ex-2"):
        assign(tmp_path / "x", items=["ch99-ex-9"], book=FIXTURE)
    with pytest.raises(ValueError, match="expected a date like 2026-12-01, got '1 Dec'"):
        assign(tmp_path / "x", chapters=["ch99"], book=FIXTURE, due="1 Dec")
    with pytest.raises(ValueError, match="not both"):
        assign(tmp_path / "x", chapters=["ch99"], items=["ch99-ex-1"], book=FIXTURE)


def test_assign_snapshots_the_bank_and_needs_it_for_assessed_items(tmp_path: Path) -> None:
    """The bank's keys go to instructor/bank/ only; assessed items cannot be set without them."""
    bank = FIXTURE / "instructor-bank"
    manifest = assign(tmp_path / "hw", chapters=["ch98", "ch99"], book=FIXTURE)
    assert manifest["banks"] == {"ch98": "instructor/bank/ch98.yml",
                                 "ch99": "instructor/bank/ch99.yml"}
    for chapter in ("ch98", "ch99"):
        assert (tmp_path / "hw" / "instructor" / "bank" / f"{chapter}.yml").read_text() == (
            bank / f"{chapter}.yml").read_text()
    assessed = {i["id"] for i in manifest["items"] if i["assessed"]}
    assert assessed == {"ch98-ex-2", "ch98-q-1", "ch98-q-3", "ch99-q-1"}
    key = (tmp_path / "hw" / "instructor" / "key.md").read_text()
    assert "quokkaberry" in key and "GRADED-EXPL-99-1" in key and "assessed)" in key
    _assert_clean(list((tmp_path / "hw").glob("*.ipynb")), GRADED_STRINGS)
    # the same bank elsewhere, given explicitly
    moved = tmp_path / "private-bank"
    shutil.copytree(bank, moved)
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book, ignore=shutil.ignore_patterns("instructor-bank"))
    assert assign(tmp_path / "hw2", chapters=["ch99"], book=book, bank=moved)["banks"] == {
        "ch99": "instructor/bank/ch99.yml"}
    # no bank: assessed items have no key, and only practice items can be set
    with pytest.raises(ValueError, match=r"assessed item\(s\) ch99-q-1 have no key: give the "
                       r"instructor bank with --bank PATH"):
        assign(tmp_path / "hw3", chapters=["ch99"], book=book)
    assert not (tmp_path / "hw3").exists()
    assert assign(tmp_path / "hw4", items=["ch99-ex-1"], book=book)["banks"] == {}
    with pytest.raises(FileNotFoundError, match="no instructor bank at"):
        assign(tmp_path / "hw5", chapters=["ch99"], book=book, bank=tmp_path / "nowhere")


def test_assign_refuses_a_student_notebook_with_private_text(tmp_path: Path) -> None:
    """A bank value pasted into a chapter (here an explanation) stops assign before writing."""
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    nb = read(book / "chapters" / CH99.name)
    nb.cells.append(new_markdown_cell("Note: GRADED-EXPL-99-1"))
    nbformat.write(nb, book / "chapters" / CH99.name)
    with pytest.raises(RuntimeError, match=r"private text of ch99-q-1 \(instructor bank\) "
                       r"found in a student notebook: 'GRADED-EXPL-99-1'"):
        assign(tmp_path / "hw", chapters=["ch99"], book=book)
    assert not (tmp_path / "hw").exists()


def test_grade_reads_keys_from_the_bank(tmp_path: Path) -> None:
    hw = tmp_path / "hw"
    assign(hw, chapters=["ch99"], book=FIXTURE, name="hw1")
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "hw1-ch99-answers.json").write_text(json.dumps(
        {"quiz": "ch99", "responses": {"ch99-q-1": ["a", "c"]}}))
    grade(subs, hw, tmp_path / "out", execute_code=False)  # the keys of the bank snapshot
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "grades.csv").read_text())))
    assert [float(r["points"]) for r in rows if r["item"] == "ch99-q-1"] == [1.0]
    empty = tmp_path / "empty-bank"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"empty-bank/ch99\.yml: no bank file for quiz 'ch99'"):
        grade(subs, hw, tmp_path / "out2", execute_code=False, bank=empty)
    with pytest.raises(FileNotFoundError, match="no instructor bank at"):
        grade(subs, hw, tmp_path / "out3", execute_code=False, bank=tmp_path / "nowhere")


def _dirty_copy(tmp_path: Path) -> Path:
    """The fixture book with solution text hidden everywhere a careless author could leave it:
    outputs, attachments, extra metadata, widget state."""
    book = tmp_path / "dirty"
    shutil.copytree(FIXTURE, book)
    for path, sol in ((book / "chapters" / CH98.name, "SOL-98-2"),
                      (book / "chapters" / CH99.name, "SOL-99-1")):
        nb = read(path)
        for cell in nb.cells:
            info = cell_info(cell)
            if info.get("role") == "solution" and cell.cell_type == "code":
                cell.outputs = [new_output("execute_result", data={"text/plain": sol},
                                           execution_count=1)]
            if info.get("role") == "solution" and cell.cell_type == "markdown":
                cell.attachments = {"s.png": {"image/png": base64.b64encode(
                    sol.encode()).decode()}}
            if info.get("role") == "check":
                cell.outputs = [new_output("stream", name="stdout", text=f"{sol}: Correct.")]
            if info.get("role") == "answer":
                cell.metadata["nbgrader"] = {"solution_text": sol}
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
            "state": {"m": {"state": {"value": f"{sol} quokkaberry GRADED-EXPL-98-1"}}}}}
        nbformat.write(nb, path)
    return book


def _assert_clean(files: list[Path], forbidden: list[str]) -> None:
    assert files, "nothing was generated"
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for secret in forbidden:
            assert secret not in text, f"{secret!r} leaked into {path}"


#: Teaching notes for the fixture chapters (instructor-bank/notes/chNN.md; format in _notes).
FIXTURE_NOTES = {
    "ch98": ("## Lesson plan\n\n- **20 min** — TN-FILE-98 warm-up\n- **30 min** — discussion\n\n"
             "## In-class activity\n\nPairs read the table.\n\n## Common misconceptions\n\n"
             "- one\n- two\n- three\n\n## Marking guide\n\n### ch98-ex-1\n\n"
             "- **2 points** — TN-FILE-98 says what the table counts and cannot tell\n"),
    "ch99": ("## Lesson plan\n\n- **50 min** — TN-FILE-99 the members\n\n"
             "## In-class activity\n\nA vote.\n\n## Common misconceptions\n\n"
             "- one\n- two\n- three\n\n## Marking guide\n\n### ch99-ex-2\n\n"
             "- **1 point** — a reason\n"),
}


def _noted_copy(tmp_path: Path) -> Path:
    book = tmp_path / "noted"
    shutil.copytree(FIXTURE, book)
    (book / "instructor-bank" / "notes").mkdir()
    for chapter, text in FIXTURE_NOTES.items():
        (book / "instructor-bank" / "notes" / f"{chapter}.md").write_text(text, encoding="utf-8")
    return book


def test_instructor_edition_shows_teaching_notes_after_the_objectives(tmp_path: Path) -> None:
    book = _noted_copy(tmp_path)
    nb = read(book / "chapters" / CH98.name)
    nb.cells.insert(1, new_markdown_cell("## Learning objectives\n\n- By the end you can read."))
    nbformat.write(nb, book / "chapters" / CH98.name)
    prepare_edition(book, tmp_path / "teacher", "instructor")
    teacher = read(tmp_path / "teacher" / "chapters" / CH98.name)
    (index,) = [i for i, c in enumerate(teacher.cells) if "TN-FILE-98" in c.source]
    assert index == 2 and teacher.cells[1].source.startswith("## Learning objectives")
    note = teacher.cells[index]
    assert "teaching-note" in note.metadata["tags"]
    assert ":class: teaching-note" in note.source and "**Marking guide**" in note.source
    assert "**ch98-ex-1**" in note.source and "## " not in note.source  # no heading in a directive
    # a chapter without an objectives heading gets its notes after the title cell
    ch99 = read(tmp_path / "teacher" / "chapters" / CH99.name)
    assert [i for i, c in enumerate(ch99.cells) if "TN-FILE-99" in c.source] == [1]
    # the student edition never gets them, nor does the book's own copy
    prepare_edition(book, tmp_path / "student", "student")
    students = [p.read_text() for p in (tmp_path / "student" / "chapters").glob("*.ipynb")]
    assert len(students) == 2 and not any("TN-FILE" in text for text in students)
    assert "TN-FILE" not in (book / "chapters" / CH98.name).read_text()


def test_instructor_edition_refuses_broken_teaching_notes(tmp_path: Path) -> None:
    book = _noted_copy(tmp_path)
    (book / "instructor-bank" / "notes" / "ch98.md").write_text("## Lesson plan\n", "utf-8")
    with pytest.raises(InputError, match=r"ch98\.md: missing section\(s\) 'In-class activity'"):
        prepare_edition(book, tmp_path / "teacher", "instructor")


def test_edition_for_instructors_carries_each_chapters_notes() -> None:
    """The course's own notes: each chapter's instructor page gets them, the student page not."""
    from coursekit.assignments import _edition, _notes

    repo = FIXTURE.parents[3]
    chapters = sorted((repo / "chapters").glob("[0-9][0-9]-*.ipynb"))
    assert len(chapters) >= 8
    for path in chapters:
        notes = _notes.load(_notes.notes_path(repo, f"ch{path.name[:2]}"))
        marker = notes.misconceptions[0][:60]
        teacher = _edition._with_notes(read(path), repo, Path("chapters") / path.name)
        assert sum(marker in c.source for c in teacher.cells) == 1, path.name
        student = transforms.run(teacher, transforms.STUDENT_COLLAPSED)
        assert not any(marker in c.source for c in student.cells), path.name


@pytest.mark.slow
def test_safety_nothing_secret_reaches_students(tmp_path: Path) -> None:
    """Required safety test: student notebooks and the student edition contain no solution,
    teaching note or graded answer, in any cell, output, attachment, metadata or widget state."""
    book = _dirty_copy(tmp_path)
    forbidden = SOLUTION_STRINGS + TEACHING_STRINGS + GRADED_STRINGS
    assign(tmp_path / "combined", chapters=["ch98", "ch99"], book=book)
    assign(tmp_path / "split", chapters=["ch98", "ch99"], book=book, per_chapter=True)
    student_files = [p for folder in ("combined", "split")
                     for p in (tmp_path / folder).glob("*.ipynb")]
    assert len(student_files) == 3
    _assert_clean(student_files, forbidden)
    # the instructor key does hold them (so the test would see a leak)
    key = (tmp_path / "combined" / "instructor" / "ch98-ch99.ipynb").read_text()
    assert "SOL-98-2" in key and "TN-SECRET-98" in key

    html = build_edition("student", tmp_path / "student-html", book=book, solutions="removed")
    pages = [p for p in html.rglob("*") if p.is_file()]
    assert (html / "chapters" / "98-fixture-visits.html").exists()
    _assert_clean(pages, forbidden)
    page = (html / "chapters" / "98-fixture-visits.html").read_text()
    assert "Country B" in page  # the data task itself is intact and was executed
    assert "# your code here" in page  # the stub replaced the removed solution


@pytest.mark.slow
def test_collapsed_student_and_instructor_editions(tmp_path: Path) -> None:
    student = build_edition("student", tmp_path / "s", book=FIXTURE)
    _assert_clean([p for p in student.rglob("*.html")], TEACHING_STRINGS + GRADED_STRINGS)
    page = (student / "chapters" / "98-fixture-visits.html").read_text()
    assert "SOL-98-1" in page and "dropdown" in page
    teacher = build_edition("instructor", tmp_path / "i", book=FIXTURE)
    page = (teacher / "chapters" / "98-fixture-visits.html").read_text()
    assert "TN-SECRET-98" in page and "SOL-98-2" in page
    assert "teaching-note" in page
    with pytest.raises(OutputExistsError):
        build_edition("instructor", tmp_path / "i", book=FIXTURE)
    assert not (FIXTURE / "_build").exists()  # the sources were never touched


# -- grade -----------------------------------------------------------------------------------

def fill(nb: nbformat.NotebookNode, item_id: str, source: str) -> None:
    (index,) = by_id(nb, item_id, "answer")
    nb.cells[index].source = source


def save(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def answers(path: Path, quiz: str, responses: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"quiz": quiz, "responses": responses}))


def _hand_in(tmp_path: Path) -> tuple[Path, Path]:
    """Assign both chapters (one notebook each) and hand in five students' work."""
    hw = tmp_path / "hw"
    assign(hw, chapters=["ch98", "ch99"], book=FIXTURE, per_chapter=True, name="hw1")
    blank98, blank99 = read(hw / CH98.name), read(hw / CH99.name)
    subs = tmp_path / "submitted"

    # alice: everything right
    nb98, nb99 = copy.deepcopy(blank98), copy.deepcopy(blank99)
    fill(nb98, "ch98-ex-2", "answer = max(visits, key=visits.get)")
    fill(nb98, "ch98-ex-3", "total = sum(visits.values())")
    fill(nb99, "ch99-ex-1", "answer = {m for m, y in joined.items() if y == 1992}")
    save(nb98, subs / "alice" / CH98.name)
    save(nb99, subs / "alice" / CH99.name)
    answers(subs / "alice" / "hw1-ch98-answers.json", "ch98",
            {"ch98-q-1": "c", "ch98-q-2": True, "ch98-q-3": " Quokkaberry"})
    answers(subs / "alice" / "hw1-ch99-answers.json", "ch99", {"ch99-q-1": ["a", "c"]})

    # bob: wrong answers, an error, a quiz question left out, no ch99 answers file
    nb98, nb99 = copy.deepcopy(blank98), copy.deepcopy(blank99)
    fill(nb98, "ch98-ex-2", "answer = 'Country A'")
    fill(nb98, "ch98-ex-3", "total = 9")
    fill(nb99, "ch99-ex-1", "answer = undefined_name")
    save(nb98, subs / "bob" / CH98.name)
    save(nb99, subs / "bob" / CH99.name)
    answers(subs / "bob" / "hw1-ch98-answers.json", "ch98", {"ch98-q-1": "b"})

    # carol: cells reordered (ch98-ex-3 moved before ch98-ex-2), half of ch99-ex-1
    nb98, nb99 = copy.deepcopy(blank98), copy.deepcopy(blank99)
    fill(nb98, "ch98-ex-2", "answer = 'Country B'")
    fill(nb98, "ch98-ex-3", "total = 10")
    moved = [nb98.cells[i] for i in sorted(by_id(nb98, "ch98-ex-3", "exercise")
                                           + by_id(nb98, "ch98-ex-3", "answer")
                                           + by_id(nb98, "ch98-ex-3", "check"))]
    nb98.cells = [c for c in nb98.cells if c not in moved]
    start = by_id(nb98, "ch98-ex-2", "exercise")[0]
    nb98.cells[start:start] = moved
    fill(nb99, "ch99-ex-1", "answer = ['A']")
    save(nb98, subs / "carol" / CH98.name)
    save(nb99, subs / "carol" / CH99.name)

    # dave: deleted the ch98-ex-3 check cell; copied the ch99-ex-1 check cell (twice graded?)
    nb98, nb99 = copy.deepcopy(blank98), copy.deepcopy(blank99)
    fill(nb98, "ch98-ex-2", "answer = 'country b'")
    fill(nb98, "ch98-ex-3", "total = 10")
    (check,) = by_id(nb98, "ch98-ex-3", "check")
    del nb98.cells[check]
    fill(nb99, "ch99-ex-1", "answer = ['A', 'B']")
    (check,) = by_id(nb99, "ch99-ex-1", "check")
    copied = copy.deepcopy(nb99.cells[check])
    copied.id = "copied01"
    nb99.cells[check + 1:check + 1] = [new_code_cell("answer = ['A', 'C']"), copied]
    save(nb98, subs / "dave" / CH98.name)
    save(nb99, subs / "dave" / CH99.name)

    # erin: a malformed ch98 notebook, a foreign notebook, a stray JSON file; ch99 right
    nb99 = copy.deepcopy(blank99)
    fill(nb99, "ch99-ex-1", "answer = ['C', 'A']")
    (subs / "erin").mkdir(parents=True)
    (subs / "erin" / CH98.name).write_text('{"cells": [ oops')
    save(nb99, subs / "erin" / CH99.name)
    foreign = nbformat.v4.new_notebook(cells=[new_markdown_cell("my notes")])
    save(foreign, subs / "erin" / "notes.ipynb")
    (subs / "erin" / "settings.json").write_text('{"theme": "dark"}')
    return hw, subs


@pytest.fixture
def submissions(tmp_path: Path) -> tuple[Path, Path]:
    """The class of :func:`_hand_in`, this test's own copy (the test may change it)."""
    return _hand_in(tmp_path)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The class of :func:`_hand_in`, handed in once and graded once in the sandbox (-j 1);
    tests that only read the submissions share them, and several assert on this run."""
    tmp = tmp_path_factory.mktemp("graded-class")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEKIT_QUIZZES_DIR", str(FIXTURE / "chapters" / "quizzes"))
        hw, subs = _hand_in(tmp)
        before = _tree(subs)
        messages: list[str] = []
        report = grade(subs, hw, tmp / "grades", progress=messages.append)
    return {"hw": hw, "subs": subs, "out": tmp / "grades", "report": report,
            "messages": messages, "before": before}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def shared(graded_class: dict) -> Iterator[tuple[Path, Path]]:
    """The shared class's (assignment, submissions), for tests that only read them; checked
    unchanged afterwards."""
    yield graded_class["hw"], graded_class["subs"]
    assert _tree(graded_class["subs"]) == graded_class["before"], "a test changed the class"


EXPECTED_CSV = """\
student,item,points,max_points,feedback
alice,ch98-ex-2,3,3,Correct.
alice,ch98-ex-3,2,2,Correct.
alice,ch98-q-1,2,2,Correct. GRADED-OPTFB-98-1
alice,ch98-q-3,1,1,Correct.
alice,ch99-ex-1,2,2,Correct.
alice,ch99-q-1,1,1,Correct.
bob,ch98-ex-2,0,3,Not quite. CHECK-FB-98-2 look at the largest number.
bob,ch98-ex-3,0,2,Not quite.
bob,ch98-q-1,0,2,Not quite.
bob,ch98-q-3,0,1,not answered
bob,ch99-ex-1,0,2,the check cell raised NameError: name 'answer' is not defined
bob,ch99-q-1,0,1,no quiz answers file for ch99 (hw1-ch99-answers.json) handed in; scored 0
carol,ch98-ex-2,3,3,Correct.
carol,ch98-ex-3,2,2,Correct.
carol,ch98-q-1,0,2,no quiz answers file for ch98 (hw1-ch98-answers.json) handed in; scored 0
carol,ch98-q-3,0,1,no quiz answers file for ch98 (hw1-ch98-answers.json) handed in; scored 0
carol,ch99-ex-1,1,2,"Partly correct (50%). 1 expected item(s) missing, 0 unexpected."
carol,ch99-q-1,0,1,no quiz answers file for ch99 (hw1-ch99-answers.json) handed in; scored 0
dave,ch98-ex-2,3,3,Correct.
dave,ch98-ex-3,0,2,no check cell for ch98-ex-3 found (was it deleted?); scored 0
dave,ch98-q-1,0,2,no quiz answers file for ch98 (hw1-ch98-answers.json) handed in; scored 0
dave,ch98-q-3,0,1,no quiz answers file for ch98 (hw1-ch98-answers.json) handed in; scored 0
dave,ch99-ex-1,0,2,"2 cells carry the id ch99-ex-1 (99-fixture-members.ipynb cell 5, \
99-fixture-members.ipynb cell 7): graded the first; Not quite. 1 expected item(s) missing, \
1 unexpected."
dave,ch99-q-1,0,1,no quiz answers file for ch99 (hw1-ch99-answers.json) handed in; scored 0
erin,ch98-ex-2,0,3,no notebook with chapter ch98 handed in; scored 0
erin,ch98-ex-3,0,2,no notebook with chapter ch98 handed in; scored 0
erin,ch98-q-1,0,2,no quiz answers file for ch98 (hw1-ch98-answers.json) handed in; scored 0
erin,ch98-q-3,0,1,no quiz answers file for ch98 (hw1-ch98-answers.json) handed in; scored 0
erin,ch99-ex-1,2,2,Correct.
erin,ch99-q-1,0,1,no quiz answers file for ch99 (hw1-ch99-answers.json) handed in; scored 0
"""


def test_grade_end_to_end_exact_csv(graded_class: dict) -> None:
    """Required end-to-end test: right, wrong, reordered, deleted, duplicated, malformed."""
    hw, subs, out = graded_class["hw"], graded_class["subs"], graded_class["out"]
    report, messages = graded_class["report"], graded_class["messages"]
    csv_text = (out / "grades.csv").read_text()
    assert csv_text == EXPECTED_CSV
    assert report.graded == ["alice", "bob", "carol", "dave", "erin"]
    assert [(name, reason.split(":")[0]) for name, reason in report.skipped] == [
        ("erin/98-fixture-visits.ipynb", "malformed notebook"),
        ("erin/notes.ipynb", "not a notebook of assignment 'hw1'"),
        ("erin/settings.json", "not a quiz answers file of this assignment (expected {\"quiz\""),
    ]
    assert messages[0] == "[1/5] alice: 2 notebook(s), 2 answers file(s)"
    feedback = (out / "feedback" / "erin.md").read_text()
    assert "Automatically graded: **2 / 11** points" in feedback
    assert "erin/98-fixture-visits.ipynb was not graded: malformed notebook" in feedback
    assert "- ch99-ex-2 (source-criticism, 1 points)" in feedback
    with pytest.raises(OutputExistsError):
        grade(subs, hw, out)
    assert (out / "grades.csv").read_text() == EXPECTED_CSV  # the refused run changed nothing


def test_grade_without_executing_reads_literal_answers(shared: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    hw, subs = shared
    grade(subs, hw, tmp_path / "g", execute_code=False)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "g" / "grades.csv").read_text())))
    got = {(r["student"], r["item"]): (r["points"], r["feedback"]) for r in rows}
    assert got["alice", "ch98-ex-2"] == (
        "0", "the answer is computed by code; grade with --execute to score it")
    assert got["carol", "ch98-ex-3"] == ("2", "Correct.")
    assert got["carol", "ch99-ex-1"][0] == "1"


def test_check_records_answers_while_grading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("COURSEKIT_GRADE_LOG", str(log))
    assert assignments.check("ch98-ex-2", {"Country B"}) is False
    entry = json.loads(log.read_text())
    assert entry["id"] == "ch98-ex-2"
    assert _answers.decode(entry["answer"]) == {"Country B"}
    monkeypatch.delenv("COURSEKIT_GRADE_LOG")
    assert assignments.check("ch98-ex-3", 10) is True
    assert "ch98-ex-3: Correct." in capsys.readouterr().out


def test_the_grading_kernel_and_runner_import_only_what_they_use() -> None:
    """Every graded notebook starts a runner (``_runner``) and a kernel that runs the
    ``PREAMBLE``: neither loads jsonschema, YAML, nbformat or the grader's own modules (CPU in
    every notebook of every student); the package's public names still all resolve."""
    from coursekit.assignments._execute import PREAMBLE

    heavy = ["coursekit.assignments._assign", "coursekit.assignments._grade", "jsonschema",
             "nbformat", "yaml"]
    code = (f"import sys\nimport coursekit.assignments._runner\n{PREAMBLE}\n"
            f"print([m for m in {heavy!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert {name: callable(getattr(assignments, name)) for name in assignments.__all__} == \
        dict.fromkeys(assignments.__all__, True)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        assignments.nothing  # noqa: B018


def test_grade_in_parallel_gives_the_same_csv(graded_class: dict, shared: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    """The class graded again with two sandboxes at once: the same CSV and feedback as the
    shared -j 1 run of the end-to-end test."""
    hw, subs = shared
    grade(subs, hw, tmp_path / "j2", jobs=2)
    assert (tmp_path / "j2" / "grades.csv").read_text() == EXPECTED_CSV
    assert _tree(tmp_path / "j2" / "feedback") == _tree(graded_class["out"] / "feedback")


def test_grade_records_each_student_and_resumes(submissions: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    hw, subs = submissions
    out = tmp_path / "g"
    grade(subs, hw, out, execute_code=False)
    first = (out / "grades.csv").read_text()
    assert len(list((out / ".progress").glob("*.json"))) == 5
    assert (out / ".coursekit-output").is_file()
    with pytest.raises(OutputExistsError, match="pass --resume to finish that run"):
        grade(subs, hw, out, execute_code=False)
    nb = read(subs / "bob" / CH98.name)
    fill(nb, "ch98-ex-3", "total = 10")
    save(nb, subs / "bob" / CH98.name)
    report = grade(subs, hw, out, execute_code=False, resume=True)
    assert sorted(report.resumed) == ["alice", "carol", "dave", "erin"]
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert {(r["student"], r["item"]): r["points"] for r in rows}["bob", "ch98-ex-3"] == "2"
    assert (out / "grades.csv").read_text().replace("bob,ch98-ex-3,2,2,Correct.",
                                                    "bob,ch98-ex-3,0,2,Not quite.") == first


def test_ctrl_c_just_after_a_record_still_lists_that_student(submissions: tuple[Path, Path],
                                                              tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C that lands after a student's record is written but before grades.csv is: the
    interrupted run's grades.csv still lists every recorded student (seen once in the
    adversarial Ctrl-C test, where the signal came right after the first record)."""
    from coursekit.assignments._results import Store

    hw, subs = submissions
    out = tmp_path / "g"
    calls = []
    write_csv = Store.write_csv

    def interrupted_once(self: Store) -> None:
        calls.append(len(self.results))
        if len(calls) == 3:  # the problems' write, one student's, then Ctrl-C at the next
            raise KeyboardInterrupt
        write_csv(self)

    monkeypatch.setattr(Store, "write_csv", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        grade(subs, hw, out, execute_code=False)
    recorded = len(list((out / ".progress").glob("*.json")))
    assert recorded == 2 == calls[-1]
    listed = {r["student"] for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
    assert len(listed) == recorded


def test_limits_must_be_positive(shared: tuple[Path, Path], tmp_path: Path) -> None:
    hw, subs = shared
    for kwargs, flag in (({"timeout": 0}, "--timeout"), ({"timeout": -5}, "--timeout"),
                         ({"jobs": 0}, "-j/--jobs")):
        with pytest.raises(ValueError, match=f"{flag} must be a positive whole number"):
            grade(subs, hw, tmp_path / "g", **kwargs)
    assert not (tmp_path / "g").exists()
    for out in (subs / "grades", hw, subs):
        with pytest.raises(ValueError, match="choose a"):
            grade(subs, hw, out, execute_code=False)
    assert not (subs / "grades").exists()


def test_grade_refuses_to_run_code_without_a_sandbox(shared: tuple[Path, Path],
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from coursekit.assignments import _sandbox

    hw, subs = shared
    monkeypatch.setattr(_sandbox, "_bwrap", lambda: None)
    with pytest.raises(RuntimeError, match=r"bubblewrap \(bwrap\) is not installed.*"
                                           r"--unsafe-no-sandbox"):
        grade(subs, hw, tmp_path / "g")
    assert not (tmp_path / "g").exists()
    grade(subs, hw, tmp_path / "n", execute_code=False)  # nothing runs: no sandbox needed
    only = tmp_path / "one"
    shutil.copytree(subs / "alice", only / "alice")
    grade(only, hw, tmp_path / "u", unsafe_no_sandbox=True)
    assert "alice,ch98-ex-2,3,3,Correct." in (tmp_path / "u" / "grades.csv").read_text()


def test_outputs_never_replace_what_coursekit_did_not_make(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from coursekit.assignments import _edition

    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    monkeypatch.chdir(book)
    for out in (book, tmp_path, Path.home(), Path("/")):
        with pytest.raises(ValueError, match="refusing to write into"):
            build_edition("student", out, book=book, force=True)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(ValueError, match="was not made by coursekit"):
        build_edition("student", mine, book=book, force=True)
    with pytest.raises(ValueError, match="was not made by coursekit"):
        assign(mine, chapters=["ch99"], book=book, force=True)
    assert (mine / "thesis.tex").read_text() == "years of work"
    # a marked folder is replaced whole, and the new one is marked too
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("new")
    made = tmp_path / "made"
    assign(made, chapters=["ch99"], book=book)
    assert (made / ".coursekit-output").is_file()
    _edition._replace(made, html)
    assert sorted(p.name for p in made.iterdir()) == [".coursekit-output", "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# -- data-task scaffolds and no-code variants ------------------------------------------------

SCAFFOLD_98 = (":::{dropdown} Starter code with blanks\nFill in the blank.\n\n```python\n"
               "busiest = max(visits, key=___)\nanswer = busiest\n```\n:::")
NO_CODE_98 = (":::{admonition} No-code variant\n:class: tip\n\n| country | visits |\n| --- | --- |\n"
              "| Country A | 3 |\n\nWhich country had most visits?\n:::")


def _book_with_variants(tmp_path: Path, item: str = "ch98-ex-2", after: int = 4,
                        scaffold_type: str = "markdown", tags: list[str] | None = None) -> Path:
    """A copy of the fixture book whose chapter 98 has a scaffold and a no-code cell for
    ``item`` after cell ``after``."""
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    path = book / "chapters" / "98-fixture-visits.ipynb"
    nb = read(path)
    make = new_markdown_cell if scaffold_type == "markdown" else new_code_cell
    scaffold = make(SCAFFOLD_98, metadata={"coursekit": {"id": item, "role": "scaffold"}})
    if tags:
        scaffold.metadata["tags"] = tags
    no_code = new_markdown_cell(NO_CODE_98, metadata={"coursekit": {"id": item, "role": "no-code"}})
    nb.cells[after + 1:after + 1] = [scaffold, no_code]
    nbformat.write(nb, path)
    return book


def test_assign_keeps_scaffold_and_no_code_cells_for_students(tmp_path: Path) -> None:
    """Students get both cells, unchanged, between the exercise and its answer cell; they are
    not solutions and are never run."""
    book = _book_with_variants(tmp_path)
    assign(tmp_path / "hw", chapters=["ch98"], book=book)
    student = read(tmp_path / "hw" / "ch98.ipynb")
    scaffold = by_id(student, "ch98-ex-2", "scaffold")
    no_code = by_id(student, "ch98-ex-2", "no-code")
    exercise = by_id(student, "ch98-ex-2", "exercise")
    answer = by_id(student, "ch98-ex-2", "answer")
    assert len(scaffold) == len(no_code) == 1
    assert exercise[0] + 1 == scaffold[0] and scaffold[0] + 1 == no_code[0] < answer[0]
    assert student.cells[scaffold[0]].source == SCAFFOLD_98
    assert student.cells[no_code[0]].source == NO_CODE_98
    assert {student.cells[i].cell_type for i in scaffold + no_code} == {"markdown"}
    assert cell_info(student.cells[scaffold[0]]) == {"id": "ch98-ex-2", "role": "scaffold"}
    # the solution is still removed, so the scaffold is all the help the student gets
    assert not any("SOL-98-2" in s for s in sources(student))
    # and the edition of the book students read keeps them too
    collapsed = transforms.run(read(book / "chapters" / "98-fixture-visits.ipynb"),
                               transforms.STUDENT_COLLAPSED)
    assert SCAFFOLD_98 in sources(collapsed) and NO_CODE_98 in sources(collapsed)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"scaffold_type": "code"}, "role 'scaffold' belongs on a Markdown cell"),
    ({"item": "ch98-ex-1", "after": 2}, "role 'scaffold' is for data tasks, but the exercise's "
                                        "kind is 'close-reading'"),
    ({"tags": ["solution"]}, "tagged 'solution' but role is 'scaffold'; students would lose"),
])
def test_misplaced_scaffold_is_an_authoring_error(tmp_path: Path, kwargs: dict,
                                                  message: str) -> None:
    book = _book_with_variants(tmp_path, **kwargs)
    with pytest.raises(AuthoringError, match=message):
        list_items(book)
