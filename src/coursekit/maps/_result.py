"""What every map function returns: :class:`CourseMap` (and :class:`CourseMapGrid`)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import folium
import pandas as pd

from coursekit.maps import _assets
from coursekit.maps._folium import compact_json, pristine, stable_ids

__all__ = ["HEIGHT", "CourseMap", "CourseMapGrid"]

HEIGHT = 480  # pixels, the iframe height in a page


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


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
        """The complete, self-contained HTML document of the map (what goes in the iframe's
        ``srcdoc``), with element ids derived from :attr:`key`, so the same call renders the
        same bytes. The country outlines are read from one inlined copy of the shared outlines
        (:mod:`coursekit.maps._assets`); the built book swaps the inlined files for links."""
        root = self.folium.get_root()
        with compact_json(), pristine(root):
            document = root.render()
        return _assets.self_contained(_assets.use_shared_outlines(stable_ids(document, self.key)))

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
        """The map as an ``<iframe>`` whose ``srcdoc`` is :meth:`render`."""
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
