"""Fixes applied to every HTML page the book writes.

The stock Jupyter Book 1 page, opened offline, throws ``THEBE_JS_URL has already been
declared`` (sphinx-thebe injects its settings twice, and this course does not use Thebe) and
fails three serious axe-core checks in the theme's own buttons (``label-content-name-mismatch``).
These functions remove those faults from the written HTML; they are pure text transforms so
that they can be unit-tested.
"""

from __future__ import annotations

import re

__all__ = ["fix_page"]

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
    """
    html = _THEBE_INLINE.sub("", html)
    html = _THEBE_LOADER.sub("", html)
    html = _SEARCH_FIELD_LABEL.sub(r"\1", html)
    html = _THEME_ICON_TITLE.sub(r'\1 aria-hidden="true"', html)
    html = _TOCTREE_SUMMARY.sub('<summary aria-label="Show or hide the pages of this section">', html)
    html = _HIDDEN_CONTENT_LABEL.sub("<summary>", html)
    html = _FONTAWESOME_SCRIPT.sub("", html)
    html = _CITATION_LIST_ROLE.sub('<div class="citation-list">', html)
    return html
