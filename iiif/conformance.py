"""Whether a document is valid IIIF Presentation 3.0: the official JSON schema (shipped beside
this module as `schema/iiif_3_0.json`), and the rules of the specification the schema does not
express. iiif-prezi3 builds documents the specification forbids, so everything the archive
publishes is checked here first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from importlib import resources
from typing import Any

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

SCHEMA = resources.files("iiif") / "schema" / "iiif_3_0.json"

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"

# The schema's class for each top-level type; the whole schema (a oneOf of them all) for anything
# else. Checking against the one class names the property at fault instead of "is not valid under
# any of the given schemas".
_CLASSES = {
    "Manifest": "manifest",
    "Collection": "collection",
    "AnnotationCollection": "annotationCollection",
    "AnnotationPage": "annotationPage",
    "Annotation": "annotation",
}
# The Presentation API's own motivations, the Web Annotation ones, and Content Search's.
MOTIVATIONS = frozenset(
    {
        *("painting", "supplementing"),
        *("assessing", "bookmarking", "classifying", "commenting", "describing", "editing"),
        *("highlighting", "identifying", "linking", "moderating", "questioning", "replying"),
        "tagging",
        "contextualizing",
    }
)
# The HTML elements clients keep in a value; they must strip the rest, so it is not published.
HTML_TAGS = frozenset({"a", "b", "br", "i", "img", "p", "small", "span", "sub", "sup"})
_LONGEST_MESSAGE = 300


def problems(document: dict) -> list[str]:
    """Why `document` (a Manifest or Collection) is not valid IIIF Presentation 3.0, each as
    `JSON path: what`: the official schema's errors, and what it misses (a Manifest with no
    Canvas, a motivation spelled `Painting`, a Canvas or Range with empty `items`, an https://
    rights URI, a navDate without a timezone, a navPlace without its context, HTML clients would
    strip, two resources with one id). Empty when it is valid."""
    found = list(dict.fromkeys([*_schema_problems(document), *_spec_problems(document)]))
    return found


# The official schema


@functools.cache
def _validator(kind: str | None) -> Validator:
    """The schema's validator (the draft it declares), compiled once per kind of document."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    if kind is not None:
        schema = {**schema, "oneOf": [{"$ref": f"#/classes/{kind}"}]}
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _schema_problems(document: Any) -> Iterator[str]:
    kind = _CLASSES.get(document.get("type")) if isinstance(document, dict) else None
    for error in _validator(kind).iter_errors(document):
        for leaf in _leaves(error):
            yield f"{leaf.json_path}: {_shorten(leaf.message)}"


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors that say what is wrong. A oneOf/anyOf error only says no branch fitted; the
    branch meant for the value holds the useful ones."""
    if not error.context:
        yield error
        return
    for sub in _closest_branch(error.context):
        yield from _leaves(sub)


def _closest_branch(errors: list[ValidationError]) -> list[ValidationError]:
    """The errors of the branch meant for the value: one whose `type` (and JSON type) fit, with
    the fewest errors; jsonschema's own relevance alone picks a branch for another `type`."""
    branches: dict[Any, list[ValidationError]] = {}
    for error in errors:
        branches.setdefault(error.relative_schema_path[0], []).append(error)

    def distance(branch: list[ValidationError]) -> tuple[bool, int]:
        return any(_wrong_kind(error) for error in branch), len(branch)

    return min(branches.values(), key=distance)


def _wrong_kind(error: ValidationError) -> bool:
    """The value is another kind of thing than the branch describes: another JSON type, or
    another IIIF `type`."""
    path = list(error.relative_path)
    return (error.validator == "type" and not path) or path == ["type"]


def _shorten(message: str) -> str:
    # jsonschema quotes the whole offending value; a Canvas quoted in full helps nobody.
    if len(message) <= _LONGEST_MESSAGE:
        return message
    return message[: _LONGEST_MESSAGE - 1] + "…"


# What the schema misses


def _spec_problems(document: Any) -> Iterator[str]:
    if not isinstance(document, dict):
        return
    yield from _context_problems(document)
    seen: dict[str, str] = {}
    for path, node in _walk(document, "$"):
        yield from _node_problems(path, node)
        yield from _duplicate(path, node, seen)


