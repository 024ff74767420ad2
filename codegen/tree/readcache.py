"""Results of reading kernel text, kept by content: the same text read by the same code
gives the same facts, so a second review on the same base (b4 checks a series patch by
patch) does not evaluate it again.

An entry is named by the sha256 of swapgen's version, the reader code (codegen.tree,
codegen.csrc, codegen.kernel), the kind of result and its inputs; it lives in the cache
directory and is switched off with it (``SWAPGEN_CACHE_DIR=off``). An entry that cannot be
read or written is ignored: it only saves time, it never changes a result. The cache
directory is the user's own: its entries are trusted as their own files are.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from codegen.spec.schemacache import keyed_entry, store_entry

T = TypeVar("T")


@functools.cache
def reader_code() -> tuple[bytes, ...]:
    """The code that turns kernel text into facts and findings (read once per process: code
    does not change under a running process; the entry's name holds swapgen's version)."""
    root = Path(__file__).resolve().parent.parent
    files = sorted(
        [
            *(root / "tree").glob("*.py"),
            *(root / "csrc").glob("*.py"),
            *(root / "kernel").glob("*.py"),
        ]
    )
    return tuple(f.read_bytes() for f in files)


def entry_for(kind: str, parts: Iterable[bytes]) -> Path | None:
    """The cache entry of a ``kind`` of result of these inputs and this reader code; None
    when caching is off."""
    return keyed_entry(kind, (*reader_code(), *parts))


def remembered(
    kind: str,
    parts: Iterable[bytes],
    compute: Callable[[], T],
    keep: Callable[[T], bool] = lambda _result: True,
) -> T:
    """``compute()``, or what it gave before for the same inputs and reader code; a result
    ``keep`` refuses (one that may come out otherwise next time) is not remembered."""
    entry = entry_for(kind, parts)
    if entry is not None:
        try:
            with entry.open("rb") as handle:
                return pickle.load(handle)  # type: ignore[no-any-return]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # not there yet, or from other code: compute it
    result = compute()
    if entry is not None and keep(result):
        store_entry(entry, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result
