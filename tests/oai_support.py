"""What the tests of the harvesting endpoints share: items made through the unit of work as a
script would make them, and the official OAI-PMH and `oai_dc` schemas, read from tests/data/oai
(never the network)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from archive import accession, items
from archive.home import Archive
from archive.models import Item

SCHEMAS = Path(__file__).parent / "data" / "oai"
# the official addresses the schemas import each other by, and the copies kept here
LOCAL = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
}
# one schema importing both namespaces: a response's metadata is validated strictly
BOTH = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="oai_dc.xsd"/>
</xs:schema>"""


class _Local(etree.Resolver):
    def resolve(self, url, public_id, context):
        name = LOCAL.get(url) or (Path(url).name if url.startswith(str(SCHEMAS)) else None)
        if name is None:
            raise AssertionError(f"a schema asked for {url}, which is not kept here")
        return self.resolve_filename(str(SCHEMAS / name), context)


def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Local())
    document = etree.fromstring(BOTH, parser, base_url=str(SCHEMAS / "both.xsd"))
    return etree.XMLSchema(document)


def make_items(
    archive: Archive,
    count: int,
    *,
    access: str = "public",
    collection: str | None = None,
    title: str = "Ảnh số {n}",
) -> list[str]:
    """`count` photos in one unit of work (no pages: what is harvested is the description);
    their accession ids."""
    made = []
    with archive.change("test items", by="tester") as work:
        session = work.session
        folder = items.collection(session, collection) if collection else None
        for n in range(count):
            accession_id = accession.next_id(session, "KT", 2026)
            item = Item(
                accession_id=accession_id,
                type="photo",
                content_hash=hashlib.sha256(accession_id.encode()).hexdigest(),
                title={"vi": title.format(n=n), "en": f"Photo {n}"},
                description={"vi": "Mô tả", "en": "A description"},
                date="1975",
                rights="http://rightsstatements.org/vocab/InC/1.0/",
                access=access,
                languages=["vie"],
                collection=folder,
                subjects=["nhà rông"],
                tags=[],
                pages=[],
            )
            session.add(item)
            items.created(work, item)
            made.append(accession_id)
    return made
