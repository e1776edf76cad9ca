"""coursekit.maps (layers built from the datasets, determinism, errors, text alternatives),
data/boundaries.geojson and its build script, and coursekit.sphinxext (offline rewriting)."""

from __future__ import annotations

import html
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import folium
import pandas as pd
import pytest
from _support import raw_html, sample_maps, sphinx_project

from coursekit import data, maps, sources
from coursekit._resources import resource_path
from coursekit.errors import CoursekitError, InputError
from coursekit.maps import _assets, _book, _places
from coursekit.sphinxext import external_assets, load_cdn_map, rewrite_html

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "vendor"


def srcdoc(course_map: maps.CourseMap) -> str:
    """The map document as the page carries it, unescaped."""
    found = re.search(r'srcdoc="([^"]*)"', course_map._repr_html_())
    assert found, "no srcdoc iframe"
    return html.unescape(found[1])


def popups(document: str) -> list[str]:
    """The HTML of every popup in a rendered map, in order."""
    return [html.unescape(p) for p in re.findall(r"\$\(`(<div id=\"html_[^`]*)`\)\[0\]", document)]


# --------------------------------------------------------------------------- boundaries


def test_boundaries_build_is_reproducible(tmp_path: Path):
    out = tmp_path / "boundaries.geojson"
    subprocess.run(
        [sys.executable, str(REPO / "data" / "scripts" / "build_boundaries.py"), "--output", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == resource_path("data", "boundaries.geojson").read_bytes()


def test_boundaries_content_and_size():
    path = resource_path("data", "boundaries.geojson")
    assert path.stat().st_size < 400_000
    collection = json.loads(path.read_text(encoding="utf-8"))
    props = {f["properties"]["iso3"]: f["properties"] for f in collection["features"]}
    assert {"KAZ", "KGZ", "TJK", "TKM", "UZB"} == {k for k, p in props.items() if p["role"] == "focus"}
    assert {"AFG", "CHN", "IRN", "RUS"} <= set(props)
    assert props["KGZ"]["name"] == "Kyrgyzstan"
    assert all("Natural Earth" in p["name_source"] for p in props.values())
    assert props["RUS"]["clipped"] and props["KAZ"]["clipped"] is None
    # coordinates rounded to 3 decimals
    numbers = re.findall(r"-?\d+\.\d+", path.read_text(encoding="utf-8").split('"features"')[1])
    assert numbers and max(len(n.split(".")[1]) for n in numbers) <= 3


def _parts(feature: dict) -> list[list]:
    geometry = feature["geometry"]
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def _inside(ring: list, lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@pytest.mark.parametrize(
    ("iso3", "lon", "lat", "enclave"),
    [("UZB", 71.09, 40.0, "Sokh"), ("UZB", 71.73, 39.94, "Shakhimardan"), ("TJK", 70.59, 39.83, "Vorukh")],
)
def test_fergana_enclaves_survive_simplification(iso3: str, lon: float, lat: float, enclave: str):
    """Each enclave is a separate polygon of its state and a hole in Kyrgyzstan."""
    features = {f["properties"]["iso3"]: f for f in maps.boundaries()["features"]}
    small = [p for p in _parts(features[iso3]) if _inside(p[0], lon, lat)]
    assert len(small) == 1, f"{enclave} is not a polygon of {iso3}"
    xs = [x for x, _ in small[0][0]]
    assert max(xs) - min(xs) < 1, f"{enclave} point falls in the main territory of {iso3}"
    kgz = _parts(features["KGZ"])
    assert not any(_inside(p[0], lon, lat) and not any(_inside(h, lon, lat) for h in p[1:]) for p in kgz)


# --------------------------------------------------------------------------- the CourseMap contract


@pytest.fixture(scope="module")
def all_maps() -> dict[str, maps.CourseMap]:
    return sample_maps()


def test_same_call_same_html():
    a = maps.installations_map(2004)._repr_html_()
    b = maps.installations_map(2004)._repr_html_()
    assert a == b
    assert maps.membership_map("sco", "2005-01-01")._repr_html_() == maps.membership_map(
        "sco", "2005-01-01"
    )._repr_html_()
    assert maps.installations_map(2015)._repr_html_() != a


def test_rendering_twice_is_stable(all_maps):
    m = all_maps["events"]
    assert m.render() == m.render()


@pytest.mark.parametrize("name", ["installations", "membership", "events", "route"])
def test_no_random_ids_or_memory_addresses(all_maps, name: str):
    document = srcdoc(all_maps[name])
    assert not re.search(r"0x[0-9a-f]{6,}", document)
    ids = set(re.findall(r"_([0-9a-f]{32})\b", document))
    assert ids, "expected folium-style element ids"
    assert len({i[:20] for i in ids}) == 1, "all ids of one map share its derived prefix"


@pytest.mark.parametrize("name", ["installations", "membership", "events", "route"])
def test_iframe_title_text_alternative_and_assets(all_maps, name: str):
    m = all_maps[name]
    page = m._repr_html_()
    assert re.search(r'<iframe title="Map: [^"]+" srcdoc=', page)
    assert "<details" in page and "Text alternative" in page
    assert isinstance(m.table, pd.DataFrame) and not m.table.empty
    # every table row appears in the HTML alternative and the plain text
    first = str(m.table.iloc[0, 0])
    assert html.escape(first) in page.split("<details", 1)[1]
    assert first in str(m) and m.title in str(m)
    document = srcdoc(m)
    # self-contained (a notebook's srcdoc iframe cannot fetch relative files): Leaflet, its
    # stylesheet, jQuery and the outlines are inlined from vendor/, nothing is fetched but tiles
    assert external_assets(document) == []
    inlined = re.findall(r'<(script|style) data-coursekit-asset="([^"]+)">', document)
    assert sorted(name for _, name in inlined) == sorted(_assets.ASSETS)
    assert _vendored_text("leaflet.js") in document and _vendored_text("jquery.js") in document
    assert "bootstrap" not in document.lower() and "awesome" not in document.lower()
    assert "tile.openstreetmap.org" in document
    # the country outlines are embedded once, so the map is legible without tiles
    assert '"iso3":"KGZ"' in document and '"name":"Kyrgyzstan"' in document
    assert document.count('"iso3":"KGZ"') == 1
    assert f"_add(window.{_assets.OUTLINES_GLOBAL});" in document


def _vendored_text(name: str) -> str:
    """The vendored file without its source-map comment (which the inlined copy drops)."""
    text = (VENDOR / CDN[_assets.ASSETS[name]]).read_text(encoding="utf-8")
    return re.split(r"/[/*]# sourceMappingURL", text)[0].strip()


@pytest.mark.parametrize("name", ["installations", "membership", "events", "route"])
def test_book_pages_share_the_assets_and_load_maps_lazily(all_maps, name: str):
    page = all_maps[name]._repr_html_()
    out = _book.rewrite_page(page, CDN, lambda rel: "../" + rel)
    assert "srcdoc=" not in out.replace("data-coursekit-srcdoc=", "")
    document = html.unescape(re.search(r'data-coursekit-srcdoc="([^"]*)"', out)[1])
    assert "data-coursekit-asset" not in document and '"iso3":"KGZ"' not in document
    scripts = re.findall(r'<script src="([^"]+)"></script>', document)
    assert scripts == ["../leaflet-1.9.3/leaflet.js", "../jquery-3.7.1/jquery.min.js",
                       "../_static/coursekit-maps/coursekit-outlines.js"]
    assert '<link rel="stylesheet" href="../leaflet-1.9.3/leaflet.css"/>' in document
    # the rest of the document is untouched: the map's own script reads the shared outlines
    assert document.split("</head>", 1)[1] == srcdoc(all_maps[name]).split("</head>", 1)[1]
    assert out.endswith('<script src="../_static/coursekit-maps/lazy.js"></script>\n')
    # the page no longer carries Leaflet and jQuery (each map on a page did, escaped, before)
    vendored = sum(len(_vendored_text(n)) for n, url in _assets.ASSETS.items() if url)
    assert len(page) - len(out) > vendored
    assert external_assets(out) == []


def test_book_rewrite_leaves_pages_without_maps_and_names_unknown_assets():
    page = _folium_page()  # a plain folium map is not a coursekit map: left alone
    assert _book.rewrite_page(page, CDN, lambda rel: rel) == page
    with pytest.raises(KeyError, match=r"'leaflet\.js' has no shared copy"):
        _assets.share('<script data-coursekit-asset="leaflet.js">x</script>', {})
    with pytest.raises(ValueError, match=r"closing </script>"):
        _assets._inline("x.js", "var a = '</script>';")


def test_shared_outlines_file_is_the_drawn_collection(tmp_path: Path):
    _book.write_static(tmp_path)
    text = (tmp_path / _book.STATIC / _assets.OUTLINES).read_text(encoding="utf-8")
    prefix = f"window.{_assets.OUTLINES_GLOBAL}="
    assert text.startswith(prefix) and text.endswith(";\n")
    collection = json.loads(text[len(prefix):-2])
    assert [f["id"] for f in collection["features"]] == [
        f["properties"]["iso3"] for f in maps.boundaries()["features"]]
    assert (tmp_path / _book.STATIC / _book.LAZY).read_text().count("IntersectionObserver") >= 2


def test_tiles_can_be_switched_off():
    document = maps.route_map("northern-route", tiles=None).render()
    body = document.split("</head>", 1)[1]  # the map itself, after the inlined libraries
    assert "tileLayer" not in body and "openstreetmap" not in document and '"iso3":"TJK"' in document


# --------------------------------------------------------------------------- installations


def test_installations_layers_follow_the_data():
    table = data.load("installations")
    m = maps.installations_map()
    assert sorted(m.table["installation"]) == sorted(table["name"])
    document = m.render()
    # one DivIcon SVG marker per installation, coloured by operator
    icons = re.findall(r'u003csvg width=\\"16\\"[^}]*?fill=\\"(#[0-9a-f]{6})\\"', document)
    assert len(icons) == len(table)
    russian = (table["operator"] == "RUS").sum()
    assert icons.count(maps.RUSSIA_COLOUR) == russian
    assert 0 < russian < len(table)


def test_installation_popup_has_town_dates_lease_terms_and_source():
    m = maps.installations_map(operators="RUS", types="air base")
    assert list(m.table["installation"]) == ["Kant air base"]
    (popup,) = popups(m.render())
    places = data.load("places").set_index("place_id")
    assert places.loc["kant", "name"] in popup
    assert "opened 2003-10" in popup
    terms = data.load("installation_terms")
    for _, term in terms[terms["installation_id"] == "kant"].iterrows():
        assert f"{term['term'].replace('_', ' ')}: {term['value']}" in popup
    # the seed source is cited by author and date, with its quote
    record = sources.record("rashidov-2005")
    assert f"{record.author_label} ({record.display_date})" in popup
    row = data.load("installations").set_index("installation_id").loc["kant"]
    assert html.escape(row["source_quote"]) in popup


def test_installations_year_filter_compares_years():
    table = data.load("installations")
    in_2004 = set(maps.installations_map(2004).table["installation"])
    in_2015 = set(maps.installations_map(2015).table["installation"])
    for _, row in table.iterrows():
        opened = None if pd.isna(row["opened"]) or row["opened"] == "" else int(str(row["opened"])[:4])
        closed = None if pd.isna(row["closed"]) or row["closed"] == "" else int(str(row["closed"])[:4])
        for year, shown in ((2004, in_2004), (2015, in_2015)):
            expected = opened is not None and opened <= year and (closed is None or closed >= year)
            assert (row["name"] in shown) == expected, (row["name"], year)
    assert in_2004 != in_2015


# --------------------------------------------------------------------------- memberships


def test_membership_map_colours_members_on_each_date():
    dates = ["2003-01-01", "2013-01-01"]
    m = maps.membership_map("csto", dates)
    for d in dates:
        expected = sorted(data.members("csto", d))
        assert sorted(m.table.loc[m.table[d] == "member", "iso3"]) == expected
    document = m.render().split("</head>", 1)[1]  # the map, without the inlined libraries
    # one radio button per date restyles the outlines; the first date is drawn
    assert document.count("baselayerchange") == 1
    for d in dates:
        assert f"CSTO on {d}" in document
    fills = json.loads(re.search(r"var fills = (\{.*?\})\[e\.name\]", document)[1])
    for d in dates:
        assert sorted(fills[f"CSTO on {d}"]) == sorted(data.members("csto", d))


def test_membership_maps_grid():
    grid = maps.membership_maps("sco", ["2002-01-01", "2018-01-01"])
    page = grid._repr_html_()
    assert page.count("<iframe") == 2 and page.count("<details") == 2
    assert "2002-01-01" in str(grid) and "2018-01-01" in str(grid)


# --------------------------------------------------------------------------- events and routes


def test_events_map_draws_placed_events_with_sources():
    events = data.load("events")
    placed = events[events["place_id"].fillna("") != ""]
    m = maps.events_map()
    assert len(m.table) == len(placed)
    document = m.render()
    assert document.count("L.circleMarker(") == len(placed)
    unplaced = len(events) - len(placed)
    if unplaced:
        assert f"{unplaced} more" in m.summary
    # each popup cites a source
    assert all("<b>Source:</b>" in p for p in popups(document))


def test_events_map_filters_by_date_and_category():
    events = data.load("events")
    category = sorted(events["category"].dropna().unique())[0]
    m = maps.events_map(categories=[category])
    assert set(m.table["category"]) == {category}
    m = maps.events_map(start="2005-01-01", end="2005-12-31")
    assert all(d.startswith("2005") for d in m.table["date"])


def test_route_map_quotes_the_source_and_is_schematic():
    route = maps.routes()["northern-route"]
    for quote in route["quotes"]:
        sources.verify_quote(route["source_id"], quote)  # raises if not verbatim
    m = maps.route_map("northern-route")
    document = m.render()
    assert "schematic" in m.title.lower() and "schematic" in document.lower()
    assert html.escape(route["quotes"][0]) in document
    assert "Egor Evsikov and Leonid Shafir" in document
    where = set(m.table["where"])
    assert {"Afghanistan", "Tajikistan", "Kyrgyzstan", "Kazakhstan", "Russia"} <= where
    assert {"Khujand", "Osh"} <= where
    assert "L.polyline" not in document  # no path the text does not give


def test_route_quotes_are_checked(monkeypatch):
    text = _places._routes_text().replace("gradually increased", "greatly increased")
    monkeypatch.setattr(_places, "_routes_text", lambda: text)
    with pytest.raises(sources.PassageNotFound, match="greatly increased"):
        maps.routes()


def test_route_without_stages_names_file_line_route_and_field(monkeypatch):
    """Before the schema, this was a bare ``KeyError: 'stages'`` from deep inside routes()."""
    text = _places._routes_text()
    start = text.index("    stages:")
    end = text.index("    hubs:")
    monkeypatch.setattr(_places, "_routes_text", lambda: text[:start] + text[end:])
    with pytest.raises(maps.MapInputError) as error:
        maps.route_map("northern-route")
    message = str(error.value)
    assert message.startswith("data/routes.yml, line 10, item 'northern-route', field 'stages': ")
    assert "'stages' is a required property" in message
    assert isinstance(error.value, ValueError) and isinstance(error.value, CoursekitError)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("countries: [AFG]", "countries: [Afghanistan]"), "field 'stages[0].countries[0]'"),
        (("  - place_id: osh\n", "  - place_id: osh\n        where: Osh\n"),
         "line {line}, item 'northern-route', field 'hubs[1].where'"),
        (("    quotes:\n", "    quotes: []\n    old_quotes:\n"), "field 'old_quotes'"),
    ],
)
def test_route_file_structure_faults_are_located(monkeypatch, change: tuple[str, str], where: str):
    text = _places._routes_text()
    assert change[0] in text
    changed = text.replace(change[0], change[1], 1)
    monkeypatch.setattr(_places, "_routes_text", lambda: changed)
    # the line of the inserted text's last line, counted in the changed file
    line = changed[: changed.index(change[1]) + len(change[1].rstrip("\n"))].count("\n") + 1
    with pytest.raises(maps.MapInputError, match=re.escape(where.format(line=line))):
        maps.routes()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: maps.membership_map("nato", "2005-01-01"), ["'nato'", "csto", "sco"]),
        (lambda: maps.membership_map("csto", "1990-01-01"), ["'1990-01-01'", "csto", "2002"]),
        (lambda: maps.membership_map("csto", "May 2005"), ["'May 2005'", "YYYY-MM-DD"]),
        (lambda: maps.installations_map(1950), ["1950", "2001"]),
        (lambda: maps.installations_map(operators=["GBR"]), ["'GBR'", "RUS", "USA"]),
        (lambda: maps.installations_map(types="castle"), ["'castle'", "air base"]),
        (lambda: maps.events_map(categories="sport"), ["'sport'", "military"]),
        (lambda: maps.route_map("silk-road"), ["'silk-road'", "northern-route"]),
    ],
)
def test_bad_input_names_the_value_and_the_choices(call, words: list[str]):
    with pytest.raises(maps.MapInputError) as error:
        call()
    for word in words:
        assert word in str(error.value)


