"""What matches what: the one definition of how text becomes index terms, per language.

The same analysis runs when articles are indexed, when queries are parsed and when
snippets are highlighted, so a query word always meets the article words it should. Each
article is analysed in its language (`text.languages.analysis_key`): words (kept whole
across their combining marks: Devanagari vowel signs, Arabic harakat), case folded as the
language folds it (Turkish `İ` → `i`), stop words dropped, the language's Snowball stemmer,
then accents folded (`turkiye` finds `Türkiye`; never for Indic scripts, whose marks are
letters); Arabic and Persian letter variants made one (hamza forms, yeh, kaf, teh
marbuta), Hebrew niqqud removed. Text written without spaces (Chinese, Japanese, Korean,
Thai) becomes overlapping pairs of characters, as Lucene's CJK analyzer makes them, so a
word inside it is found. English is analysed exactly as before languages were known:
tests/test_analysis.py compares it with the former Whoosh chain on real text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from functools import cache, lru_cache

import Stemmer

from newsgrep.text.languages import ENGLISH, SNOWBALL, TURKIC, stop_words
from newsgrep.text.languages.marks import MARKS
from newsgrep.text.languages.scripts import has_unspaced, marks_are_letters, unspaced_runs

# Words: letters and digits with their combining marks (and the zero-width joiners of
# Persian and Indic words), kept whole across inner dots ("U.S", "3.5").
_LETTER = rf"\w[\w{MARKS}\u200c\u200d]*"
TOKEN_PATTERN = rf"{_LETTER}(?:\.{_LETTER})*"

# Whoosh's English stop list minus "us" (the U.S.) and "may" (the month), both news words;
# plus the letters an apostrophe leaves behind ("Russia's", "don't").
NEWS_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a published list, kept as one readable string
        "a an and are as at be by can for from have if in is it not of on or tbd that the "
        "this to we when will with yet you your s t"
    ).split()
)


# Letters that carry no combining mark to strip, folded as a reader would type them.
_UNMARKED_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"}
    | {"Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Þ": "Th", "ẞ": "SS", "Æ": "Ae", "Œ": "Oe"}
)
# Arabic-script letters written several ways (after accent folding has taken the hamza off
# أ إ آ ؤ ئ): alef wasla, alef maqsura and Arabic yeh as Persian yeh, Arabic kaf as Persian
# kaf, teh marbuta as heh; the tatweel (a stretching stroke) goes.
_ARABIC_LETTERS = str.maketrans({"ٱ": "ا", "ى": "ی", "ي": "ی", "ك": "ک", "ة": "ه", "ـ": None})
_PERSIAN_LETTERS = str.maketrans({"ي": "ی", "ك": "ک"})
# The patterns of Arabic, Persian and Hebrew are compiled (by `re`, which keeps them) when
# those analyses first use them: ~1 ms that a search of other languages does not pay.
_ARABIC_MARKS = "[\u064b-\u065f\u0670\u0640]"
_HEBREW_MARKS = "[\u0591-\u05c7]"
_JOINERS = str.maketrans({"\u200c": None, "\u200d": None})
# A conjunction or preposition before the article (والحقوق, بالحق): Snowball's Arabic
# stemmer takes the article off, not the letter before it (Lucene's light stemmer does).
_ARABIC_PREFIX = "^[وبكف](?=ال..)"
# Hebrew writes `the`, `and`, `in`, `to`, `as`, `from`, `that` as letters before a word
# (הזכות, לחיים); there is no Snowball Hebrew, so one or two of them are taken off a word
# that keeps three letters or more (a light stemmer: recall over precision).
_HEBREW_PREFIX = "^(?:[וש]?[הבלכמ]|[וש])(?=[\u05d0-\u05ea]{3})"


def fold_accents(text: str) -> str:
    """`text` without diacritics: `Türkiye` → `Turkiye`, `İstanbul` → `Istanbul`."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNMARKED_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _fold(text: str) -> str:
    """Accents and letter variants folded, for any script (Indic marks kept)."""
    if text.isascii():
        return text
    if marks_are_letters(text):
        return unicodedata.normalize("NFC", text)
    return fold_accents(text).translate(_ARABIC_LETTERS)


