"""Find MyST directive blocks (```` ```{name} ```` or ``:::{name}``) in Markdown text.

Only what the transforms need: locate a block, read its name, argument and ``:key: value``
options, and drop or rewrite it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Directive", "directives", "remove_directives", "rewrite_class_option"]

_OPEN = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w:-]+)\}(?P<arg>.*)$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")


@dataclass
class Directive:
    """A directive block spanning ``lines[start:end]`` (``end`` exclusive)."""

    name: str
    argument: str
    start: int
    end: int
    options: dict[str, str] = field(default_factory=dict)
    option_lines: dict[str, int] = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        """Values of the ``:class:`` option."""
        return self.options.get("class", "").split()


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
    )


def directives(text: str) -> list[Directive]:
    """Return every directive block in ``text``, outer blocks before the blocks they contain.

    >>> [d.name for d in directives("```{solution} ch01-ex-1\\n:class: dropdown\\nA.\\n```")]
    ['solution']
    >>> directives("```{solution} x\\nnever closed")[0].end
    2
    """
    lines = text.split("\n")
    found: list[Directive] = []

    def scan(lo: int, hi: int) -> None:
        i = lo
        while i < hi:
            match = _OPEN.match(lines[i])
            if not match:
                i += 1
                continue
            fence = match["fence"]
            j = i + 1
            options: dict[str, str] = {}
            option_lines: dict[str, int] = {}
            while j < hi and (opt := _OPTION.match(lines[j])):
                options[opt["key"]] = opt["value"].strip()
                option_lines[opt["key"]] = j
                j += 1
            end = j
            while end < hi and not _closes(lines[end], fence):
                end += 1
            block_end = min(end + 1, hi)  # an unclosed block runs to the end, as in MyST
            found.append(
                Directive(match["name"], match["arg"].strip(), i, block_end, options, option_lines)
            )
            scan(j, end)
            i = block_end

    scan(0, len(lines))
    return found


def remove_directives(text: str, predicate: Callable[[Directive], bool]) -> str:
    """Return ``text`` without the directive blocks for which ``predicate`` is true.

    >>> remove_directives("Keep.\\n```{solution} a\\nGone.\\n```\\nKeep too.", lambda d: True)
    'Keep.\\nKeep too.'
    """
    lines = text.split("\n")
    drop = [False] * len(lines)
    for block in directives(text):
        if predicate(block):
            for k in range(block.start, block.end):
                drop[k] = True
    return "\n".join(line for line, gone in zip(lines, drop, strict=True) if not gone)


def rewrite_class_option(
    text: str, predicate: Callable[[Directive], bool], edit: Callable[[list[str]], list[str]]
) -> str:
    """Return ``text`` with the ``:class:`` option of matching blocks replaced by
    ``edit(classes)`` (the option is added or removed as needed).

    >>> rewrite_class_option("```{solution} a\\nA.\\n```", lambda d: True, lambda c: c + ["dropdown"])
    '```{solution} a\\n:class: dropdown\\nA.\\n```'
    """
    lines = text.split("\n")
    inserts: dict[int, str] = {}
    deletes: set[int] = set()
    for block in directives(text):
        if not predicate(block):
            continue
        new = edit(block.classes)
        if "class" in block.option_lines:
            row = block.option_lines["class"]
            if new:
                indent = lines[row][: len(lines[row]) - len(lines[row].lstrip())]
                lines[row] = f"{indent}:class: {' '.join(new)}"
            else:
                deletes.add(row)
        elif new:
            inserts[block.start] = f":class: {' '.join(new)}"
    out: list[str] = []
    for k, line in enumerate(lines):
        if k not in deletes:
            out.append(line)
        if k in inserts:
            out.append(inserts[k])
    return "\n".join(out)
