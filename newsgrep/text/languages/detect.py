"""The language of an article that declares none, told from its text.

The script decides first, for free: Hangul is Korean, kana Japanese, Han without kana
Chinese, and Thai, Greek, Hebrew, Armenian, Georgian and the Indic scripts each name their
language; ASCII text a fifth of whose words are English's commonest is English. Where a
script is written by several languages (Latin, Cyrillic, Arabic, Devanagari), py3langid,
whose model ships inside its package (nothing is downloaded), chooses among the languages
of that script only. It is imported on the first article that needs it (numpy, and its
model from the cache `langid_model` keeps of it) and never by a search.

Too little text to tell gives None, and so does Latin-script text that py3langid does not
find clearly other than English: such an article is analysed as English, which is what
newsgrep did before it knew of languages (the earnings tables of Reuters are not Nigerian
Pidgin).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from newsgrep.text.languages.scripts import script_letters

# The text read: the title and the opening of the body tell the language as well as the
# whole article, for a fraction of the time (py3langid's cost grows with the text).
SAMPLE_CHARS = 600
# Fewer letters than this do not tell a language.
MIN_LETTERS = 12
# How sure py3langid must be that Latin-script text is not English.
MIN_CONFIDENCE = 0.8

# A script written by one language (among those a news archive holds).
_SCRIPT_LANGUAGE = {
    "hangul": "ko",
    "kana": "ja",
    "han": "zh",
    "thai": "th",
    "greek": "el",
    "hebrew": "he",
    "armenian": "hy",
    "georgian": "ka",
    "bengali": "bn",
    "gurmukhi": "pa",
    "gujarati": "gu",
    "tamil": "ta",
    "telugu": "te",
    "kannada": "kn",
    "malayalam": "ml",
    "sinhala": "si",
    "lao": "lo",
    "myanmar": "my",
    "khmer": "km",
    "ethiopic": "am",
}
# The languages py3langid chooses among, per script.
_CANDIDATES = {
    "latin": (
        "en de fr es it pt nl sv da no fi hu ro ca eu ga id lt et cs pl tr sr eo az vi lv sk hr sl"
    ),
    "cyrillic": "ru uk bg sr mk be kk",
    "arabic": "ar fa ur ps",
    "devanagari": "hi ne mr",
}


def detect_language(title: str, body: str) -> str | None:
    """The language tag of an article's text, or None when it cannot be told."""
    sample = f"{title}\n{body}"[:SAMPLE_CHARS]
    letters = script_letters(sample)
    if not letters:
        return None
    # Japanese mixes kana with Han: any kana makes it Japanese.
    if letters["kana"] and letters["kana"] + letters["han"] >= sum(letters.values()) / 2:
        return "ja"
    script, count = letters.most_common(1)[0]
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
    if script not in _CANDIDATES or count < MIN_LETTERS:
        return None
    if script == "latin" and _reads_as_english(sample):
        return "en"
    language, confidence = _identifier(script).classify(sample)
    if script == "latin" and language != "en" and confidence < MIN_CONFIDENCE:
        return None
    return str(language)


# English's commonest words: a text made a fifth of them is English, without asking the
# model (three English articles in four, at a fiftieth of the cost). No other language's
# text met the rule on the detector's test set of 316 texts in 26 languages.
_ENGLISH_WORDS = frozenset(
    (  # noqa: SIM905 - words, kept as one readable string
        "the of and to in a is that for on was with as by it at from said be has have are an "
        "which were its this would will he not but or had been their they who also"
    ).split()
)
_ASCII_WORD = re.compile(r"[a-z]+")


def _reads_as_english(sample: str) -> bool:
    if not sample.isascii():
        return False
    words = _ASCII_WORD.findall(sample.lower())
    return len(words) >= 12 and sum(word in _ENGLISH_WORDS for word in words) >= len(words) / 5


def _identifier(script: str) -> Any:
    """py3langid's identifier, restricted to the languages of `script`."""
    return _identifiers()[script]


@cache
def _identifiers() -> dict[str, Any]:
    """Every script's identifier, made once per process (see `langid_model`)."""
    from newsgrep.text.languages.langid_model import identifiers

    return identifiers({script: languages.split() for script, languages in _CANDIDATES.items()})
