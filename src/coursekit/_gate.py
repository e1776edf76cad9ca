"""The check gate behind ``coursekit check``: everything the book build depends on, in one list.

:func:`run_all` checks, in a book folder ``root``:

- ``datasets``: the data package (:func:`coursekit.data.validate`: schemas, keys, dates,
  provenance, seed quotations, boundaries' properties);
- ``routes``: ``data/routes.yml``, its structure against ``schemas/routes.schema.json`` and
  every quote verbatim in its source (:func:`coursekit.sources.locate`);
- ``boundaries``: ``data/boundaries.geojson`` is a GeoJSON FeatureCollection of polygons whose
  focus countries are exactly the five Central Asian states;
- ``excerpts``: every literal ``excerpt(...)`` in ``chapters/*.ipynb``
  (:func:`coursekit.sources.verify_notebook_excerpts`);
- ``quizzes``: every ``chapters/quizzes/*.yml`` loads (:func:`coursekit.quiz.load`), with the
  book's ``instructor-bank/`` when it has one, and the chapter quizzes keep the book's rules
  (``chapters/quiz-rules.yml``, :mod:`coursekit.quiz.rules`) when it has them;
- ``notes``: the teaching notes ``instructor-bank/notes/chNN.md`` (when the book has that
  folder): one per chapter, the format, and marking guides whose points add up to the written
  parts' points in the chapter notebooks (:func:`coursekit.assignments._notes.check_book`).

The data checks read ``root/data``; a book without a ``data/`` folder uses the datasets
coursekit ships (what its chapters load). Each check reports problems instead of stopping at
the first, and a check that crashes is a problem too, so the gate never says "ok" about
something it did not check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from coursekit.errors import CoursekitError, InputError

__all__ = ["CENTRAL_ASIA", "CHECKS", "GateProblem", "run_all"]

# ISO 3166-1 alpha-3 codes of Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan.
CENTRAL_ASIA = frozenset({"KAZ", "KGZ", "TJK", "TKM", "UZB"})


@dataclass(frozen=True)
class GateProblem:
    """One problem found by the gate: which check found it and the located message."""

    check: str
    message: str

    def __str__(self) -> str:
        return self.message


def data_dir(root: Path) -> Path:
    """``root/data``, or the datasets coursekit ships when the book has no ``data/`` folder."""
    from coursekit._resources import resource_path

    return root / "data" if (root / "data").is_dir() else resource_path("data")


def check_datasets(root: Path) -> list[str]:
    from coursekit import data

    return [str(p) for p in data.validate(data_dir(root))]


def check_routes(root: Path) -> list[str]:
    from coursekit import sources
    from coursekit.errors import Where
    from coursekit.maps import MapInputError
    from coursekit.maps._places import ROUTES_FILE, parse_routes, route_quotes

    path = data_dir(root) / "routes.yml"
    if not path.is_file():
        return [f"{ROUTES_FILE}: missing (coursekit.maps.route_map reads it)"]
    try:
        found = parse_routes(path.read_text(encoding="utf-8"))
    except MapInputError as exc:
        return [str(exc)]
    problems = []
    for route in found:
        for field, quote in route_quotes(route):
            try:
                sources.locate(route["source_id"], quote)
            except (sources.PassageNotFound, sources.UnknownSource) as exc:
                where = Where(ROUTES_FILE, item=route["route_id"], field=field)
                problems.append(where.message(str(exc)))
    return problems


def check_boundaries(root: Path) -> list[str]:
    file = "data/boundaries.geojson"
    path = data_dir(root) / "boundaries.geojson"
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{file}: missing (data/scripts/build_boundaries.py writes it)"]
    except json.JSONDecodeError as exc:
        return [f"{file}, line {exc.lineno}: not valid JSON: {exc.msg}"]
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [f"{file}: expected a GeoJSON FeatureCollection"]
    problems = []
    focus = set()
    for number, feature in enumerate(collection.get("features") or [], start=1):
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        name = f"{file}, feature {number} ({props.get('iso3', 'no iso3')})"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            problems.append(f"{name}: expected a Polygon or MultiPolygon geometry")
        elif not _rings_closed(geometry):
            problems.append(f"{name}: every ring must have 4 or more positions and end where it starts")
        if props.get("role") == "focus":
            focus.add(props.get("iso3"))
    if focus != CENTRAL_ASIA:
        missing, extra = sorted(CENTRAL_ASIA - focus), sorted(focus - CENTRAL_ASIA)
        problems.append(f"{file}: the focus countries must be {', '.join(sorted(CENTRAL_ASIA))}"
                        + (f"; missing {', '.join(missing)}" if missing else "")
                        + (f"; not Central Asian: {', '.join(map(str, extra))}" if extra else ""))
    return problems


def _rings_closed(geometry: dict) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    try:
        return all(len(ring) >= 4 and ring[0] == ring[-1] for polygon in polygons for ring in polygon)
    except TypeError:
        return False


def check_excerpts(root: Path) -> list[str]:
    from coursekit.sources import verify_notebook_excerpts

    problems = []
    for notebook in sorted((root / "chapters").glob("*.ipynb")):
        problems += verify_notebook_excerpts(notebook)
    return problems


def check_quizzes(root: Path) -> list[str]:
    from coursekit import quiz
    from coursekit.assignments._quizapi import default_bank
    from coursekit.quiz import rules

    problems, loaded = [], []
    bank = default_bank(root)  # the instructor bank, when the book has one, is checked with them
    folder = root / "chapters" / "quizzes"
    for path in sorted(folder.glob("*.yml")):
        try:
            loaded.append(quiz.load(path, bank=bank))
        except CoursekitError as exc:  # QuizFileError, an unknown source in a passage...
            problems.append(str(exc))
    try:  # the book's own rules for its chapter quizzes (chapters/quiz-rules.yml)
        return problems + rules.problems(loaded, rules.policy(folder))
    except CoursekitError as exc:
        return [*problems, str(exc)]


def check_notes(root: Path) -> list[str]:
    from coursekit.assignments._notes import check_book

    return check_book(root)


CHECKS: dict[str, Callable[[Path], list[str]]] = {
    "datasets": check_datasets,
    "routes": check_routes,
    "boundaries": check_boundaries,
    "excerpts": check_excerpts,
    "quizzes": check_quizzes,
    "notes": check_notes,
}


def run_all(root: Path | str = ".", only: Iterable[str] | None = None) -> list[GateProblem]:
    """Run every check (or the checks named in ``only``) on the book in ``root``; return the
    problems found (an empty list when all is well).

    A check that raises is reported as a problem of that check, with the exception, so that a
    broken check can never pass silently.
    """
    root = Path(root)
    names = list(CHECKS) if only is None else list(only)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise InputError(f"unknown check(s) {', '.join(map(repr, unknown))}; "
                         f"checks: {', '.join(CHECKS)}")
    problems = []
    for name in names:
        check = CHECKS[name]
        try:
            found = check(root)
        except Exception as exc:  # a crashing check must fail the gate, by name
            found = [f"the {name} check could not run: {type(exc).__name__}: {exc}"]
        problems += [GateProblem(name, message) for message in found]
    return problems
