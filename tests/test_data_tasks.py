"""Every data task has a scaffold and a no-code variant, well formed (issue 15, part 7).

Right after each exercise cell of kind ``data`` come two Markdown cells with the exercise's id:

- ``role: scaffold``: ``:::{dropdown} Starter code with blanks`` around one ```` ```python ````
  block with ``___`` blanks, which parses as Python once the blanks are names;
- ``role: no-code``: ``:::{admonition} No-code variant`` with at least one Markdown table copied
  from the data it names (``ck.load("name")``, ``ck.sources.corpus()``) and a question.

Every row of a no-code table must be a row of that dataset (a cell ending in "…" is a cut-short
text, "—" or nothing an empty cell). For assessed tasks, neither cell may show the expected value or a line
of the bank's model solution that the chapter does not already show elsewhere.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import coursekit as ck
from coursekit import quiz
from coursekit.quiz.bank import SOLUTION_LINE

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((REPO / "chapters").glob("[0-9][0-9]-*.ipynb"))
BANK = REPO / "instructor-bank"

SCAFFOLD_OPEN = ":::{dropdown} Starter code with blanks\n"
NO_CODE_OPEN = ":::{admonition} No-code variant\n"
EMPTY, CUT = "—", "…"
ORIGIN_RE = re.compile(r'ck\.load\("([a-z_]+)"\)|ck\.sources\.corpus\(\)')
PROSE_ORIGIN_RE = re.compile(r"\bthe `?([a-z_]+)`? dataset\b")


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("coursekit", {})


# ------------------------------------------------------------------------------ the tables
def markdown_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """``[(header, rows)]`` of the Markdown tables in ``text`` (backticks around column names
    and ``\\|`` escapes removed).

    >>> markdown_tables("x\\n\\n| `a` | b |\\n| --- | --- |\\n| 1 | x \\\\| y |\\n")
    [(['a', 'b'], [['1', 'x | y']])]
    """
    tables, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2:
            cells = [[c.strip().replace("\\|", "|")
                      for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]] for row in block]
            tables.append(([c.strip("`") for c in cells[0]], cells[2:]))
        block = []
    return tables


def cell_matches(shown: str, value: object) -> bool:
    """Whether a no-code table cell shows ``value`` (see the module docstring)."""
    if shown in (EMPTY, ""):
        return value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    if shown.endswith(CUT):
        return str(value).startswith(shown[:-1]) and len(shown) > 1
    if isinstance(value, int | float):
        try:
            return float(shown) == float(value)
        except ValueError:
            return False
    return str(value) == shown


def rows_not_in(header: list[str], rows: list[list[str]], frame: pd.DataFrame) -> list[str]:
    """The problems of a table whose rows should all be rows of ``frame``."""
    missing = [c for c in header if c not in frame.columns]
    if missing:
        return [f"columns {missing} are not columns of the data"]
    problems = []
    for row in rows:
        if len(row) != len(header):
            problems.append(f"row {row} has {len(row)} cells for {len(header)} columns")
            continue
        if not any(all(cell_matches(shown, record[col]) for shown, col in zip(row, header, strict=True))
                   for record in frame[header].to_dict("records")):
            problems.append(f"row {row} is not a row of the data")
    return problems


def chapter8_counts() -> pd.DataFrame:
    """Words and China/Chinese mentions of each source's body text, made as chapter 8 makes
    ``size`` and ``counts`` (the table of ch08-ex-5's no-code variant)."""
    corpus = ck.sources.corpus()
    body = corpus[corpus["kind"] == "body"].copy()
    body["words"] = body["text"].str.count(r"[A-Za-z][A-Za-z’'-]*")
    body["China/Chinese"] = body["text"].str.lower().str.count(r"\bchin(?:a|ese)\b")
    return body.groupby("source_id")[["words", "China/Chinese"]].sum().reset_index()


@functools.cache
def origin_frame(name: str) -> pd.DataFrame:
    if name == "corpus":
        return ck.sources.corpus()
    if name == "chapter8-counts":
        return chapter8_counts()
    return ck.load(name)


def origins(item: str, text: str) -> list[str]:
    """The data a no-code variant names: ``ck.load("name")``, ``ck.sources.corpus()`` or, in
    words, "the name dataset"."""
    if item == "ch08-ex-5":
        return ["chapter8-counts"]
    found = [m[1] or "corpus" for m in ORIGIN_RE.finditer(text)]
    return found + [m[1] for m in PROSE_ORIGIN_RE.finditer(text) if m[1] in ck.data.names()]


# ------------------------------------------------------------------------------ the checks
def expected_leaks(text: str, expected: object) -> list[str]:
    """Forms of an assessed task's ``expected`` value found in ``text``."""
    forms: list[str] = []
    if isinstance(expected, list):
        forms += [json.dumps(expected), repr(expected), json.dumps(expected, ensure_ascii=False)]
    elif isinstance(expected, str):
        forms += [f'"{expected}"', f"'{expected}'"]
    elif isinstance(expected, int | float) and not isinstance(expected, bool):
        if re.search(rf"answer\s*=\s*{re.escape(str(expected))}\b", text):
            return [f"answer = {expected}"]
    elif isinstance(expected, dict):
        want = (list(expected["columns"]), [[str(v) for v in r] for r in expected["rows"]])
        if any((h, rows) == want for h, rows in markdown_tables(text)):
            return ["the expected table"]
    return [f for f in forms if f in text]


def task_problems(cells: list[dict], private: Callable[[str], dict | None] = lambda _: None,
                  check_data: bool = True) -> list[str]:
    """Every problem of the scaffold and no-code cells of the data tasks in ``cells``.

    ``private(item)`` gives an assessed task's bank entry (``expected``, ``solution``), or
    ``None`` for a practice task.
    """
    problems: list[str] = []
    elsewhere = "\n".join(_source(c) for c in cells
                          if _meta(c).get("role") not in ("scaffold", "no-code"))
    for index, cell in enumerate(cells):
        meta = _meta(cell)
        if meta.get("role") != "exercise" or meta.get("kind") != "data":
            if meta.get("role") in ("scaffold", "no-code"):
                kind = next((_meta(c).get("kind") for c in cells if _meta(c).get("id") == meta.get("id")
                             and _meta(c).get("role") == "exercise"), None)
                if kind != "data":
                    problems.append(f"cell {index}: {meta['role']} of {meta.get('id')}, "
                                    f"which is not a data task")
            continue
        item = meta["id"]
        help_cells = cells[index + 1:index + 3]
        roles = [(_meta(c).get("role"), c["cell_type"], _meta(c), c.get("metadata", {}).get("tags"))
                 for c in help_cells]
        want = [("scaffold", "markdown", {"id": item, "role": "scaffold"}, None),
                ("no-code", "markdown", {"id": item, "role": "no-code"}, None)]
        if roles != want:
            problems.append(f"{item}: the two cells after the exercise must be Markdown cells "
                            f"with metadata {{id, role: scaffold}} then {{id, role: no-code}}, "
                            f"untagged; got {roles}")
            continue
        scaffold, no_code = (_source(c) for c in help_cells)
        problems += [f"{item}: {p}" for p in scaffold_problems(scaffold)]
        problems += [f"{item}: {p}" for p in no_code_problems(item, no_code, check_data)]
        entry = private(item)
        if entry:
            for text, role in ((scaffold, "scaffold"), (no_code, "no-code")):
                problems += [f"{item}: {role} shows the expected value ({f})"
                             for f in expected_leaks(text, entry.get("expected"))]
                lines = [ln.strip() for ln in str(entry.get("solution", "")).splitlines()
                         if len(ln.strip()) >= SOLUTION_LINE]
                problems += [f"{item}: {role} shows a line of the model solution: {ln!r}"
                             for ln in lines if ln in text and ln not in elsewhere]
    return problems


def scaffold_problems(text: str) -> list[str]:
    problems = []
    if not text.startswith(SCAFFOLD_OPEN) or not text.rstrip().endswith("\n:::"):
        problems.append(f"scaffold must be one {SCAFFOLD_OPEN.strip()} ... ::: block")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    if len(blocks) != 1:
        return [*problems, f"scaffold needs exactly one ```python block (found {len(blocks)})"]
    code = blocks[0]
    if "___" not in code:
        problems.append("scaffold code has no ___ blank")
    try:
        ast.parse(code.replace("___", "_blank_"))
    except SyntaxError as exc:
        problems.append(f"scaffold code is not Python once its blanks are names: {exc}")
    return problems


def no_code_problems(item: str, text: str, check_data: bool = True) -> list[str]:
    problems = []
    if not text.startswith(NO_CODE_OPEN) or not text.rstrip().endswith("\n:::"):
        problems.append(f"no-code variant must be one {NO_CODE_OPEN.strip()} ... ::: block")
    tables = markdown_tables(text)
    if not tables or not all(rows for _, rows in tables):
        problems.append("no-code variant needs a Markdown table with rows")
    last_table_end = text.rfind("\n|")
    if "?" not in text[last_table_end:]:
        problems.append("no-code variant asks no question after its table")
    sources = origins(item, text)
    if not sources:
        problems.append('no-code variant does not name its data (ck.load("name"), '
                        'ck.sources.corpus() or "the name dataset")')
    elif check_data:
        frame = origin_frame(sources[0])
        for header, rows in tables:
            problems += [f"no-code table: {p}" for p in rows_not_in(header, rows, frame)]
    return problems


# ------------------------------------------------------------------------------ the tests
def _bank_entry(item: str) -> dict | None:
    chapter = item.split("-")[0]
    if not (BANK / f"{chapter}.yml").exists():
        return None
    loaded = quiz.load(REPO / "chapters" / "quizzes" / f"{chapter}.yml", bank=BANK)
    graded = {c.id for c in loaded.checks if c.graded}
    return loaded.private.get(item) if item in graded else None


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_data_task_has_a_scaffold_and_a_no_code_variant(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    data_tasks = [_meta(c)["id"] for c in cells
                  if _meta(c).get("role") == "exercise" and _meta(c).get("kind") == "data"]
    assert data_tasks, f"{path.name}: no data task"
    assert task_problems(cells, _bank_entry) == []


def test_the_checks_see_the_assessed_tasks() -> None:
    """The leak checks are not vacuous: the bank holds expected values and model solutions of
    data tasks in the chapters."""
    entries = [e for p in CHAPTERS for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
               if _meta(c).get("role") == "scaffold" and (e := _bank_entry(_meta(c)["id"]))]
    assert len(entries) >= 7
    assert all("expected" in e for e in entries)
    assert sum("solution" in e for e in entries) >= 7


# adversarial: each planted fault is found
def _task(scaffold: str, no_code: str, kind: str = "data") -> list[dict]:
    def md(text: str, role: str, **extra: object) -> dict:
        return {"cell_type": "markdown", "source": text,
                "metadata": {"coursekit": {"id": "ch97-ex-1", "role": role, **extra}}}
    return [md("task", "exercise", kind=kind, points=1), md(scaffold, "scaffold"),
            md(no_code, "no-code")]


GOOD_SCAFFOLD = SCAFFOLD_OPEN + "Fill in.\n\n```python\nanswer = members[___]\n```\n:::"
GOOD_NO_CODE = (NO_CODE_OPEN + ':class: tip\n\nRows of `ck.load("memberships")`.\n\n'
                "| `membership_id` | `org_id` | `country_iso3` | `end` |\n| --- | --- | --- | --- |\n"
                "| M034 | eaeu | KAZ | — |\n| M012 | cst | UZB | 1999-04-… |\n\nWhat does it show?\n:::")


def test_a_well_formed_task_passes() -> None:
    assert task_problems(_task(GOOD_SCAFFOLD, GOOD_NO_CODE)) == []


@pytest.mark.parametrize(("cells", "found"), [
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE)[:2], "the two cells after the exercise"),
    (_task(GOOD_SCAFFOLD.replace("___", '"org_id"'), GOOD_NO_CODE), "no ___ blank"),
    (_task(GOOD_SCAFFOLD.replace("[___]", "[___"), GOOD_NO_CODE), "not Python"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE.replace("| KAZ |", "| TKM |")), "not a row of the data"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE.replace("eaeu | KAZ | —", "eaeu | KAZ | 2020")),
     "not a row of the data"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE.replace("`end`", "`ended`")), "not columns of the data"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE.replace("What does it show?", "Read it.")), "no question"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE.replace('`ck.load("memberships")`', "the data")),
     "does not name its data"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE.replace('`ck.load("memberships")`', "the treaties dataset")),
     "does not name its data"),
    (_task(GOOD_SCAFFOLD, GOOD_NO_CODE, kind="close-reading"), "not a data task"),
])
def test_planted_faults_are_found(cells: list[dict], found: str) -> None:
    assert any(found in p for p in task_problems(cells)), task_problems(cells)


@pytest.mark.parametrize(("entry", "text"), [
    ({"expected": ["KAZ", "UZB"]}, 'Type `answer = ["KAZ", "UZB"]`.'),
    ({"expected": "TJK"}, 'answer = "TJK"'),
    ({"expected": 4}, "answer = 4"),
    ({"expected": {"columns": ["org_id", "country_iso3"], "rows": [["eaeu", "KAZ"]]}},
     "| `org_id` | `country_iso3` |\n| --- | --- |\n| eaeu | KAZ |\n"),
    ({"expected": 1, "solution": "```python\nanswer = sorted(joined['country_iso3'].unique())\n```"},
     "answer = sorted(joined['country_iso3'].unique())"),
])
def test_an_assessed_tasks_key_in_its_scaffold_is_found(entry: dict, text: str) -> None:
    scaffold = GOOD_SCAFFOLD.replace("answer = members[___]", f"x = ___\n{text}") \
        if "|" not in text else GOOD_SCAFFOLD
    no_code = GOOD_NO_CODE if "|" not in text else GOOD_NO_CODE.replace("What", text + "\nWhat")
    problems = task_problems(_task(scaffold, no_code), lambda _: entry, check_data=False)
    assert any("expected value" in p or "model solution" in p for p in problems), problems
