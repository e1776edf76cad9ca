"""Writing output folders: refuse to overwrite without ``force``; every file atomic; nothing
deleted or overwritten that coursekit did not make.

A folder that coursekit creates (or finds empty) gets a marker file, :data:`MARKER`. With
``force``, files are replaced (and ``coursekit edition`` replaces a whole folder) only where
that marker is present. An output folder that is ``/``, a home folder, or that is or holds a
protected folder (the book, the current folder, the submissions) is always refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit._resources import write_atomic
from coursekit.errors import CoursekitError, InputError

__all__ = ["MARKER", "OutputExistsError", "Writer", "check_output_folder", "has_marker",
           "mark"]

#: File that says "coursekit made this folder"; ``--force`` needs it to replace anything.
MARKER = ".coursekit-output"


class OutputExistsError(CoursekitError, FileExistsError):
    """An output file exists and ``--force`` was not given."""


def has_marker(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_file()


def mark(folder: Path, kind: str) -> None:
    """Put coursekit's marker in ``folder`` (created if needed)."""
    write_atomic(Path(folder) / MARKER, json.dumps({"made_by": f"coursekit {kind}"}) + "\n")


def _homes() -> set[Path]:
    homes = {Path.home().resolve()}
    for base in (Path("/home"), Path("/Users")):
        if base.is_dir():
            homes.add(base.resolve())
            homes.update(p.resolve() for p in base.iterdir() if p.is_dir())
    homes.add(Path("/root"))
    return homes


def check_output_folder(out: Path, protected: Sequence[Path] = (), *, force: bool = False,
                        what: str = "--out") -> Path:
    """Return ``out`` resolved, or raise ``ValueError`` if writing there could destroy work.

    Refused: ``/``, a home folder, a folder that is or contains a ``protected`` one (and the
    current folder); with ``force``, an existing non-empty folder without :data:`MARKER`.
    """
    resolved = Path(out).expanduser().resolve()
    if resolved == Path("/") or resolved in _homes():
        raise InputError(f"{what} {out}: refusing to write into {resolved} (a home folder or "
                         "the file system root); choose a new folder")
    for guard in [*protected, Path.cwd()]:
        guard = Path(guard).expanduser().resolve()
        if resolved == guard or resolved in guard.parents:
            raise InputError(f"{what} {out}: refusing to write into {resolved}, which is or "
                             f"contains {guard}; choose a new folder")
    if force and resolved.is_dir() and any(resolved.iterdir()) and not has_marker(resolved):
        raise InputError(f"{what} {out}: {resolved} was not made by coursekit (no {MARKER} "
                         "file), so --force will not replace anything in it; choose a new "
                         "folder or empty it yourself")
    return resolved


class Writer:
    """Collects files for one output folder and writes them atomically.

    ``check()`` raises :class:`OutputExistsError` (listing the files) before anything is
    written, unless ``force`` is true; with ``force`` it refuses a folder coursekit did not
    make (see :func:`check_output_folder`).
    """

    def __init__(self, root: Path, force: bool = False, kind: str = "assign",
                 protected: Sequence[Path] = ()) -> None:
        self.root, self.force, self.kind = Path(root), force, kind
        self.protected = list(protected)
        self.files: dict[str, str] = {}

    def add_text(self, relpath: str, text: str) -> None:
        self.files[relpath] = text

    def add_json(self, relpath: str, data: Any) -> None:
        self.files[relpath] = json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def add_notebook(self, relpath: str, nb: NotebookNode) -> None:
        nbformat.validate(nb)
        self.files[relpath] = nbformat.writes(nb)

    def check(self) -> None:
        clash = sorted(p for p in self.files if (self.root / p).exists())
        if clash and not self.force:
            shown = ", ".join(str(self.root / p) for p in clash[:5])
            more = f" and {len(clash) - 5} more" if len(clash) > 5 else ""
            raise OutputExistsError(f"{shown}{more} already exist; pass --force to overwrite")
        check_output_folder(self.root, self.protected, force=self.force)

    def write(self) -> list[Path]:
        self.check()
        fresh = not self.root.exists() or not any(self.root.iterdir())
        written = []
        for relpath, text in self.files.items():
            path = self.root / relpath
            write_atomic(path, text)
            written.append(path)
        if fresh:
            mark(self.root, self.kind)
        return written
