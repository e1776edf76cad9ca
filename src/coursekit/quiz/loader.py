"""Read and validate quiz files and instructor banks: JSON Schema first, then each item's own
checks. One loader, one validator, errors naming file, line, item and field.

A quiz file (``chapters/quizzes/<name>.yml``) is public. An instructor bank file
(``instructor-bank/<name>.yml``, schema ``bank-schema.json``) holds the private parts of the
quiz's assessed items (``graded: true``), keyed by item id; ``load(name, bank=...)`` merges it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._resources import resource_path
from ._quiz import Quiz
from .checks import Check
from .errors import QuizFileError, _Invalid
from .model import Question

if TYPE_CHECKING:
    import jsonschema
    import yaml

# jsonschema and yaml (through coursekit._yamlschema) load when a file is first read, not on
# ``import coursekit.quiz``: a grading kernel imports this package to record answers and may
# never read a quiz file (about 0.4 s of CPU per kernel).


def _yamlschema() -> Any:
    from .. import _yamlschema

    return _yamlschema

__all__ = ["BANK_SCHEMA_PATH", "SCHEMA_PATH", "bank_file", "load", "quiz_path", "validate_data"]

SCHEMA_PATH = Path(__file__).parent / "schema.json"
BANK_SCHEMA_PATH = Path(__file__).parent / "bank-schema.json"
#: Bank fields that are not scoring data: kept on ``Quiz.private`` for the instructor only.
_NOTES_ONLY = ("solution", "notes")


def private_fields() -> frozenset[str]:
    """Names of the fields a bank entry may hold (all of them private)."""
    schema = json.loads(BANK_SCHEMA_PATH.read_text(encoding="utf-8"))
    return frozenset(schema["$defs"]["private"]["properties"])


def quiz_path(name_or_path: str | Path) -> Path:
    """The file of quiz ``name`` (``"ch01"`` -> ``chapters/quizzes/ch01.yml``) or the path
    given. Raises ``FileNotFoundError`` listing the quizzes that exist."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yml", ".yaml")):
        path = Path(name_or_path)
    else:
        path = resource_path("quizzes", f"{text}.yml")
    if not path.is_file():
        folder = resource_path("quizzes")
        names = sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []
        raise FileNotFoundError(f"no quiz file {path}; known quizzes: "
                                f"{', '.join(names) or 'none'}")
    return path


def bank_file(bank: str | Path, name: str) -> Path:
    """The bank file of quiz ``name``: ``bank`` itself if it is a file, else ``bank/<name>.yml``."""
    bank = Path(bank)
    return bank if bank.is_file() else bank / f"{name}.yml"


def _schema_error(error: jsonschema.ValidationError, data: Any) -> tuple[list[Any], str]:
    """Document path of the offending field and a message saying what was expected, with the
    quiz's own words for a field an assessed item must not have."""
    path, message = _yamlschema().describe(error)
    if error.validator is None or (error.validator == "not" and path[-1:] == ["type"]):
        if error.validator is None:  # a `false` schema: find the forbidden field
            parent: Any = data
            for step in path:
                parent = parent[step]
            path.append(next((k for k, v in parent.items()
                              if k in _forbidden() and v == error.instance), "?"))
        field = path[-1] if path else "?"
        message = (f"{error.instance!r} is not allowed here" if field == "type" else
                   f"`{field}` is private for an assessed item (graded: true)")
        message += (": an ordering question cannot be assessed, because its public item "
                    "order is its key" if field == "type" else
                    "; move it to the instructor bank (instructor-bank/<quiz>.yml)")
    return path, message


@functools.cache
def _forbidden() -> frozenset[str]:
    """Fields an assessed item of a public quiz file must not have (``false`` in schema.json)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        for key, value in node.items() if isinstance(node, dict) else []:
            if value is False:
                found.add(key)
            walk(value)

    defs = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    walk({"q": defs["assessed_question"], "ex": defs["assessed_check"]})
    return frozenset(found)


def _first_error(data: Any, path: Path) -> jsonschema.ValidationError | None:
    found = _yamlschema().errors(data, path)
    return found[0] if found else None


def _read(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; ``QuizFileError`` naming the file for bad encoding or syntax."""
    import yaml

    from .._yaml import parse

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuizFileError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                            f"{exc.start}); save the file as UTF-8", file=path,
                            line=raw[:exc.start].count(b"\n") + 1) from None
    try:
        return parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QuizFileError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path,
                            line=None if mark is None else mark.line + 1) from None


