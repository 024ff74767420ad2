"""From raw messages to patches, and series to findings, in worker processes when there are
many.

Parsing mail (MIME, headers, diffs) and reviewing the series are where an archive's time
goes; both are done item by item, so a list archive is spread over ``jobs`` processes, a few
tasks in flight at a time (memory stays flat), and results come back in input order. Small
inputs, ``jobs`` 1 and reviews on a base tree run in this process.
"""

from __future__ import annotations

import itertools
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from codegen.report.finding import Finding
from codegen.review import mailbox
from codegen.review.checks import Review
from codegen.review.mailbox import Raw, cannot_be_a_patch
from codegen.review.series import (
    DIFF_PATH_RE,
    SWAP_NAMES,
    Patch,
    Series,
    files_read,
    patch_from_headers,
    patch_from_message,
    strip_ab,
)

CHUNK = 64
"""Messages per task: enough to outweigh the round trip to a worker."""
PARALLEL_FROM = 4 * CHUNK
"""Below this many messages, starting workers costs more than it saves."""
IN_FLIGHT = 3
"""Tasks per worker queued at once."""


class Workers:
    """Up to ``jobs`` worker processes, started the first time an input is large enough,
    each with its own reader of the spec at ``spec_path``; stopped on exit."""

    def __init__(self, jobs: int, spec_path: str):
        self.jobs = jobs
        self.spec_path = spec_path
        self.pool: Any = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def _started(self) -> Any:
        if self.pool is None:
            context = multiprocessing.get_context("forkserver")
            self.pool = context.Pool(
                self.jobs, initializer=_start_worker, initargs=(self.spec_path,)
            )
        return self.pool

    def read_patches(
        self,
        messages: Iterable[tuple[str, Raw]],
        reader: Review,
        seen: Callable[[int], None] | None = None,
    ) -> tuple[list[Patch], int]:
        """The patches among the messages (replies left out, counted), in input order, each
        diff trimmed to the files ``reader`` reads (workers build their own from the spec);
        ``seen`` is told how many messages have been read so far."""
        stream = iter(messages)
        head = list(itertools.islice(stream, PARALLEL_FROM))
        chunks = _chunks(itertools.chain(head, stream), seen)
        if self.jobs <= 1 or len(head) < PARALLEL_FROM:
            return _collect(_read_chunk(chunk, reader) for chunk in chunks)
        tasks = ((_worker_chunk, (chunk,)) for chunk in chunks)
        return _collect(_in_order(self._started(), tasks, self.jobs * IN_FLIGHT))

    def review(
        self, all_series: list[Series], here: Callable[[Series], list[Finding]]
    ) -> list[list[Finding]]:
        """Each series' findings (diff-only review), in order: in the workers when there are
        several series and workers, else ``here``."""
        if self.jobs <= 1 or len(all_series) < PARALLEL_REVIEWS:
            return [here(series) for series in all_series]
        tasks = ((_worker_review, (series,)) for series in all_series)
        return list(_in_order(self._started(), tasks, self.jobs * IN_FLIGHT))


PARALLEL_REVIEWS = 8
"""Below this many series to review, they are reviewed in this process."""


def _chunks(
    messages: Iterator[tuple[str, Raw]], seen: Callable[[int], None] | None
) -> Iterator[list[tuple[str, Raw | None]]]:
    """Messages in chunks; one whose bytes show it is no patch (most of a list archive is
    replies) goes on as None, so it costs no transfer and no parsing."""
    count = 0
    while chunk := list(itertools.islice(messages, CHUNK)):
        count += len(chunk)
        if seen is not None:
            seen(count)
        yield [
            (source, None if isinstance(raw, bytes) and cannot_be_a_patch(raw) else raw)
            for source, raw in chunk
        ]


def _in_order(
    pool: Any, tasks: Iterator[tuple[Callable[..., Any], tuple[Any, ...]]], limit: int
) -> Iterator[Any]:
    """Each task's result in order, with at most ``limit`` tasks queued."""
    pending: deque[Any] = deque()
    for function, args in tasks:
        pending.append(pool.apply_async(function, args))
        if len(pending) >= limit:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _collect(results: Iterable[tuple[list[Patch], int]]) -> tuple[list[Patch], int]:
    patches: list[Patch] = []
    ignored = 0
    for found, left_out in results:
        patches += found
        ignored += left_out
    return patches, ignored


def patch_from_raw(
    raw: Raw,
    source: str,
    keep: Callable[[str], bool] | None,
    owns: Callable[[str], bool] | None = None,
) -> Patch | None:
    """patch_from_message for a message as a reader yields it. A plain mail (not MIME, not
    encoded) whose diff names no file review reads gives the same Patch from its headers
    alone: no MIME or diff parsing. ``owns`` (the files the spec names) narrows ``keep``:
    another arch header is read only for a swap helper, so without one in the mail's bytes
    it is not read either."""
    if not isinstance(raw, bytes):
        return patch_from_message(raw, source, keep, owns)
    if keep is not None and _plain_and_unread(raw, keep, owns):
        patch = patch_from_headers(lambda name: mailbox.header_from_bytes(raw, name) or "", source)
        patch.has_diff = True
        return patch
    return patch_from_message(mailbox.parse_message(raw), source, keep, owns)


SWAP_NAME_BYTES = tuple(name.encode() for name in SWAP_NAMES)


def _plain_and_unread(
    raw: bytes, keep: Callable[[str], bool], owns: Callable[[str], bool] | None
) -> bool:
    """Whether a raw message is a plain-text patch (one body, no transfer encoding that could
    hide a line), not a reply, whose diff headers name only files review does not read.
    Anything else is parsed in full."""
    if cannot_be_a_patch(raw) or not mailbox.has_diff_bytes(raw):
        return False
    # one MIME body, not encoded: what it declares is in the header block
    if mailbox.mentions(mailbox.header_block(raw), mailbox.OPAQUE_WORDS):
        return False
    names = {strip_ab(name.decode("utf-8", "replace")) for name in _diff_names(raw)}
    wanted = files_read(keep, owns, any(word in raw for word in SWAP_NAME_BYTES))
    return bool(names) and not any(map(wanted, names))


def _diff_names(raw: bytes) -> set[bytes]:
    """Every file name a diff header line of the message gives ('diff --git', '---', '+++'),
    wherever it stands: a commit message may quote one, and the diff may be quilt-style."""
    return {name for found in DIFF_PATH_BYTES_RE.finditer(raw) for name in found.groups() if name}


DIFF_PATH_BYTES_RE = re.compile(DIFF_PATH_RE.pattern.encode(), re.M)


def _read_chunk(chunk: list[tuple[str, Raw | None]], reader: Review) -> tuple[list[Patch], int]:
    patches = []
    for source, raw in chunk:
        patch = (
            None if raw is None else patch_from_raw(raw, source, reader.may_look_at, reader.owns)
        )
        if patch is not None:
            patches.append(patch)
    return patches, len(chunk) - len(patches)


_worker: dict[str, Any] = {}
"""A worker process's spec and reader (set by _start_worker)."""


def _start_worker(spec_path: str) -> None:
    import signal

    from codegen.spec.compiled import load_spec

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    spec = load_spec(spec_path)
    _worker.update(spec=spec, reader=Review(spec))


def _worker_chunk(chunk: list[tuple[str, Raw | None]]) -> tuple[list[Patch], int]:
    return _read_chunk(chunk, _worker["reader"])


def _worker_review(series: Series) -> list[Finding]:
    from codegen.review.run import review_one

    return review_one(_worker["spec"], series, None, _worker["reader"], alone=False)