# Letters joined by dots are one word: `U.S.` is `us`, `N.A.T.O.` is `nato`, so they meet
# `US` and `NATO` written without dots. Numbers (`3.5`) keep their dots.
DOTTED_LETTERS = re.compile(r"(?:[a-z]\.)+[a-z]")

# In English text, the pronoun "us" (written in lower case, or "Us") is a stop word, so that
# it does not pass for the country: "US" and "U.S." are indexed as `us`. A query word `us`
# in any case means the country: nobody searches for the pronoun.
PRONOUN_US = frozenset({"us", "Us"})

Analyzed = tuple[str, int, int, int]  # (term, position, start char, end char)


class Analysis:
    """One language's analysis of a word (see the module's docstring), remembered."""

    def __init__(self, key: str) -> None:
        self.key = key
        algorithm = SNOWBALL.get(key)
        self._stem: Callable[[str], str] | None = (
            Stemmer.Stemmer(algorithm).stemWord if algorithm else None
        )
        self._stops = NEWS_STOP_WORDS if key == ENGLISH else stop_words(key)
        self._turkic = key in TURKIC
        self._terms: dict[str, str | None] = {}

    def term(self, word: str) -> str | None:
        """The index term of one word as the tokenizer cut it; None for a stop word."""
        try:
            return self._terms[word]
        except KeyError:
            term = self._terms[word] = (
                self._english(word) if self.key == ENGLISH else (self._term(word))
            )
            return term

    def _english(self, word: str) -> str | None:
        # As newsgrep always did: accents folded before the stop list and the stemmer.
        text = _fold(word.lower() if word.isascii() else word.casefold().translate(_JOINERS))
        if "." in text and DOTTED_LETTERS.fullmatch(text):
            text = text.replace(".", "")
        if not text or text in self._stops:
            return None
        assert self._stem is not None
        return self._stem(text)

    def _term(self, word: str) -> str | None:
        # The stemmer reads the language's own letters (ı, ş, ß, tonos); accents are
        # folded after it (before, Turkish hakları and Arabic الحياة stem wrong).
        if self._turkic:
            word = word.replace("I", "ı").replace("İ", "i")
        text = word.casefold().translate(_JOINERS)
        if "." in text and DOTTED_LETTERS.fullmatch(text):
            text = text.replace(".", "")
        if not text or text in self._stops:
            return None
        if self.key in ("ar", "fa"):
            text = re.sub(_ARABIC_MARKS, "", text)
            text = re.sub(_ARABIC_PREFIX, "", text) if self.key == "ar" else text
            text = text.translate(_PERSIAN_LETTERS) if self.key == "fa" else text
        elif self.key == "he":
            text = re.sub(_HEBREW_PREFIX, "", re.sub(_HEBREW_MARKS, "", text))
        if self._stem is not None:
            text = self._stem(text)
        return _fold(text) or None


@cache
def analysis(key: str) -> Analysis:
    """The analysis of the language `key` (`text.languages.analysis_key`)."""
    return Analysis(key)


# --- the analysis of a text, in one pass --------------------------------------------------
#
# Whoosh runs an analyzer as a chain of generators over Token objects, a few microseconds
# per word per filter. Indexing, snippets and sketches use this single loop; the engine's
# Whoosh analyzers for queries (`engine.analyzers`) are built on it.

# Compiled with the flag Whoosh gives it (str patterns are Unicode either way): the same
# pattern in the index's pickled schema (`engine.analyzers.label_analyzer`) is then found
# in `re`'s cache when a search opens the index, not compiled again (2 ms).
TOKEN = re.compile(TOKEN_PATTERN, re.UNICODE)


@lru_cache(maxsize=8)
def analyze(text: str, key: str = ENGLISH, query: bool = False) -> tuple[Analyzed, ...]:
    """Every index term of `text` in the analysis `key`, with its position and character
    span; `query`: as a query word is read (the English pronoun `us` kept). (The last few
    texts are remembered: indexing asks for an article's title and body for their
    lengths, sketch and terms.)"""
    term_of = analysis(key).term
    drop_pronoun = key == ENGLISH and not query
    found: list[Analyzed] = []
    position = None
    number = -1
    for match in TOKEN.finditer(text):
        word = match.group()
        if not word.isascii() and has_unspaced(word):
            for term, start, end in _pieces(word, match.start(), term_of):
                number += 1
                if term is None:
                    continue
                position = number if position is None else position + 1
                found.append((term, position, start, end))
            continue
        number += 1
        if drop_pronoun and word in PRONOUN_US:
            continue  # the pronoun, not the country
        term = term_of(word)
        if term is None:
            continue
        # As Whoosh's StopFilter renumbers: the first kept word keeps its place in the
        # text, the ones after it follow on without gaps.
        position = number if position is None else position + 1
        found.append((term, position, match.start(), match.end()))
    return tuple(found)


