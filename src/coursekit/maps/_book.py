"""The maps in the built book: shared files and lazy loading (a Sphinx extension).

A notebook's map is self-contained (:func:`coursekit.maps._assets.self_contained`). When a page
is written, each map iframe's document is rewritten to load the shared copies instead
(:func:`rewrite_page`): Leaflet and jQuery from ``vendor/`` (published at the site root by
``coursekit.sphinxext``) and the outlines from ``_static/coursekit-maps/``. The document moves
from ``srcdoc`` to ``data-coursekit-srcdoc`` and ``static/lazy.js`` loads it when the map nears
the viewport. ``coursekit.sphinxext`` sets this extension up; nothing to configure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from coursekit.maps._assets import ASSETS, OUTLINES, outlines_js, share

__all__ = ["LAZY", "STATIC", "rewrite_page", "setup", "shared_urls", "write_static"]

STATIC = "_static/coursekit-maps"
LAZY = "lazy.js"
_FRAME = re.compile(r'<iframe (?P<before>[^>]*?)srcdoc="(?P<doc>[^"]*data-coursekit-asset=[^"]*)"')


def shared_urls(cdn_map: dict[str, str], to_site: Callable[[str], str]) -> dict[str, str]:
    """:data:`ASSETS` name -> URL in a page; ``to_site`` turns a site-root path into it."""
    urls = {OUTLINES: to_site(f"{STATIC}/{OUTLINES}")}
    for name, cdn in ASSETS.items():
        if cdn is not None:
            urls[name] = to_site(cdn_map[cdn])
    return urls


def rewrite_page(body: str, cdn_map: dict[str, str], to_site: Callable[[str], str]) -> str:
    """``body`` with every self-contained map iframe made shared and lazy.

    ``cdn_map`` is the vendored CDN URL -> site path map (``vendor/MANIFEST.json``). Pages
    without maps come back unchanged; pages with maps gain the ``lazy.js`` script at the end.
    """
    urls = shared_urls(cdn_map, to_site)

    def lazy(match: re.Match[str]) -> str:
        document = share(html.unescape(match["doc"]), urls)
        return f'<iframe {match["before"]}data-coursekit-srcdoc="{html.escape(document, quote=True)}"'

    out, count = _FRAME.subn(lazy, body)
    if count:
        out += f'\n<script src="{to_site(f"{STATIC}/{LAZY}")}"></script>\n'
    return out


def write_static(outdir: Path) -> None:
    """Write the shared outlines and ``lazy.js`` into ``outdir/_static/coursekit-maps``."""
    from coursekit._resources import write_atomic

    folder = Path(outdir) / STATIC
    write_atomic(folder / OUTLINES, outlines_js())
    lazy = resources.files("coursekit.maps").joinpath("static", LAZY).read_text(encoding="utf-8")
    write_atomic(folder / LAZY, lazy)


def _page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    from coursekit.sphinxext import load_cdn_map

    body = context.get("body")
    if not body or "data-coursekit-asset" not in body:
        return
    cdn_map = getattr(app, "_coursekit_cdn_map", None) or load_cdn_map(
        Path(app.confdir) / app.config.coursekit_vendor_dir
    )
    pathto = context["pathto"]
    context["body"] = rewrite_page(body, cdn_map, lambda rel: pathto(rel, 1))


def _build_finished(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_static(Path(app.outdir))


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _page_context, priority=400)
    app.connect("build-finished", _build_finished)
    from coursekit import __version__

    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
