"""Notebook transforms: small ``nb -> new nb`` functions that never change their input.

``PIPELINE`` turns a chapter into a student notebook; ``STUDENT_COLLAPSED`` and
``INSTRUCTOR`` prepare chapters for the two book editions. Ordering constraints are noted
next to each list.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from ._chapters import AuthoringError, cell_info
from ._markdown import directives, remove_directives, rewrite_class_option
from ._names import cell_names
from .tags import (
    CELL_METADATA_KEEP,
    COURSEKIT_KEY,
    COURSEKIT_KEYS_KEEP,
    HIDE_INPUT_TAG,
    NOTEBOOK_METADATA_KEEP,
    ROLE_ANSWER,
    ROLE_CHECK,
    ROLE_EXERCISE,
    ROLE_SOLUTION,
    SOLUTION_DIRECTIVES,
    SOLUTION_TAG,
    STARTER_KEY,
    STUB_TEXT,
    TEACHING_NOTE,
)

__all__ = [
    "INSTRUCTOR",
    "PIPELINE",
    "STUDENT_COLLAPSED",
    "Transform",
    "apply_starters",
    "clean_metadata",
    "clear_attachments",
    "clear_outputs",
    "collapse_solutions",
    "expand_solutions",
    "remove_solutions",
    "remove_teaching_notes",
    "run",
    "solution_cells",
    "text_without_solutions",
    "text_without_teaching_notes",
]

Transform = Callable[[NotebookNode], NotebookNode]


def _tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _source(cell: NotebookNode) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _is_teaching_note(block: Any) -> bool:
    return block.name == TEACHING_NOTE or TEACHING_NOTE in block.classes


def _is_solution(block: Any) -> bool:
    return block.name in SOLUTION_DIRECTIVES


def text_without_teaching_notes(text: str) -> str:
    """Markdown ``text`` without admonitions of class ``teaching-note``.

    >>> text_without_teaching_notes(":::{admonition} Note\\n:class: teaching-note\\nX\\n:::\\nY")
    'Y'
    """
    return remove_directives(text, _is_teaching_note)


def text_without_solutions(text: str) -> str:
    """Markdown ``text`` without ``{solution}`` / ``{solution-start}`` / ``{solution-end}``."""
    return remove_directives(text, _is_solution)


def _drop_empty_markdown(nb: NotebookNode) -> None:
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or _source(c).strip()
                or c.get("attachments")]


# -- transforms ------------------------------------------------------------------------------

def remove_teaching_notes(nb: NotebookNode) -> NotebookNode:
    """Drop cells tagged ``teaching-note`` and teaching-note admonitions in Markdown."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if TEACHING_NOTE not in _tags(c)]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = text_without_teaching_notes(_source(cell))
    _drop_empty_markdown(nb)
    return nb


def solution_cells(nb: NotebookNode, path: object = None) -> dict[int, str | None]:
    """Map the index of every solution cell to its exercise id (``None`` if unknown).

    A cell is a solution if its role is ``solution``, it is tagged ``solution``, it holds only
    ``{solution}`` directives, or it lies between ``{solution-start}`` and ``{solution-end}``.
    Exercise, answer and check cells inside a gated solution are authoring errors.
    """
    found: dict[int, str | None] = {}
    gated: str | None = None
    in_gate = False
    problems: list[str] = []
    for index, cell in enumerate(nb.cells):
        info = cell_info(cell)
        text = _source(cell) if cell.cell_type == "markdown" else ""
        blocks = directives(text) if text else []
        starts = [b for b in blocks if b.name == "solution-start"]
        ends = [b for b in blocks if b.name == "solution-end"]
        if starts:
            in_gate, gated = True, starts[0].argument or info.get("id")
        if in_gate or info.get("role") == ROLE_SOLUTION or SOLUTION_TAG in _tags(cell):
            if in_gate and info.get("role") in (ROLE_EXERCISE, ROLE_ANSWER, ROLE_CHECK):
                problems.append(f"{path or 'notebook'}, cell {index} ({info.get('id')}): "
                                f"role {info['role']!r} inside the gated solution of {gated}; "
                                "move it after {solution-end}")
            found[index] = info.get("id") or gated
        elif text and blocks and not text_without_solutions(text).strip():
            found[index] = info.get("id") or next(
                (b.argument for b in blocks if b.name == "solution"), None)
        if ends:
            in_gate = False
    if problems:
        raise AuthoringError("\n".join(problems))
    return found


