"""The course's coverage, counted from the chapter notebooks themselves.

Per chapter: at least three verbatim excerpts from at least two sources, exercises of at least
three kinds (one with a collapsed model answer), a self-check quiz of at least eight questions of
at least three types, and the chapter template (reference/instructor-guide.md): learning
objectives, a time line that includes the quiz, key terms, the body, the self-check quiz, a
summary and checked further reading, in that order. Across the course: thirteen chapters (00 to
12), every source quoted in at least two chapters, at least one fact-check exercise, every
exercise with a skill of the progression and a catch of its own, no two exercises with the same
prompt, and the skills progression stated week by week in the instructor guide and practised in
the chapters, ending in argument. ``python tests/test_course.py`` prints the coverage table.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from _support import executed_notebook

from coursekit import quiz as ck_quiz
from coursekit._yaml import safe_load
from coursekit.assignments.tags import SKILLS
from coursekit.sources import excerpt_calls, verify_notebook_excerpts

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((REPO / "chapters").glob("[0-9][0-9]-*.ipynb"))
SOURCE_IDS = set(yaml.safe_load((REPO / "seeds" / "records.yml").read_text())) \
    if (REPO / "seeds" / "records.yml").exists() else set()
GUIDE = REPO / "reference" / "instructor-guide.md"
#: The course's chapters after issue 15: the opening data chapter (00) and chapters 01 to 12.
CHAPTER_NUMBERS = [f"{n:02d}" for n in range(13)]
#: The opening chapter teaches reading the data; it is held to the template, not to the source
#: and exercise-kind standard of the subject chapters.
DATA_CHAPTER = "00"
#: The chapter template: these second-level headings, in this order. The first three open the
#: chapter (before any code), the last three close it; the body's sections come in between.
OPENING = ("Learning objectives", "Time line", "Key terms")
CLOSING = ("Self-check quiz", "Summary", "Further reading")
CATCH_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MIN_QUESTIONS = 8
#: Words left out when two exercise titles are compared ("One event, two readings" and "Two
#: readings of one event" are the same prompt).
TITLE_STOPWORDS = {"a", "an", "the", "of", "in", "on", "and", "or", "to", "for", "by", "at", "is"}


def chapter_profile(path: Path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    excerpts: list[str] = []
    kinds: dict[str, str] = {}
    exercise_meta: dict[str, dict] = {}
    exercise_text: dict[str, str] = {}
    collapsed_solutions = 0
    markdown = ""
    quiz_names: list[str] = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        meta = cell.get("metadata", {}).get("coursekit", {})
        if meta.get("role") == "exercise":
            kinds[meta["id"]] = meta["kind"]
            exercise_meta[meta["id"]] = meta
            exercise_text[meta["id"]] = source
        if cell["cell_type"] == "code":
            excerpts += [source_id for source_id, _ in excerpt_calls(source)]
            quiz_names += re.findall(r"quiz\.show\(\s*[\"'](\w+)[\"']", source)
        else:
            markdown += source + "\n"
            if re.search(r"(?:```|:::)\{solution(-start)?\}[^\n]*\n:class: dropdown", source):
                collapsed_solutions += 1
    questions: Counter[str] = Counter()
    question_skills: Counter[str] = Counter()
    for name in quiz_names:
        quiz = safe_load((REPO / "chapters" / "quizzes" / f"{name}.yml").read_text())
        questions.update(q["type"] for q in quiz.get("questions", []))
        question_skills.update(q.get("skill") or "(none)" for q in quiz.get("questions", []))
    return {
        "chapter": path.stem, "excerpts": excerpts, "sources": set(excerpts),
        "exercise_kinds": Counter(kinds.values()), "exercises": kinds,
        "exercise_meta": exercise_meta, "exercise_text": exercise_text,
        "collapsed_solutions": collapsed_solutions, "questions": questions,
        "question_skills": question_skills,
        "objectives": bool(re.search(r"learning objectives", markdown, re.I)),
        "time": bool(re.search(r"^## Time line\n(?:.*\n)*?\|[^\n]*minutes[^\n]*\|", markdown, re.M)),
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


def test_there_are_thirteen_chapters():
    """The opening data chapter and chapters 1 to 12 (issue 15). Fails on a branch that does not
    yet hold the new chapters; it passes once they are merged."""
    assert [p.name[:2] for p in CHAPTERS] == CHAPTER_NUMBERS, [p.name for p in CHAPTERS]


@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_chapter_meets_the_course_standard(chapter: str):
    p = profiles()[chapter]
    assert sum(p["questions"].values()) >= MIN_QUESTIONS, f"{chapter}: quiz has {dict(p['questions'])}"
    assert len(p["questions"]) >= 3, f"{chapter}: quiz question types {dict(p['questions'])}"
    assert p["objectives"] and p["time"], f"{chapter}: learning objectives or time line missing"
    assert p["glossary_terms"] >= 1, f"{chapter}: no glossary term linked"
    if chapter[:2] == DATA_CHAPTER:
        return
    assert len(p["excerpts"]) >= 3, f"{chapter}: {len(p['excerpts'])} excerpts"
    assert len(p["sources"]) >= 2, f"{chapter}: excerpts from {sorted(p['sources'])}"
    assert not p["sources"] - SOURCE_IDS, f"{chapter}: unknown source ids {p['sources'] - SOURCE_IDS}"
    kinds = set(p["exercise_kinds"])
    assert len(kinds) >= 3, f"{chapter}: exercise kinds {sorted(kinds)}"
    assert "data" in kinds, f"{chapter}: no data/map/chart exercise"
    assert kinds & {"close-reading"}, f"{chapter}: no close-reading exercise"
    assert kinds & {"source-criticism", "fact-check"}, f"{chapter}: no source-criticism exercise"
    assert p["collapsed_solutions"] >= 1, f"{chapter}: no collapsed model answer"
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


def _share(counter: Counter[str]) -> str:
    total = sum(counter.values())
    return ", ".join(f"{k} {round(100 * n / total)}%" for k, n in sorted(counter.items())) if total else "-"


def coverage_table() -> str:
    header = ("| chapter | excerpts | sources | exercises by kind | exercises by skill "
              "| quiz questions by type | quiz questions by skill (share) |")
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, p in profiles().items():
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(p["exercise_kinds"].items()))
        skills = ", ".join(f"{k} {n}" for k, n in sorted(Counter(
            m.get("skill", "(none)") for m in p["exercise_meta"].values()).items()))
        types = ", ".join(f"{k} {n}" for k, n in sorted(p["questions"].items()))
        lines.append(f"| {name} | {len(p['excerpts'])} | {len(p['sources'])} | {kinds} | {skills} "
                     f"| {types} | {_share(p['question_skills'])} |")
    return "\n".join(lines)


# --- The chapter template ------------------------------------------------------------------------

def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def headings(cells: list[dict]) -> list[tuple[int, str, int]]:
    """(level, text, cell index) of the Markdown headings, outside fenced code blocks (a scaffold's
    ```python block has '# comments')."""
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in "".join(cell["source"]).splitlines():
            if re.match(r"\s*(```|~~~)", line):
                fenced = not fenced
            elif not fenced and (m := re.match(r"(#{1,6}) (.+)", line)):
                found.append((len(m.group(1)), m.group(2).strip(), index))
    return found


