"""The installations map: foreign military installations by operator (colour) and type
(shape), with lease terms and sources in each popup."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import pandas as pd

from coursekit.maps import _places
from coursekit.maps._draw import PALETTE, RUSSIA_COLOUR, SHAPES, assign, fit, legend, outlines, svg
from coursekit.maps._folium import MapInputError, base_map, map_key, popup
from coursekit.maps._result import CourseMap
from coursekit.maps._values import blank, check_choices, cite_row, horizon, show_date, text
from coursekit.maps._values import year as year_of

__all__ = ["installations_map"]


def _terms_text(terms: pd.DataFrame) -> list[str]:
    """One line per term of ``data/installation_terms.csv``, with its source and any flag."""
    lines = []
    for _, t in terms.iterrows():
        value = text(t["value"]) + (f"–{text(t['value_high'])}" if not blank(t.get("value_high")) else "")
        unit = text(t.get("unit"))
        shown = value if unit in {"year", ""} else f"{value} {unit}"
        line = f"{text(t['term']).replace('_', ' ')}: {shown}"
        if not blank(t.get("year_referred")):
            line += f" (as of {text(t['year_referred'])})"
        if not blank(t.get("flag")):
            line += f" [disputed: {text(t['flag'])}]"
        lines.append(line + f" — {cite_row(t)}")
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
    table = _places.load("installations")
    terms = _places.load("installation_terms")
    places = _places.places()
    names = _places.country_names()
    operators = check_choices("operator", operators, table["operator"].dropna())
    types = check_choices("type", types, table["type"].dropna())
    colours = assign([o for o in table["operator"] if o != "RUS"], PALETTE) | {"RUS": RUSSIA_COLOUR}
    shapes = assign(table["type"], SHAPES)

    if year is not None:
        opened = [y for y in map(year_of, table["opened"]) if y is not None]
        closed = [y for y in map(year_of, table["closed"]) if y is not None]
        first, last = min(opened), max([*opened, *closed, int(horizon()[:4])])
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
        opened, closed = year_of(row["opened"]), year_of(row["closed"])
        if year is not None:
            if opened is None:
                undated.append(text(row["name"]))
                continue
            if opened > year or (closed is not None and closed < year):
                continue
        rows.append(row)

    title = "Foreign military installations in Central Asia" + (f", {year}" if year else "")
    key = map_key("installations_map", year=year, operators=operators, types=types, tiles=tiles)
    fmap = base_map(title, tiles)
    outlines(fmap)
    records, points = [], []
    groups: dict[str, folium.FeatureGroup] = {}
    for row in rows:
        what = f"data/installations.csv, installation {row['installation_id']!r}"
        lat, lon, town = _places.locate(row["place_id"], places, what)
        points.append((lat, lon))
        opened = show_date(row["opened"], row.get("opened_precision")) or "date not in the data"
        closed = show_date(row["closed"], row.get("closed_precision"))
        dates = f"opened {opened}" + (f", closed {closed}" if closed else "")
        lease = _terms_text(terms[terms["installation_id"] == row["installation_id"]])
        op = text(row["operator"])
        op_label = f"{op} ({names[op]})" if op in names else op
        sources = [
            ("Source", cite_row(row)),
            ("Opening date", cite_row(row, "opened_")),
            ("Closing date", cite_row(row, "closed_")),
        ]
        records.append(
            {
                "installation": text(row["name"]),
                "town": town,
                "host": text(row["host_iso3"]),
                "operator": op,
                "type": text(row["type"]),
                "dates": dates,
                "lease terms": "; ".join(lease),
                "note": text(row.get("note")),
                "sources": "; ".join(f"{k}: {v}" for k, v in sources if v),
            }
        )
        if op not in groups:
            groups[op] = folium.FeatureGroup(name=f"Operator: {op_label}").add_to(fmap)
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=svg(shapes[row["type"]], colours[op]),
                icon_size=(16, 16),
                icon_anchor=(8, 8),
                class_name="coursekit-icon",
            ),
            title=text(row["name"]),
            alt=text(row["name"]),
            popup=popup(
                text(row["name"]),
                [
                    ("Town", town),
                    ("Operator", op_label),
                    ("Type", text(row["type"])),
                    ("Dates", dates),
                    *[("Lease terms", line) for line in lease],
                    ("Note", text(row.get("note"))),
                    *sources,
                ],
            ),
        ).add_to(groups[op])
    shown_ops = sorted({r["operator"] for r in records})
    shown_types = sorted({r["type"] for r in records})
    legend(
        fmap,
        "Operator (colour) and type (shape)",
        [(svg("circle", colours[o], 12), f"{o} ({names[o]})" if o in names else o) for o in shown_ops]
        + [(svg(shapes[t], "#bbbbbb", 12), t) for t in shown_types],
    )
    if len(groups) > 1:
        folium.LayerControl(collapsed=True).add_to(fmap)
    fit(fmap, points)
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
