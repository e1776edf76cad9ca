"""No private value of the instructor bank reaches a public artefact.

Every artefact a student can get is scanned: the wheel (``pip install``), the student notebooks
that ``coursekit assign`` writes, the Binder file set (after ``binder/postBuild``), and the
built book (HTML, ``_sources``, downloadable notebooks; marked ``browser``: it needs ``make
book``). Two scans:

- structured: every quiz spec (the JSON a page or widget gets) and every packaged quiz file is
  parsed, and its assessed items must carry no key field at all. This catches short keys
  (``"b"``, ``2``) that a text search cannot tell from ordinary text;
- text: every private string of the bank (``coursekit.quiz.bank.private_strings``) is searched
  for. A short key that the reading itself contains (a reading question's answer is in the
  reading) is no sentinel; explanations, feedback, notes and model solutions always are.

``test_a_planted_leak_is_found`` proves that the scans fail on a leak.
"""

from __future__ import annotations

import contextlib
import functools
import html as htmllib
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _support import CHAPTER_IDS, coursekit_wheel

from coursekit import quiz
from coursekit._yaml import safe_load
from coursekit.assignments import assign
from coursekit.quiz import loader
from coursekit.quiz.bank import sentinels

REPO = Path(__file__).resolve().parent.parent
BANK = REPO / "instructor-bank"
SPEC_RE = re.compile(r'<script type="application/json" class="ck-quiz-spec">(.*?)</script>', re.S)
#: What an assessed item of a quiz spec must not have (the browser gets no key).
SPEC_PRIVATE = frozenset({"key", "explanation", "feedback_right", "feedback_wrong", "reference"})


@dataclass
class Secrets:
    """The repository's bank: entries by quiz, assessed ids, and the public reading."""

    banks: dict[str, dict[str, dict]]
    assessed: set[str]
    reading: str  # chapters, public quiz files and sources
    sources: str  # source texts and datasets only
    #: Phrases of the teaching notes (instructor-bank/notes): misconceptions and marking-guide
    #: elements, which only the instructor edition may show.
    notes: tuple[str, ...] = ()

    def text_leaks(self, text: str) -> list[tuple[str, str]]:
        """As ``find_leaks(text, banks, reading, sources)``, with the sentinels found once."""
        return [(item, secret) for item, secret in self._sentinels if secret in text]

    @functools.cached_property
    def _sentinels(self) -> list[tuple[str, str]]:
        return sentinels(self.banks.values(), public=self.reading, sources=self.sources)


