"""Snippets: whole-word passages around the matches, with spans into their own text."""

from __future__ import annotations

from newsgrep.model import Span
from newsgrep.text.analysis import index_terms
from newsgrep.text.snippets import make_snippets, match_spans


def terms(*words: str) -> frozenset[str]:
    return frozenset(term for word in words for term in index_terms(word))


def marked(snippet) -> list[str]:  # type: ignore[no-untyped-def]
    return [snippet.text[start:end] for start, end in snippet.spans]


def test_spans_cover_stemmed_and_folded_forms() -> None:
    text = "Talks in Türkiye: the talking continued."
    assert [text[s:e] for s, e in match_spans(text, terms("talk", "turkiye"))] == [
        "Talks",
        "Türkiye",
        "talking",
    ]


def test_best_sentence_wins_over_the_first() -> None:
    text = (
        "Markets were calm on Monday. Nothing else happened. "
        "Grain prices rose as grain exports recovered through the Black Sea. Then it rained."
    )
    (snippet,) = make_snippets(text, terms("grain", "exports"), count=1, max_chars=80)
    assert snippet.text.startswith("Grain prices rose")
    assert marked(snippet) == ["Grain", "grain", "exports"]


def test_passage_is_one_line_and_spans_follow_the_folded_whitespace() -> None:
    text = "The bank\n    kept   its rate\nunchanged.   Inflation rose."
    (snippet,) = make_snippets(text, terms("rate", "inflation"), max_chars=200)
    assert "\n" not in snippet.text and "  " not in snippet.text
    assert marked(snippet) == ["rate", "Inflation"]


def test_long_sentence_is_cut_at_words_around_the_match() -> None:
    words = [f"word{i}" for i in range(200)]
    words[120] = "ceasefire"
    text = " ".join(words) + "."
    (snippet,) = make_snippets(text, terms("ceasefire"), max_chars=100)
    assert len(snippet.text) <= 100
    assert marked(snippet) == ["ceasefire"]
    assert snippet.cut_before and snippet.cut_after
    # Whole words only at both ends.
    assert all(part.startswith("word") or part == "ceasefire" for part in snippet.text.split())
    assert snippet.text.split()[0] in words and snippet.text.split()[-1].rstrip(".") in words


def test_several_snippets_come_in_reading_order_without_overlap() -> None:
    sentences = [f"Sentence {i} is filler text for the test." for i in range(30)]
    sentences[3] = "The summit opened in Venice."
    sentences[25] = "Leaders left the summit early."
    text = " ".join(sentences)
    first, second = make_snippets(text, terms("summit"), count=2, max_chars=60)
    assert "Venice" in first.text and "early" in second.text
    assert marked(first) == marked(second) == ["summit"]


def test_no_match_in_body_shows_the_opening() -> None:
    text = "The opening sentence sets the scene. A second sentence follows it."
    (snippet,) = make_snippets(text, terms("zeppelin"), max_chars=40)
    assert snippet.text.startswith("The opening sentence")
    assert snippet.spans == ()
    assert not snippet.cut_before and snippet.cut_after


def test_count_zero_and_empty_text_give_no_snippets() -> None:
    assert make_snippets("Some text.", terms("text"), count=0) == []
    assert make_snippets("   ", terms("text")) == []


def test_whole_sentences_carry_no_cut_marks() -> None:
    text = "First one here. The summit opened in Venice. Last one."
    (snippet,) = make_snippets(text, terms("summit"), max_chars=30)
    assert snippet.text == "The summit opened in Venice."
    assert not snippet.cut_before and not snippet.cut_after


def test_spans_are_where_the_analysis_puts_the_matched_words() -> None:
    """Snippets find the matched words without analyzing every word of the article: the
    spans are those the full analysis gives, for the pronoun `us`, dotted abbreviations,
    accents, Turkish capitals and text with unspaced script alike."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from newsgrep.text.analysis import analyze, term_spans

    words = ["US", "us", "U.S.", "Talks", "talking", "the", "İnsan", "Türkiye", "peace"]
    words += ["和平谈判", "東京で", "said", "Insan", "talks.", "(peace)", "ÉTÉ", "été"]
    words += ["oil", "boil", "oils", "oil.x", "x.oil", "U.S.A.", "A", "S.", "e\u0301te\u0301"]
    words += ["te\u0301", "oil\u200dx", "3.5", "oil3", "oil_x", "..oil"]

    def spans_by_analysis(text: str, wanted: frozenset[str], key: str) -> list[Span]:
        spans: list[Span] = []
        for term, _, start, end in analyze(text, key):
            if term in wanted:
                if spans and start < spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                else:
                    spans.append((start, end))
        return spans

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.sampled_from(words), max_size=12),
        st.sampled_from([" ", "", "-", ".", ", "]),
        st.lists(st.sampled_from(words), min_size=1, max_size=3),
        st.sampled_from(["en", "tr", "fr", "zh"]),
    )
    def check(text_words: list[str], glue: str, query: list[str], key: str) -> None:
        text = glue.join(text_words)
        wanted = frozenset(term for word in query for term, *_ in analyze(word, key, True))
        assert term_spans(text, wanted, key) == spans_by_analysis(text, wanted, key)

    check()


def test_spans_mark_the_matched_words_whatever_the_whitespace() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["talks", "peace", "the", "Türkiye", "grain", "x", "talk."])
    spaces = st.sampled_from([" ", "  ", "\n", "\t \n ", "\n\n", " \u00a0 "])

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(words, spaces), min_size=1, max_size=60))
    def check(pieces: list[tuple[str, str]]) -> None:
        text = "".join(word + space for word, space in pieces)
        for snippet in make_snippets(text, {"talk", "turkiy"}, count=2, max_chars=60):
            assert " " * 2 not in snippet.text and "\n" not in snippet.text
            for start, end in snippet.spans:
                assert snippet.text[start:end].rstrip(".") in ("talks", "Türkiye", "talk")

    check()
