"""Tests of the web-source registry (data/source_domains.csv) and coursekit.provenance."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _support import read_rows, write_rows

from coursekit import data, provenance
from coursekit._resources import resource_path

DATA = resource_path("data")
KINDS = ("official", "agency", "scholarly", "press", "reference-mirror")
_ADDRESS = re.compile(r"https?://[^\s<>\"]+")


_rows, _write_rows = read_rows, write_rows


def _registry(root: Path = DATA) -> list[dict[str, str]]:
    return _rows(root / "source_domains.csv")


def _provenance_tables() -> list[str]:
    return [n for n in data.names() if n != "boundaries"
            and any(f["name"] == "source_kind"
                    for f in data._resource(n)["schema"]["fields"])]


def _web_sources(name: str) -> list[tuple[int, str, str]]:
    """(row, column, source) for every web-kind source of a dataset, all provenance prefixes."""
    frame = data.load(name)
    found = []
    for pre in ("", "end_", "dissolved_", "opened_", "closed_"):
        if f"{pre}source_kind" not in frame.columns:
            continue
        for i, (kind, src) in enumerate(zip(frame[f"{pre}source_kind"].astype(str),
                                            frame[f"{pre}source"], strict=True), 1):
            if kind == "web":
                found.append((i, f"{pre}source", str(src)))
    return found


# --------------------------------------------------------------------------------------------
# The real data


@pytest.mark.parametrize("name", _provenance_tables())
def test_no_dataset_cites_an_unregistered_or_denied_domain(name):
    registry = _registry()
    faults = [f"data/{name}.csv row {row} {col}: {fault}"
              for row, col, src in _web_sources(name)
              if (fault := provenance.web_source_fault(src, registry))]
    assert not faults, "\n".join(faults)


def test_every_address_anywhere_in_the_data_has_a_registered_domain():
    registry = _registry()
    files = [*sorted(DATA.glob("*.csv")), DATA / "routes.yml"]
    missing = set()
    for path in files:
        for address in _ADDRESS.findall(path.read_text(encoding="utf-8")):
            host = provenance.domain_of(f"<{address.rstrip('.,;)')}>")
            if host is None or provenance._lookup_domain(host, registry) is None:
                missing.add(f"{path.name}: {host or address}")
    assert not missing, "register these domains in data/source_domains.csv:\n" + "\n".join(
        sorted(missing))


def test_registry_rows_are_well_formed():
    rows = _registry()
    domains = [r["domain"] for r in rows]
    assert len(domains) == len(set(domains)), "a domain is registered twice"
    for r in rows:
        assert r["kind"] in KINDS, r
        assert not r["domain"].startswith("www."), r["domain"]
        if r["denied"] == "true":
            assert r["note"], f"{r['domain']} is denied without a reason in its note"
    assert any(r["denied"] == "true" for r in rows), "the deny-list is empty"


def test_memberships_and_organizations_flag_disputes_with_a_second_source():
    for name, key in (("memberships", "membership_id"), ("organizations", "org_id")):
        for row in _rows(DATA / f"{name}.csv"):
            if "DISPUTE" in (row["note"] or ""):
                assert _ADDRESS.search(row["note"]), (
                    f"{name} {row[key]}: a flagged dispute must give the address of its "
                    "other source")


# --------------------------------------------------------------------------------------------
# Looking a source up


def test_source_kind_uses_the_registered_domain_and_its_parents():
    assert provenance.source_kind("Page — RFE/RL <https://www.rferl.org/a/1.html>") == "agency"
    assert provenance.source_kind("Charter — Kremlin <http://en.special.kremlin.ru/x>") == "official"
    assert provenance.source_kind("X <https://www.nato.int:443/cps/en/a.htm>") == "official"


def test_source_kind_does_not_match_a_lookalike_domain():
    with pytest.raises(data.UnknownValue, match=r"notkremlin\.ru"):
        provenance.source_kind("Fake — <https://notkremlin.ru/page>")


def test_source_kind_needs_a_trailing_address():
    with pytest.raises(ValueError, match="address"):
        provenance.source_kind("A page title without its address")
    with pytest.raises(ValueError, match="address"):
        provenance.source_kind("<https://www.rferl.org/a/1.html> followed by text")


def test_a_denied_domain_is_a_fault_and_names_the_reason():
    registry = [{"domain": "example-farm.com", "kind": "press", "publisher": "unknown",
                 "note": "content farm", "denied": "true"},
                {"domain": "example.org", "kind": "official", "publisher": "E",
                 "note": "", "denied": "false"}]
    fault = provenance.web_source_fault("T <https://news.example-farm.com/a>", registry)
    assert fault and "denied" in fault and "content farm" in fault
    assert provenance.web_source_fault("T <https://www.example.org/a>", registry) is None
    assert "not" in provenance.web_source_fault("T <https://example.net/a>", registry)


# --------------------------------------------------------------------------------------------
# validate() enforces the registry on a copy of data/


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_validate_rejects_a_denied_and_an_unregistered_domain(data_copy):
    spells = _rows(data_copy / "memberships.csv")
    denied = next(r["domain"] for r in _registry(data_copy) if r["denied"] == "true")
    spells[0].update(source_kind="web", source=f"Copy — <https://{denied}/page>")
    spells[1].update(source_kind="web", source="Blog — <https://www.unregistered-blog.example/p>")
    spells[2].update(end_source_kind="web", end_source=f"Copy — <http://sub.{denied}/x>",
                     end_source_quote="A sentence.")
    _write_rows(data_copy / "memberships.csv", spells)
    problems = [p for p in data.validate(data_copy) if p.file == "data/memberships.csv"]
    by_place = {(p.row, p.field): p.message for p in problems}
    assert "denied" in by_place[(1, "source")]
    assert "unregistered-blog.example" in by_place[(2, "source")]
    assert "denied" in by_place[(3, "end_source")]
    assert len(problems) == 3, "\n".join(map(str, problems))


def test_validate_accepts_a_newly_registered_domain(data_copy):
    spells = _rows(data_copy / "memberships.csv")
    spells[0].update(source_kind="web", source="Note — Ministry <https://mfa.example.gov/n>")
    _write_rows(data_copy / "memberships.csv", spells)
    registry = _registry(data_copy)
    registry.append({"domain": "example.gov", "kind": "official", "publisher": "Example",
                     "note": "", "denied": "false"})
    _write_rows(data_copy / "source_domains.csv", registry)
    problems = [p for p in data.validate(data_copy)
                if p.file in ("data/memberships.csv", "data/source_domains.csv")]
    assert not problems, "\n".join(map(str, problems))


# --------------------------------------------------------------------------------------------
# Counting rows by source kind


def test_provenance_counts_count_each_row_by_its_main_source(data_copy):
    spells = _rows(data_copy / "memberships.csv")
    for i, row in enumerate(spells):
        row.update(source_kind="dataset", source="a dataset", source_quote="a record")
        if i < 3:
            row.update(source_kind="web", source=f"P{i} <https://www.nato.int/{i}>")
        elif i < 5:
            row.update(source_kind="web", source=f"W{i} <http://tass.com/{i}>")
        elif i == 5:
            row.update(source_kind="web", source="W <https://nowhere.example/x>")
        elif i == 6:
            row.update(source_kind="seed", source="gusev-2019")
    _write_rows(data_copy / "memberships.csv", spells)
    counts = provenance.provenance_counts("memberships", root=data_copy)
    assert counts == {"dataset": len(spells) - 7, "official": 3, "agency": 2,
                      "unregistered": 1, "seed": 1}


def test_provenance_counts_cover_every_row_of_every_table():
    for name in _provenance_tables():
        counts = provenance.provenance_counts(name)
        assert sum(counts.values()) == len(data.load(name)), name
        assert set(counts) <= {"seed", "dataset", "unregistered", *KINDS}, counts


def test_provenance_counts_reject_a_table_without_provenance():
    with pytest.raises(data.UnknownValue):
        provenance.provenance_counts("places" if "source_kind" not in data.load("places")
                                     else "source_domains")


def test_provenance_report_command_lists_each_table():
    out = subprocess.run([sys.executable, "-m", "coursekit.data", "--provenance-report"],
                         capture_output=True, text=True, check=True).stdout
    lines = {line.split(" ", 1)[0]: line for line in out.splitlines()}
    for name in _provenance_tables():
        assert f"({len(data.load(name))} rows)" in lines[name]
    assert "source_domains" not in lines


def test_reference_page_shows_each_web_source_with_its_kind():
    page = data.render_reference()
    section = page.split("(dataset-memberships)=")[1].split("(dataset-")[0]
    assert "Rows by source kind:" in section
    table = [line for line in section.splitlines() if line.startswith("| ")
             and not line.startswith(("| web source", "| ---")) and line.count("|") == 4]
    assert table, "no web-source table in the memberships section"
    for line in table:
        assert line.split("|")[2].strip() in KINDS, line
