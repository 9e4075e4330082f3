"""Snippets: the passages of an article that best show why it matched, with match spans.

A passage is built from whole sentences around the matched words, cut at a word when a
sentence is too long, and normalised to one line; `spans` are character offsets into the
passage's own text. Matching uses the index's analyzer, so `talks` is marked for a query
`talk` and `Türkiye` for `turkiye`. An article with no match in its body shows its opening.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection

from newsgrep.model import DEFAULT_SNIPPET_CHARS, Snippet, Span
from newsgrep.text.analysis import term_spans
from newsgrep.text.languages import ENGLISH

# A sentence up to this much longer than a passage is still shown whole, not cut.
LONG_SENTENCE_SLACK = 1.3


# Sentence ends: . ! ? (with closing quotes) before whitespace, or a blank line
# (and after the full stops of Chinese and Japanese, which no space follows).
_SENTENCE_BREAK = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+|(?<=[。！？])\s*|\n\s*\n""")
_WHITESPACE = re.compile(r"\s")
_WHITESPACE_RUN = re.compile(r"\s+")
_SENTENCE_ENDINGS = (".", "!", "?", '"', "'", "”", "’", ")", "]", ":", "。", "！", "？")


def match_spans(text: str, terms: Collection[str], key: str = ENGLISH) -> list[Span]:
    """Where in `text` (indexed in the analysis `key`) the words that analyze to one of
    `terms` stand; overlapping character pairs of unspaced script as one span."""
    if not terms or not text:
        return []
    return term_spans(text, terms, key)


def make_snippets(
    text: str,
    terms: Collection[str],
    count: int = 1,
    max_chars: int = DEFAULT_SNIPPET_CHARS,
    key: str = ENGLISH,
) -> list[Snippet]:
    """Up to `count` best passages of `text` (indexed in the analysis `key`) for the query
    `terms`, in reading order."""
    if count <= 0 or not text.strip():
        return []
    spans = match_spans(text, terms, key)
    if not spans:
        return [_passage(text, _lead_window(text, max_chars), [])]
    sentences = _sentences(text)
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (-_sentence_score(text, sentences[i], spans), i),
    )
    chosen: list[Span] = []
    for i in ranked:
        if len(chosen) == count or _sentence_score(text, sentences[i], spans) == 0:
            break
        window = _grow(sentences, i, spans, max_chars)
        if not any(window[0] < end and start < window[1] for start, end in chosen):
            chosen.append(window)
    return [_passage(text, window, spans) for window in sorted(chosen)]


def _sentences(text: str) -> list[Span]:
    sentences = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if match.start() > start:
            sentences.append((start, match.start()))
        start = match.end()
    if start < len(text):
        sentences.append((start, len(text.rstrip())))
    return [s for s in sentences if s[1] > s[0]]


def _inside(spans: list[Span], window: Span) -> list[Span]:
    return [s for s in spans if window[0] <= s[0] and s[1] <= window[1]]


def _sentence_score(text: str, sentence: Span, spans: list[Span]) -> int:
    # Distinct words matched count most, repeats a little.
    inside = _inside(spans, sentence)
    distinct = {text[start:end].lower() for start, end in inside}
    return 4 * len(distinct) + len(inside)


def _grow(sentences: list[Span], index: int, spans: list[Span], max_chars: int) -> Span:
    """The sentence, with neighbours added while they fit; a long one is cut around its
    first match."""
    start, end = sentences[index]
    if end - start > max_chars * LONG_SENTENCE_SLACK:
        first = _inside(spans, (start, end))[0][0]
        return _word_window(start, end, first, max_chars)
    before, after = index - 1, index + 1
    while True:
        if after < len(sentences) and sentences[after][1] - start <= max_chars:
            end = sentences[after][1]
            after += 1
        elif before >= 0 and end - sentences[before][0] <= max_chars:
            start = sentences[before][0]
            before -= 1
        else:
            return start, end


def _word_window(start: int, end: int, anchor: int, max_chars: int) -> Span:
    # Some context before the first match, then as much after it as fits.
    begin = max(start, anchor - max_chars // 4)
    return begin, min(end, begin + max_chars)


def _lead_window(text: str, max_chars: int) -> Span:
    stripped_start = len(text) - len(text.lstrip())
    return stripped_start, min(len(text.rstrip()), stripped_start + max_chars)


def _passage(text: str, window: Span, spans: list[Span]) -> Snippet:
    """Cut `window` to whole words, fold its whitespace, and move the spans along."""
    start, end = _to_word_edges(text, window)
    piece = text[start:end]
    passage = _WHITESPACE_RUN.sub(" ", piece)  # each run of whitespace one space
    runs = _run_ends(piece)
    inside = _inside(spans, (start, end))
    moved = tuple((_moved(s - start, runs), _moved(e - start, runs)) for s, e in inside)
    before, after = text[:start].rstrip(), text[end:].strip()
    cut_before = bool(before) and not before.endswith(_SENTENCE_ENDINGS)
    cut_after = bool(after) and not passage.endswith(_SENTENCE_ENDINGS)
    return Snippet(passage, moved, cut_before, cut_after)


def _run_ends(piece: str) -> tuple[list[int], list[int]]:
    """Where each run of whitespace in `piece` ends, and how many characters folding it
    and the runs before it to one space each took out."""
    ends: list[int] = []
    taken: list[int] = []
    total = 0
    for match in _WHITESPACE_RUN.finditer(piece):
        total += match.end() - match.start() - 1
        ends.append(match.end())
        taken.append(total)
    return ends, taken


def _moved(offset: int, runs: tuple[list[int], list[int]]) -> int:
    """Where `offset` of the piece lands in its passage (never inside a run: spans are
    words, and a span's end is a word's)."""
    ends, taken = runs
    before = bisect.bisect_right(ends, offset)
    return offset - taken[before - 1] if before else offset


def _to_word_edges(text: str, window: Span) -> Span:
    start, end = window
    if 0 < start < len(text) and not text[start - 1].isspace():
        space = _WHITESPACE.search(text, start, end)
        start = space.end() if space else start
    if end < len(text) and not text[end].isspace() and not text[end - 1].isspace():
        last_space = max((m.start() for m in _WHITESPACE.finditer(text, start, end)), default=-1)
        end = last_space if last_space > start else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
