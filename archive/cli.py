"""The `archive` command: the archivist's and curator's interface, and the one place where the
packages are wired together.

Exit codes: 0 all done; 1 done, but some inputs failed (each named with its reason); 2 bad usage
or configuration.
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import click

from archive.errors import ArchiveError, InvalidInput, NotFound
from archive.fields import default_lang
from archive.home import Archive, resolve_home

JSON_INDENT = 2


class Context:
    def __init__(self, home: str | None, by: str | None):
        self.home = resolve_home(home)
        self.by = by  # who the changes of this command are credited to (default: login name)

    @contextmanager
    def archive(self) -> Iterator[Archive]:
        """The archive, with the search index following its changes: what the command's units
        of work changed is indexed when it ends (or earlier, when it says so)."""
        archive = Archive.open(self.home)
        archive.by = self.by
        index_later = IndexLater(archive)
        archive.subscribers.append(index_later)
        try:
            yield archive
            index_later.flush()
        finally:
            archive.close()


class IndexLater:
    """Collects the items each unit of work changed and hands them to the search index in one
    update: an update per unit would cost a commit of the index each (an ingest commits a unit
    every batch, `archive ocr` one a page)."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.items: set[str] = set()
        self.removed: set[str] = set()

    def __call__(self, committed) -> None:
        self.items |= committed.items
        self.removed |= committed.removed

    def flush(self, heal: bool = False) -> None:
        """Index what was collected; with `heal`, also every item the index lacks."""
        if not (self.items or self.removed or heal):
            return
        # Imported only now: a command that changed nothing (a second ingest) starts without it.
        from search_index import follow
        from search_index.service import SearchIndex

        with SearchIndex.open(self.archive.home / "index") as index:
            follow.update(self.archive, index, self.items, self.removed, heal)
        self.items, self.removed = set(), set()


pass_context = click.make_pass_decorator(Context)


