"""HTML fragments to text: feed items, email parts, and JSON or Markdown bodies written in
HTML. The standard library's tokenizer, so no tag, attribute or script ever becomes an
index term, and block elements become line breaks so that words never run together.

Whole web pages are not read here: their main text is picked out by `formats.html`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is not text a reader sees.
_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "svg", "math"})
# Elements that end a line (paragraphs, list items, cells, headings, breaks).
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr",
        "ul",
    }
)  # fmt: skip
# Void elements never close, so they must not open a skipped region.
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "source", "area"})

# Text that holds HTML markup: a known element's tag, opening or closing. `a < b` or
# `<3` does not count, so plain text with angle brackets stays as written.
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|a|ul|ol|li|h[1-6]|img|table|tr|td|strong|em|b|i|u|blockquote"
    r"|figure|figcaption|section|article|iframe|script|style|hr|sup|sub|font|small)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
# Markdown code (fenced blocks, `spans`) that shows tags as text, not as markup.
_CODE = re.compile(r"^(```|~~~).*?^\1|`[^`\n]+`", re.DOTALL | re.MULTILINE)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def looks_like_html(text: str) -> bool:
    """Whether `text` is written in HTML: it has a known element's tag outside Markdown
    code (a Markdown article about `<p>` elements is not HTML)."""
    return "<" in text and _HTML_TAG.search(_CODE.sub("", text)) is not None


def fragment_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment or message: tags, comments, scripts and
    styles removed, entities decoded, blocks on lines of their own, paragraphs apart."""
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError):  # an odd `<![...]>` section: keep what was read
        pass
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED and tag not in _VOID:
            self._skipping.append(tag)
        elif tag in _BLOCKS and not self._skipping:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS and not self._skipping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in self._skipping:  # close it, and anything left open inside it
                del self._skipping[self._skipping.index(tag) :]
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
