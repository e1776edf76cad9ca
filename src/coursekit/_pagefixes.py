"""Fixes applied to every HTML page the book writes.

:func:`size_charts` gives each SVG chart a minimum width at which its smallest text is
:data:`MIN_CHART_TEXT_PX` high, so that a phone never shrinks chart text below that; a chart
wider than the screen scrolls inside its own output box (``_static/course.css``).

The stock Jupyter Book 1 page, opened offline, throws ``THEBE_JS_URL has already been
declared`` (sphinx-thebe injects its settings twice, and this course does not use Thebe) and
fails three serious axe-core checks in the theme's own buttons (``label-content-name-mismatch``).
These functions remove those faults from the written HTML; they are pure text transforms so
that they can be unit-tested.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

__all__ = ["MIN_CHART_TEXT_PX", "chart_min_width", "fix_page", "size_charts"]

#: The smallest chart text, in CSS px, a reader is shown at any screen width.
MIN_CHART_TEXT_PX = 11

# sphinx-thebe's inline settings and loader; Thebe is disabled in _config.yml.
_THEBE_INLINE = re.compile(r"[ \t]*<script>const THEBE_JS_URL = [^<]*</script>\n?")
_THEBE_LOADER = re.compile(r'[ \t]*<script src="[^"]*_static/sphinx-thebe\.js[^"]*"></script>\n?')
# Search buttons show "Search Ctrl+K" but are labelled "Search": let the visible text name them.
_SEARCH_FIELD_LABEL = re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"')
# The colour-mode button's icons carry titles that differ from its label; the label suffices.
_THEME_ICON_TITLE = re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+") +title="[^"]*"')
# The sidebar's expand/collapse toggles for nested sections are <summary> elements without a name.
_TOCTREE_SUMMARY = re.compile(r'<summary>(?=<span class="toctree-toggle")')
# myst-nb labels its hide-input toggles "Toggle hidden content" while they show "Show code cell
# source": the visible text must be part of the name, so let the text name them.
_HIDDEN_CONTENT_LABEL = re.compile(r'<summary aria-label="Toggle hidden content">')
# The theme's Font Awesome *script* (1.5 MB, SVG icons) duplicates the Font Awesome webfont
# that its stylesheet already loads; without the script the icons come from the font.
_FONTAWESOME_SCRIPT = re.compile(
    r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?'
)
# docutils marks the bibliography's container as a list although its children are links.
_CITATION_LIST_ROLE = re.compile(r'<div role="list" class="citation-list">')
# ... and each entry with the deprecated DPUB role doc-biblioentry, not allowed on a <div> either.
_BIBLIOENTRY_ROLE = re.compile(r'(<div class="citation" id="[^"]*") role="doc-biblioentry"')
# The sidebar's logo (the link to the course's home page) sits outside every landmark: make its
# item a navigation landmark of its own, so that all content is in a landmark (axe: region).
_LOGO_ITEM = re.compile(r'<div class="sidebar-primary-item">(?=\s*<a class="navbar-brand logo")')
# pandas writes the corner cell of a table with a named index as an empty header <th></th>;
# an empty cell is data-less, not a header (axe: empty-table-header).
_EMPTY_TH = re.compile(r"<th>\s*</th>")


def fix_page(html: str) -> str:
    """Return ``html`` with the theme's offline and accessibility faults removed.

    >>> fix_page('<script>const THEBE_JS_URL = "x"; const a = 1</script>\\n<p>')
    '<p>'
    >>> fix_page('<button class="btn search-button-field x" title="Search" aria-label="Search">')
    '<button class="btn search-button-field x" title="Search">'
    >>> fix_page('<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\\n<p>')
    '<p>'
    >>> fix_page('<details><summary><span class="toctree-toggle">')
    '<details><summary aria-label="Show or hide the pages of this section"><span class="toctree-toggle">'
    >>> fix_page('<tr><th></th><th>2005</th></tr>')
    '<tr><td></td><th>2005</th></tr>'
    >>> fix_page('<div class="sidebar-primary-item"> <a class="navbar-brand logo">')[:77]
    '<div class="sidebar-primary-item" role="navigation" aria-label="Course home">'
    """
    html = _THEBE_INLINE.sub("", html)
    html = _THEBE_LOADER.sub("", html)
    html = _SEARCH_FIELD_LABEL.sub(r"\1", html)
    html = _THEME_ICON_TITLE.sub(r'\1 aria-hidden="true"', html)
    html = _TOCTREE_SUMMARY.sub('<summary aria-label="Show or hide the pages of this section">', html)
    html = _HIDDEN_CONTENT_LABEL.sub("<summary>", html)
    html = _FONTAWESOME_SCRIPT.sub("", html)
    html = _CITATION_LIST_ROLE.sub('<div class="citation-list">', html)
    html = _BIBLIOENTRY_ROLE.sub(r"\1", html)
    html = _EMPTY_TH.sub("<td></td>", html)
    html = _LOGO_ITEM.sub(
        '<div class="sidebar-primary-item" role="navigation" aria-label="Course home">', html)
    return html


_CHART_BOX = '<div class="ck-chart-box" tabindex="0">'
_SVG_IMG = re.compile(
    rf'(?P<box>{re.escape(_CHART_BOX)})?<img\b[^>]*?\bsrc="(?P<src>[^"]+\.svg)"[^>]*>')
_MIN_WIDTH_STYLE = re.compile(r' style="min-width: \d+px"')
_VIEWBOX_WIDTH = re.compile(r'<svg\b[^>]*?\bviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)')
_FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px")


def chart_min_width(svg: str, min_text_px: float = MIN_CHART_TEXT_PX) -> int | None:
    """The narrowest width (CSS px) at which every text of ``svg`` is ``min_text_px`` high;
    None if it has no viewBox or no sized text (matplotlib writes ``font-size: Npx`` in
    viewBox units when ``svg.fonttype`` is ``"none"``).

    >>> chart_min_width('<svg viewBox="0 0 360 800"><text style="font-size: 12px">a</text>')
    330
    >>> chart_min_width('<svg viewBox="0 0 360 800"><path d="M0 0"/></svg>') is None
    True
    """
    box = _VIEWBOX_WIDTH.search(svg)
    sizes = [float(size) for size in _FONT_SIZE.findall(svg) if float(size) > 0]
    if box is None or not sizes:
        return None
    return math.ceil(min_text_px * float(box[1]) / min(sizes))


def size_charts(html: str, read_svg: Callable[[str], str | None]) -> str:
    """Give every ``<img>`` of an SVG with text a ``min-width`` from :func:`chart_min_width`,
    inside a box that scrolls sideways when the chart is wider than the page and that keyboard
    users can focus to scroll it (``tabindex="0"``).

    ``read_svg`` maps an image's ``src`` to the SVG's text (None if it cannot be read). Images
    already in a chart box, or with a style of their own, are left alone: the fix can run twice.

    >>> svg = '<svg viewBox="0 0 720 400"><text style="font-size: 10px">a</text></svg>'
    >>> size_charts('<img alt="A chart" src="a.svg" />', lambda src: svg)
    '<div class="ck-chart-box" tabindex="0"><img alt="A chart" src="a.svg" style="min-width: 792px" /></div>'
    >>> size_charts(_, lambda src: svg) == _
    True
    """

    def add(match: re.Match[str]) -> str:
        if match["box"]:
            return match[0]
        tag = _MIN_WIDTH_STYLE.sub("", match[0])  # an earlier build's width, without its box
        if " style=" in tag:
            return tag
        svg = read_svg(match["src"])
        width = chart_min_width(svg) if svg else None
        if width is None:
            return tag
        head, tail = (tag[:-2].rstrip(), " />") if tag.endswith("/>") else (tag[:-1], ">")
        return f'{_CHART_BOX}{head} style="min-width: {width}px"{tail}</div>'

    return _SVG_IMG.sub(add, html)
