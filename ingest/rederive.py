"""Make pages' IIIF images again: `archive derivatives ID...` and `archive derivatives --all`
(after a rotation was corrected, or when the tiles' format changes). Workers make the images from
the stored masters. No record changes, but the pages remade are audited, in a unit of work,
whose count of changes tells the catalogue that the pages it keeps are out of date."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.errors import NotFound
from archive.home import Archive
from archive.models import Item, Page
from ingest.pipeline import make_images
from ingest.workers import ordered_map


@dataclass(frozen=True)
class ImageJob:
    accession_id: str
    number: int  # the page's
    path: Path
    media_type: str
    sha256: str
    frame: int
    rotation: int


def _make(job: ImageJob, home: Path, max_pixels: int) -> str | None:
    return make_images(
        home, job.path, job.media_type, job.sha256, job.frame, job.rotation, max_pixels
    )


def _crashed(_job: ImageJob) -> str:
    return "the worker making the images crashed on this page"


def rederive(
    archive: Archive,
    accession_ids: list[str] | None,
    workers: int,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[], None] = lambda: None,
) -> tuple[int, list[str]]:
    """Make the images of every page of the items named (all items when None); return the
    number of pages done and the problems, one line per page that failed."""
    jobs = _jobs(archive, accession_ids)
    on_start(len(jobs))
    made: dict[str, list[int]] = {}
    problems = []
    max_pixels = archive.settings["max_image_pixels"]
    make = functools.partial(_make, home=archive.home, max_pixels=max_pixels)
    for job, problem in ordered_map(make, jobs, workers, _crashed):
        if problem:
            problems.append(f"{job.accession_id} page {job.number}: {problem}")
        else:
            made.setdefault(job.accession_id, []).append(job.number)
        on_done()
    if made:
        with archive.change("derivatives") as work:
            for accession_id, numbers in made.items():
                work.record(accession_id, "images", None, {"pages": numbers})
    return sum(len(numbers) for numbers in made.values()), problems


def _jobs(archive: Archive, accession_ids: list[str] | None) -> list[ImageJob]:
    with archive.session() as session:
        return [
            ImageJob(
                page.item.accession_id,
                page.number,
                archive.home / page.master.stored_path,
                page.master.media_type,
                page.master.sha256,
                page.frame,
                page.rotation,
            )
            for page in pages_of(session, accession_ids)
        ]


def pages_of(session: Session, accession_ids: list[str] | None) -> list[Page]:
    """Every page of the items named (all items when None), by item and number; an unknown
    accession id is an error."""
    query = select(Item).options(selectinload(Item.pages).selectinload(Page.master))
    if accession_ids is not None:
        query = query.where(Item.accession_id.in_(accession_ids))
    found = {item.accession_id: item for item in session.scalars(query)}
    unknown = sorted(set(accession_ids or ()) - found.keys())
    if unknown:
        raise NotFound(f"no item {', '.join(unknown)}")
    return [page for _, item in sorted(found.items()) for page in item.pages]
