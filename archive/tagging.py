"""Automatic tagging: the concepts of the controlled vocabularies a document is about, each with a
score and the evidence for it, from the document's text (phrases), its GPS position (bounding
boxes) and its date (a decade). Pure functions: the service that stores tags calls `suggest`.

How a phrase matches. Each rule guards against an accident seen in Vietnamese archival text; the
tests name them one by one.

1. Text is normalised to NFC, casefolded and cut into syllables (letters and digits; an apostrophe
   inside a syllable is kept, as in H'Drai). A phrase matches a run of whole syllables, so
   'Đắk Tô' never matches inside 'Đắk Tôi'.
2. Diacritics must match: 'quyen tre em' is not 'quyền trẻ em' (OCR'd Vietnamese has its marks,
   and folded text would confuse 'ba năm' with 'Ba Na'). Only the place of the tone mark is
   ignored (hoà = hòa, xoá = xóa, khoẻ = khỏe), since both placements are standard.
3. A phrase does not run across punctuation ('dân tộc, Kinh tế' is not 'dân tộc Kinh'), unless the
   phrase has punctuation there itself; a hyphen joins ('Ba-na' is 'Ba Na').
4. Capitals: a syllable capitalised in the phrase must be capitalised in the text, so proper names
   match names and not common words ('người Kinh', not 'người kinh doanh'); an acronym of three or
   more letters must be in capitals ('CAT', not 'cat'). After a hyphen the old spelling 'Ba-na',
   'Xơ-đăng' is accepted.
5. A Vietnamese phrase ending in a proper name, followed on the same line by another capitalised
   syllable, is part of a longer name and does not count: 'xã Đắk Tô Kan', 'Ba Na Hills',
   'Thái Lan', 'người Thái Bình', 'Lào Cai'. Text in capitals (headings) is exempt: there every
   word is. (A name followed by a place, 'Nhà thờ Gỗ Kon Tum', needs that longer phrase listed.)
6. A one-syllable proper name preceded on the same line by a capitalised syllable that does not
   start a sentence, or by a form of address, is part of a person's name: 'Nguyễn Văn Thái',
   'ông Thái'.
7. A concept's `exclude` phrases cancel a match inside them: 'kiểm tra tấn công' for 'tra tấn',
   'Kinh tế' for 'Kinh'.
8. Within one vocabulary a match inside a longer match does not count, because the longer name is
   the more specific: 'xã Đắk Hà' (a commune of Tu Mơ Rông) is not the district Đắk Hà.

Score. A match weighs its phrase's weight times its field's weight: 2 in the title or the subject,
1.5 in the description, 1 in the body (OCR'd text), because a title says what a document is
about and a body also mentions things in passing. Per concept, each sentence counts once, with its
best match, so an enumeration ('phòng chống sốt rét, dịch bệnh') is one passing mention while a
subject comes back sentence after sentence; the sentences' weights are summed and capped at 1.
A tag is suggested when its score reaches THRESHOLD = 0.5. The shipped phrase weights mean:

- 1: a name that says it all (a convention's name, 'huyện Đắk Tô', 'người Ba Na', 'giảm nghèo',
  'tra tấn'): one mention anywhere is enough;
- 0.5: a key phrase ('bảo vệ trẻ em' for CRC, 'tự do tín ngưỡng' for ICCPR, a commune's name):
  one mention in the body is enough;
- 0.25: a word also said in passing ('trẻ em', 'tôn giáo', 'hộ nghèo', 'dân tộc thiểu số',
  'miền núi' in a mountainous province of minorities): it takes two sentences of the body, or
  the title or the subject.

A GPS position inside a concept's bounding box scores 1, and so does a date within one decade.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from archive.concepts import Concept, Phrase
from archive.syllables import SYLLABLE

THRESHOLD = 0.5
# Weight of a match by the field it is in; any other field (OCR'd text, captions) weighs 1.
FIELD_WEIGHTS: Mapping[str, float] = {"title": 2.0, "subject": 2.0, "description": 1.5}
GPS_SCORE = 1.0  # a position inside a box is enough on its own
DATE_SCORE = 1.0
DECADE = "decade"  # the vocabulary of the tags the date rule gives
MAX_EVIDENCE = 20  # matches listed in the evidence; "count" says how many there were

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below
_SOFT_GAP = re.compile(r"\s+|-")  # what may separate two syllables of one phrase
_SAME_LINE_GAP = re.compile(r"[^\S\n]+")  # what separates two syllables of one name
_SENTENCE_END = re.compile(r"[.!?\n]")  # what may come before a capital that starts a sentence
_SENTENCE_BREAK = re.compile(r"[.!?;]\s")  # not the dot of 1.024 or the comma of 3,2
# Words of address before a given name: 'ông Thái' is a person, not the Thái people. 'chí' is the
# end of 'đồng chí' (comrade), 'c' the end of its abbreviation 'đ/c'.
_ADDRESS = frozenset(
    {"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cháu", "thầy", "chí", "c"}
)


@dataclass(frozen=True)
class Suggestion:
    vocabulary: str
    term: str  # the concept's id
    score: float
    evidence: dict  # JSON-able; "rule" is "phrase", "gps" or "date", other rules under "also"


# -- text -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    key: str  # what is compared: casefolded, NFC, tone mark moved to the end
    text: str  # as written (NFC)
    start: int
    end: int
    gap: str  # the text between the previous token and this one

    @property
    def soft(self) -> bool:
        return bool(_SOFT_GAP.fullmatch(self.gap))

    @property
    def same_name(self) -> bool:
        """Only spaces, on one line, separate it from the previous syllable."""
        return bool(_SAME_LINE_GAP.fullmatch(self.gap))

    @property
    def title_case(self) -> bool:
        return self.text[0].isupper() and (len(self.text) == 1 or not self.text.isupper())


@lru_cache(maxsize=65536)  # a language has few syllables and a text repeats them
def _key(syllable: str) -> str:
    """Casefold, and move the tone mark to the end, so both standard placements compare equal."""
    decomposed = unicodedata.normalize("NFD", syllable.casefold())
    tones = "".join(c for c in decomposed if c in _TONES)
    base = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", base) + tones


def _normalise(text: str) -> str:
    # One character for one: offsets in the result are offsets in the NFC text.
    return unicodedata.normalize("NFC", text).translate(_APOSTROPHES)


def tokenize(text: str) -> list[_Token]:
    """Syllables of a text, with their offsets in its NFC form."""
    text = _normalise(text)
    tokens, previous_end = [], 0
    for m in SYLLABLE.finditer(text):
        tokens.append(_Token(_key(m[0]), m[0], m.start(), m.end(), text[previous_end : m.start()]))
        previous_end = m.end()
    return tokens


def phrase_keys(text: str) -> tuple[str, ...]:
    """What a phrase compares as; empty when it has no letters or digits."""
    return tuple(t.key for t in tokenize(text))


def contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _sentences(tokens: list[_Token]) -> list[int]:
    """Per token, the number of its sentence."""
    numbers, n = [], 0
    for t in tokens:
        n += bool(_SENTENCE_BREAK.search(t.gap))
        numbers.append(n)
    return numbers


def _starts_sentence(tokens: list[_Token], i: int) -> bool:
    return i == 0 or bool(_SENTENCE_END.search(tokens[i].gap))


# -- phrases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    """A phrase compiled for matching."""

    keys: tuple[str, ...]
    case: tuple[str, ...]  # per syllable: "" any case, "cap" capital first letter, "acronym"
    hard: tuple[bool, ...]  # per syllable: the phrase itself has punctuation before it
    name: bool  # Vietnamese, ending in a proper name: rules 5 and 6 apply

    def __len__(self) -> int:
        return len(self.keys)


def _case(syllable: str) -> str:
    if len(syllable) >= 3 and syllable.isupper():
        return "acronym"
    return "cap" if syllable[0].isupper() else ""


@lru_cache(maxsize=8192)
def _compile(text: str, lang: str) -> _Pattern:
    tokens = tokenize(text)
    case = tuple(_case(t.text) for t in tokens)
    name = lang == "vi" and bool(case) and case[-1] == "cap"
    hard = tuple(i > 0 and not t.soft for i, t in enumerate(tokens))
    return _Pattern(tuple(t.key for t in tokens), case, hard, name)


def _compile_exclude(text: str) -> _Pattern:
    # Any case: 'Kinh tế' at the start of a sentence and 'KINH TẾ' in a heading are excluded too.
    pattern = _compile(text, "")
    return replace(pattern, case=("",) * len(pattern))


def _case_fits(pattern: _Pattern, tokens: list[_Token], at: int) -> bool:
    for j, case in enumerate(pattern.case):
        token = tokens[at + j]
        if case == "acronym" and not token.text.isupper():
            return False
        hyphenated = j > 0 and token.gap == "-"  # Ba-na, Xơ-đăng
        if case == "cap" and not (token.text[0].isupper() or hyphenated):
            return False
    return True


def _fits(pattern: _Pattern, tokens: list[_Token], at: int) -> bool:
    """Rules 1-4: the same syllables, not across punctuation, capitals where the phrase has them."""
    if at + len(pattern) > len(tokens):
        return False
    for j, key in enumerate(pattern.keys):
        token = tokens[at + j]
        if token.key != key or (j > 0 and not pattern.hard[j] and not token.soft):
            return False
    return _case_fits(pattern, tokens, at)


def _longer_name(pattern: _Pattern, tokens: list[_Token], first: int, last: int) -> bool:
    """Rules 5 and 6: the match is only part of a longer proper name."""
    if not pattern.name or all(t.text.isupper() for t in tokens[first:last]):
        return False
    after = tokens[last] if last < len(tokens) else None
    if after is not None and after.same_name and after.title_case:
        return True
    if len(pattern) > 1 or first == 0 or not tokens[first].same_name:
        return False
    before = tokens[first - 1]
    person = before.title_case and not _starts_sentence(tokens, first - 1)
    return person or before.key in _ADDRESS


def _excluded(excludes: Iterable[_Pattern], tokens: list[_Token], first: int, last: int) -> bool:
    """Rule 7: the match lies inside one of the concept's exclude phrases."""
    for ex in excludes:
        for at in range(max(0, last - len(ex)), first + 1):
            if _fits(ex, tokens, at):
                return True
    return False


