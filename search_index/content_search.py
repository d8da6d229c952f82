"""IIIF Content Search answers inside one item, 2.0 and 1.0, built from its OCR words with no I/O.

An item's manifest advertises both versions (Mirador 3 and 4 find only 1.0, Universal Viewer
either): 2.0 at `{base}/iiif/search/{accession}` and `…/autocomplete`, 1.0 at `…/v1` and
`…/v1/autocomplete`. A web route calls `search` and `autocomplete` with the request's `q`, `page`
(from 0: the `page` parameter of the URLs in `next` and `prev`), `motivation` and parameter
names, and sends back the dict as JSON.

A 2.0 answer lists in `items` the matching annotations themselves: the words of the item's text,
with the `supplementing` motivation the manifest publishes the text with; the match's context
(`contextualizing`) goes in `annotations`. `motivation` (space-separated terms, any of which may
match) filters them: a request that names motivations without `supplementing` finds nothing, as
the item has no other annotations. 1.0 answers are as Mirador and Universal Viewer read them, and
ignore `motivation`.

What `q` means here is what a reader means in a viewer's search box, a find-in-page: each quoted
part is one phrase, and so is each run of words outside quotes, so `quyen con nguoi` finds the
phrase `quyền con người` (Vietnamese writes one word as several syllables: searched one by one,
`con` and `người` would light up half the page). Words match folded, as in the catalogue
(`within.locate`). A query with no words, an odd number of `"`, more than MAX_QUERY characters,
more than MAX_PHRASE words in a phrase, more than MAX_PHRASES phrases or a word longer than
MAX_WORD characters gives an empty answer: never an exception, and never the matches of a query
cut short, which the parser would otherwise make of it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlencode

from search_index.analysis import WORD, fold, nfc, tokens
from search_index.query import MAX_CLAUSES as MAX_PHRASES
from search_index.query import MAX_PHRASE, MAX_WORD
from search_index.within import locate

SEARCH_2_CONTEXT = "http://iiif.io/api/search/2/context.json"
SEARCH_1_CONTEXT = "http://iiif.io/api/search/1/context.json"
PRESENTATION_2_CONTEXT = "http://iiif.io/api/presentation/2/context.json"

MAX_QUERY = 200  # characters of `q`
CONTEXT_WORDS = 6  # words shown before and after a match
# The motivation of the item's text annotations, as the manifest publishes them.
TEXT_MOTIVATION = "supplementing"
# Parameters the specs define that these answers do not apply; named in `ignored`, as required.
IGNORED = {2: ("date", "user"), 1: ("motivation", "date", "user")}
IGNORED_BY_AUTOCOMPLETE = {version: (*names, "min") for version, names in IGNORED.items()}

Box = tuple[int, int, int, int]
Pages = Sequence[tuple[int, list[list]]]
_PARTS = re.compile(r'"([^"]*)"|([^"]+)')


@dataclass(frozen=True)
class Segment:
    """The words of a match that stand on one line: one highlighted box."""

    first: int  # index of its first OCR word on the page
    last: int
    text: str
    box: Box


@dataclass(frozen=True)
class Match:
    page: int
    segments: tuple[Segment, ...]
    before: str  # the words before it on the page, ending with a space ("" at the start)
    after: str  # the words after it, starting with a space

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)


# ---------------------------------------------------------------------------------------------
# Addresses


def _service(base: str, accession: str, version: int, *, autocomplete: bool = False) -> str:
    if version not in (1, 2):
        raise ValueError(f"IIIF Content Search has versions 1 and 2, not {version!r}")
    url = f"{base.rstrip('/')}/iiif/search/{quote(accession, safe='')}"
    url += "/v1" if version == 1 else ""
    return url + "/autocomplete" if autocomplete else url


def _request(service: str, q: str, page: int = 0, motivation: str | None = None) -> str:
    """The URL that asks `service` for `q` (its first page without a `page` parameter)."""
    params: dict = {"q": q}
    if motivation:
        params["motivation"] = motivation
    if page:
        params["page"] = page
    # A lone surrogate cannot be written in UTF-8: it becomes "?" rather than an exception.
    return f"{service}?{urlencode(params, errors='replace')}"


def _canvas(base: str, accession: str, page: int) -> str:
    return f"{base.rstrip('/')}/iiif/items/{quote(accession, safe='')}/canvas/{page}"


def _target(canvas: str, box: Box) -> str:
    return f"{canvas}#xywh={','.join(map(str, box))}"


def _annotation_id(canvas: str, segment: Segment) -> str:
    # Named after the words it covers, not the query, so a word keeps its id across searches.
    return f"{canvas}/words/{segment.first}-{segment.last}"


def _ignored(received: Iterable[str], unsupported: tuple[str, ...]) -> list[str]:
    return [name for name in dict.fromkeys(received) if name in unsupported]


def _text_wanted(motivation: str | None) -> bool:
    """Whether annotations of the item's text answer a request for `motivation` (none, or
    space-separated terms of which any may match)."""
    terms = (motivation or "").split() if isinstance(motivation, str) else []
    return not terms or TEXT_MOTIVATION in terms


# ---------------------------------------------------------------------------------------------
# Finding the matches


def _phrases(q: str) -> list[list[str]] | None:
    """The phrases of `q` as lists of words; None when `q` is malformed or too long."""
    if len(q) > MAX_QUERY or q.count('"') % 2:
        return None
    phrases = [tokens(quoted or plain) for quoted, plain in _PARTS.findall(q)]
    phrases = [words for words in phrases if words]
    too_long = any(len(p) > MAX_PHRASE or any(len(w) > MAX_WORD for w in p) for p in phrases)
    if not phrases or too_long or len(phrases) > MAX_PHRASES:
        return None
    return phrases


def _same_line(previous: Sequence[float], box: Sequence[float]) -> bool:
    """Whether `box` follows `previous` on its line: it starts further right and the two
    overlap by at least half the smaller height (a line break goes back left and down)."""
    px, py, _, ph = previous
    x, y, _, h = box
    overlap = min(py + ph, y + h) - max(py, y)
    return x >= px and overlap >= min(ph, h) / 2


def _union(boxes: Sequence[Sequence[float]]) -> Box:
    """The smallest box in whole pixels holding `boxes` (PDF text boxes may be fractional)."""
    left = math.floor(min(b[0] for b in boxes))
    top = math.floor(min(b[1] for b in boxes))
    right = math.ceil(max(b[0] + b[2] for b in boxes))
    bottom = math.ceil(max(b[1] + b[3] for b in boxes))
    return left, top, right - left, bottom - top


def _segments(indexes: list[int], boxes: list[list], texts: list[str]) -> tuple[Segment, ...]:
    """A match's words cut into lines, each line one box.

    Rule: consecutive words on the same line share one box (their union); a phrase broken over
    two lines gets two boxes. One box per word would draw a phrase as separate rectangles with
    gaps, and one union box for the whole match would, across a line break, cover both lines
    from margin to margin. Mirador draws every box of a hit and zooms to all of them, and the
    specs let a hit (1.0) or a contextualizing annotation (2.0) name several annotations.
    """
    lines: list[list[int]] = []
    for position, box in enumerate(boxes):
        if lines and _same_line(boxes[position - 1], box):
            lines[-1].append(position)
        else:
            lines.append([position])
    return tuple(
        Segment(
            first=indexes[line[0]],
            last=indexes[line[-1]],
            text=" ".join(texts[indexes[p]] for p in line),
            box=_union([boxes[p] for p in line]),
        )
        for line in lines
    )


def _context(texts: list[str], first: int, last: int) -> tuple[str, str]:
    before = [t for t in texts[max(0, first - CONTEXT_WORDS) : first] if t]
    after = [t for t in texts[last + 1 : last + 1 + CONTEXT_WORDS] if t]
    return " ".join(before) + (" " if before else ""), (" " if after else "") + " ".join(after)


def _matches(q: str, pages: Pages) -> list[Match]:
    """Every match of `q` in `pages`, in page order, then in reading order."""
    phrases = _phrases(q if isinstance(q, str) else "")
    if phrases is None:
        return []
    query = " ".join(f'"{" ".join(words)}"' for words in phrases)
    texts = {number: [nfc(str(w[0])) if w else "" for w in words] for number, words in pages}
    found = []
    for entry in locate(query, list(pages)):
        page_texts, indexes = texts[entry["page"]], entry["words"]
        segments = _segments(indexes, entry["boxes"], page_texts)
        before, after = _context(page_texts, indexes[0], indexes[-1])
        found.append(Match(entry["page"], segments, before, after))
    return found


# ---------------------------------------------------------------------------------------------
# Search answers


@dataclass(frozen=True)
class _Paging:
    """Which matches one page of the answer holds. Pages are cut between matches, never inside
    one: Mirador looks up a hit's first annotation among the page's resources and fails when it
    is not there."""

    page: int
    per_page: int
    count: int

    @property
    def last(self) -> int:
        return max(0, math.ceil(self.count / self.per_page) - 1)

    @property
    def paged(self) -> bool:
        return self.last > 0 or self.page > 0

    @property
    def start(self) -> int:
        return min(self.count, self.page * self.per_page)

    def chunks(self, matches: list[Match]) -> list[list[Match]]:
        return [matches[i : i + self.per_page] for i in range(0, len(matches), self.per_page)]


def _distinct(matches: list[Match]) -> list[tuple[Match, Segment]]:
    """Each segment once: a phrase and one of its own words (`"quyền con người" "người"`) can
    make the same box twice."""
    seen: dict[tuple[int, int, int], tuple[Match, Segment]] = {}
    for match in matches:
        for segment in match.segments:
            seen.setdefault((match.page, segment.first, segment.last), (match, segment))
    return list(seen.values())


def _quote_selector(segment: Segment, match: Match) -> dict:
    # As in the 2.0 spec's multi-annotation example: the text before the match goes with its
    # first line and the text after with its last, so prefix + exacts + suffix reads on.
    selector: dict = {"type": "TextQuoteSelector"}
    if segment is match.segments[0] and match.before:
        selector["prefix"] = match.before
    selector["exact"] = segment.text
    if segment is match.segments[-1] and match.after:
        selector["suffix"] = match.after
    return selector


def _word_2(canvas: str, segment: Segment) -> dict:
    """The matching words of one line as an annotation of the item's text on its canvas."""
    return {
        "id": _annotation_id(canvas, segment),
        "type": "Annotation",
        "motivation": TEXT_MOTIVATION,
        "body": {"type": "TextualBody", "value": segment.text, "format": "text/plain"},
        "target": _target(canvas, segment.box),
    }


