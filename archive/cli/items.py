"""Commands on items: item show|set|list|text|tag, and tag (the vocabularies, and re-tagging)."""

from __future__ import annotations

import codecs
import json
import sys

import click

from archive import orders
from archive.cli.base import JSON_INDENT, Context, cli, pass_context, print_changes
from archive.errors import InvalidInput, NotFound
from archive.fields import BY_NAME, default_lang, neutralised


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
    review = f", {tag['review']}" if tag.get("review") else ""
    return f"  {tag['vocabulary']}:{tag['term']} ({tag['source']}{score}{review}): {why}"


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
    print_changes(changes)
    retagged = work.committed.retagged.get(accession_id)
    if retagged:
        click.echo(f"  tags: {' '.join(retagged)}")


@item.command("list")
@click.option("--collection", help="Only this collection (and the collections below it).")
@click.option("--type", "item_type", type=click.Choice(BY_NAME["type"].choices))
@click.option("--access", type=click.Choice(BY_NAME["access"].choices))
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Only items accessioned on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--sort",
    type=click.Choice(orders.LISTING),
    default=orders.LISTING[0],
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
    """The list as CSV, each cell kept from running as a formula in a spreadsheet, as
    `archive export csv` keeps its cells."""
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(_LIST_COLUMNS)
    for row in found:
        cells = [
            _title(row["title"], lang) if k == "title" else row[k] or "" for k in _LIST_COLUMNS
        ]
        writer.writerow([neutralised(str(cell)) for cell in cells])


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


@cli.group("tag", invoke_without_command=True)
@click.option("--retag", is_flag=True, help="Run the tagging rules over every item again.")
@pass_context
def tag_command(ctx: Context, retag: bool) -> None:
    """The vocabularies and how many items carry each term; --retag re-runs the rules."""
    from archive import tags

    if click.get_current_context().invoked_subcommand:
        return
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


@tag_command.command("review")
@click.argument("accession_id")
@click.argument("label", metavar="TAG")
@click.option("--accept", "verdict", flag_value="accepted", help="Keep the automatic tag.")
@click.option("--reject", "verdict", flag_value="rejected", help="Remove it for good.")
@click.option("--by", help="Who decides (default: archive --by, or the login name).")
@pass_context
def tag_review(
    ctx: Context, accession_id: str, label: str, verdict: str | None, by: str | None
) -> None:
    """Accept or reject an item's automatic tag (CRC, or vocabulary:term)."""
    from archive import tags

    if verdict is None:
        raise click.UsageError("say --accept or --reject")
    with ctx.archive() as archive, archive.change("tag review", by) as work:
        tag = tags.review(work, accession_id, label, verdict)
        shown = f"{tag.vocabulary}:{tag.term}"
    click.echo(f"{accession_id}: {shown} {verdict}")
