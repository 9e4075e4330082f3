"""Counts and sizes in words: one plural rule, one size convention for reading and writing."""

from __future__ import annotations

import pytest

from newsgrep.wording import format_size, parse_size, plural


def test_plural_counts_with_their_noun() -> None:
    assert plural(1, "article") == "1 article"
    assert plural(21578, "article") == "21,578 articles"
    assert plural(0, "file has", "files have") == "0 files have"


@pytest.mark.parametrize("size", ["500K", "64M", "1.5G", "12 bytes"])
def test_what_is_written_reads_back_as_the_same_size(size: str) -> None:
    assert format_size(parse_size(size.removesuffix(" bytes"))) == size


def test_stats_and_max_size_mean_the_same_megabyte() -> None:
    # `--max-size 64M` and a stats line of "64 MiB" are the same number of bytes.
    assert format_size(parse_size("64M"), spaced=True) == "64 MiB"
    assert parse_size(format_size(3 * 1024**2 + 512 * 1024, spaced=True)) == parse_size("3.5M")
