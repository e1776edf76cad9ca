"""The live-kernel front-end: an anywidget running the same ``static/quiz.js`` as the book."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import anywidget
import traitlets

if TYPE_CHECKING:
    from ._quiz import Quiz

__all__ = ["QuizWidget", "in_kernel"]

STATIC = Path(__file__).parent / "static"


def in_kernel() -> bool:
    """True inside a running Jupyter kernel (where widgets can talk back to Python)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class QuizWidget(anywidget.AnyWidget):
    """Widget state: ``spec`` (questions, no keys for graded ones), ``course`` and
    ``book_version`` (stamped into a downloaded response file) go to the browser;
    ``responses`` ({question id: answer}), ``score`` (the browser's self-check tally) and
    ``student_name`` (typed above "Download my answers") come back."""

    _esm = STATIC / "quiz.js"
    _css = STATIC / "quiz.css"
    spec = traitlets.Dict().tag(sync=True)
    responses = traitlets.Dict().tag(sync=True)
    score = traitlets.Dict().tag(sync=True)
    course = traitlets.Unicode("").tag(sync=True)
    book_version = traitlets.Unicode("").tag(sync=True)
    student_name = traitlets.Unicode("").tag(sync=True)

    @classmethod
    def for_quiz(cls, quiz: Quiz) -> QuizWidget:
        from .responses import COURSE_ID, book_version

        return cls(spec=quiz.spec(), course=COURSE_ID, book_version=book_version(quiz))
