"""The collections in the workspace: `/staff/collections` (the tree, and a new collection) and
`/staff/collections/SLUG` (its description, a new name, a new place in the tree). Every change
is a unit of work, audited as the same change made with `archive collection` is. A form carries
the version of the description it was opened on: one sent after someone else changed it is
refused (409), so that no one overwrites a change they never saw."""

from __future__ import annotations

import hashlib
import json

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import collections, roles
from archive.errors import InvalidInput, NotFound
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff.blueprint import blueprint, current_user, requires

_ = gettext
LANGUAGES = ("vi", "en")  # the languages the form offers for title and scope
DESCRIBED = [f"{key}_{lang}" for key in collections.MAPPED for lang in LANGUAGES]
DESCRIBED += list(collections.SINGLE)
MAX_FORM_VALUE = 20000


@blueprint.get("/collections")
@requires(roles.READ)
def collections_tree() -> tuple[str, int]:
    return _tree_page({}, {})


def _tree_page(errors: dict, given: dict) -> tuple[str, int]:
    with services.reading() as session:
        branches = collections.tree(session)
    html = render_template(
        "staff/collections.html", tree=branches, errors=errors, given=given, languages=LANGUAGES
    )
    return html, 400 if errors else 200


@blueprint.post("/collections")
@requires(roles.COLLECTIONS)
def collection_create() -> Response | tuple[str, int]:
    form = _form()
    slug = form.get("slug", "").strip().strip("/")
    titles = {lang: form.get(f"title_{lang}", "") for lang in LANGUAGES}
    try:
        with services.archive().change("collection create", by=current_user().name) as work:
            slug = collections.create(work, slug, titles).slug
    except (InvalidInput, NotFound) as error:
        field = "slug" if "title" not in str(error) else "title_vi"
        return _tree_page({field: (str(error), "en")}, form)
    flash(_("Collection %(slug)s created.", slug=slug))
    return redirect(url_for("staff.collection", slug=slug), code=303)


def _form() -> dict[str, str]:
    form = {key: value for key, value in request.form.items() if key != "csrf_token"}
    if any(len(value) > MAX_FORM_VALUE for value in form.values()):
        abort(400)
    return form


def version(record: dict) -> str:
    """What the form was opened on, short: a digest of the collection's whole record."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@blueprint.get("/collections/<path:slug>")
@requires(roles.READ)
def collection(slug: str) -> tuple[str, int]:
    return _collection_page(slug, {}, None)


def _collection_page(slug: str, errors: dict, given: dict | None, status: int = 400):
    with services.reading() as session:
        try:
            found = collections.find(session, slug)
        except NotFound:
            abort(404)
        record = collections.as_dict(session, found)
        places = [
            s for s in _all_slugs(collections.tree(session)) if not _within(s, record["slug"])
        ]
    values = given if given is not None else _values(record)
    html = render_template(
        "staff/collection.html",
        record=record,
        values=values,
        errors=errors,
        version=version(record),
        places=places,
        languages=LANGUAGES,
    )
    return html, status if errors else 200


def _values(record: dict) -> dict[str, str]:
    """The form's fields as the record has them."""
    values = {}
    for key in collections.MAPPED:
        for lang in LANGUAGES:
            values[f"{key}_{lang}"] = record[key].get(lang, "")
    for key in collections.SINGLE:
        values[key] = "" if record[key] is None else str(record[key])
    return values


def _all_slugs(branches) -> list[str]:
    found = []
    for branch in branches:
        found += [branch.slug, *_all_slugs(branch.children)]
    return found


def _within(slug: str, top: str) -> bool:
    return slug == top or slug.startswith(top + "/")


@blueprint.post("/collections/<path:slug>/describe")
@requires(roles.COLLECTIONS)
def collection_describe(slug: str) -> Response | tuple[str, int]:
    form = _form()
    return _changed(
        slug,
        form,
        "collection set",
        lambda work: collections.describe(work, slug, {k: form.get(k, "") for k in DESCRIBED}),
        _("The description is saved."),
    )


@blueprint.post("/collections/<path:slug>/rename")
@requires(roles.COLLECTIONS)
def collection_rename(slug: str) -> Response | tuple[str, int]:
    form = _form()
    return _changed(
        slug,
        form,
        "collection rename",
        lambda work: collections.rename(work, slug, form.get("name", "")),
        _("The collection is renamed."),
        "name",
    )


@blueprint.post("/collections/<path:slug>/move")
@requires(roles.COLLECTIONS)
def collection_move(slug: str) -> Response | tuple[str, int]:
    form = _form()
    return _changed(
        slug,
        form,
        "collection move",
        lambda work: collections.move(work, slug, form.get("parent", "")),
        _("The collection is moved."),
        "parent",
    )


def _changed(slug, form, action, change, done, field=None) -> Response | tuple[str, int]:
    """Make `change` in one unit of work, unless the form is stale; then back to the page."""
    with services.reading() as session:
        try:
            record = collections.as_dict(session, collections.find(session, slug))
        except NotFound:
            abort(404)
    if form.get("version") != version(record):
        message = _("Someone changed this collection after you opened the form. Here it is now.")
        return _collection_page(slug, {"stale": (message, "")}, None, 409)
    try:
        with services.archive().change(action, by=current_user().name) as work:
            result = change(work)
            slug = getattr(result, "slug", slug)
    except InvalidInput as error:
        return _collection_page(slug, {field or _field_of(str(error)): (str(error), "en")}, form)
    flash(done)
    return redirect(url_for("staff.collection", slug=slug), code=303)


def _field_of(message: str) -> str:
    """The form field an error of `collections.describe` is about (its message names it)."""
    named = [name for name in DESCRIBED if message.startswith(name) or f" {name}" in message]
    if named:
        return named[0]
    return "title_vi" if "title" in message else "describe"
