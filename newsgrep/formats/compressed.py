"""Gzip-compressed files (`briefs.jsonl.gz`, `page.html.gz`, `crawl.warc.gz`): the bytes
inside, read with a bound. A file of a few kilobytes can inflate to gigabytes (a gzip
bomb), so what it decompresses to obeys the same `--max-size` limit as a plain file, and
inflating stops as soon as it is crossed.
"""

from __future__ import annotations

import zlib

from newsgrep.formats.common import ArticleFileError
from newsgrep.wording import format_size

# Bytes inflated per step: small enough that crossing the limit is seen at once.
_CHUNK = 1024 * 1024


def gunzip(data: bytes, max_size: int | None) -> bytes:
    """The decompressed bytes of a gzip file (every member of it, as `gzip -d` gives).

    Raises:
        ArticleFileError: not gzip data, truncated, or larger than `max_size` inflated.
    """
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16: a gzip header and trailer
        try:
            while not inflater.eof:
                chunk = inflater.decompress(rest, _CHUNK)
                rest = inflater.unconsumed_tail
                if not chunk and not rest:
                    break  # the input ran out before the member's end
                out += chunk
                _check_size(len(out), max_size)
        except zlib.error as error:
            raise ArticleFileError(f"not valid gzip data ({error})") from None
        if not inflater.eof:
            raise ArticleFileError("truncated gzip data")
        rest = inflater.unused_data.lstrip(b"\x00")  # another member, or padding
    return bytes(out)


def _check_size(size: int, max_size: int | None) -> None:
    if max_size is not None and size > max_size:
        raise ArticleFileError(
            f"decompresses to more than the limit (> {format_size(max_size)}; --max-size)"
        )
