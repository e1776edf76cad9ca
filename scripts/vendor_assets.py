"""Fetch, verify and record the browser assets the book's maps need (Leaflet and jQuery).

folium loads Leaflet and jQuery from CDNs. The built book must work offline (map tiles
excepted), so the exact versions folium references are vendored under ``vendor/`` and published
at the root of the built site with Sphinx ``html_extra_path``; ``coursekit.sphinxext`` rewrites
the CDN URLs in each page to page-relative paths of these copies.

Usage::

    python scripts/vendor_assets.py --update   # download from the npm registry, (re)write vendor/
    python scripts/vendor_assets.py            # download again and compare with vendor/MANIFEST.json
    python scripts/vendor_assets.py --check    # offline: committed files match the manifest

Only the npm registry (``https://registry.npmjs.org``) is contacted. Each tarball is verified
against the registry's ``dist.integrity`` (SHA-512) before any file is taken from it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDOR = REPO / "vendor"
MANIFEST = VENDOR / "MANIFEST.json"
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Package:
    """One npm package: which files of its tarball are vendored, and where they go."""

    name: str
    version: str
    #: path inside the tarball (below ``package/``) -> path below ``vendor/<name>-<version>/``
    files: dict[str, str]
    #: the CDN URLs folium uses for these files -> path below ``vendor/<name>-<version>/``
    cdn: dict[str, str]

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


# The versions folium 0.20 references in folium/folium.py (_default_js, _default_css).
PACKAGES = (
    Package(
        name="leaflet",
        version="1.9.3",
        files={
            "dist/leaflet.js": "leaflet.js",
            "dist/leaflet.css": "leaflet.css",
            # leaflet.css draws the layer-control button with these.
            "dist/images/layers.png": "images/layers.png",
            "dist/images/layers-2x.png": "images/layers-2x.png",
            # folium adds every Marker with Leaflet's default icon before it sets the DivIcon
            # coursekit uses, so the browser still asks for the default icon.
            "dist/images/marker-icon.png": "images/marker-icon.png",
            "dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
            "dist/images/marker-shadow.png": "images/marker-shadow.png",
            "LICENSE": "LICENSE",
        },
        cdn={
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet.js",
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet.css",
        },
    ),
    Package(
        name="jquery",
        version="3.7.1",
        files={"dist/jquery.min.js": "jquery.min.js", "LICENSE.txt": "LICENSE.txt"},
        cdn={"https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js"},
    ),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise ValueError(f"refusing to fetch {url!r}: only {REGISTRY} is allowed")
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def fetch(package: Package) -> tuple[dict, dict[str, bytes]]:
    """Download ``package`` from the npm registry; return (manifest entry, {vendor path: bytes})."""
    meta = json.loads(_get(f"{REGISTRY}/{package.name}/{package.version}"))
    tarball_url = meta["dist"]["tarball"]
    tarball = _get(tarball_url)
    algorithm, _, expected = meta["dist"]["integrity"].partition("-")
    if algorithm != "sha512":
        raise ValueError(f"{package.name}@{package.version}: unexpected integrity {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise ValueError(f"{tarball_url}: SHA-512 does not match the registry's dist.integrity")
    contents: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for inner, target in package.files.items():
            member = tar.getmember(f"package/{inner}")
            extracted = tar.extractfile(member)
            if extracted is None:
                raise ValueError(f"{tarball_url}: package/{inner} is not a regular file")
            contents[f"{package.folder}/{target}"] = extracted.read()
    entry = {
        "package": package.name,
        "version": package.version,
        "license": meta.get("license"),
        "license_file": next(
            f"{package.folder}/{t}" for t in package.files.values() if t.startswith("LICENSE")
        ),
        "registry_url": f"{REGISTRY}/{package.name}/{package.version}",
        "tarball": tarball_url,
        "tarball_integrity": meta["dist"]["integrity"],
        "files": {
            f"{package.folder}/{target}": {
                "from": f"package/{inner}",
                "sha256": sha256(contents[f"{package.folder}/{target}"]),
            }
            for inner, target in package.files.items()
        },
        "cdn_urls": {url: f"{package.folder}/{target}" for url, target in package.cdn.items()},
    }
    return entry, contents


def manifest_text(entries: list[dict]) -> str:
    manifest = {
        "about": (
            "Browser assets vendored for the book's folium maps, published at the site root with "
            "Sphinx html_extra_path. Written by scripts/vendor_assets.py --update; verify with "
            "scripts/vendor_assets.py --check."
        ),
        "packages": entries,
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def check_offline(vendor: Path = VENDOR) -> list[str]:
    """Return a list of problems: vendored files missing, altered, or not in the manifest."""
    manifest_path = vendor / "MANIFEST.json"
    if not manifest_path.is_file():
        return [f"{manifest_path}: missing"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    listed = set()
    for entry in manifest["packages"]:
        for rel, info in entry["files"].items():
            listed.add(rel)
            path = vendor / rel
            if not path.is_file():
                problems.append(f"{path}: listed in MANIFEST.json but missing")
            elif sha256(path.read_bytes()) != info["sha256"]:
                problems.append(f"{path}: sha256 differs from MANIFEST.json ({info['sha256']})")
    for path in sorted(vendor.rglob("*")):
        rel = path.relative_to(vendor).as_posix()
        if path.is_file() and rel != "MANIFEST.json" and rel not in listed:
            problems.append(f"{path}: not listed in MANIFEST.json")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="download and rewrite vendor/")
    mode.add_argument("--check", action="store_true", help="verify vendor/ offline")
    args = parser.parse_args(argv)

    if args.check:
        problems = check_offline()
        for problem in problems:
            print(problem, file=sys.stderr)
        print("vendor/: OK" if not problems else f"vendor/: {len(problems)} problem(s)")
        return 1 if problems else 0

    sys.path.insert(0, str(REPO / "src"))
    from coursekit._resources import write_atomic

    entries, problems = [], []
    for package in PACKAGES:
        entry, contents = fetch(package)
        entries.append(entry)
        for rel, data in contents.items():
            path = VENDOR / rel
            if args.update:
                write_atomic(path, data)
            elif not path.is_file() or path.read_bytes() != data:
                problems.append(f"{path}: differs from {entry['tarball']}")
    text = manifest_text(entries)
    if args.update:
        write_atomic(MANIFEST, text)
        print(f"wrote {MANIFEST.relative_to(REPO)} and {sum(len(e['files']) for e in entries)} files")
        return 0
    if not MANIFEST.is_file() or MANIFEST.read_text(encoding="utf-8") != text:
        problems.append(f"{MANIFEST}: differs from what the registry gives now")
    for problem in problems:
        print(problem, file=sys.stderr)
    print("vendor/ matches the npm registry" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
