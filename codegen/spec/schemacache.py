"""Remember spec texts that already passed the JSON Schema, so reading a known-good spec
(``show``, ``decode``, ``encode``...) does not import jsonschema at all.

An entry is an empty file named by the sha256 of swapgen's version, the loader and validator
code, the schema and the spec text; any edit to one of them gives a new name, so a changed
spec (or a changed checker) always validates again. The cache lives where
codegen.cachedir says (``SWAPGEN_CACHE_DIR=off`` disables it). A cache that cannot be read
or written is ignored: it only saves time, it never changes a result.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from codegen import __version__
from codegen.cachedir import cache_dir_path
from codegen.resources import SCHEMA_PATH

CACHE_FORMAT = b"schema-ok/1"


def cache_dir() -> Path | None:
    """Where entries go, or None when caching is switched off."""
    directory = cache_dir_path()
    return None if directory is None else Path(directory)


def keyed_entry(kind: str, parts: Iterable[bytes]) -> Path | None:
    """The entry of a ``kind`` of record for these inputs: named by the sha256 of swapgen's
    version, the kind and every part (each with its length, so no two lists of parts run
    together); None when caching is off."""
    directory = cache_dir()
    if directory is None:
        return None
    digest = hashlib.sha256()
    for part in (__version__.encode(), kind.encode(), *parts):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return directory / kind / digest.hexdigest()


def _entry(spec_text: bytes) -> Path | None:
    # the code that turns a text into a verdict is part of the key: editing the loader or the
    # validator in a checkout (same version number) must not reuse old verdicts
    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes() for name in ("load.py", "yamlpos.py"))
    return keyed_entry("schema-ok", (CACHE_FORMAT, code, SCHEMA_PATH.read_bytes(), spec_text))


def known_valid(spec_text: bytes) -> bool:
    """True when this exact spec text passed this exact schema before."""
    entry = _entry(spec_text)
    return entry is not None and entry.is_file()


def remember_valid(spec_text: bytes) -> None:
    """Record that this spec text passed the schema; silently does nothing if it cannot."""
    entry = _entry(spec_text)
    if entry is not None:
        store_entry(entry, b"")


def store_entry(entry: Path, data: bytes) -> None:
    """Write a cache entry whole or not at all (through a temporary file, removed again on
    any failure or Ctrl-C); a cache that cannot be written is ignored."""
    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=f".{entry.name[:16]}-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, entry)
        temporary = None
    except OSError:
        return
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
