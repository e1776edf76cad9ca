"""The book's skeleton: configuration, table of contents, notebooks in git, packaging."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib
import yaml
from _support import coursekit_wheel

REPO = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
TOC = yaml.safe_load((REPO / "_toc.yml").read_text())
CHAPTERS = sorted((REPO / "chapters").glob("*.ipynb"))


def toc_files(node: object) -> list[str]:
    """Every ``file:`` entry of the table of contents, in order."""
    found: list[str] = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(node["file"])
        if "root" in node:
            found.append(node["root"])
        for value in node.values():
            found.extend(toc_files(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(toc_files(item))
    return found


def test_every_toc_entry_exists():
    missing = [f for f in toc_files(TOC)
               if not any((REPO / f"{f}{ext}").exists() for ext in (".md", ".ipynb"))]
    assert missing == []


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(toc_files(TOC))
    assert CHAPTERS, "no chapter notebooks found"
    assert [c.name for c in CHAPTERS if f"chapters/{c.stem}" not in listed] == []


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_stored_without_outputs(notebook: Path):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    dirty = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], f"{notebook.name}: cells {dirty} have outputs; clear them before committing"
    assert "widgets" not in nb["metadata"], f"{notebook.name}: saved widget state in metadata"


def test_execution_is_cached_and_strict():
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "cache"
    assert execute["allow_errors"] is False
    assert CONFIG["only_build_toc_files"] is True


def test_launch_buttons_follow_the_repository_setting():
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    buttons = CONFIG["launch_buttons"]
    assert buttons["binderhub_url"] == "https://mybinder.org"
    assert buttons["colab_url"] == "https://colab.research.google.com"


def test_static_book_prefers_html_over_widget_views():
    overrides = CONFIG["sphinx"]["config"]["nb_mime_priority_overrides"]
    assert ["html", "application/vnd.jupyter.widget-view+json", 35] in overrides


def test_binder_uses_the_pinned_requirements():
    binder_reqs = (REPO / "binder" / "requirements.txt").read_text()
    assert "-r ../requirements.txt" in binder_reqs
    assert "pip install" in (REPO / "binder" / "postBuild").read_text()
    pins = [line for line in (REPO / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins), "requirements.txt must pin every package"
    names = {line.split("==")[0].lower() for line in pins}
    assert {"jupyter-book", "pandas", "ipywidgets", "folium", "nbval"} <= names


def test_import_coursekit_is_light():
    code = ("import sys, coursekit; heavy = {'folium', 'frictionless', 'matplotlib', 'jupyter_book'}"
            "; print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_kernels_skip_the_iri_grammar_of_jsonschema():
    """After ``import coursekit``, jsonschema loads without building rfc3987_syntax's grammars
    (2 s of CPU per kernel) and still validates, formats included (coursekit/__init__.py)."""
    code = ("import sys, coursekit, jsonschema; "
            "v = jsonschema.Draft7Validator({'format': 'email'}, format_checker=jsonschema.FormatChecker()); "
            "print(sys.modules.get('rfc3987_syntax', 'absent'), v.is_valid('a@b.c'), v.is_valid('nope'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "True", "False"]


def test_validate_says_how_to_get_frictionless(monkeypatch):
    """frictionless is an optional dependency (extra 'check'); without it data.validate() says
    how to install it instead of failing with a bare ModuleNotFoundError."""
    from coursekit import data

    monkeypatch.setitem(sys.modules, "frictionless", None)  # as if it were not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'coursekit\[check\]'"):
        data.validate()
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("frictionless") for req in extras["check"])


@pytest.mark.slow
def test_wheel_carries_package_data(tmp_path_factory: pytest.TempPathFactory):
    wheel = coursekit_wheel(tmp_path_factory)
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"coursekit/_data/datapackage.json", "coursekit/_seeds/records.yml",
                "coursekit/__init__.py"}
    # seeds: the quoted passages, and full texts only of openly licensed sources (test_licensing)
    expected |= {"coursekit/_seeds/quoted.json", "coursekit/_seeds/rashidov-2005.txt"}
    expected |= {f"coursekit/_quizzes/{p.name}" for p in (REPO / "chapters/quizzes").glob("*.yml")}
    expected |= {f"coursekit/{p.relative_to(REPO / 'src/coursekit')}"
                 for p in (REPO / "src/coursekit").rglob("*") if p.suffix in {".js", ".css", ".json", ".j2"}}
    assert expected - names == set()
