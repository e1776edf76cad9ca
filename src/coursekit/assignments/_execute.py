"""Run a student notebook in a fresh kernel and collect what each cell passed to
``coursekit.check``.

The notebook runs in an empty temporary folder with a per-cell timeout. Answers come back as
JSON lines through a file named by ``COURSEKIT_GRADE_LOG`` (see ``coursekit.check``); they
are attributed to the cell that was running when they were written.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from ._answers import decode
from .tags import GRADE_LOG_ENV

__all__ = ["PREAMBLE", "CellRun", "execute"]

#: Run (hidden) before the student's cells: whichever name the notebook uses
#: (``coursekit.check``, ``coursekit.quiz.check``), the answer is recorded, not checked.
PREAMBLE = (
    "import coursekit.quiz as _ck_quiz\n"
    "from coursekit.assignments import check as _ck_record\n"
    "_ck_quiz.check = _ck_record\n"
    "del _ck_quiz, _ck_record"
)


@dataclass
class CellRun:
    """What happened in one code cell: ``(item id, answer)`` pairs and the first error."""

    records: list[tuple[str, Any]] = field(default_factory=list)
    error: str | None = None


def _read_new(log: Path, offset: int) -> tuple[list[tuple[str, Any]], int]:
    if not log.exists():
        return [], offset
    with open(log, "rb") as handle:
        handle.seek(offset)
        data = handle.read()
    records = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            records.append((str(entry["id"]), decode(entry["answer"])))
        except (ValueError, KeyError, TypeError):
            continue  # a student wrote to the log: ignore what we cannot read
    return records, offset + len(data)


def _first_error(cell: NotebookNode) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {output.get('evalue')}"
    return None


def execute(nb: NotebookNode, timeout: int = 60, kernel_name: str = "python3") -> dict[int, CellRun]:
    """Run every code cell of ``nb`` (a copy) and return a :class:`CellRun` per cell index.

    Errors do not stop the run; a cell that runs longer than ``timeout`` seconds is
    interrupted; if the kernel dies, later cells are reported as not run.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nb = copy.deepcopy(nb)
    runs: dict[int, CellRun] = {}
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-") as tmp:
        log = Path(tmp) / "answers.jsonl"
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        env = {**os.environ, GRADE_LOG_ENV: str(log)}
        client = NotebookClient(
            nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": "Timeout", "evalue": f"cell ran over {timeout} s"},
            resources={"metadata": {"path": str(workdir)}},
        )
        offset = 0
        dead = None
        with client.setup_kernel(env=env):
            preamble = new_code_cell(PREAMBLE)
            client.execute_cell(preamble, 0, store_history=False)
            if _first_error(preamble):
                raise RuntimeError("the grading kernel could not load coursekit: "
                                   f"{_first_error(preamble)}")
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if dead:
                    runs[index] = CellRun(error=dead)
                    continue
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    dead = "not run: the kernel died in an earlier cell"
                    runs[index] = CellRun(error="the kernel died while running this cell")
                    continue
                records, offset = _read_new(log, offset)
                runs[index] = CellRun(records, _first_error(cell))
    return runs
