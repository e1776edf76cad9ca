"""The course's quiz rules (coursekit.quiz.rules): each rule is shown failing on a planted bad
quiz, with a message naming file, item and field; the shipped chapter quizzes keep them all;
and the feedback flow (hint first, explanation later) is the same in Python as in the book."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from coursekit import quiz
from coursekit._gate import check_quizzes
from coursekit.quiz import rules
from tests._support import REPO

QUIZZES = REPO / "chapters" / "quizzes"
BANK = REPO / "instructor-bank"
RASHIDOV = ("Since the initial course chosen turned out to be unprofitable, Russia had to pursue "
            "a different strategy once more. The decline of the Yeltsin Era, which started with "
            "the financial, economic, and political crisis of1998, ended the period of foreign "
            "policy arrogance. The time had come to revise Russia’s foreign policy; it could no "
            "longer remain indifferent to what was happening on its borders and could no longer "
            "distance itself from direct involvement.")


def _single(n: int, skill: str = "interpretation") -> dict[str, Any]:
    return {"id": f"ch01-q-{n}", "type": "single", "skill": skill,
            "prompt": f"Which reading of passage {n} is best supported?",
            "hint": "Reread what the author claims and what he only reports.",
            "explanation": "The author reports a view; he does not endorse it.",
            "options": [
                {"id": "a", "text": "He endorses the view", "feedback": "Look for a verb of his own."},
                {"id": "b", "text": "He reports the view of others", "feedback": "Yes: 'according to'."},
                {"id": "c", "text": "He rejects the view", "feedback": "Nothing in the text rejects it."}],
            "answer": "b"}


def good_quiz() -> dict[str, Any]:
    """Eight questions of four types, five of them testing judgement: keeps every rule."""
    questions = [_single(1), _single(2, "source-criticism"), _single(3, "evidence")]
    questions.append({"id": "ch01-q-4", "type": "truefalse", "skill": "source-criticism",
                      "prompt": "The passage cites a source for its figure.",
                      "hint": "Look at the end of the sentence.",
                      "explanation": "The brackets name an author and a year.", "answer": True})
    questions.append({"id": "ch01-q-5", "type": "multiple", "skill": "interpretation",
                      "prompt": "Which of these does the author treat as causes?",
                      "hint": "Causes come with 'because' or 'led to'.",
                      "explanation": "Two causes are named, one consequence.",
                      "options": [
                          {"id": "a", "text": "The crisis", "feedback": "Named as a cause."},
                          {"id": "b", "text": "The war", "feedback": "Named as a cause."},
                          {"id": "c", "text": "The revision", "feedback": "That is what followed."}],
                      "answer": ["a", "b"]})
    questions.append({"id": "ch01-q-6", "type": "numeric", "skill": "recall",
                      "prompt": "How many states does the passage name?",
                      "hint": "Count the proper names of countries.",
                      "explanation": "Russia and four neighbours.", "answer": 5})
    questions.append({"id": "ch01-q-7", "type": "text", "skill": "recall",
                      "prompt": "Which city hosts the base?",
                      "hint": "It is in the north of the country.",
                      "explanation": "Kant, near Bishkek.", "accept": ["Kant"]})
    questions.append({"id": "ch01-q-8", "type": "evidence", "skill": "evidence",
                      "prompt": "Which sentence undermines the claim?",
                      "claim": "Russia's policy never changed in the 1990s.", "stance": "undermines",
                      "excerpt": {"source": "rashidov-2005", "passage": RASHIDOV},
                      "answer": "The decline of the Yeltsin Era",
                      "hint": "Find the sentence that dates a change.",
                      "explanation": "A change of course dated to a crisis undermines 'never'."})
    return {"title": "Planted quiz", "questions": questions}


POLICY = REPO / "chapters" / rules.POLICY_FILE


def run_rules(tmp_path: Path, data: dict[str, Any], name: str = "ch01",
              others: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """The problems ``coursekit check`` finds in a book with these quizzes and the course's
    policy file."""
    folder = tmp_path / "chapters" / "quizzes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / rules.POLICY_FILE).write_bytes(POLICY.read_bytes())
    for stem, content in {name: data, **(others or {})}.items():
        (folder / f"{stem}.yml").write_text(yaml.safe_dump(content, allow_unicode=True),
                                            encoding="utf-8")
    return check_quizzes(tmp_path)


def test_the_planted_good_quiz_keeps_every_rule(tmp_path):
    assert run_rules(tmp_path, good_quiz()) == []


def _plant(change) -> dict[str, Any]:
    data = good_quiz()
    change(data["questions"])
    return data


@pytest.mark.parametrize(("change", "item", "field", "words"), [
    (lambda qs: qs[0].pop("skill"), "ch01-q-1", "skill", "needs `skill`"),
    (lambda qs: qs[3].pop("hint"), "ch01-q-4", "hint", "needs a `hint`"),
    (lambda qs: qs[5].pop("explanation"), "ch01-q-6", "explanation", "needs an `explanation`"),
    (lambda qs: qs[0]["options"][2].pop("feedback"), "ch01-q-1", "options[2].feedback",
     "has no feedback"),
    # the key given away: ch01-q-4 and ch02-q-7 of the old course did exactly this
    (lambda qs: qs[0]["options"][0].update(feedback="No: the answer is B."), "ch01-q-1",
     "options[0].feedback", "names the right option"),
    (lambda qs: qs[0]["options"][2].update(feedback="No, he reports the view of others."),
     "ch01-q-1", "options[2].feedback", "right option's text"),
    (lambda qs: qs[4].update(feedback_wrong="Only The war and the crisis."), "ch01-q-5",
     "feedback_wrong", "right option's text 'The crisis'"),
    (lambda qs: qs[5].update(hint="It is 5."), "ch01-q-6", "hint", "contains the answer 5"),
    (lambda qs: qs[3].update(feedback_wrong="The statement is true: look again."), "ch01-q-4",
     "feedback_wrong", "states the verdict"),
    (lambda qs: qs[7].update(hint="Look at the second sentence."), "ch01-q-8", "hint",
     "points at the key sentence"),
    (lambda qs: qs[7].update(feedback_wrong="It says the decline of the Yeltsin era started "
                             "with the crisis."), "ch01-q-8", "feedback_wrong",
     "quotes the key sentence"),
])
def test_each_rule_fails_on_a_planted_bad_quiz(tmp_path, change, item, field, words):
    found = run_rules(tmp_path, _plant(change))
    assert len(found) == 1, found
    assert f"ch01.yml, item '{item}', field '{field}'" in found[0]
    assert words in found[0]


def test_an_ordering_question_that_prints_its_dates_in_order(tmp_path):
    data = good_quiz()
    data["questions"].append({
        "id": "ch01-q-9", "type": "ordering", "skill": "recall", "prompt": "Order them.",
        "hint": "Think of the decade.", "explanation": "By date.",
        "items": [{"id": "x", "text": "One"}, {"id": "y", "text": "Two"}, {"id": "z", "text": "Three"}],
        "feedback_wrong": "The years are 1996, 2001 and 2002."})
    found = run_rules(tmp_path, data)
    assert len(found) == 1 and "field 'feedback_wrong'" in found[0]
    assert "lists the dates in order" in found[0]
    data["questions"][-1]["feedback_wrong"] = "Check 2002 against 1996: which came first?"
    assert run_rules(tmp_path, data) == []


def test_at_least_half_of_a_chapter_tests_judgement(tmp_path):
    data = good_quiz()
    for q in data["questions"][:2]:
        q["skill"] = "recall"
    assert run_rules(tmp_path, data) == []  # four of eight: exactly half is enough
    data["questions"][2]["skill"] = "calculation"
    found = run_rules(tmp_path, data)
    assert len(found) == 1 and "3 of 8 questions test" in found[0] and "at least half" in found[0]
    assert found[0].startswith(str(tmp_path / "chapters" / "quizzes" / "ch01.yml"))


def test_size_and_types(tmp_path):
    data = good_quiz()
    data["questions"] = [q for q in data["questions"] if q["type"] == "single"]
    data["questions"] += [copy.deepcopy(data["questions"][0]) | {"id": f"ch01-q-{n}",
                          "prompt": f"Prompt {n}?"} for n in (11, 12)]
    found = run_rules(tmp_path, data)
    assert any("5 questions; a course quiz needs at least 8" in f for f in found)
    assert any("1 question type(s) (single)" in f for f in found)


def test_no_question_repeats_another_chapters(tmp_path):
    other = good_quiz()
    for q in other["questions"]:
        q["id"] = q["id"].replace("ch01", "ch02")
        q["prompt"] = f"Different question {q['id']}?"
    # the same prompt with other case, punctuation and spacing is still a repeat
    other["questions"][2]["prompt"] = "  which READING of passage 1 is best supported "
    found = run_rules(tmp_path, good_quiz(), others={"ch02": other})
    assert len(found) == 1, found
    assert "ch02.yml, item 'ch02-q-3', field 'prompt': repeats ch01-q-1 of" in found[0]
    # evidence questions share a prompt; the claim tells them apart
    other["questions"][2]["prompt"] = "Which sentence undermines the claim?"
    other["questions"][2]["type"] = "single"
    assert run_rules(tmp_path, good_quiz(), others={"ch02": other}) == []


def test_rules_apply_to_chapter_quizzes_only(tmp_path):
    data = good_quiz()
    data["questions"][0].pop("skill")
    for q in data["questions"]:
        q["id"] = q["id"].replace("ch01", "demo")
    assert run_rules(tmp_path, data, name="demo") == []


def test_the_rules_are_the_books_own(tmp_path):
    bad = _plant(lambda qs: qs[1].pop("hint"))
    found = run_rules(tmp_path, bad)
    assert len(found) == 1 and "item 'ch01-q-2', field 'hint'" in found[0]
    # a book without a policy file (such as the assignment fixture) has its quizzes validated only
    (tmp_path / "chapters" / rules.POLICY_FILE).unlink()
    assert check_quizzes(tmp_path) == []
    # the policy's numbers are the book's
    (tmp_path / "chapters" / rules.POLICY_FILE).write_text("min_judgement_share: 0.9\n")
    found = check_quizzes(tmp_path)
    assert any("6 of 8 questions test" in f and "at least 90% must" in f for f in found)
    # and a mistake in the policy is named by file and field
    (tmp_path / "chapters" / rules.POLICY_FILE).write_text("min_questoins: 8\n")
    found = check_quizzes(tmp_path)
    assert found == [f"{tmp_path / 'chapters' / rules.POLICY_FILE}, field 'min_questoins': "
                     "unknown rule; expected one of min_questions, min_types, "
                     "min_judgement_share"]
    (tmp_path / "chapters" / rules.POLICY_FILE).write_text("min_types: three\n")
    assert "field 'min_types': expected a whole number >= 0, got 'three'" in check_quizzes(
        tmp_path)[0]


def test_an_assessed_items_option_feedback_is_required_in_the_bank(tmp_path):
    data = good_quiz()
    q = data["questions"][0]
    for field in ("answer", "explanation"):
        q.pop(field)
    q["graded"] = True
    for option in q["options"]:
        option.pop("feedback")
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "ch01.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    bank = tmp_path / "bank"
    bank.mkdir()
    entry = {"answer": "b", "explanation": "Why.",
             "option_feedback": {"a": "Not his words.", "b": "Yes."}}
    (bank / "ch01.yml").write_text(yaml.safe_dump({"quiz": "ch01", "items": {"ch01-q-1": entry}}),
                                   encoding="utf-8")
    found = rules.problems(rules.load_course(folder, bank=bank))
    assert len(found) == 1 and "field 'option_feedback.c'" in found[0]
    assert "instructor bank" in found[0]
    # without the bank the assessed item is checked for its public parts only
    assert rules.problems(rules.load_course(folder)) == []


# -- the shipped chapter quizzes -------------------------------------------------------------

def test_the_course_quizzes_keep_every_rule():
    assert rules.policy(QUIZZES) is not None, "the course keeps chapters/quiz-rules.yml"
    assert rules.problems(rules.load_course(QUIZZES, bank=BANK), rules.policy(QUIZZES)) == []


def test_coverage_table_counts_skills_per_chapter(tmp_path):
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "ch01.yml").write_text(yaml.safe_dump(good_quiz()), encoding="utf-8")
    table = rules.coverage_table(rules.load_course(folder))
    lines = table.splitlines()
    assert lines[0] == ("| quiz | questions | evidence | interpretation | source-criticism | "
                        "recall | calculation | judgement |")
    assert lines[2] == "| ch01 | 8 | 2 (25%) | 2 (25%) | 2 (25%) | 2 (25%) | 0 (0%) | 75% |"
    assert lines[-1].startswith("| all | 8 |")


def test_coverage_from_the_command_line():
    done = subprocess.run([sys.executable, "-m", "coursekit.quiz", "--coverage", "--check",
                           "--bank", str(BANK)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ch")]
    assert [r.split(" | ")[0] for r in rows] == [f"| {p.stem}" for p in
                                                 sorted(QUIZZES.glob("ch*.yml"))]


# -- the feedback flow -----------------------------------------------------------------------

def test_hint_at_the_first_wrong_try_explanation_after_a_right_one_or_the_second_try(tmp_path):
    folder = tmp_path / "quizzes"
    folder.mkdir()
    (folder / "ch01.yml").write_text(yaml.safe_dump(good_quiz()), encoding="utf-8")
    question = quiz.load(folder / "ch01.yml")["ch01-q-1"]
    first = question.respond("a", attempt=1)
    assert not first.correct and first.hint == question.hint and first.explanation == ""
    assert "Look for a verb of his own." in str(first) and "Explanation" not in str(first)
    second = question.respond("c", attempt=2)
    assert second.hint == "" and second.explanation == question.explanation
    right = question.respond("b", attempt=1)
    assert right.correct and right.hint == "" and right.explanation == question.explanation


def test_check_follows_the_same_flow(capsys, monkeypatch):
    monkeypatch.setattr(quiz, "_tries", {})
    q = quiz.load("ch01")["ch01-q-1"]
    wrong = next(o.id for o in q.options if o.id != q.answer)
    assert quiz.check("ch01-q-1", wrong) is False
    out = capsys.readouterr().out
    assert "Hint:" in out and "Explanation:" not in out
    assert quiz.check("ch01-q-1", wrong) is False
    out = capsys.readouterr().out
    assert "Hint:" not in out and "Explanation:" in out


def test_the_browser_spec_carries_the_hint_of_practice_items_only():
    loaded = quiz.load("ch01")
    for spec in loaded.spec()["questions"]:
        question = loaded[spec["id"]]
        if question.graded:
            assert "hint" not in spec and "explanation" not in spec
        else:
            assert spec["hint"] == question.hint