class _Group(click.Group):
    """Every ArchiveError becomes its message and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
@click.option(
    "--home",
    envvar="ARCHIVE_HOME",
    type=click.Path(file_okay=False),
    help="The archive home folder (default ./archive-data, or $ARCHIVE_HOME).",
)
@click.option(
    "--by",
    envvar="ARCHIVE_BY",
    help="Who the changes are credited to in the audit trail (default: the login name).",
)
@click.version_option(package_name="tulieu")
@click.pass_context
def cli(ctx: click.Context, home: str | None, by: str | None) -> None:
    """Tư liệu: a digital archive and exhibition catalogue."""
    ctx.obj = Context(home, by)


@cli.command()
@pass_context
def init(ctx: Context) -> None:
    """Create an archive home (or complete one)."""
    Archive.create(ctx.home).close()
    click.echo(f"archive home ready at {ctx.home}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--collection", help="Collection slug: fonds, fonds/series or fonds/series/file.")
@click.option("--lang", help="Languages of the material, such as vie+eng (default: setting).")
@click.option(
    "--type",
    "item_type",
    type=click.Choice(["auto", "photo", "document"]),
    default="auto",
    show_default=True,
    help="What the files are.",
)
@click.option(
    "--access",
    type=click.Choice(["public", "restricted"]),
    help="Access of the new items (default: setting default_access).",
)
@click.option(
    "--metadata",
    "metadata_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A metadata.csv to use for files it names (paths relative "
    "to its folder), beside those found in the folders.",
)
@click.option("--ocr", "read_photos", is_flag=True, help="OCR photos too (documents always are).")
@click.option(
    "--update-metadata",
    is_flag=True,
    help="Apply to items already ingested what their metadata.csv or item.yaml now says "
    "(printing old -> new for each field); without it, a difference is only reported.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--dry-run", is_flag=True, help="Read and check everything (but run no OCR); write nothing."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every input's outcome to this JSON file.",
)
@pass_context
def ingest(
    ctx: Context,
    paths,
    collection,
    lang,
    item_type,
    access,
    metadata_csv,
    read_photos,
    update_metadata,
    workers,
    dry_run,
    report_path,
) -> None:
    """Ingest files and folders of scans and photos."""
    from ingest import batch
    from ingest.describe import Options

    _check_languages(lang)
    with ctx.archive() as archive:
        if collection:
            from archive import items  # SQLAlchemy: only now, see ingest.batch

            with archive.session() as session:
                items.collection(session, collection)  # checks the slug before any work
        options = Options(
            type=item_type,
            access=access or archive.settings["default_access"],
            rights=archive.settings["default_rights"],
            languages=lang or archive.settings["languages"],
            collection=collection,
            read_photos=read_photos,
        )
        with _progress() as (on_start, on_done):
            report = batch.run(
                archive,
                list(paths),
                options,
                workers=workers,
                dry_run=dry_run,
                metadata_csv=metadata_csv,
                update_metadata=update_metadata,
                on_start=on_start,
                on_done=on_done,
                on_committed=lambda recovered: _indexed(archive, recovered),
            )
    if report_path:
        report_path.write_text(
            json.dumps(report.as_json(), ensure_ascii=False, indent=JSON_INDENT), encoding="utf-8"
        )
    _print_summary(report)
    sys.exit(report.exit_code)


def _indexed(archive: Archive, recovered: bool) -> None:
    """Before an ingest run marks itself done, the index learns what it changed (so that a run
    stopped before that point heals on the next one)."""
    index_later = next(s for s in archive.subscribers if isinstance(s, IndexLater))
    index_later.flush(heal=recovered)


def _check_languages(lang: str | None) -> None:
    from archive import settings as settings_module

    problem = lang and settings_module.BY_NAME["languages"].check(lang)
    if problem:
        raise click.BadParameter(problem, param_hint="--lang")


@contextmanager
def _progress():
    """A progress bar on a terminal, naming the input it is on when told; silence in a pipe.
    Yields on_start(total, first="") and on_done(now_on="")."""
    if not sys.stderr.isatty():
        yield (lambda total, first="": None), (lambda now_on="": None)
        return
    from ingest.names import printable

    state = {}
    longest = 40  # characters of a name shown: the bar keeps to one line

    def shown(name: str | None) -> str | None:
        name = printable(Path(name).name) if name else ""
        return name if len(name) <= longest else f"{name[: longest - 1]}…"

    def on_start(total: int, first: str = "") -> None:
        state["bar"] = click.progressbar(
            length=total, label="ingesting", file=sys.stderr, item_show_func=shown
        )
        state["bar"].current_item = first  # shown from the first drawing of the bar
        state["bar"].__enter__()

    try:
        yield on_start, lambda now_on="": state["bar"].update(1, now_on)
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def _print_summary(report) -> None:
    from ingest.batch import planned
    from ingest.names import printable

    for entry in report.entries:
        name, outcome = printable(entry["input"]), entry["outcome"]
        if line := planned(entry):
            click.echo(line)
        if outcome == "failed":
            where = f" (row {entry['row']})" if "row" in entry else ""
            click.echo(f"failed   {name}{where}: {entry['step']}: {entry['reason']}")
        elif outcome == "duplicate":
            click.echo(f"duplicate {name}: the same content as {entry['duplicate_of']}")
        elif outcome in ("updated", "would-update"):
            click.echo(f"{outcome.replace('-', ' ')} {entry['item']} from {name}")
            _print_changes([(c["field"], c["old"], c["new"]) for c in entry["changes"]])
        for warning in entry.get("warnings", []):
            click.echo(f"warning  {name}: {warning}")
    counts = report.counts
    order = ("created", "would-create", "updated", "would-update", "duplicate", "unchanged")
    order += ("skipped", "failed")
    summary = ", ".join(
        f"{counts.get(k, 0)} {k}" for k in order if counts.get(k) or k in ("created", "failed")
    )
    prefix = "dry run: " if report.dry_run else ""
    click.echo(
        f"{prefix}{summary}"
        + (f"; {counts['with_warnings']} with warnings" if counts.get("with_warnings") else "")
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """What the archive holds, the last ingest runs, and what failed and why."""
    from archive import journal

    with ctx.archive() as archive, archive.session() as session:
        found = journal.status(session)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=JSON_INDENT))
        return
    click.echo(
        f"items    {found['items']} ({_pairs(found['by_type'])}; {_pairs(found['by_access'])})"
    )
    click.echo(f"pages    {found['pages']}")
    click.echo(f"masters  {found['masters']} ({found['master_bytes'] / 1e6:.1f} MB)")
    for run in found["runs"]:
        click.echo(
            f"run {run['id']}  {run['started_at']}  {run['status']}  {_pairs(run['counts'])}"
        )
        for failure in run["failed"][:20]:
            click.echo(f"  failed {failure['input']}: {failure['step']}: {failure['reason']}")
        if len(run["failed"]) > 20:
            click.echo(f"  … and {len(run['failed']) - 20} more (archive status --json)")
        if run["mended"]:
            click.echo(f"  ({run['mended']} failed, and a later run ingested them)")


def _pairs(mapping: dict) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(mapping.items())) or "none"


@cli.group()
def item() -> None:
    """Show and edit items."""


@item.command("show")
@click.argument("accession_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def item_show(ctx: Context, accession_id: str, as_json: bool) -> None:
    """Show one item."""
    from archive import items

    with ctx.archive() as archive, archive.session() as session:
        record = items.as_dict(items.find(session, accession_id))
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=JSON_INDENT))
        return
    for key, value in record.items():
        if key in ("pages", "masters", "tags"):
            click.echo(f"{key}:")
            for row in value:
                click.echo(_ROWS[key](row))
        elif value not in (None, {}, []):
            shown = (
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
            )
            click.echo(f"{key}: {shown}")


def _page_line(page: dict) -> str:
    line = f"  {page['number']}: {page['width']}×{page['height']}"
    if page["rotation"]:
        line += f", turned {page['rotation']}°"
    if page["ocr"] == "failed":
        return f"{line}, OCR failed: {page['ocr_error']}"
    text = page["text"]
    if text is None:
        return line
    confidence = f", confidence {text['confidence']:.0f}" if text["confidence"] is not None else ""
    how = text["engine"] + (f" ({text['ocr_languages']})" if text["ocr_languages"] else "")
    excerpt = " ".join(text["text"].split())
    excerpt = excerpt[:300] + ("…" if len(excerpt) > 300 else "")
    return (
        f"{line}, {text['source']} v{text['version']} by {how}, language "
        f"{text['language'] or 'unknown'}{confidence}\n      {excerpt}"
    )


def _tag_line(tag: dict) -> str:
    evidence = tag["evidence"]
    if evidence.get("rule") == "phrase":
        found = [
            f"'{m['phrase']}' ({m['field']}" + (f" p.{m['page']})" if m.get("page") else ")")
            for m in evidence.get("matches", [])[:4]
        ]
        why = ", ".join(found)
    else:
        why = ", ".join(f"{k} {v}" for k, v in evidence.items())
    score = f", score {tag['score']:g}" if tag["score"] is not None else ""
    return f"  {tag['vocabulary']}:{tag['term']} ({tag['source']}{score}): {why}"


_ROWS = {
    "pages": _page_line,
    "tags": _tag_line,
    "masters": lambda m: (
        f"  {m['stored_path']} ({m['media_type']}, {m['size']} bytes) from {m['original_path']}"
    ),
}


@item.command("set")
@click.argument("accession_id")
@click.argument("assignments", nargs=-1, required=True)
@pass_context
def item_set(ctx: Context, accession_id: str, assignments: tuple[str, ...]) -> None:
    """Set fields: FIELD=VALUE ... (the metadata.csv column names; an empty VALUE clears)."""
    pairs = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{assignment!r} is not FIELD=VALUE")
        pairs[name.strip()] = value
    from archive import items

    with ctx.archive() as archive, archive.change("item set") as work:
        lang = default_lang(archive.settings["languages"])
        changes = items.edit(work, accession_id, pairs, lang)
    click.echo(f"{accession_id}: {'updated' if changes else 'nothing to change'}")
    _print_changes(changes)
    retagged = work.committed.retagged.get(accession_id)
    if retagged:
        click.echo(f"  tags: {' '.join(retagged)}")


def _print_changes(changes: list[tuple[str, object, object]]) -> None:
    for name, old, new in changes:
        click.echo(f"  {name}: {_shown(old)} → {_shown(new)}")


def _shown(value) -> str:
    """A field's value as `item set` and ingest print it: text quoted, so that a space shows."""
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return json.dumps("; ".join(map(str, value)), ensure_ascii=False)
    if isinstance(value, str | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@item.command("list")
@click.option("--collection", help="Only this collection (and the collections below it).")
@click.option("--type", "item_type", type=click.Choice(["photo", "document"]))
@click.option("--access", type=click.Choice(["public", "restricted"]))
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Only items accessioned on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--sort",
    type=click.Choice(["newest", "id"]),
    default="newest",
    show_default=True,
    help="Newest accession first, or by accession id.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@pass_context
def item_list(ctx: Context, collection, item_type, access, since, sort, as_json, as_csv) -> None:
    """List items: id, type, access, collection, date and title."""
    from archive import items

    if as_json and as_csv:
        raise click.UsageError("give --json or --csv, not both")
    with ctx.archive() as archive, archive.session() as session:
        lang = default_lang(archive.settings["languages"])
        found = items.listing(
            session,
            in_collection=collection,
            item_type=item_type,
            access=access,
            since=since,
            order=sort,
        )
        if as_json:
            _list_json(found)
        elif as_csv:
            _list_csv(found, lang)
        else:
            _list_text(found, lang)


def _list_json(found) -> None:
    """`archive item list --json`: {"items": [...], "count": N}, written as it is read."""
    click.echo('{"items": [', nl=False)
    count = 0
    for count, row in enumerate(found, 1):
        click.echo(
            ("," if count > 1 else "") + "\n  " + json.dumps(row, ensure_ascii=False), nl=False
        )
    click.echo(f'\n], "count": {count}}}')


_LIST_COLUMNS = ("id", "type", "access", "collection", "date", "created_at", "title")


def _list_csv(found, lang: str) -> None:
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(_LIST_COLUMNS)
    for row in found:
        writer.writerow(
            [_title(row["title"], lang) if k == "title" else row[k] or "" for k in _LIST_COLUMNS]
        )


def _list_text(found, lang: str) -> None:
    count = 0
    for row in found:
        count += 1
        click.echo(
            f"{row['id']}  {row['type']:8} {row['access']:10} {row['collection'] or '-':24} "
            f"{row['date'] or '-':10}  {_title(row['title'], lang)}"
        )
    click.echo(f"{count} items")


def _title(title: dict[str, str], lang: str) -> str:
    """The title in the archive's first language, else any."""
    return title.get(lang) or next(iter(title.values()), "")


@item.command("text")
@click.argument("accession_id")
@click.option("--page", "number", type=click.IntRange(min=1), required=True, help="Page number.")
@click.option(
    "--file",
    "text_file",
    type=click.File("rb"),
    help="The corrected transcription (UTF-8, or UTF-16 with a BOM; - for standard input). "
    "Without it, the page's current text is printed.",
)
@click.option("--by", help="Who made it (default: archive --by, or the login name).")
@pass_context
def item_text(ctx: Context, accession_id: str, number: int, text_file, by: str | None) -> None:
    """Replace a page's machine text with a corrected transcription (the machine text is kept);
    without --file, print the page's current text."""
    from archive import texts

    if text_file is None:
        with ctx.archive() as archive, archive.session() as session:
            current = texts.find_page(session, accession_id, number).text
            if current is None or not current.text.strip():
                raise NotFound(f"{accession_id} page {number} has no text")
            click.echo(current.text)
        return
    text = _decoded(text_file.read(), text_file.name)
    with ctx.archive() as archive, archive.change("item text", by) as work:
        version = texts.transcribe(work, accession_id, number, text)
    click.echo(f"{accession_id} page {number}: transcription saved as version {version.version}")


# What a text editor writes when asked for "Unicode": UTF-16, marked by its byte-order mark.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decoded(data: bytes, name: str) -> str:
    """A text file's text: UTF-8 (with or without a BOM), or UTF-16 with a BOM."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    advice = "save it as UTF-8 (or as Unicode: UTF-16 with a BOM)"
    if encoding == "utf-8" and b"\x00" in data:  # text has no NUL; UTF-16 has one in most pairs
        raise InvalidInput(f"{name} holds NUL bytes (UTF-16 without a BOM?): {advice}")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        shown = "UTF-8" if encoding == "utf-8" else "UTF-16"
        raise InvalidInput(
            f"{name} is not {shown} text (byte {data[exc.start]:#04x} at offset {exc.start}): "
            + advice
        )
    return text


@item.command("tag", context_settings={"ignore_unknown_options": True})
@click.argument("accession_id")
@click.argument("changes", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--by", help="Who decides (default: archive --by, or the login name).")
@pass_context
def item_tag(ctx: Context, accession_id: str, changes: tuple[str, ...], by: str | None) -> None:
    """Add (+TAG) or remove (-TAG) tags: a term id such as CRC, or vocabulary:term."""
    from archive import tags

    add = [c[1:] for c in changes if c.startswith("+")]
    remove = [c[1:] for c in changes if c.startswith("-")]
    if len(add) + len(remove) != len(changes) or not all(add + remove):
        raise click.BadParameter("each change is +TAG or -TAG", param_hint="CHANGES")
    with ctx.archive() as archive, archive.change("item tag", by) as work:
        item = tags.person_tag(work, accession_id, add, remove)
        shown = tags.labels(item)
    click.echo(f"{accession_id}: {', '.join(shown) or 'no tags'}")


@cli.command()
@click.argument("accession_ids", nargs=-1)
@click.option("--retry-failed", is_flag=True, help="The pages whose OCR failed.")
@click.option("--lang", help="Languages for Tesseract, such as vie+eng (default: setting).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@pass_context
def ocr(ctx: Context, accession_ids, retry_failed: bool, lang: str | None, workers) -> None:
    """OCR pages again: of the items named, or (--retry-failed) every page that failed."""
    from ingest import reread

    if not accession_ids and not retry_failed:
        raise click.UsageError("name items, or give --retry-failed")
    _check_languages(lang)
    with ctx.archive() as archive, _progress() as (on_start, on_done):
        counts = reread.reread(
            archive,
            list(accession_ids),
            retry_failed,
            lang or archive.settings["languages"],
            workers or archive.settings["workers"] or os.cpu_count() or 1,
            on_start,
            on_done,
        )
    click.echo(f"{counts['done']} pages read, {counts['failed']} failed")
    sys.exit(1 if counts["failed"] else 0)


@cli.command("tag")
@click.option("--retag", is_flag=True, help="Run the tagging rules over every item again.")
@pass_context
def tag_command(ctx: Context, retag: bool) -> None:
    """The vocabularies and how many items carry each term; --retag re-runs the rules."""
    from archive import tags

    if retag:
        with ctx.archive() as archive, archive.change("tag --retag") as work:
            count = tags.retag_all(work)
        changed = work.committed.retagged
        for accession_id, found in changed.items():
            click.echo(f"{accession_id}: {' '.join(found)}")
        click.echo(f"{count} items tagged again; the tags of {len(changed)} changed")
        return
    with ctx.archive() as archive:
        with archive.session() as session:
            used = tags.usage(session)
        for name, concepts in archive.vocabularies.items():
            click.echo(f"{name} ({len(concepts)} terms)")
            for term, concept in concepts.items():
                label = concept.pref.get("vi") or term
                click.echo(f"  {term:28} {used.get((name, term), 0):6}  {label}")


@cli.command()
@click.argument("query", default="")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    help="FIELD=VALUE, such as type=photo or "
    "tag=CRC (type, tag, convention, theme, district, ethnic-group, decade, collection, "
    "language); repeat to combine.",
)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date", "-date", "added"]),
    default="relevance",
    show_default=True,
)
@click.option("--public", is_flag=True, help="Search as the public does: no restricted items.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def search(ctx: Context, query, filters, limit, page, sort, public, as_json) -> None:
    """Full-text search: diacritics optional, exact spellings first."""
    from search_index.service import SearchIndex

    wanted: dict[str, list[str]] = {}
    for pair in filters:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise click.BadParameter(f"{pair!r} is not FIELD=VALUE", param_hint="--filter")
        wanted.setdefault(name, []).append(value)
    with ctx.archive() as archive, SearchIndex.open(archive.home / "index") as index:
        found = index.search(
            query, filters=wanted, public_only=public, sort=sort, page=page, per_page=limit
        )
    if as_json:
        click.echo(json.dumps(_results(found), ensure_ascii=False, indent=JSON_INDENT))
        return
    for hit in found.hits:
        title = hit.title.get("vi") or next(iter(hit.title.values()), "")
        year = hit.year_start or ""
        click.echo(f"{hit.id}  {hit.type:8} {year!s:4}  {title}")
        if hit.snippet:
            where = f"p.{hit.page}: " if hit.page else ""
            click.echo(f"    {where}{_terminal(hit.snippet)}")
    shown = (
        f"{(page - 1) * limit + 1}–{(page - 1) * limit + len(found.hits)}" if found.hits else "0"
    )
    click.echo(f"{shown} of {found.total}")


def _results(found) -> dict:
    """`archive search --json`: a documented, stable shape."""
    return {
        "query": found.query,
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "hits": [
            {"id": h.id, "type": h.type, "title": h.title, "year_start": h.year_start,
             "score": round(h.score, 4), "page": h.page, "snippet": h.snippet}
            for h in found.hits
        ],
        "facets": {name: [[value, count] for value, count in values]
                   for name, values in found.facets.items()},
    }  # fmt: skip


def _terminal(snippet: str) -> str:
    """A highlighted HTML snippet as terminal text: the marks in bold."""
    import html
    import re

    parts = re.split(r"<mark>(.*?)</mark>", snippet)
    return "".join(
        click.style(html.unescape(part), bold=True) if n % 2 else html.unescape(part)
        for n, part in enumerate(parts)
    )


@cli.command()
@click.option("--item", "target", help="Only the changes to this item (accession id).")
@click.option("--user", "by", help="Only the changes this person made.")
@click.option("--action", help="Only changes of this kind (item set, ingest, ...).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Before this day (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def audit(ctx: Context, target, by, action, since, until, limit, as_json) -> None:
    """Who changed what, when, before and after: newest first."""
    from archive import audit as trail

    with ctx.archive() as archive, archive.session() as session:
        found = trail.entries(
            session, target=target, by=by, action=action, since=since, until=until, limit=limit
        )
    if as_json:
        click.echo(json.dumps([e.as_json() for e in found], ensure_ascii=False, indent=JSON_INDENT))
        return
    for entry in found:
        when = entry.at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{when}  {entry.by}  {entry.action}  {entry.target}  {entry.field}: "
            f"{_shown(entry.before)} → {_shown(entry.after)}"
        )


@cli.command()
@click.option("--check", is_flag=True, help="Report items missing from, or stale in, the index.")
@pass_context
def reindex(ctx: Context, check: bool) -> None:
    """Rebuild the search index from the database, beside the old one, then swap it in."""
    import time

    from archive import indexing
    from search_index.service import SearchIndex

    with (
        ctx.archive() as archive,
        archive.session() as session,
        SearchIndex.open(archive.home / "index") as index,
    ):
        if check:
            problems = _index_problems(indexing.versions(session), index.versions())
            for problem in problems:
                click.echo(problem)
            click.echo(f"{len(problems)} problems" if problems else "index and database agree")
            sys.exit(1 if problems else 0)
        start = time.perf_counter()
        count = index.rebuild(indexing.documents(session))
    click.echo(f"{count} items indexed in {time.perf_counter() - start:.1f} s")


def _index_problems(database: dict[str, str], index: dict[str, str]) -> list[str]:
    problems = [f"missing  {i}" for i in sorted(database.keys() - index.keys())]
    problems += [
        f"stale    {i}" for i in sorted(database) if i in index and index[i] != database[i]
    ]
    problems += [f"extra    {i}" for i in sorted(index.keys() - database.keys())]
    return problems


@cli.command()
@pass_context
def verify(ctx: Context) -> None:
    """Re-hash every master; report missing or changed ones (exit 1 if any)."""
    from archive import fixity

    with ctx.archive() as archive, archive.session() as session:
        total = fixity.count(session)
        problems = list(fixity.audit(session, archive.home))
    for problem in problems:
        users = ", ".join(problem.items) or "no item"
        click.echo(
            f"{problem.reason.split(':')[0]:8} {problem.stored_path}: {problem.reason}; "
            f"used by {users}"
        )
    click.echo(f"{total - len(problems)} of {total} masters intact")
    sys.exit(1 if problems else 0)


@cli.command()
@click.argument("accession_ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every item's pages.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@pass_context
def derivatives(ctx: Context, accession_ids, every: bool, workers) -> None:
    """Make the IIIF images (tiles, sizes, info.json) of items again."""
    from ingest.rederive import rederive

    if bool(accession_ids) == every:
        raise click.UsageError("name items, or give --all")
    with ctx.archive() as archive, _progress() as (on_start, on_done):
        workers = workers or archive.settings["workers"] or os.cpu_count() or 1
        done, problems = rederive(
            archive, None if every else list(accession_ids), workers, on_start, on_done
        )
    for problem in problems:
        click.echo(f"failed   {problem}")
    click.echo(f"{done} pages made, {len(problems)} failed")
    sys.exit(1 if problems else 0)


@cli.group()
def exhibition() -> None:
    """Check, build and export exhibitions from curators' definitions (YAML)."""


def _checked(archive: Archive, path: Path):
    """The exhibition in `path`, or exit 1 after printing every problem with its line."""
    from exhibitions import definition

    found, problems = definition.load(path)
    if found is not None:
        with archive.session() as session:
            facts = definition.item_facts(session, [e.item for e in found.entries()])
        problems += definition.check(found, facts)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems or found is None:
        click.echo(f"{len(problems)} problems in {path}", err=True)
        sys.exit(1)
    return found


_DEFINITION = click.Path(exists=True, dir_okay=False, path_type=Path)


@exhibition.command("check")
@click.argument("path", type=_DEFINITION)
@pass_context
def exhibition_check(ctx: Context, path: Path) -> None:
    """Report every problem of a definition, as FILE:LINE: message (exit 1 if any)."""
    with ctx.archive() as archive:
        found = _checked(archive, path)
    shown = len(found.entries())
    click.echo(f"{path}: {len(found.sections)} sections, {shown} items: no problems")


@exhibition.command("build")
@click.argument("path", type=_DEFINITION)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the IIIF files (default: iiif/ in the archive home).",
)
@pass_context
def exhibition_build(ctx: Context, path: Path, out: Path | None) -> None:
    """Write the exhibition's IIIF manifest and the Collections; print every path written."""
    from exhibitions import publish

    with ctx.archive() as archive:
        found = _checked(archive, path)
        for written in publish.build(archive, found, out or archive.home / "iiif"):
            click.echo(str(written))


