"""``Quiz`` (a list of questions and checks), ``Result`` and ``score`` used by grading."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.errors import InputError, UnknownName

from .. import ids
from .checks import Check
from .errors import QuizFileError, _Invalid
from .model import Question, Score

__all__ = ["ItemResult", "Quiz", "Result", "score"]


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one question: ``points`` of ``max_points`` and the feedback shown."""

    id: str
    points: float
    max_points: float
    fraction: float
    feedback: str
    answered: bool

    @property
    def correct(self) -> bool:
        return self.fraction >= 1.0


@dataclass
class Result:
    """Scores of a set of responses. ``str(result)`` is a one-line summary."""

    quiz: str
    items: dict[str, ItemResult] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(i.points for i in self.items.values())

    @property
    def max_points(self) -> float:
        return sum(i.max_points for i in self.items.values())

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items.values() if i.answered)

    def to_dict(self) -> dict[str, Any]:
        return {
            "quiz": self.quiz,
            "points": self.points,
            "max_points": self.max_points,
            "items": {k: {"points": v.points, "max_points": v.max_points,
                          "fraction": v.fraction, "feedback": v.feedback}
                      for k, v in self.items.items()},
            "unknown": list(self.unknown),
        }

    def __str__(self) -> str:
        return (f"{self.quiz}: {self.points:g} / {self.max_points:g} points "
                f"({self.answered} of {len(self.items)} answered)")


class Quiz:
    """A quiz: questions shown to readers and checks of exercise data tasks.

    Parameters
    ----------
    questions, checks
        Question objects (``SingleChoice(...)`` ...) and ``Check`` objects.
    title, name
        Title shown above the questions; ``name`` namespaces the HTML ids (``"ch01"``).
    source
        The file it came from, named in error messages.

    Raises
    ------
    QuizFileError
        On any authoring mistake (duplicate id, answer key not an option, ...).
    """

    def __init__(
        self,
        questions: Iterable[Question] = (),
        checks: Iterable[Check] = (),
        *,
        title: str = "Quiz",
        name: str = "quiz",
        source: str | Path | None = None,
    ) -> None:
        self.questions, self.checks = list(questions), list(checks)
        self.title, self.name, self.source = title, name, source
        self._widget: Any = None
        self.display_key: str | None = None  # set by show(name, key) to repeat a quiz on a page
        #: The bank file merged in (``load(..., bank=...)``) and its raw entries by item id,
        #: including model solutions and marking notes. Never shown to students.
        self.bank: Path | None = None
        self.private: dict[str, dict[str, Any]] = {}
        if not ids.KEY_RE.fullmatch(name):
            raise QuizFileError(f"quiz name must be letters, digits, '-' or '_', got {name!r}",
                                file=source, field="name")
        seen: dict[str, int] = {}
        for item in [*self.questions, *self.checks]:
            try:
                if not isinstance(item, Question | Check):
                    raise _Invalid("type", f"expected a question or check, got {item!r}")
                item.validate()
                if item.id in seen:
                    raise _Invalid("id", "duplicate id (used twice in this quiz)")
                if ids.QUIZ_RE.match(name) and not item.id.startswith(f"{name}-"):
                    raise _Invalid("id", f"ids in quiz {name!r} must start with '{name}-'")
            except _Invalid as exc:
                raise QuizFileError(exc.message, file=source, item_id=getattr(item, "id", None),
                                    field=exc.field) from None
            seen[item.id] = 1

    # -- lookup -----------------------------------------------------------------------------
    def __getitem__(self, item_id: str) -> Question | Check:
        for item in [*self.questions, *self.checks]:
            if item.id == item_id:
                return item
        known = ", ".join(i.id for i in [*self.questions, *self.checks])
        raise UnknownName(f"{item_id!r} is not in quiz {self.name!r}; it has: {known}")

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        return f"<Quiz {self.name!r}: {len(self.questions)} questions, {len(self.checks)} checks>"

    def to_dict(self) -> dict[str, Any]:
        """The YAML form of the quiz file."""
        out: dict[str, Any] = {"title": self.title}
        if self.questions:
            out["questions"] = [q.to_dict() for q in self.questions]
        if self.checks:
            out["checks"] = [c.to_dict() for c in self.checks]
        return out

    def spec(self, key: str | None = None) -> dict[str, Any]:
        """What the browser gets (graded questions without answers)."""
        ns = self.name if key is None else f"{self.name}-{key}"
        return {"name": self.name, "ns": ns, "title": self.title,
                "questions": [q.spec() for q in self.questions]}

    # -- display ----------------------------------------------------------------------------
    def html(self, key: str | None = None) -> str:
        """Self-contained HTML (inline CSS and JS); see ``coursekit.quiz.render.html``."""
        from .render import html

        return html(self, key=key)

    def text(self) -> str:
        """The questions as plain text, without answers."""
        from .render import text

        return text(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = {"text/plain": self.text(), "text/html": self.html(self.display_key)}
        widget = self.widget
        if widget is not None:
            data = widget._repr_mimebundle_()
            data = data[0] if isinstance(data, tuple) else data
            view = "application/vnd.jupyter.widget-view+json"
            bundle[view] = data[view]
        return bundle

    @property
    def widget(self) -> Any:
        """The live anywidget, created on first use inside a Jupyter kernel (else ``None``)."""
        if self._widget is None:
            from .widget import QuizWidget, in_kernel

            if not in_kernel():
                return None
            self._widget = QuizWidget.for_quiz(self)
        return self._widget

    # -- responses --------------------------------------------------------------------------
    @property
    def responses(self) -> dict[str, Any]:
        """Answers given in the live widget, by question id."""
        return dict(self._widget.responses) if self._widget is not None else {}

    @property
    def score(self) -> Result:
        """Score of the self-check questions answered in the widget (graded ones are scored
        only by ``coursekit.quiz.score`` at grading time)."""
        return score(self, self.responses, include_graded=False)

    def save(self, path: str | Path = "answers.json", name: str | None = None) -> Path:
        """Write the widget's responses to ``path`` as a response file (the format the book's
        "Download my answers" writes; see ``coursekit.quiz.responses``) for submission.
        ``name`` defaults to the name typed into the widget."""
        from .responses import dump

        typed = getattr(self._widget, "student_name", "") if self._widget is not None else ""
        return dump(self, self.responses, path, name=typed if name is None else name)


def _read_responses(quiz: Quiz, responses: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(responses, Mapping):
        return dict(responses)
    from .responses import load

    answers = load(responses)
    if answers.quiz != quiz.name:
        raise InputError(f"{responses}: answers are for quiz {answers.quiz!r}, "
                         f"not {quiz.name!r}")
    return answers.responses


def score(
    quiz: Quiz,
    responses: Mapping[str, Any] | str | Path,
    *,
    include_graded: bool = True,
) -> Result:
    """Score ``responses`` (``{question id: answer}``, or a response file: ``Quiz.save`` or
    the book's "Download my answers").

    Unanswered questions score 0; ids the quiz does not know are listed in
    ``Result.unknown``. With ``include_graded=False`` graded questions are left out.
    """
    answers = _read_responses(quiz, responses)
    result = Result(quiz.name)
    for question in quiz.questions:
        if question.graded and not include_graded:
            continue
        answered = answers.get(question.id) is not None
        outcome = question.score(answers[question.id]) if answered else Score(0.0, "No answer.")
        result.items[question.id] = ItemResult(
            question.id, outcome.fraction * question.points, question.points, outcome.fraction,
            str(outcome), answered)
    known = {q.id for q in quiz.questions}
    result.unknown = sorted(k for k in answers if k not in known)
    return result
