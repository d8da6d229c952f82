"""The plan's report in the workspace, `/staff/report`: the figures of `archive report` for a
period by quarter or year, with charts (SVG drawn on the server) and, for each figure that
counts items, a link to the list of the items it counts."""

from __future__ import annotations

import time
from datetime import date

from flask import Response, abort, render_template, request
from sqlalchemy import select

from archive import report as reporting
from archive import roles
from archive.errors import ConfigError, InvalidInput
from archive.models import Item
from archive.report import charts as report_charts
from archive.report import plan
from archive.report.periods import BY, Period, parse_day
from catalogue import services
from catalogue.i18n import current
from catalogue.staff.blueprint import _, blueprint, requires

LISTED = 500  # items a figure's list shows at most (the count says how many in all)
FRESH = 60  # seconds the use of the catalogue may be behind (it changes no generation)


class Asked:
    """The period asked for in the query, checked; `error` says what was wrong."""

    def __init__(self, chosen: plan.Plan):
        self.error = None
        self.by = request.args.get("by", "year")
        try:
            self.start = _day("from", chosen.start)
            self.end = _day("to", chosen.end)
            if self.by not in BY:
                raise InvalidInput(_("Give the periods by quarter or by year."))
            if self.end < self.start:
                raise InvalidInput(_("The period ends before it starts."))
        except InvalidInput as error:
            self.error = str(error)
            self.start, self.end, self.by = chosen.start, chosen.end, "year"

    @property
    def query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "by": self.by}


def _day(name: str, default: date) -> date:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        return parse_day(raw[:20], name)
    except InvalidInput:
        raise InvalidInput(_("%(name)s is not a date, such as 2024-01-31.", name=raw[:20]))


def _plan() -> plan.Plan:
    try:
        return services.remember(("plan",), plan.load)
    except ConfigError:
        abort(500)


def _period_key(asked: Asked) -> tuple:
    return asked.start, asked.end, asked.by, int(time.time() // FRESH)


def built(chosen: plan.Plan, asked: Asked) -> reporting.Report:
    """The report asked for, kept until the archive changes or a minute has passed."""
    key = ("report", *_period_key(asked))

    def make() -> reporting.Report:
        archive = services.archive()
        with services.reading() as session:
            vocabularies = archive.vocabularies
            return reporting.build(session, chosen, vocabularies, asked.start, asked.end, asked.by)

    return services.remember(key, make)


@blueprint.get("/report")
@requires(roles.READ)
def report() -> tuple[str, int]:
    chosen = _plan()
    asked = Asked(chosen)
    made = built(chosen, asked)
    html = render_template(
        "staff/report.html",
        report=made,
        asked=asked,
        charts=report_charts.CHARTS,
        chart_titles={name: report_charts.TITLES[name][current()] for name in report_charts.CHARTS},
        lang=current(),
    )
    return html, 400 if asked.error else 200


@blueprint.get("/report/chart")
@requires(roles.READ)
def report_chart() -> Response:
    name = request.args.get("name", report_charts.CHARTS[0])
    if name not in report_charts.CHARTS:
        abort(404)
    chosen = _plan()
    asked = Asked(chosen)
    made = built(chosen, asked)
    lang = current()
    key = ("report-chart", name, lang, *_period_key(asked))
    svg = services.remember(key, lambda: report_charts.chart(made, name, lang))
    return Response(svg, mimetype="image/svg+xml")


@blueprint.get("/report/items")
@requires(roles.READ)
def report_items() -> str:
    chosen = _plan()
    asked = Asked(chosen)
    made = built(chosen, asked)
    figure = made.figure(request.args.get("figure", "catalogued")[:200])
    if figure is None or figure.key is None:
        abort(404)
    label = request.args.get("period", "")
    period = next((p for p in made.periods if p.label == label), None)
    period = period or Period("", made.start, made.end)
    ids = made.members(figure, period)
    query = select(Item.accession_id, Item.title, Item.access, Item.withdrawn_at)
    query = query.where(Item.id.in_(ids[:LISTED])).order_by(Item.accession_id)
    with services.reading() as session:
        found = session.execute(query).all()
    return render_template(
        "staff/report_items.html",
        figure=figure,
        period=period,
        count=len(ids),
        items=found,
        asked=asked,
        lang=current(),
    )