def test_bad_tiles_name_the_argument_and_leave_folium_alone():
    """A bad ``tiles=`` used to leave branca's id generator patched (and its lock held) for as
    long as the traceback lived: later, unrelated folium maps got coursekit's derived ids."""
    with pytest.raises(maps.MapInputError, match=r"tiles='Stamen Terrain'.*tiles=None") as error:
        maps.route_map("northern-route", tiles="Stamen Terrain")
    assert isinstance(error.value, InputError) and isinstance(error.value, ValueError)
    # the traceback is still alive here (``error``); folium must be untouched all the same
    first, second = folium.Map()._id, folium.Map()._id
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first[:20] != second[:20], "folium ids are random again, not derived from one key"
    # and the next map still gets its stable ids
    assert maps.route_map("northern-route", tiles=None).render() == maps.route_map(
        "northern-route", tiles=None).render()


def test_render_leaves_the_map_as_it_was():
    m = maps.route_map("northern-route")
    root = m.folium.get_root()
    before = [len(part._children) for part in (root, root.header, root.html, root.script)]
    first = m.render()
    assert [len(part._children) for part in (root, root.header, root.html, root.script)] == before
    assert m.render() == first


def test_place_without_coordinates_is_a_clear_error(monkeypatch):
    places = data.load("places").copy()
    places.loc[places["place_id"] == "kant", ["lat", "lon"]] = None
    real = _places.load
    monkeypatch.setattr(_places, "load", lambda name: places if name == "places" else real(name))
    with pytest.raises(maps.MapInputError, match=r"installation 'kant'.*'kant'.*no coordinates"):
        maps.installations_map()


