"""Names shared by the notebook transforms, ``assign``, ``grade`` and the book editions.

Every tag, metadata key and role that the code looks for is spelled once, here
(see CONTRIBUTING.md, "Exercises in chapter notebooks").
"""

from __future__ import annotations

import re

from coursekit import ids

__all__ = [
    "ASSIGNMENT_HEADER_TAG",
    "CELL_METADATA_KEEP",
    "CHAPTER_FILE_RE",
    "COURSEKIT_KEY",
    "COURSEKIT_KEYS_KEEP",
    "EXERCISE_ID_RE",
    "GRADE_LOG_ENV",
    "HAND_IN_TAG",
    "HIDE_INPUT_TAG",
    "ITEM_ID_RE",
    "KINDS",
    "NOTEBOOK_METADATA_KEEP",
    "QUESTION_ID_RE",
    "QUIZ_KIND",
    "ROLES",
    "ROLE_ANSWER",
    "ROLE_CHECK",
    "ROLE_EXERCISE",
    "ROLE_NO_CODE",
    "ROLE_SCAFFOLD",
    "ROLE_SOLUTION",
    "ROLE_WRITTEN",
    "SKILLS",
    "SOLUTION_DIRECTIVES",
    "SOLUTION_TAG",
    "STARTER_KEY",
    "STUB_TEXT",
    "TEACHING_NOTE",
    "WRITTEN_TAG",
]

#: Cell and notebook metadata key that holds the exercise contract.
COURSEKIT_KEY = "coursekit"
#: Optional key of an ``answer`` cell: the text students start from.
STARTER_KEY = "starter"

ROLE_EXERCISE = "exercise"
ROLE_SOLUTION = "solution"
ROLE_ANSWER = "answer"
ROLE_CHECK = "check"
#: A data task's starter code with blanks, shown folded under the exercise (not executed).
ROLE_SCAFFOLD = "scaffold"
#: A data task's no-code variant: the table given, a question about what it shows.
ROLE_NO_CODE = "no-code"
ROLES = (ROLE_EXERCISE, ROLE_SOLUTION, ROLE_ANSWER, ROLE_CHECK, ROLE_SCAFFOLD, ROLE_NO_CODE)
#: Role of the Markdown cell that ``assign`` adds for a written (hand-marked) part; its
#: ``metadata.coursekit`` also names the ``part``. Not an authoring role.
ROLE_WRITTEN = "written"

KINDS = ("close-reading", "data", "source-criticism", "fact-check")
#: The skills progression an exercise's optional ``skill`` names (reference/instructor-guide.md).
SKILLS = ("sourcing", "contextualising", "corroborating", "close-reading", "argument")
#: ``kind`` reported for self-check quiz questions by ``coursekit list``.
QUIZ_KIND = "quiz"

#: Tag of solution cells (removed from student notebooks).
SOLUTION_TAG = "solution"
#: Tag that collapses a code cell's input in the book.
HIDE_INPUT_TAG = "hide-input"
#: Tag of a cell, or class of an admonition, that only instructors see.
TEACHING_NOTE = "teaching-note"
#: Tag of the header cell that ``assign`` puts on top of a student notebook.
ASSIGNMENT_HEADER_TAG = "assignment-header"

#: Tag of the cells that ``assign`` adds so students can save their quiz answers.
HAND_IN_TAG = "quiz-hand-in"
#: Tag of the cells that ``assign`` adds for the written parts of an exercise.
WRITTEN_TAG = "written-answer"

#: sphinx-exercise directives whose content is a solution.
SOLUTION_DIRECTIVES = frozenset({"solution", "solution-start", "solution-end"})

#: Cell metadata that survives in a student notebook; everything else is dropped.
CELL_METADATA_KEEP = frozenset(
    {"tags", COURSEKIT_KEY, "editable", "deletable", "jupyter", "collapsed", "scrolled", "mystnb"}
)
#: Keys of ``metadata.coursekit`` that survive in a student notebook.
COURSEKIT_KEYS_KEEP = frozenset({"id", "role", "kind", "points"})
#: Notebook metadata that survives in a student notebook (no widget state, no authoring data).
NOTEBOOK_METADATA_KEEP = frozenset({"kernelspec", "language_info", COURSEKIT_KEY})

#: Source of the stub cell that replaces a removed solution (``{names}`` is filled in).
STUB_TEXT = "{name} = ...  # your code here"

#: Environment variable: when set (by ``coursekit grade``), ``coursekit.check`` appends
#: each answer as a JSON line to this file instead of checking it in the kernel.
GRADE_LOG_ENV = "COURSEKIT_GRADE_LOG"

CHAPTER_FILE_RE = re.compile(r"^(?P<num>[0-9]{2})-[a-z0-9][a-z0-9-]*\.ipynb$")
#: Item ids (group 1 is the chapter); their one home is :mod:`coursekit.ids`.
EXERCISE_ID_RE = ids.EXERCISE_RE
QUESTION_ID_RE = ids.QUESTION_RE
ITEM_ID_RE = ids.ITEM_RE
