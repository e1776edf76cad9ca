"""Handing in from the book: the response file (``coursekit.quiz.responses``), its schema, the
book version stamped into a built page, and a chapter of the built book answered by keyboard in
headless Chromium, downloaded, validated and scored against the instructor bank."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from _support import REPO, offline_context

from coursekit import ids, quiz
from coursekit.quiz import responses
from coursekit.quiz.responses import ResponseFileError

FIXTURES = Path(__file__).parent / "fixtures" / "quiz"
CH90 = FIXTURES / "quizzes" / "ch90.yml"
BANK = FIXTURES / "bank"
SCHEMA = json.loads(responses.SCHEMA_PATH.read_text(encoding="utf-8"))
QUIZ_JS = REPO / "src" / "coursekit" / "quiz" / "static" / "quiz.js"


@pytest.fixture
def ch90() -> quiz.Quiz:
    return quiz.load(CH90)


def payload(ch90: quiz.Quiz, **changes) -> dict:
    data = responses.build(ch90, {"ch90-q-1": "b", "ch90-q-2": "15 %"}, name="张伟")
    data.update(changes)
    return data


# ------------------------------------------------------------------------------ the format
def test_schema_is_valid_and_repeats_the_id_patterns():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    props = SCHEMA["properties"]
    for pattern in (props["quiz"]["pattern"], props["course"]["pattern"],
                    props["responses"]["propertyNames"]["pattern"]):
        assert pattern == ids.KEY_PATTERN
    assert props["format"]["const"] == responses.FORMAT
    assert props["format_version"]["const"] == responses.FORMAT_VERSION


def test_the_browser_writes_the_same_format():
    """quiz.js spells the format's name and version once each, as the Python module does."""
    js = QUIZ_JS.read_text(encoding="utf-8")
    assert f'const FORMAT = "{responses.FORMAT}";' in js
    assert f"const FORMAT_VERSION = {responses.FORMAT_VERSION};" in js
    body = re.search(r"export function responseFile\(.*?\n\}\n", js, re.S)[0]
    for key in SCHEMA["required"]:
        assert re.search(rf"\b{key}\b", body), key