def section(cells: list[dict], title: str) -> str:
    """The Markdown of the ``## title`` section, up to the next second-level heading."""
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_headings_follow_the_template(path: Path):
    cells = _cells(path)
    found = headings(cells)
    assert found and found[0][0] == 1 and found[0][2] == 0, f"{path.name}: the first cell must be '# Title'"
    assert [h for h in found if h[0] == 1] == found[:1], f"{path.name}: more than one '# ' title"
    h2 = [text for level, text, _ in found if level == 2]
    for name in OPENING + CLOSING:
        assert h2.count(name) == 1, f"{path.name}: '## {name}' appears {h2.count(name)} times"
    assert tuple(h2[:3]) == OPENING, f"{path.name}: the chapter must open with {OPENING}, has {h2[:3]}"
    assert tuple(h2[-3:]) == CLOSING, f"{path.name}: the chapter must close with {CLOSING}, has {h2[-3:]}"
    key_terms = next(i for level, text, i in found if level == 2 and text == "Key terms")
    assert all(c["cell_type"] == "markdown" for c in cells[:key_terms + 1]), (
        f"{path.name}: objectives, time line and key terms must come before any code")
    quiz = next(i for level, text, i in found if level == 2 and text == "Self-check quiz")
    assert any("quiz.show(" in "".join(c["source"]) for c in cells[quiz:quiz + 2]), (
        f"{path.name}: the quiz cell must follow '## Self-check quiz'")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_objectives_key_terms_and_time_line(path: Path):
    cells = _cells(path)
    objectives = section(cells, "Learning objectives")
    assert "By the end" in objectives and len(re.findall(r"(?m)^- ", objectives)) >= 2, (
        f"{path.name}: objectives must say 'By the end ...' and list at least two")
    assert re.search(r"\{term\}`", section(cells, "Key terms")), f"{path.name}: no glossary term in key terms"
    rows = [[c.strip().strip("*").strip() for c in line.strip().strip("|").split("|")]
            for line in section(cells, "Time line").splitlines() if line.strip().startswith("|")]
    assert len(rows) >= 5 and [c.lower() for c in rows[0]] == ["activity", "minutes"], (
        f"{path.name}: the time line must be an 'activity | minutes' table, has {rows[:1]}")
    body = [r for r in rows[2:] if r[0].lower() != "total"]
    total = [r for r in rows[2:] if r[0].lower() == "total"]
    assert len(total) == 1 and rows[-1] == total[0], f"{path.name}: the time line must end with one Total row"
    minutes = [int(r[1]) for r in body]
    assert all(m > 0 for m in minutes) and int(total[0][1]) == sum(minutes), (
        f"{path.name}: the Total row must be the sum of the rows ({sum(minutes)})")
    labels = " ".join(r[0] for r in body)
    assert re.search(r"\bquiz\b", labels, re.I), f"{path.name}: the time line has no row for the quiz"
    assert re.search(r"\bread", labels, re.I), f"{path.name}: the time line has no row for the reading"
    named = set(re.findall(r"ch\d\d-ex-\d+", labels))
    exercises = set(profiles()[path.stem]["exercises"])
    assert named <= exercises, f"{path.name}: the time line names missing exercises {named - exercises}"
    assert not exercises or named or re.search(r"exercis|task", labels, re.I), (
        f"{path.name}: the time line has no row for the exercises")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_further_reading_is_curated_and_separate(path: Path):
    """Each pick (a list item) names a year and an address (a URL or DOI); the works the sources
    cite, if listed, come after the picks under their own third-level heading."""
    text = section(_cells(path), "Further reading")
    curated = re.split(r"(?m)^### ", text)[0]
    picks = re.findall(r"(?m)^[-*] (.+(?:\n  .+)*)", curated)
    assert picks, f"{path.name}: further reading lists no checked work"
    for pick in picks:
        assert re.search(r"\b(?:1[89]|20)\d\d\b", pick) and re.search(r"https?://|\b10\.\d{4,}/", pick), (
            f"{path.name}: a further-reading entry needs a year and an address: {pick[:80]!r}")
    assert not re.search(r"\{cite", curated), f"{path.name}: cited works mixed into the curated list"


