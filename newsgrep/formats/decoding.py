"""Bytes to text: a byte-order mark, UTF-8, a declared encoding, else Windows-1252 when
that reads as text."""

from __future__ import annotations

import codecs
import re

from newsgrep.formats.common import ArticleFileError

_DECLARED_ENCODING = re.compile(
    rb"""(?:charset|encoding|coding)\s*[:=]\s*["']?([A-Za-z0-9_.:-]+)"""
)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns the text and the encoding used.

    Raises:
        ArticleFileError: binary data, or bytes that no likely encoding reads as text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as error:
                raise ArticleFileError(f"invalid {encoding} text: {error.reason}") from None
    if b"\x00" in data[:8192]:
        raise ArticleFileError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_ENCODING.search(data[:2048])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(codecs.lookup(name).name), name
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and not _CONTROL_CHARS.search(text):
        return text, "cp1252"
    raise ArticleFileError("not UTF-8, and no declared or likely encoding reads it as text")
