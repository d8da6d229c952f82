"""The item editor, `/staff/items/ID`: every descriptive field of an item, its language maps
(title, description) in each language they are written in with "add a language", access and
collection; checked field by field with the checks and words of `archive item set`, each error
shown beside its field, and applied through the unit of work (`archive.items.edit`), so the
history, the audit, the tags, the public page and search follow at once.

The fields are those of the field table people write (`archive.fields.WRITTEN`, as
`archive item set` takes them), in its order, labelled as it labels them, and `collection`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from archive import fields, items, roles
from archive.errors import InvalidInput, NotFound
from archive.models import Collection, Item
from catalogue import services
from catalogue.i18n import gettext
from catalogue.pages.labels import OWN_LANGUAGES, language_label
from catalogue.staff.blueprint import N_, blueprint, current_user, requires
from search_index.folder import IndexLocked

_ = gettext

# The languages offered first when a title or description is given in another: the archive's
# two, then the province's own (catalogue.pages.labels names them).
OFFERED_LANGUAGES = ("vi", "en", *OWN_LANGUAGES, "fr")
LONG = ("description",)  # written in a textarea
MAX_LENGTH = {"description": 20_000}  # characters of a value; any other field: MAX_OTHER
MAX_OTHER = 1_000
# The labels of the fields edited here (archive.fields.FIELDS, in English there), marked for
# the catalogues, which translate them as the table does.
FIELD_LABELS = (
    N_("Type"), N_("Title"), N_("Description"), N_("Date"), N_("Creator"), N_("Place"),
    N_("Latitude"), N_("Longitude"), N_("Subjects"), N_("Usage rights"), N_("Access"),
    N_("Languages"), N_("Collection"),
)  # fmt: skip
MAPPED = tuple(f.name for f in fields.WRITTEN if f.kind == fields.LANGUAGE_MAP)
CHOSEN = tuple(f.name for f in fields.WRITTEN if f.kind == fields.CHOICE)  # type, access
TYPED = tuple(f.name for f in fields.WRITTEN if f.kind not in (fields.LANGUAGE_MAP, fields.CHOICE))


def field_label(name: str) -> str:
    """The field's label in the page's language, as the table gives it."""
    return _("Collection") if name == "collection" else _(fields.BY_NAME[name].label["en"])


HELP = {
    "date": N_("EDTF, such as 1975, 199X, 1975-04, 2023-05-05, 1975? or 1975/1980."),
    "subject": N_("Several, separated by ;"),
    "language": N_("ISO 639-3 codes separated by ;, such as vie; eng; bdq"),
    "rights": N_("A RightsStatements.org or Creative Commons address, in its http:// form."),
    "collection": N_("Its address, such as kon-tum/anh; empty: in no collection."),
}
POSITION = {"latitude", "longitude"}


@dataclass(frozen=True)
class Mapped:
    """A language-mapped field: its value in each language it is written in."""

    name: str
    values: list[tuple[str, str]]  # (language, text)


def form_values(item: Item) -> dict[str, str]:
    """The item's fields as the form writes them (and as `item set` takes them)."""
    values = {}
    for field in fields.WRITTEN:
        value = getattr(item, field.attribute)
        if field.kind == fields.LANGUAGE_MAP:
            values |= {f"{field.name}_{lang}": text for lang, text in value.items()}
        else:
            values[field.name] = "; ".join(value) if field.kind == fields.LIST else _written(value)
    values["collection"] = item.collection.slug if item.collection else ""
    return values


def _written(value: Any) -> str:
    return "" if value is None else str(value)  # a float in full: 14.353456, not 14.3535


def sent(current: dict[str, str]) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The fields the form changed, as `item set` assignments, and what is wrong with each
    (message, its language): the CLI's own words, in English."""
    given = {}
    for name in current:
        if name in request.form:
            given[name] = request.form.get(name, "").replace("\r\n", "\n")
    for key in MAPPED:
        lang, text = request.form.get(f"{key}_add_lang", ""), request.form.get(f"{key}_add", "")
        if text.strip():
            given[f"{key}_{lang}"] = text
    changed = {k: v for k, v in given.items() if v.strip() != current.get(k, "").strip()}
    if POSITION & changed.keys():  # they go together, as `item set` takes them
        changed |= {name: given.get(name, current[name]) for name in POSITION}
    errors: dict[str, tuple[str, str]] = {}
    for name, value in changed.items():
        limit = MAX_LENGTH.get(name.split("_")[0], MAX_OTHER)
        if len(value) > limit:
            errors[name] = (f"{name}: at most {limit} characters, not {len(value)}", "en")
        elif value.strip() and name != "collection":
            checked = {name: value}
            if name in POSITION:
                checked = {other: changed[other] for other in POSITION}
            try:
                fields.describe(checked, "vi")
            except InvalidInput as error:
                if name not in POSITION or str(error).startswith(name) or "together" in str(error):
                    errors[name] = (str(error), "en")
    return changed, errors


