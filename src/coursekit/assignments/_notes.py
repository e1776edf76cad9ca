"""Teaching notes: ``instructor-bank/notes/chNN.md``, one per chapter, for instructors only.

This module is the one home of the format, its loader and its checks. A notes file is
Markdown with an optional ``#`` title and exactly these ``##`` sections, in this order::

    ## Lesson plan
    - **10 min** — a timed step (the steps add up to one 50-75 minute class meeting)
    ## In-class activity
    (free Markdown, not empty)
    ## Common misconceptions
    - one misconception per top-level bullet (3 to 5 of them)
    ## Marking guide
    ### ch01-ex-1                  (an exercise, or ``ch01-ex-2/disagreement`` for a part)
    - **2 points** — an element of a good answer

The marking guide has one ``###`` entry for every written part of the chapter's exercises
(an exercise without ``parts`` and without a check cell, or a ``hand`` part) and no other;
each entry's points add up to that part's points in the notebook's ``metadata.coursekit``.
:func:`check_book` runs these checks for ``coursekit check``; :func:`inject` shows the notes
as a ``teaching-note`` admonition in the instructor edition (the student edition and the
public book never get them).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from coursekit.errors import CoursekitError, InputError

from ._chapters import Chapter, find_chapters, load_catalog
from ._parts import HAND, part_item
from .tags import TEACHING_NOTE

__all__ = ["MINUTES", "MISCONCEPTIONS", "NOTES_DIR", "SECTIONS", "Element", "GuideEntry",
           "TeachingNotes", "check_book", "check_notes", "inject", "load", "notes_path",
           "render", "written_parts"]

#: Where a book keeps its teaching notes (inside the instructor bank: never published).
NOTES_DIR = Path("instructor-bank") / "notes"
SECTIONS = ("Lesson plan", "In-class activity", "Common misconceptions", "Marking guide")
#: A class meeting: the lesson plan's steps add up to between these many minutes.
MINUTES = (50, 75)
#: How many misconceptions a chapter's notes name.
MISCONCEPTIONS = (3, 5)

_FILE_RE = re.compile(r"^(ch[0-9]{2})\.md$")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET_RE = re.compile(r"^[-*+]\s+(.*)$")
_STEP_RE = re.compile(r"^[-*+]\s+\*\*(\d+(?:\.\d+)?)\s*min\*\*\s*(?:—|–|-|:)\s*(\S.*)$")
_ELEMENT_RE = re.compile(
    r"^[-*+]\s+\*\*(\d+(?:\.\d+)?)\s*points?\*\*\s*(?:—|–|-|:)\s*(\S.*)$")
_ENTRY_RE = re.compile(r"^(ch[0-9]{2}-ex-[0-9]+)(?:/([a-z][a-z0-9-]{0,31}))?$")
_STEP_EXAMPLE = "'- **10 min** — what the class does'"
_ELEMENT_EXAMPLE = "'- **2 points** — what the answer must do'"


@dataclass(frozen=True)
class Element:
    """One element of a marking-guide entry: what earns ``points``."""

    text: str
    points: float
    line: int


@dataclass(frozen=True)
class GuideEntry:
    """The marking guide for one written part (``ch02-ex-4/verdict``) or exercise."""

    item: str
    line: int
    elements: tuple[Element, ...]

    @property
    def points(self) -> float:
        return sum(e.points for e in self.elements)


@dataclass(frozen=True)
class TeachingNotes:
    """A parsed notes file: section bodies (Markdown), timed steps, misconceptions, guide."""

    path: Path
    chapter: str
    title: str
    sections: dict[str, str]
    steps: tuple[tuple[float, str, int], ...]
    misconceptions: tuple[str, ...]
    guide: dict[str, GuideEntry]

    @property
    def minutes(self) -> float:
        return sum(m for m, _, _ in self.steps)


def notes_path(book: Path | str, chapter_id: str) -> Path:
    """``book/instructor-bank/notes/chNN.md``."""
    return Path(book) / NOTES_DIR / f"{chapter_id}.md"


def _lines_outside_fences(lines: list[str]) -> list[bool]:
    """For each line, whether it is outside a fenced code block (headings there count)."""
    outside, fence = [], ""
    for line in lines:
        match = _FENCE_RE.match(line)
        if fence:
            outside.append(False)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
            outside.append(False)
        else:
            outside.append(True)
    return outside


def _parse_steps(body: list[tuple[int, str]], at: str, problems: list[str]) -> list:
    steps = []
    for number, line in body:
        if _BULLET_RE.match(line):
            match = _STEP_RE.match(line)
            if match:
                steps.append((float(match[1]), match[2], number))
            else:
                problems.append(f"{at}, line {number}: a lesson-plan step must start with its "
                                f"minutes, like {_STEP_EXAMPLE} (got {line.strip()!r:.60})")
    return steps


def _parse_guide(body: list[tuple[int, str]], at: str, problems: list[str]) -> dict:
    guide: dict[str, GuideEntry] = {}
    current: tuple[str, int] | None = None
    elements: list[Element] = []

    def close() -> None:
        if current is None:
            return
        if not elements:
            problems.append(f"{at}, line {current[1]}: {current[0]} has no element with points, "
                            f"like {_ELEMENT_EXAMPLE}")
        guide[current[0]] = GuideEntry(current[0], current[1], tuple(elements))

    for number, line in body:
        heading = _HEADING_RE.match(line)
        if heading:
            close()
            elements = []
            name = heading[2].strip().strip("`")
            if len(heading[1]) != 3 or not _ENTRY_RE.match(name):
                problems.append(f"{at}, line {number}: a marking-guide entry is a '###' heading "
                                f"naming an exercise or part, like '### ch01-ex-1' or "
                                f"'### ch01-ex-2/disagreement' (got {line.strip()!r:.60})")
                current = None
            elif name in guide:
                problems.append(f"{at}, line {number}: {name} has a second entry (first at "
                                f"line {guide[name].line})")
                current = None
            else:
                current = (name, number)
        elif _BULLET_RE.match(line):
            match = _ELEMENT_RE.match(line)
            if current is None:
                problems.append(f"{at}, line {number}: an element outside any '### chNN-ex-K' "
                                "entry")
            elif not match:
                problems.append(f"{at}, line {number}: an element of {current[0]} must start "
                                f"with its points, like {_ELEMENT_EXAMPLE} "
                                f"(got {line.strip()!r:.60})")
            else:
                elements.append(Element(match[2], float(match[1]), number))
    close()
    return guide


def load(path: Path | str) -> TeachingNotes:
    """Read and check the format of one notes file; raise :class:`InputError` listing every
    problem, each with the file and line."""
    path = Path(path)
    match = _FILE_RE.match(path.name)
    if not match:
        raise InputError(f"{path}: a teaching-notes file is named after its chapter, like "
                         "'ch01.md'")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    lines = text.splitlines()
    outside = _lines_outside_fences(lines)
    problems: list[str] = []
    title, order, bodies = "", [], {}
    current: str | None = None
    for number, (line, free) in enumerate(zip(lines, outside, strict=True), start=1):
        heading = _HEADING_RE.match(line) if free else None
        if heading and len(heading[1]) == 1:
            if order or title:
                problems.append(f"{path}, line {number}: only one '#' title, before the sections")
            title = heading[2]
            continue
        if heading and len(heading[1]) == 2:
            name = heading[2]
            if name not in SECTIONS:
                problems.append(f"{path}, line {number}: unknown section {name!r}; the sections "
                                f"are {', '.join(repr(s) for s in SECTIONS)}")
                current = None
            elif name in bodies:
                problems.append(f"{path}, line {number}: section {name!r} appears twice")
                current = None
            else:
                order.append(name)
                bodies[name] = []
                current = name
            continue
        if current is not None:
            bodies[current].append((number, line if free else f"\0{line}"))
        elif line.strip() and not title:
            problems.append(f"{path}, line {number}: text before the first section")
    missing = [s for s in SECTIONS if s not in bodies]
    if missing:
        problems.append(f"{path}: missing section(s) {', '.join(repr(s) for s in missing)}")
    elif order != list(SECTIONS):
        problems.append(f"{path}: sections must come in this order: {', '.join(SECTIONS)} "
                        f"(got {', '.join(order)})")

    def live(name: str) -> list[tuple[int, str]]:  # lines outside code fences
        return [(n, t) for n, t in bodies.get(name, []) if not t.startswith("\0")]

    for name in bodies:
        if not "".join(t for _, t in bodies[name]).strip():
            where = bodies[name][0][0] - 1 if bodies[name] else len(lines)
            problems.append(f"{path}, line {where}: section {name!r} is empty")
    steps = _parse_steps(live("Lesson plan"), str(path), problems)
    if "Lesson plan" in bodies:
        total = sum(m for m, _, _ in steps)
        if not steps:
            problems.append(f"{path}: the lesson plan has no timed steps, like {_STEP_EXAMPLE}")
        elif not MINUTES[0] <= total <= MINUTES[1]:
            problems.append(f"{path}: the lesson plan's steps add up to {total:g} minutes; one "
                            f"class meeting is {MINUTES[0]}-{MINUTES[1]} minutes")
    misconceptions = [t for _, t in live("Common misconceptions") if _BULLET_RE.match(t)]
    if "Common misconceptions" in bodies and not (
            MISCONCEPTIONS[0] <= len(misconceptions) <= MISCONCEPTIONS[1]):
        problems.append(f"{path}: 'Common misconceptions' has {len(misconceptions)} top-level "
                        f"bullets; give {MISCONCEPTIONS[0]} to {MISCONCEPTIONS[1]}")
    guide = _parse_guide(live("Marking guide"), str(path), problems)
    for entry in guide.values():
        if not entry.item.startswith(f"{match[1]}-"):
            problems.append(f"{path}, line {entry.line}: {entry.item} is not an exercise of "
                            f"{match[1]}")
    if problems:
        raise InputError("\n".join(problems))
    sections = {name: "\n".join(t.lstrip("\0") for _, t in bodies[name]).strip()
                for name in SECTIONS}
    return TeachingNotes(path, match[1], title, sections, tuple(steps),
                         tuple(_BULLET_RE.match(t)[1] for t in misconceptions), guide)


def written_parts(chapter: Chapter) -> dict[str, float]:
    """``{item: points}`` for every written part of the chapter's exercises: the ``hand``
    parts (``ch02-ex-4/verdict``) and each exercise without parts or check (``ch01-ex-1``)."""
    found: dict[str, float] = {}
    for item in chapter.items:
        if item.source != "notebook":
            continue
        if item.parts:
            found.update({part_item(item.id, p.id): p.points for p in item.parts
                          if p.mode == HAND})
        elif not item.auto:
            found[item.id] = item.points
    return found


def check_notes(notes: TeachingNotes, written: dict[str, float], notebook: Path) -> list[str]:
    """Problems of ``notes``' marking guide against the chapter's written parts."""
    problems = []
    for item, points in written.items():
        entry = notes.guide.get(item)
        if entry is None:
            problems.append(f"{notes.path}: the marking guide has no entry '### {item}' for "
                            f"the written part {item} ({points:g} points in {notebook})")
        elif abs(entry.points - points) > 1e-9:
            problems.append(f"{notes.path}, line {entry.line}: the elements of {item} add up "
                            f"to {entry.points:g} points, but {notebook} gives it {points:g}")
    for item, entry in notes.guide.items():
        if item not in written:
            problems.append(f"{notes.path}, line {entry.line}: {item} is not a written part of "
                            f"an exercise in {notebook} (written parts: "
                            f"{', '.join(written) or 'none'})")
    return problems


def check_book(book: Path | str) -> list[str]:
    """Every problem of the book's teaching notes (none if it has no notes folder): a chapter
    without notes, notes without a chapter, the format, and the marking guides' points."""
    book = Path(book)
    folder = book / NOTES_DIR
    if not folder.is_dir():
        return []
    chapters = dict(find_chapters(book))
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".md" and path.name != "README.md" and _FILE_RE.match(path.name) is None:
            problems.append(f"{path}: a teaching-notes file is named after its chapter, like "
                            "'ch01.md'")
    for chapter_id, notebook in chapters.items():
        if not notes_path(book, chapter_id).is_file():
            problems.append(f"{notebook}: no teaching notes ({notes_path(book, chapter_id)})")
    for path in sorted(p for p in folder.glob("*.md") if _FILE_RE.match(p.name)):
        chapter_id = path.stem
        if chapter_id not in chapters:
            problems.append(f"{path}: no chapter {chapter_id} in {book / 'chapters'}")
            continue
        try:
            notes = load(path)
            chapter = load_catalog(book, [chapter_id]).chapters[chapter_id]
        except CoursekitError as exc:
            problems.append(str(exc))
            continue
        problems += check_notes(notes, written_parts(chapter), chapters[chapter_id])
    return problems


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"^\s*(:{3,})", text, re.M)), default=2)
    return ":" * max(4, longest + 1)