# --- Skills and catches --------------------------------------------------------------------------

def _all_exercises() -> dict[str, dict]:
    return {i: m for p in profiles().values() for i, m in p["exercise_meta"].items()}


def test_every_exercise_names_a_skill_and_a_catch():
    problems = [f"{i}: skill {m.get('skill')!r}" for i, m in _all_exercises().items()
                if m.get("skill") not in SKILLS]
    problems += [f"{i}: catch {m.get('catch')!r}" for i, m in _all_exercises().items()
                 if not isinstance(m.get("catch"), str) or not CATCH_RE.fullmatch(m["catch"])]
    assert problems == [], "every exercise needs metadata.coursekit.skill (one of "  \
        f"{', '.join(SKILLS)}) and a slug catch:\n" + "\n".join(problems)


def test_catches_are_unique_across_the_course():
    catches = Counter(m.get("catch") for m in _all_exercises().values())
    assert {c: n for c, n in catches.items() if n > 1} == {}


def _prompt(text: str) -> tuple[frozenset[str], str]:
    """An exercise's title as a bag of words, and its body without the directive lines."""
    title = re.search(r":::\{exercise\}\s*(.*)", text)
    words = frozenset(re.findall(r"[a-z0-9']+", (title.group(1) if title else "").lower())) - TITLE_STOPWORDS
    body = "\n".join(line for line in text.splitlines() if not line.startswith(":"))
    return words, " ".join(body.split()).lower()


