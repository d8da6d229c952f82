"""The command `archive report`: the progress report against a plan (by default the shipped
Kon Tum plan 1297/KH-UBND), as a table, JSON, CSV, HTML or PDF."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli.base import Context, cli, pass_context

FORMATS = ("table", "json", "csv", "html", "pdf")


@cli.command("report")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), help="The plan file (YAML).")
@click.option("--from", "start", help="The first day (default: the plan's), as 2023-01-01.")
@click.option("--to", "end", help="The last day (default: the plan's), as 2028-12-31.")
@click.option("--by", type=click.Choice(["quarter", "year"]), default="quarter", show_default=True)
@click.option(
    "--format",
    "form",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file (PDF: needed).")
@pass_context
def report(ctx: Context, plan_file, start, end, by, form, lang, out) -> None:
    """Progress against the plan: digitised, online, languages, themes, exhibitions and the use
    of the catalogue, for every quarter or year, each figure with its definition."""
    from archive import report as reporting
    from archive.report import plan
    from archive.report.periods import parse_day

    chosen = plan.load(Path(plan_file) if plan_file else None)
    first = parse_day(start, "--from") if start else None
    last = parse_day(end, "--to") if end else None
    if form == "pdf" and not out:
        raise click.UsageError("a PDF is written to a file: give --out FILE.pdf")
    with ctx.archive() as archive, archive.session() as session:
        made = reporting.build(session, chosen, archive.vocabularies, first, last, by)
    if form == "pdf":
        from archive.report import document as report_document

        Path(out).write_bytes(report_document.pdf(made, lang))
        return
    text = _text(made, form, lang)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _text(made, form: str, lang: str) -> str:
    from archive.report import formats as report_formats

    if form == "json":
        return report_formats.json_text(made)
    if form == "csv":
        return report_formats.csv_text(made, lang)
    if form == "html":
        from archive.report import document as report_document

        return report_document.html(made, lang)
    return report_formats.table_text(made, lang)
