"""A page's images for the workspace, `/staff/images/ID/N/...`: the IIIF image service of the
public catalogue (`catalogue.iiif`), for every item, restricted and withdrawn ones too, to
anyone signed in who may read them; kept by no cache (the blueprint's answers never are), so
that a restricted page never reaches a shared one. The text correction page's viewer reads
them."""

from __future__ import annotations

from flask import Response, abort, jsonify, url_for

from archive import derivatives, public, roles
from catalogue import iiif, services
from catalogue.staff.blueprint import blueprint, requires


def _folder(accession_id: str, number: int):
    """Where the page's images are; 404 for no such page."""
    with services.reading() as session:
        found = public.page_image(session, accession_id, number, public_only=False)
    if found is None:
        abort(404)
    return derivatives.folder(services.archive().home, *found)


def info_url(accession_id: str, number: int) -> str:
    return url_for("staff.page_image_info", accession_id=accession_id, number=number)


@blueprint.get("/images/<accession_id>/<int:number>/info.json")
@requires(roles.READ)
def page_image_info(accession_id: str, number: int) -> Response:
    base_url = services.archive().settings["base_url"]
    service = base_url + info_url(accession_id, number).removesuffix("/info.json")
    info = derivatives.served_info(_folder(accession_id, number), service)
    if info is None:
        abort(404)
    return jsonify(info)


@blueprint.get("/images/<accession_id>/<int:number>/<path:image>")
@requires(roles.READ)
def page_image(accession_id: str, number: int, image: str) -> Response:
    response = iiif.served_image(_folder(accession_id, number), image)
    del response.headers["Expires"]  # the blueprint keeps it from every cache, as no-store
    return response
