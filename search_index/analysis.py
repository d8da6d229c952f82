"""Vietnamese text analysis: normalising, tokenising and folding, with no I/O.

Whoosh's `StandardAnalyzer` is wrong for Vietnamese: its English stop list and two-letter minimum
drop whole syllables (`ở`, `ý`, `a`, `an`, `to`), and text in decomposed form (NFD) splits words at
its combining marks. Here every text is put in NFC first, every syllable is a token (by the rule
of `archive.syllables`, which tagging follows too: an apostrophe inside a word, as in `H'Drai`,
stays in it), nothing is dropped, and `fold` removes every mark — tones, the circumflex, the breve,
the horn — and turns `đ` into `d`, which Unicode decomposition alone does not do.

The Whoosh analyzers at the bottom are built from the same functions, so what the query side
computes with `tokens` and `fold` is exactly what was indexed.
"""

from __future__ import annotations

import re
import unicodedata

from whoosh.analysis import Filter, Token, Tokenizer

from archive.syllables import MARKS, nfc
from archive.syllables import SYLLABLE as WORD  # the index's words are syllables

_MARKS = re.compile(f"{MARKS}+")
# Letters that carry a mark Unicode does not decompose (a stroke): đ is the Vietnamese one.
_STROKES = str.maketrans({"đ": "d", "ð": "d", "ƀ": "b", "ħ": "h", "ł": "l", "ø": "o", "ŧ": "t"})


def fold(text: str) -> str:
    """`text` in NFC, lower case, with every mark removed and đ turned into d.

    `quyền` and `Quyền` fold to `quyen`, `Đắk` to `dak`, `ư`/`ơ` to `u`/`o`, `ă`/`â` to `a`.
    """
    lowered = nfc(text).lower().translate(_STROKES)
    return nfc(_MARKS.sub("", unicodedata.normalize("NFD", lowered)))


def token_text(word: str) -> str:
    """A word of the text (a match of `WORD`) as a token."""
    return word.lower().replace("\u2019", "'")


def tokens(text: str) -> list[str]:
    """The words of `text` in NFC and lower case; no stop list, no minimum length."""
    return [token_text(match.group()) for match in WORD.finditer(nfc(text))]


def spans(text: str) -> list[tuple[str, int, int]]:
    """The tokens of `text` (which must already be in NFC) with their character offsets."""
    return [(token_text(m.group()), m.start(), m.end()) for m in WORD.finditer(text)]


def light_stem(word: str) -> str:
    """Harman's "S" stemmer, the light one: plurals and the possessive, nothing else.

    Heavier stemmers (Porter) mangle the Vietnamese names that English texts are full of; this
    one only touches words ending in s, which Vietnamese syllables never do.
    """
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def english(word: str) -> str:
    """The indexed form of an English word: folded, then lightly stemmed."""
    return light_stem(fold(word))


# ---------------------------------------------------------------------------------------------
# The same, as Whoosh analyzers. These classes are pickled into the index's table of contents,
# so they must stay importable under these names (renaming one needs `archive reindex`).


class VietnameseTokenizer(Tokenizer):
    """Yields the tokens of `tokens()`, with positions and character offsets into the NFC text."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = nfc(value)
        matches = WORD.finditer(text) if tokenize else [None]
        for pos, match in enumerate(matches):
            word = match.group() if match else text
            token.text = token_text(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + (match.start() if match else 0)
                token.endchar = start_char + (match.end() if match else len(text))
            yield token


class FoldFilter(Filter):
    """Replaces each token by `fold(token)`."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


class LightStemFilter(Filter):
    """Replaces each token by `light_stem(token)`."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = light_stem(token.text)
            yield token


class ValuesTokenizer(Tokenizer):
    """One token per value of a multi-valued keyword field, kept as written (for facets)."""

    SEPARATOR = "\x1f"

    def __call__(self, value, positions=False, chars=False, mode="", **kwargs):
        token = Token(positions, chars, mode=mode, **kwargs)
        for pos, part in enumerate(p for p in nfc(value).split(self.SEPARATOR) if p.strip()):
            token.text = part.strip()
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            yield token


def exact_analyzer():
    """Words as written: diacritics kept, lower case."""
    return VietnameseTokenizer()


def folded_analyzer():
    """Words folded: `quyền` and `quyen` are the same token."""
    return VietnameseTokenizer() | FoldFilter()


def english_analyzer():
    """Folded words, lightly stemmed (plurals): for the English titles and descriptions."""
    return VietnameseTokenizer() | FoldFilter() | LightStemFilter()


def values_analyzer():
    return ValuesTokenizer()