def _context_2(canvas: str, match: Match) -> dict:
    targets = [
        {
            "type": "SpecificResource",
            "source": _annotation_id(canvas, segment),
            "selector": [_quote_selector(segment, match)],
        }
        for segment in match.segments
    ]
    first, last = match.segments[0].first, match.segments[-1].last
    return {
        "id": f"{canvas}/words/{first}-{last}/context",
        "type": "Annotation",
        "motivation": "contextualizing",
        "target": targets[0] if len(targets) == 1 else targets,
    }


@dataclass(frozen=True)
class _Asked:
    """What a search request asked for, as its answer repeats it in its links."""

    q: str
    motivation: str | None
    ignored: list[str]

    def url(self, service: str, page: int = 0) -> str:
        return _request(service, self.q, page, self.motivation)


def _search_2(
    base: str, accession: str, asked: _Asked, matches: list[Match], paging: _Paging
) -> dict:
    service = _service(base, accession, 2)
    page_id = asked.url(service, paging.page)
    answer: dict = {"@context": SEARCH_2_CONTEXT, "id": page_id, "type": "AnnotationPage"}
    if asked.ignored:
        answer["ignored"] = asked.ignored
    chunks = paging.chunks(matches)
    shown = chunks[paging.page] if paging.page < len(chunks) else []
    if paging.paged:
        sizes = [len(_distinct(chunk)) for chunk in chunks]
        answer["partOf"] = {
            # The collection is embedded in its pages; its id is a fragment of the first one's.
            "id": f"{asked.url(service)}#all",
            "type": "AnnotationCollection",
            "total": sum(sizes),
            "first": {"id": asked.url(service), "type": "AnnotationPage"},
            "last": {"id": asked.url(service, paging.last), "type": "AnnotationPage"},
        }
        if paging.page < paging.last:
            answer["next"] = {"id": asked.url(service, paging.page + 1), "type": "AnnotationPage"}
        if paging.page > 0:
            previous = min(paging.page - 1, paging.last)
            answer["prev"] = {"id": asked.url(service, previous), "type": "AnnotationPage"}
        answer["startIndex"] = sum(sizes[: paging.page])
    answer["items"] = [
        _word_2(_canvas(base, accession, match.page), segment)
        for match, segment in _distinct(shown)
    ]
    if shown:
        contexts = [_context_2(_canvas(base, accession, m.page), m) for m in shown]
        answer["annotations"] = [
            {"id": f"{page_id}#context", "type": "AnnotationPage", "items": contexts}
        ]
    return answer