def _notebook_sources(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


@pytest.fixture(scope="module")
def secrets() -> Secrets:
    banks, assessed = {}, set()
    for path in sorted(BANK.glob("ch*.yml")):
        loaded = quiz.load(REPO / "chapters" / "quizzes" / path.name, bank=BANK)
        banks[path.stem] = loaded.private
        assessed |= {i.id for i in [*loaded.questions, *loaded.checks] if i.graded}
    assert sorted(banks) == CHAPTER_IDS and len(assessed) >= 3 * len(CHAPTER_IDS)
    def texts(*folders: str) -> list[str]:
        return [p.read_text(encoding="utf-8") for folder in folders
                for p in sorted((REPO / folder).rglob("*"))
                if p.is_file() and p.suffix in {".txt", ".md", ".csv", ".yml", ".json"}]

    sources = "\n".join(texts("seeds", "data"))
    reading = [_notebook_sources(p) for p in sorted((REPO / "chapters").glob("*.ipynb"))]
    reading += [*texts("chapters/quizzes"), sources]
    public = "\n".join(reading)
    return Secrets(banks, assessed, public, sources, _note_phrases(public))


def _note_phrases(public: str) -> tuple[str, ...]:
    """Sentences of every chapter's teaching notes that no public text contains: the
    misconceptions and the marking guides' elements (plain ones, so that HTML shows them as
    written)."""
    from coursekit.assignments import _notes

    found = []
    for path in sorted((BANK / "notes").glob("ch*.md")):
        notes = _notes.load(path)
        candidates = [*notes.misconceptions,
                      *(e.text for entry in notes.guide.values() for e in entry.elements)]
        found += [c for c in candidates if len(c) >= 30 and not re.search(r"[*_`\[\]<>&]", c)
                  and c not in public]
    assert len(found) >= 8 * 5, "the teaching notes of ch01-ch08 give the scan its phrases"
    return tuple(found)


# ------------------------------------------------------------------------------- the scans
def _spec_problems(spec: object, where: str, secrets: Secrets) -> list[str]:
    """Assessed questions of a quiz spec (and of widget state) must carry no key."""
    problems = []
    if isinstance(spec, dict):
        if isinstance(spec.get("questions"), list):
            for q in spec["questions"]:
                if not isinstance(q, dict) or q.get("id") not in secrets.assessed:
                    continue
                found = SPEC_PRIVATE & set(q)
                found |= {"options.feedback" for o in q.get("options") or [] if "feedback" in o}
                found |= {"items.match" for i in q.get("items") or [] if "match" in i}
                if found or q.get("graded") is not True:
                    problems.append(f"{where}: assessed {q['id']} in a quiz spec with "
                                    f"{sorted(found) or 'graded not true'}")
        for value in spec.values():
            problems += _spec_problems(value, where, secrets)
    elif isinstance(spec, list):
        for value in spec:
            problems += _spec_problems(value, where, secrets)
    return problems


def _html_problems(text: str, where: str, secrets: Secrets) -> list[str]:
    problems = []
    for match in SPEC_RE.finditer(text):
        try:
            spec = json.loads(match.group(1))
        except json.JSONDecodeError:  # the template in render.py itself; text is scanned anyway
            continue
        problems += _spec_problems(spec, where, secrets)
    return problems


def _quiz_file_problems(text: str, where: str, secrets: Secrets) -> list[str]:
    """A packaged or published quiz file: its assessed items have no private field."""
    data = safe_load(text)
    if not isinstance(data, dict):
        return []
    forbidden = loader.private_fields() | loader._forbidden()
    problems = []
    for entry in [*(data.get("questions") or []), *(data.get("checks") or [])]:
        if not isinstance(entry, dict) or entry.get("id") not in secrets.assessed:
            continue
        nested = [k for part in ("options", "items") for sub in entry.get(part) or []
                  if isinstance(sub, dict) for k in sub if k in ("feedback", "match")]
        found = sorted({*(set(entry) & forbidden), *nested})
        if found or entry.get("graded") is not True:
            problems.append(f"{where}: assessed {entry['id']} with {found or 'graded not true'}")
    return problems


def _file_problems(name: str, data: bytes, secrets: Secrets) -> list[str]:
    """Every problem of one file of an artefact (``name`` is its path inside the artefact)."""
    if Path(name).parts[0] == "instructor-bank":
        return [f"{name}: a file of the instructor bank"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []  # images, fonts: no text to leak
    # the text as stored, with HTML entities decoded, and the strings inside JSON (a notebook
    # stores `"` as `\"`, and non-ASCII as `\u...`)
    views = [text, htmllib.unescape(text)]
    if name.endswith((".ipynb", ".json")):
        with contextlib.suppress(json.JSONDecodeError):
            views.append("\n".join(_strings(json.loads(text))))
    leaks = {leak for view in views for leak in secrets.text_leaks(view)}
    problems = [f"{name}: private text of {item} (instructor bank): {secret!r:.70}"
                for item, secret in sorted(leaks)]
    problems += [f"{name}: a teaching note (instructor-bank/notes): {phrase!r:.70}"
                 for phrase in secrets.notes if any(phrase in view for view in views)]
    problems += _html_problems(text, name, secrets)
    if name.endswith(".ipynb"):
        try:
            nb = json.loads(text)
        except json.JSONDecodeError:
            nb = {}
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []):
                html = output.get("data", {}).get("text/html", "")
                problems += _html_problems("".join(html), name, secrets)
        problems += _spec_problems(nb.get("metadata", {}).get("widgets", {}), name, secrets)
    if re.search(r"(^|/)(_?quizzes)/[^/]+\.ya?ml$", name):
        problems += _quiz_file_problems(text, name, secrets)
    return problems


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list) and node and all(isinstance(v, str) for v in node):
        return ["".join(node), *node]  # a notebook's multi-line source or output
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _tree(root: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.read_bytes()


def scan(files: Iterator[tuple[str, bytes]], secrets: Secrets) -> tuple[list[str], int]:
    """``(problems, number of files scanned)``."""
    problems, count = [], 0
    for name, data in files:
        problems += _file_problems(name, data, secrets)
        count += 1
    return problems, count


# ------------------------------------------------------------------------- the artefacts
@pytest.mark.slow
def test_the_wheel_holds_no_private_value(secrets: Secrets,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    wheel = coursekit_wheel(tmp_path_factory)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        problems, count = scan(((n, archive.read(n)) for n in names), secrets)
    assert "coursekit/_quizzes/ch01.yml" in names  # the public quizzes do ship
    assert "coursekit/quiz/bank-schema.json" in names
    assert not [n for n in names if "instructor-bank" in n or "/bank/" in n]
    assert count > 50 and problems == []


def test_student_notebooks_hold_no_private_value(secrets: Secrets, tmp_path: Path) -> None:
    chapters = CHAPTER_IDS
    manifest = assign(tmp_path / "all", chapters=chapters, book=REPO, bank=BANK)
    assert {i["id"] for i in manifest["items"] if i["assessed"]} == secrets.assessed
    assign(tmp_path / "split", chapters=chapters, book=REPO, bank=BANK, per_chapter=True)
    students = [(p.relative_to(tmp_path).as_posix(), p.read_bytes())
                for folder in ("all", "split") for p in sorted((tmp_path / folder).glob("*.ipynb"))]
    assert len(students) == len(chapters) + 1
    problems, _ = scan(iter(students), secrets)
    assert problems == []
    # the instructor's half does hold the bank, and the scan sees it there
    instructor, _ = scan(_tree(tmp_path / "all" / "instructor"), secrets)
    assert any("instructor-bank" in p or "private text" in p for p in instructor)


def test_the_binder_file_set_holds_no_private_value(secrets: Secrets, tmp_path: Path) -> None:
    """What Binder builds from: the repository's files, after ``binder/postBuild`` ran (its
    ``pip install .`` is replaced by a stub; the wheel is scanned above)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True, text=True).stdout
    home = tmp_path / "home"
    for rel in listed.splitlines():
        if (REPO / rel).is_file():
            (home / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, home / rel)
    assert (home / "instructor-bank" / "ch01.yml").exists()  # the checkout has it...
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "python").write_text("#!/bin/sh\necho \"$@\" > \"$HOME/pip-args\"\n")
    (stub / "python").chmod(0o755)
    env = {**os.environ, "PATH": f"{stub}{os.pathsep}{os.environ['PATH']}", "HOME": str(home)}
    subprocess.run(["bash", str(home / "binder" / "postBuild")], cwd=home, env=env, check=True,
                   timeout=60)
    assert (home / "pip-args").read_text().split()[:3] == ["-m", "pip", "install"]
    assert not (home / "instructor-bank").exists()  # ...the image does not
    problems, count = scan(_tree(home), secrets)
    assert count > 100 and problems == []


@pytest.mark.browser
def test_the_built_book_holds_no_private_value(secrets: Secrets, built_book: Path) -> None:
    """HTML pages, ``_sources`` and the downloadable notebooks of ``make book``."""
    problems, count = scan(_tree(built_book), secrets)
    assert problems == []
    sources = list((built_book / "_sources").rglob("*.ipynb"))
    assert len(sources) >= 8 and count > 100
    page = (built_book / "chapters" / "01-after-the-union.html").read_text(encoding="utf-8")
    specs = [json.loads(m.group(1)) for m in SPEC_RE.finditer(page)]
    graded = [q for s in specs for q in s["questions"] if q["graded"]]
    assert {q["id"] for q in graded} == {i for i in secrets.assessed if i.startswith("ch01-q-")}
    assert "graded by your instructor" in page
    jupyter = built_book.parent / "jupyter_execute"
    if jupyter.is_dir():
        more, _ = scan(_tree(jupyter), secrets)
        assert more == []


# ---------------------------------------------------------------------- the scan works
def test_a_planted_leak_is_found(secrets: Secrets, tmp_path: Path) -> None:
    entry = secrets.banks["ch01"]["ch01-q-2"]
    explanation = " ".join(entry["explanation"].split())
    check = secrets.banks["ch01"]["ch01-ex-2"]
    solution_line = next(line.strip() for line in check["solution"].splitlines()
                         if "answer" in line and len(line.strip()) >= 30)
    public = (REPO / "chapters" / "quizzes" / "ch01.yml").read_text(encoding="utf-8")
    leaked_quiz = public.replace("    graded: true\n", "    graded: true\n    answer: false\n", 1)
    spec = {"questions": [{"id": "ch01-q-2", "type": "truefalse", "graded": True, "key": False}]}
    page = (f'<p>{explanation}</p><script type="application/json" class="ck-quiz-spec">'
            f"{json.dumps(spec)}</script>")
    note = secrets.notes[0]
    files = {
        "page.html": page,
        "notes.html": f"<li>{htmllib.escape(note)}</li>",
        "nb.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": [solution_line],
                                           "outputs": []}], "metadata": {}}),
        "coursekit/_quizzes/ch01.yml": leaked_quiz,
        "instructor-bank/ch03.yml": "quiz: ch03\n",
        "clean.html": "<p>Pick b, then 2; the Batken events of 1999.</p>",  # short values: fine
    }
    found = {name: _file_problems(name, text.encode(), secrets) for name, text in files.items()}
    assert any("private text of ch01-q-2" in p for p in found["page.html"])
    assert any("quiz spec with ['key']" in p for p in found["page.html"])
    assert any("private text of ch01-ex-2" in p for p in found["nb.ipynb"])
    assert found["coursekit/_quizzes/ch01.yml"] == [
        "coursekit/_quizzes/ch01.yml: assessed ch01-q-2 with ['answer']"]
    assert found["instructor-bank/ch03.yml"] == ["instructor-bank/ch03.yml: a file of the "
                                                 "instructor bank"]
    assert found["clean.html"] == []
    assert found["notes.html"] == [f"notes.html: a teaching note (instructor-bank/notes): "
                                   f"{note!r:.70}"]
    # and a whole tree with one planted file fails the scan
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.html").write_text("<p>welcome</p>")
    assert scan(_tree(tmp_path / "book"), secrets)[0] == []
    (tmp_path / "book" / "leak.html").write_text(page)
    assert len(scan(_tree(tmp_path / "book"), secrets)[0]) == 2
