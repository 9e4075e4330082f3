"""Plain text and Markdown articles: `.txt` (an optional leading `date YYYY-MM-DD`, an
optional header block of `Title:`/`Date:`/`Source:`/`URL:`/`Tags:` lines, then text) and
`.md`/`.markdown` (optional YAML front matter, an optional `#` heading as title)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from newsgrep.formats.common import ArticleFileError, article_from_fields
from newsgrep.model import Article

_DATE_PREFIX = re.compile(r"\s*date\s+(\d{4}-\d{2}-\d{2})(?![\d-])[ \t]*", re.IGNORECASE)


_HEADER_LINE = re.compile(r"(title|date|source|url|tags)[ \t]*:[ \t]*(.*)", re.IGNORECASE)


def parse_txt(text: str, notes: list[str], *, encoding: str | None = None) -> Article:
    meta: dict[str, str] = {}
    prefix = _DATE_PREFIX.match(text)
    if prefix:
        meta["date"] = prefix.group(1)
        text = text[prefix.end() :]
    text, header = _split_header_block(text)
    meta.update(header)
    return article_from_fields(
        "", meta, text, notes, split_body=True, markup=False, encoding=encoding
    )


def _split_header_block(text: str) -> tuple[str, dict[str, str]]:
    lines = text.lstrip("\n").split("\n")
    header: dict[str, str] = {}
    for count, line in enumerate(lines):
        match = _HEADER_LINE.fullmatch(line.strip())
        if match and match.group(1).lower() not in header:
            header[match.group(1).lower()] = match.group(2).strip()
            continue
        if not header:
            return text, {}
        return "\n".join(lines[count:]), header
    return "", header


_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)


_ATX_HEADING = re.compile(r"\s*#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*(?:\n|$)")


def parse_markdown(text: str, notes: list[str], *, encoding: str | None = None) -> Article:
    """A Markdown article: front matter (its keys besides those newsgrep reads become the
    article's own fields), else a leading heading, as title; HTML in the text read as
    text."""
    meta: Mapping[str, Any] = {}
    if text.startswith("---"):
        front = _FRONT_MATTER.match(text)
        if not front:
            raise ArticleFileError("malformed front matter: no closing '---' line")
        meta = _load_front_matter(front.group(1) or "")
        text = text[front.end() :]
    if not meta.get("title"):
        heading = _ATX_HEADING.match(text)
        if heading:
            meta = {**meta, "title": heading.group(1)}
            text = text[heading.end() :]
    return article_from_fields("", meta, text, notes, split_body=True, encoding=encoding)


def _load_front_matter(source: str) -> Mapping[str, Any]:
    import yaml  # only Markdown with front matter pays for the YAML parser

    try:
        loaded = yaml.load(source, Loader=_front_matter_loader())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ArticleFileError(f"malformed front matter{where}: {problem}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ArticleFileError("malformed front matter: expected 'key: value' lines")
    return {str(key).lower(): value for key, value in loaded.items()}


@cache
def _front_matter_loader() -> Any:
    """PyYAML's safe loader (libyaml's, in C, where PyYAML was built with it: ten times
    faster), reading booleans as YAML 1.2 does: only true/false. YAML 1.1's yes/no/on/off
    (`title: No`, `source: ON`, `tags: [NO, SE]`, Norway and Sweden) stay strings. An
    impossible date (`2025-02-30`) stays text too, so it is noted, not a crash."""
    import yaml

    try:
        from yaml import CSafeLoader as BaseLoader
    except ImportError:  # PyYAML built without libyaml
        from yaml import SafeLoader as BaseLoader  # type: ignore[assignment]

    class FrontMatterLoader(BaseLoader):
        pass

    bool_tag = "tag:yaml.org,2002:bool"
    # The resolver table without YAML 1.1's bool rule, then true/false alone added back.
    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != bool_tag]
        for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
    }
    FrontMatterLoader.add_implicit_resolver(
        bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )

    def timestamp_or_text(loader: Any, node: Any) -> Any:
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_or_text)
    return FrontMatterLoader
