"""The bibliographic records of the five sources (``seeds/records.yml``, checked by a JSON Schema)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from coursekit._resources import resource_path
from coursekit._yaml import safe_load
from coursekit.errors import CoursekitError, UnknownName

SOURCE_IDS: tuple[str, ...] = (
    "unsigned-essay",
    "rashidov-2005",
    "gusev-2019",
    "evsikov-shafir-2011",
    "talantbekova-2024",
)
_SCHEMA = Path(__file__).with_name("records.schema.json")


class UnknownSource(UnknownName):
    """A source id that is not one of :data:`SOURCE_IDS`."""


class SeedFormatError(CoursekitError, ValueError):
    """A seed file, ``records.yml`` or ``quoted.json`` that breaks the documented format."""


@dataclass(frozen=True)
class SourceRecord:
    """The bibliographic record of one source (one entry of ``seeds/records.yml``)."""

    id: str
    title: str
    authors: tuple[str, ...]
    date: str
    date_precision: str
    date_note: str
    venue: str | None
    venue_note: str | None
    kind: str
    affiliation: str | None
    place: str | None
    url: str | None
    url_note: str | None
    licence: str
    full_text_shipped: bool
    max_published_share: float
    raw_file: str
    introduction: str
    reading_note: str
    notes: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        """The (first) year of the date: ``2010`` for ``"2010/2011"``."""
        return int(self.date[:4])

    @property
    def author_label(self) -> str:
        """Authors for a caption: ``"Egor Evsikov and Leonid Shafir"``, ``"Unknown author"``.

        >>> record("evsikov-shafir-2011").author_label
        'Egor Evsikov and Leonid Shafir'
        """
        if list(self.authors) == ["unknown"]:
            return "Unknown author"
        if len(self.authors) == 1:
            return self.authors[0]
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]

    @property
    def display_date(self) -> str:
        """The date as readers see it: ``"3 October 2019"``, ``"c. 2005"``, ``"after 2018"``.

        >>> [record(s).display_date for s in SOURCE_IDS]
        ['after 2018', 'c. 2005', '3 October 2019', 'c. 2010–2011', '2024']
        """
        shown = self.date.replace("/", "–")
        if self.date_precision == "day":
            d = date.fromisoformat(self.date)
            return f"{d.day} {d:%B %Y}"
        if self.date_precision == "month":
            return f"{date.fromisoformat(self.date + '-01'):%B %Y}"
        if self.date_precision == "approximate":
            return f"c. {shown}"
        if self.date_precision == "after":
            return f"after {shown}"
        return shown

    @property
    def page(self) -> str:
        """Path of the source's book page, relative to a chapter: ``../sources/<id>.html``."""
        return f"../sources/{self.id}.html"

    @property
    def where_to_read(self) -> str:
        """Where a reader finds the original: its address, or the note saying why there is none."""
        return self.url or self.url_note or ""


@functools.cache
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads(_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _check_record(source_id: str, data: object, path: Path) -> SourceRecord:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "(entry)"
        raise SeedFormatError(f"{path}: entry {source_id!r}, field {where}: {err.message}")
    assert isinstance(data, dict)
    if data["id"] != source_id:
        raise SeedFormatError(f"{path}: entry {source_id!r}, field id: expected {source_id!r}, "
                              f"got {data['id']!r}")
    values = dict(data)
    values["authors"] = tuple(values["authors"])
    values["notes"] = tuple(values["notes"])
    values["max_published_share"] = float(values["max_published_share"])
    return SourceRecord(**values)


@functools.lru_cache(maxsize=4)
def _records_from(seeds_dir: Path) -> dict[str, SourceRecord]:
    path = seeds_dir / "records.yml"
    data = safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or list(data) != list(SOURCE_IDS):
        raise SeedFormatError(f"{path}: expected the entries {', '.join(SOURCE_IDS)} in order")
    return {sid: _check_record(sid, data[sid], path) for sid in SOURCE_IDS}


def _seeds_dir(seeds_dir: Path | str | None = None) -> Path:
    return (Path(seeds_dir) if seeds_dir is not None else resource_path("seeds")).resolve()


def _check_id(source_id: str) -> None:
    if source_id not in SOURCE_IDS:
        raise UnknownSource(
            f"unknown source id {source_id!r}; valid ids: {', '.join(SOURCE_IDS)}"
        )


def records() -> dict[str, SourceRecord]:
    """Return the record of every source, keyed by id (in the order of :data:`SOURCE_IDS`)."""
    return dict(_records_from(_seeds_dir()))


def record(source_id: str) -> SourceRecord:
    """Return the record of one source.

    >>> record("rashidov-2005").place
    'Tashkent, Uzbekistan'
    >>> record("rashidov")
    Traceback (most recent call last):
        ...
    coursekit.sources.UnknownSource: unknown source id 'rashidov'; valid ids: unsigned-essay, \
rashidov-2005, gusev-2019, evsikov-shafir-2011, talantbekova-2024
    """
    _check_id(source_id)
    return _records_from(_seeds_dir())[source_id]
