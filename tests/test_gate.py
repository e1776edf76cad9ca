"""The check gate (``coursekit check``): it passes on the course and fails, naming file, item
and field, on each planted fault. Before the gate, ``coursekit check`` printed "ok" for a
misquoted ``data/routes.yml``, and a route without ``stages`` was a bare ``KeyError``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coursekit import _gate
from coursekit._resources import resource_path
from coursekit.errors import InputError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of what the gate reads: data/ and chapters/ (notebooks and quizzes)."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "chapters", tmp_path / "chapters",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_course_passes_every_check():
    assert [str(p) for p in _gate.run_all(REPO)] == []


def test_misquoted_route_fails_the_gate(book: Path):
    _edit(book / "data" / "routes.yml", "gradually increased", "greatly increased")
    problems = _gate.run_all(book)
    assert [p.check for p in problems] == ["routes"]
    message = str(problems[0])
    assert message.startswith("data/routes.yml, item 'northern-route', field 'quotes[1]': ")
    assert "greatly increased" in message and "closest passage" in message


def test_route_without_stages_fails_the_gate(book: Path):
    routes = book / "data" / "routes.yml"
    text = routes.read_text(encoding="utf-8")
    routes.write_text(text[:text.index("    stages:")] + text[text.index("    hubs:"):], encoding="utf-8")
    problems = _gate.run_all(book, only=["routes"])
    assert [str(p) for p in problems] == [
        "data/routes.yml, line 10, item 'northern-route', field 'stages': "
        "'stages' is a required property"]


def test_boundaries_must_be_geojson_with_the_five_states(book: Path):
    path = book / "data" / "boundaries.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"] = [f for f in collection["features"] if f["properties"]["iso3"] != "KGZ"]
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    ring = ring[0] if collection["features"][0]["geometry"]["type"] == "MultiPolygon" else ring
    ring.pop()  # the ring no longer closes
    path.write_text(json.dumps(collection), encoding="utf-8")
    messages = [str(p) for p in _gate.run_all(book, only=["boundaries"])]
    assert len(messages) == 2, messages
    assert "feature 1" in messages[0] and "end where it starts" in messages[0]
    assert messages[1].endswith("missing KGZ")
    path.write_text("{not json", encoding="utf-8")
    assert [str(p) for p in _gate.run_all(book, only=["boundaries"])] == [
        "data/boundaries.geojson, line 1: not valid JSON: Expecting property name enclosed in double quotes"]


def test_misquoted_excerpt_and_broken_quiz_fail_the_gate(book: Path):
    notebook = sorted((book / "chapters").glob("*.ipynb"))[0]
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    quoted = next(c for c in cells if c["cell_type"] == "code" and "excerpt(" in "".join(c["source"]))
    from coursekit.sources import excerpt_calls

    source_id, passage = next(c for c in excerpt_calls("".join(quoted["source"])) if c[1])
    _edit(notebook, json.dumps(passage, ensure_ascii=False)[1:-1].split(" ", 1)[1][:30],
          "wholly invented words " + json.dumps(passage, ensure_ascii=False)[1:-1].split(" ", 1)[1][:30])
    quiz = sorted((book / "chapters" / "quizzes").glob("*.yml"))[0]
    _edit(quiz, "questions:", "questionz:")
    problems = _gate.run_all(book, only=["excerpts", "quizzes"])
    assert [p.check for p in problems] == ["excerpts", "quizzes"]
    assert str(problems[0]).startswith(f"{notebook.name}, cell ") and source_id in str(problems[0])
    assert str(problems[1]).startswith(str(quiz))


def test_a_crashing_check_fails_the_gate_by_name(book: Path, monkeypatch):
    def broken(root: Path) -> list[str]:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(_gate.CHECKS, "quizzes", broken)
    assert [str(p) for p in _gate.run_all(book, only=["quizzes"])] == [
        "the quizzes check could not run: RuntimeError: disk on fire"]
    with pytest.raises(InputError, match=r"'bank'.*datasets, routes"):
        _gate.run_all(book, only=["bank"])


def test_a_book_without_data_is_checked_against_the_shipped_datasets():
    """``coursekit check --book`` on a book with chapters only (the assignments fixture)."""
    fixture = REPO / "tests" / "fixtures" / "assign" / "book"
    assert not (fixture / "data").exists()
    assert _gate.data_dir(fixture) == resource_path("data")
    assert [str(p) for p in _gate.run_all(fixture)] == []


# -- teaching notes (instructor-bank/notes/chNN.md) --------------------------------------------

NOTES_98 = """# Teaching notes: fixture visits

