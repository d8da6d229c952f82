"""Find what to ingest under the paths given: units (a file, or a folder of pages that is one
document), each with the description a sidecar gives it, and what was passed over and why."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import InvalidInput
from archive.fields import Description
from ingest import bags
from ingest.names import display, natural_key
from ingest.sidecar import Sheet, Unreadable, read_item_yaml, read_metadata_csv

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
    described_by: str | None = None  # the sidecar that gave the description ("F.csv row 3")
    collection: str | None = None  # the one a bag's record names

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


@dataclass
class Said:
    """What the metadata.csv files above a place say of paths below it, keyed by the NFC path
    each row names (a CSV written on one system names files copied from another)."""

    good: dict[str, tuple[Description, str]] = field(default_factory=dict)  # -> (it, "F row N")
    bad: dict[str, str] = field(default_factory=dict)  # -> why the row cannot be used

    def copy(self) -> Said:
        return Said(dict(self.good), dict(self.bad))

    def names(self, key: str) -> bool:
        return key in self.good or key in self.bad

    def add(self, key: str, description: Description, source: str) -> None:
        """Two sidecars describing one path alike is one description; differently, neither."""
        if key in self.bad:
            return
        if key in self.good and self.good[key][0].fields != description.fields:
            self.fail(key, f"described differently by {self.good[key][1]} and {source}")
            return
        self.good[key] = (description, source)

    def fail(self, key: str, reason: str) -> None:
        self.good.pop(key, None)
        self.bad[key] = reason


def discover(paths: list[Path], default_lang: str, metadata_csv: Path | None = None) -> Found:
    """Units under `paths`. Besides each folder's own metadata.csv, those in the folders above
    a path given (up to the first folder holding none) and `metadata_csv` describe the files
    they name under it."""
    found = Found()
    walker = _Walker(found, [Path(os.path.realpath(p)) for p in paths], default_lang)
    for given in paths:
        if not os.path.lexists(given):
            walker.pass_over(given, "failed", "discover", "no such file or folder")
            continue
        said = walker.above(given, metadata_csv)
        if said is None:
            continue
        if given.is_dir() and not given.is_symlink() and not said.names(display(given)):
            walker.folder(given, said)
        else:
            walker.entry(given, said)
    walker.report_unused()
    return found


class _Walker:
    def __init__(self, found: Found, roots: list[Path], default_lang: str):
        self.found, self.roots, self.lang = found, roots, default_lang
        self.seen: set[str] = set()
        self.sheets: dict[str, Sheet | Unreadable] = {}  # each CSV read once, by real path
        self.described: dict[str, str] = {}  # every path a metadata.csv names -> that CSV
        self.used: set[str] = set()  # every path reached

    def pass_over(self, path: Path, outcome: str, step: str, reason: str, row=None) -> None:
        self.used.add(display(path))
        self.found.passed.append(Passed(display(path), outcome, step, reason, row))

    def above(self, given: Path, metadata_csv: Path | None) -> Said | None:
        """What the sidecars above `given` say of it; None when one of them cannot be read, and
        every file under `given` has failed. A file given is read as its folder would be: with
        that folder's own metadata.csv, and those above the folder."""
        folder = Path(os.path.abspath(given))
        sheets = []
        if not given.is_dir():
            folder = folder.parent
            if os.path.lexists(folder / "item.yaml"):
                reason = f"a page of the document {display(folder)}, which holds item.yaml"
                self.pass_over(given, "failed", "sidecar", f"{reason}: ingest the folder")
                return None
            if os.path.lexists(folder / "metadata.csv"):
                sheets.append(folder / "metadata.csv")
        while folder.parent != folder and os.path.lexists(folder.parent / "metadata.csv"):
            folder = folder.parent
            sheets.insert(0, folder / "metadata.csv")  # the nearest is read last
        said = Said()
        for sheet in (*sheets, *([metadata_csv] if metadata_csv else [])):
            if not self.read_csv(sheet, said, within=given):
                return None
        return said

    def folder(self, folder: Path, said: Said) -> None:
        """Walk one folder; `said` carries what the metadata.csv files above it said."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: natural_key(e.name))
        except OSError as exc:
            self.pass_over(folder, "failed", "discover", f"cannot list folder: {exc.strerror}")
            return
        names = {e.name for e in entries}
        if bags.MARK in names:
            self.bag(folder)
            return
        if "item.yaml" in names:
            self.compound(folder, said)
            return
        if "metadata.csv" in names:
            said = said.copy()
            if not self.read_csv(folder / "metadata.csv", said):
                return
        for entry in entries:
            if entry.name not in SIDECARS:
                self.entry(Path(entry.path), said)

    def bag(self, folder: Path) -> None:
        """A BagIt bag: checked whole before anything in it is taken."""
        try:
            found = bags.read(folder, self.lang)
        except bags.BagRefused as refused:
            self.pass_over(folder, "failed", "bag", str(refused))
            return
        for item in found:
            source = display(item.path / "record.json")
            self.add(
                Unit(item.path, item.files, item.compound, item.description, None, source,
                     item.collection)
            )  # fmt: skip

    def read_csv(self, csv_path: Path, said: Said, within: Path | None = None) -> bool:
        """Add what `csv_path` says to `said`: of every path below its folder, or, `within`
        given, of the paths under `within` alone. False when it cannot be read: then every file
        it may describe (under `within`, or its folder) has failed."""
        sheet = self.sheet(csv_path)
        if isinstance(sheet, Unreadable):
            # Without its descriptions these files would be catalogued wrongly: leave them all
            # for a run after the file is mended, rather than half-describe them.
            self.fail_all(
                within or csv_path.parent,
                f"{display(csv_path)} could not be read ({sheet}), so nothing it may describe "
                "was ingested; mend it and run again",
            )
            return False
        source = display(csv_path)
        for relative, number in sheet.row_of.items():
            key = _key(csv_path.parent / relative, within)
            if key is None:
                continue  # a path outside the one given: not this run's
            self.described.setdefault(key, source)
            if relative in sheet.failed:
                said.fail(key, sheet.failed[relative])
            else:
                said.add(key, sheet.rows[relative], f"{source} row {number}")
        return True

    def sheet(self, csv_path: Path) -> Sheet | Unreadable:
        """The CSV read, or why it cannot be; reported the first time only."""
        real = os.path.realpath(csv_path)
        if real not in self.sheets:
            self.sheets[real] = self.read_sheet(csv_path)
        return self.sheets[real]

    def read_sheet(self, csv_path: Path) -> Sheet | Unreadable:
        try:
            sheet = read_metadata_csv(csv_path, display(csv_path), self.lang)
        except Exception as exc:  # whatever one odd file does, the run goes on without it
            failure = exc if isinstance(exc, Unreadable) else Unreadable(_unexpected(exc))
            self.pass_over(csv_path, "failed", "sidecar", failure.reason, failure.row)
            return failure
        for problem in sheet.problems:
            self.pass_over(csv_path, "failed", "sidecar", problem.reason, problem.row)
        return sheet

    def fail_all(self, place: Path, reason: str) -> None:
        if not place.is_dir() or place.is_symlink():
            self.pass_over(place, "failed", "sidecar", reason)
            return
        for root, dirs, files in os.walk(place):
            dirs[:] = [d for d in dirs if not _hidden(d)]
            for name in files:
                if not _hidden(name) and name not in SIDECARS:
                    self.pass_over(Path(root, name), "failed", "sidecar", reason)

    def entry(self, path: Path, said: Said) -> None:
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
            if said.names(display(path)):
                self.compound(path, said)
            else:
                self.folder(path, said)
        elif stat.S_ISREG(info.st_mode):
            self.add(Unit(path, (path,), False, *self.sidecar(path, said)))
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

    def sidecar(self, path: Path, said: Said) -> tuple[Description | None, str | None, str | None]:
        """The description of `path`, or why it has none it should have, and where it is from."""
        key = display(path)
        self.used.add(key)
        if key in said.bad:
            return None, said.bad[key], None
        description, source = said.good.get(key, (None, None))
        return description, None, source

    def compound(self, folder: Path, said: Said) -> None:
        """A folder that is one document: its page images in name order."""
        description, error, source = self.sidecar(folder, said)
        yaml_path = folder / "item.yaml"
        if os.path.lexists(yaml_path) and error is None:
            try:
                from_yaml = read_item_yaml(yaml_path, self.lang)
            except Exception as exc:  # whatever one odd file does, the run goes on without it
                why = exc if isinstance(exc, InvalidInput) else _unexpected(exc)
                error = f"{display(yaml_path)}: {why}"
            else:
                if description and description.fields != from_yaml.fields:
                    error = f"described differently by {source} and {display(yaml_path)}"
                description, source = from_yaml, display(yaml_path)
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
        self.add(Unit(folder, tuple(pages), True, description, error, source))

    def add(self, unit: Unit) -> None:
        key = os.path.realpath(unit.path)
        if key not in self.seen:  # the same file reached twice (overlapping paths, a link)
            self.seen.add(key)
            self.found.units.append(unit)

    def report_unused(self) -> None:
        for key, csv_name in self.described.items():
            if key not in self.used:
                self.found.passed.append(
                    Passed(key, "failed", "sidecar", f"{csv_name} names it, but it is not there")
                )


def _key(path: Path, within: Path | None) -> str | None:
    """The key of `path` as the walk of `within` will reach it; None when it is not under
    `within`. Without `within`, the path as it is."""
    if within is None:
        return display(path)
    target, given = display(os.path.abspath(path)), display(os.path.abspath(within))
    if target == given:
        return display(within)
    if target.startswith(given.rstrip("/") + "/"):
        return display(within).rstrip("/") + "/" + target[len(given) :].lstrip("/")
    return None


def _unexpected(exc: Exception) -> str:
    return f"cannot be read: unexpected {type(exc).__name__}: {exc}"


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.casefold() in SYSTEM_FILES
