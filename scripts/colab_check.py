"""Prove that a chapter runs where nothing of the course is installed (Colab, a bare Jupyter).

A fresh virtual environment gets only pip and a notebook runtime (``ipykernel``, ``nbclient``), as
Colab has; no coursekit and no checkout. The package is built once as a wheel (or ``--wheel`` gives
one, as the test suite does). Each notebook is copied alone into its own empty folder and validated
by nbval (``--nbval-lax``, run from the calling environment) top to bottom in a new kernel of the
fresh environment, started in that folder: its first code cell (the install cell of
``scripts/notebook_conventions.py``) must install coursekit, with its dependencies, when it is
missing, here from the local wheel (``COURSEKIT_REQUIREMENT``; in Colab from the tagged git URL),
and be a no-op once it is there. This is the test suite's nbval run of the chapters: the book build
already executes them in the development environment.

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

from binder_check import NO_IRI_GRAMMARS, REPO, run
from notebook_conventions import notebooks

RUNTIME = ["ipykernel", "nbclient", "nbformat"]  # what Colab brings before any cell runs
_FIND = "import importlib.util, sys; s = importlib.util.find_spec('coursekit'); print(s.origin if s else '')"
# nbval (from this environment) runs the notebooks in kernels of the fresh one: this kernel spec.
KERNEL = "colab-check"
# The nbval run's own configuration (not the repository's pyproject.toml, which is not there).
PYTEST_INI = "[pytest]\naddopts = -p no:cacheprovider\n"


def _origin(python: Path, cwd: Path, env: dict[str, str]) -> str:
    """Where ``python`` imports coursekit from ('' when it cannot)."""
    return subprocess.run([str(python), "-c", _FIND], cwd=cwd, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def _notebook_results(report: Path, copies: list[Path]) -> tuple[int, list[str]]:
    """From nbval's JUnit report: how many notebooks ran every cell, and the names of the others
    (a notebook with no cell in the report did not run)."""
    import xml.etree.ElementTree as ET

    by_class = {f"{c.parent.name}.{c.name}": c.name for c in copies}  # pytest's "folder.file"
    seen: set[str] = set()
    bad: set[str] = set()
    cases = ET.parse(report).iter("testcase") if report.is_file() else ()
    for case in cases:
        name = by_class.get(case.get("classname", ""), case.get("classname", "?"))
        seen.add(name)
        if case.find("failure") is not None or case.find("error") is not None:
            bad.add(name)
    failures = sorted(bad | {c.name for c in copies if c.name not in seen})
    return len(copies) - len(failures), failures


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
        # nbval: each notebook top to bottom in a new kernel of the fresh environment, started in
        # the notebook's own folder, one after the other; the first one's install cell installs
        kernels = work / "jupyter" / "kernels" / KERNEL
        kernels.mkdir(parents=True)
        (kernels / "kernel.json").write_text(json.dumps({
            "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (colab check)", "language": "python"}), encoding="utf-8")
        (alone / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
        report = work / "nbval.xml"
        result = subprocess.run(
            [sys.executable, "-c", NO_IRI_GRAMMARS + "import pytest; sys.exit(pytest.console_main())",
             "--nbval-lax", f"--nbval-kernel-name={KERNEL}",
             "--nbval-kernel-startup-timeout=300", f"--junitxml={report}", "-q", *copies],
            cwd=alone, env={**env, "JUPYTER_PATH": str(work / "jupyter")},
            capture_output=True, text=True)
        ran, failures = _notebook_results(report, [Path(c) for c in copies])
        summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
        print(f"nbval: {summary[0]}", flush=True)
        for name in failures:
            print(f"FAILED {name}")
        if result.returncode or failures:
            print(result.stdout[-6000:], result.stderr[-3000:])
            if not failures:
                failures.append("nbval")
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
