"""Parts of a series seen earlier, for a part that arrives alone.

b4's per-patch check hands swapgen one message at a time, in order, so part n of a series
comes with nothing of parts 1..n-1, and a hunk of part n may only apply on top of them.
Every part reviewed alone is remembered here: its diff (already trimmed to the files review
reads), keyed by its thread's root Message-ID and version. Part n is then applied to the base
tree after parts 1..n-1 when every one of them was seen; the review says so (SWP908).

The parts live beside swapgen's cache (``$SWAPGEN_CACHE_DIR/parts``, see
codegen.spec.schemacache); with ``SWAPGEN_CACHE_DIR=off`` nothing is remembered and each
part is reviewed on the base alone. A store that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from codegen.review.series import Patch, parse_subject
from codegen.spec.schemacache import cache_dir, store_entry

FORMAT = 1


def _thread_dir(patch: Patch) -> Path | None:
    """Where the parts of this patch's thread and version go; None without a thread."""
    root = patch.references[0] if patch.references else patch.in_reply_to
    if patch.number == 1 and not root:
        root = patch.message_id  # the first part of a series sent without a cover letter
    base = cache_dir()
    if not root or base is None:
        return None
    key = hashlib.sha256(f"{FORMAT}\0{root}\0v{patch.version}\0{patch.total}".encode())
    return base / "parts" / key.hexdigest()


def remember(patch: Patch) -> None:
    """Keep a part reviewed alone, for the parts after it."""
    where = _thread_dir(patch)
    if where is None or patch.number < 1:
        return
    record = {
        "message_id": patch.message_id,
        "subject": patch.subject,
        "number": patch.number,
        "diff": patch.diff,
    }
    # a store that cannot be written only means part n stands alone
    store_entry(where / f"{patch.number}.json", json.dumps(record).encode("utf-8"))


def earlier_parts(patch: Patch) -> list[Patch]:
    """Parts 1..n-1 of this patch's series as seen earlier, in order; [] unless all of them
    were seen."""
    where = _thread_dir(patch)
    if where is None or patch.number < 2:
        return []
    parts = []
    for number in range(1, patch.number):
        try:
            record = json.loads((where / f"{number}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(record, dict) or record.get("number") != number:
            return []
        parts.append(
            Patch(
                source=f"part {number}/{patch.total} seen earlier",
                subject=str(record.get("subject", "")),
                title=parse_subject(str(record.get("subject", "")))[0],
                version=patch.version,
                number=number,
                total=patch.total,
                message_id=str(record.get("message_id", "")),
                diff=str(record.get("diff", "")),
            )
        )
    return parts
