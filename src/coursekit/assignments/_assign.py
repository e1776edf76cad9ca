"""``coursekit assign``: student notebooks, an instructor key and a manifest.

Private material (answer keys of assessed items, model solutions, marking notes) goes only to
``<out>/instructor/``: the public quiz files to ``instructor/quizzes/``, the instructor bank
files to ``instructor/bank/`` (both recorded in ``manifest.json``). Student notebooks are
checked for every private value of the bank before anything is written.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import yaml
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit import __version__
from coursekit.errors import InputError, RunError, UnknownName
from coursekit.quiz.bank import find_leaks

from . import _parts, _quizapi, transforms
from ._chapters import Catalog, Chapter, Item, cell_info, load_catalog
from ._files import Writer
from .tags import (
    ASSIGNMENT_HEADER_TAG,
    COURSEKIT_KEY,
    HAND_IN_TAG,
    ITEM_ID_RE,
    ROLE_SOLUTION,
    SOLUTION_TAG,
    TEACHING_NOTE,
)

__all__ = ["MANIFEST", "assign", "response_file", "verify_student_notebook"]

log = logging.getLogger("coursekit.assign")

MANIFEST = "manifest.json"
INSTRUCTOR_DIR = "instructor"
#: Where ``assign`` puts the snapshot of the instructor bank, and ``grade`` looks by default.
BANK_DIR = f"{INSTRUCTOR_DIR}/bank"
MANIFEST_FORMAT = 1


def response_file(assignment: str, chapter: str) -> str:
    """Name of the file a student saves their quiz answers to."""
    return f"{assignment}-{chapter}-answers.json"


def _parse_due(due: str | None) -> str | None:
    if due is None:
        return None
    try:
        return dt.date.fromisoformat(due).isoformat()
    except ValueError:
        raise InputError(f"--due: expected a date like 2026-12-01, got {due!r}") from None


def _select(catalog: Catalog, chapters: list[str] | None, items: list[str] | None) -> list[Item]:
    if chapters:
        chosen = []
        for chapter in catalog.chapters.values():
            chosen += [i for i in chapter.items
                       if i.source == "notebook" or _question(chapter, i.id).graded]
        return chosen
    by_id = {i.id: i for i in catalog.items}
    chosen = []
    for item_id in dict.fromkeys(items or []):
        if item_id not in by_id:
            chapter = catalog.chapters.get(item_id.split("-")[0])
            known = ", ".join(i.id for i in chapter.items) if chapter else "none"
            raise UnknownName(f"--items: unknown item {item_id!r}; items of that chapter: {known}")
        chosen.append(by_id[item_id])
    return chosen


def _question(chapter: Chapter, item_id: str) -> Any:
    return _quizapi.find(chapter.quiz, item_id)


def verify_student_notebook(nb: NotebookNode, name: str) -> None:
    """Last line of defence: raise ``RuntimeError`` if solution material is left in ``nb``."""
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if (cell_info(cell).get("role") == ROLE_SOLUTION or SOLUTION_TAG in tags
                or TEACHING_NOTE in tags or cell.get("outputs")):
            raise RunError(f"{name}, cell {index}: solution, teaching note or output left in "
                               "a student notebook (a transform is broken)")
    if transforms.solution_cells(nb):
        raise RunError(f"{name}: solution directive left in a student notebook")
    if set(nb.metadata) - {"kernelspec", "language_info", COURSEKIT_KEY}:
        raise RunError(f"{name}: unexpected notebook metadata left in a student notebook")


def _verify_no_private(nb: NotebookNode, name: str, catalog: Catalog) -> None:
    """Raise ``RuntimeError`` if a student notebook holds a private string of the bank."""
    def source(notebook: NotebookNode) -> str:
        return "\n".join("".join(c.source) if isinstance(c.source, list) else c.source
                         for c in notebook.cells)

    reading = "\n".join(source(c.nb) for c in catalog.chapters.values())
    leaks = find_leaks(source(nb), [getattr(c.quiz, "private", {})
                                    for c in catalog.chapters.values()], public=reading)
    if leaks:
        item_id, secret = leaks[0]
        raise RunError(f"{name}: private text of {item_id} (instructor bank) found in a "
                           f"student notebook: {secret!r:.80}")


def _graded_by(item: Item) -> str:
    if not item.parts:
        return "yes" if item.auto else "by hand"
    return ", ".join(f"{p.id}: {p.points:g} {'auto' if p.mode == _parts.AUTO else 'by hand'}"
                     for p in item.parts)


def _header(name: str, due: str | None, items: list[Item], chapters: list[Chapter]) -> NotebookNode:
    rows = "\n".join(f"| `{i.id}` | {i.kind} | {i.points:g} | {_graded_by(i)} |" for i in items)
    quiz_lines = []
    for chapter in chapters:
        ids = [i.id for i in items if i.chapter == chapter.id and i.source == "quiz"]
        if ids:
            quiz_lines.append(
                f"- Quiz {chapter.id} ({', '.join(ids)}): answer it in the *Hand in* section "
                f"at the end of the chapter; it saves `{response_file(name, chapter.id)}`, "
                "which you hand in with this notebook.")
    text = "\n".join([
        f"# Assignment `{name}`",
        "",
        f"**Due:** {due}" if due else "**Due:** see the course page",
        "",
        "| item | kind | points | graded |",
        "| --- | --- | --- | --- |",
        rows,
        "",
        "Write your answers in the cells marked *your code here* or *Your answer*. Keep the "
        "check cells (`coursekit.check(...)`): they are how your work is graded. Do not copy "
        "or duplicate exercise cells; restart the kernel and run all cells before you hand in.",
        *(["", *quiz_lines] if quiz_lines else []),
    ])
    return new_markdown_cell(text, metadata={"tags": [ASSIGNMENT_HEADER_TAG]})


def _hand_in_cells(name: str, chapter: str, question_ids: list[str]) -> list[NotebookNode]:
    """Cells that show the quiz again and save the student's answers for grading."""
    variable, target = f"handin_{chapter}", response_file(name, chapter)
    text = (f"## Hand in: quiz {chapter}\n\nAnswer the graded questions "
            f"({', '.join(question_ids)}) in the quiz below, then run the cell after it: it "
            f"saves your answers to `{target}`. Hand that file in with this notebook.")
    show = f"import coursekit\n\n{variable} = coursekit.quiz.show({chapter!r})\n{variable}"
    save = (f"if {variable}.responses:\n    print('saved', {variable}.save({target!r}))\n"
            "else:\n    print('No answers yet: answer the questions above, then run this "
            "cell again.')")
    return [new_markdown_cell(text, metadata={"tags": [HAND_IN_TAG]}),
            new_code_cell(show, metadata={"tags": [HAND_IN_TAG]}),
            new_code_cell(save, metadata={"tags": [HAND_IN_TAG]})]


