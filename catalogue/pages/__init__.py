"""The public pages, in Vietnamese and English: home, search, an item with its deep-zoom viewer,
the collections, the exhibitions, and the error pages. They read through the public read
service and the search index, so a restricted item is not on any of them: its page is a 404
like an unknown one, and it is in no list, count or facet.

Addresses are stable (they are cited): `/`, `/search`, `/items/ID`, `/collections`,
`/collections/SLUG`, `/exhibitions`, `/exhibitions/SLUG`. A parameter that makes no sense (a
page number that is not one, an unknown sort or filter) is ignored, never an error.

Pages are cacheable for a minute (`public, max-age=60`, `Vary: Cookie`: the language can come
from the cookie) with an ETag; the stylesheet, the script and the viewer are cacheable for a
year, their addresses carrying a hash of their content so that a change is fetched at once.

One blueprint, `pages` (blueprint.py), to which each page family adds its routes: home, search,
items, collections, exhibitions, and assets (the viewer's files). What they share: labels (what
values are called in the page's language), cards (an item in a list), forms (the query string).
"""

from __future__ import annotations

from typing import Any

from flask.blueprints import BlueprintSetupState

from catalogue import services
from catalogue.i18n import localized

# importing a page family adds its routes to the blueprint
from catalogue.pages import assets, collections, exhibitions, home, items, search  # noqa: F401
from catalogue.pages.assets import ASSET_MAX_AGE, address, asset_url, viewer_url
from catalogue.pages.blueprint import blueprint
from catalogue.pages.exhibitions import exhibition_dates
from catalogue.pages.labels import decade_label, number, text_source_label, type_label

__all__ = ["blueprint"]


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    # Flask's own static route (catalogue/static) answers with ETags; this makes it cacheable
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ASSET_MAX_AGE
    helpers = (
        address,
        asset_url,
        viewer_url,
        number,
        type_label,
        decade_label,
        exhibition_dates,
        text_source_label,
    )
    for helper in helpers:
        app.add_template_global(helper)
    app.context_processor(_site)


def _site() -> dict[str, Any]:
    """What every page shows of the archive itself."""
    settings = services.archive().settings
    return {
        "site_name": localized({"vi": settings["publisher_vi"], "en": settings["publisher_en"]}),
        "base_url": settings["base_url"],
    }
