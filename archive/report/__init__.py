"""A plan's progress report: sections 1–6 of the plan (digitised, online, languages, themes,
exhibitions, use of the catalogue), each figure given for every period (quarters or years, from
accession and change dates) with its definition in Vietnamese and English. What `archive report`
prints, `/staff/report` shows and `/api/stats` gives (public items alone).

Figures of holdings are counts as at the end of each period; figures of activity (exhibitions,
use) are counts within it. Each figure that counts items names its `key`, whose items
`members` lists, so that every count can be checked item by item."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from archive.report import data as report_data
from archive.report.data import Holdings
from archive.report.definitions import ROUTES, SECTIONS, THEME_PARTS
from archive.report.exhibitions import exhibition_rows, exhibitions_figures
from archive.report.figures import Counter, Figure, Report, Section
from archive.report.ledger import Ledger
from archive.report.periods import Period, months, split
from archive.report.plan import Plan

__all__ = ["Figure", "Report", "Section", "build"]

USE_ROUTES = tuple(ROUTES)


def build(
    session: Session,
    plan: Plan,
    vocabularies: dict,
    start: date | None = None,
    end: date | None = None,
    by: str = "quarter",
    public_only: bool = False,
) -> Report:
    """The report of `plan` from `start` to `end` (the plan's own period by default), by quarter
    or year; `public_only` counts public items alone and leaves restricted figures out."""
    start, end = start or plan.start, end or plan.end
    periods = split(start, end, by)
    names = [themes.vocabulary for themes in plan.themes]
    holdings = report_data.read(session, names, public_only)
    counter = Counter(Ledger(), periods, Period("", start, end))
    _enter(counter.ledger, holdings, plan)
    makers = {
        "digitised": lambda: _digitised(counter, holdings, plan),
        "online": lambda: _online(counter, plan),
        "languages": lambda: _languages(counter, plan),
        "themes": lambda: _themes(counter, plan, vocabularies, public_only),
        "exhibitions": lambda: _exhibitions(session, counter, holdings, public_only),
        "use": lambda: _use(session, counter),
    }
    sections = [Section(name, dict(SECTIONS[name]), *makers[name]()) for name in plan.sections]
    generated = datetime.now(UTC).replace(microsecond=0)
    return Report(plan, start, end, by, periods, sections, generated, public_only, counter.ledger)


# ---------------------------------------------------------------------------------------------
# The ledger: every item's events


def _enter(ledger: Ledger, holdings: Holdings, plan: Plan) -> None:
    counted = _counted_collections(holdings)
    known: dict = {}
    for item in holdings.items.values():
        ledger.add("catalogued", item.created_at, item.id)
        top = counted.get(item.collection_id)
        if top is not None:
            ledger.add(f"collection.items:{top}", item.created_at, item.id)
            ledger.add(f"collection.pages:{top}", item.created_at, item.id, item.pages)
            ledger.add("digitised.items", item.created_at, item.id)
        _enter_online(ledger, item, holdings.public_log.get(item.accession_id, []))
        _enter_languages(ledger, item, plan, known)
    for tag in holdings.tags:
        item = holdings.items[tag.item]
        part = ("public" if item.shown else "restricted") + (
            ".reviewed" if tag.reviewed else ".automatic"
        )
        key = f"theme:{tag.vocabulary}:{tag.term}:{part}"
        ledger.add(key, max(item.created_at, tag.at), item.id)


def _counted_collections(holdings: Holdings) -> dict[int | None, str]:
    """Collection id -> the slug of the collection with an extent it is counted in: the
    highest with an extent on its path (one below it is not counted again)."""
    with_extent = {c.slug for c in holdings.collections if c.extent_units or c.extent_metres}
    found: dict[int | None, str] = {}
    for collection in holdings.collections:
        parts = collection.slug.split("/")
        paths = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        top = next((path for path in paths if path in with_extent), None)
        if top is not None:
            found[collection.id] = top
    return found


def _enter_online(ledger: Ledger, item, log: list[tuple[datetime, bool]]) -> None:
    """An item with pages is online from each time it was made public until it left."""
    if not item.pages:
        return
    if not log and item.shown:  # public from before the log was kept
        log = [(item.created_at, True)]
    public = False
    for at, now_public in log:
        if now_public != public:
            ledger.add("online", at, item.id, 1 if now_public else -1)
            public = now_public


def _enter_languages(ledger: Ledger, item, plan: Plan, known: dict) -> None:
    """The language figures the item counts in: worked out once per combination of languages
    (an archive has few), kept in `known`."""
    combination = (tuple(item.languages), frozenset(item.described_in))
    keys = known.get(combination)
    if keys is None:
        keys = known[combination] = _language_keys(item, plan)
    for key in keys:
        ledger.add(key, item.created_at, item.id)


def _language_keys(item, plan: Plan) -> list[str]:
    material = {plan.language_class(code) for code in item.languages} - {None}
    described = {plan.language_class(code) for code in item.described_in} - {None}
    either = material | described
    keys = [f"language.material:{name}" for name in material]
    keys += [f"language.description:{name}" for name in described]
    keys += [f"language.either:{name}" for name in either]
    if len(either) == 1:
        keys.append(f"language.only:{next(iter(either))}")
    if not item.languages:
        keys.append("language.unknown")
    target = plan.language_target
    if target is not None and either & set(target.classes):
        keys.append("language.target")
    return keys


# ---------------------------------------------------------------------------------------------
# The sections: (figures, rows)


TOTAL = {"vi": "Tổng", "en": "Total"}


def _digitised(counter: Counter, holdings: Holdings, plan: Plan):
    figures = [
        counter.stock("catalogued", "catalogued"),
        counter.flow("accessioned", "accessioned", key="catalogued"),
    ]
    band = plan.targets.get("digitised")
    counted = set(_counted_collections(holdings).values())
    units = metres = 0.0
    for collection in holdings.collections:
        if collection.slug in counted:
            figures += _collection(counter, collection, band)
            units += collection.extent_units or 0
            metres += collection.extent_metres or 0
    total = counter.stock("digitised.items", "collection.items", names=TOTAL)
    extent = counter.constant("digitised.units", "collection.units", "units", units, TOTAL)
    figures += [total, extent]
    figures.append(counter.share("digitised.share", "digitised.share", total, extent, band=band))
    if metres:
        figures.append(
            counter.constant("digitised.metres", "collection.metres", "metres", metres, TOTAL)
        )
    return figures, []


def _collection(counter: Counter, collection, band) -> list[Figure]:
    """Items and pages digitised in a collection with an extent, the extent and the share."""
    slug, names = collection.slug, dict(collection.title) or {"vi": collection.slug}
    items = counter.stock(f"collection.items:{slug}", "collection.items", names=names)
    pages = counter.stock(f"collection.pages:{slug}", "collection.pages", "pages", names=names)
    found = [items, pages]
    if collection.extent_units:
        fid, units = f"collection.units:{slug}", collection.extent_units
        extent = counter.constant(fid, "collection.units", "units", units, names)
        fid = f"collection.share:{slug}"
        found += [extent, counter.share(fid, "collection.share", items, extent, names, band)]
    if collection.extent_metres:
        fid, metres = f"collection.metres:{slug}", collection.extent_metres
        found.append(counter.constant(fid, "collection.metres", "metres", metres, names))
    return found


def _online(counter: Counter, plan: Plan):
    catalogued = counter.stock("catalogued", "catalogued")
    online = counter.stock("online", "online")
    band = plan.targets.get("online")
    share = counter.share("online.share", "online.share", online, catalogued, band=band)
    return [online, share], []


def _languages(counter: Counter, plan: Plan):
    figures = []
    for language_class in plan.classes:
        names, name = language_class.label, language_class.id
        for basis in ("material", "description", "either"):
            kind = f"language.{basis}"
            figures.append(counter.stock(f"{kind}:{name}", kind, names=names))
    first = plan.classes[0]
    figures.append(counter.stock(f"language.only:{first.id}", "language.only", names=first.label))
    figures.append(counter.stock("language.unknown", "language.unknown"))
    target = plan.language_target
    if target is not None:
        products = counter.stock("language.target", "language.either", names=target.label)
        catalogued = counter.stock("catalogued", "catalogued")
        share = counter.share(
            "language.share", "language.target", products, catalogued, target.label, target.band
        )
        figures.append(share)
    return figures, []


def _themes(counter: Counter, plan: Plan, vocabularies: dict, public_only: bool):
    figures = []
    parts = [p for p in THEME_PARTS if not (public_only and p.startswith("restricted"))]
    for themes in plan.themes:
        concepts = vocabularies.get(themes.vocabulary, {})
        for term in themes.terms or tuple(concepts):
            concept = concepts.get(term)
            pref = dict(concept.pref) if concept is not None else {"vi": term}
            for part in parts:
                names = {
                    lang: f"{term} – {pref.get(lang) or pref['vi']} ({THEME_PARTS[part][lang]})"
                    for lang in ("vi", "en")
                }
                key = f"theme:{themes.vocabulary}:{term}:{part}"
                figures.append(counter.stock(key, "theme", names=names))
    return figures, []


def _exhibitions(session: Session, counter: Counter, holdings: Holdings, public_only: bool):
    rows = exhibition_rows(session, holdings, counter.whole, public_only)
    return exhibitions_figures(counter, rows, session), rows


def _use(session: Session, counter: Counter):
    whole = counter.whole
    by_month: dict[tuple[str, str], int] = {}
    counts = report_data.daily_counts(session, USE_ROUTES, whole.start, whole.end)
    for day, route, _key, count in counts:
        at = datetime.combine(day, datetime.min.time())
        counter.ledger.add(f"use:{route}", at, 0, count)
        month = f"{day:%Y-%m}"
        by_month[(month, route)] = by_month.get((month, route), 0) + count
    figures = [
        counter.flow(f"use:{route}", "use", "views", names=ROUTES[route]) for route in USE_ROUTES
    ]
    for figure in figures:
        figure.key = None  # counts of requests, not of items
    rows = [
        {"month": m.label, **{route: by_month.get((m.label, route), 0) for route in USE_ROUTES}}
        for m in months(whole.start, whole.end)
    ]
    return figures, rows
