"""The language a text is written in, told by py3langid from its letters (a page's OCR'd text, a
PDF's text layer)."""

from __future__ import annotations

import functools
import unicodedata

# Fewer letters than this say too little for a language to be told.
MIN_LETTERS_FOR_LANGUAGE = 20
# The languages `detect_language` chooses from: those an archive in Viet Nam may hold in print
# (the province's minority languages have no model; written in Latin letters with Vietnamese
# marks, they come out as "vi"). Fewer choices, fewer wild guesses on OCR noise.
DETECT_LANGUAGES = (
    "vi", "en", "fr", "de", "es", "it", "pt", "nl", "ru", "zh", "ja", "ko", "th", "lo", "km",
    "id", "ms",
)  # fmt: skip


@functools.cache
def _identifier():
    # Our own identifier, not py3langid's module-level one, so restricting its languages
    # changes nothing for anyone else in the process. Loading the model takes ~0.8 s, once.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(DETECT_LANGUAGES)
    return identifier


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language `text` is written in; None when it has fewer than
    `MIN_LETTERS_FOR_LANGUAGE` letters."""
    text = unicodedata.normalize("NFC", text)
    if sum(c.isalpha() for c in text) < MIN_LETTERS_FOR_LANGUAGE:
        return None
    language, _score = _identifier().classify(text)
    return language