@dataclass(frozen=True)
class _Index:
    by_first_key: dict[str, list[tuple[Concept, Phrase, _Pattern]]]
    excludes: dict[tuple[str, str], tuple[_Pattern, ...]]  # (vocabulary, id) -> patterns


def _index(vocabularies: Mapping[str, Mapping[str, Concept]]) -> _Index:
    by_first_key: dict[str, list] = defaultdict(list)
    excludes = {}
    for concepts in vocabularies.values():
        for concept in concepts.values():
            for phrase in concept.phrases:
                pattern = _compile(phrase.text, phrase.lang)
                if pattern.keys:
                    by_first_key[pattern.keys[0]].append((concept, phrase, pattern))
            key = (concept.vocabulary, concept.id)
            excludes[key] = tuple(_compile_exclude(text) for text in concept.exclude)
    return _Index(dict(by_first_key), excludes)


_LAST_INDEX: list = [None, None]  # (vocabularies, their index): one archive uses one set


def _index_of(vocabularies: Mapping[str, Mapping[str, Concept]]) -> _Index:
    """The index of `vocabularies`, built once: an ingest tags thousands of items with the same
    vocabularies, and building the index costs more than tagging one item."""
    if _LAST_INDEX[0] is not vocabularies:
        _LAST_INDEX[:] = [vocabularies, _index(vocabularies)]
    return _LAST_INDEX[1]