def _fail(message: str, data: Any, path: list[Any], source: Any, node: Any) -> Quiz:
    item_id, field = None, _yamlschema().field_path(path)
    if len(path) >= 2 and path[0] in ("questions", "checks") and isinstance(path[1], int):
        entries = data.get(path[0]) or []
        if path[1] < len(entries) and isinstance(entries[path[1]], dict):
            item_id = entries[path[1]].get("id")
        field = _yamlschema().field_path(path[2:]) or None
        if item_id is None:
            field = _yamlschema().field_path(path)
    elif len(path) >= 2 and path[0] == "items" and isinstance(path[1], str):  # a bank file
        item_id, field = path[1], _yamlschema().field_path(path[2:]) or None
    raise QuizFileError(message, file=source, item_id=item_id, field=field,
                        line=_yamlschema().line_of(node, path))


class _Bank:
    """A validated bank file: ``entries`` by item id, with file and YAML node for errors."""

    def __init__(self, path: Path, quiz_name: str) -> None:
        self.path = path
        self.data, self.node = _read(path)
        error = _first_error(self.data, BANK_SCHEMA_PATH)
        if error is not None:
            where, message = _schema_error(error, self.data)
            _fail(message, self.data, where, path, self.node)
        if self.data["quiz"] != quiz_name:
            self.fail(f"this bank is for quiz {self.data['quiz']!r}, not {quiz_name!r}",
                      ["quiz"])
        self.entries: dict[str, dict[str, Any]] = self.data["items"]

    def fail(self, message: str, path: list[Any]) -> None:
        _fail(message, self.data, path, self.path, self.node)


_CHOICE_TYPES = ("single", "multiple")
#: Bank fields spread over a list of the public entry: ``{field: (list, key, "an item")}``.
_SPREAD = {"option_feedback": ("options", "feedback", "an option"),
           "matches": ("items", "match", "an item")}


def _merge(entry: dict[str, Any], private: dict[str, Any], bank: _Bank) -> dict[str, Any]:
    """The public entry with its private part filled in (neither is changed)."""
    item_id, out = entry["id"], copy.deepcopy(entry)
    is_check = "-ex-" in item_id
    allowed = ({"expected", "range", "tolerance", "feedback_right", "feedback_wrong"} if is_check
               else {"answer", "accept", "tolerance", "range", "explanation", "feedback_right",
                     "feedback_wrong", "reference"}
               | ({"option_feedback"} if entry.get("type") in _CHOICE_TYPES else set())
               | ({"matches"} if entry.get("type") == "matching" else set()))
    for field, value in private.items():
        if field in _NOTES_ONLY:
            continue
        if field not in allowed:
            kind = "exercise check" if is_check else f"{entry.get('type')} question"
            bank.fail(f"a {kind} has no private field `{field}`; expected one of "
                      f"{', '.join(sorted(allowed | set(_NOTES_ONLY)))}", ["items", item_id, field])
        if field in _SPREAD:
            where, key, what = _SPREAD[field]
            ids = [o.get("id") for o in out.get(where, [])]
            for part, text in value.items():
                if part not in ids:
                    bank.fail(f"{part!r} is not {what} id; expected one of "
                              f"{', '.join(map(str, ids))}", ["items", item_id, field, part])
                out[where][ids.index(part)][key] = text
        else:
            out[field] = copy.deepcopy(value)
    return out


def _bank_path_of(field: str | None) -> str | None:
    """The bank field that a merged item's field came from."""
    if not field:
        return None
    head = re.match(r"[^.\[]+", field)[0]
    if head == "options" and field.endswith(".feedback"):
        return "option_feedback"
    if head == "items" and field.endswith(".match"):
        return "matches"
    return head


