"""Synonyms and variant spellings, applied to queries: `kyiv` also finds `Kiev`.

A synonyms file holds one group per line, its variants separated by commas; a variant may
be several words (`ivory coast`). Blank lines and `#` comments are ignored:

    kyiv, kiev
    côte d'ivoire, ivory coast

newsgrep ships a small list of well-known news variants (`default_synonyms.txt`); a user's
file (`--synonyms FILE`, config `synonyms`) adds its groups to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from newsgrep.errors import NewsgrepError
from newsgrep.text.analysis import index_terms

Terms = tuple[str, ...]


class SynonymsError(NewsgrepError):
    """A synonyms file cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Synonyms:
    """Variant groups, keyed by each variant's index terms (so `Kyiv`, `KYIV` and `kyiv`
    are one key). `words` keeps each variant as written, for --explain."""

    groups: dict[Terms, frozenset[Terms]] = field(default_factory=dict)
    words: dict[Terms, str] = field(default_factory=dict)

    def variants(self, terms: Terms) -> list[Terms]:
        """The other variants of the word (or phrase) whose index terms are `terms`."""
        return sorted(self.groups.get(terms, frozenset()) - {terms})

    def written(self, terms: Terms) -> str:
        return self.words.get(terms, " ".join(terms))


def parse_synonyms(text: str, origin: str, into: Synonyms | None = None) -> Synonyms:
    """Read synonym groups from `text` (`origin` names it in errors), adding to `into`.

    Raises:
        SynonymsError: a line with fewer than two variants, or a variant of stop words only.
    """
    groups = dict(into.groups) if into else {}
    words = dict(into.words) if into else {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        variants = [variant.strip() for variant in line.split(",") if variant.strip()]
        if len(variants) < 2:
            raise SynonymsError(f"{origin}: line {number}: a group needs two variants or more")
        group: set[Terms] = set()
        for variant in variants:
            terms = tuple(index_terms(variant))
            if not terms:
                raise SynonymsError(f"{origin}: line {number}: {variant!r} has no searchable word")
            group.add(terms)
            words.setdefault(terms, variant)
        # A variant in two groups joins them: Kiev ~ Kyiv and Kyiv ~ Kyjiw are one group.
        for terms in list(group):
            group |= groups.get(terms, frozenset())
        frozen = frozenset(group)
        for terms in frozen:
            groups[terms] = frozen
    return Synonyms(groups, words)


@cache
def shipped_synonyms() -> Synonyms:
    """newsgrep's own list of news variants."""
    # Beside this module, in the wheel as in a checkout (importlib.resources would load
    # zipfile and its machinery for this one read: ~3 ms of every search's start).
    text = Path(__file__).with_name("default_synonyms.txt").read_text("utf-8")
    return parse_synonyms(text, "default_synonyms.txt")


def load_synonyms(extra: Path | None = None) -> Synonyms:
    """The shipped list, plus the groups of the file `extra`.

    Raises:
        SynonymsError: `extra` cannot be read or has a bad line.
    """
    synonyms = shipped_synonyms()
    if extra is None:
        return synonyms
    try:
        text = extra.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SynonymsError(f"{extra}: cannot read the synonyms file ({error})") from None
    return parse_synonyms(text, str(extra), into=synonyms)