@dataclass(frozen=True)
class _Match:
    concept: Concept
    phrase: Phrase
    field: int  # index into the fields
    first: int  # token indexes, end exclusive
    last: int


def _matches_in(index: _Index, tokens: list[_Token], field: int) -> list[_Match]:
    found = []
    for at, token in enumerate(tokens):
        for concept, phrase, pattern in index.by_first_key.get(token.key, ()):
            last = at + len(pattern)
            if not _fits(pattern, tokens, at) or _longer_name(pattern, tokens, at, last):
                continue
            if _excluded(index.excludes[(concept.vocabulary, concept.id)], tokens, at, last):
                continue
            found.append(_Match(concept, phrase, field, at, last))
    return found


def _hidden(m: _Match, by: _Match) -> bool:
    """Rule 8, and one count for one expression: 'Công ước về quyền trẻ em' is not also
    'quyền trẻ em'; 'đồng bào dân tộc thiểu số' is not both 'đồng bào dân tộc' and
    'dân tộc thiểu số'."""
    if m.concept.vocabulary != by.concept.vocabulary:
        return False
    if m.concept.id == by.concept.id:
        return m.first < by.last and by.first < m.last  # any overlap
    return by.first <= m.first and m.last <= by.last  # inside a longer name


def _outermost(matches: list[_Match]) -> list[_Match]:
    kept: list[_Match] = []
    for m in sorted(matches, key=lambda m: (m.first - m.last, m.first)):  # longest first
        if not any(_hidden(m, k) for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.first)


# -- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    page: int | None
    text: str  # NFC
    tokens: list[_Token]
    sentences: list[int]  # per token, the number of its sentence