def _site_address(ctx: click.Context, param: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http:// or https:// address")
    if parts.query or parts.fragment or " " in value:
        raise click.BadParameter(f"{value!r}: the address of a folder, without ? or #")
    return value.rstrip("/")


@exhibition.command("export")
@click.argument("path", type=_DEFINITION)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--base-url",
    required=True,
    callback=_site_address,
    help="The address the site will be published at (https://example.org/exhibition): "
    "every IIIF id in it names it.",
)
@pass_context
def exhibition_export(ctx: Context, path: Path, out: Path, base_url: str) -> None:
    """Write a self-contained static site of the exhibition (page, viewer, manifest, images),
    to be published at --base-url."""
    from exhibitions import export

    with ctx.archive() as archive:
        found = _checked(archive, path)
        written = export.export(archive, found, out, base_url)
    for one in written:
        click.echo(str(one))
    click.echo(f"publish {out} at {base_url}/ (see {out / 'README.txt'})")


_LOOPBACK_BASE_URL = (
    "base_url is {base_url}, an address only this machine can reach: the manifests, images and "
    "citations served on {host} would point visitors nowhere. Set base_url in "
    '{home}/archive.toml (base_url = "https://…") or ARCHIVE_BASE_URL to the address '
    "visitors use (a catalogue tried on this machine only listens on 127.0.0.1, the default)."
)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--threads", type=click.IntRange(min=1), default=2, show_default=True, help="Per worker."
)
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the online catalogue with gunicorn (Ctrl-C stops it)."""
    from archive.errors import ConfigError
    from catalogue import server
    from catalogue.app import create_app

    # Opened once before any worker starts: a folder that is no archive home fails here, and a
    # schema upgrade runs once, not in every worker at the same time.
    app = create_app(ctx.home)
    base_url = app.extensions["archive"].settings["base_url"]
    app.extensions["search"].close()
    app.extensions["archive"].close()
    try:
        sockets = server.listen(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    if server.loopback_url(base_url) and server.public_sockets(sockets):
        for bound in sockets:
            bound.close()
        raise ConfigError(_LOOPBACK_BASE_URL.format(base_url=base_url, host=host, home=ctx.home))
    # Port 0 asks the system for a free port: print what was given, for whoever started it.
    for bound in sockets:
        address, number = bound.getsockname()[:2]
        shown = f"[{address}]" if ":" in str(address) else address
        click.echo(f"serving {ctx.home} at http://{shown}:{number}/")
    sys.stdout.flush()
    server.run(ctx.home, sockets, workers or server.cores(), threads)


def main() -> None:
    cli(prog_name="archive")
