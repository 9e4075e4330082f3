"""Writing systems, as the analysis and the language detector need to tell them apart: the
scripts written without spaces between words (cut into character pairs), the scripts whose
combining marks are letters (never folded away), and the script a text is mostly in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache

# Written without spaces between words: Thai, Hangul (jamo, compatibility jamo, syllables),
# kana, CJK ideographs (with extension A, compatibility ideographs and the supplementary
# planes), half-width katakana. Lucene's CJK analyzer pairs these characters; Thai too here.
UNSPACED = (
    "\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# Scripts whose combining marks are vowel signs, part of the letter: stripping them, as
# accent folding does for Latin, Greek or Cyrillic, would merge different words. Brahmic
# scripts from Devanagari to Sinhala, Tibetan, Myanmar, Khmer, and the supplementary ones.
_LETTER_MARKS = "\u0900-\u0dff\u0f00-\u109f\u1780-\u17ff\U00011000-\U000111ff"


# Both classes are compiled when first needed: the compiler visits every code point of
# their ranges (some 4 ms for the two), and text with no character from their first one up
# (ASCII, Latin, Greek, Cyrillic, Hebrew, Arabic) never needs them.
_UNSPACED_FIRST = "\u0e00"
_LETTER_MARKS_FIRST = "\u0900"


@cache
def _unspaced_run() -> re.Pattern[str]:
    return re.compile(f"[{UNSPACED}]+")


@cache
def _letter_marks() -> re.Pattern[str]:
    return re.compile(f"[{_LETTER_MARKS}]")


def has_unspaced(text: str) -> bool:
    """Whether `text` holds a letter of a script written without spaces."""
    if text.isascii() or max(text) < _UNSPACED_FIRST:
        return False
    return _unspaced_run().search(text) is not None


def unspaced_runs(text: str) -> Iterator[re.Match[str]]:
    """The runs of script written without spaces in `text`, in order."""
    return _unspaced_run().finditer(text)


def marks_are_letters(text: str) -> bool:
    """Whether `text` is in a script whose combining marks must be kept."""
    if text.isascii() or max(text) < _LETTER_MARKS_FIRST:
        return False
    return _letter_marks().search(text) is not None


# (first code point, last code point, script) in increasing order, for `dominant_script`.
_BLOCKS = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1000, 0x109F, "myanmar"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "hangul"),
    (0x1200, 0x139F, "ethiopic"),
    (0x1780, 0x17FF, "khmer"),
    (0x1C90, 0x1CBF, "georgian"),
    (0x1E00, 0x1EFF, "latin"),
    (0x1F00, 0x1FFF, "greek"),
    (0x3040, 0x30FF, "kana"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF66, 0xFF9F, "kana"),
    (0x20000, 0x3134F, "han"),
)
_STARTS = [start for start, _, _ in _BLOCKS]


def script_of(char: str) -> str | None:
    """The script of a letter (None for anything else, or a script not listed)."""
    if not char.isalpha():
        return None
    code = ord(char)
    low, high = 0, len(_BLOCKS)
    while low < high:  # the last block starting at or before `code`
        middle = (low + high) // 2
        if _STARTS[middle] <= code:
            low = middle + 1
        else:
            high = middle
    if low == 0:
        return None
    start, end, script = _BLOCKS[low - 1]
    return script if code <= end else None


def script_letters(text: str) -> Counter[str]:
    """How many letters of each script `text` has."""
    if text.isascii():
        return Counter({"latin": sum(map(str.isalpha, text))})  # counted in C
    return Counter(script for char in text if (script := script_of(char)) is not None)
