"""What the maps read: datasets (through :mod:`coursekit.data`), the country outlines of
``data/boundaries.geojson``, place coordinates and the routes of ``data/routes.yml``.

``routes.yml`` is checked here, in one place, for ``route_map`` and for ``coursekit check``:
its structure against ``schemas/routes.schema.json`` (file, line, route and field named) and
every quote against its source with :func:`coursekit.sources.locate`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pandas as pd

from coursekit._resources import resource_path
from coursekit._yamlschema import field_path, first_error, line_of, load_yaml
from coursekit.errors import Where
from coursekit.maps._folium import MapInputError
from coursekit.maps._values import blank, short_citation, text

__all__ = [
    "ROUTES_FILE",
    "boundaries",
    "country_names",
    "load",
    "locate",
    "parse_routes",
    "places",
    "route_quotes",
    "routes",
]

ROUTES_FILE = "data/routes.yml"


def load(name: str) -> pd.DataFrame:
    """A dataset of ``data/datapackage.json`` (:func:`coursekit.data.load`)."""
    from coursekit import data

    return data.load(name)


@lru_cache(maxsize=1)
def _boundaries_text() -> str:
    return resource_path("data", "boundaries.geojson").read_text(encoding="utf-8")


def boundaries() -> dict:
    """The country outlines (a GeoJSON FeatureCollection; a fresh copy on every call)."""
    return json.loads(_boundaries_text())


def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code -> name, for every country drawn."""
    return dict(_country_names())


@lru_cache(maxsize=1)
def _country_names() -> tuple[tuple[str, str], ...]:
    return tuple((f["properties"]["iso3"], f["properties"]["name"]) for f in boundaries()["features"])


def places() -> pd.DataFrame:
    """``data/places.csv`` indexed by ``place_id``."""
    return load("places").set_index("place_id", drop=False)


def locate(place_id: str, table: pd.DataFrame, what: str) -> tuple[float, float, str]:
    """(lat, lon, place name) of ``place_id``, or a clear error naming ``what`` refers to it."""
    if place_id not in table.index:
        raise MapInputError(
            f"{what}: place_id {place_id!r} is not in data/places.csv "
            f"(known place_ids: {', '.join(sorted(map(str, table.index)))})"
        )
    row = table.loc[place_id]
    if blank(row["lat"]) or blank(row["lon"]):
        raise MapInputError(
            f"{what}: place {place_id!r} in data/places.csv has no coordinates (lat, lon)"
        )
    return float(row["lat"]), float(row["lon"]), text(row["name"])


# --------------------------------------------------------------------------- routes.yml


@lru_cache(maxsize=1)
def _routes_text() -> str:
    return resource_path("data", "routes.yml").read_text(encoding="utf-8")


def parse_routes(source_text: str, file: str = ROUTES_FILE) -> list[dict[str, Any]]:
    """The routes of a ``routes.yml`` text, structure checked (quotes not yet).

    Raises :class:`MapInputError` naming the file, line, route and field of the first fault.
    """
    loaded, node = load_yaml(source_text, file)
    found = first_error(loaded, "routes.schema.json")
    if found is not None:
        path, message = found
        item = None
        if len(path) >= 2 and path[0] == "routes" and isinstance(path[1], int):
            entry = loaded["routes"][path[1]]
            item = entry.get("route_id") if isinstance(entry, dict) else None
        where = Where(file, line=line_of(node, path), item=item,
                      field=field_path(path[2:] if item else path) or None)
        raise MapInputError(where.message(message))
    return loaded["routes"]


def route_quotes(route: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, quote) for every quotation of a (structurally valid) route."""
    return [
        *((f"quotes[{i}]", q) for i, q in enumerate(route["quotes"])),
        *((f"stages[{i}].quote", s["quote"]) for i, s in enumerate(route["stages"])),
        *((f"hubs[{i}].quote", h["quote"]) for i, h in enumerate(route.get("hubs", []))),
    ]


def routes() -> dict[str, dict]:
    """The route definitions of ``data/routes.yml``, by ``route_id``.

    The structure is checked against its schema and every quote against its source with
    :func:`coursekit.sources.locate` (which raises ``PassageNotFound`` if a quote is not
    verbatim). Each route gains a ``citation`` ("Author (date)").
    """
    from coursekit import sources

    found = {}
    for route in parse_routes(_routes_text()):
        for _, quote in route_quotes(route):
            sources.locate(route["source_id"], quote)
        route["citation"] = short_citation(route["source_id"])
        found[route["route_id"]] = route
    return found