def test_dump_and_load_round_trip(ch90, tmp_path):
    path = responses.dump(ch90, {"ch90-q-1": "b", "ch90-q-2": "15 %"}, tmp_path / "a.json",
                          name="  Пётр Иванов ")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    assert "Пётр" in path.read_text(encoding="utf-8")  # names are written as typed
    loaded = responses.load(path)
    assert (loaded.quiz, loaded.name, loaded.course) == ("ch90", "Пётр Иванов",
                                                         responses.COURSE_ID)
    assert loaded.responses == {"ch90-q-1": "b", "ch90-q-2": "15 %"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", loaded.saved_at)
    assert responses.problems(loaded, ch90) == []
    assert quiz.score(quiz.load(CH90, bank=BANK), path).points == 3


def test_dump_refuses_an_answer_the_format_cannot_hold(ch90, tmp_path):
    with pytest.raises(ResponseFileError, match=r"field 'responses.ch90-q-1': .* is not an "
                       "answer"):
        responses.dump(ch90, {"ch90-q-1": {"nested": {"deep": 1}}}, tmp_path / "a.json")
    assert list(tmp_path.iterdir()) == []


def test_book_version_is_deterministic_and_follows_the_public_file(tmp_path):
    first = responses.book_version(quiz.load(CH90))
    assert first == responses.book_version(quiz.load(CH90, bank=BANK))  # the bank is not in it
    assert re.fullmatch(r"\d+\.\d+\.\d+.*\+[0-9a-f]{12}", first)
    copy = tmp_path / "ch90.yml"  # an assignment's snapshot, saved on Windows
    copy.write_bytes(CH90.read_bytes().replace(b"\n", b"\r\n"))
    assert responses.book_version(quiz.load(copy)) == first
    copy.write_text(CH90.read_text().replace("Give a number between 10 and 20.",
                                             "Give a number between 10 and 30."))
    assert responses.book_version(quiz.load(copy)) != first


def test_a_quiz_built_in_python_has_a_version_too():
    built = quiz.Quiz([quiz.TrueFalse(id="x-q-1", prompt="Yes?", answer=True)], name="x")
    assert responses.book_version(built) == responses.book_version(built)
    assert responses.build(built, {"x-q-1": True})["book_version"].endswith(
        responses.book_version(built)[-12:])


@pytest.mark.parametrize(("change", "message"), [
    ({"format_version": 2}, r"field 'format_version': expected 1, got 2"),
    ({"quiz": "ch 09"}, r"field 'quiz': 'ch 09' does not match"),
    ({"book_version": "latest"}, r"field 'book_version': 'latest' does not match"),
    ({"responses": {"ch90-q-1": None}}, r"field 'responses.ch90-q-1': None is not an answer"),
    ({"name": "x" * 201}, r"field 'name': is too long: at most 200 characters"),
    ({"extra": 1}, r"field 'extra': is not a field of a response file"),
    ({"saved_at": "yesterday"}, r"field 'saved_at': 'yesterday' does not match"),
])
def test_validate_names_the_field(ch90, change, message):
    with pytest.raises(ResponseFileError, match=message):
        responses.validate(payload(ch90, **change), "answers.json")


def test_validate_names_a_missing_field(ch90):
    data = payload(ch90)
    del data["book_version"]
    with pytest.raises(ResponseFileError, match=r"answers.json: field 'book_version': is "
                       "missing"):
        responses.validate(data, "answers.json")


@pytest.mark.parametrize(("content", "message"), [
    (b'{"quiz": "ch90", ', r"bad.json: not JSON: Expecting .* at line 1"),
    (b"\xff\xfe{}", r"bad.json: not UTF-8 text"),
    (b"[1, 2]", r"bad.json: expected a JSON object \(a response file\), got list"),
    (b'{"hello": "world"}', r'bad.json: not a response file \(no "format"'),
    (b"[" * 100000 + b"]" * 100000, r"bad.json: not JSON this reader accepts|larger|not JSON"),
])
def test_load_reports_malformed_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ResponseFileError, match=message):
        responses.load(path)


def test_load_refuses_a_huge_file_unread(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b" " * (responses.MAX_BYTES + 1))
    with pytest.raises(ResponseFileError, match=r"1048577 bytes, more than the 1048576"):
        responses.load(path)


def test_older_files_are_still_read(ch90, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"quiz": "ch90", "responses": {"ch90-q-1": "b"}}))
    loaded = responses.load(path)
    assert (loaded.format_version, loaded.book_version, loaded.name) == (0, None, "")
    assert responses.problems(loaded, ch90) == []


def test_problems_another_course_quiz_version_or_item(ch90, tmp_path):
    def problems(**change):
        found = responses.problems(responses.validate(payload(ch90, **change), "a.json"), ch90)
        return [str(p) for p in found]

    assert problems(course="another-course") == [
        "answers for course 'another-course', not 'russia-in-central-asia'"]
    assert problems(quiz="ch08") == ["answers for quiz 'ch08', not 'ch90'"]
    [found] = problems(book_version="0.1.0+0123456789ab")
    assert found.startswith("answers from another version of the book "
                            "(0.1.0+0123456789ab; grading ")
    # another coursekit with the same questions is the same quiz
    same = "9.9.9+" + responses.book_version(ch90).rpartition("+")[2]
    assert problems(book_version=same) == []
    assert problems(responses={"ch90-q-1": "b", "ch90-q-7": "a", "ch01-q-1": "a"}) == [
        "item(s) not in quiz ch90: ch01-q-1, ch90-q-7"]


def test_widget_save_writes_a_response_file_with_the_typed_name(monkeypatch, tmp_path):
    from coursekit.quiz import widget

    monkeypatch.setattr(widget, "in_kernel", lambda: True)
    live = quiz.load(CH90)
    w = live.widget
    assert (w.course, w.book_version) == (responses.COURSE_ID, responses.book_version(live))
    w.responses, w.student_name = {"ch90-q-1": "a", "ch90-q-3": "a"}, "Ann Lee"
    saved = responses.load(live.save(tmp_path / "answers.json"))
    assert (saved.name, saved.responses) == ("Ann Lee", {"ch90-q-1": "a", "ch90-q-3": "a"})
    assert responses.load(live.save(tmp_path / "b.json", name="B")).name == "B"
    assert quiz.score(quiz.load(CH90, bank=BANK), tmp_path / "answers.json").points == 1