# --------------------------------------------------------------------------- sphinxext


CDN = load_cdn_map(VENDOR)


def _folium_page() -> str:
    m = folium.Map(location=[41, 65], zoom_start=4)
    folium.Marker([41, 65], popup="x").add_to(m)
    return f"<html><body><p>text</p>{m._repr_html_()}</body></html>"


def test_rewrite_srcdoc_to_page_relative_vendor_paths():
    page = _folium_page()
    assert "bootstrap" in page and "&lt;script src=&quot;https://cdn.jsdelivr.net/npm/leaflet" in page
    out = rewrite_html(page, CDN, lambda rel: "../" + rel)
    assert "&lt;script src=&quot;../leaflet-1.9.3/leaflet.js&quot;&gt;&lt;/script&gt;" in out
    assert "../jquery-3.7.1/jquery.min.js" in out
    assert "href=&quot;../leaflet-1.9.3/leaflet.css&quot;" in out
    for dropped in ("bootstrap", "fontawesome", "awesome-markers", "glyphicons", "awesome.rotate"):
        assert dropped not in out
    assert external_assets(out) == []
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in out  # tiles stay
    # the rewritten srcdoc is still a well-formed attribute
    document = html.unescape(re.search(r'srcdoc="([^"]*)"', out)[1])
    assert document.count("<script src=") == 2 and "L.map(" in document


