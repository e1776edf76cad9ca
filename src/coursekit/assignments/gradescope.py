"""``coursekit gradescope``: an autograder bundle that Gradescope runs with ``coursekit grade``.

Gradescope's contract ("Autograder Specifications",
https://gradescope-autograders.readthedocs.io/en/latest/specs/): a zip with ``setup.sh`` and
``run_autograder`` at its root, unpacked into ``/autograder/source``; ``setup.sh`` runs once as
root when the image is built; ``run_autograder`` runs for each submission (the student's files in
``/autograder/submission``) and writes ``/autograder/results/results.json``.

The bundle (:func:`build_bundle`) holds the coursekit wheel built from this checkout,
``requirements.txt`` (its dependencies pinned to the versions installed here), the two scripts
(``gradescope_files/``), ``coursekit-gradescope.json`` (settings) and the assignment's instructor
snapshot: ``manifest.json``, the quiz files and the bank with only what scoring needs (model
solutions and marking notes are left out). No student notebook, answer key or instructor
notebook goes in.

Grading (:func:`run`) is :func:`coursekit.assignments.grade` on a copy of the submission: each
notebook runs in the bubblewrap sandbox with ``/autograder`` hidden from it, and is scored in the
grader's process against the bank snapshot. Without a sandbox nothing runs unless the bundle was
built with ``unsafe_no_sandbox``. ``results.json`` has one test per auto-graded item, a visible
"submission received" check, and is validated against ``results-schema.json`` (written from the
documented format) before it is written; a submission that cannot be graded gets score 0 and
says why. ``COURSEKIT_AUTOGRADER_ROOT`` (or ``--root``) replaces ``/autograder`` for a trial run.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from coursekit import __version__
from coursekit._resources import write_atomic
from coursekit._yaml import safe_load
from coursekit.errors import InputError, RunError
from coursekit.quiz.bank import KEY_FIELDS, find_leaks

from . import _quizapi
from ._assign import BANK_DIR, MANIFEST
from ._files import OutputExistsError
from ._grade import grade, load_manifest
from ._results import NOT_GRADED
from ._roster import _notebook_files
from ._sandbox import Limits, Sandbox, SandboxUnavailable

__all__ = ["SPEC_URL", "VISIBILITIES", "build_bundle", "main", "results_json", "run"]

SPEC_URL = "https://gradescope-autograders.readthedocs.io/en/latest/specs/"
#: Visibility settings of a test (the specification's "Controlling Test Case Visibility").
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
CONFIG = "coursekit-gradescope.json"
ASSIGNMENT = "assignment"
#: Bank fields a bundle never carries: scoring does not read them.
UNUSED_BANK_FIELDS = ("solution", "notes")
#: The student id inside the bundle (Gradescope runs one submission at a time).
STUDENT = "submission"
#: Distributions the sandbox needs beside coursekit's own requirements (the notebook kernel).
EXTRA_ROOTS = ("ipykernel",)
WITHHELD = ("(feedback withheld: it quoted the private answer key; your instructor can see the "
            "full feedback)")


def _files() -> Any:
    return resources.files("coursekit.assignments") / "gradescope_files"


def results_schema() -> dict[str, Any]:
    """The JSON Schema of ``results.json`` (``gradescope_files/results-schema.json``)."""
    return json.loads((_files() / "results-schema.json").read_text(encoding="utf-8"))


# -- building the bundle ---------------------------------------------------------------------

def pinned_requirements(roots: tuple[str, ...] = ("coursekit", *EXTRA_ROOTS)) -> list[str]:
    """``name==version`` of every distribution ``roots`` need, as installed here (coursekit
    itself excluded: the bundle carries its wheel)."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    todo: list[tuple[str, frozenset[str]]] = [(r, frozenset()) for r in roots]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        key = (canonicalize_name(name), extras)
        if key in done:
            continue
        done.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise RunError(f"{name} is needed by the bundle but not installed here; install "
                               "it (make setup) and build again") from None
        if key[0] != "coursekit":
            pins[key[0]] = f"{dist.metadata['Name']}=={dist.version}"
        for text in dist.requires or []:
            req = Requirement(text)
            envs = [{**default_environment(), "extra": e} for e in (extras or {""})]
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                todo.append((req.name, frozenset(req.extras)))
    return sorted(pins.values(), key=str.lower)


