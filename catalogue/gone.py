"""The answer for an item the public could once see and no longer can (withdrawn, or purged):
410 Gone, with its title, the reason, and the citation it was known by, in the form of the
address asked for (a page, a IIIF or API document, an image). A cited address never just
vanishes."""

from __future__ import annotations

from flask import Response, abort, render_template
from markupsafe import Markup

from archive import withdrawal
from catalogue import services
from catalogue.i18n import Localized, gettext, localized
from catalogue.pages.labels import display_date
from iiif.addresses import item_page_url

_ = gettext


def check(accession_id: str, form: str = "page") -> None:
    """Answer 410 Gone (by raising) when the item is gone from the public; else return, and the
    caller answers 404. `form`: page | json | image."""
    with services.reading() as session:
        found = withdrawal.gone(session, accession_id)
    if found is None:
        return
    abort(_response(found, form))


def _response(found: withdrawal.Gone, form: str) -> Response:
    url = item_page_url(services.archive().settings["base_url"], found.accession_id)
    if form == "page":
        title = localized(found.title, found.accession_id)
        html = render_template(
            "items/gone.html", gone=found, title=title, citation=_citation(found, title, url)
        )
        response = Response(html, status=410, mimetype="text/html")
    elif form == "json":
        document = {
            "error": "gone",
            "id": found.accession_id,
            "title": found.title,
            "date": found.date,
            "reason": found.reason,
            "gone_since": found.at.isoformat() + "Z",
            "url": url,
        }
        response = Response(_dumps(document), status=410, mimetype="application/json")
    else:
        text = f"{found.accession_id} is withdrawn: {found.reason}\n"
        response = Response(text, status=410, mimetype="text/plain")
    response.headers["Access-Control-Allow-Origin"] = "*"  # as the IIIF documents it replaces
    response.cache_control.max_age = 60
    return response


def _citation(found: withdrawal.Gone, title: Localized, url: str) -> Markup:
    """As the item's page cited it (catalogue.pages.items.citation)."""
    settings = services.archive().settings
    name = localized({"vi": settings["publisher_vi"], "en": settings["publisher_en"]})
    return Markup(
        _(
            "%(archive)s, %(id)s, “%(title)s”, %(date)s, %(url)s",
            archive=name.html(),
            id=found.accession_id,
            title=title.html("cite"),
            date=display_date(found.date) or _("undated"),
            url=Markup('<a href="{0}">{0}</a>').format(url),
        )
    )


def _dumps(document: dict) -> str:
    import json

    return json.dumps(document, ensure_ascii=False)
