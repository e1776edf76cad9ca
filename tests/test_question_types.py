"""Every question type is in every place the "Adding a question type" checklist of
CONTRIBUTING.md names. A type added to ``QUESTION_TYPES`` but missing from any other place
fails here, naming the place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from coursekit import lms, quiz
from coursekit._yaml import safe_load
from coursekit.lms import moodle, qti12, qti21
from coursekit.lms._items import Report
from coursekit.quiz import loader, model, render

ROOT = Path(__file__).resolve().parents[1]
QUIZ_DIR = Path(quiz.__file__).parent
TYPES = list(model.QUESTION_TYPES)
CHECKLIST = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def _demo_entries() -> dict[str, dict]:
    data = safe_load((ROOT / "chapters" / "quizzes" / "demo.yml").read_text("utf-8"))
    return {e["type"]: e for e in data["questions"]}


@pytest.fixture(scope="module")
def demo() -> quiz.Quiz:
    return quiz.load("demo")


@pytest.fixture(scope="module")
def quiz_js() -> str:
    return (QUIZ_DIR / "static" / "quiz.js").read_text(encoding="utf-8")


def _js_block(js: str, start: str) -> str:
    """The text of the brace block that opens at the first ``start``."""
    i = js.index(start)
    depth = 0
    for j in range(js.index("{", i), len(js)):
        depth += {"{": 1, "}": -1}.get(js[j], 0)
        if depth == 0:
            return js[i:j]
    raise AssertionError(f"unclosed block after {start!r}")


def test_the_checklist_names_every_place():
    section = CHECKLIST[CHECKLIST.index("## Adding a question type"):]
    for place in ("QUESTION_TYPES", "schema.json", "bank-schema.json", "scoreAnswer", "HINTS",
                  "text_lines", "demo.yml", "lms/_items.py", "tests/test_question_types.py"):
        assert place in section, place


@pytest.mark.parametrize("kind", TYPES)
def test_schema_enum_and_conditional_block(kind):
    question = json.loads(loader.SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]["question"]
    assert kind in question["properties"]["type"]["enum"]
    consts = [b["if"]["properties"]["type"].get("const") for b in question["allOf"]
              if "type" in b.get("if", {}).get("properties", {})]
    assert consts.count(kind) == 1, f"schema.json: one if/then block for {kind!r}"


@pytest.mark.parametrize("kind", TYPES)
def test_quiz_js_scores_draws_and_hints(kind, quiz_js):
    assert f'case "{kind}"' in _js_block(quiz_js, "export function scoreAnswer"), "scoreAnswer"
    assert re.search(rf'q\.type === "{kind}"', quiz_js), "the control chosen for the type"
    assert re.search(rf"^\s*{kind}: ", _js_block(quiz_js, "const HINTS"), re.M), "HINTS"


@pytest.mark.parametrize("kind", TYPES)
def test_plain_text_rendering(kind, demo):
    cls = model.QUESTION_TYPES[kind]
    assert "text_lines" in vars(cls) or any(
        "text_lines" in vars(base) for base in cls.__mro__[1:cls.__mro__.index(model.Question)]
    ), f"{cls.__name__} defines text_lines()"
    question = next(q for q in demo.questions if q.type == kind)
    lines = question.text_lines()
    assert lines and all(line.startswith("   ") for line in lines)
    assert "\n".join(lines) in render.text(demo)


@pytest.mark.parametrize("kind", TYPES)
def test_demo_quiz_has_the_type(kind):
    assert kind in _demo_entries(), "chapters/quizzes/demo.yml has one question of the type"


@pytest.mark.parametrize("kind", TYPES)
def test_an_assessed_copy_round_trips_through_a_bank(kind, tmp_path):
    """The type's key fields are bank fields (bank-schema.json) that the loader merges back,
    or schema.json says explicitly that the type cannot be assessed."""
    entry = dict(_demo_entries()[kind], id="demo-q-1", graded=True)
    private_names = loader.private_fields()
    private = {k: entry.pop(k) for k in list(entry) if k in private_names}
    if "items" in entry and any("match" in i for i in entry["items"]):
        entry["items"] = [dict(i) for i in entry["items"]]
        private["matches"] = {i["id"]: i.pop("match") for i in entry["items"]}
    if any("feedback" in o for o in entry.get("options", [])):
        entry["options"] = [dict(o) for o in entry["options"]]
        private["option_feedback"] = {o["id"]: o.pop("feedback") for o in entry["options"]
                                      if "feedback" in o}
    public = tmp_path / "demo.yml"
    public.write_text(yaml.safe_dump({"title": "T", "questions": [entry]}), encoding="utf-8")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "demo.yml").write_text(
        yaml.safe_dump({"quiz": "demo", "items": {"demo-q-1": private}}), encoding="utf-8")
    try:
        assert not quiz.load(public)["demo-q-1"].keyed, "the key left the public file"
    except quiz.QuizFileError as exc:  # a type whose public form is its key (ordering)
        assert exc.field == "type" and "cannot be assessed" in str(exc), exc
        return
    keyed = quiz.load(public, bank=bank)["demo-q-1"]
    original = model.QUESTION_TYPES[kind].from_dict(dict(_demo_entries()[kind], id="demo-q-1"))
    assert keyed.to_dict() == {**original.to_dict(), "graded": True}


def test_lms_exporters_map_every_type(demo):
    report = Report("test")
    for q in demo.questions:
        lms._items.to_item(q, report)  # raises for a type with no LMS mapping
    for build in (qti12.package, qti21.package, moodle.document):
        _, report = build([demo])
        assert sorted(report.items) == sorted(q.id for q in demo.questions), build.__module__
