"""The web addresses of what the archive publishes, under its `base_url` (no trailing slash).
Stable: they are cited in publications and kept by harvesters."""

from __future__ import annotations


def item_page_url(base_url: str, accession_id: str) -> str:
    return f"{base_url}/items/{accession_id}"


def item_manifest_id(base_url: str, accession_id: str) -> str:
    return f"{base_url}/iiif/items/{accession_id}/manifest.json"


def exhibition_manifest_id(base_url: str, slug: str) -> str:
    return f"{base_url}/iiif/exhibitions/{slug}/manifest.json"


def collection_id(base_url: str, name: str) -> str:
    return f"{base_url}/iiif/collections/{name}.json"


def search_url(base_url: str, accession_id: str) -> str:
    return f"{base_url}/iiif/search/{accession_id}"


def image_service(base_url: str, accession_id: str, number: int) -> str:
    """The id of the image service of page `number` of an item (its info.json is below it)."""
    return f"{base_url}/iiif/images/{accession_id}/{number}"