def test_rewrite_unescaped_document_and_leave_other_links():
    m = folium.Map()
    doc = m.get_root().render() + '<a href="https://example.org/x.js">a link</a>'
    doc += '<script src="https://cdn.example.org/mathjax.js"></script>'
    out = rewrite_html(doc, CDN, lambda rel: rel)
    assert '<script src="leaflet-1.9.3/leaflet.js"></script>' in out
    assert '<link rel="stylesheet" href="leaflet-1.9.3/leaflet.css"/>' in out
    assert '<a href="https://example.org/x.js">' in out
    assert external_assets(out) == ["https://cdn.example.org/mathjax.js"]


def test_cdn_map_comes_from_the_manifest(tmp_path: Path):
    assert CDN[maps.LEAFLET_JS] == "leaflet-1.9.3/leaflet.js"
    with pytest.raises(FileNotFoundError, match=r"vendor_assets\.py"):
        load_cdn_map(tmp_path)


@pytest.mark.slow
def test_sphinx_build_publishes_vendor_and_rewrites_per_page(tmp_path: Path):
    from sphinx.cmd.build import build_main

    fragment = folium.Map()._repr_html_()
    sphinx_project(
        tmp_path / "src",
        {
            "index": "Home\n====\n\n.. toctree::\n\n   chapters/one\n\n" + raw_html(fragment),
            "chapters/one": "One\n===\n\n" + raw_html(fragment),
        },
    )
    out = tmp_path / "html"
    assert build_main(["-q", "-W", "-b", "html", str(tmp_path / "src"), str(out)]) == 0
    assert (out / "leaflet-1.9.3" / "leaflet.js").is_file()
    assert (out / "jquery-3.7.1" / "jquery.min.js").is_file()
    chapter = (out / "chapters" / "one.html").read_text()
    home = (out / "index.html").read_text()
    assert "src=&quot;../leaflet-1.9.3/leaflet.js&quot;" in chapter
    assert "src=&quot;leaflet-1.9.3/leaflet.js&quot;" in home
    assert external_assets(chapter) == external_assets(home) == []


