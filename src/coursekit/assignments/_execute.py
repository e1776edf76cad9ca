"""Run a student notebook in a fresh kernel and collect what each cell passed to
``coursekit.check``. This runs *inside* the sandbox (see ``_runner``), never in the grader.

Answers come back as JSON lines through a file named by ``COURSEKIT_GRADE_LOG`` (see
``coursekit.check``); they are attributed to the cell that was running when they were
written and passed on still encoded: only the grader decodes them.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell
from traitlets import default

from coursekit.errors import RunError

from .tags import GRADE_LOG_ENV

__all__ = ["KERNEL_ARGV", "MAX_RECORD_BYTES", "PREAMBLE", "GradingKernelManager", "execute"]

#: Run (hidden) before the student's cells: whichever name the notebook uses
#: (``coursekit.check``, ``coursekit.quiz.check``), the answer is recorded, not checked.
PREAMBLE = (
    "import coursekit.quiz as _ck_quiz\n"
    "from coursekit.assignments import check as _ck_record\n"
    "_ck_quiz.check = _ck_record\n"
    "del _ck_quiz, _ck_record"
)

#: Seconds the preamble (coursekit's own imports, not the student's code) may take. The
#: per-cell limit is for the student's cells: on a busy machine the imports alone can pass a
#: short one. The sandbox's wall-clock limit for the whole notebook still applies.
PREAMBLE_TIMEOUT = 120

#: At most this many bytes of the answers log are read per cell.
MAX_RECORD_BYTES = 4_000_000

#: The grading kernel (see ``_kernel``): ipykernel without a debugger, with no input history
#: (nbclient keeps it in an in-memory SQLite database that nothing in a grading run reads).
KERNEL_ARGV = [sys.executable, "-m", "coursekit.assignments._kernel", "-f",
               "{connection_file}", "--HistoryManager.enabled=False"]


class _GradingSpecs(KernelSpecManager):
    """Kernel specs where "python3" is the grading kernel."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != "python3":
            return super().get_kernel_spec(kernel_name)
        return KernelSpec(argv=KERNEL_ARGV, name=kernel_name, language="python",
                          display_name="Python 3 (coursekit grading)")


class GradingKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, starting "python3" as :data:`KERNEL_ARGV`."""

    @default("kernel_spec_manager")
    def _grading_specs(self) -> KernelSpecManager:
        return _GradingSpecs(data_dir=self.data_dir)


def _read_new(log: Path, offset: int) -> tuple[list[list[Any]], int]:
    """``[item id, encoded answer]`` pairs appended to ``log`` since ``offset``."""
    if not log.exists():
        return [], offset
    with open(log, "rb") as handle:
        handle.seek(offset)
        data = handle.read(MAX_RECORD_BYTES)
        end = handle.seek(0, os.SEEK_END)
    records = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
            records.append([str(entry["id"]), entry["answer"]])
        except (ValueError, KeyError, TypeError, RecursionError):
            continue  # the student wrote to the log: ignore what we cannot read
    return records, end


def _first_error(cell: NotebookNode) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename')}: {str(output.get('evalue'))[:500]}"
    return None


def execute(nb: NotebookNode, workdir: Path, log: Path, timeout: int,
            report: Callable[[dict[str, Any]], None], kernel_name: str = "python3") -> None:
    """Run every code cell of ``nb`` (a copy) in ``workdir``; after each cell call ``report``
    with ``{"cells": {index: {"records": [...], "error": ...}}, "stopped": reason|None}``.

    Errors do not stop the run. A cell that runs over ``timeout`` seconds stops it: the
    kernel is killed (code that ignores interrupts cannot cost every later cell a timeout)
    and the remaining cells are reported as not run; so are those after a kernel death.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = copy.deepcopy(nb)
    cells: dict[str, dict[str, Any]] = {}
    state: dict[str, Any] = {"cells": cells, "stopped": None}
    os.environ[GRADE_LOG_ENV] = str(log)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            interrupt_on_timeout=False, shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(workdir)}},
                            kernel_manager_class=GradingKernelManager)
    offset = 0
    # nbclient stores each executed cell at its index: the preamble gets a slot of its own.
    nb.cells.insert(0, new_code_cell(PREAMBLE))
    with client.setup_kernel(env=dict(os.environ)):
        client.timeout = max(timeout, PREAMBLE_TIMEOUT)
        client.execute_cell(nb.cells[0], 0, store_history=False)
        client.timeout = timeout
        if _first_error(nb.cells[0]):
            raise RunError("the grading kernel could not load coursekit: "
                               f"{_first_error(nb.cells[0])}")
        code = [i for i, c in enumerate(nb.cells[1:]) if c.cell_type == "code"]
        for index in code:
            cell = nb.cells[index + 1]
            error = None
            try:
                client.execute_cell(cell, index + 1)
            except CellTimeoutError:
                error = f"timed out: the cell ran over the {timeout} s limit"
                state["stopped"] = f"an earlier cell (cell {index}) timed out"
            except DeadKernelError:
                error = "the kernel died while running this cell"
                state["stopped"] = f"the kernel died in an earlier cell (cell {index})"
            records, offset = _read_new(log, offset)
            cells[str(index)] = {"records": records, "error": error or _first_error(cell)}
            cell.outputs = []  # only the answers and the first error leave the sandbox
            if state["stopped"]:
                for later in code[code.index(index) + 1:]:
                    cells[str(later)] = {"records": [], "error": f"not run: {state['stopped']}"}
            report(state)
            if state["stopped"]:
                break  # leaving the block kills the kernel (shutdown_kernel="immediate")
    state["done"] = True
    report(state)