def test_the_page_is_stamped_and_still_carries_no_keys(ch90):
    html = quiz.load(CH90, bank=BANK).html()
    assert f'data-book-version="{responses.book_version(ch90)}"' in html
    assert f'data-course="{responses.COURSE_ID}"' in html
    assert html == ch90.html()  # loading the bank changes nothing on the page
    assert "SECRET" not in html


# ------------------------------------------------------------------ the built book, in Chromium
CHAPTER = "chapters/02-security-architecture.html"


def _tab_until(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.browser
def test_a_chapter_is_answered_kept_downloaded_and_scored(chromium, book_url, tmp_path):
    keyed = quiz.load("ch02", bank=REPO / "instructor-bank")
    assessed = [q for q in keyed.questions if q.graded]
    assert {q.type for q in assessed} == {"evidence", "text"}
    evidence = next(q for q in assessed if q.type == "evidence")
    text = next(q for q in assessed if q.type == "text")
    right = next(n for n in range(len(evidence.sentence_list))
                 if quiz.score(keyed, {evidence.id: n}).items[evidence.id].fraction == 1)
    wrong = 0 if right else 1
    typed = f"  {keyed.private[text.id]['accept'][0].upper()} "

    context = offline_context(chromium, book_url)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{book_url}/{CHAPTER}")
    root = page.locator("#ck-quiz-ch02")
    root.locator("form.ck-quiz").wait_for()
    assert root.get_attribute("data-book-version") == responses.book_version(quiz.load("ch02"))

    # by keyboard: arrow keys pick a sentence (the wrong one), Tab reaches the text box
    box = root.locator(f'fieldset[data-question="{evidence.id}"]')
    box.locator("input[type=radio]").first.focus()
    for _ in range(wrong):
        page.keyboard.press("ArrowDown")
    if wrong == 0:
        page.keyboard.press("Space")
    _tab_until(page, f'fieldset[data-question="{evidence.id}"] button.ck-check')
    page.keyboard.press("Enter")
    verdict = box.locator(".ck-feedback").inner_text()
    assert verdict.startswith("Answer noted on this page only.")
    assert not re.search(r"Correct|Not quite|Partly", verdict)  # no word on correctness
    _tab_until(page, f'fieldset[data-question="{text.id}"] input.ck-text')
    page.keyboard.type(typed)

    page.reload()
    root.locator("form.ck-quiz").wait_for()
    assert box.locator("input[type=radio]").nth(wrong).is_checked()
    answer_box = root.locator(f'fieldset[data-question="{text.id}"] input.ck-text')
    assert answer_box.input_value() == typed

    _tab_until(page, "#ck-quiz-ch02 input.ck-name", limit=200)
    page.keyboard.type("Иван Петров")
    _tab_until(page, "#ck-quiz-ch02 button.ck-download")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    saved = tmp_path / "submitted" / "Иван Петров" / info.value.suggested_filename
    saved.parent.mkdir(parents=True)
    info.value.save_as(saved)
    status = root.locator(".ck-handin-status").inner_text()
    assert status.startswith("Downloaded your answers to 2 questions as "
                             "russia-in-central-asia-ch02-answers.json.")

    data = json.loads(saved.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    loaded = responses.load(saved)
    assert responses.problems(loaded, keyed) == []
    assert loaded.responses == {evidence.id: wrong, text.id: typed}
    assert (loaded.course, loaded.quiz, loaded.name) == (responses.COURSE_ID, "ch02",
                                                         "Иван Петров")
    result = quiz.score(keyed, saved)
    assert result.items[evidence.id].points == 0
    assert result.items[text.id].points == text.points
    assert result.points == text.points == quiz.score(keyed, {text.id: typed}).points
    assert errors == []
    context.close()

    # ...and `coursekit grade` scores the downloaded file against the private bank
    import subprocess
    import sys

    cli = [sys.executable, "-m", "coursekit.cli"]
    hw, out = tmp_path / "hw", tmp_path / "graded"
    subprocess.run([*cli, "assign", "--book", str(REPO), "--items",
                    f"{evidence.id},{text.id}", "--name", "hw2", "--out", str(hw)],
                   check=True, capture_output=True, text=True)
    done = subprocess.run([*cli, "grade", str(tmp_path / "submitted"), "--assignment", str(hw),
                           "--out", str(out), "--no-execute"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = _rows(out)
    assert rows[("Иван Петров", evidence.id)]["points"] == "0"
    assert float(rows[("Иван Петров", text.id)]["points"]) == text.points
    assert rows[("Иван Петров", text.id)]["max_points"] == f"{text.points:g}"


@pytest.mark.browser
def test_the_built_page_has_no_serious_accessibility_problem(chromium, book_url,
                                                             axe_source):
    context = offline_context(chromium, book_url)
    page = context.new_page()
    page.goto(f"{book_url}/{CHAPTER}")
    page.locator("#ck-quiz-ch02 form.ck-quiz").wait_for()
    page.locator("#ck-quiz-ch02 button.ck-download").click()  # the no-name error state
    page.add_script_tag(content=axe_source)
    found = page.evaluate("""async () => {
        const r = await axe.run(document.querySelectorAll('.ck-quiz-root'));
        return r.violations.map((v) => ({id: v.id, impact: v.impact,
            nodes: v.nodes.map((n) => `${n.target}`)}));
    }""")
    assert [v for v in found if v["impact"] in ("serious", "critical")] == [], found
    labels = page.evaluate("""() => [...document.querySelectorAll(
        '#ck-quiz-ch02 .ck-handin input, #ck-quiz-ch02 .ck-handin button')]
        .map((e) => e.labels?.[0]?.textContent || e.textContent)""")
    assert labels == ["Your name", "Download my answers", "Clear my answers"]
    context.close()


# ------------------------------------------------------------- coursekit grade reads them
ASSIGN_BOOK = Path(__file__).parent / "fixtures" / "assign" / "book"
ASSIGN_QUIZZES = ASSIGN_BOOK / "chapters" / "quizzes"


def _rows(out: Path) -> dict[tuple[str, str], dict[str, str]]:
    import csv

    with (out / "grades.csv").open(encoding="utf-8") as handle:
        return {(r["student"], r["item"]): r for r in csv.DictReader(handle)}


@pytest.fixture
def graded_from_the_book(tmp_path, monkeypatch):
    """Assign the fixture book's ch98 and hand in response files, good and bad, one folder
    per student, with no notebook: only the quiz questions can score."""
    from coursekit.assignments import assign, grade

    monkeypatch.setenv("COURSEKIT_QUIZZES_DIR", str(ASSIGN_QUIZZES))
    hw = tmp_path / "hw"
    assign(hw, chapters=["ch98", "ch99"], book=ASSIGN_BOOK, name="hw1")
    ch98 = quiz.load(ASSIGN_QUIZZES / "ch98.yml")
    right = {"ch98-q-1": "c", "ch98-q-2": True, "ch98-q-3": " Quokkaberry"}
    subs = tmp_path / "submitted"
    for folder in ("Иван", "Пётр", "张伟", "ann", "bob", "cy", "old", "dan"):
        (subs / folder).mkdir(parents=True)
    responses.dump(ch98, right, subs / "Иван" / "russia-in-central-asia-ch98-answers.json",
                   name="Иван Петров")
    responses.dump(ch98, {"ch98-q-1": "a", "ch98-q-3": "kiwi"},
                   subs / "Пётр" / "answers.json", name="Пётр")
    other = responses.build(ch98, right, name="张伟")
    other["book_version"] = "0.1.0+0123456789ab"  # downloaded from an older book
    (subs / "张伟" / "answers.json").write_text(json.dumps(other, ensure_ascii=False),
                                                encoding="utf-8")
    responses.dump(ch98, {**right, "ch98-q-9": "a"}, subs / "ann" / "answers.json")
    (subs / "bob" / "answers.json").write_text('{"format": "coursekit-responses", "quiz": ',
                                               encoding="utf-8")
    broken = responses.build(ch98, right)
    broken["responses"]["ch98-q-1"] = {"a": {"b": 1}}
    (subs / "cy" / "answers.json").write_text(json.dumps(broken), encoding="utf-8")
    (subs / "old" / "answers.json").write_text(json.dumps({"quiz": "ch98", "responses": right}))
    # dan: ch99 from this book, ch98 from an older one
    responses.dump(quiz.load(ASSIGN_QUIZZES / "ch99.yml"), {"ch99-q-1": ["a", "c"]},
                   subs / "dan" / "ch99.json", name="Dan")
    (subs / "dan" / "ch98.json").write_text(json.dumps(other), encoding="utf-8")
    out = tmp_path / "graded"
    report = grade(subs, hw, out, execute_code=False)
    return report, _rows(out), json.loads((hw / "manifest.json").read_text())


def test_grade_scores_response_files_from_the_book(graded_from_the_book):
    _report, rows, manifest = graded_from_the_book
    questions = [i for i in manifest["items"]
                 if i["source"] == "quiz" and i["auto"] and i["chapter"] == "ch98"]
    assert questions, "the fixture assignment has auto-graded quiz questions"
    keyed = quiz.load(ASSIGN_QUIZZES / "ch98.yml", bank=ASSIGN_BOOK / "instructor-bank")
    for student, answers in (("Иван", {"ch98-q-1": "c", "ch98-q-2": True,
                                       "ch98-q-3": " Quokkaberry"}),
                             ("Пётр", {"ch98-q-1": "a", "ch98-q-3": "kiwi"}),
                             ("old", {"ch98-q-1": "c", "ch98-q-2": True,
                                      "ch98-q-3": " Quokkaberry"})):
        expected = quiz.score(keyed, answers)
        for item in questions:
            row = rows[(student, item["id"])]
            want = expected.items[item["id"]].fraction * float(item["points"])
            assert float(row["points"]) == pytest.approx(want), (student, row)
    assert sum(float(rows[("Иван", i["id"])]["points"]) for i in questions) == sum(
        float(i["points"]) for i in questions)
    assert sum(float(rows[("Пётр", i["id"])]["points"]) for i in questions) == 0
    assert {"Иван", "Пётр", "张伟", "ann", "bob", "cy", "old"} <= {s for s, _ in rows}


def test_grade_reports_unusable_response_files_in_the_students_rows(graded_from_the_book):
    report, rows, manifest = graded_from_the_book
    questions = [i["id"] for i in manifest["items"]
                 if i["source"] == "quiz" and i["auto"] and i["chapter"] == "ch98"]
    assert rows[("dan", "ch99-q-1")]["points"] == "1"
    for item in questions:
        assert rows[("dan", item)]["feedback"].startswith(
            "no usable quiz answers file for ch98 (ch98.json: answers from another version of "
            "the book (0.1.0+0123456789ab; grading ")
        assert rows[("dan", item)]["points"] == "0"
        # nothing usable handed in: every row of the student says why
        version = rows[("张伟", item)]
        assert version["points"] == "0"
        assert ("answers.json: answers from another version of the book (0.1.0+0123456789ab; "
                "grading ") in version["feedback"]
        malformed = rows[("bob", item)]["feedback"]
        assert "answers.json: malformed answers file: not JSON: " in malformed
        assert rows[("bob", item)]["points"] == "0"
        bad_answer = rows[("cy", item)]["feedback"]
        assert "field 'responses.ch98-q-1': {'a': {'b': 1}} is not an answer" in bad_answer
        # an item the quiz does not have: the others still score, with a note
        assert rows[("ann", item)]["feedback"].startswith(
            "answers.json: item(s) not in quiz ch98: ch98-q-9")
        assert float(rows[("ann", item)]["points"]) == float(rows[("Иван", item)]["points"])
    skipped = dict(report.skipped)
    assert any(name.endswith("answers.json") and "another version" in reason
               for name, reason in skipped.items())
