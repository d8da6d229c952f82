"""The IIIF images of a page (Image API 3.0, level 0), as kept in the archive home: a folder of
tiles and sizes with its `info.json`. These are the facts the manifests and the catalogue need;
making the images is ingest's work (`ingest.tiles`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Derivative:
    """What a page's image tree offers."""

    width: int  # the upright full size
    height: int
    sizes: tuple[tuple[int, int], ...]  # as in info.json, smallest first
    thumbnail: tuple[int, int]  # one of `sizes`
    scale_factors: tuple[int, ...]


def read_facts(folder: Path) -> Derivative | None:
    """The facts of the tree in `folder`, from its info.json; None when there is none."""
    info = load_info(folder)
    return None if info is None else facts_of(info)


def load_info(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "info.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


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


THUMBNAIL_SIZE = 400  # longest side of the advertised thumbnail, at most


def thumbnail_of(sizes: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """The largest of `sizes` whose longest side is at most THUMBNAIL_SIZE (else the smallest)."""
    fitting = [s for s in sizes if max(s) <= THUMBNAIL_SIZE]
    return max(fitting) if fitting else min(sizes)


def served_info(folder: Path, service_id: str) -> dict | None:
    """The info.json of `folder` as published at `service_id`: the id depends on where the
    images are served (the catalogue, an exported site), so the stored one is replaced."""
    info = load_info(folder)
    if info is not None:
        info["id"] = service_id
    return info
