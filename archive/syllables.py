"""Vietnamese text cut into syllables: the one rule that tagging (`archive.tagging`) and search
(`search_index.analysis`) both follow, so that a phrase is a run of the same syllables to both.

A syllable is a run of letters and digits, with the combining marks that NFC cannot compose (rare,
but they must not split a word); an apostrophe between two such runs stays inside it (H'Drai,
Ê-đê's). `SYLLABLE` expects text in NFC; no I/O, no imports from the rest of the project.
"""

from __future__ import annotations

import re
import unicodedata

# The combining marks, as a character class: those NFC leaves uncomposed stay in a syllable.
MARKS = r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_LETTER = rf"(?:[^\W_]|{MARKS})"
SYLLABLE = re.compile(rf"{_LETTER}+(?:['\u2019]{_LETTER}+)*")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
