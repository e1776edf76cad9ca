"""The course's coverage, counted from the chapter notebooks themselves.

Per chapter: at least three verbatim excerpts from at least two sources, exercises of at least
three kinds (one with a collapsed model answer), a self-check quiz of at least six questions of
at least three types, learning objectives and a time estimate. Across the course: every source
quoted in at least two chapters and at least one fact-check exercise. ``python
tests/test_course.py`` prints the table.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from coursekit import quiz as ck_quiz
from coursekit.sources import excerpt_calls, verify_notebook_excerpts

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((REPO / "chapters").glob("[0-9][0-9]-*.ipynb"))
SOURCE_IDS = set(yaml.safe_load((REPO / "seeds" / "records.yml").read_text())) \
    if (REPO / "seeds" / "records.yml").exists() else set()


def chapter_profile(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    excerpts: list[str] = []
    kinds: dict[str, str] = {}
    collapsed_solutions = 0
    markdown = ""
    quiz_names: list[str] = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        meta = cell.get("metadata", {}).get("coursekit", {})
        if meta.get("role") == "exercise":
            kinds[meta["id"]] = meta["kind"]
        if cell["cell_type"] == "code":
            excerpts += [source_id for source_id, _ in excerpt_calls(source)]
            quiz_names += re.findall(r"quiz\.show\(\s*[\"'](\w+)[\"']", source)
        else:
            markdown += source + "\n"
            if re.search(r"(?:```|:::)\{solution(-start)?\}[^\n]*\n:class: dropdown", source):
                collapsed_solutions += 1
    questions: Counter[str] = Counter()
    for name in quiz_names:
        quiz = yaml.safe_load((REPO / "chapters" / "quizzes" / f"{name}.yml").read_text())
        questions.update(q["type"] for q in quiz.get("questions", []))
    return {
        "chapter": path.stem, "excerpts": excerpts, "sources": set(excerpts),
        "exercise_kinds": Counter(kinds.values()), "exercises": kinds,
        "collapsed_solutions": collapsed_solutions, "questions": questions,
        "objectives": bool(re.search(r"learning objectives", markdown, re.I)),
        "time": bool(re.search(r"\b\d+\s*min", markdown)),
        "glossary_terms": len(re.findall(r"\{term\}`", markdown)),
        "citations": len(re.findall(r"\{cite(:[tp])?\}`", markdown)),
    }


@functools.cache
def profiles() -> dict[str, dict]:
    """Every chapter's profile, read once when a test first needs it (not at collection, so a
    malformed chapter fails its tests instead of the whole collection)."""
    return {p.stem: chapter_profile(p) for p in CHAPTERS}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_excerpt_is_verbatim(path: Path):
    assert verify_notebook_excerpts(path) == []


def test_there_are_eight_chapters():
    assert len(CHAPTERS) == 8, [p.name for p in CHAPTERS]


@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_chapter_meets_the_course_standard(chapter: str):
    p = profiles()[chapter]
    assert len(p["excerpts"]) >= 3, f"{chapter}: {len(p['excerpts'])} excerpts"
    assert len(p["sources"]) >= 2, f"{chapter}: excerpts from {sorted(p['sources'])}"
    assert not p["sources"] - SOURCE_IDS, f"{chapter}: unknown source ids {p['sources'] - SOURCE_IDS}"
    kinds = set(p["exercise_kinds"])
    assert len(kinds) >= 3, f"{chapter}: exercise kinds {sorted(kinds)}"
    assert "data" in kinds, f"{chapter}: no data/map/chart exercise"
    assert kinds & {"close-reading"}, f"{chapter}: no close-reading exercise"
    assert kinds & {"source-criticism", "fact-check"}, f"{chapter}: no source-criticism exercise"
    assert p["collapsed_solutions"] >= 1, f"{chapter}: no collapsed model answer"
    assert sum(p["questions"].values()) >= 6, f"{chapter}: quiz has {dict(p['questions'])}"
    assert len(p["questions"]) >= 3, f"{chapter}: quiz question types {dict(p['questions'])}"
    assert p["objectives"] and p["time"], f"{chapter}: learning objectives or time estimate missing"
    assert p["glossary_terms"] >= 1, f"{chapter}: no glossary term linked"
    assert p["citations"] >= 1, f"{chapter}: no further reading from the cited works"


def test_every_source_is_quoted_in_two_chapters():
    chapters_per_source = Counter(s for p in profiles().values() for s in p["sources"])
    assert SOURCE_IDS, "seeds/records.yml is missing"
    assert {s: chapters_per_source[s] for s in SOURCE_IDS if chapters_per_source[s] < 2} == {}


def test_the_course_has_a_fact_check_exercise():
    assert any(p["exercise_kinds"]["fact-check"] for p in profiles().values())


def test_exercise_ids_are_unique_and_follow_the_convention():
    ids = [i for p in profiles().values() for i in p["exercises"]]
    assert len(ids) == len(set(ids))
    for chapter, p in profiles().items():
        number = chapter[:2]
        assert all(re.fullmatch(rf"ch{number}-ex-\d+", i) for i in p["exercises"]), p["exercises"]


def coverage_table() -> str:
    header = "| chapter | excerpts | sources | exercises by kind | quiz questions by type |"
    lines = [header, "| --- | --- | --- | --- | --- |"]
    for name, p in profiles().items():
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(p["exercise_kinds"].items()))
        types = ", ".join(f"{k} {n}" for k, n in sorted(p["questions"].items()))
        lines.append(f"| {name} | {len(p['excerpts'])} | {len(p['sources'])} | {kinds} | {types} |")
    return "\n".join(lines)


@pytest.mark.book
@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_worked_solutions_pass_their_checks(chapter: str, built_book: Path):
    """In the executed chapter (from the book build) every check cell reports success, so each
    worked solution agrees with the expected answer in its quiz file. An assessed data task has
    no public solution or key: its check says the instructor grades it (the bank's model
    solutions are checked in tests/test_quiz.py)."""
    executed = built_book.parent / "jupyter_execute" / "chapters" / f"{chapter}.ipynb"
    nb = json.loads(executed.read_text(encoding="utf-8"))
    checks = [c for c in nb["cells"] if c.get("metadata", {}).get("coursekit", {}).get("role") == "check"]
    assert checks, f"{chapter}: no check cells"
    for cell in checks:
        text = "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                       for o in cell["outputs"])
        item = cell["metadata"]["coursekit"]["id"]
        if ck_quiz.load(item.split("-")[0])[item].graded:
            assert "graded by your instructor" in text and "Correct" not in text, text
            continue
        assert "Correct" in text and "Not quite" not in text, f"{chapter} {item}: {text!r}"


if __name__ == "__main__":
    print(coverage_table())
