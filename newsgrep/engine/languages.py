"""A query in every language the index holds, without the user naming one.

Each article's title and body are indexed in its language's analysis (`text.analysis`), in
the one `title`/`body` field pair. A query is read once per analysis the live articles have
(`Reader`: Whoosh's parser with that language's analyzer for words, phrases, prefixes and
fuzzy words, so `права` is `прав` for Russian articles and `Menschenrechte` is
`menschenrecht` for German ones), and each reading is matched against that language's
articles only (`FieldFilter` on the `analysis` field, scoring nothing): an article meets the
query exactly as its own language reads it, stop words and all. Languages that read the
query alike share one branch, and when every language reads it alike (an English-only
index, `date:2025`) the query is that one reading with no filter: it matches and scores as
it did before languages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from whoosh import matching, qparser, query
from whoosh.qparser.syntax import attach
from whoosh.qparser.taggers import RegexTagger

from newsgrep.engine.analyzers import text_analyzer
from newsgrep.text.analysis import analyze
from newsgrep.text.languages.scripts import has_unspaced

TEXT_FIELDS = ("title", "body")


class Reader(qparser.QueryParser):  # type: ignore[misc]
    """Whoosh's parser over title and body, reading query words in the analysis `key`.
    A word that makes several terms is their phrase when it is unspaced script (the
    character pairs of `人身安全`), else all of them (the parts of `face-to-face`)."""

    def __init__(self, schema: Any, key: str) -> None:
        super().__init__(None, schema)  # as Whoosh's MultifieldParser makes one
        self.add_plugin(qparser.MultifieldPlugin(list(TEXT_FIELDS)))
        self.language = key
        self.remove_plugin_class(qparser.PhrasePlugin)
        self.add_plugin(_PhrasePlugin())

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: Any,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> Any:
        if fieldname not in TEXT_FIELDS:
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        analyzer = text_analyzer(self.language)
        tokens = analyzer(text, mode="query", tokenize=tokenize, removestops=removestops)
        texts = [token.text for token in tokens]
        if not texts:
            return None
        if len(texts) == 1:
            return termclass(fieldname, texts[0], boost=boost)
        spec = "phrase" if has_unspaced(text) else "default"
        return self.multitoken_query(spec, texts, fieldname, termclass, boost)


class _PhrasePlugin(qparser.PhrasePlugin):  # type: ignore[misc]
    """`"..."` read in the parser's language."""

    class PhraseNode(qparser.PhrasePlugin.PhraseNode):  # type: ignore[misc]
        def query(self, parser: Any) -> Any:
            fieldname = self.fieldname or parser.fieldname
            if fieldname not in TEXT_FIELDS:
                return super().query(parser)
            words, ranges = [], []
            for term, _, start, end in analyze(self.text, parser.language, True):
                words.append(term)
                ranges.append((self.textstartchar + start, self.textstartchar + end))
            found = parser.phraseclass(
                fieldname, words, slop=self.slop, boost=self.boost, char_ranges=ranges
            )
            return attach(found, self)

    class PhraseTagger(RegexTagger):  # type: ignore[misc]
        def create(self, parser: Any, match: Any) -> Any:
            slop = int(match.group("slop")) if match.group("slop") else 1
            return _PhrasePlugin.PhraseNode(match.group("text"), match.start("text"), slop)

    def taggers(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.PhraseTagger(self.expr), 0)]


class FieldFilter(query.WrappingQuery):  # type: ignore[misc]
    """Articles with one of `values` in the keyword field `fieldname` (`analysis`, `lang`),
    as a clause that adds nothing to a score: an article's score is what the rest of the
    query gives it, to the last bit."""

    def __init__(self, fieldname: str, values: Iterable[str]) -> None:
        self.fieldname = fieldname
        self.values = tuple(sorted(set(values)))
        terms = [query.Term(fieldname, value) for value in self.values]
        super().__init__(terms[0] if len(terms) == 1 else query.Or(terms))

    def _rewrap(self, child: Any) -> Any:
        return FieldFilter(self.fieldname, self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldFilter) and (other.fieldname, other.values) == (
            self.fieldname,
            self.values,
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.values))

    def __str__(self) -> str:
        name = "lang" if self.fieldname == "analysis" else self.fieldname
        return f"{name}:{'|'.join(self.values)}"

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        found = self.child.matcher(searcher, context)
        if isinstance(found, matching.NullMatcherClass):
            return found
        return matching.WrappingMatcher(found, boost=0.0)


def restricted(whoosh_query: Any, restriction: Any) -> Any:
    """`whoosh_query` AND `restriction`, its clauses side by side (a top-level date clause
    stays one that `columns.split_dates` finds)."""
    if type(whoosh_query) is query.And:
        return query.And([*whoosh_query.children(), restriction])
    return query.And([whoosh_query, restriction])


