"""The demo's two exhibitions, written as a curator would, once the demo material is ingested
(their accession ids are only known then): a photo exhibition from the photos and an exhibition
of archival documents from the documents.

    python -m demo.exhibitions ARCHIVE_HOME   # writes ARCHIVE_HOME/exhibitions/*.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from sqlalchemy import select

from archive.home import Archive
from archive.models import Collection, Item

PARTNER = {"vi": "Bộ Thông tin và Truyền thông", "en": "Ministry of Information and Communications"}
VENUE = {"vi": "Bảo tàng tỉnh Kon Tum", "en": "Kon Tum Provincial Museum"}
ATTRIBUTION = {"vi": "Lưu trữ lịch sử tỉnh Kon Tum", "en": "Kon Tum Provincial Archives"}
RIGHTS = "http://rightsstatements.org/vocab/InC-EDU/1.0/"


def _items(archive: Archive, collection: str) -> list[Item]:
    with archive.session() as session:
        query = (
            select(Item)
            .join(Collection, Item.collection_id == Collection.id)
            .where(Collection.slug == collection, Item.access == "public")
            .order_by(Item.accession_id)
        )
        found = list(session.scalars(query))
        for item in found:
            _ = item.pages  # loaded while the session is open
        return found


def _entry(item: Item, pages: list[int] | None = None) -> dict:
    title = item.title.get("vi") or item.accession_id
    entry = {"item": item.accession_id, "caption": {"vi": title}}
    if item.title.get("en"):
        entry["caption"]["en"] = item.title["en"]
    if pages:
        entry["pages"] = pages
    return entry


def photo_exhibition(photos: list[Item]) -> dict:
    half = (len(photos) + 1) // 2
    return {
        "id": "quyen-con-nguoi-qua-anh",
        "kind": "photo",
        "title": {"vi": "Quyền con người ở Kon Tum qua ảnh", "en": "Human rights in Kon Tum"},
        "summary": {
            "vi": "Ảnh tư liệu về đời sống, học tập và sinh hoạt cộng đồng ở các huyện của tỉnh.",
            "en": "Documentary photographs of daily life, schooling and community in the province.",
        },
        "partner": PARTNER,
        "venue": VENUE,
        "dates": {"start": "2024-12-10", "end": "2024-12-20"},
        "curators": ["Nguyễn Thị Hoa"],
        "rights": RIGHTS,
        "attribution": ATTRIBUTION,
        "sections": [
            {
                "title": {"vi": "Cộng đồng và làng", "en": "Community and village"},
                "text": {"vi": "Nhà rông, lễ hội và sinh hoạt chung.", "en": "Communal life."},
                "items": [_entry(item) for item in photos[:half]],
            },
            {
                "title": {"vi": "Học tập và đời sống", "en": "Schooling and daily life"},
                "items": [_entry(item) for item in photos[half:]],
            },
        ],
    }


def document_exhibition(documents: list[Item]) -> dict:
    entries = [_entry(d, [1, len(d.pages)] if len(d.pages) > 2 else None) for d in documents]
    return {
        "id": "tai-lieu-luu-tru-quyen-con-nguoi",
        "kind": "archive",
        "title": {
            "vi": "Tài liệu lưu trữ về quyền con người",
            "en": "Archival documents on human rights",
        },
        "summary": {
            "vi": "Kế hoạch, báo cáo và tài liệu tuyên truyền của tỉnh về quyền con người.",
            "en": "The province's plans, reports and leaflets on human rights.",
        },
        "partner": PARTNER,
        "venue": VENUE,
        "dates": {"start": "2024-12-10", "end": "2024-12-20"},
        "curators": ["Trần Văn Minh"],
        "rights": RIGHTS,
        "attribution": ATTRIBUTION,
        "sections": [
            {
                "title": {"vi": "Văn bản của tỉnh", "en": "The province's documents"},
                "text": {"vi": "Theo thứ tự số hiệu lưu trữ.", "en": "In accession order."},
                "items": entries,
            }
        ],
    }


def write(home: Path) -> list[Path]:
    archive = Archive.open(home)
    try:
        made = {
            "quyen-con-nguoi-qua-anh.yaml": photo_exhibition(_items(archive, "kon-tum/anh")),
            "tai-lieu-luu-tru.yaml": document_exhibition(_items(archive, "kon-tum/van-ban")),
        }
    finally:
        archive.close()
    written = []
    for name, definition in made.items():
        path = home / "exhibitions" / name
        text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write(Path(sys.argv[1])):
        print(path)