def _stub(cell_type: str, item_id: str | None, names: list[str]) -> NotebookNode:
    meta = {COURSEKIT_KEY: {"id": item_id, "role": ROLE_ANSWER}} if item_id else {}
    if cell_type == "code":
        text = "\n".join(STUB_TEXT.format(name=n) for n in names) or "# your code here"
        return new_code_cell(text, metadata=meta)
    return new_markdown_cell(f"**Your answer ({item_id}):** ...", metadata=meta)


def remove_solutions(nb: NotebookNode, path: object = None) -> NotebookNode:
    """Remove every solution cell and solution directive; keep the notebook runnable.

    Where an exercise's solution is removed and it has no ``answer`` cell, a stub answer cell
    takes the first solution cell's place: code stubs assign ``name = ...`` for each name that
    the exercise's own later cells read and only the solution defined. A later cell of another
    exercise, or outside any exercise, that reads such a name is an authoring error.
    """
    nb = copy.deepcopy(nb)
    removed = solution_cells(nb, path)
    has_answer = {cell_info(c).get("id") for c in nb.cells if cell_info(c).get("role") == ROLE_ANSWER}
    stubs: dict[int, NotebookNode] = {}  # index of the removed cell it replaces -> stub
    first_removed: dict[str | None, int] = {}
    solution_names: dict[str, tuple[str | None, int]] = {}
    bound: set[str] = set()
    problems: list[str] = []
    for index, cell in enumerate(nb.cells):
        item_id = removed.get(index) if index in removed else cell_info(cell).get("id")
        if index in removed:
            if item_id not in first_removed:
                first_removed[item_id] = index
                if item_id is not None and item_id not in has_answer:
                    stubs[index] = _stub("markdown", item_id, [])
            if cell.cell_type == "code":
                stub = stubs.get(first_removed[item_id])
                if stub is not None and stub.cell_type == "markdown":
                    stubs[first_removed[item_id]] = _stub("code", item_id, [])
                names = cell_names(_source(cell))
                for name in (names[0] if names else set()) - bound:
                    solution_names[name] = (item_id, index)
            continue
        if cell.cell_type != "code":
            continue
        names = cell_names(_source(cell))
        if names is None:
            continue
        cell_bound, reads = names
        for name in sorted(reads - bound):
            if name not in solution_names:
                continue
            owner, where = solution_names[name]
            stub = stubs.get(first_removed.get(owner, -1))
            if owner is not None and owner == item_id and stub is not None \
                    and stub.cell_type == "code":
                text = STUB_TEXT.format(name=name)
                stub.source = text if stub.source == "# your code here" else \
                    f"{stub.source}\n{text}"
                bound.add(name)
            else:
                problems.append(
                    f"{path or 'notebook'}, cell {index} ({item_id or 'not an exercise'}): "
                    f"reads {name!r}, which only the solution of {owner} (cell {where}) "
                    "defines; students will not have it. Define it in a non-solution cell "
                    "or move this code into the solution.")
        bound |= cell_bound
        for name in cell_bound:
            solution_names.pop(name, None)
    if problems:
        raise AuthoringError("\n".join(problems))
    cells = []
    for index, cell in enumerate(nb.cells):
        if index in stubs:
            cells.append(stubs[index])
        if index in removed:
            continue
        if cell.cell_type == "markdown":
            cell.source = text_without_solutions(_source(cell))
        cells.append(cell)
    nb.cells = cells
    _drop_empty_markdown(nb)
    return nb


