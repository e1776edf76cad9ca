"""Membership maps: the countries belonging to an organisation on one or more dates."""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import pandas as pd

from coursekit.maps import _places
from coursekit.maps._draw import fit, legend, outlines, swatch
from coursekit.maps._folium import DateSwitch, MapInputError, base_map, map_key
from coursekit.maps._result import CourseMap, CourseMapGrid
from coursekit.maps._values import blank, check_choices, horizon, iso_date, text

__all__ = ["membership_map", "membership_maps"]


def _org_dates(org_id: str, memberships: pd.DataFrame) -> tuple[str, str]:
    """First membership start of ``org_id``, and the last date the data speaks for."""
    rows = memberships[memberships["org_id"] == org_id]
    dates = sorted(text(d) for d in [*rows["start"], *rows["end"]] if not blank(d))
    return min(text(s) for s in rows["start"] if not blank(s)), max(dates[-1], horizon())


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
    memberships = _places.load("memberships")
    check_choices("org_id", [org_id], memberships["org_id"].dropna())
    dates = [on] if isinstance(on, str) else list(on)
    if not dates:
        raise MapInputError("membership_map: give at least one date in 'on'")
    first, last = _org_dates(org_id, memberships)
    dates = [iso_date(d, f"membership_map({org_id!r})") for d in dates]
    for d in dates:
        if not first <= d <= last:
            raise MapInputError(
                f"date {d!r} is outside the data for {org_id!r}: data/memberships.csv covers "
                f"{first} to {last}"
            )
    names = _places.country_names()
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
    key = map_key("membership_map", org_id=org_id, on=dates, tiles=tiles)
    fmap = base_map(title, tiles)
    first_fill = {iso3: role_colours[r[dates[0]]] for iso3, r in status.items() if dates[0] in r}
    shaded = outlines(fmap, fill=first_fill)
    if len(dates) > 1:
        # One radio button per date (Leaflet base layers, empty) restyles the outlines
        # (DateSwitch), so the geometry is embedded once however many dates there are.
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
        fmap.add_child(DateSwitch(shaded, by_date), name="coursekit_membership_switch")
        folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    drawn = {f["properties"]["iso3"] for f in _places.boundaries()["features"]}
    off_map = sorted(iso for iso in status if iso not in drawn)
    note = (
        f"<p>Also in the data but outside this map: {html.escape(', '.join(off_map))}.</p>"
        if off_map
        else ""
    )
    legend(
        fmap,
        org_id.upper() + (" (choose the date top right)" if len(dates) > 1 else f" on {dates[0]}"),
        [(swatch(role_colours[r]), r) for r in roles],
        note,
    )
    fit(fmap)
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
