"""Inside the sandbox: run one notebook and write what its cells recorded as plain JSON.

``python -m coursekit.assignments._runner --result-fd FD --timeout S [--uid N] ...`` with the
notebook on stdin.

The whole nbclient run (client and kernel) happens here, so the kernel's ZMQ sockets stay on
the sandbox's own loopback. When started as root inside the sandbox, the runner first caps the
number of processes (``RLIMIT_NPROC``), sets ``no_new_privs`` and becomes the unprivileged
``--uid`` (root is exempt from ``RLIMIT_NPROC``, and would hold capabilities). After every
cell the whole state goes out as one JSON line on the result pipe (a descriptor the kernel
does not inherit), so a notebook killed at its wall-clock limit still hands back what ran
before. The grader reads it size-capped and trusts nothing in it but answers: scoring happens
outside.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "main"]

FORMAT = 1
_PR_SET_NO_NEW_PRIVS = 38


def _drop_privileges(uid: int | None, max_procs: int) -> None:
    """Cap processes and, when root, become ``uid`` with no way back (no_new_privs)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if os.getuid() == 0 and uid:
        resource.setrlimit(resource.RLIMIT_NPROC, (max_procs, max_procs))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise OSError("could not leave root inside the sandbox")
    else:
        # Not root: RLIMIT_NPROC counts every process of this user, so allow what runs now.
        mine = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit()
                   and _owner(p) == os.getuid())
        limit = mine + max_procs
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))


def _owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


def _writer(fd: int) -> Any:
    """After each cell: the whole state as one JSON line on the result pipe."""
    pipe = os.fdopen(fd, "wb", buffering=0)

    def report(state: dict[str, Any]) -> None:
        line = json.dumps({"format": FORMAT, **state}, ensure_ascii=False, allow_nan=False)
        pipe.write(line.encode("utf-8") + b"\n")
        report.last = json.loads(line)  # type: ignore[attr-defined]
    report.last = {"cells": {}}  # type: ignore[attr-defined]
    return report


def _limit(kind: int, value: int) -> None:
    resource.setrlimit(kind, (value, value))


def main(argv: list[str] | None = None) -> int:
    """Read the notebook on stdin and run it; exit 0 when it ran to the end."""
    parser = argparse.ArgumentParser(prog="coursekit.assignments._runner")
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--timeout", type=int, required=True)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    parser.add_argument("--uid", type=int)
    parser.add_argument("--max-procs", type=int, default=64)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--max-file-mb", type=int, default=64)
    args = parser.parse_args(argv)
    os.set_inheritable(args.result_fd, False)  # the kernel and its children never get it
    report = _writer(args.result_fd)
    notebook = sys.stdin.buffer.read()
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_AS, args.memory_mb << 20)
    _limit(resource.RLIMIT_FSIZE, args.max_file_mb << 20)
    _drop_privileges(args.uid, args.max_procs)
    for name in ("home", "work"):
        (args.workdir / name).mkdir(exist_ok=True)
    os.chdir(args.workdir / "work")

    import nbformat

    from ._execute import execute

    try:
        nb = nbformat.reads(notebook.decode("utf-8"), as_version=4)
        execute(nb, args.workdir / "work", args.workdir / "answers.jsonl", args.timeout,
                report)
    except Exception as exc:  # reported to the grader as this notebook's error
        last = {k: v for k, v in report.last.items() if k in ("cells",)}
        report({**last, "stopped": f"the run stopped: {type(exc).__name__}: "
                                   f"{str(exc)[:300]}"})
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
