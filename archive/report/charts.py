"""The charts of a plan's report, drawn by matplotlib as SVG (its text drawn as paths, so that
it looks the same wherever it is shown, the PDF included): progress against each target, the
languages over time, items per theme. The figures they draw are also in the report's tables."""

from __future__ import annotations

import io

from archive.report import Figure, Report

CHARTS = ("targets", "languages", "themes")
SVG = "http://www.w3.org/2000/svg"
INK, BAND, BARS = "#1f2937", "#bbf7d0", ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c")
TITLES = {
    "targets": {"vi": "Tiến độ so với chỉ tiêu (%)", "en": "Progress against the targets (%)"},
    "languages": {"vi": "Sản phẩm theo nhóm ngôn ngữ", "en": "Products by language class"},
    "themes": {"vi": "Tài liệu theo chủ đề", "en": "Items per theme"},
}


def _canvas(width: float, height: float):
    import matplotlib

    matplotlib.rcParams.update({"svg.fonttype": "path", "font.family": "DejaVu Sans"})
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure as Drawing

    drawing = Drawing(figsize=(width, height), dpi=96)
    FigureCanvasSVG(drawing)
    return drawing


def _svg(drawing) -> bytes:
    out = io.BytesIO()
    drawing.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _presentational(out.getvalue())


def _presentational(svg: bytes) -> bytes:
    """The SVG with its inline styles (`style="fill: #fff"` and one <style> element) written as
    the presentation attributes they stand for (`fill="#fff"`): the catalogue's security policy
    allows no inline style, on its pages or in the images they show."""
    from lxml import etree

    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter():
        if element.tag == f"{{{SVG}}}style":
            element.getparent().remove(element)
            continue
        style = element.attrib.pop("style", None)
        for declaration in (style or "").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip() and value.strip():
                element.set(name.strip(), value.strip())
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _label(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts["vi"]


def chart(report: Report, name: str, lang: str) -> bytes:
    """The chart `name` (one of CHARTS) of `report`, labelled in `lang`, as SVG."""
    return {"targets": _targets, "languages": _languages, "themes": _themes}[name](report, lang)


def _targets(report: Report, lang: str) -> bytes:
    shares = [f for s in report.sections for f in s.figures if f.unit == "percent" and f.band]
    drawing = _canvas(7, 0.6 + 0.55 * max(1, len(shares)))
    axes = drawing.add_subplot()
    for row, figure in enumerate(shares):
        low, high = figure.band
        axes.barh(row, max(high - low, 1), left=min(low, 99), height=0.8, color=BAND, zorder=1)
        axes.barh(row, figure.total or 0, height=0.4, color=BARS[0], zorder=2)
        axes.text((figure.total or 0) + 1, row, _number(figure.total), va="center", color=INK)
    axes.set_yticks(range(len(shares)), [_label(f.label, lang) for f in shares])
    axes.set_xlim(0, 110)
    axes.invert_yaxis()
    return _svg(drawing)


def _languages(report: Report, lang: str) -> bytes:
    lines = [f for s in report.sections for f in s.figures if f.id.startswith("language.either:")]
    drawing = _canvas(7, 3.2)
    axes = drawing.add_subplot()
    labels = [p.label for p in report.periods]
    for n, figure in enumerate(lines):
        axes.plot(labels, figure.values, marker="o", color=BARS[n % len(BARS)])
    axes.legend([_label(f.label, lang) for f in lines], loc="upper left", frameon=False)
    axes.tick_params(axis="x", labelrotation=60 if len(labels) > 8 else 0)
    return _svg(drawing)


def _themes(report: Report, lang: str) -> bytes:
    terms: dict[str, list[Figure]] = {}
    for section in report.sections:
        for figure in section.figures:
            if figure.id.startswith("theme:"):
                terms.setdefault(figure.id.rsplit(":", 1)[0].split(":", 2)[2], []).append(figure)
    drawing = _canvas(7, 0.8 + 0.35 * max(1, len(terms)))
    axes = drawing.add_subplot()
    names = list(terms)
    left = [0.0] * len(names)
    parts = max((len(f) for f in terms.values()), default=0)
    for part in range(parts):
        sizes = [terms[name][part].total if part < len(terms[name]) else 0 for name in names]
        axes.barh(names, sizes, left=left, color=BARS[part % len(BARS)])
        left = [a + b for a, b in zip(left, sizes, strict=True)]
    if names:
        first = terms[names[0]]
        axes.legend([_part(f.label, lang) for f in first], loc="lower right", frameon=False)
    axes.invert_yaxis()
    return _svg(drawing)


def _part(label: dict[str, str], lang: str) -> str:
    """The part of a theme's figure its label ends with: (public, reviewed)."""
    text = _label(label, lang)
    return text[text.rfind("(") + 1 : -1] if text.endswith(")") else text


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"
