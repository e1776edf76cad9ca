"""Route maps: a route described in a source (``data/routes.yml``), drawn schematically."""

from __future__ import annotations

import html

import folium
import pandas as pd

from coursekit.maps import _places
from coursekit.maps._draw import fit, legend, outlines, svg, swatch
from coursekit.maps._folium import MapInputError, base_map, map_key, popup
from coursekit.maps._result import CourseMap
from coursekit.maps._values import check_choices

__all__ = ["route_map"]


def route_map(route_id: str, *, tiles: str | None = "OpenStreetMap") -> CourseMap:
    """A route described in a source, drawn schematically and only as far as the text goes.

    The countries the source names are shaded by stage, the hubs it names are marked, and the
    legend quotes the passage. No line is drawn where the source gives no path.

    Parameters
    ----------
    route_id : str
        A ``route_id`` of ``data/routes.yml`` (e.g. ``"northern-route"``).
    """
    known = _places.routes()
    check_choices("route_id", [route_id], known)
    route = known[route_id]
    places = _places.places()
    names = _places.country_names()
    stage_colours = ("#fdae61", "#f46d43", "#d73027", "#a50026", "#762a83")
    fill: dict[str, str] = {}
    records = []
    for i, stage in enumerate(route["stages"]):
        for iso3 in stage.get("countries", []):
            if iso3 not in names:
                raise MapInputError(
                    f"data/routes.yml, route {route_id!r}, stage {i + 1}: country {iso3!r} is not "
                    f"in data/boundaries.geojson (drawn: {', '.join(sorted(names))})"
                )
            fill.setdefault(iso3, stage_colours[i % len(stage_colours)])
            records.append(
                {"stage": i + 1, "role": stage["label"], "where": names[iso3],
                 "as the source says": stage["quote"]}
            )
        for other in stage.get("not_drawn", []):
            records.append(
                {"stage": i + 1, "role": stage["label"], "where": f"{other} (not drawn)",
                 "as the source says": stage["quote"]}
            )
    title = f"{route['title']} (schematic)"
    key = map_key("route_map", route_id=route_id, tiles=tiles)
    fmap = base_map(title, tiles)
    outlines(fmap, fill=fill)
    for hub in route.get("hubs", []):
        what = f"data/routes.yml, route {route_id!r}, hub"
        lat, lon, name = _places.locate(hub["place_id"], places, what)
        records.append(
            {"stage": "", "role": "hub", "where": name, "as the source says": hub["quote"]}
        )
        folium.CircleMarker(
            [lat, lon],
            radius=8,
            color="#1a1a1a",
            weight=2,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1,
            tooltip=f"{name}: transit hub named in the source",
            popup=popup(name, [("Source", f"{route['source_id']}: “{hub['quote']}”")]),
        ).add_to(fmap)
    quotes = "".join(f"<blockquote>“{html.escape(q)}”</blockquote>" for q in route["quotes"])
    legend(
        fmap,
        f"{route['title']}: schematic",
        [
            (swatch(stage_colours[i % len(stage_colours)], 0.6), f"{i + 1}. {s['label']}")
            for i, s in enumerate(route["stages"])
        ]
        + ([(svg("circle", "#ffffff", 12), "hub named in the source")] if route.get("hubs") else []),
        f"{quotes}<p>— {html.escape(route['citation'])}. Schematic: the countries as the text "
        f"names them, not an actual path. {html.escape(route.get('note', ''))}</p>",
    )
    fit(fmap)
    frame = pd.DataFrame(records, columns=["stage", "role", "where", "as the source says"])
    summary = (
        f"Schematic, after {route['citation']}: " + " ".join(f"“{q}”" for q in route["quotes"])
        + (f" {route['note']}" if route.get("note") else "")
    )
    return CourseMap(fmap, title, frame, summary, key)
