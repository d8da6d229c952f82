"""A plan's report as a document the department can attach to its submission: HTML with its
charts inside, and a PDF of it (WeasyPrint, DejaVu fonts embedded, which cover Vietnamese):
title block, period, tables, charts and every figure's definition, in Vietnamese or English."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from archive.report import Report
from archive.report import charts as report_charts
from archive.report.formats import number

TEMPLATES = Path(__file__).parent / "templates"
WORDS = {
    "vi": {
        "report": "Báo cáo tiến độ thực hiện kế hoạch",
        "period": "Kỳ báo cáo",
        "by": {"quarter": "theo quý", "year": "theo năm"},
        "generated": "Lập lúc",
        "public_only": "Chỉ tính tài liệu công khai.",
        "counting": "Tài liệu được tính đến hết mỗi kỳ; triển lãm và lượt sử dụng danh mục "
        "được tính trong kỳ. Cách tính từng chỉ số ghi dưới mỗi bảng.",
        "figure": "Chỉ số",
        "all": "Cả kỳ",
        "target": "chỉ tiêu",
        "status": {"within": "đạt", "under": "dưới chỉ tiêu", "over": "vượt chỉ tiêu"},
        "exhibition_columns": (
            "Triển lãm",
            "Đơn vị phối hợp",
            "Địa điểm",
            "Thời gian",
            "Tài liệu",
            "Trang",
            "Khách tham quan",
            "Lượt xem trực tuyến",
        ),
        "use_columns": ("Tháng", "Trang tài liệu", "Lượt tìm kiếm", "Manifest IIIF"),
    },
    "en": {
        "report": "Progress report on the plan",
        "period": "Period",
        "by": {"quarter": "by quarter", "year": "by year"},
        "generated": "Made",
        "public_only": "Public items alone are counted.",
        "counting": "Holdings are counted as at the end of each period; exhibitions and the use "
        "of the catalogue within it. How each figure is counted is said below its table.",
        "figure": "Figure",
        "all": "In all",
        "target": "target",
        "status": {"within": "within", "under": "under", "over": "over"},
        "exhibition_columns": (
            "Exhibition",
            "Partner",
            "Venue",
            "Dates",
            "Items",
            "Pages",
            "Visitors",
            "Online views",
        ),
        "use_columns": ("Month", "Item pages", "Searches", "IIIF manifests"),
    },
}


def html(report: Report, lang: str = "vi") -> str:
    """The report as one HTML file, its charts inside it."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    names = report_charts.CHARTS
    charts = [(name, _data_url(report_charts.chart(report, name, lang))) for name in names]
    titles = {name: report_charts.TITLES[name][lang] for name in report_charts.CHARTS}
    return environment.get_template("report.html").render(
        report=report,
        lang=lang,
        t=WORDS[lang],
        charts=charts,
        chart_titles=titles,
        text=lambda values: values.get(lang) or values.get("vi", ""),
        number=number,
    )


def pdf(report: Report, lang: str = "vi") -> bytes:
    """The report as a PDF (A4 landscape)."""
    from weasyprint import HTML

    return HTML(string=html(report, lang)).write_pdf()


def _data_url(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
