"""The intro's promise, checked: every disagreement between sources is flagged in the data.

A disagreement is *flagged* when a row of ``claims`` names the rows that disagree in
``conflicts_with`` and says how in ``flag``. These tests read the CSV files as they are and
check, mechanically:

- every ``conflicts_with`` reference resolves to an existing row;
- two claims that point at each other with different values both carry a flag, and the
  pointing goes both ways;
- a claim marked ``Disputed`` has a counterpart claim with another value from another source
  (two values, two sources);
- an event or installation whose note reports a disagreement ("sources differ", "disagree",
  "disputed") is named by a flagged claim;
- figures in ``installation_terms`` that measure the same thing for the same installation and
  year (or the same lease's end) but differ carry a flag, and a seed's differing figure is
  named by a flagged claim.

The adversarial tests feed each rule a small broken table and expect the rule to name it.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from coursekit._resources import resource_path

DATA = Path(resource_path("data"))
Tables = dict[str, list[dict[str, str]]]
KEYS = {"claims": "claim_id", "events": "event_id", "installations": "installation_id",
        "installation_terms": "term_id", "memberships": "membership_id",
        "organizations": "org_id", "places": "place_id"}
DISAGREEMENT = re.compile(r"\bsources? differ\b|\bdisagree|\bdisputed\b", re.IGNORECASE)


def _read(name: str, root: Path = DATA) -> list[dict[str, str]]:
    with (root / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _tables(root: Path = DATA) -> Tables:
    return {name: _read(name, root) for name in KEYS if (root / f"{name}.csv").exists()}


def _key(table: str, rows: list[dict[str, str]]) -> str:
    return KEYS.get(table) or next(iter(rows[0]))


def _refs(claim: dict[str, str]) -> list[tuple[str, str]]:
    return [tuple(ref.split(":", 1)) for ref in (claim.get("conflicts_with") or "").split(";")
            if ref]  # type: ignore[misc]


def _value(claim: dict[str, str]) -> tuple[object, ...]:
    """What a claim asserts: its number(s) or date, with the unit (which may name a place)."""
    def num(text: str) -> float | None:
        return float(text) if text else None
    return (num(claim.get("value", "")), num(claim.get("value_high", "")),
            claim.get("date_value") or None, claim.get("unit", "").strip())


def _ids(tables: Tables) -> dict[str, set[str]]:
    return {name: {row[_key(name, rows)] for row in rows} for name, rows in tables.items() if rows}


# --------------------------------------------------------------------------------------------
# The rules (each returns human-readable problems, empty when the data keeps the promise)

def unresolved_references(tables: Tables) -> list[str]:
    ids = _ids(tables)
    return [f"claims {c['claim_id']}: conflicts_with {t}:{i} names no existing row"
            for c in tables["claims"] for t, i in _refs(c) if i not in ids.get(t, set())]


def unflagged_claim_pairs(tables: Tables) -> list[str]:
    by_id = {c["claim_id"]: c for c in tables["claims"]}
    problems = []
    for a in tables["claims"]:
        for table, bid in _refs(a):
            b = by_id.get(bid) if table == "claims" else None
            if b is None or _value(a) == _value(b):
                continue
            for row in (a, b):
                if not row.get("flag", "").strip():
                    problems.append(f"claims {row['claim_id']}: disagrees with "
                                    f"{(b if row is a else a)['claim_id']} but has no flag")
            if ("claims", a["claim_id"]) not in _refs(b):
                problems.append(f"claims {b['claim_id']}: {a['claim_id']} points to it with another "
                                f"value, but it does not point back")
    return problems


def one_sided_disputes(tables: Tables) -> list[str]:
    by_id = {c["claim_id"]: c for c in tables["claims"]}
    problems = []
    for a in tables["claims"]:
        if not a.get("flag", "").startswith("Disputed"):
            continue
        others = [by_id[i] for t, i in _refs(a) if t == "claims" and i in by_id]
        if not any(_value(b) != _value(a) and b["source"] != a["source"] for b in others):
            problems.append(f"claims {a['claim_id']}: marked Disputed but no claim it names gives "
                            f"another value from another source")
    return problems


def notes_without_flagged_claims(tables: Tables) -> list[str]:
    named = {ref for c in tables["claims"] if c.get("flag", "").strip() for ref in _refs(c)}
    problems = []
    for table in ("events", "installations"):
        key = _key(table, tables[table])
        for row in tables[table]:
            if DISAGREEMENT.search(row.get("note", "")) and (table, row[key]) not in named:
                problems.append(f"{table} {row[key]}: its note reports a disagreement, but no "
                                f"flagged claim names it in conflicts_with")
    return problems


def unflagged_term_differences(tables: Tables) -> list[str]:
    """Differing figures for the same measure of one installation carry a flag.

    The same measure is (installation, term, year referred to); for ``lease_until`` the year
    does not matter, since every figure is the end of the same lease. Rows without a year are
    compared with every row of their installation and term.
    """
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in tables["installation_terms"]:
        groups[(row["installation_id"], row["term"])].append(row)
    named = {ref for c in tables["claims"] if c.get("flag", "").strip() for ref in _refs(c)}
    problems = []
    for (inst, term), rows in groups.items():
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                same_time = (term == "lease_until" or not a["year_referred"]
                             or not b["year_referred"] or a["year_referred"] == b["year_referred"])
                if not same_time or (a["value"], a["value_high"]) == (b["value"], b["value_high"]):
                    continue
                if not (a["flag"].strip() or b["flag"].strip()):
                    problems.append(f"installation_terms {a['term_id']} and {b['term_id']}: "
                                    f"{inst} {term} {a['value']} vs {b['value']}, neither flagged")
                for row, other in ((a, b), (b, a)):
                    if (row["source_kind"] == "seed" and other["source_kind"] != "seed"
                            and ("installation_terms", row["term_id"]) not in named
                            and ("installation_terms", other["term_id"]) not in named):
                        problems.append(f"installation_terms {row['term_id']}: a seed's figure that "
                                        f"differs from {other['term_id']} has no flagged claim")
    return problems


RULES = [unresolved_references, unflagged_claim_pairs, one_sided_disputes,
         notes_without_flagged_claims, unflagged_term_differences]


# --------------------------------------------------------------------------------------------
# The real data keeps the promise

@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_data_keeps_the_promise(rule):
    assert rule(_tables()) == []


def test_the_june_2010_toll_is_kept_with_every_count():
    claims = {c["claim_id"]: c for c in _read("claims")}
    toll = claims["C42"]
    assert toll["source_id"] == "evsikov-shafir-2011" and toll["value"] == "893"
    named = [claims[i] for t, i in _refs(toll) if t == "claims"]
    outside = [c for c in named if c["source_kind"] == "web"]
    # the state's counts, the National Commission's and the international commission's
    assert {c["value"] for c in outside} >= {"426", "470"}
    assert len({c["source"] for c in outside}) >= 3
    assert all(c["flag"].startswith("Disputed") for c in outside)


# --------------------------------------------------------------------------------------------
# Adversarial cases: each rule names a broken row

def _claim(cid: str, value: str, source: str, refs: str = "", flag: str = "") -> dict[str, str]:
    return {"claim_id": cid, "source_id": "", "quote": "q", "value": value, "value_high": "",
            "date_value": "", "unit": "deaths", "year_referred": "2010", "topic": "casualties",
            "conflicts_with": refs, "flag": flag, "source_kind": "web", "source": source,
            "source_quote": "q"}


def _term(tid: str, value: str, kind: str, year: str = "2012", flag: str = "",
          term: str = "personnel") -> dict[str, str]:
    return {"term_id": tid, "installation_id": "kant", "term": term, "value": value,
            "value_high": "", "unit": "servicemen", "year_referred": year, "flag": flag,
            "source_kind": kind, "source": "gusev-2019" if kind == "seed" else "P <https://x.org>",
            "source_quote": "q"}


def _base(**tables: list[dict[str, str]]) -> Tables:
    out: Tables = {"claims": [], "events": [], "installations": [], "installation_terms": []}
    out.update(tables)
    return out


def test_a_reference_to_a_missing_row_is_named():
    broken = _base(claims=[_claim("C01", "1", "A <https://a.org>", refs="events:E999")])
    assert unresolved_references(broken) == [
        "claims C01: conflicts_with events:E999 names no existing row"]


def test_a_disagreement_flagged_on_one_side_only_is_named():
    broken = _base(claims=[
        _claim("C01", "893", "A <https://a.org>", refs="claims:C02", flag="Disputed: 470 (C02)"),
        _claim("C02", "470", "B <https://b.org>")])
    problems = unflagged_claim_pairs(broken)
    assert "claims C02: disagrees with C01 but has no flag" in problems
    assert any("C02: C01 points to it" in p for p in problems)


def test_a_dispute_with_one_value_or_one_source_is_named():
    same_value = _base(claims=[
        _claim("C01", "470", "A <https://a.org>", refs="claims:C02", flag="Disputed: x"),
        _claim("C02", "470", "B <https://b.org>", refs="claims:C01", flag="Disputed: x")])
    same_source = _base(claims=[
        _claim("C01", "470", "A <https://a.org>", refs="claims:C02", flag="Disputed: x"),
        _claim("C02", "426", "A <https://a.org>", refs="claims:C01", flag="Disputed: x")])
    assert len(one_sided_disputes(same_value)) == 2
    assert len(one_sided_disputes(same_source)) == 2
    kept = _base(claims=[
        _claim("C01", "470", "A <https://a.org>", refs="claims:C02", flag="Disputed: x"),
        _claim("C02", "426", "B <https://b.org>", refs="claims:C01", flag="Disputed: x")])
    assert one_sided_disputes(kept) == []


def test_a_note_reporting_a_disagreement_needs_a_flagged_claim():
    event = {"event_id": "E001", "note": "Sources differ on the day: 16 or 17 October."}
    broken = _base(events=[event])
    assert notes_without_flagged_claims(broken) == [
        "events E001: its note reports a disagreement, but no flagged claim names it in "
        "conflicts_with"]
    unflagged = _base(events=[event], claims=[_claim("C01", "1", "A <https://a.org>",
                                                     refs="events:E001")])
    assert notes_without_flagged_claims(unflagged) != []
    kept = _base(events=[event], claims=[_claim("C01", "1", "A <https://a.org>",
                                                refs="events:E001", flag="Disputed: day")])
    assert notes_without_flagged_claims(kept) == []


def test_differing_term_figures_need_a_flag_and_a_seed_needs_a_claim():
    broken = _base(installation_terms=[_term("T01", "700", "web"), _term("T02", "400", "web")])
    assert unflagged_term_differences(broken) == [
        "installation_terms T01 and T02: kant personnel 700 vs 400, neither flagged"]
    other_year = _base(installation_terms=[_term("T01", "700", "web"),
                                           _term("T02", "400", "web", year="2009")])
    assert unflagged_term_differences(other_year) == []
    lease = _base(installation_terms=[
        _term("T01", "2032", "web", year="2012", term="lease_until"),
        _term("T02", "2060", "seed", year="", term="lease_until", flag="Disagrees with T01")])
    assert unflagged_term_differences(lease) == [
        "installation_terms T02: a seed's figure that differs from T01 has no flagged claim"]
    lease["claims"] = [_claim("C01", "2060", "A <https://a.org>",
                              refs="installation_terms:T01", flag="Disagrees with T01")]
    assert unflagged_term_differences(lease) == []
