"""Prove that a chapter runs where nothing of the course is installed (Colab, a bare Jupyter).

A fresh virtual environment gets only a notebook runtime (``ipykernel``, ``nbclient``), as Colab
has; no coursekit and no checkout. The package is built once as a wheel. Each notebook is copied
alone into an empty folder and executed top to bottom: its first code cell (the install cell of
``scripts/notebook_conventions.py``) must install coursekit when it is missing, here from the local
wheel (``COURSEKIT_REQUIREMENT``; in Colab from the tagged git URL), and be a no-op once it is there.

Dependencies are resolved under ``requirements.txt`` as constraints and come from pip's cache, so
the check is repeatable and fast. Usage: ``python scripts/colab_check.py [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from binder_check import _EXECUTE, REPO, run
from notebook_conventions import notebooks

RUNTIME = ["ipykernel", "nbclient", "nbformat"]  # what Colab brings before any cell runs
_FIND = "import importlib.util, sys; s = importlib.util.find_spec('coursekit'); print(s.origin if s else '')"


def _origin(python: Path, cwd: Path, env: dict[str, str]) -> str:
    """Where ``python`` imports coursekit from ('' when it cannot)."""
    return subprocess.run([str(python), "-c", _FIND], cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary environment")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="colab-check-"))
    start = time.perf_counter()
    try:
        wheels = work / "wheels"
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels),
             str(REPO)])
        (wheel,) = wheels.glob("coursekit-*.whl")
        constraints = work / "constraints.txt"
        shutil.copy2(REPO / "requirements.txt", constraints)

        venv = work / "env"
        run([sys.executable, "-m", "venv", str(venv)])
        python = venv / "bin" / "python"
        env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
               "PIP_CONSTRAINT": str(constraints), "COURSEKIT_REQUIREMENT": str(wheel),
               "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        env.pop("PYTHONPATH", None)
        env.pop("VIRTUAL_ENV", None)
        # the runtime by uv (pinned in requirements.txt, fast); the install cell then uses pip, as in Colab
        run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
             "--constraint", str(constraints), *RUNTIME], env=env)

        alone = work / "alone"
        alone.mkdir()
        if _origin(python, alone, env):
            print("FAILED: coursekit is importable before any install cell ran")
            return 1
        failures = []
        paths = notebooks()
        for nb in paths:
            shutil.copy2(nb, alone / nb.name)
            began = time.perf_counter()
            result = subprocess.run([str(python), "-c", _EXECUTE, nb.name],
                                    cwd=alone, env=env, capture_output=True, text=True)
            (alone / nb.name).unlink()
            status = "ok" if result.returncode == 0 else "FAILED"
            print(f"{status:6} {nb.name} ({time.perf_counter() - began:.0f} s)", flush=True)
            if result.returncode:
                failures.append(nb.name)
                print(result.stderr[-3000:])
        origin = _origin(python, alone, env)
        if not origin.startswith(str(venv)):
            print(f"FAILED: coursekit imported from {origin or 'nowhere'}, not from the fresh environment")
            failures.append("install")
        print(f"colab check: {len(paths) - len(failures)}/{len(paths)} notebooks ran in a fresh "
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