def _unique_cell_ids(nb: NotebookNode) -> None:
    seen: set[str] = set()
    for cell in nb.cells:
        if "id" in cell and (cell.id in seen or not cell.id):
            cell.id = uuid.uuid4().hex[:8]
        if "id" in cell:
            seen.add(cell.id)


def _combine(notebooks: list[NotebookNode], header: NotebookNode | None,
             meta: dict[str, Any]) -> NotebookNode:
    nb = new_notebook(metadata=copy.deepcopy(notebooks[0].metadata))
    nb.cells = ([header] if header is not None else []) + [
        cell for part in notebooks for cell in copy.deepcopy(part.cells)]
    nb.metadata[COURSEKIT_KEY] = meta
    _unique_cell_ids(nb)
    return nb


def _instructor_notebook(nb: NotebookNode) -> NotebookNode:
    nb = transforms.clear_outputs(nb)
    nb.metadata.pop("widgets", None)
    return nb


def _key_markdown(name: str, due: str | None, items: list[Item], catalog: Catalog) -> str:
    lines = [f"# Answer key: `{name}`", "", f"Due: {due or 'not set'}", ""]
    for item in items:
        chapter = catalog.chapters[item.chapter]
        lines += [f"## {item.id} ({item.kind}, {item.points:g} points, "
                  f"{'auto-graded' if item.auto else 'graded by hand'}"
                  f"{', assessed' if item.assessed else ''})", ""]
        if chapter.quiz is not None and (item.source == "quiz" or item.auto):
            entry = _quizapi.find(chapter.quiz, item.id)
            lines += ["```yaml", yaml.safe_dump(entry.to_dict(), allow_unicode=True,
                                                sort_keys=False).rstrip(), "```", ""]
        private = getattr(chapter.quiz, "private", {}).get(item.id, {})
        for field, title in (("solution", "Model solution"), ("notes", "Marking notes")):
            if private.get(field):
                lines += [f"{title} (instructor bank):", "", "````", private[field].rstrip(),
                          "````", ""]
        if item.source == "notebook":
            for index in sorted(k for k, v in transforms.solution_cells(chapter.nb).items()
                                if v == item.id):
                cell = chapter.nb.cells[index]
                source = "".join(cell.source) if isinstance(cell.source, list) else cell.source
                fence = "```" if cell.cell_type == "code" else "````"
                info = "python" if cell.cell_type == "code" else "markdown"
                lines += [f"Solution, {chapter.path.name} cell {index}:", "", fence + info,
                          source.rstrip(), fence, ""]
    return "\n".join(lines)


