"""A JPEG's header as Pillow may safely read it. Pillow joins repeated Exif (APP1) segments by
copying all it has joined so far for each new one: 1,000 segments of 64 kB took 20 s to open,
and identify, the metadata step and OCR each open the file. The Exif standard puts Exif in one
segment, so the first is kept and any later ones are left out of what Pillow reads, in one
linear pass; libvips, exifread and Tesseract read such a file in linear time as it is.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

EXIF = b"Exif\x00\x00"


def exif_repeats(handle: BinaryIO) -> list[tuple[int, int]]:
    """(offset, length) of every Exif segment after the first, among the segments before the
    first scan of the JPEG open in `handle`; its position is left at the end of what was read.
    A header that does not parse ends the walk: what is damaged is identify's to say."""
    repeats: list[tuple[int, int]] = []
    seen_exif, at = False, 2  # after the start-of-image marker
    while True:
        handle.seek(at)
        head = handle.read(4)
        if len(head) < 4 or head[0] != 0xFF or head[1] in (0xD9, 0xDA):
            return repeats
        if head[1] == 0xFF or 0xD0 <= head[1] <= 0xD7 or head[1] == 0x01:
            at += 1 if head[1] == 0xFF else 2  # a fill byte, or a marker without a length
            continue
        length = int.from_bytes(head[2:4], "big")
        if length < 2:
            return repeats
        if head[1] == 0xE1 and handle.read(len(EXIF)) == EXIF:
            if seen_exif:
                repeats.append((at, length + 2))
            seen_exif = True
        at += length + 2


def for_pillow(path: Path) -> tuple[Path | BinaryIO, int]:
    """What to give Pillow to open the JPEG at `path`: the path itself, or a copy in memory
    without the Exif segments after the first; and how many segments were left out."""
    with open(path, "rb") as handle:
        repeats = exif_repeats(handle)
        if not repeats:
            return path, 0
        handle.seek(0)
        data = handle.read()
    kept, start = [], 0
    for offset, length in repeats:
        kept.append(data[start:offset])
        start = offset + length
    kept.append(data[start:])
    return io.BytesIO(b"".join(kept)), len(repeats)