def _pieces(
    word: str, offset: int, term_of: Callable[[str], str | None]
) -> list[tuple[str | None, int, int]]:
    """A token holding unspaced script: its other letters as words, each run of unspaced
    script as its overlapping character pairs (a lone character as itself)."""
    pieces: list[tuple[str | None, int, int]] = []
    last = 0
    for run in unspaced_runs(word):
        if run.start() > last:
            pieces.append((term_of(word[last : run.start()]), offset + last, offset + run.start()))
        chars = run.group()
        start = offset + run.start()
        if len(chars) == 1:
            pieces.append((chars, start, start + 1))
        for i in range(len(chars) - 1):
            pieces.append((chars[i : i + 2], start + i, start + i + 2))
        last = run.end()
    if last < len(word):
        pieces.append((term_of(word[last:]), offset + last, offset + len(word)))
    return pieces


def term_spans(text: str, terms: Collection[str], key: str = ENGLISH) -> list[tuple[int, int]]:
    """The character spans of the words of `text` (indexed in the analysis `key`) whose
    term is one of `terms`, as `analyze` would mark them; overlapping character pairs of
    unspaced script as one span."""
    if not text.isascii() and has_unspaced(text):
        return _merged(analyze(text, key), terms)
    # Each distinct word is looked up once and the text scanned for the few that match,
    # instead of analyzing every word: a snippet needs only where the query's words are.
    term_of = analysis(key).term
    pronoun = PRONOUN_US if key == ENGLISH else frozenset()
    wanted = {
        word for word in set(TOKEN.findall(text)) if word not in pronoun and term_of(word) in terms
    }
    if not wanted:
        return []
    return [span for span in _occurrences(text, wanted) if _is_token(text, *span)]


def _occurrences(text: str, words: set[str]) -> list[tuple[int, int]]:
    # Longest first, so that a word that begins another does not hide it.
    alternatives = sorted(words, key=lambda word: (-len(word), word))
    pattern = re.compile("|".join(map(re.escape, alternatives)))
    return [match.span() for match in pattern.finditer(text)]


@cache
def _run_marks() -> frozenset[str]:
    """What a token's run is made of besides `\\w`: MARKS, the joiners, the dot. A set, as
    compiling the long class of marks into a pattern costs a search more than its lookups."""
    chars = set("\u200c\u200d.")
    for first, last in re.findall(r"(.)(?:-(.))?", MARKS, re.DOTALL):
        chars.update(map(chr, range(ord(first), ord(last or first) + 1)))
    return frozenset(chars)


def _in_run(char: str) -> bool:
    """Whether `char` is one of `[\\w{MARKS}\\u200c\\u200d.]` (`\\w` as `re` reads it for
    text: what str.isalnum takes, and the underscore)."""
    return char.isalnum() or char == "_" or char in _run_marks()


def _is_token(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one of the words the tokenizer cuts `text` into (not a
    part of a longer one): tokenized from where its run of word characters begins."""
    run = start
    while run > 0 and _in_run(text[run - 1]):
        run -= 1
    for token in TOKEN.finditer(text, run):
        if token.start() >= start:
            return token.start() == start and token.end() == end
    return False


def _merged(analyzed: tuple[Analyzed, ...], terms: Collection[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term, _, start, end in analyzed:
        if term not in terms:
            continue
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def index_terms(text: str, key: str = ENGLISH) -> list[str]:
    """The terms `text` contributes to the index in the analysis `key`, in order (stop
    words dropped)."""
    return [term for term, _, _, _ in analyze(text, key)]


def query_terms(text: str, key: str = ENGLISH) -> list[str]:
    """The terms of a query word (or words) in the analysis `key`."""
    return [term for term, _, _, _ in analyze(text, key, True)]
