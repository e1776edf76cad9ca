"""Put the course's notebooks into their canonical state, so that they read well outside the book.

One idempotent pass over ``chapters/*.ipynb`` and ``reference/timeline.ipynb``:

1. **Install cell.** The first code cell installs coursekit when it is missing (Colab, a bare
   Jupyter) and does nothing where it is installed (the book's environment, Binder). It pins the
   package to this book's version: ``coursekit @ git+<repository.url>@v<version>`` (``_config.yml``
   and ``pyproject.toml``), so a release must be tagged ``v<version>``. The book hides the cell
   (``remove-cell``); ``COURSEKIT_REQUIREMENT`` overrides the requirement (``scripts/colab_check.py``
   points it at a local wheel).
2. **Collapsed code.** Cells the book shows without their code (``remove-input``, ``hide-input``,
   ``remove-cell``: excerpts, the quiz, charts) get ``jupyter.source_hidden`` so that JupyterLab and
   Notebook 7 show only their output; a solution's code cell also gets ``jupyter.outputs_hidden``.
3. **Colon fences.** Directive blocks in Markdown cells use ``:::{name}`` rather than
   ```` ```{name} ````: the book (``colon_fence``) and jupyterlab-myst render both alike, but where
   MyST is not rendered (Colab, GitHub) a backtick fence turns an exercise into a grey code block,
   while a colon fence leaves one marker line and the exercise text as ordinary Markdown.

Files are written only when they change, in nbformat's own layout (sorted keys, one-space indent).

Usage: ``python scripts/notebook_conventions.py`` (rewrite) or ``--check`` (exit 1, naming each
notebook and cell that is not canonical; ``tests/test_notebook_conventions.py`` runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import tomllib
import yaml

from coursekit.assignments._markdown import directives

REPO = Path(__file__).resolve().parent.parent
INSTALL_CELL_ID = "coursekit-install"
HIDDEN_CODE_TAGS = {"remove-input", "hide-input", "remove-cell"}

INSTALL_TEMPLATE = """\
# Colab or a bare Jupyter: install coursekit, the course's package, at this book's version.
# Where coursekit is already installed (the book's environment, Binder) this does nothing.
import importlib
import importlib.util
import os
import subprocess
import sys

REQUIREMENT = "{requirement}"
if importlib.util.find_spec("coursekit") is None:
    requirement = os.environ.get("COURSEKIT_REQUIREMENT", REQUIREMENT)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement], check=True)
    importlib.invalidate_caches()"""


def notebooks(repo: Path = REPO) -> list[Path]:
    """The notebooks these conventions apply to."""
    return [*sorted((repo / "chapters").glob("*.ipynb")), repo / "reference" / "timeline.ipynb"]


def requirement(repo: Path = REPO) -> str:
    """The pip requirement that installs this book's coursekit without a checkout."""
    version = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    config = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    url = str(config.get("repository", {}).get("url", "")).rstrip("/")
    if not url.startswith("https://"):
        raise ValueError(f"_config.yml: repository.url must be an https URL, got {url!r}")
    return f"coursekit @ git+{url}@v{version}"


def install_source(repo: Path = REPO) -> str:
    """Source of the install cell."""
    return INSTALL_TEMPLATE.replace("{requirement}", requirement(repo))


def _lines(text: str) -> list[str]:
    """``text`` as nbformat stores a source: lines keeping their newline, the last without."""
    return text.splitlines(keepends=True)


def colon_fences(text: str) -> str:
    """``text`` with every directive block fenced by colons (outer blocks by more of them)."""
    lines = text.split("\n")
    found = directives(text)
    for block in found:
        inner = [d for d in found if block.start < d.start < block.end]
        depth = 0
        for d in inner:
            depth = max(depth, 1 + sum(1 for o in inner if o.start < d.start < o.end))
        fence = ":" * (3 + depth)
        opening = lines[block.start]
        stripped = opening.lstrip(" ")
        indent = opening[: len(opening) - len(stripped)]
        marker = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
        lines[block.start] = indent + fence + stripped[len(marker):]
        last = block.end - 1
        if last > block.start and set(lines[last].strip()) == {marker[0]}:
            lines[last] = lines[last][: len(lines[last]) - len(lines[last].lstrip())] + fence
    return "\n".join(lines)


def _install_cell(repo: Path) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": INSTALL_CELL_ID,
        "metadata": {"tags": ["remove-cell"]},
        "outputs": [],
        "source": _lines(install_source(repo)),
    }


def canonical(nb: dict, repo: Path = REPO) -> dict:
    """A canonical copy of the notebook ``nb`` (a JSON dict); ``nb`` itself is not changed."""
    nb = json.loads(json.dumps(nb))
    cells = [c for c in nb["cells"] if c.get("id") != INSTALL_CELL_ID]
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))
    cells.insert(first_code, _install_cell(repo))
    for cell in cells:
        meta = cell["metadata"]
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            fenced = colon_fences(source)
            if fenced != source:
                cell["source"] = _lines(fenced)
            continue
        if cell["cell_type"] != "code" or cell.get("id") == INSTALL_CELL_ID:
            continue
        tags = set(meta.get("tags", []))
        jupyter = dict(meta.get("jupyter", {}))
        if tags & HIDDEN_CODE_TAGS:
            jupyter["source_hidden"] = True
        if meta.get("coursekit", {}).get("role") == "solution":
            jupyter["source_hidden"] = True
            jupyter["outputs_hidden"] = True
        if jupyter:
            meta["jupyter"] = jupyter
    nb["cells"] = cells
    return nb


def dumps(nb: dict) -> str:
    """The notebook as nbformat writes it."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.replace(tmp, path)


def differences(before: dict, after: dict) -> list[str]:
    """Human-readable reasons why ``before`` is not ``after``: one per differing cell."""
    old = {c.get("id"): c for c in before["cells"]}
    reasons = []
    for cell in after["cells"]:
        cid = cell.get("id")
        if cid not in old:
            reasons.append(f"cell {cid}: missing (the install cell comes before the first code cell)")
        elif old[cid] != cell:
            what = "source" if old[cid]["source"] != cell["source"] else "metadata"
            reasons.append(f"cell {cid}: {what} not canonical")
    if not reasons:
        reasons.append("cell order or notebook metadata not canonical")
    return reasons


def run(paths: list[Path], check: bool, repo: Path = REPO) -> int:
    """Rewrite (or with ``check`` only report) each notebook; return the number not canonical."""
    stale = 0
    for path in paths:
        raw = path.read_text(encoding="utf-8")
        try:
            nb = json.loads(raw)
        except json.JSONDecodeError as error:
            raise SystemExit(f"{path}: line {error.lineno}: not valid JSON ({error.msg})") from error
        text = dumps(canonical(nb, repo))
        if text == raw:
            continue
        stale += 1
        name = path.relative_to(repo) if path.is_relative_to(repo) else path
        if check:
            for reason in differences(nb, json.loads(text)):
                print(f"{name}: {reason}", file=sys.stderr)
        else:
            _write(path, text)
            print(f"updated {name}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not rewrite; exit 1 if stale")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="notebooks (default: every chapter and the timeline)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or notebooks()
    stale = run(paths, args.check)
    if args.check and stale:
        print(f"{stale} notebook(s) not canonical: run 'python scripts/notebook_conventions.py'",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
