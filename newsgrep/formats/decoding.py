"""Bytes to text, and which encoding read them: a byte-order mark, UTF-8, the encoding the
file declares (HTML `<meta charset>`, an XML declaration, `coding:`; or one a container
gives, such as an email part's or an HTTP response's charset), then detection by
charset-normalizer for legacy non-Latin encodings, then the Latin code page that reads
most plausibly (Windows-1252 on ties).

Detection is trusted only for non-Latin scripts: on short Latin text charset-normalizer
cannot tell cp1252 from cp1250 or cp1257 (its scores for them are the same), and names
the wrong one about half the time, while the Latin code pages are told apart well by
which reading leaves no symbol inside a word (see docs/benchmarks.md, encodings).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from newsgrep.formats.common import ArticleFileError

_DECLARED_ENCODING = re.compile(
    rb"""(?:charset|encoding|coding)\s*[:=]\s*["']?([A-Za-z0-9_.:-]+)"""
)
# How far into a file a declaration is looked for: an HTML page's <meta charset> follows
# its <title> and other metadata, which rarely take more than this.
DECLARATION_BYTES = 4096


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# Labels a web page or message declares that mean a larger code page, as browsers read
# them (the WHATWG Encoding standard): a page labelled ISO-8859-1 is written in
# Windows-1252 (its curly quotes are C1 controls in Latin-1), GB2312 in GBK, and so on.
_SUPERSETS = {
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift-jis": "cp932",
    "euc-kr": "cp949",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
}

# What detection may answer: legacy encodings of non-Latin scripts (Cyrillic, Greek,
# Hebrew, Arabic, Thai, Chinese, Japanese, Korean). Anything else it says about text that
# is not UTF-8 (cp1125, cp1006, mac_iceland, utf_16 without a BOM…) has been a misreading.
_DETECTABLE = frozenset(
    {
        "cp1251", "koi8-r", "koi8-u", "iso8859-5", "mac-cyrillic", "cp866",
        "cp1253", "iso8859-7", "cp1255", "iso8859-8", "cp1256", "iso8859-6",
        "cp874", "tis-620", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950",
        "cp932", "shift-jis", "euc-jp", "iso2022-jp", "cp949", "euc-kr",
    }
)  # fmt: skip

# Detection reads at most this much: enough to tell a script, and bounded in time.
DETECTION_BYTES = 64 * 1024

# The Latin code pages tried when detection does not settle it, the usual one first.
_LATIN_PAGES = ("cp1252", "cp1250", "cp1254", "cp1257")
_SYMBOLS = "¹²³¿¥ª¤¦¨¬¯°±´µ¸º¼½¾×÷¢£§©®¶·«»"
# What a wrong Latin code page makes of letters: a symbol inside a word (`rodz¹`, `Ka¿dy`
# are Polish read as cp1252); Icelandic letters outside Icelandic (Turkish ş read as cp1252
# is þ); `ŕ` and `ĺ`, which Western `à` and `å` become under cp1250.
_SYMBOL_IN_WORD = re.compile(rf"(?<=[^\W\d_])[{_SYMBOLS}]|[{_SYMBOLS}](?=[^\W\d_])")
_RARE_LETTERS = re.compile(r"[ðþýÐÞÝ]")
_CP1250_MISREADINGS = re.compile(r"[ŕĺ]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text, the encoding that read it (a Python codec name: `utf-8`, `cp1251`), and how
    that was chosen: `bom`, `utf-8`, `declared`, `detected` or `guessed`."""

    text: str
    encoding: str
    how: str

    @property
    def note(self) -> str | None:
        """What `-v` says about it; nothing for UTF-8 (with a byte-order mark or not)."""
        if self.encoding == "utf-8":
            return None
        how = {"bom": "byte-order mark"}.get(self.how, self.how)
        return f"decoded as {self.encoding} ({how})"


def decode_text(data: bytes, declared: str | None = None) -> Decoded:
    """Decode file bytes. `declared` is an encoding the container gives (an email part's
    charset); without one, a declaration in the file's first bytes is used.

    Raises:
        ArticleFileError: binary data, or bytes that no likely encoding reads as text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding.replace("-sig", ""), "bom")
            except UnicodeDecodeError as error:
                raise ArticleFileError(f"invalid {encoding} text: {error.reason}") from None
    if b"\x00" in data[:8192]:
        raise ArticleFileError("binary file (contains NUL bytes)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    found = _declared(data, declared)
    if found is not None:
        return found
    found = _detected(data)
    if found is not None:
        return found
    found = _latin(data)
    if found is not None:
        return found
    raise ArticleFileError("not UTF-8, and no declared or likely encoding reads it as text")


def codec_name(label: str) -> str | None:
    """The Python codec for an encoding label (`Windows-1251` → `cp1251`), or None."""
    try:
        name: str = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(name, name)


def declared_encoding(data: bytes) -> str | None:
    """The encoding the file's first bytes declare (`<meta charset=…>`, `encoding="…"`)."""
    declared = _DECLARED_ENCODING.search(data[:DECLARATION_BYTES])
    return declared.group(1).decode("ascii") if declared else None


def _declared(data: bytes, label: str | None) -> Decoded | None:
    for candidate in (label, declared_encoding(data)):
        name = codec_name(candidate) if candidate else None
        if name is None or name.startswith(("utf-16", "utf-32")):  # without a BOM: a lie
            continue
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):  # LookupError: `hex`, no text encoding
            continue
        if not _CONTROL_CHARS.search(text):
            return Decoded(text, name, "declared")
    return None


def _detected(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes  # only text that is not UTF-8 pays for it

    best = from_bytes(data[:DETECTION_BYTES]).best()
    name = codec_name(best.encoding) if best is not None else None
    if name is None or name not in _DETECTABLE:
        return None
    try:
        text = data.decode(name)
    except UnicodeDecodeError:  # the prefix read well, the rest does not
        return None
    if _CONTROL_CHARS.search(text) or _non_latin_share(text) <= 0.5:
        return None
    return Decoded(text, name, "detected")


def _non_latin_share(text: str) -> float:
    """The share of non-Latin letters among the non-ASCII letters (markup and English
    words would otherwise outvote the script of a page)."""
    letters = [c for c in text[:20_000] if ord(c) > 127 and c.isalpha()]
    if not letters:
        return 0.0
    latin = sum(unicodedata.name(c, "").startswith("LATIN") for c in letters)
    return 1 - latin / len(letters)


def _latin(data: bytes) -> Decoded | None:
    best: tuple[int, str, str] | None = None
    for page in _LATIN_PAGES:
        try:
            text = data.decode(page)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARS.search(text):
            continue
        score = _implausible(text)
        if best is None or score < best[0]:
            best = (score, page, text)
        if score == 0:
            break  # the first page to read cleanly wins: cp1252 on ties
    return Decoded(best[2], best[1], "guessed") if best is not None else None


def _implausible(text: str) -> int:
    symbols = len(_SYMBOL_IN_WORD.findall(text)) + len(_CP1250_MISREADINGS.findall(text))
    return 3 * symbols + len(_RARE_LETTERS.findall(text))
