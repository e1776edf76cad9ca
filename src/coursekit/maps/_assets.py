"""What a map document loads, and where from: self-contained in a notebook, shared in the book.

A rendered map (:meth:`CourseMap.render`) reads its country outlines from the global
``COURSEKIT_OUTLINES`` and loads Leaflet, jQuery and Leaflet's stylesheet. Two forms of the
same document:

* **self-contained** (:func:`self_contained`, what a notebook shows): each of those files is
  inlined in a ``<script>``/``<style>`` element marked ``data-coursekit-asset="<name>"``. A
  notebook's map iframe is a ``srcdoc`` document, whose relative URLs resolve against the
  notebook server's page (where no such files exist), so inlining is the only way a map works
  offline in Jupyter, JupyterLab or Colab. Leaflet and jQuery come from ``vendor/`` (the
  repository's, or the copy packaged as ``coursekit/_vendor``); if neither exists, the CDN
  tags are kept, as folium writes them.
* **shared** (:func:`share`, what the built book carries): each marked element becomes a
  ``<script src>``/``<link>`` to one published copy, so a page with three maps downloads the
  outlines and Leaflet once, and from ``file://`` too (plain ``<script src>``, no ``fetch``).

:data:`ASSETS` names every shared file; ``coursekit.maps.sphinx`` publishes them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from coursekit.maps import _places
from coursekit.maps._folium import JQUERY_JS, LEAFLET_CSS, LEAFLET_JS

__all__ = [
    "ASSETS",
    "OUTLINES",
    "OUTLINES_GLOBAL",
    "outline_collection",
    "outlines_js",
    "self_contained",
    "share",
    "use_shared_outlines",
    "vendor_dir",
]

OUTLINES_GLOBAL = "COURSEKIT_OUTLINES"
OUTLINES = "coursekit-outlines.js"
# name -> the CDN URL folium writes (vendored, see vendor/MANIFEST.json); None: coursekit's own
ASSETS: dict[str, str | None] = {
    "leaflet.css": LEAFLET_CSS,
    "leaflet.js": LEAFLET_JS,
    "jquery.js": JQUERY_JS,
    OUTLINES: None,
}
_REPO_VENDOR = Path(__file__).resolve().parents[3] / "vendor"
_PACKAGED_VENDOR = Path(__file__).resolve().parents[1] / "_vendor"


def outline_collection() -> dict:
    """Every country of ``boundaries.geojson`` as the maps draw it (the same for every map):
    ``iso3``, ``name``, ``tooltip`` and the default fill per feature; styles are per map."""
    features = []
    for feature in _places.boundaries()["features"]:
        p = feature["properties"]
        focus = p["role"] == "focus"
        features.append({
            "type": "Feature",
            "id": p["iso3"],
            "properties": {
                "iso3": p["iso3"],
                "name": p["name"],
                "tooltip": p["name"] + (" (drawn only within the map's box)" if p["clipped"] else ""),
                "base_fill": "#ffffff" if focus else "#d9d9d9",
                "base_opacity": 0.15 if focus else 0.35,
            },
            "geometry": feature["geometry"],
        })
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def outlines_js() -> str:
    """The shared outlines file: one statement setting ``window.COURSEKIT_OUTLINES``."""
    blob = json.dumps(outline_collection(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"window.{OUTLINES_GLOBAL}={blob};\n"


@lru_cache(maxsize=1)
def _embedded_outlines() -> str:
    """The outlines as folium embeds them (jinja's ``tojson`` under :func:`compact_json`)."""
    from jinja2.utils import htmlsafe_json_dumps

    return str(htmlsafe_json_dumps(outline_collection(), dumps=json.dumps, sort_keys=True,
                                   separators=(",", ":")))


def use_shared_outlines(document: str) -> str:
    """Make a rendered map read its outlines from ``window.COURSEKIT_OUTLINES`` instead of the
    copy folium embedded (a map without outlines comes back unchanged)."""
    return document.replace(f"_add({_embedded_outlines()});", f"_add(window.{OUTLINES_GLOBAL});")


def vendor_dir() -> Path | None:
    """The folder holding ``MANIFEST.json`` and the vendored files, or None if there is none."""
    for folder in (_REPO_VENDOR, _PACKAGED_VENDOR):
        if (folder / "MANIFEST.json").is_file():
            return folder
    return None


@lru_cache(maxsize=4)
def _vendored(name: str) -> str | None:
    """The text of a vendored asset (by :data:`ASSETS` name), or None if not available."""
    from coursekit.sphinxext import load_cdn_map

    folder = vendor_dir()
    if folder is None:
        return None
    rel = load_cdn_map(folder).get(ASSETS[name] or "")
    return (folder / rel).read_text(encoding="utf-8") if rel else None


def _tag(url: str) -> re.Pattern[str]:
    """folium's tag for ``url``: ``<script src="url"></script>`` or ``<link ... href="url"/>``."""
    u = re.escape(url)
    return re.compile(rf'<(?:script src="{u}"></script>|link [^>]*href="{u}"[^>]*>)')


def _inline(name: str, content: str) -> str:
    if re.search(r"</(script|style)", content, re.I):
        raise ValueError(f"{name}: cannot be inlined, it contains a closing </script> or </style>")
    content = re.sub(r"\n?/[/*]# sourceMappingURL=[^\n]*", "", content)  # no .map beside it
    kind = "style" if name.endswith(".css") else "script"
    return f'<{kind} data-coursekit-asset="{name}">{content}</{kind}>'


def self_contained(document: str) -> str:
    """``document`` (a rendered map) with its outlines and, when vendored, Leaflet and jQuery
    inlined, each in an element marked ``data-coursekit-asset``."""
    for name, url in ASSETS.items():
        if url is None:
            continue
        content = _vendored(name)
        if content is not None:
            document = _tag(url).sub(lambda _m, n=name, c=content: _inline(n, c), document, count=1)
    outlines = _inline(OUTLINES, outlines_js())
    return document.replace("</head>", outlines + "\n</head>", 1)


_MARKED = re.compile(
    r'<(?P<kind>script|style) data-coursekit-asset="(?P<name>[^"]+)">.*?</(?P=kind)>', re.S
)


def share(document: str, url_for: dict[str, str]) -> str:
    """Replace each inlined asset of a self-contained ``document`` by a reference to its shared
    copy; ``url_for`` maps each :data:`ASSETS` name to the URL to use. CDN tags left by
    :func:`self_contained` (nothing vendored) are pointed at the shared copies too."""

    def link(name: str) -> str:
        if name not in url_for:
            raise KeyError(f"map asset {name!r} has no shared copy; known: {', '.join(sorted(url_for))}")
        if name.endswith(".css"):
            return f'<link rel="stylesheet" href="{url_for[name]}"/>'
        return f'<script src="{url_for[name]}"></script>'

    document = _MARKED.sub(lambda m: link(m["name"]), document)
    for name, url in ASSETS.items():
        if url is not None:
            document = _tag(url).sub(lambda _m, n=name: link(n), document)
    return document
