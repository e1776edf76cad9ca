"""Where an export may go: only where asked, never into a book, written atomically; and the
IMS content package (a zip with ``imsmanifest.xml``) both QTI exports write.

Exports carry answer keys, so they are instructor files: ``--out`` must name a file outside
any Jupyter Book (a folder holding ``_config.yml`` and ``_toc.yml``, the book's source and its
``_build``), an existing file is replaced only with ``force``, and the file appears whole or not
at all (temporary file + rename).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coursekit.errors import InputError

from .._resources import write_atomic
from ._items import Report, xml_bytes

if TYPE_CHECKING:
    from ..quiz import Quiz

__all__ = ["Resource", "check_out", "content_package", "export_file", "write_out"]


def _book_root(path: Path) -> Path | None:
    for folder in [path, *path.parents]:
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def check_out(out: Path, *, force: bool = False, suffixes: tuple[str, ...] = ()) -> Path:
    """Validate the output path; return it resolved. ``ValueError``/``FileExistsError``
    explain what is wrong."""
    out = Path(out)
    if suffixes and out.suffix.lower() not in suffixes:
        raise InputError(f"--out {out}: expected a file name ending in {' or '.join(suffixes)}")
    resolved = out.expanduser().resolve()
    if resolved.is_dir():
        raise InputError(f"--out {out}: is a folder; give a file name")
    book = _book_root(resolved.parent)
    if book is not None:
        raise InputError(f"--out {out}: inside the book at {book}; exports contain answer keys "
                         "and must not be written into the book's source or build folders. "
                         "Write them to an instructor folder outside the book")
    if resolved.exists() and not force:
        raise FileExistsError(f"--out {out}: exists; pass --force to replace it")
    return resolved


def write_out(out: Path, content: bytes | str, *, force: bool = False,
              suffixes: tuple[str, ...] = ()) -> Path:
    """Check ``out`` and write ``content`` to it atomically."""
    path = check_out(out, force=force, suffixes=suffixes)
    write_atomic(path, content)
    return path


def export_file(build: Callable[[list[Quiz]], tuple[bytes, Report]], quizzes: list[Quiz],
                out: Path, *, force: bool = False, suffixes: tuple[str, ...] = ()) -> Report:
    """Check ``out`` first (nothing is built for a path that will be refused), build the
    export with ``build`` and write it atomically; the report says where it went."""
    check_out(out, force=force, suffixes=suffixes)
    data, report = build(quizzes)
    report.out = write_out(out, data, force=force, suffixes=suffixes)
    return report


@dataclass(frozen=True)
class Resource:
    """One file of an IMS content package and its entry in ``imsmanifest.xml``."""

    identifier: str
    type: str
    href: str
    data: bytes
    depends: tuple[str, ...] = ()


def content_package(identifier: str, namespace: str, schema: tuple[str, str],
                    resources: Iterable[Resource]) -> bytes:
    """The bytes of a zip holding ``resources`` and an ``imsmanifest.xml`` that lists them
    (``schema``: the manifest's schema name and version)."""
    manifest = ET.Element("manifest", identifier=identifier, xmlns=namespace)
    meta = ET.SubElement(manifest, "metadata")
    for tag, text in zip(("schema", "schemaversion"), schema, strict=True):
        ET.SubElement(meta, tag).text = text
    ET.SubElement(manifest, "organizations")
    listed = ET.SubElement(manifest, "resources")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for res in resources:
            zf.writestr(res.href, res.data)
            entry = ET.SubElement(listed, "resource", identifier=res.identifier, type=res.type,
                                  href=res.href)
            ET.SubElement(entry, "file", href=res.href)
            for dep in res.depends:
                ET.SubElement(entry, "dependency", identifierref=dep)
        zf.writestr("imsmanifest.xml", xml_bytes(manifest))
    return buffer.getvalue()
