"""Tests of the course datasets and of coursekit.data."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from _support import read_rows, write_rows

from coursekit import data
from coursekit._resources import resource_path

DATA = resource_path("data")
REPO = Path(__file__).resolve().parent.parent
TABLES = [n for n in data.names() if n != "boundaries"]


_rows, _write_rows = read_rows, write_rows


# --------------------------------------------------------------------------------------------
# The package and the real data


def test_every_resource_has_description_licence_and_sources():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} >= {
        "organizations", "memberships", "installations", "events", "claims", "places",
        "boundaries"}
    for res in package["resources"]:
        assert res["description"].strip(), res["name"]
        assert res["licenses"] and all(lic["name"] for lic in res["licenses"]), res["name"]
        assert res["sources"] and all(s["title"] for s in res["sources"]), res["name"]
        if res["format"] == "csv":
            assert res["schema"]["primaryKey"], res["name"]
            assert all(f.get("description") for f in res["schema"]["fields"]), res["name"]


def test_real_data_package_is_valid():
    problems = data.validate()
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("name", TABLES)
def test_tables_load_with_schema_types(name):
    frame = data.load(name)
    assert len(frame) > 0
    res = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in res["resources"] if r["name"] == name)["schema"]["fields"]
    for fld in fields:
        col = frame[fld["name"]]
        if "enum" in fld.get("constraints", {}):
            assert isinstance(col.dtype, pd.CategoricalDtype), fld["name"]
            assert list(col.cat.categories) == fld["constraints"]["enum"]
        elif fld["type"] == "integer":
            assert str(col.dtype) == "Int64", fld["name"]
        elif fld["type"] == "number":
            assert col.dtype == "float64", fld["name"]


def test_row_counts_meet_the_brief():
    assert len(data.load("events")) >= 40
    assert len(data.load("claims")) >= 40
    claims = data.load("claims")
    assert set(claims["source_id"].dropna()) == {
        "unsigned-essay", "rashidov-2005", "gusev-2019", "evsikov-shafir-2011",
        "talantbekova-2024"}


def test_parse_dates_gives_datetimes():
    events = data.load("events", parse_dates=True)
    assert pd.api.types.is_datetime64_any_dtype(events["date"])
    assert data.load("events")["date"].iloc[0] == events["date"].iloc[0].strftime("%Y-%m-%d")


def test_places_cover_every_mapped_place_and_the_capitals():
    places = set(data.load("places")["place_id"])
    used = set(data.load("installations")["place_id"]) | set(
        data.load("events")["place_id"].dropna())
    routes = yaml.safe_load((DATA / "routes.yml").read_text(encoding="utf-8"))["routes"]
    used |= {hub["place_id"] for route in routes for hub in route.get("hubs", [])}
    assert used <= places
    assert {"astana", "bishkek", "dushanbe", "tashkent", "ashgabat"} <= places


def test_places_are_rebuilt_identically_from_geonames():
    spec = importlib.util.spec_from_file_location(
        "build_places", DATA / "scripts" / "build_places.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (DATA / "places.csv").read_text(encoding="utf-8")


def test_the_unsigned_essays_troop_figure_is_flagged():
    claims = data.load("claims")
    row = claims[claims["quote"].str.contains("7,500 military personnel")].iloc[0]
    assert row["source_id"] == "unsigned-essay"
    assert row["year_referred"] == 2016
    assert "2008" in row["flag"]
    for ref in row["conflicts_with"].split(";"):
        table, _, key = ref.partition(":")
        assert key in set(data.load(table).iloc[:, 0])


def test_boundaries_load_as_geojson():
    gj = data.load("boundaries")
    assert gj["type"] == "FeatureCollection"
    iso3 = {f["properties"]["iso3"] for f in gj["features"]}
    assert {"KAZ", "KGZ", "TJK", "TKM", "UZB"} <= iso3
    assert all(f["properties"]["name"] for f in gj["features"])


# --------------------------------------------------------------------------------------------
# Helpers, on the real data


def _uzb_spells(org: str) -> list[dict[str, str]]:
    return [r for r in _rows(DATA / "memberships.csv")
            if r["org_id"] == org and r["country_iso3"] == "UZB"]


def _midpoint(start: str, end: str) -> str:
    a, b = pd.Timestamp(start), pd.Timestamp(end or "2024-12-31")
    return (a + (b - a) / 2).strftime("%Y-%m-%d")


@pytest.mark.parametrize("org", ["cst", "csto", "guam", "eurasec"])
def test_uzbekistan_is_counted_inside_each_spell_and_not_outside(org):
    spells = _uzb_spells(org)
    assert spells, org
    for spell in spells:
        inside = _midpoint(spell["start"], spell["end"])
        assert "UZB" in data.members(org, inside, role=spell["role"]), (org, inside)
        assert "UZB" not in data.members(org, spell["start"][:4] + "-01-01"
                                         if spell["start"][5:] != "01-01" else "1985-01-01",
                                         role=spell["role"])
        if spell["end"]:
            assert "UZB" in data.members(org, (pd.Timestamp(spell["end"]) - pd.Timedelta(
                days=1)).strftime("%Y-%m-%d"), role=spell["role"])
            assert "UZB" not in data.members(org, spell["end"], role=spell["role"])


def test_uzbekistans_collective_security_history():
    # one spell in the 1992 treaty, one in the CSTO, out in between and after 2012
    cst, csto = _uzb_spells("cst"), _uzb_spells("csto")
    assert len(cst) == 1 and len(csto) == 1
    assert cst[0]["end_reason"] == "withdrew" and csto[0]["end_reason"] == "suspended"
    between = _midpoint(cst[0]["end"], csto[0]["start"])
    assert "UZB" not in data.members("cst", between) + data.members("csto", between)
    assert data.members("csto", "2013-06-01") == ["KAZ", "KGZ", "RUS", "TJK"]
    # Gusev's "returned in 2005" is flagged against the record
    claims = data.load("claims")
    gusev = claims[claims["quote"] == "but returned in 2005"].iloc[0]
    assert "memberships:" + next(
        r["membership_id"] for r in _rows(DATA / "memberships.csv")
        if r["org_id"] == "csto" and r["country_iso3"] == "UZB") in gusev["conflicts_with"]


def test_uzbekistan_in_guam_was_member_then_observer():
    spells = sorted(_uzb_spells("guam"), key=lambda r: r["start"])
    assert [s["role"] for s in spells] == ["member", "observer"]
    assert spells[0]["end"] == spells[1]["start"]
    assert data.members("guam", _midpoint(spells[1]["start"], spells[1]["end"])) == []


def test_members_accepts_dates_and_rejects_bad_input():
    from datetime import date

    assert data.members("sco", date(2002, 1, 1)) == data.members("sco", "2002-01-01")
    assert "CHN" in data.members("sco", "2002-01-01")
    assert data.members("c5plus1", "2016-01-01", role="partner") == ["USA"]
    with pytest.raises(data.UnknownValue, match="csto"):
        data.members("ctso", "2002-01-01")
    with pytest.raises(data.UnknownValue, match="observer"):
        data.members("csto", "2002-01-01", role="ally")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        data.members("csto", "1 May 2002")


def test_memberships_of_is_in_date_order_with_names():
    uzb = data.memberships_of("UZB")
    assert list(uzb["start"]) == sorted(uzb["start"])
    assert "Collective Security Treaty Organization" in set(uzb["name"])
    assert set(uzb["country_iso3"]) == {"UZB"}
    with pytest.raises(data.UnknownValue):
        data.memberships_of("XXX")


def test_events_between_uses_precision_and_inclusive_bounds():
    rows = _rows(DATA / "events.csv")
    y2005 = data.events_between("2005", "2005")
    expected = {r["event_id"] for r in rows if r["date"][:4] <= "2005" <= (r["end_date"] or
                                                                          r["date"])[:4]}
    assert set(y2005["event_id"]) == expected
    # an event known only to the year counts for every day of that year
    year_only = next(r for r in rows if r["date_precision"] == "year")
    mid = year_only["date"][:4] + "-07-15"
    assert year_only["event_id"] in set(data.events_between(mid, mid)["event_id"])
    # an event that lasted years overlaps a period inside it
    long = next(r for r in rows if r["end_date"] and r["end_date"][:4] > r["date"][:4])
    inside = str(int(long["date"][:4]) + 1)
    assert long["event_id"] in set(data.events_between(inside, inside)["event_id"])
    assert len(data.events_between()) == len(rows)
    with pytest.raises(ValueError, match="after"):
        data.events_between("2010", "2005")


def test_claims_about():
    casualties = data.claims_about("casualties")
    assert len(casualties) >= 3 and set(casualties["topic"]) == {"casualties"}
    assert 893 in set(casualties["value"])
    with pytest.raises(data.UnknownValue, match="troops"):
        data.claims_about("soldiers")


def test_unknown_dataset_lists_known_names():
    with pytest.raises(data.UnknownDataset) as info:
        data.load("bases")
    assert isinstance(info.value, KeyError)
    assert "memberships" in str(info.value) and "places" in str(info.value)
    with pytest.raises(data.UnknownDataset):
        data.describe("bases")


def test_describe_reads_the_package():
    text = data.describe("memberships")
    assert text.startswith("memberships: Membership spells")
    assert "end_reason" in text and "withdrew" in text and "Licence:" in text


def test_documents_page_is_up_to_date():
    from coursekit._datapage import DOCUMENTS_PAGE, render_documents

    page = REPO / DOCUMENTS_PAGE
    assert page.read_text(encoding="utf-8") == render_documents(), (
        f"run: python -m coursekit.data --write-documents {DOCUMENTS_PAGE}")


def test_documents_page_lists_every_document_with_its_address(tmp_path):
    from coursekit._datapage import render_documents

    rows = data.load("documents")
    page = render_documents()
    for row in rows.itertuples():
        assert f"(document-{row.doc_id})=" in page
    assert "en.odkb-csto.org/documents/documents/dogovor" in page  # the address is a link
    # a document added to a copy of the data shows up, under its kind
    shutil.copytree(REPO / "data", tmp_path / "data")
    with (tmp_path / "data" / "documents.csv").open("a", encoding="utf-8") as out:
        out.write('D099,A Test Law,Test State,2001-03-01,month,law,ru,Article 9,A test row.,'
                  'web,"Test — President of Russia <http://en.kremlin.ru/x>",A sentence.,\n')
    other = render_documents(tmp_path / "data")
    assert "## Laws" in other and "### D099: A Test Law" in other and "2001-03 (month)" in other


def test_reference_page_is_up_to_date():
    page = REPO / "reference" / "datasets.md"
    assert page.read_text(encoding="utf-8") == data.render_reference(), (
        "run: python -m coursekit.data --write-reference reference/datasets.md")


def test_importing_data_does_not_import_frictionless():
    code = "import sys, coursekit.data; print('frictionless' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------
# Validation catches real faults in a copy of data/


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    """A copy of data/ with four faults, each in a known row (1-based data rows)."""
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    events = _rows(root / "events.csv")
    events[2]["date"] = "2005-02-30"  # row 3: no such day
    _write_rows(root / "events.csv", events)
    places = _rows(root / "places.csv")
    places[4]["lat"] = "12.5"  # row 5: far south of Central Asia
    _write_rows(root / "places.csv", places)
    claims = _rows(root / "claims.csv")
    claims[1]["quote"] = claims[1]["quote"].replace("1.7", "2.7")  # row 2: misquoted
    claims[1]["source_quote"] = claims[1]["source_quote"].replace("1.7", "2.7")
    _write_rows(root / "claims.csv", claims)
    spells = _rows(root / "memberships.csv")
    spells[6]["org_id"] = "warsaw-pact"  # row 7: no such organisation
    _write_rows(root / "memberships.csv", spells)
    return root


@pytest.fixture(scope="module")
def broken_problems(broken) -> list[data.Problem]:
    return data.validate(broken)


def _find(problems, file, row, field):
    return [p for p in problems if p.file == file and p.row == row and p.field == field]


def test_validate_catches_a_bad_date(broken_problems):
    found = _find(broken_problems, "data/events.csv", 3, "date")
    assert found, "\n".join(map(str, broken_problems))
    assert "2005-02-30" in found[0].message


def test_validate_catches_a_coordinate_outside_the_region(broken_problems):
    found = _find(broken_problems, "data/places.csv", 5, "lat")
    assert found, "\n".join(map(str, broken_problems))
    assert "30" in found[0].message


def test_validate_catches_a_quote_not_in_the_source(broken_problems):
    for field in ("quote", "source_quote"):
        found = _find(broken_problems, "data/claims.csv", 2, field)
        assert found, "\n".join(map(str, broken_problems))
        assert "seeds/unsigned-essay.txt" in found[0].message


def test_validate_catches_a_membership_of_an_unknown_organisation(broken_problems):
    found = [p for p in broken_problems
             if p.file == "data/memberships.csv" and p.row == 7 and "warsaw-pact" in p.message]
    assert found, "\n".join(map(str, broken_problems))


def test_validate_reports_only_the_planted_faults(broken_problems):
    assert {(p.file, p.row) for p in broken_problems} == {
        ("data/events.csv", 3), ("data/places.csv", 5), ("data/claims.csv", 2),
        ("data/memberships.csv", 7)}


def test_problem_text_names_file_row_and_field():
    text = str(data.Problem("data/places.csv", 5, "lat", "a number from 30 to 56"))
    assert text == "data/places.csv, row 5 (line 6), field 'lat': a number from 30 to 56"


def test_load_error_names_file_row_column_and_expectation(broken):
    with pytest.raises(data.DataValidationError) as info:
        data.load("events", root=broken)
    message = str(info.value)
    assert "data/events.csv" in message and "row 3 (line 4)" in message
    assert "'date'" in message and "YYYY-MM-DD" in message and "2005-02-30" in message


def test_load_rejects_an_enum_value_outside_the_schema(tmp_path):
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    spells = _rows(tmp_path / "memberships.csv")
    spells[0]["role"] = "ally"
    _write_rows(tmp_path / "memberships.csv", spells)
    with pytest.raises(data.DataValidationError, match=r"row 1 .*'role'.*one of member"):
        data.load("memberships", root=tmp_path)


def test_main_exit_codes(broken, capsys):
    assert data.main(["--root", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "data/places.csv, row 5 (line 6), field 'lat'" in out
    assert "data package valid" not in out


def test_memberships_and_organizations_have_no_problems_of_their_own():
    mine = ("data/memberships.csv", "data/organizations.csv", "data/source_domains.csv")
    problems = [p for p in data.validate() if p.file in mine]
    assert not problems, "\n".join(map(str, problems))


def test_c5plus1_members_counted_from_the_day_of_the_first_ministerial_meeting():
    start = data.load("organizations").set_index("org_id").loc["c5plus1", "founded"]
    day_before = (pd.Timestamp(start) - pd.Timedelta(days=1)).date().isoformat()
    assert data.members("c5plus1", day_before) == []
    assert data.members("c5plus1", start) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert data.members("c5plus1", start, role="partner") == ["USA"]
