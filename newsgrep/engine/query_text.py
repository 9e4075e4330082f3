"""A query's text before Whoosh's parser reads it: what the parser would get wrong
silently is refused or repaired here, and every repair is said.

An empty field (`title:`, `date:""`) is refused with a value of its kind as the hint; a
quote or bracket left open is closed at the end of the query and a `)` that closes nothing
is dropped (search boxes, Xapian's parser among them, read them so), each with a notice of
how the query was read; `since:X` and `until:X` become `date:X..` and `date:..X`, and a
quoted date (`date:"last week"`) one word, `_` standing for its spaces. Stdlib only.
"""

from __future__ import annotations

import re

from newsgrep.errors import QueryError

QUOTE = '"'
_EMPTY_FIELD = re.compile(r"(?:^|[\s(])(\w+):(?:\"\"|'')?(?=$|[\s)])")
# What an empty field's hint suggests: a value of the field's kind.
_EXAMPLE_VALUES = {"date": "date:2025-05 or date:2004..2005", "lang": "lang:en"}
# `since:X` and `until:X` in a query, as the flags' names: ranges of `date:`.
_SINCE_UNTIL = re.compile(r"(?<![\w:])(since|until):(\"[^\"]*\"|\S+)", re.IGNORECASE)
# A quoted date, `date:"last week"`: Whoosh's parser would split it; `_` stands for spaces.
_QUOTED_DATE = re.compile(r"(?<![\w:])date:\"([^\"]*)\"", re.IGNORECASE)


def prepared(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` as the parser should read it, and the notices of what was repaired.

    Raises:
        QueryError: a field with no value.
    """
    empty = _EMPTY_FIELD.search(text)
    if empty:
        name = empty.group(1)
        example = _EXAMPLE_VALUES.get(name.lower(), f"{name}:word")
        raise QueryError(f"'{name}:' has no value", hint=f"e.g. {example}")
    text, repairs = balanced(text)
    text = _QUOTED_DATE.sub(lambda m: "date:" + "_".join(m.group(1).split()), text)
    return _SINCE_UNTIL.sub(_as_date_range, text), repairs


def _as_date_range(found: re.Match[str]) -> str:
    """`since:X` as `date:X..`, `until:X` as `date:..X`."""
    value = "_".join(found.group(2).strip('"').split())
    return f"date:{value}.." if found.group(1).lower() == "since" else f"date:..{value}"


def balanced(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` with an open quote and open brackets closed at its end and stray `)` dropped,
    and a notice for each repair (brackets inside quotes are text)."""
    kept: list[str] = []
    depth = strays = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            if not depth:
                strays += 1
                continue
            depth -= 1
        kept.append(char)
    repaired = "".join(kept) + ('"' if quoted else "") + ")" * depth
    notices = []
    if quoted:
        notices.append(f"a quote was not closed; read as {_tail(repaired, QUOTE)}")
    if depth:
        notices.append(f"a bracket was not closed; read as {_tail(repaired, '(')}")
    if strays:
        notices.append(f"a ')' that closed nothing was left out; read as {repaired.strip()}")
    return repaired, tuple(notices)


def _tail(text: str, opener: str) -> str:
    """The part of the repaired query from its last open quote or bracket on."""
    start = text.rfind(opener, 0, len(text) - 1) if opener == QUOTE else text.find(opener)
    return text[start:].strip()
