"""``coursekit edition``: build the student or instructor edition of the book.

The book's sources are copied to a temporary folder, transformed there (the working tree is
never touched) and built with ``jupyter-book build``; the HTML is then moved to ``out``.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import yaml

from coursekit._resources import write_atomic
from coursekit._yaml import safe_load
from coursekit.errors import InputError, RunError

from . import _notes, transforms
from ._files import OutputExistsError, check_output_folder, has_marker, mark
from ._markdown import rewrite_class_option
from .tags import CHAPTER_FILE_RE, TEACHING_NOTE

__all__ = ["EDITIONS", "SOLUTION_MODES", "build_edition", "prepare_edition"]

log = logging.getLogger("coursekit.edition")

EDITIONS = ("student", "instructor")
SOLUTION_MODES = ("collapsed", "removed")
_SKIP = {".git", ".venv", "_build", "node_modules", "__pycache__", ".ipynb_checkpoints",
         ".pytest_cache", ".jupyter_cache", "tests", "bench", "dist"}

#: Student pages with solutions removed: exactly the ``assign`` pipeline (its metadata
#: allow-list keeps what the book reads: tags such as ``hide-input``, ``mystnb``).
STUDENT_REMOVED: list[transforms.Transform] = transforms.PIPELINE


def _pipeline(edition: str, solutions: str) -> list[transforms.Transform]:
    if edition == "instructor":
        return transforms.INSTRUCTOR
    return STUDENT_REMOVED if solutions == "removed" else transforms.STUDENT_COLLAPSED


def _markdown_page(text: str, edition: str, solutions: str) -> str:
    def solution(block: object) -> bool:
        return getattr(block, "name", "") in ("solution", "solution-start")

    if edition == "instructor":
        return rewrite_class_option(text, solution, lambda c: [x for x in c if x != "dropdown"])
    text = transforms.text_without_teaching_notes(text)
    if solutions == "removed":
        return transforms.text_without_solutions(text)
    return rewrite_class_option(text, solution, lambda c: c if "dropdown" in c else [*c, "dropdown"])


def _with_notes(nb: nbformat.NotebookNode, book: Path, page: Path) -> nbformat.NotebookNode:
    """The instructor page of a chapter with its teaching notes (``_notes``), if it has any."""
    match = CHAPTER_FILE_RE.match(page.name)
    if page.parent != Path("chapters") or not match:
        return nb
    path = _notes.notes_path(book, f"ch{match['num']}")
    return _notes.inject(nb, _notes.load(path)) if path.is_file() else nb


def prepare_edition(book: Path, target: Path, edition: str, solutions: str = "collapsed") -> None:
    """Copy ``book`` to ``target`` and transform its pages for ``edition``: the instructor
    edition's chapters get their teaching notes (``instructor-bank/notes/chNN.md``)."""
    book, target = Path(book).resolve(), Path(target)

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in _SKIP or (Path(folder) / n).resolve() == target}

    shutil.copytree(book, target, ignore=ignore)
    pipeline = _pipeline(edition, solutions)
    for path in sorted(target.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb = transforms.run(nb, pipeline, book / path.relative_to(target))
        if edition == "student":
            nb.metadata.pop("widgets", None)
        else:
            nb = _with_notes(nb, book, path.relative_to(target))
        write_atomic(path, nbformat.writes(nb))
    for path in sorted(target.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = _markdown_page(text, edition, solutions)
        if new != text:
            write_atomic(path, new)
    config_path = target / "_config.yml"
    config = safe_load(config_path.read_text(encoding="utf-8")) or {}
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["hide_solutions"] = edition == "student" and solutions == "removed"
    write_atomic(config_path, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


#: jupyter-book's command line run by this Python once ``import coursekit`` has spared it
#: jsonschema's rfc3987 grammars (about 2 s of CPU per build; see ``coursekit/__init__.py``).
#: The working folder is taken off ``sys.path`` first, as the ``jupyter-book`` script has it.
_JUPYTER_BOOK = ("import sys; sys.path[:] = [p for p in sys.path if p]; import coursekit; "
                 "from jupyter_book.cli.main import main; sys.argv[0] = 'jupyter-book'; "
                 "sys.exit(main())")


def _jupyter_book() -> list[str]:
    """The command that runs jupyter-book: in this Python where it is installed, else the
    ``jupyter-book`` on ``PATH``."""
    if importlib.util.find_spec("jupyter_book") is not None:
        return [sys.executable, "-c", _JUPYTER_BOOK]
    found = shutil.which("jupyter-book")
    if not found:
        raise FileNotFoundError("jupyter-book is not installed in this environment")
    return [found]


def _scan(html_dir: Path, edition: str, solutions: str) -> None:
    """Raise ``RuntimeError`` if a student edition still shows instructor material."""
    if edition != "student":
        return
    patterns = [rf'class="[^"]*\b{TEACHING_NOTE}\b']
    if solutions == "removed":
        patterns.append(r'class="[^"]*\bsolution\b[^"]*\badmonition\b')
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for pattern in patterns:
            if re.search(pattern, text):
                raise RunError(f"{page}: the student edition still contains {pattern!r}")


def _replace(out: Path, html: Path) -> None:
    """Put a marked copy of ``html`` at ``out``; an old ``out`` (checked to carry the marker)
    is moved aside first and removed only once the new one is in place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        shutil.copytree(html, staging / "new")
        mark(staging / "new", "edition")
        if out.exists():
            if any(out.iterdir()) and not has_marker(out):
                raise OutputExistsError(f"{out} was not made by coursekit; not replaced")
            out.rename(staging / "old")
        (staging / "new").rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_edition(
    edition: str,
    out: Path,
    *,
    book: Path = Path("."),
    solutions: str = "collapsed",
    force: bool = False,
    strict: bool = False,
    keep_temp: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Path:
    """Build the ``student`` or ``instructor`` edition of ``book`` into ``out`` (HTML).

    Students: teaching notes removed; solutions ``collapsed`` (dropdowns, code hidden) or
    ``removed`` (the ``assign`` transforms, plus sphinx-exercise ``hide_solutions``).
    Instructors: solutions open, teaching notes shown. ``strict`` passes ``-W -n
    --keep-going``. Returns ``out``. ``out`` may not be the book, hold it, or be a home
    folder; ``force`` replaces it only if coursekit made it (its marker file).
    """
    if edition not in EDITIONS:
        raise InputError(f"edition must be one of {', '.join(EDITIONS)}, got {edition!r}")
    if solutions not in SOLUTION_MODES:
        raise InputError(f"--solutions must be one of {', '.join(SOLUTION_MODES)}, "
                         f"got {solutions!r}")
    out = check_output_folder(out, [Path(book)], force=force)
    if out.exists() and any(out.iterdir()) and not force:
        raise OutputExistsError(f"{out} exists and is not empty; pass --force to replace it")
    tmp = Path(tempfile.mkdtemp(prefix=f"coursekit-{edition}-"))
    try:
        source = tmp / "book"
        progress(f"copying {Path(book).resolve()} to {source} and transforming it")
        prepare_edition(Path(book), source, edition, solutions)
        arguments = ["build", str(source), "--path-output", str(tmp / "out")]
        if strict:
            arguments += ["-W", "-n", "--keep-going"]
        progress("running jupyter-book " + " ".join(arguments))
        command = [*_jupyter_book(), *arguments]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        build_log = tmp / "build.log"
        build_log.write_text(done.stdout + done.stderr, encoding="utf-8")
        html = tmp / "out" / "_build" / "html"
        if done.returncode != 0 or not (html / "index.html").exists():
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
            keep_temp = True
            raise RunError(f"jupyter-book build failed (log: {build_log}):\n{tail}")
        _scan(html, edition, solutions)
        _replace(out, html)
        return out
    finally:
        if not keep_temp:
            shutil.rmtree(tmp, ignore_errors=True)
