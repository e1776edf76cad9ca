"""Prove that a chapter runs where nothing of the course is installed (Colab, a bare Jupyter).

A fresh virtual environment gets only pip and a notebook runtime (``ipykernel``, ``nbclient``), as
Colab has; no coursekit and no checkout. The package is built once as a wheel (or ``--wheel`` gives
one, as the test suite does). Each notebook is copied alone into its own empty folder and executed
top to bottom in a fresh kernel: its first code cell (the install cell of
``scripts/notebook_conventions.py``) must install coursekit, with its dependencies, when it is
missing, here from the local wheel (``COURSEKIT_REQUIREMENT``; in Colab from the tagged git URL),
and be a no-op once it is there.

Dependencies are resolved by pip under ``requirements.txt`` as constraints, so the check is
repeatable. Usage: ``python scripts/colab_check.py [--keep] [--wheel PATH]``.
"""

from __future__ import annotations

import argparse
import ensurepip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from binder_check import REPO, run
from notebook_conventions import notebooks

RUNTIME = ["ipykernel", "nbclient", "nbformat"]  # what Colab brings before any cell runs
_FIND = "import importlib.util, sys; s = importlib.util.find_spec('coursekit'); print(s.origin if s else '')"
# Runs inside the fresh environment: argv[1] is a JSON list of notebooks (each alone in its own
# folder); each runs top to bottom in a new kernel started in its folder, one after the other.
# One driver process for all of them (its imports cost once); the kernels share nothing.
# Prints a status line per notebook (then any traceback, indented) and exits 1 if any failed.
# (rfc3987_syntax: as in coursekit/__init__.py, jsonschema's 2 s grammar that no notebook needs)
_EXECUTE_EACH = """\
import json, sys, time, traceback
sys.modules.setdefault('rfc3987_syntax', None)
import nbclient, nbformat
failed = 0
for path in json.loads(sys.argv[1]):
    began = time.perf_counter()
    folder, name = path.rsplit('/', 1)
    try:
        nb = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(nb, timeout=600, kernel_name='python3',
                                resources={'metadata': {'path': folder}}).execute()
        status, detail = 'ok', ''
    except Exception:
        failed += 1
        status, detail = 'FAILED', traceback.format_exc()[-3000:]
    print(f'{status:6} {name} ({time.perf_counter() - began:.0f} s)', flush=True)
    if detail:  # indented: only status lines start at the margin
        print(''.join('    ' + line for line in detail.splitlines(True)), flush=True)
sys.exit(1 if failed else 0)
"""


def _origin(python: Path, cwd: Path, env: dict[str, str]) -> str:
    """Where ``python`` imports coursekit from ('' when it cannot)."""
    return subprocess.run([str(python), "-c", _FIND], cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


class _Phases:
    """Prints each phase's wall time and the CPU time of the processes it ran."""

    def __init__(self) -> None:
        self.mark()

    def mark(self) -> None:
        self.wall = time.perf_counter()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = usage.ru_utime + usage.ru_stime

    def done(self, what: str) -> None:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"  [{what}: {time.perf_counter() - self.wall:.1f} s wall, "
              f"{usage.ru_utime + usage.ru_stime - self.cpu:.1f} s CPU]", flush=True)
        self.mark()


def build_wheel(out: Path) -> Path:
    """Build coursekit's wheel into ``out`` with ``uv build`` (hatchling builds the same bytes
    whichever frontend calls it; uv's isolated build environment is much cheaper than pip's)."""
    run([sys.executable, "-m", "uv", "build", "--quiet", "--wheel", "--out-dir", str(out), str(REPO)])
    (wheel,) = out.glob("coursekit-*.whl")
    return wheel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary environment")
    parser.add_argument("--wheel", type=Path, help="coursekit's wheel, already built from this checkout")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="colab-check-"))
    start = time.perf_counter()
    phases = _Phases()
    try:
        wheels = work / "wheels"
        if args.wheel:
            wheels.mkdir()
            wheel = Path(shutil.copy2(args.wheel, wheels / args.wheel.name))
        else:
            wheel = build_wheel(wheels)
            phases.done("wheel")
        constraints = work / "constraints.txt"
        shutil.copy2(REPO / "requirements.txt", constraints)

        venv = work / "env"
        run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        python = venv / "bin" / "python"
        env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
               "PIP_CONSTRAINT": str(constraints), "COURSEKIT_REQUIREMENT": str(wheel),
               "PIP_DISABLE_PIP_VERSION_CHECK": "1",
               # pip compiles no bytecode for the ~3000 modules it installs (half of its CPU here);
               # the first kernel that imports a module writes its bytecode, as a kernel in Colab
               # would. (pip reads this variable as the value of its ``compile`` setting.)
               "PIP_NO_COMPILE": "0"}
        for name in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        # pip (the version `python -m venv` would bring, from ensurepip) and the runtime by uv
        # (pinned in requirements.txt, fast); the install cell then uses that pip, as in Colab
        run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
             "--constraint", str(constraints), f"pip=={ensurepip.version()}", *RUNTIME], env=env)
        phases.done("environment")

        alone = work / "alone"
        alone.mkdir()
        if _origin(python, alone, env):
            print("FAILED: coursekit is importable before any install cell ran")
            return 1
        paths = notebooks()
        copies = []
        for nb in paths:
            folder = alone / nb.stem
            folder.mkdir()
            copies.append(str(shutil.copy2(nb, folder / nb.name)))
        # one notebook at a time, each in a new kernel; the first one's install cell installs
        log = work / "runner-stderr.txt"
        ran, failures = 0, []
        with log.open("w") as stderr, subprocess.Popen(
                [str(python), "-c", _EXECUTE_EACH, json.dumps(copies)], cwd=alone, env=env,
                stdout=subprocess.PIPE, stderr=stderr, text=True) as runner:
            for line in runner.stdout:
                print(line, end="", flush=True)
                if line.startswith("ok "):
                    ran += 1
                elif line.startswith("FAILED "):
                    failures.append(line.split()[1])
        if runner.returncode and not failures:
            failures.append("runner")
            print(f"FAILED: the notebook runner exited with {runner.returncode}")
        if runner.returncode:
            print(log.read_text(errors="replace")[-3000:])
        phases.done("notebooks")
        origin = _origin(python, alone, env)
        if not origin.startswith(str(venv)):
            print(f"FAILED: coursekit imported from {origin or 'nowhere'}, not from the fresh environment")
            failures.append("install")
        print(f"colab check: {ran}/{len(paths)} notebooks ran in a fresh "
              f"environment with only what their install cell added "
              f"({time.perf_counter() - start:.0f} s)")
        return 1 if failures else 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
