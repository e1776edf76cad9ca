"""Drawing: the country outlines, the view, legends, SVG symbols and the colour palettes."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import branca.element
import folium

from coursekit.maps import _assets, _places

__all__ = [
    "OUTLINE",
    "PALETTE",
    "RUSSIA_COLOUR",
    "SHAPES",
    "assign",
    "fit",
    "legend",
    "outlines",
    "svg",
    "swatch",
]

OUTLINE = "#3b3b3b"
RUSSIA_COLOUR = "#b2182b"
# Colour-blind-safe qualitative palette (Okabe-Ito, without the red used for Russia).
PALETTE = ("#0072b2", "#009e73", "#e69f00", "#56b4e9", "#cc79a7", "#f0e442", "#000000")
SHAPES = (
    "circle", "square", "triangle", "diamond", "hexagon", "star", "triangle-down", "pentagon",
    "cross", "plus",
)


def assign(values: Iterable[str], palette: Sequence[str]) -> dict[str, str]:
    """Give each distinct value (sorted) the next colour or shape of ``palette``, cycling."""
    return {v: palette[i % len(palette)] for i, v in enumerate(sorted(set(values)))}


def outlines(
    fmap: folium.Map, fill: dict[str, str] | None = None, name: str = "Countries"
) -> folium.GeoJson:
    """Draw every country of ``boundaries.geojson``; ``fill`` colours some by ISO code.

    The features are :func:`_assets.outline_collection`, the same for every map; the rendered
    document reads them from the shared outlines file (see :meth:`CourseMap.render`), and only
    the per-map styles are written into the map.
    """
    fill = fill or {}
    collection = _assets.outline_collection()
    styles: dict[str, dict[str, Any]] = {}
    for feature in collection["features"]:
        p = feature["properties"]
        focus = p["base_fill"] == "#ffffff"
        styles[p["iso3"]] = {
            "color": OUTLINE,
            "weight": 1.6 if focus else 0.8,
            "fillColor": fill.get(p["iso3"], p["base_fill"]),
            "fillOpacity": 0.6 if p["iso3"] in fill else p["base_opacity"],
        }
    countries = _places.boundaries()["features"]
    layer = folium.GeoJson(
        collection,
        name=name,
        control=False,
        style_function=lambda f: styles[f["properties"]["iso3"]],
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)
    for feature in countries:
        props = feature["properties"]
        if props["role"] == "focus":
            folium.Marker(
                [props["label_lat"], props["label_lon"]],
                icon=folium.DivIcon(
                    html=f'<span class="coursekit-label">{html.escape(props["name"])}</span>',
                    class_name="coursekit-icon",
                    icon_size=(0, 0),
                ),
                interactive=False,
                keyboard=False,
            ).add_to(fmap)
    return layer


def fit(fmap: folium.Map, points: Sequence[tuple[float, float]] = ()) -> None:
    """Fit the view to the five Central Asian states (and any points outside them)."""
    lats, lons = [], []
    for feature in _places.boundaries()["features"]:
        if feature["properties"]["role"] == "focus":
            west, south, east, north = feature["properties"]["bbox"]
            lats += [south, north]
            lons += [west, east]
    for lat, lon in points:
        lats.append(lat)
        lons.append(lon)
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])


def legend(fmap: folium.Map, heading: str, items: Sequence[tuple[str, str]], note: str = "") -> str:
    """Add a legend box; ``items`` are (symbol HTML, label text). Returns the legend HTML."""
    lis = "".join(f"<li>{symbol}{html.escape(label)}</li>" for symbol, label in items)
    block = (
        f'<details class="coursekit-legend"><summary>{html.escape(heading)}</summary>'
        f"<ul>{lis}</ul>{note}</details>"
    )
    fmap.get_root().html.add_child(branca.element.Element(block), name="coursekit_legend")
    return block


def svg(shape: str, colour: str, size: int = 16) -> str:
    """An SVG symbol: the marker of installations, and its legend entry."""
    s, h = size, size / 2
    paths = {
        "circle": f'<circle cx="{h}" cy="{h}" r="{h - 1.5}"/>',
        "square": f'<rect x="2" y="2" width="{s - 4}" height="{s - 4}"/>',
        "triangle": f'<polygon points="{h},1.5 {s - 1.5},{s - 2} 1.5,{s - 2}"/>',
        "diamond": f'<polygon points="{h},1 {s - 1},{h} {h},{s - 1} 1,{h}"/>',
        "hexagon": (
            f'<polygon points="{s * .25},1.5 {s * .75},1.5 {s - 1},{h} {s * .75},{s - 1.5} '
            f'{s * .25},{s - 1.5} 1,{h}"/>'
        ),
        "star": (
            f'<polygon points="{h},1 {s * .62},{s * .38} {s - 1},{s * .4} {s * .68},{s * .62} '
            f'{s * .78},{s - 1} {h},{s * .78} {s * .22},{s - 1} {s * .32},{s * .62} 1,{s * .4} '
            f'{s * .38},{s * .38}"/>'
        ),
        "triangle-down": f'<polygon points="1.5,2 {s - 1.5},2 {h},{s - 1.5}"/>',
        "pentagon": (
            f'<polygon points="{h},1 {s - 1},{s * .4} {s * .8},{s - 1} {s * .2},{s - 1} 1,{s * .4}"/>'
        ),
        "cross": (
            f'<polygon points="{s * .3},1 {s * .7},1 {s * .7},{s * .3} {s - 1},{s * .3} {s - 1},{s * .7} '
            f'{s * .7},{s * .7} {s * .7},{s - 1} {s * .3},{s - 1} {s * .3},{s * .7} 1,{s * .7} 1,{s * .3} '
            f'{s * .3},{s * .3}"/>'
        ),
        "plus": (
            f'<polygon points="{s * .4},1 {s * .6},1 {s * .6},{s * .4} {s - 1},{s * .4} {s - 1},{s * .6} '
            f'{s * .6},{s * .6} {s * .6},{s - 1} {s * .4},{s - 1} {s * .4},{s * .6} 1,{s * .6} 1,{s * .4} '
            f'{s * .4},{s * .4}"/>'
        ),
    }
    return (
        f'<svg width="{s}" height="{s}" viewBox="0 0 {s} {s}" aria-hidden="true" '
        f'fill="{colour}" stroke="#1a1a1a" stroke-width="1.2">{paths[shape]}</svg>'
    )


def swatch(colour: str, opacity: float = 0.6) -> str:
    """A filled rectangle: the legend entry of a shaded country."""
    return (
        f'<svg width="16" height="12" aria-hidden="true"><rect x="0.5" y="0.5" width="15" '
        f'height="11" fill="{colour}" fill-opacity="{opacity}" stroke="{OUTLINE}"/></svg>'
    )
