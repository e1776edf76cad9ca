"""The notebooks are in the canonical state of ``scripts/notebook_conventions.py``, and the script
puts a notebook there (install cell, collapsed code, folded solution code, colon fences) without
touching anything else; the Colab-like check runs every chapter from a wheel alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _support import REPO, coursekit_wheel

sys.path.insert(0, str(REPO / "scripts"))
import notebook_conventions as nc

from coursekit.assignments._markdown import directives

SCRIPT = REPO / "scripts" / "notebook_conventions.py"
CHAPTER = REPO / "chapters" / "01-after-the-union.ipynb"


def _check(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--check", *map(str, paths)],
                          capture_output=True, text=True)


def test_every_notebook_is_canonical():
    result = _check()
    assert result.returncode == 0, result.stderr


def _legacy(nb: dict) -> dict:
    """``nb`` as it was before the conventions: no install cell, no jupyter metadata, backticks."""
    nb = json.loads(json.dumps(nb))
    nb["cells"] = [c for c in nb["cells"] if c.get("id") != nc.INSTALL_CELL_ID]
    for cell in nb["cells"]:
        cell["metadata"].pop("jupyter", None)
        # a directive holding a ```python block (a data task's scaffold) had no backtick
        # form with three backticks, so it stays as it is
        if cell["cell_type"] == "markdown" and "```" not in "".join(cell["source"]):
            cell["source"] = [line.replace(":::", "```") for line in cell["source"]]
    return nb


def test_check_names_each_stale_cell_and_rewrite_fixes_it(tmp_path):
    canonical_text = CHAPTER.read_text(encoding="utf-8")
    stale = tmp_path / CHAPTER.name
    stale.write_text(nc.dumps(_legacy(json.loads(canonical_text))), encoding="utf-8")

    result = _check(stale)
    assert result.returncode == 1
    assert f"cell {nc.INSTALL_CELL_ID}: missing" in result.stderr
    assert "cell c005: metadata not canonical" in result.stderr  # an excerpt
    assert "cell c014: source not canonical" in result.stderr  # an exercise's fence

    subprocess.run([sys.executable, str(SCRIPT), str(stale)], check=True, capture_output=True)
    assert stale.read_text(encoding="utf-8") == canonical_text  # byte for byte, nbformat's layout
    before = stale.stat().st_mtime_ns
    again = subprocess.run([sys.executable, str(SCRIPT), str(stale)], check=True,
                           capture_output=True, text=True)
    assert again.stdout == "" and stale.stat().st_mtime_ns == before  # idempotent: not rewritten


def test_metadata_and_install_cell_of_a_chapter():
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code[0]["id"] == nc.INSTALL_CELL_ID and code[0]["metadata"]["tags"] == ["remove-cell"]
    assert "import coursekit" in "".join(code[1]["source"])
    for cell in code[1:]:
        tags = set(cell["metadata"].get("tags", []))
        hidden = cell["metadata"].get("jupyter", {})
        assert hidden.get("source_hidden", False) == bool(tags & nc.HIDDEN_CODE_TAGS
                                                         or "solution" in tags), cell["id"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            assert all(not line.startswith("```{") for line in cell["source"]), cell["id"]


def test_excerpt_cells_keep_their_source_when_another_branch_changed_it(tmp_path):
    """The lead re-runs the script after merging: a changed quotation survives untouched."""
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    excerpt = next(c for c in nb["cells"] if "".join(c["source"]).startswith("ck.excerpt("))
    excerpt["source"] = ['ck.excerpt("rashidov-2005", "a shorter passage")']
    excerpt["metadata"].pop("jupyter")
    fixed = nc.canonical(nb)
    again = next(c for c in fixed["cells"] if c["id"] == excerpt["id"])
    assert again["source"] == excerpt["source"]
    assert again["metadata"]["jupyter"] == {"source_hidden": True}


def test_colon_fences_nest_and_leave_code_blocks_alone():
    text = ("Intro.\n\n````{exercise} Outer\n:label: x\n\n```{note}\nInner.\n```\n\n"
            "```python\nprint(1)\n```\n````\nAfter.")
    fenced = nc.colon_fences(text)
    assert fenced.splitlines()[2] == "::::{exercise} Outer"
    assert ":::{note}" in fenced and "```python\nprint(1)\n```" in fenced
    assert fenced.rstrip().endswith("::::\nAfter.")
    assert [d.name for d in directives(fenced)] == ["exercise", "note"]
    assert nc.colon_fences(fenced) == fenced


def test_install_cell_follows_config_and_version(tmp_path):
    for name in ("pyproject.toml", "_config.yml"):
        shutil.copy2(REPO / name, tmp_path / name)
    config = tmp_path / "_config.yml"
    config.write_text(config.read_text().replace(
        "https://github.com/russia-in-central-asia/course", "https://github.com/someone/fork"))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "2.3.4"', 1))
    assert nc.requirement(tmp_path) == "coursekit @ git+https://github.com/someone/fork@v2.3.4"
    source = nc.install_source(tmp_path)
    assert 'REQUIREMENT = "coursekit @ git+https://github.com/someone/fork@v2.3.4"' in source

    config.write_text(config.read_text().replace("https://github.com/someone/fork", "git@github.com:x/y"))
    with pytest.raises(ValueError, match=r"_config.yml: repository.url must be an https URL"):
        nc.requirement(tmp_path)


def test_install_cell_is_a_no_op_where_coursekit_is_installed(tmp_path):
    probe = tmp_path / "pip-called"
    env_code = (f"import subprocess\norig = subprocess.run\n"
                f"def run(*a, **k):\n    open({str(probe)!r}, 'w').close()\n    return orig(*a, **k)\n"
                f"subprocess.run = run\n")
    subprocess.run([sys.executable, "-c", env_code + nc.install_source()], check=True, cwd=tmp_path)
    assert not probe.exists()


def test_invalid_json_names_the_file_and_line(tmp_path):
    bad = tmp_path / "broken.ipynb"
    bad.write_text('{\n "cells": [\n', encoding="utf-8")
    result = _check(bad)
    assert result.returncode != 0
    assert "broken.ipynb: line 3: not valid JSON" in result.stderr


@pytest.mark.slow
def test_colab_like_environment_runs_every_notebook(tmp_path_factory: pytest.TempPathFactory):
    """A fresh venv with only a notebook runtime; each notebook alone, validated by nbval in a
    kernel of that venv; its install cell adds coursekit from the session's wheel of this
    checkout (scripts/colab_check.py). This is the suite's nbval run of the chapters."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "colab_check.py"),
                             "--wheel", str(coursekit_wheel(tmp_path_factory))],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"{len(nc.notebooks())}/{len(nc.notebooks())} notebooks ran" in result.stdout