def assign(
    out: Path,
    *,
    chapters: list[str] | None = None,
    items: list[str] | None = None,
    book: Path = Path("."),
    due: str | None = None,
    name: str | None = None,
    per_chapter: bool = False,
    force: bool = False,
    bank: Path | None = None,
) -> dict[str, Any]:
    """Write student notebooks, ``instructor/`` (key, quiz and bank snapshots) and
    ``manifest.json``.

    Parameters
    ----------
    out : Path
        Output folder. Existing files are only replaced with ``force=True``.
    chapters, items : list of str
        Exactly one: chapter ids (``["ch01"]``: every exercise and graded quiz question of
        the chapter) or item ids (``["ch01-ex-2", "ch01-q-3"]``).
    book : Path
        Root of the book (holds ``chapters/``).
    due : str, optional
        Due date, ``YYYY-MM-DD``.
    name : str, optional
        Assignment name (default: the chapter ids joined by ``-``).
    per_chapter : bool
        One student notebook per chapter instead of one combined notebook.
    bank : Path, optional
        The instructor bank (a folder of ``chNN.yml``) with the keys of assessed items;
        default ``book/instructor-bank`` when it exists. Assigning an assessed item without
        its key is an error.

    Returns
    -------
    dict
        The manifest that was written.
    """
    if bool(chapters) == bool(items):
        raise InputError("give either chapters (--chapter) or items (--items), not both/neither")
    due = _parse_due(due)
    for item_id in items or []:
        if not ITEM_ID_RE.match(item_id):
            raise InputError(f"--items: {item_id!r} is not an item id like ch01-ex-2 or ch01-q-3")
    wanted = list(dict.fromkeys(chapters or [i.split("-")[0] for i in items or []]))
    bank = Path(bank) if bank is not None else _quizapi.default_bank(Path(book))
    catalog = load_catalog(Path(book), wanted, bank)
    chosen = _select(catalog, chapters, items)
    for chapter in catalog.chapters.values():
        missing = [i for i in _quizapi.unkeyed(chapter.quiz) if i in {c.id for c in chosen}]
        if missing:
            raise InputError(f"assessed item(s) {', '.join(missing)} have no key: "
                             + ("give the instructor bank with --bank PATH" if bank is None
                                else f"{bank} has no entry for them"))
    name = name or "-".join(wanted)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise InputError(f"--name: {name!r} must be letters, digits, '-', '_' or '.'")
    used = [catalog.chapters[c] for c in wanted]
    for item in chosen:
        if item.source == "quiz" and not _question(catalog.chapters[item.chapter], item.id).graded:
            log.warning("%s is a self-check question (graded: false): its answer key is in the "
                        "book, so students can see it", item.id)

    writer = Writer(Path(out), force)
    students, keys = [], []
    for chapter in used:
        log.info("transforming %s", chapter.path)
        student = transforms.run(chapter.nb, transforms.PIPELINE, chapter.path)
        _parts.add_written_cells(student, [i for i in chosen if i.chapter == chapter.id])
        questions = [i.id for i in chosen if i.chapter == chapter.id and i.source == "quiz"]
        if questions:
            student.cells += _hand_in_cells(name, chapter.id, questions)
        students.append(student)
        keys.append(_instructor_notebook(chapter.nb))
    meta = {"assignment": name, "due": due}
    notebooks = []
    if per_chapter:
        for chapter, student, key in zip(used, students, keys, strict=True):
            part = [i for i in chosen if i.chapter == chapter.id]
            nb = _combine([student], _header(name, due, part, [chapter]),
                          {**meta, "chapters": [chapter.id]})
            notebooks.append((chapter.path.name, [chapter.id], nb, _combine([key], None, {})))
    else:
        nb = _combine(students, _header(name, due, chosen, used), {**meta, "chapters": wanted})
        notebooks.append((f"{name}.ipynb", wanted, nb, _combine(keys, None, {})))
    for filename, _, nb, key in notebooks:
        verify_student_notebook(nb, filename)
        _verify_no_private(nb, filename, catalog)
        writer.add_notebook(filename, nb)
        writer.add_notebook(f"{INSTRUCTOR_DIR}/{filename}", key)
    quizzes, banks = {}, {}
    for chapter in used:
        if chapter.quiz_path is not None:
            relpath = f"{INSTRUCTOR_DIR}/quizzes/{chapter.id}.yml"
            writer.add_text(relpath, chapter.quiz_path.read_text(encoding="utf-8"))
            quizzes[chapter.id] = relpath
        if chapter.bank_path is not None:
            relpath = f"{BANK_DIR}/{chapter.id}.yml"
            writer.add_text(relpath, chapter.bank_path.read_text(encoding="utf-8"))
            banks[chapter.id] = relpath
    writer.add_text(f"{INSTRUCTOR_DIR}/key.md", _key_markdown(name, due, chosen, catalog))
    manifest = {
        "format": MANIFEST_FORMAT,
        "name": name,
        "due": due,
        "created_with": f"coursekit {__version__}",
        "chapters": wanted,
        "notebooks": [{"file": f, "chapters": c} for f, c, _, _ in notebooks],
        "quizzes": quizzes,
        "banks": banks,
        # where the bank came from: grade hides it (and the snapshot) from every sandbox
        "bank_source": str(bank.resolve()) if bank is not None else None,
        "responses": {c.id: response_file(name, c.id) for c in used
                      if any(i.chapter == c.id and i.source == "quiz" for i in chosen)},
        "items": [i.as_dict() for i in chosen],
        "total_points": sum(i.points for i in chosen),
        "auto_points": sum(i.points for i in chosen if i.auto),
    }
    writer.add_json(MANIFEST, manifest)
    writer.write()
    return manifest
