"""The IIIF images of a page (Image API 3.0, level 0), as kept in the archive home: where they are
(a folder of tiles and sizes with its `info.json`, named by the master's content), and what they
offer, read from that `info.json`. The manifests, the catalogue and an exhibition's export read a
page's images through this module; making them is ingest's work (`ingest.tiles`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.models import Page

THUMBNAIL_SIZE = 400  # longest side of the advertised thumbnail, at most


@dataclass(frozen=True)
class Derivative:
    """What a page's image tree offers."""

    width: int  # the upright full size
    height: int
    sizes: tuple[tuple[int, int], ...]  # as in info.json, smallest first
    thumbnail: tuple[int, int]  # one of `sizes`
    scale_factors: tuple[int, ...]


# Where a page's images are


def relative_path(sha256: str, frame: int) -> str:
    """Where the IIIF images of one page of a master are kept, relative to the archive home.
    By content, like masters: the same page offered again finds its images made."""
    return f"derivatives/{sha256[:2]}/{sha256}/{frame + 1}"


def folder(home: Path, sha256: str, frame: int) -> Path:
    """The folder of the IIIF images of frame `frame` (0-based) of the master `sha256`."""
    return Path(home) / relative_path(sha256, frame)


def made(home: Path, sha256: str, frame: int) -> bool:
    """Whether the images of the frame have been made (a tree is complete once its info.json
    is in place)."""
    return (folder(home, sha256, frame) / "info.json").exists()


# What they offer


def load_info(tree: Path) -> dict | None:
    """The stored info.json of the tree in the folder `tree`; None when there is none."""
    try:
        return json.loads((tree / "info.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def read_facts(tree: Path) -> Derivative | None:
    """The facts of the tree in the folder `tree`, from its info.json; None when there is none."""
    info = load_info(tree)
    return None if info is None else facts_of(info)


def facts(home: Path, sha256: str, frame: int) -> Derivative | None:
    """The facts of the IIIF images of a frame of the master `sha256`, or None when they have
    not been made."""
    return read_facts(folder(home, sha256, frame))


def page_facts(home: Path, page: Page) -> Derivative | None:
    """The facts of a page's IIIF images, or None when they have not been made."""
    return facts(home, page.master.sha256, page.frame)


def facts_of(info: dict) -> Derivative:
    sizes = tuple(sorted((s["width"], s["height"]) for s in info.get("sizes", [])))
    tiles = info.get("tiles") or [{}]
    return Derivative(
        width=info["width"],
        height=info["height"],
        sizes=sizes,
        thumbnail=thumbnail_of(sizes),
        scale_factors=tuple(tiles[0].get("scaleFactors", (1,))),
    )


def thumbnail_of(sizes: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """The largest of `sizes` whose longest side is at most THUMBNAIL_SIZE (else the smallest)."""
    fitting = [s for s in sizes if max(s) <= THUMBNAIL_SIZE]
    return max(fitting) if fitting else min(sizes)


def served_info(tree: Path, service_id: str) -> dict | None:
    """The info.json of the tree in `tree` as published at `service_id`: the id depends on where
    the images are served (the catalogue, an exported site), so the stored one is replaced."""
    info = load_info(tree)
    if info is not None:
        info["id"] = service_id
    return info
