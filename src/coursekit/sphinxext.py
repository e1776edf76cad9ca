"""Sphinx extension: make the book's folium maps work offline.

folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">`` into each
map, usually inside an ``<iframe srcdoc="...">`` where the tags are HTML-escaped. When a page is
written this extension

* rewrites the CDN URLs of the vendored assets (``vendor/MANIFEST.json``: Leaflet, jQuery) to
  paths relative to the page (an iframe's ``srcdoc`` resolves relative URLs against its parent
  page), so the book works wherever it is served;
* removes the tags of folium's other default assets (Bootstrap, Font Awesome, glyphicons,
  awesome-markers), which coursekit maps do not use;
* publishes ``vendor/`` at the site root by adding it to ``html_extra_path`` (if not there);
* after the build, removes the theme's offline and accessibility faults from every page
  (:func:`coursekit._pagefixes.fix_page`: the doubled Thebe settings, mislabelled buttons),
  gives every SVG chart the minimum width that keeps its text 11 px high on a phone
  (:func:`coursekit._pagefixes.size_charts`),
  and warns (``coursekit.offline``) about every remaining ``https://`` or ``//``
  script or stylesheet in a written page; with ``-W`` the build fails. Tile URLs are
  JavaScript strings, not tags, and are not affected.

Configuration (``conf.py`` / Jupyter Book ``sphinx.config``):

``coursekit_vendor_dir`` (default ``"vendor"``)
    Folder holding ``MANIFEST.json`` and the assets, relative to the configuration directory.
``coursekit_offline_allow`` (default ``[]``)
    Regular expressions of external script/stylesheet URLs that are allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coursekit._pagefixes import fix_page, size_charts
from coursekit._resources import write_atomic

__all__ = [
    "DROPPED_ASSETS",
    "external_assets",
    "load_cdn_map",
    "rewrite_html",
    "setup",
]

#: folium defaults coursekit maps do not use; their tags are removed.
DROPPED_ASSETS = re.compile(
    r"bootstrap|fontawesome|font-awesome|awesome-markers|awesome\.rotate|glyphicons", re.I
)

# A quote, `<` and `>` either literal or HTML-escaped (inside srcdoc="...").
_Q = r"(?:\"|'|&quot;|&#34;|&#x22;|&#39;|&#x27;)"
_LT = r"(?:<|&lt;|&#60;|&#x3c;)"
_GT = r"(?:>|&gt;|&#62;|&#x3e;)"
_TAG = re.compile(
    rf"[ \t]*{_LT}(?P<tag>script|link)\b(?P<attrs>(?:(?!{_GT}).)*?)/?{_GT}"
    rf"(?:\s*{_LT}/script{_GT})?\n?",
    re.I | re.S,
)
_URL_ATTR = re.compile(rf"\b(?:src|href)\s*=\s*{_Q}(?P<url>.*?){_Q}", re.I | re.S)
_STYLESHEET = re.compile(rf"\brel\s*=\s*{_Q}stylesheet{_Q}", re.I)


def load_cdn_map(vendor_dir: Path) -> dict[str, str]:
    """CDN URL -> path below the published vendor root, from ``vendor/MANIFEST.json``."""
    manifest_path = Path(vendor_dir) / "MANIFEST.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{manifest_path}: missing; run scripts/vendor_assets.py --update"
        ) from None
    urls: dict[str, str] = {}
    for entry in manifest["packages"]:
        for url, rel in entry["cdn_urls"].items():
            if not (Path(vendor_dir) / rel).is_file():
                raise FileNotFoundError(f"{manifest_path}: {url} maps to {rel}, which is missing")
            urls[url] = rel
    return urls


def _asset_url(match: re.Match[str]) -> str | None:
    """The URL of a <script src> or <link rel=stylesheet href> tag, else None."""
    attrs = match["attrs"]
    url = _URL_ATTR.search(attrs)
    if url is None:
        return None
    if match["tag"].lower() == "link" and not _STYLESHEET.search(attrs):
        return None
    return url["url"]


def rewrite_html(text: str, cdn_map: dict[str, str], to_vendor: Callable[[str], str]) -> str:
    """Point vendored CDN assets at local copies and drop unused folium assets.

    Parameters
    ----------
    text : str
        HTML of a page (or a fragment), possibly with maps in ``srcdoc`` attributes.
    cdn_map : dict
        CDN URL -> path below the vendor root (see :func:`load_cdn_map`).
    to_vendor : callable
        Maps a vendor path to the URL to use in this page, e.g. ``"../leaflet-1.9.3/leaflet.js"``.
    """

    def replace(match: re.Match[str]) -> str:
        url = _asset_url(match)
        if url is None:
            return match[0]
        if url in cdn_map:
            return match[0].replace(url, to_vendor(cdn_map[url]))
        if url.startswith(("https://", "http://", "//")) and DROPPED_ASSETS.search(url):
            return ""
        return match[0]

    return _TAG.sub(replace, text)


def external_assets(text: str) -> list[str]:
    """Every script/stylesheet URL in ``text`` that would be fetched from another host."""
    found = []
    for match in _TAG.finditer(text):
        url = _asset_url(match)
        if url is not None and url.startswith(("https://", "http://", "//")):
            found.append(url)
    return found


# --------------------------------------------------------------------------- Sphinx glue


def _vendor_dir(app: Any) -> Path:
    return Path(app.confdir) / app.config.coursekit_vendor_dir


def _config_inited(app: Any, config: Any) -> None:
    vendor = str(config.coursekit_vendor_dir)
    extra = list(config.html_extra_path)
    resolved = {(Path(app.confdir) / p).resolve() for p in extra}
    if (Path(app.confdir) / vendor).resolve() not in resolved:
        config.html_extra_path = [*extra, vendor]


def _page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if not body:
        return
    cdn_map = getattr(app, "_coursekit_cdn_map", None)
    if cdn_map is None:
        cdn_map = load_cdn_map(_vendor_dir(app))
        app._coursekit_cdn_map = cdn_map
    pathto = context["pathto"]
    context["body"] = rewrite_html(body, cdn_map, lambda rel: pathto(rel, 1))


def _svg_reader(page: Path, outdir: Path) -> Callable[[str], str | None]:
    """Reads an image of ``page`` by its relative ``src``; None outside ``outdir`` or if absent."""

    def read(src: str) -> str | None:
        if "://" in src or src.startswith(("/", "data:")):
            return None
        path = (page.parent / src).resolve()
        if not path.is_relative_to(outdir.resolve()) or not path.is_file():
            return None
        return path.read_text(encoding="utf-8", errors="replace")

    return read


def _build_finished(app: Any, exception: Exception | None) -> None:
    from sphinx.util import logging

    if exception is not None or app.builder.format != "html":
        return
    logger = logging.getLogger(__name__)
    allow = [re.compile(p) for p in app.config.coursekit_offline_allow]
    outdir = Path(app.outdir)
    for page in sorted(outdir.rglob("*.html")):
        rel = page.relative_to(outdir).as_posix()
        if rel.startswith("_static/"):
            continue
        docname = rel[: -len(".html")]
        location = docname if docname in app.env.all_docs else None
        html = page.read_text(encoding="utf-8", errors="replace")
        fixed = size_charts(fix_page(html), _svg_reader(page, outdir))
        if fixed != html:
            write_atomic(page, fixed)
        for url in external_assets(fixed):
            if any(p.search(url) for p in allow):
                continue
            logger.warning(
                "%s loads %s from the network; the built book must work offline "
                "(vendor it, or allow it with coursekit_offline_allow)",
                rel,
                url,
                type="coursekit",
                subtype="offline",
                location=location,
            )


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("coursekit_vendor_dir", "vendor", "html")
    app.add_config_value("coursekit_offline_allow", [], "html")
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _build_finished)
    # The maps' own part (shared outlines, lazy loading) lives with the maps.
    app.setup_extension("coursekit.maps._book")
    from coursekit import __version__

    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
