"""Finding a query inside one item's text, with no I/O: the OCR words a query matches (for IIIF
Content Search) and the highlighted snippet a search hit shows.

A word matches a query word when their folded forms are equal (so `quyen` lights up `quyền`, and
`quyền` lights up `Quyền` and `quyen`); a phrase matches consecutive words. Excluded words and
field filters are not looked for.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from search_index.analysis import WORD, fold, light_stem, nfc, token_text, tokens
from search_index.query import Query, parse

SNIPPET_WORDS = 30  # words in a snippet
LEAD_WORDS = 6  # words shown before the first match
MAX_MATCHES = 200  # matches looked at when choosing a window (the first ones)
_SPACES = re.compile(r"\s+")

Pattern = tuple[str, ...]


def _matches(patterns: Sequence[Pattern], forms: Sequence[str]) -> list[tuple[int, int, int]]:
    """(first word, end, pattern index) of every occurrence of a pattern in `forms`."""
    by_first: dict[str, list[tuple[int, Pattern]]] = {}
    for index, pattern in enumerate(patterns):
        by_first.setdefault(pattern[0], []).append((index, pattern))
    found = []
    for start, form in enumerate(forms):
        for index, pattern in by_first.get(form, ()):
            end = start + len(pattern)
            if tuple(forms[start:end]) == pattern:
                found.append((start, end, index))
    return found


def locate(query: str, pages: list[tuple[int, list[list]]]) -> list[dict]:
    """The OCR words of `pages` that `query` matches, one entry per match, in page order.

    `pages` holds (page number, words), each word `[text, x, y, w, h, confidence]`; an entry is
    `{"page": n, "words": [indexes], "text": "the words", "boxes": [[x, y, w, h], ...]}`.
    """
    patterns = parse(query).patterns()
    if not patterns:
        return []
    found: list[dict] = []
    for number, words in sorted(pages, key=lambda page: page[0]):
        forms: list[str] = []
        owners: list[int] = []  # the OCR word each token comes from ("người," is one token)
        for index, word in enumerate(words):
            for token in tokens(str(word[0]) if word else ""):
                forms.append(_folded(token))
                owners.append(index)
        seen: set[tuple[int, ...]] = set()
        for start, end, _ in sorted(_matches(patterns, forms)):
            indexes = tuple(dict.fromkeys(owners[start:end]))
            if indexes in seen:
                continue
            seen.add(indexes)
            found.append(
                {
                    "page": number,
                    "words": list(indexes),
                    "text": " ".join(nfc(str(words[i][0])) for i in indexes),
                    "boxes": [list(words[i][1:5]) for i in indexes],
                }
            )
    return found


# ---------------------------------------------------------------------------------------------
# Snippets


@lru_cache(maxsize=65536)
def _folded(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=65536)
def _form(word: str, stem: bool) -> str:
    """What a word as written in a text (a match of `WORD`) is compared as: its token, folded
    (and stemmed, for English). Keyed by the word as written, so that a snippet's words are
    not turned into tokens one by one first."""
    token = token_text(word)
    return light_stem(fold(token)) if stem else fold(token)


@dataclass(frozen=True)
class Passage:
    """A piece of an item's text with the query's matches marked (`html` is safe to insert)."""

    html: str
    page: int | None
    patterns_found: int
    matches: int


def _window(matches: list[tuple[int, int, int]], length: int) -> tuple[int, int]:
    """The stretch of SNIPPET_WORDS words holding the most different patterns, then matches."""
    best, best_start = (-1, -1), 0
    for first, _, _ in matches:
        start = max(0, first - LEAD_WORDS)
        inside = [m for m in matches if start <= m[0] and m[1] <= start + SNIPPET_WORDS]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best:
            best, best_start = score, start
    start = best_start if matches else 0
    # Close the window at the end of the text rather than show fewer words than we could.
    start = max(0, min(start, length - SNIPPET_WORDS))
    return start, min(length, start + SNIPPET_WORDS)


def _html(text: str, start: int, end: int, marked: list[tuple[int, int]]) -> str:
    """`text[start:end]` escaped, with the character ranges in `marked` inside <mark>."""
    out, at = [], start
    for first, last in marked:
        out.append(html.escape(_SPACES.sub(" ", text[at:first])))
        out.append(f"<mark>{html.escape(_SPACES.sub(' ', text[first:last]))}</mark>")
        at = last
    out.append(html.escape(_SPACES.sub(" ", text[at:end])))
    return "".join(out).strip()


def passage(
    patterns: Sequence[Pattern], text: str, *, page: int | None = None, stem: bool = False
) -> Passage | None:
    """The best SNIPPET_WORDS-word passage of `text` (NFC) for `patterns` (folded words)."""
    words = list(WORD.finditer(text))
    if not words:
        return None
    if stem:
        patterns = [tuple(light_stem(w) for w in p) for p in patterns]
    matches = _matches(patterns, [_form(w.group(), stem) for w in words]) if patterns else []
    start, end = _window(matches[:MAX_MATCHES], len(words))
    ranges: list[tuple[int, int]] = []
    for first, last, _ in sorted(matches):
        if first < start or last > end:
            continue
        char_start, char_end = words[first].start(), words[last - 1].end()
        if ranges and char_start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], char_end))
        else:
            ranges.append((char_start, char_end))
    # The whole text's beginning or end when the window reaches it, punctuation included.
    first_char = words[start].start() if start > 0 else 0
    last_char = words[end - 1].end() if end < len(words) else len(text)
    body = _html(text, first_char, last_char, ranges)
    body = ("… " if start > 0 else "") + body + (" …" if end < len(words) else "")
    return Passage(body, page, len({m[2] for m in matches}), len(matches))


def _estimate(patterns: Sequence[Pattern], folded: str, stem: bool) -> tuple[int, int]:
    """(patterns present, occurrences) counted as substrings of the folded text: quick, and never
    less than what the words one by one would give, so it can pick which texts to look at."""
    keys = [p[0] for p in patterns]  # a phrase is there at most as often as its first word
    if stem:  # "communities" holds the stem of "community" only without its "y"
        keys = [light_stem(k).removesuffix("y") for k in keys]
    counts = [folded.count(key) for key in keys]
    return sum(1 for c in counts if c), sum(counts)


def best_passage(
    query: Query,
    pages: list[tuple[int, str]],
    others: list[tuple[str, bool]],
    folded_pages: list[str] | None = None,
) -> Passage | None:
    """The passage to show for a hit: from the page with the most matches, else from one of
    `others` (description, title …, each with whether it is English), else their beginning.
    Pages win ties, since a page can be opened at. `folded_pages`, the pages' texts folded
    (the index keeps them), spare folding them again for every hit."""
    patterns = query.patterns()
    best: Passage | None = None
    best_key = (0, 0, False)
    if patterns:
        if folded_pages is None or len(folded_pages) != len(pages):
            folded_pages = [fold(t) for _, t in pages]
        sources = [(None, t, english, fold(t)) for t, english in others if t]
        sources += [(n, t, False, f) for (n, t), f in zip(pages, folded_pages, strict=True) if t]
        estimates = [(_estimate(patterns, f, stem), n is not None) for n, _, stem, f in sources]
        # Look at the texts word by word in the order of their estimates, until none left could
        # beat the best found (an estimate is never below the true count).
        for index in sorted(range(len(sources)), key=lambda i: estimates[i], reverse=True):
            (present, occurrences), is_page = estimates[index]
            if not present or (present, occurrences, is_page) <= best_key:
                break
            number, text, stem, _ = sources[index]
            found = passage(patterns, text, page=number, stem=stem)
            key = (found.patterns_found, found.matches, is_page) if found else (0, 0, False)
            if found and key > best_key:
                best, best_key = found, key
    if best is None:
        for text, _ in others:
            if text.strip():
                return passage((), text)
    return best
