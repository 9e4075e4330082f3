"""py3langid's identifiers, one per script, loaded from a cache of the model's arrays.

py3langid ships its model LZMA-compressed: unpacking it costs each process that detects a
language some 0.4 s, most of a refresh that reads a few files. The arrays a script's
identifier uses (the byte automaton, and the feature weights of that script's candidate
languages only) are kept unpacked in one file of the user's cache folder
(`$XDG_CACHE_HOME/newsgrep`, else `~/.cache/newsgrep`), memory-mapped by later processes:
the automaton's pages are read as the text visits them, and nothing is unpacked.

The cached arrays are the very values py3langid's own restriction to those languages
(`set_languages`) makes, with the same types and layout, so each identifier classifies
exactly as it would have: an article is given the same language whichever way the model
was loaded, and an updated index still equals a fresh build. The cache is named by the
model file's identity and the candidates, written atomically (temporary file, fsync,
rename), and checked before use; a cache that cannot be read or written is passed over
and the model is unpacked as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAGIC = b"newsgrep langid cache 1\n"
_ALIGN = 64  # each array starts at a multiple of this, as numpy and memoryview want
_LENGTH = struct.Struct("<Q")


def identifiers(candidates: Mapping[str, list[str]]) -> dict[str, Any]:
    """py3langid's identifier for each script of `candidates` (script → its languages),
    restricted to those languages; from the cache when there is one to trust."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    model = Path(MODEL_DIR) / MODEL_FILE
    key = _key(model, candidates)
    folder = cache_folder()
    path = folder / f"langid-{key[:16]}.bin"
    # (No home to tell where: "~/.cache" would be a folder made where the run started.)
    arrays = _read(path, key) if folder.is_absolute() else None
    if arrays is None:
        arrays = _unpack(model, candidates)
        if folder.is_absolute():
            with contextlib.suppress(OSError):
                _write(path, key, arrays)
    return {script: _identifier(arrays, script) for script in candidates}


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsgrep"


def _key(model: Path, candidates: Mapping[str, list[str]]) -> str:
    """What the cache depends on: the model file (path, size, mtime) and the candidates."""
    stat = model.stat()
    identity = [MAGIC.decode(), str(model), stat.st_size, stat.st_mtime_ns, dict(candidates)]
    text = json.dumps(identity, sort_keys=True).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def _unpack(model: Path, candidates: Mapping[str, list[str]]) -> dict[str, Any]:
    """The arrays of every script's identifier, from py3langid's compressed model."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    full = LanguageIdentifier.from_model_file(model, norm_probs=True)
    arrays: dict[str, Any] = {
        "nextmove": np.frombuffer(full.tk_nextmove, dtype=np.uint32),
        "row": np.frombuffer(full.tk_row, dtype=np.uint16),
        "output": np.asarray(full.tk_output, dtype=np.int32),
    }
    for script, languages in candidates.items():
        full.set_languages(languages)  # py3langid's own restriction: the values it uses
        arrays[f"{script}.ptc"] = np.ascontiguousarray(full.nb_ptc)
        arrays[f"{script}.pc"] = np.ascontiguousarray(full.nb_pc)
        arrays[f"{script}.classes"] = np.array(full.nb_classes)
    return arrays


def _identifier(arrays: Mapping[str, Any], script: str) -> Any:
    """The identifier of `script`; its automaton read through memoryviews (indexed one
    item at a time, as py3langid's own arrays are), so a memory-mapped one is not copied."""
    from py3langid.langid import LanguageIdentifier

    return LanguageIdentifier(
        arrays[f"{script}.ptc"],
        arrays[f"{script}.pc"],
        arrays[f"{script}.classes"].tolist(),
        memoryview(arrays["nextmove"]).cast("B").cast("I"),
        memoryview(arrays["output"]).cast("B").cast("i"),
        norm_probs=True,
        tk_row=memoryview(arrays["row"]).cast("B").cast("H"),
    )


def _aligned(size: int) -> int:
    """`size` rounded up to a multiple of _ALIGN."""
    return -(-size // _ALIGN) * _ALIGN


def _write(path: Path, key: str, arrays: Mapping[str, Any]) -> None:
    """The arrays in one file: MAGIC, the header's length, a JSON header (the key, and each
    array's dtype, shape and offset), then the arrays, each aligned."""
    offset, layout = 0, {}
    for name, array in arrays.items():
        layout[name] = [array.dtype.str, list(array.shape), offset]
        offset += _aligned(array.nbytes)
    header = json.dumps({"key": key, "arrays": layout, "end": offset}).encode("utf-8")
    start = _aligned(len(MAGIC) + _LENGTH.size + len(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(MAGIC + _LENGTH.pack(len(header)) + header)
            for name, array in arrays.items():
                handle.seek(start + layout[name][2])
                handle.write(array.tobytes())
            handle.truncate(start + offset)
            handle.flush()
            os.fsync(handle.fileno())  # whole before its name says it is there
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    for other in path.parent.glob("langid-*.bin"):  # caches of another model
        if other != path:
            with contextlib.suppress(OSError):
                other.unlink()


def _read(path: Path, key: str) -> dict[str, Any] | None:
    """The arrays of the cache at `path`, memory-mapped; None if it is missing, of another
    key, or not whole."""
    import numpy as np

    try:
        with open(path, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # ValueError: an empty file
        return None
    try:
        if mapped[: len(MAGIC)] != MAGIC:
            return None
        (length,) = _LENGTH.unpack_from(mapped, len(MAGIC))
        begin = len(MAGIC) + _LENGTH.size
        header = json.loads(bytes(mapped[begin : begin + length]))
        start = _aligned(begin + length)
        if header["key"] != key or len(mapped) != start + header["end"]:
            return None
        arrays = {}
        for name, (dtype, shape, offset) in header["arrays"].items():
            kind = np.dtype(dtype)
            count = int(np.prod(shape, dtype=np.int64))
            flat = np.frombuffer(mapped, dtype=kind, count=count, offset=start + offset)
            arrays[name] = flat.reshape(shape)
        return arrays
    except (ValueError, KeyError, TypeError, struct.error):
        return None