def test_no_two_exercises_share_a_prompt():
    texts = {i: _prompt(t) for p in profiles().values() for i, t in p["exercise_text"].items()}
    ids = sorted(texts)
    def similar(a: str, b: str) -> bool:  # ratio() > 0.8, its cheap upper bounds tried first
        matcher = difflib.SequenceMatcher(None, a, b)
        return matcher.real_quick_ratio() > 0.8 and matcher.quick_ratio() > 0.8 and matcher.ratio() > 0.8

    same = [(a, b) for n, a in enumerate(ids) for b in ids[n + 1:]
            if texts[a][0] == texts[b][0] or similar(texts[a][1], texts[b][1])]
    assert same == [], f"exercises with the same prompt: {same}"


# --- The skills progression ----------------------------------------------------------------------

def syllabus() -> list[tuple[int, list[str], str]]:
    """(week, chapter numbers, skill focus) from the week-by-week table of the instructor guide."""
    text = GUIDE.read_text(encoding="utf-8")
    m = re.search(r"^### Week by week\n(.*?)(?=^#)", text, re.M | re.S)
    assert m, f"{GUIDE.name}: no '### Week by week' section"
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in m.group(1).splitlines() if line.startswith("|")]
    header = [h.lower() for h in rows[0]]
    assert "week" in header and "skill focus" in header, f"{GUIDE.name}: week table header {rows[0]}"
    week_col, chapter_col = header.index("week"), header.index("chapter")
    skill_col = header.index("skill focus")
    weeks = []
    for row in rows[2:]:
        chapters = re.findall(r"chapters/(\d\d)-", row[chapter_col])
        skill = re.sub(r"[*_`]", "", row[skill_col]).strip().lower().replace(" ", "-")
        weeks.append((int(row[week_col]), chapters, skill))
    return weeks


def test_the_syllabus_runs_twelve_weeks_through_the_progression():
    weeks = syllabus()
    assert [w for w, _, _ in weeks] == list(range(1, 13)), "the syllabus must run weeks 1 to 12"
    chapters = [c for _, cs, _ in weeks for c in cs]
    assert sorted(chapters) == CHAPTER_NUMBERS and len(set(chapters)) == len(chapters), chapters
    focus = [s for _, _, s in weeks]
    assert set(focus) <= set(SKILLS), f"unknown skill focus: {set(focus) - set(SKILLS)}"
    order = [SKILLS.index(s) for s in focus]
    assert order == sorted(order), f"the weekly focus must follow the progression {SKILLS}: {focus}"
    assert set(focus) == set(SKILLS) and focus[-1] == "argument", focus


def test_each_chapter_practises_its_weeks_skill_and_the_course_ends_in_argument():
    focus = {c: s for _, cs, s in syllabus() for c in cs}
    missing = []
    for name, p in profiles().items():
        skills = {m.get("skill") for m in p["exercise_meta"].values()}
        if p["exercise_meta"] and name[:2] in focus and focus[name[:2]] not in skills:
            missing.append(f"{name}: focus {focus[name[:2]]}, exercises practise {sorted(map(str, skills))}")
    assert missing == [], "\n".join(missing)
    practised = Counter(m.get("skill") for m in _all_exercises().values())
    assert set(SKILLS) <= set(practised), f"skills never practised: {set(SKILLS) - set(practised)}"
    last = profiles()[CHAPTERS[-1].stem]["exercise_meta"]
    assert last and list(last.values())[-1].get("skill") == "argument", (
        f"{CHAPTERS[-1].stem}: the course's last exercise must practise argument")


@pytest.mark.book
@pytest.mark.parametrize("chapter", [p.stem for p in CHAPTERS])
def test_worked_solutions_pass_their_checks(chapter: str, built_book: Path):
    """In the executed chapter (from the book build) every check cell reports success, so each
    worked solution agrees with the expected answer in its quiz file. An assessed data task has
    no public solution or key: its check says the instructor grades it (the bank's model
    solutions are checked in tests/test_quiz.py)."""
    nb = executed_notebook(built_book, REPO / "chapters" / f"{chapter}.ipynb")
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