def _resource_1(canvas: str, segment: Segment) -> dict:
    return {
        "@id": _annotation_id(canvas, segment),
        "@type": "oa:Annotation",
        "motivation": "sc:painting",
        "resource": {"@type": "cnt:ContentAsText", "chars": segment.text},
        "on": _target(canvas, segment.box),
    }


def _hit_1(canvas: str, match: Match) -> dict:
    return {
        "@type": "search:Hit",
        "annotations": [_annotation_id(canvas, s) for s in match.segments],
        "match": match.text,
        "before": match.before,
        "after": match.after,
    }


def _search_1(
    base: str, accession: str, asked: _Asked, matches: list[Match], paging: _Paging
) -> dict:
    service, q = _service(base, accession, 1), asked.q
    within: dict = {"@type": "sc:Layer", "total": len(matches)}  # Mirador shows this count
    if asked.ignored:
        within["ignored"] = asked.ignored
    answer: dict = {
        "@context": [PRESENTATION_2_CONTEXT, SEARCH_1_CONTEXT],
        "@id": _request(service, q, paging.page),
        "@type": "sc:AnnotationList",
        "within": within,
    }
    if paging.paged:
        within["first"] = _request(service, q)
        within["last"] = _request(service, q, paging.last)
        if paging.page < paging.last:
            answer["next"] = _request(service, q, paging.page + 1)
        if paging.page > 0:
            answer["prev"] = _request(service, q, min(paging.page - 1, paging.last))
        answer["startIndex"] = paging.start
    shown = matches[paging.start : paging.start + paging.per_page]
    answer["resources"] = [
        _resource_1(_canvas(base, accession, match.page), segment)
        for match, segment in _distinct(shown)
    ]
    answer["hits"] = [_hit_1(_canvas(base, accession, m.page), m) for m in shown]
    return answer


