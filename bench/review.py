#!/usr/bin/env python3
"""Patches per second: swapgen review against the kernel's checkpatch.pl on the same series.

Builds a 1,000-patch mbox from the corpus patches (renumbered as one series), runs
`swapgen review` on all of it once, and checkpatch.pl --no-tree (from Debian's
linux-source-6.12) on a sample of the same patches, then prints both rates per patch.
Goal: swapgen at least 30 times faster per patch.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.kernel_trees import kernel_tree  # noqa: E402

COUNT = 1000
CHECKPATCH_SAMPLE = 50


def corpus_patches() -> list[bytes]:
    patches = []
    for path in sorted((REPO / "tests/corpus").glob("[0-9]*/*")):
        data = path.read_bytes()
        for chunk in re.split(rb"(?m)^(?=From [0-9a-f]{40} )", data):
            if b"\ndiff --git" in chunk and b"Content-Transfer-Encoding: base64" not in chunk:
                patches.append(
                    chunk
                    if chunk.startswith(b"From ")
                    else b"From 0 Mon Sep 17 00:00:00 2001\n" + chunk
                )
    return patches


def main() -> None:
    sources = corpus_patches()
    series = []
    for index in range(COUNT):
        patch = sources[index % len(sources)]
        patch = re.sub(
            rb"(?m)^Subject: \[PATCH[^\]]*\]",
            f"Subject: [PATCH {index + 1}/{COUNT}]".encode(),
            patch,
            count=1,
        )
        series.append(patch)
    tree = kernel_tree("6.12")
    with tempfile.TemporaryDirectory() as tmp:
        mbox = Path(tmp) / "series.mbox"
        mbox.write_bytes(b"".join(series))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "codegen", "review", "--quiet", "--spec", "6.12", str(mbox)],
            cwd=REPO,
            capture_output=True,
        )
        ours = time.perf_counter() - start
        files = []
        for index in range(CHECKPATCH_SAMPLE):
            path = Path(tmp) / f"{index:04d}.patch"
            path.write_bytes(series[index])
            files.append(path)
        start = time.perf_counter()
        for path in files:
            subprocess.run(
                ["perl", str(tree / "scripts/checkpatch.pl"), "--no-tree", "-q", str(path)],
                capture_output=True,
            )
        theirs = time.perf_counter() - start
    our_rate = COUNT / ours
    their_rate = CHECKPATCH_SAMPLE / theirs
    size = sum(map(len, series))
    print(f"series: {COUNT} patches, {size} bytes")
    print(
        f"swapgen review:          {ours:7.2f} s for {COUNT}  -> {our_rate:8.1f} patches/s "
        f"({1000 * ours / COUNT:.2f} ms/patch, interpreter start included)"
    )
    print(
        f"checkpatch.pl --no-tree: {theirs:7.2f} s for {CHECKPATCH_SAMPLE}   -> "
        f"{their_rate:8.1f} patches/s ({1000 * theirs / CHECKPATCH_SAMPLE:.2f} ms/patch)"
    )
    ratio = our_rate / their_rate
    verdict = "met" if ratio >= 30 else "NOT met"
    print(f"swapgen is {ratio:.0f}x faster per patch (goal: at least 30x): {verdict}")


if __name__ == "__main__":
    main()
