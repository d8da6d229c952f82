"""Turn a prepared unit into the record of a new item: what a person wrote in a sidecar wins over
what the file says of itself, and the batch's options fill what neither says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.fields import FIELDS, LANGUAGE_MAP, default_lang
from archive.records import NewFile, NewItem
from ingest.names import display, path_key
from ingest.pipeline import Prepared, with_languages

if TYPE_CHECKING:
    from ingest.metadata import Embedded


@dataclass(frozen=True)
class Options:
    type: str = "auto"  # auto | photo | document
    access: str = "public"
    rights: str = ""
    languages: str = "vie+eng"
    collection: str | None = None
    read_photos: bool = False  # OCR photos too; documents are always read

    @property
    def default_lang(self) -> str:
        return default_lang(self.languages)


def new_item(prepared: Prepared, options: Options) -> NewItem:
    """Each field of the table as a sidecar gave it, else as the file says it itself."""
    embedded = prepared.files[0].embedded  # the metadata step always leaves one
    given = prepared.unit.description.fields if prepared.unit.description else {}
    lang = options.default_lang
    values = {}
    for field in FIELDS:
        value = given.get(field.name)
        if _missing(value) and field.embedded:
            value = getattr(embedded, field.embedded)
            if field.kind == LANGUAGE_MAP:
                value = {lang: value} if value else {}
        values[field.attribute] = field.empty if _missing(value) else value
    values["type"] = prepared.type
    values["title"] = values["title"] or {lang: _fallback_title(prepared)}
    values["rights"] = values["rights"] or options.rights
    values["access"] = values["access"] or options.access
    return NewItem(
        content_hash=prepared.content_hash,
        files=[_file(record) for record in prepared.files],
        technical=_technical(prepared, embedded),
        collection=options.collection or prepared.unit.collection,
        **values,
    )


def _missing(value) -> bool:
    """Nothing said: a number 0 is a value, an empty text, list or map is not."""
    return value is None or (not value and not isinstance(value, int | float))


def _fallback_title(prepared: Prepared) -> str:
    """With no title anywhere, the file or folder name is what the archivist will recognise."""
    path = prepared.unit.path
    return display(path.name if prepared.unit.compound else Path(path.name).stem)


def _file(record) -> NewFile:
    return NewFile(
        sha256=record.sha256,
        size=record.size,
        media_type=record.media_type,
        original_path=record.name,
        stored_path=record.stored_path or "",
        frames=record.frames,
        source_path=display(record.path.absolute()),
        mtime_ns=record.mtime_ns,
        pages=tuple(with_languages(page) for page in record.pages),
        source_bytes=path_key(record.path),
    )


def _technical(prepared: Prepared, embedded: Embedded) -> dict:
    found = {
        "make": embedded.make,
        "model": embedded.model,
        "date_taken": embedded.date_taken,
        "orientation": embedded.orientation,
        "media_types": sorted({f.media_type for f in prepared.files}),
        "pixel_mode": prepared.files[0].mode or None,
    }
    return {key: value for key, value in found.items() if value not in (None, [], "")}