def validate_data(data: Any, source: str | Path = "<quiz>", node: yaml.Node | None = None,
                  name: str = "quiz", bank: Path | None = None) -> Quiz:
    """Validate parsed quiz data (merged with the bank file ``bank`` if given) and build the
    ``Quiz`` (raises ``QuizFileError`` naming the file where the mistake is)."""
    error = _first_error(data, SCHEMA_PATH)
    if error is not None:
        path, message = _schema_error(error, data)
        return _fail(message, data, path, source, node)
    sections = {"questions": Question.from_dict, "checks": Check.from_dict}
    assessed = [e["id"] for s in sections for e in data.get(s, []) if e.get("graded")]
    loaded = None if bank is None else _Bank(Path(bank), name)
    private = {} if loaded is None else loaded.entries
    for item_id in private:
        entry = next((e for s in sections for e in data.get(s, []) if e["id"] == item_id), None)
        if entry is None:
            loaded.fail(f"no item {item_id!r} in {source}", ["items", item_id])
        if not entry.get("graded"):
            loaded.fail(f"{item_id} is a practice item in {source} (no `graded: true`); its key "
                        "belongs in the public file, or mark it assessed there",
                        ["items", item_id])
    if loaded is not None:
        missing = [i for i in assessed if i not in private]
        if missing:
            loaded.fail(f"no private part for the assessed item(s) {', '.join(missing)} of "
                        f"{source}", ["items"])
    items: list[Question | Check] = []
    for section, build in sections.items():
        for index, entry in enumerate(data.get(section, [])):
            merged = entry if entry["id"] not in private else _merge(
                entry, private[entry["id"]], loaded)
            try:
                item = build(merged)
            except _Invalid as exc:
                _fail(exc.message, data, [section, index, exc.field], source, node)
            item.keyed = not item.graded or item.id in private
            items.append(item)
    questions = [i for i in items if isinstance(i, Question)]
    checks = [i for i in items if isinstance(i, Check)]
    try:
        quiz = Quiz(questions, checks, title=data["title"], name=name, source=source)
    except QuizFileError as exc:
        from_bank = _bank_path_of(exc.field)
        if loaded is not None and exc.item_id in private and from_bank in private[exc.item_id]:
            loaded.fail(exc.reason, ["items", exc.item_id, from_bank])
        entries = [*data.get("questions", []), *data.get("checks", [])]
        index = next((n for n, e in enumerate(entries) if e.get("id") == exc.item_id), None)
        if index is None:
            raise
        section = "questions" if index < len(data.get("questions", [])) else "checks"
        index -= 0 if section == "questions" else len(data.get("questions", []))
        if exc.field == "id":  # a duplicate: point at the second occurrence
            same = [n for n, e in enumerate(data.get(section, [])) if e.get("id") == exc.item_id]
            index = same[-1]
        steps = re.findall(r"[^.\[\]]+", exc.field or "")
        path = [section, index, *(int(s) if s.isdigit() else s for s in steps)]
        return _fail(exc.reason, data, path, source, node)
    quiz.bank = None if loaded is None else loaded.path
    quiz.private = {k: dict(v) for k, v in private.items()}
    return quiz


def load(name_or_path: str | Path, bank: Path | None = None) -> Quiz:
    """Load and validate a quiz file, with the private parts of its assessed items if
    ``bank`` is given.

    Parameters
    ----------
    name_or_path
        A quiz name (``"ch01"``, ``"demo"``), found with
        ``coursekit._resources.resource_path("quizzes", ...)``, or a path to a ``.yml`` file.
    bank
        An instructor bank: a folder holding ``<quiz name>.yml`` (such as the repository's
        ``instructor-bank/``) or one bank file. Without it, assessed items have no key:
        ``score`` raises ``MissingKeyError`` for them and ``check`` only checks an answer's
        shape. A bank folder without a file for this quiz is fine if the quiz has no
        assessed items.

    Raises
    ------
    QuizFileError
        Naming file (quiz or bank), line, item id and field of the first mistake.
    FileNotFoundError
        If there is no such quiz.

    Examples
    --------
    >>> load("no-such-quiz")
    Traceback (most recent call last):
        ...
    FileNotFoundError: no quiz file ...no-such-quiz.yml; known quizzes: ...
    """
    path = quiz_path(name_or_path)
    data, node = _read(path)
    bank_path = None
    if bank is not None:
        bank_path = bank_file(bank, path.stem)
        if not bank_path.is_file():
            assessed = [e.get("id") for s in ("questions", "checks")
                        for e in (data if isinstance(data, dict) else {}).get(s) or []
                        if isinstance(e, dict)
                        and e.get("graded")]
            if assessed:
                raise QuizFileError(f"no bank file for quiz {path.stem!r}, which has assessed "
                                    f"items ({', '.join(map(str, assessed))})", file=bank_path)
            bank_path = None
    return validate_data(data, path, node, name=path.stem, bank=bank_path)
