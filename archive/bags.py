"""`archive export bag`: items as BagIt bags (RFC 8493, BagIt 1.0), for a transfer to the
national archive or into a preservation system such as Archivematica. The bags are made and
checked by the `bagit` library (the Library of Congress's), never written by hand.

One item's bag holds, under `data/`: `masters/` (the files as ingested, under their original
names), `ocr/` (each page's current text, `page-N.txt`, and the hOCR Tesseract wrote,
`page-N.hocr`), `dc.xml` (simple Dublin Core), `record.json` (the item as `archive item show
--json` gives it) and, for a public item whose images are made, `manifest.json` (its IIIF
manifest). A collection's
bag holds the same for each of its items, in a folder named by its accession id. `bag-info.txt`
names the archive as the source organisation; the manifests are SHA-256 and SHA-512.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import bagit

from archive import dublin_core, items
from archive.errors import NotFound
from archive.home import Archive
from archive.models import Item

CHECKSUMS = ["sha256", "sha512"]
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def write_items(archive: Archive, batches: Iterable[list[Item]], out: Path) -> Iterator[Path]:
    """The bag of each item (its pages, texts, masters, tags and collection loaded), at
    `out/ACCESSION-ID`, in the order given; a bag already there is replaced whole.

    This process writes each payload (it reads the database); processes beside it, one per
    core, make the bags, which is most of the work (each file hashed twice, the tag files
    written and read back by bagit): on 2 cores the export takes about half the time."""
    context = multiprocessing.get_context("spawn")  # a fork would share the database's sockets
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=context) as pool:
        waiting: deque[Future] = deque()
        for batch in batches:
            for item in batch:
                staging = _staging(out, item.accession_id)
                payload(archive, item, staging)
                info = _info(archive, item.accession_id, item.title, item.collection)
                waiting.append(pool.submit(_bag, staging, out / item.accession_id, info))
            while len(waiting) > IN_FLIGHT:  # staged bags wait on disk, not in numbers
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


IN_FLIGHT = 64  # bags staged ahead of those made


def write_collection(archive: Archive, slug: str, members: Iterable[Item], out: Path) -> Path:
    """One bag of a collection's items, each in `data/ACCESSION-ID/`, at `out/SLUG` (the slug's
    `/` written as `.`)."""
    name = slug.replace("/", ".")
    staging = _staging(out, name)
    for item in members:
        payload(archive, item, staging / item.accession_id)
    info = _info(archive, slug, {}, None)
    info["Bag-Group-Identifier"] = slug
    return _bag(staging, out / name, info)


def payload(archive: Archive, item: Item, folder: Path) -> None:
    """What the bag keeps of `item`, written under `folder` (the bag's `data/` to be)."""
    (folder / "masters").mkdir(parents=True)
    names: set[str] = set()
    for master in _masters(item):
        name = _unique(master.original_name, names)
        shutil.copyfile(archive.home / master.stored_path, folder / "masters" / name)
    _texts(archive, item, folder / "ocr")
    vocabularies = archive.vocabularies
    base, settings = archive.settings["base_url"], archive.settings
    publisher = {"vi": settings["publisher_vi"], "en": settings["publisher_en"]}
    (folder / "dc.xml").write_bytes(dublin_core.document(item, vocabularies, base, publisher))
    record = json.dumps(items.as_dict(item), ensure_ascii=False, indent=2) + "\n"
    (folder / "record.json").write_text(record, encoding="utf-8")
    if item.access == "public":  # a restricted item's images are served to no one
        _manifest(archive, item, folder)


def _manifest(archive: Archive, item: Item, folder: Path) -> None:
    """The item's IIIF manifest; none while its images are yet to be made (ingested with
    `images_at_ingest = false`): it would name images no one can see."""
    from iiif import item_manifests

    try:
        manifest = item_manifests.manifest(archive, item)
    except NotFound:
        return
    text = json.dumps(manifest, ensure_ascii=False)
    (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")


def _masters(item: Item) -> list:
    seen: dict[int, object] = {}
    for page in item.pages:
        seen.setdefault(page.master.id, page.master)
    return list(seen.values())


def _unique(name: str, taken: set[str]) -> str:
    """Two masters of one document may have had one name (in two folders)."""
    found, number = name, 1
    while found in taken:
        number += 1
        found = f"{number}-{name}"
    taken.add(found)
    return found


def _texts(archive: Archive, item: Item, folder: Path) -> None:
    for page in item.pages:
        text = page.text
        if text is None:
            continue
        folder.mkdir(exist_ok=True)
        (folder / f"page-{page.number}.txt").write_text(text.text, encoding="utf-8")
        if text.hocr_path and (archive.home / text.hocr_path).exists():
            shutil.copyfile(archive.home / text.hocr_path, folder / f"page-{page.number}.hocr")


def _info(archive: Archive, identifier: str, title: dict, collection) -> dict:
    settings = archive.settings
    info: dict = {
        "Source-Organization": [settings["publisher_vi"], settings["publisher_en"]],
        "Contact-Email": settings["admin_email"],
        "External-Identifier": identifier,
        "Bag-Software-Agent": "Tư liệu (bagit.py)",
    }
    if title:
        info["External-Description"] = title.get("vi") or next(iter(title.values()))
    if collection is not None:
        info["Bag-Group-Identifier"] = collection.slug
    return info


def _staging(out: Path, name: str) -> Path:
    staging = out / f".{name}.writing"
    if staging.exists():  # left by a run that was stopped
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def _bag(staging: Path, final: Path, info: dict) -> Path:
    """Make `staging` a bag (bagit moves its content into `data/` and writes the manifests),
    declare it BagIt 1.0 (the library writes 0.97, whose layout 1.0 keeps), and put it in
    place."""
    bag = bagit.make_bag(str(staging), info, processes=1, checksums=CHECKSUMS)
    (staging / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")
    bag.save()  # the tag manifests again, over the new bagit.txt
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    return final
