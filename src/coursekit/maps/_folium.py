"""The folium/branca integration: the base map, popups, the date-switch script, and the
deterministic rendering (stable element ids, compact GeoJSON).

folium gives every element 32 random hex digits as its id. coursekit never patches that: it
renders the document as folium does and then rewrites each distinct id, in order of first
appearance, to the first 20 hex digits of SHA-256(the map's key) plus a 12-digit counter
(:func:`stable_ids`). The ids still look like folium's, differ between maps, and repeat exactly
for the same call; nothing global changes, so an error half-way leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import branca.element
import folium

from coursekit.errors import InputError

__all__ = [
    "JQUERY_JS",
    "LEAFLET_CSS",
    "LEAFLET_JS",
    "DateSwitch",
    "MapInputError",
    "base_map",
    "compact_json",
    "map_key",
    "popup",
    "pristine",
    "stable_ids",
]

# folium 0.20's CDN copies of the two libraries coursekit maps need (see vendor/MANIFEST.json).
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
JQUERY_JS = "https://code.jquery.com/jquery-3.7.1.min.js"

CENTRE = (44.0, 66.0)  # lat, lon: the initial view before the map is fitted to the region
ZOOM = 4


class MapInputError(InputError):
    """A map was asked for something the datasets do not contain, or for unusable options."""


def _static(name: str) -> str:
    return resources.files("coursekit.maps").joinpath("static", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _css() -> str:
    """``static/maps.css`` without its comments, on one line per rule."""
    return re.sub(r"/\*.*?\*/\s*", "", _static("maps.css"), flags=re.S).strip()


# --------------------------------------------------------------------------- determinism

# folium/branca ids: uuid4().hex, 32 lowercase hex digits standing alone.
_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def stable_ids(document: str, key: str) -> str:
    """Rewrite every folium element id in ``document`` to one derived from ``key``.

    >>> doc = "var map_" + "a" * 32 + " = L.map('map_" + "a" * 32 + "'); marker_" + "b" * 32
    >>> out = stable_ids(doc, "k")
    >>> out.count(hashlib.sha256(b"k").hexdigest()[:20] + "000000000001"), out.endswith("2")
    (2, True)
    >>> stable_ids(doc, "k") == out and stable_ids(doc, "other") != out
    True
    """
    prefix = hashlib.sha256(key.encode()).hexdigest()[:20]
    found: dict[str, str] = {}

    def new_id(match: re.Match[str]) -> str:
        return found.setdefault(match[0], f"{prefix}{len(found) + 1:012x}")

    return _ID.sub(new_id, document)


_JSON_LOCK = threading.Lock()


@contextlib.contextmanager
def compact_json() -> Iterator[None]:
    """Make jinja's ``tojson`` (folium's embedded GeoJSON) compact and key-sorted while
    rendering; the setting is restored however the block ends."""
    policies = folium.features.GeoJson._template.environment.policies
    with _JSON_LOCK:
        saved = policies["json.dumps_kwargs"]
        policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
        try:
            yield
        finally:
            policies["json.dumps_kwargs"] = saved


@contextlib.contextmanager
def pristine(root: branca.element.Element) -> Iterator[None]:
    """Undo what rendering adds to the element tree under ``root``.

    folium's ``render()`` adds each element's script to the figure under the element's name,
    and some elements add helpers with fresh random ids; rendering twice would then repeat
    them. Each element's children are restored after the block, however it ends.
    """
    saved = []
    # a Figure keeps its header, html and script parts as attributes, outside its children
    stack = [root, *(getattr(root, part) for part in ("header", "html", "script") if hasattr(root, part))]
    while stack:
        element = stack.pop()
        saved.append((element, element._children.copy()))
        stack.extend(element._children.values())
    try:
        yield
    finally:
        for element, children in saved:
            element._children = children


def map_key(function: str, **kwargs: Any) -> str:
    """The name and arguments of a map call, which seed its element ids."""
    return function + json.dumps(kwargs, sort_keys=True, default=str)


# --------------------------------------------------------------------------- building blocks


def base_map(title: str, tiles: str | None) -> folium.Map:
    """An empty map of the region using only Leaflet and jQuery, with coursekit's styles.

    Raises :class:`MapInputError` naming ``tiles`` when folium cannot use it.
    """
    fmap = folium.Map(location=list(CENTRE), zoom_start=ZOOM, tiles=None, control_scale=True)
    if tiles:
        try:
            # An overlay outside the layer control, so that date "base layers" never hide it.
            layer = folium.TileLayer(tiles, overlay=True, control=False)
        except ValueError as exc:
            raise MapInputError(
                f"tiles={tiles!r}: folium cannot use it ({exc}); give a tile set folium knows, "
                "such as 'OpenStreetMap' or 'CartoDB positron', or tiles=None for outlines only"
            ) from None
        layer.add_to(fmap)
    # Only what coursekit maps use: no Bootstrap, Font Awesome or awesome-markers.
    fmap.default_js = [("leaflet", LEAFLET_JS), ("jquery", JQUERY_JS)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    fmap.get_root().title = title
    fmap.get_root().header.add_child(
        branca.element.Element(f"<style>{_css()}</style>"), name="coursekit_style"
    )
    return fmap


def js_safe(fragment: str) -> str:
    """HTML for a folium popup: folium puts it in a JavaScript template literal."""
    return fragment.replace("`", "&#96;").replace("${", "&#36;{").replace("\\", "&#92;")


def popup(title: str, lines: Sequence[tuple[str, str]]) -> folium.Popup:
    """A popup: bold title, then "label: value" lines (plain text, escaped)."""
    body = "".join(
        f"<br><b>{html.escape(label)}:</b> {html.escape(value)}" for label, value in lines if value
    )
    return folium.Popup(
        js_safe(f'<div class="coursekit-popup"><b>{html.escape(title)}</b>{body}</div>'), max_width=340
    )


class DateSwitch(branca.element.MacroElement):
    """Restyles ``layer`` (the country outlines) when the reader picks another date layer.

    ``fills`` maps each date layer's name to ``{iso3: fill colour}``; the script is the Jinja
    template ``static/date_switch.js.j2``. Add it to the map.
    """

    _template = branca.element.Template(_static("date_switch.js.j2"))

    def __init__(self, layer: folium.GeoJson, fills: dict[str, dict[str, str]]) -> None:
        super().__init__()
        self._name = "DateSwitch"
        self.layer = layer
        self.fills = fills
