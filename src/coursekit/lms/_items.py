"""One neutral form of a quiz question for every LMS format, and the report of what was lost.

``to_item(question)`` turns any of coursekit's eight question types into an ``Item``: the kind
of interaction (choice, multiple, truefalse, numeric, text, matching, ordering), the prompt as
plain text, options, the key and feedback. The format modules (``qti12``, ``qti21``, ``moodle``)
write Items; whatever a format cannot express is added to a ``Report`` by the format module,
never dropped silently.
"""

from __future__ import annotations

import html as _html
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.errors import InputError

from ..quiz import (
    Evidence,
    Matching,
    MultipleAnswer,
    Numeric,
    Ordering,
    Question,
    Quiz,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from ..quiz import load as load_quiz

__all__ = ["Choice", "Item", "Note", "Report", "collect", "fmt", "html", "load_chapters", "to_item",
           "xml_bytes"]


@dataclass(frozen=True)
class Choice:
    """An option (single, multiple, evidence), a matching item or choice, an ordering item."""

    id: str
    text: str
    feedback: str = ""


@dataclass
class Item:
    """A question in LMS-neutral form. ``correct`` holds option ids for choice kinds, the
    right order for ``ordering``, and ``{item id: choice id}`` pairs for ``matching``."""

    id: str
    source_type: str
    kind: str
    prompt: str
    points: float
    graded: bool
    options: list[Choice] = field(default_factory=list)
    correct: list[str] = field(default_factory=list)
    matches: dict[str, str] = field(default_factory=dict)
    targets: list[Choice] = field(default_factory=list)
    low: float | None = None
    high: float | None = None
    exact: float | None = None
    tolerance: float = 0.0
    accept: list[str] = field(default_factory=list)
    feedback_right: str = ""
    feedback_wrong: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class Note:
    """Something a format could not carry over exactly for one item (or check)."""

    item: str
    what: str


@dataclass
class Report:
    """What an export wrote and what it could not map. ``str(report)`` is for the terminal."""

    format: str
    out: Path | None = None
    items: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)

    def note(self, item: str, what: str) -> None:
        self.notes.append(Note(item, what))

    def skip(self, item: str, what: str) -> None:
        self.skipped.append(Note(item, what))

    def __str__(self) -> str:
        lines = [f"{self.format}: {len(self.items)} question(s) written"
                 + (f" to {self.out}" if self.out else "")]
        if self.notes:
            lines.append(f"mapped with a difference ({len(self.notes)}):")
            lines += [f"  {n.item}: {n.what}" for n in self.notes]
        if self.skipped:
            lines.append(f"not exported ({len(self.skipped)}):")
            lines += [f"  {n.item}: {n.what}" for n in self.skipped]
        return "\n".join(lines)


def _base(q: Question, kind: str, prompt: str | None = None) -> Item:
    return Item(id=q.id, source_type=q.type, kind=kind, prompt=prompt or str(q.prompt).strip(),
                points=float(q.points), graded=q.graded, feedback_right=q.feedback_right,
                feedback_wrong=q.feedback_wrong, explanation=str(q.explanation or "").strip())


