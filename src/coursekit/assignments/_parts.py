"""Parts of an exercise: auto-graded and written (marked by hand).

An exercise cell declares its parts in ``metadata.coursekit.parts`` (CONTRIBUTING.md,
"Exercises in chapter notebooks")::

    "parts": [{"id": "table", "mode": "auto", "points": 2},
              {"id": "verdict", "mode": "hand", "points": 2}]

The points add up to the exercise's ``points``; at most one part is ``auto`` (the check cell
scores it) and an exercise with a check has exactly one. ``assign`` gives every ``hand`` part
its own Markdown answer cell (role ``written``); ``grade`` scores the auto part and lists the
written ones for marking (``_marks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from .tags import COURSEKIT_KEY, ROLE_WRITTEN, WRITTEN_TAG

__all__ = ["AUTO", "HAND", "Part", "add_written_cells", "parse_parts", "part_item", "validate_parts",
           "written_answers", "written_cells"]

AUTO, HAND = "auto", "hand"
PART_ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_KEYS = {"id", "mode", "points"}


@dataclass(frozen=True)
class Part:
    """One part of an exercise."""

    id: str
    mode: str  # AUTO or HAND
    points: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "mode": self.mode, "points": self.points}


def part_item(item_id: str, part_id: str) -> str:
    """The ``item`` of a part's row in ``grades.csv``: ``ch02-ex-4/verdict``."""
    return f"{item_id}/{part_id}"


def validate_parts(value: Any, points: Any, where: str) -> list[str]:
    """Problems of a ``parts`` value (each names ``where`` and the field); empty if valid."""
    if not isinstance(value, list) or not value:
        return [f"{where}: metadata.coursekit.parts must be a non-empty list of "
                f"{{id, mode, points}} (got {value!r})"]
    problems, seen, total = [], set(), 0.0
    for number, part in enumerate(value):
        at = f"{where}: metadata.coursekit.parts[{number}]"
        if not isinstance(part, dict):
            problems.append(f"{at} must be a mapping {{id, mode, points}} (got {part!r})")
            continue
        extra = sorted(set(part) - _KEYS)
        if extra:
            problems.append(f"{at}: unknown field(s) {', '.join(extra)}; expected id, mode, "
                            "points")
        pid = part.get("id")
        if not isinstance(pid, str) or not PART_ID_RE.match(pid):
            problems.append(f"{at}.id must be lower-case letters, digits and '-', like "
                            f"'verdict' (got {pid!r})")
        elif pid in seen:
            problems.append(f"{at}.id {pid!r} is used twice")
        else:
            seen.add(pid)
        if part.get("mode") not in (AUTO, HAND):
            problems.append(f"{at}.mode must be 'auto' or 'hand' (got {part.get('mode')!r})")
        p = part.get("points")
        if isinstance(p, bool) or not isinstance(p, int | float) or p < 0:
            problems.append(f"{at}.points must be a non-negative number (got {p!r})")
        else:
            total += p
    autos = [p for p in value if isinstance(p, dict) and p.get("mode") == AUTO]
    if len(autos) > 1:
        problems.append(f"{where}: metadata.coursekit.parts has {len(autos)} auto parts; the "
                        "check cell scores one, so at most one part is 'auto'")
    if not problems and isinstance(points, int | float) and abs(total - points) > 1e-9:
        problems.append(f"{where}: metadata.coursekit.parts add up to {total:g} points but the "
                        f"exercise is worth {points:g}")
    return problems


def parse_parts(value: Any) -> tuple[Part, ...]:
    """Parts from validated metadata (``()`` when none are declared)."""
    return tuple(Part(p["id"], p["mode"], float(p["points"])) for p in value or [])


def _placeholder(item_id: str, part: dict[str, Any]) -> str:
    return f"*Write your answer to part `{part['id']}` of {item_id} here.*"


def written_cells(item_id: str, parts: list[dict[str, Any]]) -> list[NotebookNode]:
    """Markdown answer cells, one per hand part: metadata names the item and the part."""
    cells = []
    for part in parts:
        if part["mode"] != HAND:
            continue
        points = f"{part['points']:g} point{'' if part['points'] == 1 else 's'}"
        prompt = (f"**{item_id}, part `{part['id']}`** ({points}, marked by "
                  "your instructor): write your answer in the cell below, in your own words. "
                  "Keep the cell; it is how your answer is collected.")
        cells.append(new_markdown_cell(prompt, metadata={
            "tags": [WRITTEN_TAG], "editable": False, "deletable": False}))
        cells.append(new_markdown_cell(_placeholder(item_id, part), metadata={
            "tags": [WRITTEN_TAG], "deletable": False,
            COURSEKIT_KEY: {"id": item_id, "role": ROLE_WRITTEN, "part": part["id"]}}))
    return cells


def _text(cell: NotebookNode) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def written_answers(notebooks: list[tuple[Any, NotebookNode]], item_id: str,
                    part: dict[str, Any]) -> tuple[str, list[str]]:
    """The student's text for one hand part (``""`` if none) and notes on how it was found."""
    found = [_text(cell) for _, nb in notebooks for cell in nb.cells
             if isinstance(cell.get("metadata", {}).get(COURSEKIT_KEY), dict)
             and cell.metadata[COURSEKIT_KEY].get("id") == item_id
             and cell.metadata[COURSEKIT_KEY].get("role") == ROLE_WRITTEN
             and cell.metadata[COURSEKIT_KEY].get("part") == part["id"]]
    placeholder = _placeholder(item_id, part)
    texts = ["\n".join(line for line in text.splitlines()
                       if line.strip() != placeholder).strip() for text in found]
    notes = []
    if not found:
        notes.append(f"no answer cell for part {part['id']} of {item_id} (was it deleted?); "
                     "look for the answer in the notebook")
    written = [t for t in texts if t]
    if len(found) > 1:
        notes.append(f"{len(found)} answer cells for part {part['id']} of {item_id}: "
                     "all non-empty ones are listed, separated by a line")
    return "\n\n---\n\n".join(written), notes


def add_written_cells(nb: NotebookNode, items: list[Any]) -> None:
    """Insert the written-answer cells of ``items`` (with ``.id`` and ``.parts``) into ``nb``,
    after the last cell of each item (its check cell, or its answer cell)."""
    for item in items:
        hand = [p.as_dict() for p in item.parts if p.mode == HAND]
        if not hand:
            continue
        last = max((i for i, c in enumerate(nb.cells)
                    if isinstance(c.get("metadata", {}).get(COURSEKIT_KEY), dict)
                    and c.metadata[COURSEKIT_KEY].get("id") == item.id), default=None)
        where = len(nb.cells) if last is None else last + 1
        nb.cells[where:where] = written_cells(item.id, hand)