def _score(matches: list[_Match], fields: list[_Field]) -> float:
    """Sum over sentences of the best match in each: an enumeration is one passing mention."""
    best: dict[tuple[int, int], float] = {}
    for m in matches:
        field = fields[m.field]
        weight = m.phrase.weight * FIELD_WEIGHTS.get(field.name, 1.0)
        sentence = (m.field, field.sentences[m.first])
        best[sentence] = max(best.get(sentence, 0.0), weight)
    return sum(best.values())


def _phrase_evidence(matches: list[_Match], fields: list[_Field]) -> tuple[float, dict]:
    listed = []
    for m in matches:
        field = fields[m.field]
        start, end = field.tokens[m.first].start, field.tokens[m.last - 1].end
        listed.append(
            {
                "phrase": m.phrase.text,
                "field": field.name,
                "page": field.page,
                "at": start,  # in the NFC form of the field's text
                "text": field.text[start:end],
            }
        )
    evidence = {"rule": "phrase", "matches": listed[:MAX_EVIDENCE], "count": len(listed)}
    return _score(matches, fields), evidence


def _phrase_rule(vocabularies, fields) -> dict[tuple[str, str], tuple[float, dict]]:
    index = _index_of(vocabularies)
    read = []
    for name, page, text in fields:
        text = _normalise(text)
        tokens = tokenize(text)
        read.append(_Field(name, page, text, tokens, _sentences(tokens)))
    by_concept: dict[tuple[str, str], list[_Match]] = defaultdict(list)
    for i, field in enumerate(read):
        for m in _outermost(_matches_in(index, field.tokens, i)):
            by_concept[(m.concept.vocabulary, m.concept.id)].append(m)
    return {key: _phrase_evidence(ms, read) for key, ms in by_concept.items()}


def _inside(bbox: tuple[float, float, float, float], latitude: float, longitude: float) -> bool:
    # Half-open, so a point on the edge two boxes share falls in one of them only.
    south, west, north, east = bbox
    return south <= latitude < north and west <= longitude < east


def _gps_rule(vocabularies, latitude, longitude) -> dict[tuple[str, str], tuple[float, dict]]:
    if latitude is None or longitude is None:
        return {}
    evidence = {"rule": "gps", "latitude": latitude, "longitude": longitude}
    return {
        (c.vocabulary, c.id): (GPS_SCORE, evidence)
        for concepts in vocabularies.values()
        for c in concepts.values()
        if c.bbox is not None and _inside(c.bbox, latitude, longitude)
    }


def decade(year_start: int | None, year_end: int | None) -> str | None:
    """'1970s' when the years lie within one decade (1975, 197X); None for 1975/1985 or an
    open end."""
    if year_start is None or year_end is None or year_start > year_end:
        return None
    if year_start // 10 != year_end // 10:
        return None
    return f"{year_start // 10 * 10}s"


def _date_rule(year_start, year_end) -> dict[tuple[str, str], tuple[float, dict]]:
    term = decade(year_start, year_end)
    if term is None:
        return {}
    written = str(year_start) if year_start == year_end else f"{year_start}/{year_end}"
    return {(DECADE, term): (DATE_SCORE, {"rule": "date", "date": written})}


def _combine(found: list[tuple[float, dict]]) -> tuple[float, dict]:
    """One tag, several rules: their scores add up; the strongest rule's evidence comes first."""
    found = sorted(found, key=lambda f: -f[0])
    score = min(1.0, sum(s for s, _ in found))
    evidence = dict(found[0][1])
    if len(found) > 1:
        evidence["also"] = [e for _, e in found[1:]]
    return round(score, 3), evidence


def suggest(
    vocabularies: Mapping[str, Mapping[str, Concept]],
    *,
    fields: list[tuple[str, int | None, str]],
    latitude: float | None = None,
    longitude: float | None = None,
    year_start: int | None = None,
    year_end: int | None = None,
    threshold: float = THRESHOLD,
) -> list[Suggestion]:
    """The tags a document should have, one per (vocabulary, term), sorted by vocabulary, then
    best first. `fields` are (field name, page number or None, text)."""
    found: dict[tuple[str, str], list[tuple[float, dict]]] = defaultdict(list)
    for rule in (
        _phrase_rule(vocabularies, fields),
        _gps_rule(vocabularies, latitude, longitude),
        _date_rule(year_start, year_end),
    ):
        for key, result in rule.items():
            found[key].append(result)
    suggestions = []
    for (vocabulary, term), results in found.items():
        score, evidence = _combine(results)
        if score >= threshold:
            suggestions.append(Suggestion(vocabulary, term, score, evidence))
    return sorted(suggestions, key=lambda s: (s.vocabulary, -s.score, s.term))