def _build_wheel(folder: Path) -> Path:
    """Build the coursekit wheel of the checkout coursekit runs from into ``folder``."""
    import coursekit

    checkout = Path(coursekit.__file__).resolve().parents[2]
    if not (checkout / "pyproject.toml").is_file():
        raise RunError(f"coursekit runs from {checkout}, not from a checkout: pass --wheel "
                           "with the coursekit wheel to bundle")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                           str(folder), str(checkout)], capture_output=True, text=True,
                          timeout=900, check=False)
    wheels = sorted(folder.glob("coursekit-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise RunError(f"building the coursekit wheel from {checkout} failed: "
                           f"{(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    return wheels[0]


def _scoring_bank(path: Path) -> str:
    """The bank file without the fields scoring never reads (model solutions, notes)."""
    data = safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise InputError(f"{path}: not a bank file (expected 'quiz' and 'items')")
    for item_id, entry in data["items"].items():
        if isinstance(entry, dict):
            kept = {k: v for k, v in entry.items() if k not in UNUSED_BANK_FIELDS}
            # An entry must keep one field: an item whose bank entry is only prose keeps a note.
            data["items"][item_id] = kept or {"notes": "(left out of the Gradescope bundle)"}
    header = ("# Scoring snapshot for a Gradescope bundle (coursekit gradescope): the keys of "
              "assessed items;\n# model solutions and marking notes are left out. Instructor "
              "only: never publish.\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def build_bundle(
    assignment: Path,
    out: Path,
    *,
    bank: Path | None = None,
    wheel: Path | None = None,
    visibility: str = "after_due_date",
    limits: Limits | None = None,
    unsafe_no_sandbox: bool = False,
    execute_code: bool = True,
    force: bool = False,
) -> list[str]:
    """Write the Gradescope autograder zip ``out`` for ``assignment`` (the folder written by
    ``coursekit assign``) and return the names it holds.

    ``bank`` (default ``ASSIGNMENT/instructor/bank``) holds the keys; ``wheel`` the coursekit
    wheel (default: built from the checkout). ``visibility`` applies to each item's test;
    ``limits`` bound each notebook's sandbox; ``unsafe_no_sandbox`` lets the bundle run student
    code without a sandbox when Gradescope's container cannot make one; without
    ``execute_code`` nothing runs (literal answers and quiz answers files only).
    """
    assignment, out = Path(assignment), Path(out)
    if visibility not in VISIBILITIES:
        raise InputError(f"--visibility: expected one of {', '.join(VISIBILITIES)}, "
                         f"got {visibility!r}")
    if out.suffix != ".zip":
        raise InputError(f"--out {out}: expected a .zip file name")
    if out.exists() and not force:
        raise OutputExistsError(f"{out} already exists; pass --force to overwrite")
    if out.is_dir():
        raise InputError(f"--out {out}: is a folder; expected a .zip file name")
    limits = limits or Limits(notebook_timeout=480)
    manifest = load_manifest(assignment)
    bank = Path(bank) if bank is not None else assignment / BANK_DIR
    if not bank.is_dir() and (bank != assignment / BANK_DIR or manifest.get("banks")):
        raise FileNotFoundError(f"--bank: no instructor bank folder at {bank}")
    files: dict[str, bytes] = {}
    banks = {}
    for chapter, rel in manifest["quizzes"].items():
        files[f"{ASSIGNMENT}/{rel}"] = (assignment / rel).read_bytes()
        if (bank / f"{chapter}.yml").is_file():
            banks[chapter] = f"{BANK_DIR}/{chapter}.yml"
            files[f"{ASSIGNMENT}/{banks[chapter]}"] = _scoring_bank(
                bank / f"{chapter}.yml").encode("utf-8")
    manifest = {**manifest, "banks": banks}
    files[f"{ASSIGNMENT}/{MANIFEST}"] = (json.dumps(manifest, indent=2, ensure_ascii=False)
                                         + "\n").encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="coursekit-gradescope-") as tmp:
        snapshot = Path(tmp) / ASSIGNMENT
        for name, data in files.items():
            write_atomic(Path(tmp) / name, data)
        for rel in manifest["quizzes"].values():  # the one loader: are the keys complete?
            _quizapi.load(assignment / rel, bank if bank.is_dir() else None)
            _quizapi.load(snapshot / rel, snapshot / BANK_DIR if banks else None)
        wheel = Path(wheel) if wheel is not None else _build_wheel(Path(tmp) / "wheel")
        if not (wheel.name.startswith(f"coursekit-{__version__}-") and wheel.suffix == ".whl"):
            raise InputError(f"--wheel {wheel}: expected coursekit-{__version__}-*.whl (the "
                             "version that builds the bundle)")
        files[wheel.name] = wheel.read_bytes()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    setup = (_files() / "setup.sh").read_text(encoding="utf-8")
    files["setup.sh"] = setup.replace("@PYTHON_VERSION@", version).replace(
        "@WHEEL@", wheel.name).encode("utf-8")
    files["run_autograder"] = (_files() / "run_autograder").read_bytes()
    files["requirements.txt"] = ("# Pinned: the versions this bundle was built and tested "
                                 f"with (Python {version}).\n"
                                 + "\n".join(pinned_requirements()) + "\n").encode("utf-8")
    config = {"format": 1, "coursekit": __version__, "python": version, "wheel": wheel.name,
              "assignment": ASSIGNMENT, "name": manifest["name"], "visibility": visibility,
              "stdout_visibility": "hidden", "limits": asdict(limits),
              "unsafe_no_sandbox": bool(unsafe_no_sandbox), "execute": bool(execute_code),
              "specification": SPEC_URL}
    files[CONFIG] = (json.dumps(config, indent=2) + "\n").encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in ("setup.sh", "run_autograder") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    partial.replace(out)
    return sorted(files)


# -- running it ------------------------------------------------------------------------------

def _private(assignment: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    bank = assignment / BANK_DIR
    quizzes = [_quizapi.load(assignment / rel, bank if bank.is_dir() else None)
               for rel in manifest["quizzes"].values()]
    return [{item: {k: v for k, v in entry.items() if k in (*KEY_FIELDS, *UNUSED_BANK_FIELDS)}
             for item, entry in getattr(q, "private", {}).items()} for q in quizzes]


def _withhold(text: str, private: list[dict[str, Any]], where: str) -> str:
    """``text``, or a note in its place if it holds a key of the bank (logged for the
    instructor, whose stdout Gradescope keeps hidden)."""
    leaks = find_leaks(text, private)
    if not leaks:
        return text
    print(f"coursekit: {where}: feedback withheld from the student, it holds the key of "
          f"{leaks[0][0]}")
    return WITHHELD


def results_json(report_rows: list[Any], manifest: dict[str, Any], config: dict[str, Any],
                 files: list[str], skipped: list[tuple[str, str]], private: list[dict[str, Any]],
                 seconds: float) -> dict[str, Any]:
    """The ``results.json`` document for one graded submission (rows of ``coursekit grade``)."""
    rows = {r.item: r for r in report_rows}
    problem = rows.get(NOT_GRADED)
    visibility = config.get("visibility", "after_due_date")
    tests: list[dict[str, Any]] = []
    read = [f for f in files if f not in {name for name, _ in skipped}]
    lines = [f"Read: {', '.join(read)}" if read else
             "No notebook or quiz answers file of this assignment was read."]
    lines += [f"Not graded: {name}: {reason}" for name, reason in skipped]
    if problem is not None:
        lines.append(f"Not graded: {problem.feedback}")
    expected = [e["file"] for e in manifest.get("notebooks", [])]
    expected += list(manifest.get("responses", {}).values())
    if not read or problem is not None:
        lines.append(f"Hand in: {', '.join(expected)}")
    tests.append({"name": "Submission received", "number": "0",
                  "status": "passed" if read and problem is None else "failed",
                  "output": "\n".join(lines), "visibility": "visible"})
    for number, item in enumerate((i for i in manifest["items"] if i["auto"]), 1):
        row = rows.get(item["id"])
        if row is None:
            score, feedback = 0.0, f"not graded: {problem.feedback if problem else 'no result'}"
        else:
            score, feedback = row.points, row.feedback
        tests.append({"name": f"{item['id']} ({item['kind']})", "number": str(number),
                      "score": round(float(score), 4), "max_score": float(item["points"]),
                      "output": _withhold(feedback, private, item["id"]),
                      "tags": [item["chapter"], item["kind"]], "visibility": visibility})
    manual = [i for i in manifest["items"] if not i["auto"]]
    summary = [f"{manifest['name']}: {len(tests) - 1} item(s) graded automatically."]
    if manual:
        summary.append("Marked by your instructor, not by this autograder: " + ", ".join(
            f"{i['id']} ({i['kind']}, {float(i['points']):g} points)" for i in manual) + ".")
    if visibility != "visible":
        summary.append(f"Item results are shown {visibility.replace('_', ' ')}.")
    return {"score": round(sum(t.get("score", 0.0) for t in tests), 4),
            "execution_time": round(seconds), "output": " ".join(summary),
            "output_format": "text", "test_output_format": "text", "test_name_format": "text",
            "visibility": visibility, "stdout_visibility": config.get("stdout_visibility",
                                                                       "hidden"),
            "extra_data": {"coursekit": __version__, "assignment": manifest["name"]},
            "tests": tests}


def _failure(message: str, seconds: float) -> dict[str, Any]:
    return {"score": 0, "execution_time": round(seconds),
            "output": f"This submission could not be graded: {message}", "output_format": "text",
            "stdout_visibility": "hidden", "tests": []}


def _write(root: Path, results: dict[str, Any]) -> Path:
    import jsonschema

    jsonschema.validate(results, results_schema())
    path = root / "results" / "results.json"
    write_atomic(path, json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return path


def _config(root: Path) -> dict[str, Any]:
    path = root / "source" / CONFIG
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: missing; is {root / 'source'} an unpacked coursekit "
                                "bundle?") from None


def run(root: Path) -> Path:
    """Grade ``root/submission`` and write ``root/results/results.json`` (always: a failure
    of the grader is a result with score 0 that says why). Returns the path written."""
    root, start = Path(root), time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="coursekit-gradescope-"))
    try:
        config = _config(root)
        assignment = root / "source" / config["assignment"]
        manifest = load_manifest(assignment)
        submission = root / "submission"
        if not submission.is_dir():
            raise FileNotFoundError(f"{submission}: no submission folder")
        staged = work / "submissions" / STUDENT
        shutil.copytree(submission, staged, symlinks=True)
        files = [str(p.relative_to(staged)) for p in _notebook_files(staged)]
        try:
            report = grade(staged.parent, assignment, work / "out",
                           execute_code=config.get("execute", True),
                           limits=Limits(**config["limits"]),
                           unsafe_no_sandbox=config.get("unsafe_no_sandbox", False),
                           hide=[root], progress=print)
        except RuntimeError as exc:  # no sandbox and no opt-in: nothing ran
            if "cannot run student code safely" not in str(exc):
                raise
            print(f"coursekit: {exc}")
            return _write(root, _failure(
                "the autograder cannot run code safely on this platform; nothing was run. This "
                "is not a problem with your work; your instructor has to fix the autograder.",
                time.monotonic() - start))
        skipped = [(name.split("/", 1)[-1], reason) for name, reason in report.skipped]
        results = results_json(report.rows, manifest, config, files, skipped,
                               _private(assignment, manifest), time.monotonic() - start)
        return _write(root, results)
    except Exception as exc:  # the grader's own failure is still a results.json
        print(f"coursekit: grading failed: {type(exc).__name__}: {exc}")
        return _write(root, _failure(f"the autograder failed ({type(exc).__name__}); this is "
                                     "not a problem with your work, please tell your instructor.",
                                     time.monotonic() - start))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # made above by mkdtemp


def selftest(root: Path) -> int:
    """Print whether the sandbox works here (run by ``setup.sh``); never fails the build."""
    config = _config(root)
    if not config.get("execute", True):
        print("coursekit: the bundle runs no student code (built with --no-execute)")
        return 0
    try:
        Sandbox(Limits(**config["limits"]), [root])
        print("coursekit: the grading sandbox works in this image")
    except SandboxUnavailable as exc:
        fallback = ("the bundle was built with --unsafe-no-sandbox: student code will run "
                    "WITHOUT isolation" if config.get("unsafe_no_sandbox") else
                    "every submission will be reported as not graded (nothing runs)")
        print(f"coursekit: WARNING: no grading sandbox in this image ({exc}); {fallback}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m coursekit.assignments.gradescope {run,selftest} [--root /autograder]``."""
    import os

    parser = argparse.ArgumentParser(prog="coursekit.assignments.gradescope")
    parser.add_argument("command", choices=("run", "selftest"))
    parser.add_argument("--root", type=Path,
                        default=Path(os.environ.get("COURSEKIT_AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    if args.command == "selftest":
        return selftest(args.root)
    print(f"results: {run(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
