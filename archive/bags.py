"""`archive export bag`: items as BagIt bags (RFC 8493, BagIt 1.0), for a transfer to the
national archive or into a preservation system such as Archivematica. This module writes each
bag itself, every file once and in its final place; the `bagit` library (the Library of
Congress's) is what checks them, in the tests and in `archive ingest`.

One item's bag holds, under `data/`: `masters/` (the files as ingested, under their original
names), `ocr/` (each page's current text, `page-N.txt`, and the hOCR Tesseract wrote,
`page-N.hocr`), `dc.xml` (simple Dublin Core), `record.json` (the item as `archive item show
--json` gives it) and, for a public item whose images are made, `manifest.json` (its IIIF
manifest). A collection's bag holds the same for each of its items, in a folder named by its
accession id. `bag-info.txt` names the archive as the source organisation; the manifests are
SHA-256 (the digest ingest records, so each master is checked against it as it is copied) and
SHA-512, both computed as each file is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from archive import dublin_core, items
from archive.errors import ArchiveError, NotFound
from archive.home import Archive
from archive.models import Item

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
ALGORITHMS = ("sha256", "sha512")
CHUNK = 1 << 20  # bytes read, hashed and written at once


# A payload file: its path under data/, and its bytes, or the file to copy and the SHA-256
# ingest recorded of it (none for hOCR: ingest hashes masters only).
Copy = tuple[Path, str | None]
Payload = list[tuple[str, bytes | Copy]]
Digests = dict[str, str]  # each of ALGORITHMS, the hex digest


def write_items(
    archive: Archive, batches: Iterable[list[Item]], out: Path
) -> Iterator[Path | ArchiveError]:
    """The bag of each item (its pages, texts, masters, tags and collection loaded), at
    `out/ACCESSION-ID`, in the order given; a bag already there is replaced whole. For an item
    with a master changed since ingest, the error naming it, and no bag; the rest go on.

    One process: the work is the file system's (a file or folder created costs more than its
    bytes), and a pool writing the bags beside this one measured about 10% faster, not worth
    the processes."""
    for batch in batches:
        for item in batch:
            info = _info(archive, item.accession_id, item.title, item.collection)
            try:
                yield _write(out, item.accession_id, payload(archive, item), info)
            except ArchiveError as damaged:
                yield damaged


def write_collection(archive: Archive, slug: str, members: Iterable[Item], out: Path) -> Path:
    """One bag of a collection's items, each in `data/ACCESSION-ID/`, at `out/SLUG` (the slug's
    `/` written as `.`)."""
    files: Payload = []
    for item in members:
        files += payload(archive, item, f"{item.accession_id}/")
    info = _info(archive, slug, {}, None)
    info["Bag-Group-Identifier"] = slug
    return _write(out, slug.replace("/", "."), files, info)


def payload(archive: Archive, item: Item, under: str = "") -> Payload:
    """What the bag keeps of `item`, as paths under `data/` + `under`."""
    files: Payload = []
    names: set[str] = set()
    for master in {page.master.id: page.master for page in item.pages}.values():  # page order
        name = _unique(master.original_name, names)
        files.append((f"{under}masters/{name}", (archive.home / master.stored_path, master.sha256)))
    files += _texts(archive, item, under)
    settings = archive.settings
    publisher = {"vi": settings["publisher_vi"], "en": settings["publisher_en"]}
    dc = dublin_core.document(item, archive.vocabularies, settings["base_url"], publisher)
    record = json.dumps(items.as_dict(item), ensure_ascii=False, indent=2) + "\n"
    files += [(f"{under}dc.xml", dc), (f"{under}record.json", record.encode("utf-8"))]
    if item.access == "public":  # a restricted item's images are served to no one
        files += _manifest(archive, item, under)
    return files


def _manifest(archive: Archive, item: Item, under: str) -> Payload:
    """The item's IIIF manifest; none while its images are yet to be made (ingested with
    `images_at_ingest = false`): it would name images no one can see."""
    from iiif import item_manifests

    try:
        manifest = item_manifests.manifest(archive, item)
    except NotFound:
        return []
    text = json.dumps(manifest, ensure_ascii=False) + "\n"
    return [(f"{under}manifest.json", text.encode("utf-8"))]


def _unique(name: str, taken: set[str]) -> str:
    """Two masters of one document may have had one name (in two folders)."""
    found, number = name, 1
    while found in taken:
        number += 1
        found = f"{number}-{name}"
    taken.add(found)
    return found


def _texts(archive: Archive, item: Item, under: str) -> Payload:
    files: Payload = []
    for page in item.pages:
        text = page.text
        if text is None:
            continue
        files.append((f"{under}ocr/page-{page.number}.txt", text.text.encode("utf-8")))
        if text.hocr_path and (archive.home / text.hocr_path).exists():
            hocr = (archive.home / text.hocr_path, None)
            files.append((f"{under}ocr/page-{page.number}.hocr", hocr))
    return files


def _info(archive: Archive, identifier: str, title: dict, collection) -> dict:
    settings = archive.settings
    info: dict = {
        "Source-Organization": [settings["publisher_vi"], settings["publisher_en"]],
        "Contact-Email": settings["admin_email"],
        "External-Identifier": identifier,
        "Bag-Software-Agent": "Tư liệu",
    }
    if title:
        info["External-Description"] = title.get("vi") or next(iter(title.values()))
    if collection is not None:
        info["Bag-Group-Identifier"] = collection.slug
    return info


def _write(out: Path, name: str, files: Payload, info: dict) -> Path:
    """The bag `out/NAME`, written whole beside it (`out/.NAME.writing`) and then moved in
    place, so a bag at its name is always complete; nothing is left of one that fails."""
    staging = out / f".{name}.writing"
    if staging.exists():  # left by a run that was stopped
        shutil.rmtree(staging)
    made = {out}
    try:
        _folder(staging, made)  # before any file: a bag of no file is a bag still
        digests = {
            f"data/{path}": _put(staging / "data" / path, what, made) for path, what in files
        }
        _tags(staging, digests, info)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = out / name
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    return final


def _put(target: Path, what: bytes | Copy, made: set[Path]) -> tuple[Digests, int]:
    """Write one payload file; its digests and size, of the bytes as written."""
    _folder(target.parent, made)
    if isinstance(what, bytes):
        target.write_bytes(what)
        return _digests(what), len(what)
    return _copy(what, target)


def _digests(data: bytes) -> Digests:
    return {algorithm: hashlib.new(algorithm, data).hexdigest() for algorithm in ALGORITHMS}


def _folder(folder: Path, made: set[Path]) -> None:
    """Each folder made once, parents first: a mkdir costs as much as a file, and a failed one
    (EEXIST, ENOENT, as `mkdir(parents=True, exist_ok=True)` makes them) nearly as much."""
    if folder not in made:
        _folder(folder.parent, made)
        folder.mkdir()
        made.add(folder)


def _copy(copy: Copy, target: Path) -> tuple[Digests, int]:
    """Read, hash and write a chunk at a time, so the file is read once; a master whose digest
    is not the one ingest recorded has changed since (damage) and is not bagged."""
    hashes, size = [hashlib.new(algorithm) for algorithm in ALGORITHMS], 0
    source, recorded = copy
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            for digest in hashes:
                digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    found = {digest.name: digest.hexdigest() for digest in hashes}
    if recorded is not None and found["sha256"] != recorded:
        raise ArchiveError(
            f"{source}: its SHA-256 is {found['sha256']}, not {recorded} as recorded at ingest: "
            "the master has changed since; no bag written for it"
        )
    return found, size


def _tags(bag: Path, digests: dict[str, tuple[Digests, int]], info: dict) -> None:
    """bagit.txt, bag-info.txt, a payload manifest per algorithm, and a tag manifest per
    algorithm over those."""
    size = sum(bytes_ for _, bytes_ in digests.values())
    info = {**info, "Bagging-Date": date.today().isoformat()}
    info["Payload-Oxum"] = f"{size}.{len(digests)}"
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": _info_text(info)}
    for algorithm in ALGORITHMS:
        of_payload = {path: found[algorithm] for path, (found, _) in digests.items()}
        tags[f"manifest-{algorithm}.txt"] = _lines(of_payload)
    for name, text in tags.items():
        (bag / name).write_bytes(text)
    tagged = {name: _digests(text) for name, text in tags.items()}
    for algorithm in ALGORITHMS:
        of_tags = {name: found[algorithm] for name, found in tagged.items()}
        (bag / f"tagmanifest-{algorithm}.txt").write_bytes(_lines(of_tags))


def _info_text(info: dict) -> bytes:
    """`Label: value` lines, a list giving a line a value, as the bagit library writes them."""
    lines = []
    for label in sorted(info):
        values = info[label] if isinstance(info[label], list) else [info[label]]
        for value in values:
            value = str(value).replace("\r", "").replace("\n", "")  # a line break ends a tag
            lines.append(f"{label}: {value}\n")
    return "".join(lines).encode("utf-8")


def _lines(digests: dict[str, str]) -> bytes:
    """A manifest: `DIGEST  PATH` lines, sorted; paths with `/`, CR and LF percent-encoded.
    RFC 8493 (2.1.3) encodes `%` too, but the bagit library (1.9, which Archivematica and our
    own ingest check bags with) does not decode `%25` and would refuse a bag whose file names
    hold a `%`: such names are written as they are, as that library writes them."""
    escape = str.maketrans({"\r": "%0D", "\n": "%0A"})
    lines = sorted(f"{digest}  {path.translate(escape)}\n" for path, digest in digests.items())
    return "".join(lines).encode("utf-8")
