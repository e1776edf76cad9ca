"""Maps of the course datasets: installations, memberships, events and routes.

Every function returns a :class:`CourseMap`. In a notebook it shows as the interactive
Leaflet map (an ``<iframe>`` with a ``title``) followed by a text alternative built from the
same rows (a collapsible table); ``.folium`` is the raw :class:`folium.Map`, ``.table`` the
rows as a :class:`pandas.DataFrame` and ``str(course_map)`` the plain-text alternative.

Every map draws the country outlines of ``data/boundaries.geojson`` (Natural Earth), so it is
legible without map tiles; OpenStreetMap tiles are the only network resource. Maps use only
Leaflet and jQuery (no Bootstrap or icon fonts): in a live notebook folium loads them from its
CDNs, in the built book ``coursekit.sphinxext`` points them at the copies in ``vendor/``.

The output is deterministic: element ids derive from the map's name and arguments, so the same
call gives byte-identical HTML.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import itertools
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import branca.element
import folium
import pandas as pd
import yaml

from coursekit._resources import resource_path

__all__ = [
    "CourseMap",
    "CourseMapGrid",
    "MapInputError",
    "boundaries",
    "events_map",
    "installations_map",
    "membership_map",
    "membership_maps",
    "route_map",
    "routes",
]

# folium 0.20's CDN copies of the two libraries coursekit maps need (see vendor/MANIFEST.json).
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
JQUERY_JS = "https://code.jquery.com/jquery-3.7.1.min.js"

HEIGHT = 480  # pixels, the iframe height in a page
OUTLINE = "#3b3b3b"
RUSSIA_COLOUR = "#b2182b"
# Colour-blind-safe qualitative palette (Okabe-Ito, without the red used for Russia).
PALETTE = ("#0072b2", "#009e73", "#e69f00", "#56b4e9", "#cc79a7", "#f0e442", "#000000")
SHAPES = (
    "circle", "square", "triangle", "diamond", "hexagon", "star", "triangle-down", "pentagon",
    "cross", "plus",
)


class MapInputError(ValueError):
    """A map was asked for something the datasets do not contain."""


# --------------------------------------------------------------------------- determinism

_ID_LOCK = threading.RLock()


@contextlib.contextmanager
def _stable_ids(key: str) -> Iterator[None]:
    """Give every branca/folium element created inside the block a deterministic id.

    folium ids are 32 random hex digits; here they are the first 20 hex digits of
    SHA-256(``key``) followed by a 12-digit counter, so they still look like folium ids, differ
    between maps, and repeat exactly for the same map.
    """
    prefix = hashlib.sha256(key.encode()).hexdigest()[:20]
    counter = itertools.count(1)

    def generate(cls: type) -> str:
        return f"{prefix}{next(counter):012x}"

    with _ID_LOCK:
        original = branca.element.Element.__dict__["_generate_id"]
        branca.element.Element._generate_id = classmethod(generate)  # type: ignore[assignment]
        try:
            yield
        finally:
            branca.element.Element._generate_id = original  # type: ignore[assignment]


@contextlib.contextmanager
def _compact_json() -> Iterator[None]:
    """Make jinja's ``tojson`` (folium's embedded GeoJSON) compact while rendering."""
    policies = folium.features.GeoJson._template.environment.policies
    with _ID_LOCK:
        saved = policies["json.dumps_kwargs"]
        policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
        try:
            yield
        finally:
            policies["json.dumps_kwargs"] = saved


# --------------------------------------------------------------------------- the result


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _js_safe(fragment: str) -> str:
    """HTML for a folium popup: folium puts it in a JavaScript template literal."""
    return fragment.replace("`", "&#96;").replace("${", "&#36;{").replace("\\", "&#92;")


@dataclass
class CourseMap:
    """A course map: the folium map plus a text alternative built from the same rows.

    Attributes
    ----------
    folium : folium.Map
        The map itself; change it freely, the HTML is rendered on demand.
    title : str
        Short title; the iframe is titled ``"Map: <title>"``.
    table : pandas.DataFrame
        One row per thing drawn (or listed), the text alternative.
    summary : str
        One or two sentences saying what the map shows and what it leaves out.
    key : str
        The name and arguments of the call; seeds the element ids.
    """

    folium: folium.Map
    title: str
    table: pd.DataFrame
    summary: str
    key: str
    height: int = HEIGHT

    def render(self) -> str:
        """The complete HTML document of the map (what goes in the iframe's ``srcdoc``)."""
        with _stable_ids(self.key + "#render"), _compact_json():
            return self.folium.get_root().render()

    def text(self) -> str:
        """The plain-text alternative: summary and table."""
        if self.table.empty:
            return f"{self.title}\n{self.summary}\n(no rows)"
        return f"{self.title}\n{self.summary}\n\n{self.table.to_string(index=False)}"

    def details_html(self) -> str:
        """The text alternative as a collapsible HTML block."""
        rows = (
            self.table.to_html(index=False, border=0, classes="coursekit-map-table", na_rep="")
            if not self.table.empty
            else "<p>(no rows)</p>"
        )
        return (
            '<details class="coursekit-map-text">'
            f"<summary>Text alternative: {html.escape(self.title)}</summary>"
            f"<p>{html.escape(self.summary)}</p>{rows}</details>"
        )

    def iframe_html(self) -> str:
        return (
            f'<iframe title="{_attr("Map: " + self.title)}" srcdoc="{_attr(self.render())}" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ccc" '
            'allowfullscreen></iframe>'
        )

    def _repr_html_(self) -> str:
        return f'<div class="coursekit-map">{self.iframe_html()}{self.details_html()}</div>'

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def save(self, path: str) -> None:
        """Write the stand-alone map document to ``path`` (atomically)."""
        from coursekit._resources import write_atomic

        write_atomic(path, self.render())


@dataclass
class CourseMapGrid:
    """Several :class:`CourseMap` side by side (a CSS grid of iframes) with their texts."""

    maps: list[CourseMap]
    title: str
    columns: int = 2
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    def _repr_html_(self) -> str:
        cells = "".join(f"<div>{m.iframe_html()}</div>" for m in self.maps)
        details = "".join(m.details_html() for m in self.maps)
        return (
            f'<div class="coursekit-map-grid" role="group" aria-label="{_attr(self.title)}">'
            f'<div style="display:grid;grid-template-columns:repeat({self.columns},1fr);gap:8px">'
            f"{cells}</div>{details}</div>"
        )

    def text(self) -> str:
        return "\n\n".join(m.text() for m in self.maps)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()


# --------------------------------------------------------------------------- data access


@lru_cache(maxsize=1)
def _boundaries_text() -> str:
    return resource_path("data", "boundaries.geojson").read_text(encoding="utf-8")


def boundaries() -> dict:
    """The country outlines (a GeoJSON FeatureCollection; a fresh copy on every call)."""
    return json.loads(_boundaries_text())


def _country_names() -> dict[str, str]:
    return {f["properties"]["iso3"]: f["properties"]["name"] for f in boundaries()["features"]}


@lru_cache(maxsize=1)
def _routes_text() -> str:
    return resource_path("data", "routes.yml").read_text(encoding="utf-8")


def routes() -> dict[str, dict]:
    """The route definitions of ``data/routes.yml``, by ``route_id``.

    Every quote is checked against its source with :func:`coursekit.sources.verify_quote`
    (which raises if a quote is not verbatim).
    """
    from coursekit import sources

    loaded = yaml.safe_load(_routes_text())
    found = {}
    for route in loaded["routes"]:
        quotes = [
            *route["quotes"],
            *(s["quote"] for s in route["stages"]),
            *(h["quote"] for h in route.get("hubs", [])),
        ]
        for quote in quotes:
            sources.verify_quote(route["source_id"], quote)
        record = sources.record(route["source_id"])
        route["citation"] = f"{record.author_label} ({record.display_date})"
        found[route["route_id"]] = route
    return found


def _load(name: str) -> pd.DataFrame:
    from coursekit import data

    return data.load(name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def _year(value: Any) -> int | None:
    """The year of a date-ish value ("2003", "2003-10", "2003-10-23", 2003)."""
    if _blank(value):
        return None
    return int(str(value).strip()[:4])


def _horizon() -> str:
    """The last day of the year of the newest source text: what the data can speak for."""
    from coursekit import sources

    return f"{max(r.year for r in sources.records().values())}-12-31"


def _places() -> pd.DataFrame:
    return _load("places").set_index("place_id", drop=False)


def _locate(place_id: str, places: pd.DataFrame, what: str) -> tuple[float, float, str]:
    """(lat, lon, place name) of ``place_id``, or a clear error naming ``what`` refers to it."""
    if place_id not in places.index:
        raise MapInputError(
            f"{what}: place_id {place_id!r} is not in data/places.csv "
            f"(known place_ids: {', '.join(sorted(map(str, places.index)))})"
        )
    row = places.loc[place_id]
    if _blank(row["lat"]) or _blank(row["lon"]):
        raise MapInputError(
            f"{what}: place {place_id!r} in data/places.csv has no coordinates (lat, lon)"
        )
    return float(row["lat"]), float(row["lon"]), _text(row["name"])


def _check_choices(kind: str, given: Iterable[str] | None, valid: Iterable[str]) -> list[str] | None:
    if given is None:
        return None
    given = [given] if isinstance(given, str) else list(given)
    valid = sorted(set(valid))
    unknown = [g for g in given if g not in valid]
    if unknown:
        raise MapInputError(
            f"unknown {kind} {', '.join(map(repr, unknown))}; valid {kind}s: {', '.join(valid)}"
        )
    return given


def _iso_date(value: str, what: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise MapInputError(f"{what}: {value!r} is not a date in the form YYYY-MM-DD") from None


# --------------------------------------------------------------------------- map building


def _base_map(title: str, tiles: str | None) -> folium.Map:
    """A map of the region with the country outlines, using only Leaflet and jQuery."""
    fmap = folium.Map(location=[44.0, 66.0], zoom_start=4, tiles=None, control_scale=True)
    if tiles:
        # An overlay outside the layer control, so that date "base layers" never hide it.
        folium.TileLayer(tiles, overlay=True, control=False).add_to(fmap)
    # Only what coursekit maps use: no Bootstrap, Font Awesome or awesome-markers.
    fmap.default_js = [("leaflet", LEAFLET_JS), ("jquery", JQUERY_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    fmap.get_root().title = title
    fmap.get_root().header.add_child(
        branca.element.Element(
            "<style>.coursekit-label{font:600 11px/1.1 sans-serif;color:#333;white-space:nowrap;"
            "text-shadow:0 0 3px #fff,0 0 3px #fff;pointer-events:none}"
            ".coursekit-legend{position:absolute;z-index:1000;bottom:22px;right:8px;max-width:44%;"
            "background:rgba(255,255,255,.93);padding:4px 8px;border:1px solid #999;"
            "border-radius:4px;font:12px/1.35 sans-serif;max-height:55%;overflow:auto}"
            ".coursekit-legend summary{font-weight:600;cursor:pointer}"
            ".coursekit-legend ul{list-style:none;margin:0;padding:0}"
            ".coursekit-legend svg{vertical-align:middle;margin-right:4px}"
            ".coursekit-legend blockquote{margin:4px 0;font-style:italic}"
            ".coursekit-icon{background:none;border:none}"
            ".coursekit-popup{max-height:240px;overflow:auto;font:12px/1.4 sans-serif}</style>"
        ),
        name="coursekit_style",
    )
    return fmap


def _outlines(
    fmap: folium.Map, fill: dict[str, str] | None = None, name: str = "Countries"
) -> folium.GeoJson:
    """Draw every country of ``boundaries.geojson``; ``fill`` colours some by ISO code.

    Only ``iso3``, ``name``, ``tooltip`` and the default fill are embedded per feature, and
    the JSON is written compactly (see :meth:`CourseMap.render`), to keep pages light.
    """
    fill = fill or {}
    features = []
    styles: dict[str, dict[str, Any]] = {}
    for feature in boundaries()["features"]:
        p = feature["properties"]
        focus = p["role"] == "focus"
        base_fill = "#ffffff" if focus else "#d9d9d9"
        base_opacity = 0.15 if focus else 0.35
        styles[p["iso3"]] = {
            "color": OUTLINE,
            "weight": 1.6 if focus else 0.8,
            "fillColor": fill.get(p["iso3"], base_fill),
            "fillOpacity": 0.6 if p["iso3"] in fill else base_opacity,
        }
        features.append(
            {
                "type": "Feature",
                "id": p["iso3"],
                "properties": {
                    "iso3": p["iso3"],
                    "name": p["name"],
                    "tooltip": p["name"] + (" (drawn only within the map's box)" if p["clipped"] else ""),
                    "base_fill": base_fill,
                    "base_opacity": base_opacity,
                },
                "geometry": feature["geometry"],
            }
        )
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        control=False,
        style_function=lambda f: styles[f["properties"]["iso3"]],
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
    ).add_to(fmap)
    for feature in boundaries()["features"]:
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


def _fit(fmap: folium.Map, points: Sequence[tuple[float, float]] = ()) -> None:
    """Fit the view to the five Central Asian states (and any points outside them)."""
    lats, lons = [], []
    for feature in boundaries()["features"]:
        if feature["properties"]["role"] == "focus":
            west, south, east, north = feature["properties"]["bbox"]
            lats += [south, north]
            lons += [west, east]
    for lat, lon in points:
        lats.append(lat)
        lons.append(lon)
    fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])


def _legend(fmap: folium.Map, heading: str, items: Sequence[tuple[str, str]], note: str = "") -> str:
    """Add a legend box; ``items`` are (symbol HTML, label text). Returns the legend HTML."""
    lis = "".join(f"<li>{symbol}{html.escape(label)}</li>" for symbol, label in items)
    block = (
        f'<details class="coursekit-legend"><summary>{html.escape(heading)}</summary>'
        f"<ul>{lis}</ul>{note}</details>"
    )
    fmap.get_root().html.add_child(branca.element.Element(block), name="coursekit_legend")
    return block


def _svg(shape: str, colour: str, size: int = 16) -> str:
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


def _swatch(colour: str, opacity: float = 0.6) -> str:
    return (
        f'<svg width="16" height="12" aria-hidden="true"><rect x="0.5" y="0.5" width="15" '
        f'height="11" fill="{colour}" fill-opacity="{opacity}" stroke="{OUTLINE}"/></svg>'
    )


def _popup(title: str, lines: Sequence[tuple[str, str]]) -> folium.Popup:
    """A popup: bold title, then "label: value" lines (plain text, escaped)."""
    body = "".join(
        f"<br><b>{html.escape(label)}:</b> {html.escape(value)}" for label, value in lines if value
    )
    return folium.Popup(
        _js_safe(f'<div class="coursekit-popup"><b>{html.escape(title)}</b>{body}</div>'), max_width=340
    )


def _key(function: str, **kwargs: Any) -> str:
    return function + json.dumps(kwargs, sort_keys=True, default=str)


def _new_map(key: str, title: str, tiles: str | None) -> tuple[folium.Map, contextlib.ExitStack]:
    stack = contextlib.ExitStack()
    stack.enter_context(_stable_ids(key))
    return _base_map(title, tiles), stack


# --------------------------------------------------------------------------- sources


def _cite(kind: Any, source: Any, quote: Any = None) -> str:
    """A readable citation of a dataset's source fields.

    ``kind`` ``seed``: ``source`` is a source id, shown as author and date; ``web``: ``source``
    is ``"Title — publisher <url>"``, kept as it is. The quote follows in typographic quotes.
    """
    if _blank(source):
        return ""
    text = _text(source)
    if _text(kind) == "seed":
        from coursekit import sources

        record = sources.record(text)
        text = f"{record.author_label} ({record.display_date})"
    return text + (f": “{_text(quote)}”" if not _blank(quote) else "")


def _cite_row(row: pd.Series, prefix: str = "") -> str:
    return _cite(
        row.get(f"{prefix}source_kind"), row.get(f"{prefix}source"), row.get(f"{prefix}source_quote")
    )


def _mentioned_in(ids: Any) -> str:
    """``"talantbekova-2024;evsikov-shafir-2011"`` as authors and dates."""
    from coursekit import sources

    shown = []
    for source_id in filter(None, (i.strip() for i in _text(ids).split(";"))):
        record = sources.record(source_id)
        shown.append(f"{record.author_label} ({record.display_date})")
    return "; ".join(shown)


def _show_date(value: Any, precision: Any) -> str:
    """A date at its precision: ``2003-10`` for month, ``2004`` for year."""
    if _blank(value):
        return ""
    value = _text(value)
    return {"year": value[:4], "month": value[:7]}.get(_text(precision), value)


# --------------------------------------------------------------------------- installations


def _styles(values: Iterable[str], palette: Sequence[str]) -> dict[str, str]:
    return {v: palette[i % len(palette)] for i, v in enumerate(sorted(set(values)))}


def _terms_text(terms: pd.DataFrame) -> list[str]:
    """One line per term of ``data/installation_terms.csv``, with its source and any flag."""
    lines = []
    for _, t in terms.iterrows():
        value = _text(t["value"]) + (f"–{_text(t['value_high'])}" if not _blank(t.get("value_high")) else "")
        unit = _text(t.get("unit"))
        shown = value if unit in {"year", ""} else f"{value} {unit}"
        line = f"{_text(t['term']).replace('_', ' ')}: {shown}"
        if not _blank(t.get("year_referred")):
            line += f" (as of {_text(t['year_referred'])})"
        if not _blank(t.get("flag")):
            line += f" [disputed: {_text(t['flag'])}]"
        lines.append(line + f" — {_cite_row(t)}")
    return lines


def installations_map(
    year: int | None = None,
    operators: str | Sequence[str] | None = None,
    types: str | Sequence[str] | None = None,
    *,
    tiles: str | None = "OpenStreetMap",
) -> CourseMap:
    """Foreign military installations in Central Asia, by operator and type.

    Parameters
    ----------
    year : int, optional
        Show only installations open at some time in that year: opened in or before it and
        not closed before it. Installations whose opening date is not in the data are then
        left out (the summary says how many). ``None`` shows all.
    operators, types : str or list of str, optional
        Keep only these operators (ISO codes, e.g. ``"RUS"``) / types of
        ``data/installations.csv``.
    tiles : str or None
        folium tiles; ``None`` draws the outlines only.

    Raises
    ------
    MapInputError
        For an unknown operator or type, a year outside the years the data covers, or an
        installation whose place is unknown or has no coordinates.
    """
    table = _load("installations")
    terms = _load("installation_terms")
    places = _places()
    names = _country_names()
    operators = _check_choices("operator", operators, table["operator"].dropna())
    types = _check_choices("type", types, table["type"].dropna())
    colours = _styles([o for o in table["operator"] if o != "RUS"], PALETTE) | {"RUS": RUSSIA_COLOUR}
    shapes = _styles(table["type"], SHAPES)

    if year is not None:
        opened = [y for y in map(_year, table["opened"]) if y is not None]
        closed = [y for y in map(_year, table["closed"]) if y is not None]
        first, last = min(opened), max([*opened, *closed, int(_horizon()[:4])])
        if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
            raise MapInputError(
                f"year {year!r} is outside the installations data: choose a year from {first} "
                f"(the first opening in data/installations.csv) to {last} (the newest source)"
            )
    rows, undated = [], []
    for _, row in table.sort_values("installation_id").iterrows():
        if operators is not None and row["operator"] not in operators:
            continue
        if types is not None and row["type"] not in types:
            continue
        opened, closed = _year(row["opened"]), _year(row["closed"])
        if year is not None:
            if opened is None:
                undated.append(_text(row["name"]))
                continue
            if opened > year or (closed is not None and closed < year):
                continue
        rows.append(row)

    title = "Foreign military installations in Central Asia" + (f", {year}" if year else "")
    key = _key("installations_map", year=year, operators=operators, types=types, tiles=tiles)
    fmap, ids = _new_map(key, title, tiles)
    with ids:
        _outlines(fmap)
        records, points = [], []
        groups: dict[str, folium.FeatureGroup] = {}
        for row in rows:
            what = f"data/installations.csv, installation {row['installation_id']!r}"
            lat, lon, town = _locate(row["place_id"], places, what)
            points.append((lat, lon))
            opened = _show_date(row["opened"], row.get("opened_precision")) or "date not in the data"
            closed = _show_date(row["closed"], row.get("closed_precision"))
            dates = f"opened {opened}" + (f", closed {closed}" if closed else "")
            lease = _terms_text(terms[terms["installation_id"] == row["installation_id"]])
            op = _text(row["operator"])
            op_label = f"{op} ({names[op]})" if op in names else op
            sources = [
                ("Source", _cite_row(row)),
                ("Opening date", _cite_row(row, "opened_")),
                ("Closing date", _cite_row(row, "closed_")),
            ]
            records.append(
                {
                    "installation": _text(row["name"]),
                    "town": town,
                    "host": _text(row["host_iso3"]),
                    "operator": op,
                    "type": _text(row["type"]),
                    "dates": dates,
                    "lease terms": "; ".join(lease),
                    "note": _text(row.get("note")),
                    "sources": "; ".join(f"{k}: {v}" for k, v in sources if v),
                }
            )
            if op not in groups:
                groups[op] = folium.FeatureGroup(name=f"Operator: {op_label}").add_to(fmap)
            folium.Marker(
                [lat, lon],
                icon=folium.DivIcon(
                    html=_svg(shapes[row["type"]], colours[op]),
                    icon_size=(16, 16),
                    icon_anchor=(8, 8),
                    class_name="coursekit-icon",
                ),
                title=_text(row["name"]),
                alt=_text(row["name"]),
                popup=_popup(
                    _text(row["name"]),
                    [
                        ("Town", town),
                        ("Operator", op_label),
                        ("Type", _text(row["type"])),
                        ("Dates", dates),
                        *[("Lease terms", line) for line in lease],
                        ("Note", _text(row.get("note"))),
                        *sources,
                    ],
                ),
            ).add_to(groups[op])
        shown_ops = sorted({r["operator"] for r in records})
        shown_types = sorted({r["type"] for r in records})
        _legend(
            fmap,
            "Operator (colour) and type (shape)",
            [(_svg("circle", colours[o], 12), f"{o} ({names[o]})" if o in names else o) for o in shown_ops]
            + [(_svg(shapes[t], "#bbbbbb", 12), t) for t in shown_types],
        )
        if len(groups) > 1:
            folium.LayerControl(collapsed=True).add_to(fmap)
        _fit(fmap, points)
    frame = pd.DataFrame(
        records,
        columns=[
            "installation", "town", "host", "operator", "type", "dates", "lease terms", "note", "sources",
        ],
    )
    summary = (
        f"{len(frame)} installation(s) from data/installations.csv"
        + (f" open in {year}" if year else "")
        + ". Colour shows the operating state (Russia in red), shape the type."
        + (
            f" Not shown because the data has no opening date: {', '.join(undated)}."
            if undated
            else ""
        )
    )
    return CourseMap(fmap, title, frame, summary, key)


# --------------------------------------------------------------------------- memberships


def _org_dates(org_id: str, memberships: pd.DataFrame) -> tuple[str, str]:
    """First membership start of ``org_id``, and the last date the data speaks for."""
    rows = memberships[memberships["org_id"] == org_id]
    dates = sorted(_text(d) for d in [*rows["start"], *rows["end"]] if not _blank(d))
    return min(_text(s) for s in rows["start"] if not _blank(s)), max(dates[-1], _horizon())


def _members_on(org_id: str, on: str, role: str) -> list[str]:
    from coursekit import data

    found = data.members(org_id, on, role=role)
    return sorted(found)


def membership_map(
    org_id: str,
    on: str | Sequence[str],
    *,
    tiles: str | None = "OpenStreetMap",
) -> CourseMap:
    """Countries belonging to an organisation on one or more dates.

    Parameters
    ----------
    org_id : str
        An ``org_id`` of ``data/memberships.csv`` (e.g. ``"csto"``).
    on : str or list of str
        Date(s) ``YYYY-MM-DD``. Several dates become layers you switch between (the first one
        is shown); the text alternative has one column per date.
    tiles : str or None
        folium tiles; ``None`` draws the outlines only.

    Raises
    ------
    MapInputError
        For an unknown organisation or a date before the organisation's first membership in the
        data.
    """
    memberships = _load("memberships")
    _check_choices("org_id", [org_id], memberships["org_id"].dropna())
    dates = [on] if isinstance(on, str) else list(on)
    if not dates:
        raise MapInputError("membership_map: give at least one date in 'on'")
    first, last = _org_dates(org_id, memberships)
    dates = [_iso_date(d, f"membership_map({org_id!r})") for d in dates]
    for d in dates:
        if not first <= d <= last:
            raise MapInputError(
                f"date {d!r} is outside the data for {org_id!r}: data/memberships.csv covers "
                f"{first} to {last}"
            )
    names = _country_names()
    roles = sorted(set(memberships.loc[memberships["org_id"] == org_id, "role"].dropna()))
    role_colours = {"member": "#2166ac"} | {
        r: c
        for r, c in zip(
            [r for r in roles if r != "member"], ("#92c5de", "#f4a582", "#d1e5f0"), strict=False
        )
    }
    status: dict[str, dict[str, str]] = {}
    for d in dates:
        for role in roles:
            for iso3 in _members_on(org_id, d, role):
                status.setdefault(iso3, {})[d] = role

    title = f"Members of {org_id.upper()} on " + ", ".join(dates)
    key = _key("membership_map", org_id=org_id, on=dates, tiles=tiles)
    fmap, ids = _new_map(key, title, tiles)
    first_fill = {iso3: role_colours[r[dates[0]]] for iso3, r in status.items() if dates[0] in r}
    with ids:
        outlines = _outlines(fmap, fill=first_fill)
        if len(dates) > 1:
            # One radio button per date (Leaflet base layers, empty) restyles the outlines,
            # so the geometry is embedded once however many dates there are.
            for i, d in enumerate(dates):
                folium.FeatureGroup(name=f"{org_id.upper()} on {d}", overlay=False, show=i == 0).add_to(
                    fmap
                )
            by_date = {
                f"{org_id.upper()} on {d}": {
                    iso3: role_colours[r[d]] for iso3, r in sorted(status.items()) if d in r
                }
                for d in dates
            }
            script = (
                "{map}.on('baselayerchange', function (e) {{\n"
                "  var fills = {fills}[e.name] || {{}};\n"
                "  {layer}.setStyle(function (f) {{\n"
                "    var c = fills[f.properties.iso3];\n"
                "    var p = f.properties;\n"
                "    return c ? {{fillColor: c, fillOpacity: 0.6}}\n"
                "             : {{fillColor: p.base_fill, fillOpacity: p.base_opacity}};\n"
                "  }});\n"
                "}});"
            )
            macro = branca.element.MacroElement()
            macro._template = branca.element.Template(
                "{% macro script(this, kwargs) %}"
                + script.format(
                    map=fmap.get_name(),
                    layer=outlines.get_name(),
                    fills=json.dumps(by_date, sort_keys=True).replace("</", "<\\/"),
                )
                + "{% endmacro %}"
            )
            fmap.add_child(macro, name="coursekit_membership_switch")
            folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
        drawn = {f["properties"]["iso3"] for f in boundaries()["features"]}
        off_map = sorted(iso for iso in status if iso not in drawn)
        note = (
            f"<p>Also in the data but outside this map: {html.escape(', '.join(off_map))}.</p>"
            if off_map
            else ""
        )
        _legend(
            fmap,
            org_id.upper() + (" (choose the date top right)" if len(dates) > 1 else f" on {dates[0]}"),
            [(_swatch(role_colours[r]), r) for r in roles],
            note,
        )
        _fit(fmap)
    records = [
        {"iso3": iso3, "country": names.get(iso3, iso3)} | {d: status[iso3].get(d, "") for d in dates}
        for iso3 in sorted(status)
    ]
    frame = pd.DataFrame(records, columns=["iso3", "country", *dates])
    summary = (
        f"Countries recorded in data/memberships.csv as belonging to {org_id.upper()} "
        f"(role shown) on {', '.join(dates)}."
        + (f" Not drawn (outside the map): {', '.join(off_map)}." if off_map else "")
    )
    return CourseMap(fmap, title, frame, summary, key)


def membership_maps(
    org_id: str, dates: Sequence[str], *, columns: int = 2, tiles: str | None = "OpenStreetMap"
) -> CourseMapGrid:
    """One small membership map per date, side by side (see :func:`membership_map`)."""
    if isinstance(dates, str) or not dates:
        raise MapInputError("membership_maps: give a list of dates, e.g. ['2004-01-01', '2015-01-01']")
    maps = [membership_map(org_id, d, tiles=tiles) for d in dates]
    for m in maps:
        m.height = 340
    return CourseMapGrid(maps, f"Members of {org_id.upper()} on {', '.join(dates)}", columns)


# --------------------------------------------------------------------------- events


def events_map(
    start: str | None = None,
    end: str | None = None,
    categories: str | Sequence[str] | None = None,
    *,
    tiles: str | None = "OpenStreetMap",
) -> CourseMap:
    """Dated events that have a place, with popups citing their sources.

    Parameters
    ----------
    start, end : str, optional
        Keep events dated from ``start`` to ``end`` inclusive (``YYYY``, ``YYYY-MM`` or
        ``YYYY-MM-DD``, compared as in :func:`coursekit.data.events_between`).
    categories : str or list of str, optional
        Keep only these categories of ``data/events.csv``.

    Raises
    ------
    MapInputError
        For an unknown category or an event whose place is unknown or has no coordinates.
    """
    from coursekit import data

    events = _load("events")
    categories = _check_choices("category", categories, events["category"].dropna())
    if start is not None or end is not None:
        events = data.events_between(start, end)
    if categories is not None:
        events = events[events["category"].isin(categories)]
    places = _places()
    colours = _styles(_load("events")["category"].dropna(), PALETTE)
    title = "Events" + (f" from {start}" if start else "") + (f" to {end}" if end else "")
    key = _key("events_map", start=start, end=end, categories=categories, tiles=tiles)
    fmap, ids = _new_map(key, title, tiles)
    records, unplaced = [], 0
    with ids:
        _outlines(fmap)
        points = []
        placed = events[[not _blank(p) for p in events["place_id"]]]
        stacked = placed["place_id"].value_counts().to_dict()
        seen: dict[str, int] = {}
        for _, row in events.sort_values(["date", "event_id"]).iterrows():
            if _blank(row.get("place_id")):
                unplaced += 1
                continue
            what = f"data/events.csv, event {row['event_id']!r}"
            lat, lon, place = _locate(row["place_id"], places, what)
            seen[row["place_id"]] = seen.get(row["place_id"], -1) + 1
            points.append((lat, lon))
            when = _show_date(row["date"], row.get("date_precision"))
            if not _blank(row.get("end_date")):
                when += " – " + _show_date(row["end_date"], row.get("end_date_precision"))
            source = _cite_row(row)
            mentioned = _mentioned_in(row.get("sources"))
            records.append(
                {
                    "date": when,
                    "event": _text(row["title"]),
                    "place": place,
                    "category": _text(row["category"]),
                    "source": source,
                    "discussed in": mentioned,
                }
            )
            folium.CircleMarker(
                [lat, lon],
                # events at one place are drawn as concentric rings, the earliest outermost
                radius=6 + 4 * (stacked[row["place_id"]] - 1 - seen[row["place_id"]]),
                color="#1a1a1a",
                weight=1,
                fill=True,
                fill_color=colours[row["category"]],
                fill_opacity=0.85,
                tooltip=f"{when}: {_text(row['title'])}",
                popup=_popup(
                    _text(row["title"]),
                    [
                        ("Date", when),
                        ("Place", place),
                        ("Category", _text(row["category"])),
                        ("Summary", _text(row.get("summary"))),
                        ("Note", _text(row.get("note"))),
                        ("Source", source),
                        ("Discussed in", mentioned),
                    ],
                ),
            ).add_to(fmap)
        shown = sorted({r["category"] for r in records})
        _legend(fmap, "Event category", [(_svg("circle", colours[c], 12), c) for c in shown])
        _fit(fmap, points)
    frame = pd.DataFrame(
        records, columns=["date", "event", "place", "category", "source", "discussed in"]
    )
    summary = (
        f"{len(frame)} dated event(s) with a place from data/events.csv"
        + (f"; {unplaced} more in the selection have no place and are not drawn" if unplaced else "")
        + "."
    )
    return CourseMap(fmap, title, frame, summary, key)


# --------------------------------------------------------------------------- routes


def route_map(route_id: str, *, tiles: str | None = "OpenStreetMap") -> CourseMap:
    """A route described in a source, drawn schematically and only as far as the text goes.

    The countries the source names are shaded by stage, the hubs it names are marked, and the
    legend quotes the passage. No line is drawn where the source gives no path.

    Parameters
    ----------
    route_id : str
        A ``route_id`` of ``data/routes.yml`` (e.g. ``"northern-route"``).
    """
    known = routes()
    _check_choices("route_id", [route_id], known)
    route = known[route_id]
    places = _places()
    names = _country_names()
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
    key = _key("route_map", route_id=route_id, tiles=tiles)
    fmap, ids = _new_map(key, title, tiles)
    with ids:
        _outlines(fmap, fill=fill)
        for hub in route.get("hubs", []):
            what = f"data/routes.yml, route {route_id!r}, hub"
            lat, lon, name = _locate(hub["place_id"], places, what)
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
                popup=_popup(name, [("Source", f"{route['source_id']}: “{hub['quote']}”")]),
            ).add_to(fmap)
        quotes = "".join(f"<blockquote>“{html.escape(q)}”</blockquote>" for q in route["quotes"])
        _legend(
            fmap,
            f"{route['title']}: schematic",
            [
                (_swatch(stage_colours[i % len(stage_colours)], 0.6), f"{i + 1}. {s['label']}")
                for i, s in enumerate(route["stages"])
            ]
            + ([(_svg("circle", "#ffffff", 12), "hub named in the source")] if route.get("hubs") else []),
            f"{quotes}<p>— {html.escape(route['citation'])}. Schematic: the countries as the text "
            f"names them, not an actual path. {html.escape(route.get('note', ''))}</p>",
        )
        _fit(fmap)
    frame = pd.DataFrame(records, columns=["stage", "role", "where", "as the source says"])
    summary = (
        f"Schematic, after {route['citation']}: " + " ".join(f"“{q}”" for q in route["quotes"])
        + (f" {route['note']}" if route.get("note") else "")
    )
    return CourseMap(fmap, title, frame, summary, key)