def _collection_options() -> Markup:
    """Every collection as an option of the field's list of suggestions, made once until the
    database changes: an archive holds hundreds, and a select of them all made every editor's
    page slower (p50 65 ms, against 51 ms so, at 10,000 items in 531 collections:
    benchmarks/staff.py)."""

    def make() -> Markup:
        with services.reading() as session:
            slugs = session.scalars(select(Collection.slug).order_by(Collection.slug))
            return Markup("").join(Markup('<option value="{}">').format(slug) for slug in slugs)

    return services.remember(("staff.collection_options",), make)


@blueprint.get("/items/<accession_id>")
@requires(roles.READ)
def editor(accession_id: str) -> str:
    return _page(accession_id)[0]


def _page(
    accession_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, tuple[str, str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    with services.reading() as session:
        try:
            item = items.find(session, accession_id)
        except NotFound:
            abort(404)
        current = form_values(item)
        shown = current | (values or {})
        html = render_template(
            "staff/editor.html",
            accession_id=item.accession_id,
            title=dict(item.title),
            access=item.access,
            stamp=item.updated_at.isoformat(),
            values=shown,
            mapped=[_mapped(key, shown) for key in MAPPED],
            single=TYPED,
            chosen=CHOSEN,
            choices={name: fields.BY_NAME[name].choices for name in CHOSEN},
            collection_options=_collection_options(),
            languages=[(code, language_label(code)) for code in OFFERED_LANGUAGES],
            language_label=language_label,
            field_label=field_label,
            help=HELP,
            long=LONG,
            errors=errors or {},
        )
    return html, status


def _mapped(key: str, values: dict[str, str]) -> Mapped:
    """The languages `key` is written in, the archive's and the province's first."""
    order = {code: n for n, code in enumerate(OFFERED_LANGUAGES)}
    written = {
        name[len(key) + 1 :]: text
        for name, text in values.items()
        if name.startswith(f"{key}_") and not name.startswith(f"{key}_add")
    }
    return Mapped(key, sorted(written.items(), key=lambda p: (order.get(p[0], 99), p[0])))


@blueprint.post("/items/<accession_id>")
@requires(roles.ITEMS)
def editor_post(accession_id: str) -> Response | tuple[str, int]:
    user = current_user()
    with services.reading() as session:
        try:
            item = items.find(session, accession_id)
        except NotFound:
            abort(404)
        current, stamp = form_values(item), item.updated_at.isoformat()
        known = set(session.scalars(select(Collection.slug)))
    changed, errors = sent(current)
    if changed.get("collection") and changed["collection"] not in known:
        slug = changed["collection"]
        errors["collection"] = (f"collection {slug!r}: no such collection", "en")
    if any(not user.can(roles.for_field(name)) for name in changed):
        abort(403)
    if request.form.get("stamp") != stamp:
        message = _(
            "Someone changed this item since you opened it. Its fields are shown as they are "
            "now: make your changes again."
        )
        return _page(accession_id, None, {"form": (message, "")}, 409)
    if errors:
        return _page(accession_id, changed, errors, 400)
    return _apply(accession_id, changed, user.name)


def _apply(accession_id: str, changed: dict[str, str], by: str) -> Response | tuple[str, int]:
    archive = services.archive()
    lang = fields.default_lang(archive.settings["languages"])
    try:
        with archive.change("item edit", by=by) as work:
            done = items.edit(work, accession_id, changed, lang)
    except InvalidInput as error:  # what only the whole item can say (a title it must keep)
        name = str(error).split(":")[0]
        key = name if name in changed else "form"
        return _page(accession_id, changed, {key: (str(error), "en")}, 400)
    except IndexLocked:
        flash(_("Saved. The search index was busy: search finds it after the next reindex."))
        done = None
    if done is not None:
        names = ", ".join(name for name, _old, _new in done)
        flash(_("Saved: %(fields)s.", fields=names) if done else _("Nothing to change."))
    return redirect(url_for("staff.editor", accession_id=accession_id), code=303)