def search(
    base: str,
    accession: str,
    pages: Pages,
    query: str,
    *,
    version: int = 2,
    page: int = 0,
    per_page: int = 100,
    motivation: str | None = None,
    received: Iterable[str] = (),
) -> dict:
    """The Content Search answer (an AnnotationPage for 2.0, an sc:AnnotationList for 1.0) for
    `query` in `pages` ([(page number, OCR words)], boxes in canvas pixels), page `page` (from
    0) of `per_page` matches, of the `motivation` asked (2.0). `received` names the request's
    parameters, to report `ignored`."""
    _service(base, accession, version)  # an unknown version fails here, whatever the query
    if version == 1:
        motivation = None
    matches = _matches(query, pages) if _text_wanted(motivation) else []
    paging = _Paging(max(0, page), max(1, per_page), len(matches))
    asked = _Asked(query, motivation, _ignored(received, IGNORED[version]))
    build = _search_2 if version == 2 else _search_1
    return build(base, accession, asked, matches, paging)


# ---------------------------------------------------------------------------------------------
# Autocomplete


_folded = lru_cache(maxsize=65536)(fold)


def _written(word: str) -> str:
    return nfc(word).replace("\u2019", "'")


def terms(pages: Pages, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
    """The words of `pages` whose folded form begins with the folded `prefix`, grouped by folded
    form (so the count is what a search for the word finds), each in its most frequent written
    form, most frequent first, then alphabetically; at most `limit`."""
    typed = prefix.strip() if isinstance(prefix, str) else ""
    key = fold(typed) if len(typed) <= MAX_WORD else ""
    if not key or not WORD.fullmatch(key):  # nothing, or more than the start of one word
        return []
    forms: dict[str, Counter[str]] = {}
    for _, words in pages:
        for word in words:
            for found in WORD.finditer(nfc(str(word[0])) if word else ""):
                written = _written(found.group())
                folded = _folded(written)
                if folded.startswith(key):
                    forms.setdefault(folded, Counter())[written] += 1
    ranked = sorted(forms.items(), key=lambda item: (-item[1].total(), item[0]))
    return [(_most_written(counts), counts.total()) for _, counts in ranked[: max(0, limit)]]


def _most_written(counts: Counter[str]) -> str:
    """The most frequent form; on a tie the one with marks, then the one in lower case."""
    return min(counts, key=lambda w: (-counts[w], _folded(w) == w.lower(), w != w.lower(), w))


def _term_page_2(service: str, asked: _Asked, found: list[tuple[str, int]]) -> dict:
    ignored = asked.ignored
    answer: dict = {
        "@context": SEARCH_2_CONTEXT,
        "id": asked.url(service),
        "type": "TermPage",
    }
    if ignored:
        answer["ignored"] = ignored
    answer["items"] = [{"value": value, "total": count} for value, count in found]
    return answer


def _term_list_1(
    service: str, search_1: str, prefix: str, found: list[tuple[str, int]], ignored: list[str]
) -> dict:
    answer: dict = {
        "@context": SEARCH_1_CONTEXT,
        "@id": _request(service, prefix),
        "@type": "search:TermList",
    }
    if ignored:
        answer["ignored"] = ignored
    answer["terms"] = [
        {"match": value, "url": _request(search_1, value), "count": count} for value, count in found
    ]
    return answer


def autocomplete(
    base: str,
    accession: str,
    pages: Pages,
    prefix: str,
    *,
    version: int = 2,
    limit: int = 10,
    motivation: str | None = None,
    received: Iterable[str] = (),
) -> dict:
    """The autocomplete answer (a TermPage for 2.0, a search:TermList for 1.0) for `prefix`:
    the `terms` of `pages` (in 2.0, of the `motivation` asked), each one a `q` for the search
    service."""
    service = _service(base, accession, version, autocomplete=True)
    wanted = version == 1 or _text_wanted(motivation)
    found = terms(pages, prefix, limit) if wanted else []
    ignored = _ignored(received, IGNORED_BY_AUTOCOMPLETE[version])
    if version == 2:
        return _term_page_2(service, _Asked(prefix, motivation, ignored), found)
    return _term_list_1(service, _service(base, accession, 1), prefix, found, ignored)
