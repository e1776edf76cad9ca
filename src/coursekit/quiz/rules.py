"""The course's rules for chapter quizzes (``chapters/quizzes/chNN.yml``), checked by
``coursekit check`` (:func:`coursekit._gate.check_quizzes`) and counted by ``coverage``.

A quiz file that loads (:func:`coursekit.quiz.load`) is well formed. A book that keeps a policy
file, ``chapters/quiz-rules.yml`` beside its ``quizzes/`` folder (:func:`policy`: the minimum
number of questions and of types, and the share of judgement questions), asks more of its
chapter quizzes: they must test judgement and give feedback that teaches without giving the
key away:

- every question has a ``skill``, a ``hint`` and an ``explanation``;
- every option of a single/multiple question has ``feedback`` (an assessed item's lives in
  the instructor bank as ``option_feedback``);
- no hint, ``feedback_wrong`` or wrong option's feedback gives the key away: the right
  option's text or id ("the answer is B"), the number or word of a numeric/text answer, the
  key sentence of an evidence question (its text, "sentence 3", "the last sentence"), the
  verdict of a true/false statement, or a list of dates in the order an ordering question
  asks for;
- each quiz has at least ``min_questions`` questions of at least ``min_types`` types, and at
  least ``min_judgement_share`` of its questions test one of :data:`JUDGEMENT`;
- no question's prompt (with an evidence question's claim) repeats one of another chapter's
  quiz, compared after normalising case, accents, punctuation and spacing.

Assessed items loaded without their bank (no key) are checked for what is public only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from coursekit._yaml import safe_load
from coursekit.errors import Where

from ._quiz import Quiz
from ._scoring import normalise_text
from .errors import QuizFileError
from .model import Evidence, Numeric, Ordering, Question, ShortText, TrueFalse, _Choice

__all__ = ["JUDGEMENT", "POLICY_FILE", "SKILLS", "Policy", "coverage", "coverage_table",
           "is_course_quiz", "policy", "problems"]

#: The skills a question may test (schema.json ``skill``), in table order.
SKILLS = ("evidence", "interpretation", "source-criticism", "recall", "calculation")
#: The skills that count as judgement; at least half of a chapter's questions test one.
JUDGEMENT = frozenset({"evidence", "interpretation", "source-criticism"})
#: The book's policy file, beside its quizzes folder; without it the rules are not applied.
POLICY_FILE = "quiz-rules.yml"
_COURSE_QUIZ = re.compile(r"ch\d{2}")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth")
_NAMES_OPTION = (re.compile(r"\b(?:option|choice)\s+\(?([a-z0-9_-]+)\)?", re.IGNORECASE),
                 re.compile(r"\b(?:answer|key)\s+(?:is|was|:)\s*\(?([a-z0-9_-]+)\)?"
                            r"(?=\s*(?:[.,;:!)]|$))", re.IGNORECASE))
_VERDICT = re.compile(r"\b(?:statement|claim|sentence|answer|it)\s+is\s+(true|false)\b",
                      re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class Policy:
    """A book's rules for its chapter quizzes (the fields of ``quiz-rules.yml``)."""

    min_questions: int = 8
    min_types: int = 3
    min_judgement_share: float = 0.5


def policy(folder: Path) -> Policy | None:
    """The policy for the quizzes in ``folder`` (``folder/../quiz-rules.yml``), or None if the
    book keeps none. Raises ``QuizFileError`` naming the file and field for an unknown field or
    a bad value."""
    path = Path(folder).parent / POLICY_FILE
    if not path.is_file():
        return None
    try:
        data = safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise QuizFileError(f"not valid YAML: {exc}", file=path) from None
    if not isinstance(data, dict):
        raise QuizFileError("expected a mapping of rule: value", file=path)
    known = {f.name: f.type for f in fields(Policy)}
    for key, value in data.items():
        if key not in known:
            raise QuizFileError(f"unknown rule; expected one of {', '.join(known)}", file=path,
                                field=str(key))
        ok = (isinstance(value, int) and not isinstance(value, bool) and value >= 0
              if known[key] == "int" else
              isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1)
        if not ok:
            want = "a whole number >= 0" if known[key] == "int" else "a share between 0 and 1"
            raise QuizFileError(f"expected {want}, got {value!r}", file=path, field=str(key))
    return Policy(**data)


def is_course_quiz(name: str) -> bool:
    """True for a chapter quiz (``ch01``), to which the course's rules apply (not ``demo``)."""
    return bool(_COURSE_QUIZ.fullmatch(name))


