"""Prove that Binder's configuration is enough: build a fresh virtual environment only from the
files in ``binder/`` (as repo2docker does), then execute every chapter notebook in it.

Each notebook is copied alone into an empty folder first, as Colab or a downloaded notebook
would see it, so a chapter that reads ``../data`` or any repository file fails here.

Usage: ``python scripts/binder_check.py [--keep]`` (also ``make binder-check``).
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

REPO = Path(__file__).resolve().parent.parent
# Put first in a ``python -c`` script that imports jsonschema (through nbformat or nbval) before
# coursekit could: as coursekit/__init__.py does, it spares the 2 s rfc3987_syntax grammars that
# only jsonschema's "iri" format checks use, and no notebook or schema here needs.
NO_IRI_GRAMMARS = "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
# Runs inside the fresh environment: execute one notebook top to bottom in a clean kernel.
_EXECUTE = (
    NO_IRI_GRAMMARS +
    "import nbformat, nbclient; nb = nbformat.read(sys.argv[1], as_version=4); "
    "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3').execute()"
)


def run(cmd: list[str], **kwargs) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def _ensurepip_wheels() -> list[Path]:
    """The wheels that ``ensurepip`` bundles (pip; setuptools too before Python 3.12), which
    ``python -m venv`` installs into every new environment; none where a distribution keeps them
    elsewhere (Debian), and the caller then lets ``venv`` install them itself."""
    import ensurepip

    return sorted((Path(ensurepip.__file__).parent / "_bundled").glob("*.whl"))


def build_env(work: Path) -> tuple[Path, dict[str, str]]:
    """Make ``work/env`` as repo2docker would, from the files in ``binder/`` only: the pinned
    requirements, then ``postBuild`` in a copy of the repository, which is deleted afterwards.

    Returns the environment's Python and the process environment to run it with. The requirements
    are installed by uv (pinned in requirements.txt), from its cache: the same versions pip would
    install, in seconds instead of minutes; ``postBuild`` runs as written (with pip).
    """
    repo_copy = work / "repo"
    shutil.copytree(REPO, repo_copy, ignore=shutil.ignore_patterns(
        ".venv", "_build", ".git", "node_modules", "__pycache__", "*.egg-info"))
    venv = work / "env"
    python = venv / "bin" / "python"
    wheels = _ensurepip_wheels()
    if wheels:  # the same wheels `python -m venv` would install, unpacked by uv: ~0.3 s of CPU, not ~7 s
        run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--offline", "--no-deps",
             "--python", str(python), *map(str, wheels)])
    else:
        run([sys.executable, "-m", "venv", str(venv)])
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    # uv, unlike repo2docker's pip, compiles no bytecode: the first process to import a module
    # writes it (cheaper than compiling all ~8,000), unless PYTHONDONTWRITEBYTECODE forbids it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
         "-r", "binder/requirements.txt"], cwd=repo_copy, env=env)
    run(["bash", "binder/postBuild"], cwd=repo_copy, env=env)
    # Only the installed package may be used from now on: remove the source tree.
    shutil.rmtree(repo_copy)
    return python, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary environment")
    args = parser.parse_args(argv)

    runtime = (REPO / "binder" / "runtime.txt").read_text().strip()
    wanted = runtime.removeprefix("python-")
    have = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted != have:
        print(f"note: binder/runtime.txt asks for Python {wanted}; checking with {have}")

    work = Path(tempfile.mkdtemp(prefix="binder-check-"))
    start = time.perf_counter()
    try:
        chapters = sorted((REPO / "chapters").glob("*.ipynb"))
        alone = work / "alone"
        alone.mkdir()
        for nb in chapters:
            shutil.copy2(nb, alone / nb.name)
        python, env = build_env(work)
        failures = []
        for nb in sorted(alone.glob("*.ipynb")):
            result = subprocess.run([str(python), "-c", _EXECUTE, nb.name],
                                    cwd=alone, env=env, capture_output=True, text=True)
            status = "ok" if result.returncode == 0 else "FAILED"
            print(f"{status:6} {nb.name}", flush=True)
            if result.returncode:
                failures.append(nb.name)
                print(result.stderr[-3000:])
        print(f"binder check: {len(chapters) - len(failures)}/{len(chapters)} chapters ran "
              f"in a fresh Binder-like environment ({time.perf_counter() - start:.0f} s)")
        return 1 if failures or not chapters else 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
