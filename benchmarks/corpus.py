"""The generated corpus of the search and catalogue benchmarks: Vietnamese items (titles,
descriptions, pages of text, tags, collections) drawn from the lexicon in `data/Viet22K.txt` (see
`data/SOURCES.md`) by a Zipf-like law, so common words are common, and the words of queries. The
same seed gives the same corpus, item by item."""

from __future__ import annotations

import json
import random
import time
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

LEXICON = Path(__file__).resolve().parent / "data" / "Viet22K.txt"
SEED = 1297

# Tag vocabularies as the archive's own (archive/vocabularies/*.yaml), with rough frequencies.
CONVENTIONS = {"CRC": 5, "CEDAW": 4, "ICESCR": 3, "ICCPR": 2, "CRPD": 2, "ICERD": 1, "CAT": 1}
THEMES = {
    "poverty-reduction": 5, "ethnic-minorities": 5, "education": 4, "health": 4,
    "children": 4, "gender-equality": 3, "mountain-areas": 3, "vulnerable-groups": 2,
    "disabilities": 2, "religion-belief": 1, "information-press": 1, "foreign-affairs": 1,
}  # fmt: skip
DISTRICTS = {
    "kon-tum-city": ("Thành phố Kon Tum", 6), "dak-glei": ("Đắk Glei", 2), "dak-ha": ("Đắk Hà", 2),
    "dak-to": ("Đắk Tô", 2), "ia-h-drai": ("Ia H'Drai", 1), "kon-plong": ("Kon Plông", 2),
    "kon-ray": ("Kon Rẫy", 2), "ngoc-hoi": ("Ngọc Hồi", 2), "sa-thay": ("Sa Thầy", 2),
    "tu-mo-rong": ("Tu Mơ Rông", 1),
}  # fmt: skip
ETHNIC_GROUPS = {"ba-na": 5, "xo-dang": 5, "gia-rai": 3, "gie-trieng": 2, "brau": 1, "kinh": 4}
CREATORS = [
    "Ủy ban nhân dân tỉnh Kon Tum", "Sở Lao động – Thương binh và Xã hội", "Sở Giáo dục và Đào tạo",
    "Sở Y tế tỉnh Kon Tum", "Bảo tàng tỉnh Kon Tum", "Hội Liên hiệp Phụ nữ tỉnh",
    "Nguyễn Văn Thành", "Trần Đức Minh", "Lê Quang Huy", "A Thuyên", "Y Nhi",
]  # fmt: skip
FONDS = {
    "ubnd-tinh": ("van-ban", "bao-cao", "cong-van", "anh"), "so-lao-dong": ("van-ban", "bao-cao"),
    "so-giao-duc": ("van-ban", "bao-cao", "anh"), "so-y-te": ("van-ban", "anh"),
    "bao-tang-tinh": ("anh", "hien-vat", "tu-lieu"), "hoi-phu-nu": ("van-ban", "anh"),
    "tinh-doan": ("van-ban", "anh"), "cong-an-tinh": ("van-ban", "ho-so"),
}  # fmt: skip
FILES_PER_SERIES = 25
PER_PAGE = 20  # results asked for per search, by every engine measured
FACET_VOCABULARIES = ("decade", "convention", "theme", "district")  # the corpus's facets


class Lexicon:
    """The lexicon's entries (words of one to five syllables) ranked by a seeded shuffle that puts
    one-syllable words first more often (as Vietnamese function words are), with Zipf-Mandelbrot
    weights 1 / (rank + 2.7) over the ranks."""

    def __init__(self, path: Path, seed: int = SEED):
        entries: dict[str, None] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = unicodedata.normalize("NFC", " ".join(line.split()))
            if entry and all(c.isalpha() or c == " " for c in entry):  # drops a few glosses
                entries[entry] = None
        rng = random.Random(seed)

        def key(entry: str) -> float:  # Efraimidis–Spirakis: a weighted random permutation
            weight = 6.0 if " " not in entry else 1.0
            return -(rng.random() ** (1.0 / weight))

        self.words = sorted(entries, key=key)
        weights = [1.0 / (rank + 2.7) for rank in range(len(self.words))]
        total = sum(weights)
        self.probability = [w / total for w in weights]
        self.cum = list(accumulate(weights))
        self.mean_syllables = sum(
            p * (w.count(" ") + 1) for p, w in zip(self.probability, self.words, strict=True)
        )
        # How often each (lower-case) syllable is expected among the corpus's words.
        syllables: dict[str, float] = {}
        for p, word in zip(self.probability, self.words, strict=True):
            for syllable in word.lower().split():
                syllables[syllable] = syllables.get(syllable, 0.0) + p
        self.syllables = sorted(syllables, key=lambda s: -syllables[s])
        self.syllable_weights = [syllables[s] for s in self.syllables]

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=count)

    def phrase(self, rng: random.Random, syllables: int) -> str:
        """About `syllables` syllables (whole words), as one run of text."""
        words = self.draw(rng, max(1, round(syllables / self.mean_syllables)))
        return " ".join(words)

    def prose(self, rng: random.Random, syllables: int) -> str:
        """Sentences of 6–18 words, capitalised, with the odd comma."""
        words = self.draw(rng, max(1, round(syllables / self.mean_syllables)))
        sentences, at = [], 0
        while at < len(words):
            size = rng.randint(6, 18)
            part = words[at : at + size]
            at += size
            if len(part) > 8:
                cut = rng.randint(3, len(part) - 3)
                part[cut] += ","
            sentence = " ".join(part)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        return " ".join(sentences)