def _words(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: what "the same text" compares."""
    return " ".join(re.sub(r"[^\w]+", " ", normalise_text(text)).split())


def _contains(text: str, part: str) -> bool:
    """True if ``part`` occurs in ``text`` as whole words (after :func:`_words`)."""
    part = _words(part)
    return bool(part) and f" {part} " in f" {_words(text)} "


def _where(quiz: Quiz, item: str | None = None, field: str | None = None) -> Where:
    return Where(quiz.source or quiz.name, item=item, field=field)


def _private(quiz: Quiz, question: Question) -> str:
    """Where an assessed item's private text belongs, for messages."""
    return (f"the instructor bank ({quiz.bank or f'instructor-bank/{quiz.name}.yml'})"
            if question.graded else "the quiz file")


# -- one question -----------------------------------------------------------------------------

def _leaks(question: Question, text: str) -> str | None:
    """How ``text`` (a hint or wrong-answer feedback) gives ``question``'s key away, or None."""
    if not text or not question.keyed:
        return None
    if isinstance(question, _Choice):
        key = set(question.answer if isinstance(question.answer, list) else [question.answer])
        for option in question.options:
            if option.id in key and _contains(text, option.text):
                return f"it contains the right option's text {option.text!r}"
        for match in (m for pattern in _NAMES_OPTION for m in pattern.finditer(text)):
            if match[1].lower() in {k.lower() for k in key}:
                return f"it names the right option ({match[0].strip()!r})"
    elif isinstance(question, TrueFalse):
        found = _VERDICT.search(text)
        if found and (found[1].lower() == "true") == question.answer:
            return f"it states the verdict ({found[0]!r})"
    elif isinstance(question, Numeric) and question.answer is not None:
        value = question.answer
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        if re.search(rf"(?<![\d.,]){re.escape(shown)}(?![\d]|[.,]\d)", text):
            return f"it contains the answer {shown}"
    elif isinstance(question, ShortText):
        for accepted in question.accept:
            if len(_words(accepted)) >= 3 and _contains(text, accepted):
                return f"it contains the accepted answer {accepted!r}"
    elif isinstance(question, Evidence):
        return _names_sentence(question, text)
    elif isinstance(question, Ordering):
        years = [int(y) for y in _YEAR.findall(text)]
        if len(years) >= 3 and years == sorted(years):
            return (f"it lists the dates in order ({', '.join(map(str, years))}), which is the "
                    "order asked for")
    return None


def _names_sentence(question: Evidence, text: str) -> str | None:
    index, sentences = question._key(), question.sentence_list
    words = _words(sentences[index]).split()
    for start in range(max(1, len(words) - 5)):
        run = " ".join(words[start:start + 6])
        if len(run.split()) >= min(6, len(words)) and _contains(text, run):
            return f"it quotes the key sentence ({run!r}...)"
    lowered = _words(text)
    names = [f"sentence {index + 1}", f"{_ORDINALS[index]} sentence" if index < 10 else ""]
    if index == len(sentences) - 1:
        names.append("last sentence")
    for name in filter(None, names):
        if f" {name} " in f" {lowered} ":
            return f"it points at the key sentence ({name!r})"
    return None


def question_problems(quiz: Quiz, question: Question) -> list[str]:
    """What ``question`` of course quiz ``quiz`` breaks (located messages)."""
    found: list[str] = []

    def say(field: str, text: str) -> None:
        found.append(_where(quiz, question.id, field).message(text))

    if question.skill not in SKILLS:
        say("skill", f"every question of a course quiz needs `skill`, one of {', '.join(SKILLS)}")
    if not question.hint.strip():
        say("hint", "every question of a course quiz needs a `hint` (shown at the first wrong "
            "try; it must not give the key away)")
    if question.keyed and not question.explanation.strip():
        say("explanation", f"every question of a course quiz needs an `explanation` (in "
            f"{_private(quiz, question)})")
    options = getattr(question, "options", None)
    if options is not None and question.keyed:
        for n, option in enumerate(options):
            if not option.feedback.strip():
                where = (f"option_feedback.{option.id}" if question.graded
                         else f"options[{n}].feedback")
                say(where, f"option {option.id!r} has no feedback; every option of a course "
                    f"quiz explains itself (in {_private(quiz, question)})")
    fields = [("hint", question.hint), ("feedback_wrong", question.feedback_wrong)]
    if options is not None:
        key = question.answer if isinstance(question.answer, list) else [question.answer]
        fields += [(f"options[{n}].feedback", o.feedback) for n, o in enumerate(options)
                   if o.id not in key]
    for field, text in fields:
        leak = _leaks(question, text)
        if leak:
            say(field, f"gives the key away: {leak}; feedback must explain without naming the "
                "right answer")
    return found


# -- one quiz and the course --------------------------------------------------------------------

def _prompt(question: Question) -> str:
    claim = question.claim if isinstance(question, Evidence) else ""
    return _words(f"{question.prompt} {claim}")


def quiz_problems(quiz: Quiz, rules: Policy) -> list[str]:
    """What course quiz ``quiz`` breaks: each question's rules, then the quiz's size, types and
    share of judgement questions."""
    found = [p for q in quiz.questions for p in question_problems(quiz, q)]
    where = _where(quiz)
    if len(quiz.questions) < rules.min_questions:
        found.append(where.message(f"{len(quiz.questions)} questions; a course quiz needs at "
                                   f"least {rules.min_questions}"))
    types = sorted({q.type for q in quiz.questions})
    if len(types) < rules.min_types:
        found.append(where.message(f"{len(types)} question type(s) ({', '.join(types)}); a "
                                   f"course quiz needs at least {rules.min_types}"))
    judging = [q.id for q in quiz.questions if q.skill in JUDGEMENT]
    if quiz.questions and len(judging) < rules.min_judgement_share * len(quiz.questions):
        share = rules.min_judgement_share
        found.append(where.message(
            f"{len(judging)} of {len(quiz.questions)} questions test "
            f"{'/'.join(sorted(JUDGEMENT))}; at least "
            f"{'half' if share == 0.5 else f'{share:.0%}'} must (set `skill`, or replace "
            "recall and calculation questions)"))
    return found


def repeat_problems(quizzes: Sequence[Quiz]) -> list[str]:
    """A question whose normalised prompt (and claim) equals one in another quiz."""
    first: dict[str, tuple[Quiz, Question]] = {}
    found = []
    for quiz in quizzes:
        for question in quiz.questions:
            text = _prompt(question)
            seen = first.get(text)
            if seen is not None and seen[0].name != quiz.name:
                found.append(_where(quiz, question.id, "prompt").message(
                    f"repeats {seen[1].id} of {seen[0].source or seen[0].name}; no question may "
                    "repeat another chapter's"))
            first.setdefault(text, (quiz, question))
    return found


def problems(quizzes: Iterable[Quiz], rules: Policy | None = Policy()) -> list[str]:
    """Every rule of ``rules`` broken by the chapter quizzes among ``quizzes`` (others, such
    as ``demo``, are skipped); none when the book has no policy (``rules`` is None)."""
    if rules is None:
        return []
    course = [q for q in quizzes if is_course_quiz(q.name)]
    return [p for q in course for p in quiz_problems(q, rules)] + repeat_problems(course)


# -- coverage -----------------------------------------------------------------------------------

def coverage(quizzes: Iterable[Quiz]) -> dict[str, Counter[str]]:
    """Questions by skill (``"none"`` where unset), per quiz name, in name order."""
    return {q.name: Counter(x.skill or "none" for x in q.questions)
            for q in sorted(quizzes, key=lambda q: q.name)}


def coverage_table(quizzes: Iterable[Quiz]) -> str:
    """A Markdown table: per chapter, the number of questions, the share of each skill and
    the share testing judgement (evidence, interpretation, source criticism)."""
    counts = coverage(quizzes)
    columns = [*SKILLS, *(["none"] if any(c["none"] for c in counts.values()) else [])]
    head = ["quiz", "questions", *columns, "judgement"]
    rows = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    total: Counter[str] = Counter()
    for name, count in [*counts.items(), ("all", None)]:
        count = total if count is None else count
        n = sum(count.values())
        shares = [f"{count[k]} ({100 * count[k] / n:.0f}%)" if n else "0" for k in columns]
        judging = sum(count[k] for k in JUDGEMENT)
        rows.append("| " + " | ".join([name, str(n), *shares,
                                       f"{100 * judging / n:.0f}%" if n else "-"]) + " |")
        if count is not total:
            total.update(count)
    return "\n".join(rows)


def load_course(folder: Path, bank: Path | None = None) -> list[Quiz]:
    """Every ``ch*.yml`` quiz in ``folder``, loaded (with ``bank`` if given)."""
    from .loader import load

    return [load(path, bank=bank) for path in sorted(folder.glob("ch*.yml"))
            if is_course_quiz(path.stem)]
