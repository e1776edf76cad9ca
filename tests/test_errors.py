"""One exception base: every error coursekit raises on purpose is a CoursekitError (and the
built-in it stands for), the command line reports only those as one-line errors, and the
locations of data and quiz errors are written one way (coursekit.errors.Where)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import coursekit
from coursekit import _validate, cli, data, quiz
from coursekit.errors import CoursekitError, InputError, UnknownName, Where

#: Internal signals that never leave their package (caught and re-raised as a located error).
INTERNAL = {"coursekit.quiz.errors._Invalid"}


def _modules() -> list[str]:
    names = ["coursekit"]
    for info in pkgutil.walk_packages(coursekit.__path__, "coursekit."):
        if info.name.endswith(("__main__", "sphinxext")):
            continue
        names.append(info.name)
    return names


def test_every_coursekit_exception_derives_from_the_base():
    found = {}
    for name in _modules():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, Exception)
                    and not issubclass(obj, Warning)  # warnings are not errors
                    and obj.__module__.startswith("coursekit")):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    assert len(found) >= 15, sorted(found)  # the walk really saw the package's errors
    strays = sorted(n for n, cls in found.items()
                    if not issubclass(cls, CoursekitError) and n not in INTERNAL)
    assert strays == []


@pytest.mark.parametrize(("error", "builtin"), [
    ("coursekit.sources.UnknownSource", KeyError),
    ("coursekit.data.UnknownDataset", KeyError),
    ("coursekit.data.UnknownValue", KeyError),
    ("coursekit.sources.PassageNotFound", ValueError),
    ("coursekit.sources.SeedFormatError", ValueError),
    ("coursekit.data.DataValidationError", ValueError),
    ("coursekit.quiz.QuizFileError", ValueError),
    ("coursekit.quiz.MissingKeyError", ValueError),
    ("coursekit.assignments.AuthoringError", ValueError),
    ("coursekit.maps.MapInputError", ValueError),
    ("coursekit.assignments.OutputExistsError", FileExistsError),
    ("coursekit.assignments._sandbox.SandboxUnavailable", RuntimeError),
])
def test_each_error_keeps_the_builtin_it_replaces(error, builtin):
    module, _, name = error.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, CoursekitError) and issubclass(cls, builtin)


def test_unknown_item_reads_as_its_message():
    demo = quiz.load("demo")
    with pytest.raises(KeyError) as info:
        demo["demo-q-99"]
    assert isinstance(info.value, UnknownName)
    assert str(info.value).startswith("'demo-q-99' is not in quiz 'demo'")  # no repr quotes


def test_bad_dates_are_input_errors():
    """A month out of range was taken as a day ("2008-13" -> "2008-13-01") before."""
    with pytest.raises(InputError, match=r"members\(on=\.\.\.\): expected a date"):
        data.members("csto", "2008-13")
    with pytest.raises(InputError, match="start 2006-01-01 is after end 2005-12-31"):
        data.events_between("2006", "2005")


def test_data_and_quiz_errors_share_one_location_format():
    problem = data.Problem("data/events.csv", 3, "date", "expected a date")
    assert str(problem) == Where("data/events.csv", row=3, field="date").message(
        "expected a date")
    err = quiz.QuizFileError("no correct answer given", file="ch01.yml", line=9,
                             item_id="ch01-q-1", field="answer")
    assert str(err) == Where("ch01.yml", line=9, item="ch01-q-1", field="answer").message(
        "no correct answer given")


# -- the command line ------------------------------------------------------------------------

def _fail_with(monkeypatch, exc: BaseException) -> None:
    def boom(args):
        raise exc
    original = cli.build_parser

    def parser():
        p = original()
        for action in p._subparsers._group_actions:
            for sub in action.choices.values():
                sub.set_defaults(func=boom)
        return p
    monkeypatch.setattr(cli, "build_parser", parser)


def test_cli_reports_coursekit_errors_in_one_line(monkeypatch, capsys):
    _fail_with(monkeypatch, UnknownName("unknown chapter 'ch42'"))
    assert cli.main(["list"]) == 1
    err = capsys.readouterr().err
    assert err == "coursekit list: error: unknown chapter 'ch42'\n"


def test_cli_verbose_prints_the_traceback(monkeypatch, capsys):
    _fail_with(monkeypatch, InputError("bad input"))
    assert cli.main(["-v", "list"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith("coursekit list: error: bad input")


@pytest.mark.parametrize("bug", [KeyError("stray"), ValueError("stray"), RuntimeError("x")])
def test_cli_lets_a_programming_error_keep_its_traceback(monkeypatch, bug):
    _fail_with(monkeypatch, bug)
    with pytest.raises(type(bug)):
        cli.main(["list"])


# -- validation as declared rules ------------------------------------------------------------

def test_validation_runs_the_declared_rules(monkeypatch):
    def no_kant(row, tables):
        if "Kant" in row.values():
            yield None, "a row without Kant"

    monkeypatch.setattr(_validate, "ROW_RULES", (*_validate.ROW_RULES, ("places", no_kant)))
    problems = [p for p in data.validate() if p.message == "a row without Kant"]
    assert [(p.file, p.field) for p in problems] == [("data/places.csv", None)]


def test_every_rule_is_small_and_documented():
    rules = [rule for _, rule in _validate.ROW_RULES] + list(_validate.TABLE_RULES)
    for rule in rules:
        lines = inspect.getsource(rule).splitlines()
        assert len(lines) <= 25, rule.__name__
        assert rule.__doc__, rule.__name__
