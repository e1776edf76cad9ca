"""Writing output folders: refuse to overwrite without ``force``; every file atomic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from coursekit._resources import write_atomic

__all__ = ["OutputExistsError", "Writer"]


class OutputExistsError(FileExistsError):
    """An output file exists and ``--force`` was not given."""


class Writer:
    """Collects files for one output folder and writes them atomically.

    ``check()`` raises :class:`OutputExistsError` (listing the files) before anything is
    written, unless ``force`` is true.
    """

    def __init__(self, root: Path, force: bool = False) -> None:
        self.root, self.force = Path(root), force
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

    def write(self) -> list[Path]:
        self.check()
        written = []
        for relpath, text in self.files.items():
            path = self.root / relpath
            write_atomic(path, text)
            written.append(path)
        return written
