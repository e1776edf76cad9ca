"""The events map: dated events that have a place, with popups citing their sources."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import pandas as pd

from coursekit.maps import _places
from coursekit.maps._draw import PALETTE, assign, fit, legend, outlines, svg
from coursekit.maps._folium import base_map, map_key, popup
from coursekit.maps._result import CourseMap
from coursekit.maps._values import blank, check_choices, cite_row, mentioned_in, show_date, text

__all__ = ["events_map"]


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

    events = _places.load("events")
    categories = check_choices("category", categories, events["category"].dropna())
    if start is not None or end is not None:
        events = data.events_between(start, end)
    if categories is not None:
        events = events[events["category"].isin(categories)]
    places = _places.places()
    colours = assign(_places.load("events")["category"].dropna(), PALETTE)
    title = "Events" + (f" from {start}" if start else "") + (f" to {end}" if end else "")
    key = map_key("events_map", start=start, end=end, categories=categories, tiles=tiles)
    fmap = base_map(title, tiles)
    records, unplaced = [], 0
    outlines(fmap)
    points = []
    placed = events[[not blank(p) for p in events["place_id"]]]
    stacked = placed["place_id"].value_counts().to_dict()
    seen: dict[str, int] = {}
    for _, row in events.sort_values(["date", "event_id"]).iterrows():
        if blank(row.get("place_id")):
            unplaced += 1
            continue
        what = f"data/events.csv, event {row['event_id']!r}"
        lat, lon, place = _places.locate(row["place_id"], places, what)
        seen[row["place_id"]] = seen.get(row["place_id"], -1) + 1
        points.append((lat, lon))
        when = show_date(row["date"], row.get("date_precision"))
        if not blank(row.get("end_date")):
            when += " – " + show_date(row["end_date"], row.get("end_date_precision"))
        source = cite_row(row)
        mentioned = mentioned_in(row.get("sources"))
        records.append(
            {
                "date": when,
                "event": text(row["title"]),
                "place": place,
                "category": text(row["category"]),
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
            tooltip=f"{when}: {text(row['title'])}",
            popup=popup(
                text(row["title"]),
                [
                    ("Date", when),
                    ("Place", place),
                    ("Category", text(row["category"])),
                    ("Summary", text(row.get("summary"))),
                    ("Note", text(row.get("note"))),
                    ("Source", source),
                    ("Discussed in", mentioned),
                ],
            ),
        ).add_to(fmap)
    shown = sorted({r["category"] for r in records})
    legend(fmap, "Event category", [(svg("circle", colours[c], 12), c) for c in shown])
    fit(fmap, points)
    frame = pd.DataFrame(
        records, columns=["date", "event", "place", "category", "source", "discussed in"]
    )
    summary = (
        f"{len(frame)} dated event(s) with a place from data/events.csv"
        + (f"; {unplaced} more in the selection have no place and are not drawn" if unplaced else "")
        + "."
    )
    return CourseMap(fmap, title, frame, summary, key)