def _walk(node: Any, path: str) -> Iterator[tuple[str, dict]]:
    """Every JSON object in the document, with its JSON path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _context_problems(document: dict) -> Iterator[str]:
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if not contexts or contexts[-1] != PRESENTATION_CONTEXT:
        yield f"$['@context']: must end with {PRESENTATION_CONTEXT}"
    uses_navplace = any("navPlace" in node for _, node in _walk(document, "$"))
    if uses_navplace and NAVPLACE_CONTEXT not in contexts:
        yield f"$['@context']: navPlace is used, so {NAVPLACE_CONTEXT} must be listed"


def _node_problems(path: str, node: dict) -> Iterator[str]:
    kind = node.get("type")
    items = node.get("items")
    if kind == "Manifest" and items == []:
        yield f"{path}.items: a Manifest must have at least one Canvas"
    if kind == "Canvas" and items == []:
        yield f"{path}.items: a Canvas with empty items shows nothing"
    if kind == "Range" and items == []:
        yield f"{path}.items: a Range must have at least one item"
    if kind == "Annotation" and "motivation" in node:
        yield from _motivation_problems(f"{path}.motivation", node["motivation"])
    if isinstance(node.get("rights"), str):
        yield from _rights_problems(f"{path}.rights", node["rights"])
    if isinstance(node.get("navDate"), str):
        yield from _nav_date_problems(f"{path}.navDate", node["navDate"])
    for key in ("label", "summary", "value"):
        if _is_language_map(node.get(key)):
            yield from _html_problems(f"{path}.{key}", node[key])


def _motivation_problems(path: str, motivation: Any) -> Iterator[str]:
    for value in motivation if isinstance(motivation, list) else [motivation]:
        if not isinstance(value, str) or value in MOTIVATIONS:
            continue
        known = value.lower().removeprefix("sc:").removeprefix("oa:")
        if known in MOTIVATIONS:
            yield f"{path}: {value!r} must be written {known!r}"


def _rights_problems(path: str, rights: str) -> Iterator[str]:
    for host in ("creativecommons.org/", "rightsstatements.org/"):
        if rights.startswith(f"https://{host}") or rights.startswith(f"https://www.{host}"):
            yield f"{path}: {rights!r} must be given in its http://{host} form"


def _nav_date_problems(path: str, value: str) -> Iterator[str]:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        yield f"{path}: {value!r} is not an xsd:dateTime"
        return
    if parsed.tzinfo is None:
        yield f"{path}: {value!r} has no timezone (use Z for UTC)"


def _is_language_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, list) for v in value.values())


def _html_problems(path: str, language_map: dict) -> Iterator[str]:
    for lang, values in language_map.items():
        for index, value in enumerate(values):
            if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
                for fault in _html_faults(value):
                    yield f"{path}[{lang!r}][{index}]: {fault}"


def _duplicate(path: str, node: dict, seen: dict[str, str]) -> Iterator[str]:
    """Two embedded resources with one id are one resource to a client: it shows one of them."""
    embedded = "items" in node or node.get("type") == "Annotation"
    if not embedded or node.get("type") not in ("Canvas", "AnnotationPage", "Annotation", "Range"):
        return
    identifier = node.get("id")
    if not isinstance(identifier, str):
        return
    if identifier in seen:
        yield f"{path}.id: {identifier!r} is also the id of {seen[identifier]}"
    else:
        seen[identifier] = path


class _Html(HTMLParser):
    """Collects what in a value given as HTML could run or load something: elements other than
    the few clients keep, event-handler and style attributes, links that are not http(s) or
    mailto. Clients must strip these; the archive does not publish them. Harmless attributes
    (a link's `title`) are left to clients to drop, as the cookbook's own examples expect."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.faults: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.faults.append(f"HTML <{tag}> is not published (clients must remove it)")
            return
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.faults.append(f"HTML attribute {name!r} of <{tag}> is not published")
            elif name in ("href", "src") and not _safe_link(name, value or ""):
                self.faults.append(f"HTML {name} {value!r} of <{tag}> is not published")

    def handle_comment(self, data: str) -> None:
        self.faults.append("an HTML comment is not published (clients must remove it)")

    def handle_pi(self, data: str) -> None:
        self.faults.append(
            "an XML processing instruction is not published (clients must remove it)"
        )

    def unknown_decl(self, data: str) -> None:
        self.faults.append("a CDATA section is not published (clients must remove it)")


def _safe_link(attribute: str, url: str) -> bool:
    schemes = ("http:", "https:", "mailto:") if attribute == "href" else ("http:", "https:")
    return url.strip().lower().startswith(schemes)


def _html_faults(value: str) -> list[str]:
    parser = _Html()
    parser.feed(value)
    parser.close()
    return parser.faults