def to_item(q: Question, report: Report) -> Item:
    """The neutral form of ``q``; notes every difference the neutral form itself introduces."""
    if not q.keyed:
        raise InputError(f"{q.id}: assessed item without its key; pass the instructor bank "
                         "(--bank) to export it")
    if isinstance(q, SingleChoice | MultipleAnswer):
        item = _base(q, "choice" if isinstance(q, SingleChoice) else "multiple")
        item.options = [Choice(o.id, o.text, o.feedback) for o in q.options]
        item.correct = [q.answer] if isinstance(q, SingleChoice) else list(q.answer)
        return item
    if isinstance(q, TrueFalse):
        item = _base(q, "truefalse")
        item.options = [Choice("true", "True"), Choice("false", "False")]
        item.correct = ["true" if q.answer else "false"]
        return item
    if isinstance(q, Numeric):
        prompt = str(q.prompt).strip() + (f" (unit: {q.unit})" if q.unit else "")
        item = _base(q, "numeric", prompt)
        if q.range is not None:
            item.low, item.high = float(q.range[0]), float(q.range[1])
        else:
            assert q.answer is not None
            item.exact, item.tolerance = float(q.answer), float(q.tolerance)
            item.low, item.high = item.exact - item.tolerance, item.exact + item.tolerance
        if q.unit:
            report.note(q.id, f"unit {q.unit!r} is written into the prompt; the LMS reads a "
                        "bare number (coursekit also accepts thousands separators, a decimal "
                        "comma and the unit typed after the number)")
        return item
    if isinstance(q, ShortText):
        item = _base(q, "text")
        item.accept = list(dict.fromkeys(a.strip() for a in q.accept if a.strip()))
        report.note(q.id, "short answer: the export asks the LMS to ignore case; coursekit also "
                    "ignores diacritics, typographic quotes and extra spaces, which the LMS "
                    "compares as typed")
        return item
    if isinstance(q, Matching):
        item = _base(q, "matching")
        item.options = [Choice(i["id"], i["text"]) for i in q.items]
        item.targets = [Choice(c.id, c.text) for c in q.choices]
        item.matches = {i["id"]: i["match"] for i in q.items}
        return item
    if isinstance(q, Ordering):
        item = _base(q, "ordering")
        item.options = [Choice(i.id, i.text) for i in q.shuffled()]
        item.correct = [i.id for i in q.items]
        return item
    if isinstance(q, Evidence):
        sentences = q.sentence_list
        verb = "supports" if q.stance == "supports" else "contradicts"
        prompt = (f"{str(q.prompt).strip()}\n\nClaim: {q.claim}\n\nWhich sentence of the "
                  f"excerpt {verb} the claim? (Source: {q._attribution})")
        item = _base(q, "choice", prompt)
        item.options = [Choice(f"s{n}", s) for n, s in enumerate(sentences)]
        item.correct = [f"s{q._key()}"]
        report.note(q.id, "evidence question exported as single choice over the excerpt's "
                    f"{len(sentences)} sentences (options s0..s{len(sentences) - 1})")
        return item
    raise InputError(f"{q.id}: question type {q.type!r} has no LMS mapping")


def load_chapters(chapters: Iterable[str], bank: Path | None,
                  book: Path | None = None) -> list[Quiz]:
    """Load quizzes ``chNN`` (from ``book/chapters/quizzes`` when ``book`` is given; ``all``
    for every chapter quiz there) with the keys of their assessed items merged from ``bank``."""
    quizzes = []
    chapters = list(chapters)
    if "all" in chapters:
        folder = Path(book or ".") / "chapters" / "quizzes"
        chapters = sorted(p.stem for p in folder.glob("ch*.yml"))
        if not chapters:
            raise FileNotFoundError(f"{folder}: no chapter quizzes (chNN.yml)")
        book = Path(book or ".")
    for name in chapters:
        source: str | Path = name
        if book is not None:
            source = Path(book) / "chapters" / "quizzes" / f"{name}.yml"
            if not source.is_file():
                raise FileNotFoundError(f"{source}: no quiz file for chapter {name!r}")
        quizzes.append(load_quiz(source, bank=bank))
    return quizzes


def collect(quizzes: Iterable[Quiz], report: Report) -> list[tuple[Quiz, list[Item]]]:
    """Every question of every quiz as an Item; exercise checks are listed as not exported."""
    out = []
    for quiz in quizzes:
        items = [to_item(q, report) for q in quiz.questions]
        for check in quiz.checks:
            report.skip(check.id, f"exercise check ({check.type}) answered with code in the "
                        "notebook; graded by `coursekit grade`, not an LMS quiz question")
        report.items += [i.id for i in items]
        out.append((quiz, items))
    return out


def html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines split paragraphs; markup escaped)."""
    paragraphs = [p.strip() for p in str(text).split("\n\n") if p.strip()]
    return "".join(f"<p>{_html.escape(' '.join(p.split()), quote=False)}</p>"
                   for p in paragraphs)


def xml_bytes(root: ET.Element) -> bytes:
    """A UTF-8 XML document with declaration, indented for people who open it."""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def fmt(value: float) -> str:
    """A number without a needless ``.0``."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)