## Lesson plan

- **10 min** — warm-up on the table
- **40 min** — discussion

## In-class activity

Pairs compare two readings of the table.

## Common misconceptions

- A count says why people came.
- More visits means a closer ally.
- The table covers every year.

## Marking guide

### ch98-ex-1

- **1 point** — says what the table counts
- **1 point** — says what it cannot tell
"""

NOTES_99 = NOTES_98.replace("ch98-ex-1", "ch99-ex-2").replace(
    "- **1 point** — says what it cannot tell\n", "")


@pytest.fixture
def noted(tmp_path: Path) -> Path:
    """The assignments fixture book (chapters 98 and 99) with teaching notes for both."""
    book = tmp_path / "book"
    shutil.copytree(REPO / "tests" / "fixtures" / "assign" / "book", book)
    (book / "instructor-bank" / "notes").mkdir()
    (book / "instructor-bank" / "notes" / "ch98.md").write_text(NOTES_98, encoding="utf-8")
    (book / "instructor-bank" / "notes" / "ch99.md").write_text(NOTES_99, encoding="utf-8")
    return book


def _notes_problems(book: Path) -> list[str]:
    return [str(p) for p in _gate.run_all(book, only=["notes"])]


def test_teaching_notes_pass_the_gate(noted: Path):
    assert _notes_problems(noted) == []


def test_a_book_without_a_notes_folder_has_nothing_to_check():
    assert _notes_problems(REPO / "tests" / "fixtures" / "assign" / "book") == []


def test_marking_guide_points_must_add_up_to_the_notebook(noted: Path):
    _edit(noted / "instructor-bank" / "notes" / "ch98.md", "- **1 point** — says what it",
          "- **2 points** — says what it")
    (problem,) = _notes_problems(noted)
    assert "ch98.md, line 20: the elements of ch98-ex-1 add up to 3 points" in problem
    assert "98-fixture-visits.ipynb gives it 2" in problem


def test_marking_guide_covers_exactly_the_written_parts(noted: Path):
    _edit(noted / "instructor-bank" / "notes" / "ch99.md", "### ch99-ex-2", "### ch99-ex-1")
    problems = _notes_problems(noted)
    assert len(problems) == 2
    assert "ch99.md: the marking guide has no entry '### ch99-ex-2'" in problems[0]
    assert "ch99.md, line 20: ch99-ex-1 is not a written part" in problems[1]  # auto-graded


def test_notes_format_errors_name_file_and_line(noted: Path):
    path = noted / "instructor-bank" / "notes" / "ch98.md"
    _edit(path, "## In-class activity", "## Activity")
    _edit(path, "- **40 min** — discussion", "- discussion, about 40 minutes")
    _edit(path, "- The table covers every year.\n", "")
    _edit(path, "- **1 point** — says what the table counts", "- says what the table counts")
    (problem,) = _notes_problems(noted)
    lines = problem.splitlines()
    assert any(line.endswith("ch98.md, line 8: unknown section 'Activity'; the sections are "
                             "'Lesson plan', 'In-class activity', 'Common misconceptions', "
                             "'Marking guide'") for line in lines)
    assert any("ch98.md, line 6: a lesson-plan step must start with its minutes" in line
               for line in lines)
    assert any("ch98.md: missing section(s) 'In-class activity'" in line for line in lines)
    assert any("the lesson plan's steps add up to 10 minutes" in line for line in lines)
    assert any("ch98.md: 'Common misconceptions' has 2 top-level bullets; give 3 to 5" in line
               for line in lines)
    assert any("ch98.md, line 21: an element of ch98-ex-1 must start with its points" in line
               for line in lines)


def test_a_lesson_plan_is_one_class_meeting(noted: Path):
    _edit(noted / "instructor-bank" / "notes" / "ch98.md", "**40 min**", "**90 min**")
    (problem,) = _notes_problems(noted)
    assert "the lesson plan's steps add up to 100 minutes; one class meeting is 50-75" in problem


def test_every_chapter_needs_notes_and_every_notes_file_a_chapter(noted: Path):
    notes = noted / "instructor-bank" / "notes"
    (notes / "ch99.md").rename(notes / "ch97.md")
    (notes / "chapter1.md").write_text(NOTES_98, encoding="utf-8")
    problems = _notes_problems(noted)
    assert any("chapter1.md: a teaching-notes file is named after its chapter" in p
               for p in problems)
    assert any("99-fixture-members.ipynb: no teaching notes" in p for p in problems)
    assert any("ch97.md: no chapter ch97" in p for p in problems)
    assert len(problems) == 3