def _weighted(rng: random.Random, table: dict, count: int) -> list[str]:
    names = list(table)
    weights = [v[1] if isinstance(v, tuple) else v for v in table.values()]
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rng.choices(names, weights)[0])
    return sorted(chosen)


def _title(lexicon: Lexicon, rng: random.Random) -> str:
    size = rng.randint(5, 12)
    syllables: list[str] = []
    while len(syllables) < size:
        syllables += lexicon.draw(rng, 1)[0].split()
    text = " ".join(syllables[:size])
    return text[0].upper() + text[1:]


def make_document(lexicon: Lexicon, n: int, words: int) -> dict:
    """Item `n` of the corpus (the same every time)."""
    rng = random.Random(SEED * 1_000_003 + n)
    year = min(2024, int(rng.triangular(1945, 2025, 2020)))
    year_end = year + rng.choice((0, 0, 0, 1, 2, 5)) if rng.random() < 0.3 else year
    district = _weighted(rng, DISTRICTS, 1)[0] if rng.random() < 0.9 else None
    conventions = _weighted(rng, CONVENTIONS, rng.choices((0, 1, 2), (4, 4, 2))[0])
    themes = _weighted(rng, THEMES, rng.choices((1, 2, 3), (5, 3, 2))[0])
    groups = _weighted(rng, ETHNIC_GROUPS, rng.choices((0, 1, 2), (5, 3, 2))[0])
    fonds = rng.choice(sorted(FONDS))
    series = rng.choice(FONDS[fonds])
    kind = "photo" if series in ("anh", "hien-vat") or rng.random() < 0.15 else "document"
    pages = rng.choices((1, 2, 3), (5, 3, 2))[0]
    length = round(words * rng.uniform(0.7, 1.3))
    added = datetime(2025, 1, 1, 8) + timedelta(minutes=7 * n)
    place = f"{DISTRICTS[district][0]}, Kon Tum" if district else "Kon Tum"
    tags = {
        "convention": conventions,
        "theme": themes,
        "district": [district] if district else [],
        "ethnic-group": groups,
        "decade": [f"{year // 10 * 10}s"],
    }
    return {
        "id": f"KT-2025-{n + 1:06d}",
        "type": kind,
        "collection": f"{fonds}/{series}/hs-{rng.randint(1, FILES_PER_SERIES):03d}",
        "title": {"vi": _title(lexicon, rng)},
        "description": {"vi": lexicon.prose(rng, rng.randint(15, 40))}
        if rng.random() < 0.5
        else {},
        "creator": rng.choice(CREATORS),
        "place": place,
        "subjects": [],
        "tags": tags,
        "year_start": year,
        "year_end": year_end,
        "languages": ["vie"],
        "access": "restricted" if rng.random() < 0.05 else "public",
        "added": added.isoformat(),
        "updated": added.isoformat(),
        "pages": [
            {"number": p, "text": lexicon.prose(rng, length // pages)} for p in range(1, pages + 1)
        ],
    }


def write_corpus(lexicon: Lexicon, path: Path, items: int, words: int) -> dict:
    start = time.perf_counter()
    partial = path.with_suffix(".part")
    syllables = 0
    with open(partial, "w", encoding="utf-8") as out:
        for n in range(items):
            document = make_document(lexicon, n, words)
            syllables += sum(p["text"].count(" ") + 1 for p in document["pages"])
            out.write(json.dumps(document, ensure_ascii=False))
            out.write("\n")
    partial.replace(path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "page_words": syllables, "bytes": path.stat().st_size}


def read_corpus(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def query_words(lexicon: Lexicon, rng: random.Random, count: int) -> list[str]:
    """`count` different words of a query, each common (drawn by its frequency in the corpus)
    or rare (drawn evenly from the syllables past the 1000 most frequent)."""
    words: list[str] = []
    while len(words) < count:
        if rng.random() < 0.5:
            word = rng.choices(lexicon.syllables, lexicon.syllable_weights)[0]
        else:
            word = rng.choice(lexicon.syllables[1000:])
        if word not in words:
            words.append(word)
    return words