def combined(readings: dict[str, Any], sizes: Mapping[str, int]) -> Any:
    """One query from each analysis's reading of it (`readings`: analysis key -> query;
    `sizes`: the live articles of every analysis the index holds, some of which may read no
    words in the query): the reading itself when all read it alike; else one branch per
    distinct reading, restricted to the articles of the analyses that read it so, with the
    clauses every reading shares on other fields (dates, sources) outside the branches. The
    branch of the most articles is restricted by leaving the others' articles out, which
    costs as little as they are few: a mostly English index searches at nearly the speed of
    an English one."""
    groups: list[tuple[Any, list[str]]] = []
    for key, reading in readings.items():
        for found, keys in groups:
            if found == reading:
                keys.append(key)
                break
        else:
            groups.append((reading, [key]))
    if len(groups) == 1 and set(groups[0][1]) >= set(sizes):
        return groups[0][0]
    shared = _shared_clauses([reading for reading, _ in groups])
    largest = max(range(len(groups)), key=lambda i: sum(sizes.get(k, 0) for k in groups[i][1]))
    branches = []
    for number, (reading, keys) in enumerate(groups):
        rest = _without(reading, shared)
        if number == largest:
            others = set(sizes) - set(keys)
            branches.append(query.AndNot(rest, FieldFilter("analysis", others)))
        else:
            branches.append(restricted(rest, FieldFilter("analysis", keys)))
    body = branches[0] if len(branches) == 1 else query.Or(branches)
    return query.And([*shared, body]) if shared else body


def _shared_clauses(readings: list[Any]) -> list[Any]:
    """The clauses on fields other than title and body that every reading ANDs."""
    if not all(type(reading) is query.And for reading in readings):
        return []
    first, *others = readings
    return [
        clause
        for clause in first.children()
        if not {leaf.field() for leaf in clause.leaves()} & set(TEXT_FIELDS)
        and all(clause in list(other.children()) for other in others)
    ]


def _without(reading: Any, clauses: list[Any]) -> Any:
    if not clauses:
        return reading
    rest = [child for child in reading.children() if child not in clauses]
    return rest[0] if len(rest) == 1 else query.And(rest)


def readings_of(whoosh_query: Any) -> list[Any]:
    """The per-language readings in a query made by `combined`, without their language
    restriction and shared clauses (the query itself when it has none)."""
    body = whoosh_query
    if type(body) is query.And:
        body = next((c for c in body.children() if _is_branches(c) or _is_branch(c)), body)
    if _is_branches(body):
        return [_without_filter(child) for child in body.children()]
    if _is_branch(body):
        return [_without_filter(body)]
    return [whoosh_query]


def branch_parts(whoosh_query: Any) -> list[tuple[Any, tuple[str, ...], bool]] | None:
    """The branches of a query made by `combined` with no clauses shared outside them: for
    each, its reading, the analyses its filter names, and whether it leaves their articles
    out (the largest branch) rather than keeping only them. None for any other query."""
    if _is_branch(whoosh_query):
        branches = [whoosh_query]
    elif _is_branches(whoosh_query):
        branches = list(whoosh_query.children())
    else:
        return None
    parts = []
    for branch in branches:
        if type(branch) is query.AndNot:
            parts.append((branch.a, branch.b.values, True))
            continue
        filters = [child for child in branch.children() if _is_language_filter(child)]
        if len(filters) != 1:
            return None
        parts.append((_without_filter(branch), filters[0].values, False))
    return parts


def map_readings(whoosh_query: Any, change: Callable[[Any], Any]) -> Any:
    """The query with each branch's reading (see `branch_parts`) made `change(reading)`;
    a query of one reading, `change(query)`."""
    if _is_branch(whoosh_query):
        return _map_branch(whoosh_query, change)
    if _is_branches(whoosh_query):
        return query.Or([_map_branch(branch, change) for branch in whoosh_query.children()])
    return change(whoosh_query)


def _map_branch(branch: Any, change: Callable[[Any], Any]) -> Any:
    if type(branch) is query.AndNot:
        return query.AndNot(change(branch.a), branch.b)
    language = next(child for child in branch.children() if _is_language_filter(child))
    return restricted(change(_without_filter(branch)), language)


def _is_branches(node: Any) -> bool:
    return isinstance(node, query.Or) and all(_is_branch(child) for child in node.children())


def _is_branch(node: Any) -> bool:
    if type(node) is query.AndNot:
        return _is_language_filter(node.b)
    return type(node) is query.And and any(map(_is_language_filter, node.children()))


def _is_language_filter(node: Any) -> bool:
    return isinstance(node, FieldFilter) and node.fieldname == "analysis"


def _without_filter(node: Any) -> Any:
    if type(node) is query.AndNot:
        return node.a
    rest = [c for c in node.children() if not _is_language_filter(c)]
    return rest[0] if len(rest) == 1 else query.And(rest)


def word_terms(word: str, languages: Iterable[str]) -> str:
    """A query word's terms in each analysis, for --explain: `talk` when all read it alike,
    else `talk (en) · talks (de)`; empty for a stop word everywhere."""
    found: dict[str, list[str]] = {}
    for key in sorted(languages):
        terms = " ".join(term for term, _, _, _ in analyze(word, key, True))
        found.setdefault(terms, []).append(key)
    if len(found) == 1:
        return next(iter(found))
    return " · ".join(
        f"{terms or '(a stop word)'} ({', '.join(keys)})" for terms, keys in found.items()
    )
