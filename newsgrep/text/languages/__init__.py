"""The languages newsgrep analyses each in its own way, and what each one needs.

An article's language tag (`pt-br`, declared or detected) names the analysis its text gets:
its `analysis_key`. Every language PyStemmer has a Snowball stemmer for gets its own
(Ukrainian shares the Russian one: Snowball has none for it, and it conflates most
Ukrainian inflections); Turkish and Azeri get their own case folding (`İ` → `i`, `I` → `ı`),
Hebrew a light prefix stripping. Every other language, and Chinese, Japanese, Korean and Thai
(whose text is cut into character pairs whatever the language), shares one analysis
(`OTHER`): words case- and accent-folded, not stemmed. An article of no known language is
analysed as English, as newsgrep analysed every article before it knew of languages.

Stop words come from the Snowball project's lists (`stop/*.txt`: source and licence in each
file and in `stop/README.md`); English keeps newsgrep's own short list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ENGLISH = "en"
# The analysis of every language without one of its own: no stemming, no stop words.
OTHER = "other"

# ISO 639-1 code (or the 639-3 one where there is none) -> PyStemmer algorithm (>= 3.1).
SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "uk": "russian",
    "yi": "yiddish",
}
# Languages with a rule of their own but no stemmer.
OWN_RULES = frozenset({"az", "he"})
# Languages whose capital I is dotless (`I` → `ı`) and whose `İ` is a plain `i`.
TURKIC = frozenset({"tr", "az"})
# Tags that name the same language under another code.
ALIASES = {"nb": "no", "nn": "no", "iw": "he", "ji": "yi", "in": "id", "ukr": "uk"}
# The languages with a Snowball stop list (`stop/<code>.txt`).
STOP_LISTS = frozenset({"da", "de", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ru", "sv"})


def primary_language(tag: str) -> str:
    """The language a tag names, without region or script: `pt-br` → `pt`, `nb` → `no`."""
    primary = tag.replace("_", "-").partition("-")[0].lower()
    return ALIASES.get(primary, primary)


def analysis_key(tag: str | None) -> str:
    """Which analysis an article of language `tag` gets (None: not known → English)."""
    if not tag:
        return ENGLISH
    language = primary_language(tag)
    if language in SNOWBALL or language in OWN_RULES:
        return language
    return OTHER


@cache
def stop_words(key: str) -> frozenset[str]:
    """The stop words of the analysis `key`, case-folded as words are (none for most)."""
    if key not in STOP_LISTS:
        return frozenset()
    # Beside this module, as the shipped synonyms are (see text.synonyms).
    text = Path(__file__).with_name("stop").joinpath(f"{key}.txt").read_text("utf-8")
    words = (line.split("|", 1)[0].strip() for line in text.splitlines())
    return frozenset(word.casefold() for word in words if word)
