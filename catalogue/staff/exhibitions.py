"""The exhibitions in the workspace: `/staff/exhibitions` (drafts; published ones, upcoming, open
or closed; archived ones), one exhibition's page (why its file cannot be published, publish,
archive, visitors, export as .zip), its preview as the public will get it, and the partners
curators choose from. Everyone reads; curators and administrators change
(`archive.roles.EXHIBITIONS`)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import roles, views
from archive.errors import InvalidInput, NotFound
from catalogue import services
from catalogue.i18n import gettext
from catalogue.pages.exhibitions import exhibition_page
from catalogue.staff.blueprint import blueprint, current_user, requires
from exhibitions import export, lifecycle, partners, publish

_ = gettext
GROUPS = ("draft", "upcoming", "open", "closed", "archived")


def _group(status: lifecycle.Status) -> str:
    return status.when or status.state


@blueprint.get("/exhibitions")
@requires(roles.READ)
def exhibitions() -> str:
    archive = services.archive()
    found = lifecycle.statuses(archive)
    groups: dict[str, list] = {name: [] for name in GROUPS}
    for status in found:
        groups[_group(status)].append(status)
    return render_template(
        "staff/exhibitions.html", groups=groups, views=views.totals(archive, "exhibition")
    )


def _status(slug: str) -> lifecycle.Status:
    try:
        return lifecycle.status(services.archive(), slug)
    except NotFound:
        abort(404)


@blueprint.get("/exhibitions/<slug>")
@requires(roles.READ)
def exhibition(slug: str) -> str:
    archive = services.archive()
    status = _status(slug)
    return render_template(
        "staff/exhibition.html",
        status=status,
        group=_group(status),
        daily=views.by_day(archive, "exhibition", status.slug),
        site=f"{archive.settings['base_url']}/{status.slug}",
    )


def _back(slug: str) -> Response:
    return redirect(url_for("staff.exhibition", slug=slug), code=303)


@blueprint.post("/exhibitions/<slug>/publish")
@requires(roles.EXHIBITIONS)
def exhibition_publish(slug: str) -> Response:
    status = _status(slug)
    if not status.file:
        abort(404)
    path = lifecycle.folder(services.archive()) / status.file
    try:
        lifecycle.publish_file(services.archive(), path, current_user().name)
    except InvalidInput:
        flash(_("Not published: the definition has problems, listed below."))
    else:
        flash(_("Published. The public sees this version now."))
    return _back(slug)


@blueprint.post("/exhibitions/<slug>/archive")
@requires(roles.EXHIBITIONS)
def exhibition_archive(slug: str) -> Response:
    state = publish.PUBLISHED if request.form.get("undo") else publish.ARCHIVED
    try:
        lifecycle.set_state(services.archive(), slug, state, current_user().name)
    except NotFound:
        flash(_("Only a published exhibition can be archived."))
        return _back(slug)
    flash(
        _("Archived: off the public site.") if state == publish.ARCHIVED else _("Published again.")
    )
    return _back(slug)


@blueprint.post("/exhibitions/<slug>/visitors")
@requires(roles.EXHIBITIONS)
def exhibition_visitors(slug: str) -> Response:
    given = request.form.get("visitors", "").strip()
    try:
        count = int(given) if given else None
        lifecycle.set_visitors(services.archive(), slug, count, current_user().name)
    except ValueError:
        flash(_("The count of visitors is a whole number, such as 1200."))
    except InvalidInput:
        flash(_("The count of visitors cannot be negative."))
    except NotFound:
        flash(_("Visitors are counted once the exhibition is published."))
    else:
        flash(_("The count of visitors is saved."))
    return _back(slug)


@blueprint.get("/exhibitions/<slug>/export.zip")
@requires(roles.EXHIBITIONS)
def exhibition_export(slug: str) -> Response:
    """The static site of the version the workspace shows: the draft when it passes its check,
    else the published one."""
    archive = services.archive()
    status = _status(slug)
    if status.exhibition is None or (status.problems and status.published is None):
        abort(404)
    shown = status.exhibition
    if status.problems:
        shown = publish.published_version(status.published)
    base_url = request.args.get("base_url", "").strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        base_url = f"{archive.settings['base_url']}/{slug}"
    with tempfile.TemporaryDirectory(prefix="zip-") as scratch:
        target = export.export_zip(archive, shown, Path(scratch) / f"{slug}.zip", base_url)
        # Sent from the file, a block at a time: an exhibition's site holds every tile of the
        # images it shows, hundreds of megabytes for a large one. The folder goes now; the
        # open file stays readable until it is sent, or the response dropped.
        zipped, size = target.open("rb"), target.stat().st_size
    answer = Response(_blocks(zipped), mimetype="application/zip", direct_passthrough=True)
    answer.content_length = size
    answer.headers.set("Content-Disposition", "inline", filename=f"{slug}.zip")
    return answer


def _blocks(opened: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """The file's bytes a block at a time; closed when read to its end or no longer wanted."""
    with opened:
        while block := opened.read(size):
            yield block


@blueprint.get("/exhibitions/<slug>/preview")
@requires(roles.READ)
def exhibition_preview(slug: str) -> str:
    """The draft's page exactly as the public will get it once published."""
    shown = _previewed(slug)
    return exhibition_page(
        services.archive(), shown, url_for("staff.exhibition_preview_manifest", slug=slug)
    )


@blueprint.get("/exhibitions/<slug>/preview/manifest.json")
@requires(roles.READ)
def exhibition_preview_manifest(slug: str) -> Response:
    archive = services.archive()
    shown = _previewed(slug)
    with services.reading() as session:
        document = publish.exhibition_manifest(archive, session, shown)
    response = Response(_json(document), mimetype="application/ld+json")
    return response


def _previewed(slug: str):
    status = _status(slug)
    if status.exhibition is None:
        abort(404)
    return status.exhibition


def _json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False)


@blueprint.get("/partners")
@requires(roles.READ)
def partners_page() -> str:
    with services.reading() as session:
        found = [(p.id, p.name_vi, p.name_en) for p in partners.listing(session)]
    return render_template("staff/partners.html", partners=found)


@blueprint.post("/partners")
@requires(roles.EXHIBITIONS)
def partner_add() -> Response:
    form = request.form
    try:
        with services.archive().change("partner add", by=current_user().name) as work:
            partners.add(work, form.get("name_vi", ""), form.get("name_en", ""))
    except InvalidInput as error:
        flash(_("Not added: %(reason)s", reason=str(error)))
    else:
        flash(_("Added to the list."))
    return redirect(url_for("staff.partners_page"), code=303)


@blueprint.post("/partners/<int:partner_id>")
@requires(roles.EXHIBITIONS)
def partner_edit(partner_id: int) -> Response:
    form = request.form
    try:
        with services.archive().change("partner edit", by=current_user().name) as work:
            if form.get("remove"):
                partners.remove(work, partner_id)
            else:
                partners.rename(work, partner_id, form.get("name_vi", ""), form.get("name_en", ""))
    except NotFound:
        abort(404)
    except InvalidInput as error:
        flash(_("Not changed: %(reason)s", reason=str(error)))
    else:
        flash(_("The list is changed."))
    return redirect(url_for("staff.partners_page"), code=303)
