"""An item as simple Dublin Core (`oai_dc`): what OAI-PMH harvesters take, and the `dc.xml`
of a BagIt bag. Public fields only; every language of a title or description is kept, each
with its `xml:lang`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree as ET

from archive.concepts import Concept
from archive.models import Item
from iiif.addresses import item_manifest_id, item_page_url

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
NAMESPACES = {"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}

# the DCMI Type Vocabulary's names for the archive's two kinds of item
DCMI_TYPES = {"photo": "StillImage", "document": "Text"}
# the vocabularies whose terms name what an item is about, in every language they give
SUBJECT_VOCABULARIES = ("convention", "theme")

Vocabularies = Mapping[str, Mapping[str, Concept]]


def element(item: Item, vocabularies: Vocabularies, base_url: str, publisher: dict) -> ET.Element:
    """The `oai_dc:dc` element of a public item (its tags loaded)."""
    location = {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {SCHEMA}"}
    dc = ET.Element(f"{{{OAI_DC}}}dc", location, nsmap=NAMESPACES)
    _languages(dc, "title", item.title)
    if item.creator:
        _add(dc, "creator", item.creator)
    for subject in item.subjects or []:
        _add(dc, "subject", subject)
    for concept in _concepts(item, vocabularies):
        _languages(dc, "subject", concept.pref)
    _languages(dc, "description", item.description)
    _languages(dc, "publisher", publisher)
    if item.date:
        _add(dc, "date", item.date)
    _add(dc, "type", DCMI_TYPES.get(item.type, item.type))
    _add(dc, "identifier", item_page_url(base_url, item.accession_id))
    _add(dc, "identifier", item.accession_id)
    for code in item.languages or []:
        _add(dc, "language", code)
    _add(dc, "relation", item_manifest_id(base_url, item.accession_id))
    if item.collection is not None:
        _add(dc, "relation", f"{base_url}/collections/{item.collection.slug}")
    if item.place:
        _add(dc, "coverage", item.place)
    _add(dc, "rights", item.rights)
    if item.rights_note:
        _add(dc, "rights", item.rights_note)
    return dc


def document(item: Item, vocabularies: Vocabularies, base_url: str, publisher: dict) -> bytes:
    """The same as a standalone XML file (a bag's `dc.xml`)."""
    root = element(item, vocabularies, base_url, publisher)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _concepts(item: Item, vocabularies: Vocabularies) -> list[Concept]:
    found = []
    for tag in sorted(item.tags, key=lambda t: (t.vocabulary, t.term)):
        concept = vocabularies.get(tag.vocabulary, {}).get(tag.term)
        if not tag.removed and tag.vocabulary in SUBJECT_VOCABULARIES and concept is not None:
            found.append(concept)
    return found


def _languages(parent: ET.Element, name: str, values: Mapping[str, str] | None) -> None:
    for lang, text in sorted((values or {}).items()):
        if text:
            _add(parent, name, text, lang)


def _add(parent: ET.Element, name: str, text: str, lang: str | None = None) -> None:
    child = ET.SubElement(parent, f"{{{DC}}}{name}", {XML_LANG: lang} if lang else {})
    child.text = _xml_safe(text)


# XML 1.0 has no place for most control characters: a metadata field pasted from a spreadsheet
# may hold one, and one would make the whole response unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", str(text))
