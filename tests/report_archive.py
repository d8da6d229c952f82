"""An archive whose report is known: items with material and description languages, automatic
and reviewed tags, restricted and withdrawn items, collections with extents, exhibitions with
partners and visitors, public-log changes and daily counts of use, accessioned across quarters
of 2023 and 2024. Written straight into the database, so each date is the one wanted; the test
counts every figure again from these lists, not through the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from archive.models import (
    Collection,
    DailyViews,
    Item,
    Master,
    Page,
    PublicChange,
    PublishedExhibition,
    Tag,
)


@dataclass
class Spec:
    n: int
    at: datetime  # accessioned
    collection: str | None
    access: str = "public"
    withdrawn: bool = False
    languages: list[str] = field(default_factory=list)
    described: tuple[str, ...] = ("vi",)  # title and description languages
    pages: int = 1
    # (vocabulary, term, source, review, removed, changed at)
    tags: list[tuple] = field(default_factory=list)
    log: list[tuple[datetime, str]] = field(default_factory=list)  # (at, create|delete)

    @property
    def accession(self) -> str:
        return f"KT-{self.at.year}-{self.n:06d}"

    @property
    def shown(self) -> bool:
        return self.access == "public" and not self.withdrawn


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


COLLECTIONS = [
    # slug, level, title, extent_units, extent_metres
    ("kon-tum", "fonds", {"vi": "Phông Kon Tum", "en": "Kon Tum fonds"}, 10, 2.5),
    ("kon-tum/anh", "series", {"vi": "Ảnh"}, 4, None),  # below one with an extent
    ("kon-tum/van-ban", "series", {"vi": "Văn bản"}, None, None),
    ("so-tt", "fonds", {"vi": "Sở Thông tin"}, 5, None),
    ("khac", "fonds", {"vi": "Khác"}, None, None),  # no extent: not counted in section 1
]

# fmt: off
ITEMS = [
    Spec(1, d("2023-01-10 09:00"), "kon-tum/anh", languages=["vie"], described=("vi", "en"),
         tags=[("convention", "CRC", "auto", None, False, d("2023-01-10 09:00"))]),
    Spec(2, d("2023-02-20 10:00"), "kon-tum/van-ban", languages=["bdq"], pages=3,
         tags=[("convention", "CRC", "auto", "accepted", False, d("2023-05-02 08:00")),
               ("theme", "poverty-reduction", "person", None, False, d("2023-02-20 10:00"))]),
    Spec(3, d("2023-04-05 11:00"), "kon-tum", access="restricted", languages=["vie"],
         described=("vi", "bdq"), pages=2,
         tags=[("convention", "CEDAW", "auto", None, False, d("2023-04-05 11:00")),
               ("convention", "CRC", "auto", "rejected", True, d("2023-06-01 08:00"))]),
    Spec(4, d("2023-07-15 12:00"), "so-tt", languages=[], described=("vi",), pages=5,
         log=[(d("2023-07-15 12:00"), "create"), (d("2024-05-01 08:00"), "delete")],
         access="restricted",
         tags=[("convention", "CRC", "person", None, False, d("2023-07-15 12:00"))]),
    Spec(5, d("2023-08-01 08:00"), "so-tt", languages=["eng"], described=("vi", "en"),
         log=[(d("2023-11-03 08:00"), "create")],
         tags=[("convention", "CEDAW", "auto", None, False, d("2024-01-20 08:00"))]),
    Spec(6, d("2023-12-30 23:00"), "khac", languages=["vie", "jra"], pages=0),
    Spec(7, d("2024-01-02 08:00"), None, languages=["vie"], described=("vi", "sed")),
    Spec(8, d("2024-03-31 22:00"), "kon-tum/anh", withdrawn=True, languages=["fra"],
         log=[(d("2024-03-31 22:00"), "create"), (d("2024-04-10 08:00"), "delete")],
         tags=[("theme", "poverty-reduction", "auto", None, False, d("2024-03-31 22:00"))]),
    Spec(9, d("2024-06-15 08:00"), "kon-tum/van-ban", access="restricted", languages=["sed"],
         described=("vi",), pages=4),
    Spec(10, d("2024-09-09 08:00"), "so-tt", languages=["vie"], described=("vi",), pages=2,
         tags=[("convention", "ICCPR", "auto", None, False, d("2024-09-09 08:00"))]),
]

EXHIBITIONS = [
    # slug, state, access, start, end, partner, venue, visitors, entries [(item n, pages)]
    ("quyen-tre-em", "published", "public", date(2023, 5, 1), date(2023, 5, 20),
     "Bộ Thông tin và Truyền thông", "Bảo tàng tỉnh", 1200, [(1, ()), (2, (1, 2))]),
    ("lang-ba-na", "archived", "public", date(2023, 12, 20), date(2024, 1, 10),
     "Sở Văn hóa", "Nhà văn hóa", 300, [(2, ()), (5, ())]),
    ("noi-bo", "published", "restricted", date(2024, 8, 1), date(2024, 8, 3),
     "Sở Thông tin", "Hội trường", None, [(3, ()), (9, ())]),
]

# fmt: on

USE = [  # day, route, key, count
    (date(2023, 1, 15), "item", "KT-2023-000001", 3),
    (date(2023, 1, 20), "search", "", 5),
    (date(2023, 2, 1), "manifest", "KT-2023-000001", 2),
    (date(2023, 4, 1), "item", "KT-2023-000002", 7),
    (date(2024, 12, 31), "search", "", 1),
    (date(2022, 12, 31), "search", "", 100),  # before the report's period
    (date(2023, 5, 2), "exhibition", "quyen-tre-em", 40),
    (date(2024, 1, 5), "exhibition", "lang-ba-na", 9),
]


def build(archive) -> None:
    with archive.session() as session:
        ids = _collections(session)
        by_n = _items(session, ids)
        for spec in ITEMS:
            _log(session, spec)
        for slug, state, access, start, end, partner, venue, visitors, entries in EXHIBITIONS:
            session.add(
                PublishedExhibition(
                    slug=slug,
                    state=state,
                    definition=_definition(slug, access, start, end, partner, venue, entries, by_n),
                    digest="0" * 64,
                    file=f"{slug}.yaml",
                    published_at=datetime(2023, 1, 1),
                    published_by="setup",
                    visitors=visitors,
                )
            )
        for day, route, key, count in USE:
            session.add(DailyViews(day=day, route=route, key=key, count=count))


def _collections(session) -> dict[str, Collection]:
    made: dict[str, Collection] = {}
    for slug, level, title, units, metres in COLLECTIONS:
        parent = made.get(slug.rpartition("/")[0])
        made[slug] = Collection(
            slug=slug,
            level=level,
            title=title,
            extent_units=units,
            extent_metres=metres,
            parent=parent,
        )
        session.add(made[slug])
    session.flush()
    return made


def _items(session, collections) -> dict[int, Item]:
    found = {}
    for spec in ITEMS:
        item = Item(
            accession_id=spec.accession,
            type="document" if spec.pages > 1 else "photo",
            content_hash=f"{spec.n:064d}",
            title={lang: f"Tài liệu {spec.n}" for lang in spec.described[:1]},
            description={lang: f"Mô tả {spec.n}" for lang in spec.described[1:]},
            rights="http://rightsstatements.org/vocab/InC/1.0/",
            access=spec.access,
            languages=spec.languages,
            collection=collections.get(spec.collection) if spec.collection else None,
            withdrawn_at=spec.at if spec.withdrawn else None,
            created_at=spec.at,
            updated_at=spec.at,
        )
        for number in range(1, spec.pages + 1):
            master = Master(
                sha256=f"{spec.n:032d}{number:032d}",
                size=1,
                media_type="image/jpeg",
                original_path="x.jpg",
                original_name="x.jpg",
                stored_path="x",
            )
            item.pages.append(Page(number=number, master=master))
        for vocabulary, term, source, review, removed, at in spec.tags:
            item.tags.append(
                Tag(
                    vocabulary=vocabulary,
                    term=term,
                    source=source,
                    review=review,
                    removed=removed,
                    updated_at=at,
                )
            )
        session.add(item)
        found[spec.n] = item
    session.flush()
    return found


def _log(session, spec: Spec) -> None:
    for n, (at, activity) in enumerate(spec.log):
        session.add(
            PublicChange(
                kind="item",
                target=spec.accession,
                activity=activity,
                at=at,
                latest=n == len(spec.log) - 1,
            )
        )


def _definition(slug, access, start, end, partner, venue, entries, by_n) -> str:
    lines = [
        f"id: {slug}",
        "kind: archive",
        f"title: {{vi: Triển lãm {slug}, en: Exhibition {slug}}}",
        f"partner: {{vi: {partner}}}",
        f"venue: {{vi: {venue}}}",
        f"dates: {{start: {start}, end: {end}}}",
        f"access: {access}",
        "sections:",
        "  - title: {vi: Phần một}",
        "    items:",
    ]
    for n, pages in entries:
        lines.append(f"      - item: {by_n[n].accession_id}")
        if pages:
            lines.append(f"        pages: [{', '.join(map(str, pages))}]")
    return "\n".join(lines) + "\n"