def render(notes: TeachingNotes) -> str:
    """The notes as one ``teaching-note`` admonition; the sections and entries become bold
    lines (a heading inside a directive is not allowed)."""
    parts = []
    for name in SECTIONS:
        body = notes.sections[name]
        outside = _lines_outside_fences(body.splitlines())
        lines = [f"**{m[2]}**" if free and (m := _HEADING_RE.match(line)) else line
                 for line, free in zip(body.splitlines(), outside, strict=True)]
        parts.append(f"**{name}**\n\n" + "\n".join(lines))
    inner = "\n\n".join(parts)
    fence = _fence(inner)
    return (f"{fence}{{admonition}} Teaching notes (instructor edition)\n"
            f":class: {TEACHING_NOTE}\n\n{inner}\n{fence}")


def _source(cell: NotebookNode) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def inject(nb: NotebookNode, notes: TeachingNotes) -> NotebookNode:
    """A copy of ``nb`` with the notes as a Markdown cell tagged ``teaching-note``, after the
    cell holding ``## Learning objectives`` (else after the title cell, else first)."""
    nb = copy.deepcopy(nb)
    markdown = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]
    objectives = [i for i in markdown
                  if re.search(r"^##\s+Learning objectives\s*$", _source(nb.cells[i]), re.M)]
    titles = [i for i in markdown if re.match(r"^#\s", _source(nb.cells[i]))]
    where = (objectives or titles or [-1])[0] + 1
    cell = new_markdown_cell(render(notes), metadata={"tags": [TEACHING_NOTE]})
    nb.cells.insert(where, cell)
    return nb
