"""A plan's report written out: JSON (stable, described in the README), CSV (one row per
figure and period), a plain-text table, and HTML and PDF (archive.report.document)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from archive.report.figures import FORMAT_VERSION, Figure, Report

CSV_COLUMNS = ("section", "figure", "label", "unit", "period", "from", "to", "value", "status")


def as_json(report: Report) -> dict[str, Any]:
    """The report as the documented JSON document (`format` says its version)."""
    plan = report.plan
    return {
        "format": FORMAT_VERSION,
        "plan": {"id": plan.id, "title": plan.title, "issuer": plan.issuer},
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "by": report.by,
        "public_only": report.public_only,
        "generated": report.generated.isoformat().replace("+00:00", "Z"),
        "periods": [
            {"label": p.label, "from": p.start.isoformat(), "to": p.end.isoformat()}
            for p in report.periods
        ],
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "figures": [_figure(figure) for figure in section.figures],
                "rows": section.rows,
            }
            for section in report.sections
        ],
    }


def _figure(figure: Figure) -> dict[str, Any]:
    return {
        "id": figure.id,
        "label": figure.label,
        "definition": figure.definition,
        "unit": figure.unit,
        "counted": "at-end" if figure.stock else "within",
        "band": list(figure.band) if figure.band else None,
        "values": figure.values,
        "status": [figure.status(value) for value in figure.values],
        "total": figure.total,
        "total_status": figure.status(figure.total),
    }


def json_text(report: Report) -> str:
    return json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n"


def csv_text(report: Report, lang: str = "vi") -> str:
    """One row per figure and period, and one for the whole range (`period` empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in report.sections:
        for figure in section.figures:
            label = figure.label.get(lang) or figure.label["vi"]
            periods = [(p.label, p.start, p.end) for p in report.periods]
            values = [*figure.values, figure.total]
            for (name, start, end), value in zip(
                [*periods, ("", report.start, report.end)], values, strict=True
            ):
                status = figure.status(value) or ""
                row = [section.id, figure.id, label, figure.unit, name, start, end]
                writer.writerow([*row, number(value), status])
    return out.getvalue()


def table_text(report: Report, lang: str = "vi") -> str:
    """The figures as text: each section, each figure's value per period and in all."""
    labels = [p.label for p in report.periods]
    width = max(8, *(len(label) for label in labels))
    lines = [report.plan.title.get(lang) or report.plan.title["vi"]]
    lines.append(f"{report.start} – {report.end}")
    for section in report.sections:
        lines += ["", section.title.get(lang) or section.title["vi"]]
        header = "".join(label.rjust(width + 1) for label in [*labels, _ALL[lang]])
        lines.append(" " * 48 + header)
        for figure in section.figures:
            label = (figure.label.get(lang) or figure.label["vi"])[:47].ljust(48)
            values = "".join(number(v).rjust(width + 1) for v in [*figure.values, figure.total])
            status = figure.status(figure.total)
            lines.append(label + values + (f"  ({_STATUS[lang][status]})" if status else ""))
    return "\n".join(lines) + "\n"


_ALL = {"vi": "Cả kỳ", "en": "In all"}
_STATUS = {
    "vi": {"within": "đạt", "under": "dưới chỉ tiêu", "over": "vượt chỉ tiêu"},
    "en": {"within": "within", "under": "under", "over": "over"},
}


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return str(int(value))