def apply_starters(nb: NotebookNode) -> NotebookNode:
    """Replace the source of ``answer`` cells that give ``metadata.coursekit.starter``."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        info = cell_info(cell)
        if info.get("role") == ROLE_ANSWER and STARTER_KEY in info:
            cell.source = str(info[STARTER_KEY])
    return nb


def clear_outputs(nb: NotebookNode) -> NotebookNode:
    """Empty every code cell's outputs and execution count."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def clear_attachments(nb: NotebookNode) -> NotebookNode:
    """Drop attachments that the cell's text does not reference (``attachment:NAME``)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if "attachments" not in cell:
            continue
        used = set(re.findall(r"attachment:([^\s)\"'>]+)", _source(cell)))
        kept = {k: v for k, v in cell.attachments.items() if k in used}
        if kept:
            cell.attachments = kept
        else:
            del cell["attachments"]
    return nb


def clean_metadata(nb: NotebookNode) -> NotebookNode:
    """Keep only allow-listed notebook and cell metadata (no widget state, no authoring keys)."""
    nb = copy.deepcopy(nb)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in NOTEBOOK_METADATA_KEEP}
    for cell in nb.cells:
        meta = {k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA_KEEP}
        if COURSEKIT_KEY in meta:
            meta[COURSEKIT_KEY] = {k: v for k, v in dict(meta[COURSEKIT_KEY]).items()
                                   if k in COURSEKIT_KEYS_KEEP}
        if "tags" in meta:
            meta["tags"] = [t for t in meta["tags"] if t not in (SOLUTION_TAG, TEACHING_NOTE)]
            if not meta["tags"]:
                del meta["tags"]
        cell.metadata = meta
    return nb


def _solution_code_tags(nb: NotebookNode, edit: Callable[[list[str]], list[str]]) -> None:
    for index in solution_cells(nb):
        cell = nb.cells[index]
        if cell.cell_type == "code":
            tags = edit(_tags(cell))
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags", None)


def _toggle(items: list[str], value: str, on: bool) -> list[str]:
    """``items`` with ``value`` added at the end (if missing) or removed."""
    if on:
        return items if value in items else [*items, value]
    return [x for x in items if x != value]


def _solution_display(nb: NotebookNode, closed: bool) -> NotebookNode:
    """A copy of ``nb`` with its solutions shown as closed dropdowns (solution code collapsed
    by ``hide-input``) or open (neither)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_class_option(
                _source(cell), lambda b: b.name in ("solution", "solution-start"),
                lambda c: _toggle(c, "dropdown", closed))
    _solution_code_tags(nb, lambda t: _toggle(t, HIDE_INPUT_TAG, closed))
    return nb


def collapse_solutions(nb: NotebookNode) -> NotebookNode:
    """Solutions as dropdowns, solution code collapsed (``hide-input``)."""
    return _solution_display(nb, closed=True)


def expand_solutions(nb: NotebookNode) -> NotebookNode:
    """Solutions shown open: no ``dropdown`` class, no ``hide-input`` on solution code."""
    return _solution_display(nb, closed=False)


#: Chapter -> student notebook. ``apply_starters`` runs before ``remove_solutions`` so that the
#: runnability analysis sees what students get; ``clean_metadata`` runs last because the
#: others read ``metadata.coursekit``.
PIPELINE: list[Transform] = [
    remove_teaching_notes,
    apply_starters,
    remove_solutions,
    clear_outputs,
    clear_attachments,
    clean_metadata,
]
#: Chapter -> student book page with solutions collapsed.
STUDENT_COLLAPSED: list[Transform] = [remove_teaching_notes, collapse_solutions]
#: Chapter -> instructor book page: solutions open, teaching notes kept.
INSTRUCTOR: list[Transform] = [expand_solutions]


def run(nb: NotebookNode, pipeline: list[Transform], path: object = None) -> NotebookNode:
    """Apply ``pipeline`` in order; ``path`` is used in authoring-error messages."""
    for transform in pipeline:
        nb = transform(nb, path) if transform is remove_solutions else transform(nb)
    return nb
