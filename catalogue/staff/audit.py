"""The audit trail, `/staff/audit` (filtered by person, action, item and dates, a page at a
time), and an item's history, `/staff/items/ID/history`, where a field is put back to what it
was before a change: a change of its own (`revert`), made and audited like any other. Nothing
here edits or deletes an entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import audit, fields, items, roles
from archive.errors import InvalidInput, NotFound
from archive.models import Item
from catalogue import services
from catalogue.i18n import gettext
from catalogue.pages.forms import clean, whole_number
from catalogue.staff.blueprint import blueprint, current_user, requires
from search_index.folder import IndexLocked

_ = gettext

PER_PAGE = 50
HISTORY_LIMIT = 1000  # entries of one item shown (an item is changed a few dozen times)
FILTER_LENGTH = 200
_UNKNOWN = object()  # a field with no value on the item to compare
_FILTER_NAMES = ("by", "action", "item", "since", "until")


@dataclass
class Filters:
    by: str = ""
    action: str = ""
    item: str = ""
    since: str = ""
    until: str = ""
    errors: dict[str, tuple[str, str]] | None = None  # by field: (message, its language)

    def query(self, **changes: Any) -> dict[str, Any]:
        """The query string of these filters, with `changes` (a page), the empty ones left out."""
        given = {name: getattr(self, name) for name in _FILTER_NAMES}
        return {k: v for k, v in (given | changes).items() if v}


@blueprint.app_template_global()
def audit_value(value: Any) -> str:
    """A value before or after a change, as the workspace shows it."""
    if value is None or value in ("", [], {}):
        return _("(none)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if isinstance(value, dict):
        return " · ".join(_fields(value))
    return str(value)


def _fields(value: dict) -> Iterator[str]:
    """`key: value` of each field of a record (a new item's), its language maps as the audit
    names them (`title_vi`)."""
    for key, item in value.items():
        if isinstance(item, dict):
            yield from (f"{key}_{lang}: {text}" for lang, text in item.items())
        else:
            yield f"{key}: {audit_value(item)}"


@blueprint.get("/audit")
@requires(roles.READ)
def audit_trail() -> tuple[str, int]:
    form = Filters(*(clean(request.args.get(name, ""), FILTER_LENGTH) for name in _FILTER_NAMES))
    days, form.errors = _days(form)
    page = whole_number("page")
    found: list[audit.Entry] = []
    with services.reading() as session:
        if not form.errors:
            found = audit.entries(
                session,
                target=form.item or None,
                by=form.by or None,
                action=form.action or None,
                since=days[0],
                until=days[1],
                limit=PER_PAGE + 1,
                offset=(page - 1) * PER_PAGE,
            )
        actions = audit.actions(session)
    html = render_template(
        "staff/audit.html",
        form=form,
        actions=actions,
        entries=found[:PER_PAGE],
        newer=_page_url(form, page - 1) if page > 1 else None,
        older=_page_url(form, page + 1) if len(found) > PER_PAGE else None,
        page=page,
    )
    return html, 400 if form.errors else 200


def _days(
    form: Filters,
) -> tuple[tuple[datetime | None, datetime | None], dict[str, tuple[str, str]]]:
    """The dates asked for (the last day included), and what is wrong with them."""
    errors: dict[str, tuple[str, str]] = {}
    days: list[datetime | None] = []
    for name in ("since", "until"):
        raw = getattr(form, name)
        try:
            days.append(datetime.strptime(raw, "%Y-%m-%d") if raw else None)
        except ValueError:
            errors[name] = (_("Not a date: write it as YYYY-MM-DD, such as 2026-03-31."), "")
            days.append(None)
    since, until = days
    return (since, until + timedelta(days=1) if until else None), errors


def _page_url(form: Filters, page: int) -> str:
    query = form.query(page=page if page > 1 else None)
    return url_for("staff.audit_trail") + ("?" + urlencode(query) if query else "")


# --- an item's history -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """An entry of an item's history, and whether its field can be put back to its `before`."""

    entry: audit.Entry
    revertible: bool


@blueprint.get("/items/<accession_id>/history")
@requires(roles.READ)
def history(accession_id: str) -> str:
    return _history_page(accession_id)[0]


def _history_page(
    accession_id: str, error: str | None = None, error_lang: str | None = None
) -> tuple[str, int]:
    """The history page, with `error` (in `error_lang` when not the page's) above it."""
    user = current_user()
    with services.reading() as session:
        try:
            item = items.find(session, accession_id)
        except NotFound:
            abort(404)
        found = audit.entries(session, target=item.accession_id, limit=HISTORY_LIMIT)
        lines = [
            Line(entry, _revertible(item, entry) and user.can(roles.for_field(entry.field)))
            for entry in found
            if entry.kind == "item"
        ]
        title, access = dict(item.title), item.access
    html = render_template(
        "staff/history.html",
        accession_id=item.accession_id,
        title=title,
        access=access,
        lines=lines,
        error=error,
        error_lang=error_lang,
    )
    return html, 400 if error else 200


def _revertible(item: Item, entry: audit.Entry) -> bool:
    """Whether the entry's field is one the item editor changes, and is not already back to
    what it was before the entry."""
    field = entry.field
    if field != "collection" and (field == "file" or not fields.is_known_column(field)):
        return False
    current = current_value(item, entry.field)
    return current is not _UNKNOWN and current != entry.before


def current_value(item: Item, field: str) -> Any:
    """The item's value of the field as the audit names it (`title_en`, `date`, ...)."""
    if field == "collection":
        return item.collection.slug if item.collection else None
    mapped = fields.language_field(field, "")
    if mapped:
        key, lang = mapped
        return getattr(item, key).get(lang)
    attribute = items.ATTRIBUTES.get(field)
    return getattr(item, attribute) if attribute else _UNKNOWN


def as_assignment(value: Any) -> str:
    """A value of the audit as `item set` takes it (an empty one clears the field)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


@blueprint.post("/items/<accession_id>/revert")
@requires(roles.ITEMS)
def revert(accession_id: str) -> Response | tuple[str, int]:
    user = current_user()
    archive = services.archive()
    with services.reading() as session:
        try:
            item = items.find(session, accession_id)
        except NotFound:
            abort(404)
        entry = _entry(session, request.form.get("entry", ""), item.accession_id)
        if entry is None or not _revertible(item, entry):
            return _history_page(accession_id, _("This change cannot be put back here."))
    if not user.can(roles.for_field(entry.field)):
        abort(403)
    lang = fields.default_lang(archive.settings["languages"])
    try:
        with archive.change("revert", by=user.name) as work:
            items.edit(work, entry.target, {entry.field: as_assignment(entry.before)}, lang)
    except InvalidInput as error:
        return _history_page(accession_id, str(error), "en")  # in the CLI's own words
    except IndexLocked:
        flash(_("Put back. The search index was busy: search finds it after the next reindex."))
    else:
        flash(_("Put back: %(field)s.", field=entry.field))
    return redirect(url_for("staff.history", accession_id=entry.target), code=303)


def _entry(session, raw: str, accession_id: str) -> audit.Entry | None:
    """The entry the form names, when it is one of this item's."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    found = audit.entry(session, int(raw))
    if found is None or found.kind != "item" or found.target != accession_id:
        return None
    return found
