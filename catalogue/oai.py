"""OAI-PMH 2.0 at `/oai`: what library aggregators and national portals harvest. Read-only and
public-only: an item is given while it is public, reported deleted (`deletedRecord` =
`persistent`) once it was withdrawn or made restricted, and a restricted item that was never
public appears in no response. Datestamps are those of the log of public changes
(`archive.published`); the protocol's rules are in `catalogue.oai_protocol`, the sets in
`catalogue.oai_sets`, the records in `archive.dublin_core`."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request
from lxml import etree as ET
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from archive import dublin_core, published
from archive.home import Archive
from archive.models import Item, PublicChange, Tag
from archive.public import PUBLIC
from catalogue import oai_sets, services
from catalogue.oai_protocol import (
    GRANULARITY,
    TOKEN_SECONDS,
    Harvest,
    OaiError,
    Tokens,
    arguments,
    format_of,
    harvest,
    stamp,
    window,
)

blueprint = Blueprint("oai", __name__)

OAI = "http://www.openarchives.org/OAI/2.0/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI = dublin_core.XSI
# records a list response gives: ~0.1 s of work each page, and few round trips for a harvest
PAGE_RECORDS, PAGE_IDENTIFIERS = 500, 2000


def _tag(name: str) -> str:
    return f"{{{OAI}}}{name}"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes) -> ET.Element:
    child = ET.SubElement(parent, _tag(name), attributes)
    child.text = text
    return child


@blueprint.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    values = request.form if request.method == "POST" else request.args
    archive = services.archive()
    base = archive.settings["base_url"]
    location = {f"{{{XSI}}}schemaLocation": f"{OAI} {SCHEMA}"}
    root = ET.Element(_tag("OAI-PMH"), location, nsmap={None: OAI, "xsi": XSI})
    _sub(root, "responseDate", stamp(datetime.now(UTC)))
    asked = _sub(root, "request", f"{base}/oai")
    try:
        verb, given = arguments({key: values.getlist(key) for key in values})
        asked.attrib.update({"verb": verb, **given})
        with services.reading() as session:
            VIEWS[verb](Oai(archive, session, root), given)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            asked.attrib.clear()  # the request is echoed only when it was a valid one
        del root[2:]
        _sub(root, "error", error.message, code=error.code)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type="text/xml; charset=utf-8")


class Oai:
    """One request's answer being built: the archive, a session and the response's root."""

    def __init__(self, archive: Archive, session: Session, root: ET.Element):
        self.archive, self.session, self.root = archive, session, root
        self.base = archive.settings["base_url"]
        self.prefix = f"oai:{urlsplit(self.base).hostname}:"
        lifetime = current_app.config.get("OAI_TOKEN_SECONDS", TOKEN_SECONDS)
        self.tokens = Tokens(current_app.secret_key, lifetime)

    def identifier(self, accession_id: str) -> str:
        return self.prefix + accession_id

    def accession(self, identifier: str) -> str:
        if not identifier.startswith(self.prefix):
            raise OaiError("idDoesNotExist", "no record has this identifier")
        return identifier[len(self.prefix) :]

    def known(self, identifier: str) -> PublicChange:
        """The latest public state of a record; idDoesNotExist for one never public."""
        found = published.state(self.session, published.ITEM, self.accession(identifier))
        if found is None:
            raise OaiError("idDoesNotExist", "no record has this identifier")
        return found

    def header(self, parent: ET.Element, change: PublicChange, sets: list[str]) -> None:
        deleted = {"status": "deleted"} if change.activity == "delete" else {}
        header = _sub(parent, "header", **deleted)
        _sub(header, "identifier", self.identifier(change.target))
        _sub(header, "datestamp", stamp(change.at))
        for spec in sets:
            _sub(header, "setSpec", spec)

    def record(self, parent: ET.Element, change: PublicChange, item: Item | None, sets) -> None:
        record = _sub(parent, "record")
        self.header(record, change, sets.get(change.target, []) if item else [])
        if change.activity != "delete" and item is not None:
            metadata = _sub(record, "metadata")
            metadata.append(dublin_core.element(item, self.vocabularies, self.base, self.publisher))

    @property
    def vocabularies(self):
        return self.archive.vocabularies

    @property
    def publisher(self) -> dict[str, str]:
        settings = self.archive.settings
        return {"vi": settings["publisher_vi"], "en": settings["publisher_en"]}

    def items(self, changes: list[PublicChange]) -> dict[str, Item]:
        """The public items of `changes`, with their collection and the tags their records
        and headers name (read apart, as plain rows: the other vocabularies' tags are many)."""
        wanted = [c.target for c in changes if c.activity != "delete"]
        if not wanted:
            return {}
        query = (
            select(Item)
            .where(Item.accession_id.in_(wanted), PUBLIC)
            .options(joinedload(Item.collection), defer(Item.technical))
        )
        found = {item.id: item for item in self.session.scalars(query)}
        tags: dict[int, list[Tag]] = {key: [] for key in found}
        named = select(Tag).where(
            Tag.item_id.in_(list(found)),
            Tag.vocabulary.in_(dublin_core.SUBJECT_VOCABULARIES),
            ~Tag.removed,
        )
        for tag in self.session.scalars(named):
            tags[tag.item_id].append(tag)
        for key, item in found.items():
            set_committed_value(item, "tags", tags[key])
        return {item.accession_id: item for item in found.values()}


def identify(oai: Oai, given: dict[str, str]) -> None:
    settings = oai.archive.settings
    answer = _sub(oai.root, "Identify")
    _sub(answer, "repositoryName", f"{settings['publisher_vi']} / {settings['publisher_en']}")
    _sub(answer, "baseURL", f"{oai.base}/oai")
    _sub(answer, "protocolVersion", "2.0")
    _sub(answer, "adminEmail", settings["admin_email"])
    earliest = published.earliest(oai.session, published.ITEM) or datetime.now(UTC)
    _sub(answer, "earliestDatestamp", stamp(earliest))
    _sub(answer, "deletedRecord", "persistent")
    _sub(answer, "granularity", GRANULARITY)


def list_metadata_formats(oai: Oai, given: dict[str, str]) -> None:
    if "identifier" in given:
        oai.known(given["identifier"])
    answer = _sub(oai.root, "ListMetadataFormats")
    format_ = _sub(answer, "metadataFormat")
    _sub(format_, "metadataPrefix", "oai_dc")
    _sub(format_, "schema", dublin_core.SCHEMA)
    _sub(format_, "metadataNamespace", dublin_core.OAI_DC)


def list_sets(oai: Oai, given: dict[str, str]) -> None:
    if "resumptionToken" in given:
        raise OaiError("badResumptionToken", "ListSets is answered whole, with no token")
    answer = _sub(oai.root, "ListSets")
    for found in oai_sets.listed(oai.archive, oai.session):
        entry = _sub(answer, "set")
        _sub(entry, "setSpec", found.spec)
        name = found.name.get("en") or found.name.get("vi") or found.spec
        _sub(entry, "setName", name)
        description = _sub(entry, "setDescription")
        dc = ET.SubElement(description, f"{{{dublin_core.OAI_DC}}}dc", nsmap=dublin_core.NAMESPACES)
        for lang, text in sorted(found.name.items()):
            title = ET.SubElement(dc, f"{{{dublin_core.DC}}}title", {dublin_core.XML_LANG: lang})
            title.text = text


def get_record(oai: Oai, given: dict[str, str]) -> None:
    format_of(given["metadataPrefix"])
    change = oai.known(given["identifier"])
    items = oai.items([change])
    sets = oai_sets.of_items(oai.archive, list(items.values()))
    oai.record(_sub(oai.root, "GetRecord"), change, items.get(change.target), sets)


def list_records(oai: Oai, given: dict[str, str]) -> None:
    """ListRecords and ListIdentifiers: a page of the latest states, in the order they last
    changed, and a token to the next page when there is one."""
    asked = _asked(oai, given)
    within = None
    if asked.set is not None:
        within = oai_sets.members(oai.archive, asked.set)
        if within is None:
            raise OaiError("noRecordsMatch", f"no set {asked.set}")
    since, before = window(asked)
    span = published.Window(asked.after, since, before)
    size = PAGE_RECORDS if asked.verb == "ListRecords" else PAGE_IDENTIFIERS
    changes = published.latest(oai.session, published.ITEM, span, size + 1, within)
    if not changes and asked.cursor == 0:
        raise OaiError("noRecordsMatch", "no record matches these arguments")
    more, changes = len(changes) > size, changes[:size]
    items = oai.items(changes)
    sets = oai_sets.of_items(oai.archive, list(items.values()))
    answer = _sub(oai.root, asked.verb)
    for change in changes:
        if asked.verb == "ListRecords":
            oai.record(answer, change, items.get(change.target), sets)
        else:
            oai.header(
                answer, change, sets.get(change.target, []) if change.target in items else []
            )
    total = published.count(oai.session, published.ITEM, span, within)
    _token(oai, answer, asked, changes, more, total)


def _asked(oai: Oai, given: dict[str, str]) -> Harvest:
    verb = oai.root.find(_tag("request")).get("verb")
    if "resumptionToken" in given:
        return oai.tokens.read(given["resumptionToken"], verb)
    return harvest(verb, given)


def _token(oai: Oai, answer, asked: Harvest, changes, more: bool, total: int) -> None:
    if not more and asked.cursor == 0:
        return  # the whole list in one response: no token
    attributes = {"completeListSize": str(total), "cursor": str(asked.cursor)}
    if more:
        following = asked.next(changes[-1].id, len(changes))
        attributes["expirationDate"] = oai.tokens.expires()
        _sub(answer, "resumptionToken", oai.tokens.make(following), **attributes)
    else:
        _sub(answer, "resumptionToken", None, **attributes)  # the last page: an empty token


VIEWS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_records,
    "ListRecords": list_records,
}
