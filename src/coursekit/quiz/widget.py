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
    """Widget state: ``spec`` (questions, no keys for graded ones) goes to the browser;
    ``responses`` ({question id: answer}) and ``score`` (the browser's self-check tally)
    come back."""

    _esm = STATIC / "quiz.js"
    _css = STATIC / "quiz.css"
    spec = traitlets.Dict().tag(sync=True)
    responses = traitlets.Dict().tag(sync=True)
    score = traitlets.Dict().tag(sync=True)

    @classmethod
    def for_quiz(cls, quiz: Quiz) -> QuizWidget:
        return cls(spec=quiz.spec())
