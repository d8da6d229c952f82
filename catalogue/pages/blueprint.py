"""The blueprint the page modules add their routes to, and what all its pages share: they are
cacheable for a minute, those costly to make are kept until the database changes, and an error
is a page in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import HTTPException

from catalogue import services
from catalogue.i18n import gettext

_ = gettext

blueprint = Blueprint("pages", __name__, template_folder=Path(__file__).parent.parent / "templates")
PAGE_MAX_AGE = 60  # seconds: an archivist's correction shows within a minute


def kept_page(key: tuple, make: Callable[[], str]) -> Response:
    """The page `make()` gives, kept (compressed) until the database next changes; sent
    compressed to a client that accepts gzip, as every browser does."""
    page = services.remember_page(key, make)
    if request.accept_encodings.quality("gzip") > 0:
        response = Response(page.gzipped, mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(page.html(), mimetype="text/html")
    response.vary.add("Accept-Encoding")
    return response


@blueprint.after_request
def _cacheable(response: Response) -> Response:
    response.vary.add("Cookie")  # the same address answers in the language of the cookie
    if response.status_code != 200 or response.mimetype != "text/html":
        return response
    if not response.cache_control.private:
        response.cache_control.public = True
        response.cache_control.max_age = PAGE_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def _machine_read() -> bool:
    """Errors of the addresses programs read (IIIF, the JSON API) keep their own form."""
    return request.path.startswith(("/iiif/", "/api/"))


@blueprint.app_errorhandler(HTTPException)
def error_page(error: HTTPException):
    if _machine_read() or error.code is None or error.code < 400:
        return error.get_response()
    messages = {
        400: (_("Bad request"), _("The address asks for something this catalogue cannot read.")),
        404: (
            _("Page not found"),
            _("There is no public page at this address. It may have been mistyped."),
        ),
        405: (_("Method not allowed"), _("This address cannot be used that way.")),
    }
    title, message = messages.get(
        error.code, (_("Something went wrong"), _("Please try again later."))
    )
    response = Response(
        render_template("error.html", code=error.code, title=title, message=message),
        status=error.code,
        mimetype="text/html",
    )
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    response.vary.add("Cookie")
    return response
