"""The vendored browser assets: complete, unaltered, licensed, and the versions folium uses."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import folium
import pytest

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "vendor"
MANIFEST = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))


def _script():
    spec = importlib.util.spec_from_file_location("vendor_assets", REPO / "scripts" / "vendor_assets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["vendor_assets"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


vendor_assets = _script()


def test_committed_files_match_the_manifest():
    assert vendor_assets.check_offline(VENDOR) == []


def test_check_detects_an_altered_file(tmp_path: Path):
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    target = copy / "leaflet-1.9.3" / "leaflet.js"
    target.write_bytes(target.read_bytes() + b"\n// changed")
    (copy / "stray.js").write_text("x")
    (copy / "jquery-3.7.1" / "jquery.min.js").unlink()
    problems = vendor_assets.check_offline(copy)
    assert any("leaflet.js: sha256 differs" in p for p in problems)
    assert any("stray.js: not listed" in p for p in problems)
    assert any("jquery.min.js: listed in MANIFEST.json but missing" in p for p in problems)


def test_check_mode_exit_status():
    assert vendor_assets.main(["--check"]) == 0


def test_versions_are_the_ones_folium_references():
    folium_urls = dict(folium.Map.default_js) | dict(folium.Map.default_css)
    cdn = {url for entry in MANIFEST["packages"] for url in entry["cdn_urls"]}
    assert {folium_urls["leaflet"], folium_urls["jquery"], folium_urls["leaflet_css"]} == cdn
    versions = {e["package"]: e["version"] for e in MANIFEST["packages"]}
    assert f"leaflet@{versions['leaflet']}/" in folium_urls["leaflet"]
    assert f"jquery-{versions['jquery']}.min.js" in folium_urls["jquery"]


@pytest.mark.parametrize("entry", MANIFEST["packages"], ids=lambda e: e["package"])
def test_each_package_has_licence_and_registry_provenance(entry: dict):
    licence = VENDOR / entry["license_file"]
    assert licence.is_file() and "Copyright" in licence.read_text(encoding="utf-8")
    assert entry["license"] in {"BSD-2-Clause", "MIT"}
    assert entry["registry_url"] == f"https://registry.npmjs.org/{entry['package']}/{entry['version']}"
    assert entry["tarball"].startswith("https://registry.npmjs.org/")
    assert entry["tarball_integrity"].startswith("sha512-")
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) for f in entry["files"].values())


def test_images_referenced_by_leaflet_css_are_vendored():
    css = (VENDOR / "leaflet-1.9.3" / "leaflet.css").read_text(encoding="utf-8")
    images = set(re.findall(r"url\((images/[^)]+)\)", css))
    assert images, "leaflet.css no longer references images?"
    assert [i for i in sorted(images) if not (VENDOR / "leaflet-1.9.3" / i).is_file()] == []


def test_vendored_scripts_are_the_real_libraries():
    js = (VENDOR / "leaflet-1.9.3" / "leaflet.js").read_text(encoding="utf-8")
    assert '"1.9.3"' in js and "window.L=" in js
    jq = (VENDOR / "jquery-3.7.1" / "jquery.min.js").read_text(encoding="utf-8")
    assert jq.startswith("/*! jQuery v3.7.1 ")
