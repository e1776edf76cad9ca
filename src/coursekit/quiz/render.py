"""Static renderings of a quiz: self-contained HTML for the book and plain text.

The HTML carries the CSS and the same ``static/quiz.js`` the widget uses, inline, so a built
page needs no kernel and no network. Self-check keys travel in a JSON ``<script>``; graded
questions carry none (see ``Question.spec``). The root element carries the course id and the
book version (``data-course``, ``data-book-version``; see ``coursekit.quiz.responses``) that a
downloaded response file is stamped with and that key the answers kept in the browser. Output
is deterministic: no uuids, timestamps or memory addresses.
"""

from __future__ import annotations

import html as _html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .responses import COURSE_ID, book_version

if TYPE_CHECKING:
    from ._quiz import Quiz

__all__ = ["html", "text"]

STATIC = Path(__file__).parent / "static"
_BOOT = """
{
  const root = document.getElementById(%s);
  if (root && !root.dataset.ckReady) {
    root.dataset.ckReady = "1";
    const spec = JSON.parse(root.querySelector("script.ck-quiz-spec").textContent);
    const meta = { course: root.dataset.course, bookVersion: root.dataset.bookVersion };
    render({ model: staticModel(spec, meta), el: root.querySelector(".ck-quiz-mount") });
  }
}
"""


def _asset(name: str) -> str:
    content = (STATIC / name).read_text(encoding="utf-8")
    if re.search(r"</(script|style)", content, re.IGNORECASE):
        raise ValueError(f"{STATIC / name} must not contain a closing script/style tag")
    return content


def _json_for_html(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def html(quiz: Quiz, key: str | None = None) -> str:
    """Self-contained HTML of ``quiz``.

    ``key`` tells apart two displays of the same quiz on one page; different quizzes are
    namespaced by name already.
    """
    spec = quiz.spec(key)
    root = f"ck-quiz-{spec['ns']}"
    fallback = _html.escape(text(quiz))
    stamp = (f'data-course="{_html.escape(COURSE_ID)}" '
             f'data-book-version="{_html.escape(book_version(quiz))}"')
    return (
        f'<div class="ck-quiz-root" id="{root}" data-quiz="{_html.escape(quiz.name)}" {stamp}>\n'
        f"<style>\n{_asset('quiz.css')}</style>\n"
        f'<script type="application/json" class="ck-quiz-spec">{_json_for_html(spec)}</script>\n'
        f'<div class="ck-quiz-mount"><pre class="ck-quiz-fallback">{fallback}</pre></div>\n'
        f'<script type="module">\n{_asset("quiz.js")}{_BOOT % json.dumps(root)}</script>\n'
        "</div>\n"
    )


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"


def text(quiz: Quiz) -> str:
    """The questions as readable plain text, without answers."""
    lines = [f"{quiz.title} ({len(quiz.questions)} questions)", ""]
    for n, q in enumerate(quiz.questions, 1):
        tag = f"{q.type}, {_points(q.points)}" + (", graded by your instructor" if q.graded else "")
        lines.append(f"{n}. {q.prompt} [{tag}]")
        lines += q.text_lines()
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
