"""Find what to ingest under the paths given: units (a file, or a folder of pages that is one
document), each with the description a sidecar gives it, and what was passed over and why."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import InvalidInput
from archive.fields import Description
from ingest.names import display, natural_key
from ingest.sidecar import read_item_yaml, read_metadata_csv

SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r", "__macosx"}
SIDECARS = {"metadata.csv", "item.yaml"}
PAGE_EXTENSIONS = {".jpg", ".jpeg", ".tif", ".tiff", ".png"}


@dataclass(frozen=True)
class Unit:
    """One thing that becomes at most one item."""

    path: Path  # as on disk
    files: tuple[Path, ...]  # the file itself, or a compound document's pages in order
    compound: bool = False
    description: Description | None = None
    sidecar_error: str | None = None  # the sidecar row describing it could not be read

    @property
    def name(self) -> str:
        return display(self.path)


@dataclass(frozen=True)
class Passed:
    """An input that is not a unit: skipped (not for ingest) or failed (it should have been)."""

    name: str
    outcome: str  # skipped | failed
    step: str
    reason: str
    row: int | None = None


@dataclass
class Found:
    units: list[Unit] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)


def discover(paths: list[Path], default_lang: str, metadata_csv: Path | None = None) -> Found:
    """Units under `paths`; `metadata_csv` describes files anywhere below its own folder."""
    found = Found()
    roots = [Path(os.path.realpath(p)) for p in paths]
    seen: set[str] = set()
    walker = _Walker(found, roots, seen, default_lang)
    rows: dict[str, Description] = {}
    bad: dict[str, str] = {}
    if metadata_csv and not walker.read_csv(metadata_csv, rows, bad):
        return found
    for given in paths:
        if given.is_dir() and not given.is_symlink():
            walker.folder(given, rows, bad)
        elif os.path.lexists(given):
            walker.entry(given, rows, bad)
        else:
            found.passed.append(
                Passed(display(given), "failed", "discover", "no such file or folder")
            )
    for key, csv_name in walker.described.items():
        if key not in walker.used:
            found.passed.append(
                Passed(key, "failed", "sidecar", f"{csv_name} names it, but it is not there")
            )
    return found


class _Walker:
    def __init__(self, found: Found, roots: list[Path], seen: set[str], default_lang: str):
        self.found, self.roots, self.seen, self.lang = found, roots, seen, default_lang
        self.described: dict[str, str] = {}  # every path a metadata.csv names -> that CSV
        self.used: set[str] = set()

    def pass_over(self, path: Path, outcome: str, step: str, reason: str, row=None) -> None:
        self.found.passed.append(Passed(display(path), outcome, step, reason, row))

    def folder(self, folder: Path, rows: dict[str, Description], bad: dict[str, str]) -> None:
        """Walk one folder; `rows`/`bad` carry what metadata.csv files above it said, keyed by
        the NFC path they name (a CSV written on one system names files copied from another)."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: natural_key(e.name))
        except OSError as exc:
            self.pass_over(folder, "failed", "discover", f"cannot list folder: {exc.strerror}")
            return
        names = {e.name for e in entries}
        if "item.yaml" in names:
            self.compound(folder, rows, bad)
            return
        if "metadata.csv" in names:
            rows, bad = dict(rows), dict(bad)
            if not self.read_csv(folder / "metadata.csv", rows, bad):
                return
        for entry in entries:
            if entry.name not in SIDECARS:
                self.entry(Path(entry.path), rows, bad)

    def read_csv(self, csv_path: Path, rows: dict, bad: dict) -> bool:
        folder = csv_path.parent
        try:
            good, failed, problems = read_metadata_csv(csv_path, display(csv_path), self.lang)
        except InvalidInput as exc:
            # Without its descriptions these files would be catalogued wrongly: leave them all
            # for a run after the file is mended, rather than half-describe them.
            self.pass_over(csv_path, "failed", "sidecar", str(exc))
            self.fail_all(
                folder,
                f"{display(csv_path)} could not be read, so nothing in this "
                "folder was ingested; mend it and run again",
            )
            return False
        for problem in problems:
            self.pass_over(csv_path, "failed", "sidecar", problem.reason, problem.row)
        for relative in (*good, *failed):
            self.described[display(folder / relative)] = display(csv_path)
        rows.update({display(folder / rel): desc for rel, desc in good.items()})
        bad.update({display(folder / rel): reason for rel, reason in failed.items()})
        return True

    def fail_all(self, folder: Path, reason: str) -> None:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not _hidden(d)]
            for name in files:
                if not _hidden(name) and name not in SIDECARS:
                    self.pass_over(Path(root, name), "failed", "sidecar", reason)

    def entry(self, path: Path, rows: dict, bad: dict) -> None:
        if _hidden(path.name):
            self.pass_over(path, "skipped", "discover", "hidden or system file")
            return
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                if problem := self.link_problem(path):
                    self.pass_over(path, "skipped", "discover", problem)
                    return
                info = os.stat(path)
        except OSError as exc:
            self.pass_over(path, "failed", "read", f"cannot read: {exc.strerror}")
            return
        if stat.S_ISDIR(info.st_mode):
            if display(path) in rows or display(path) in bad:
                self.compound(path, rows, bad)
            else:
                self.folder(path, rows, bad)
        elif stat.S_ISREG(info.st_mode):
            self.add(Unit(path, (path,), False, *self.sidecar(path, rows, bad)))
        else:
            self.pass_over(path, "skipped", "discover", "not a regular file")

    def link_problem(self, path: Path) -> str | None:
        """Links are followed only to files inside the folders being ingested."""
        target = Path(os.path.realpath(path))
        if not any(target.is_relative_to(root) for root in self.roots):
            return "symbolic link to a place outside the folders being ingested"
        if target.is_dir():
            return "symbolic link to a folder; not followed"
        return None

    def sidecar(self, path: Path, rows: dict, bad: dict) -> tuple[Description | None, str | None]:
        key = display(path)
        self.used.add(key)
        return rows.get(key), bad.get(key)

    def compound(self, folder: Path, rows: dict, bad: dict) -> None:
        """A folder that is one document: its page images in name order."""
        description, error = self.sidecar(folder, rows, bad)
        yaml_path = folder / "item.yaml"
        if yaml_path.exists():
            try:
                description = read_item_yaml(yaml_path, self.lang)
            except InvalidInput as exc:
                error = f"{display(yaml_path)}: {exc}"
        pages = []
        for entry in sorted(os.scandir(folder), key=lambda e: natural_key(e.name)):
            path = Path(entry.path)
            if entry.name in SIDECARS:
                continue
            if _hidden(entry.name):
                self.pass_over(path, "skipped", "discover", "hidden or system file")
            elif entry.is_file() and path.suffix.lower() in PAGE_EXTENSIONS:
                pages.append(path)
            else:
                self.pass_over(
                    path,
                    "skipped",
                    "discover",
                    "not a page image (.jpg, .tif, .png) of the document in this folder",
                )
        if not pages:
            self.pass_over(folder, "failed", "discover", "a document folder with no page images")
            return
        self.add(Unit(folder, tuple(pages), True, description, error))

    def add(self, unit: Unit) -> None:
        key = os.path.realpath(unit.path)
        if key not in self.seen:  # the same file reached twice (overlapping paths, a link)
            self.seen.add(key)
            self.found.units.append(unit)


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.casefold() in SYSTEM_FILES