def test_colab_check_counts_a_notebook_with_a_failed_or_no_cell_as_failed(tmp_path: Path):
    """nbval's report, read per notebook: one failed cell fails its notebook; a notebook with no
    cell in the report (nbval never reached it) fails too; the others ran."""
    from colab_check import _notebook_results

    copies = [tmp_path / stem / f"{stem}.ipynb" for stem in ("00-a", "01-b", "02-c")]
    report = tmp_path / "nbval.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="00-a.00-a.ipynb" name="Cell 0"/>'
        '<testcase classname="01-b.01-b.ipynb" name="Cell 0"/>'
        '<testcase classname="01-b.01-b.ipynb" name="Cell 1"><failure message="x"/></testcase>'
        '</testsuite></testsuites>', encoding="utf-8")
    assert _notebook_results(report, copies) == (1, ["01-b.ipynb", "02-c.ipynb"])
    assert _notebook_results(tmp_path / "missing.xml", copies) == (0, [c.name for c in copies])


def test_binder_installs_the_environment_the_lab_test_uses():
    """Binder's requirements are the pinned set, which pins the JupyterLab renderer that
    tests/test_notebooks_lab.py runs with (this environment is made from the same file)."""
    from importlib.metadata import version

    lines = [ln.strip() for ln in (REPO / "binder" / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert lines == ["-r ../requirements.txt"]
    pins = dict(ln.split("==") for ln in (REPO / "requirements.txt").read_text().splitlines()
                if "==" in ln)
    for package in ("jupyterlab_myst", "jupyterlab", "notebook", "anywidget", "jupyterlab_widgets"):
        assert version(package) == pins[package], package
    assert pins["jupyterlab_myst"] == "2.7.0"