@pytest.mark.slow
def test_sphinx_build_warns_about_remaining_external_assets(tmp_path: Path):
    from sphinx.cmd.build import build_main

    sphinx_project(
        tmp_path / "src",
        {"index": "Home\n====\n\n" + raw_html('<script src="https://cdn.example.org/lib.js"></script>')},
    )
    out = tmp_path / "html"
    status = build_main(["-q", "-W", "-b", "html", str(tmp_path / "src"), str(out)])
    assert status != 0  # the strict build fails
    warnings = tmp_path / "w.txt"
    build_main(["-q", "-E", "-w", str(warnings), "-b", "html", str(tmp_path / "src"), str(out)])
    text = warnings.read_text()
    assert "index.rst: WARNING: index.html loads https://cdn.example.org/lib.js" in text



@pytest.mark.slow
def test_sphinx_build_publishes_the_shared_map_files(tmp_path: Path):
    from sphinx.cmd.build import build_main

    fragment = maps.route_map("northern-route")._repr_html_()
    sphinx_project(tmp_path / "src", {
        "index": "Home\n====\n\n.. toctree::\n\n   chapters/one\n",
        "chapters/one": "One\n===\n\n" + raw_html(fragment) + raw_html(fragment),
    })
    out = tmp_path / "html"
    assert build_main(["-q", "-W", "-b", "html", str(tmp_path / "src"), str(out)]) == 0
    static = out / "_static" / "coursekit-maps"
    assert (static / _assets.OUTLINES).read_text(encoding="utf-8") == _assets.outlines_js()
    assert (static / "lazy.js").is_file()
    chapter = (out / "chapters" / "one.html").read_text(encoding="utf-8")
    assert chapter.count("data-coursekit-srcdoc=") == 2 and " srcdoc=" not in chapter
    assert "src=&quot;../_static/coursekit-maps/coursekit-outlines.js&quot;" in chapter
    assert chapter.count('<script src="../_static/coursekit-maps/lazy.js"></script>') == 1
    assert "lazy.js" not in (out / "index.html").read_text(encoding="utf-8")
