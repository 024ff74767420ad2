#!/usr/bin/env python3
"""Peak memory of `swapgen review` on a 200 MB mbox.

The mbox is written to a temp file the way a mailing-list archive looks: thousands of
format-patch mails (8-bit, quoted-printable, base64, some CRLF) touching mm/ and drivers/,
with the swap series of tests/corpus mixed in; then again with quilt-style diffs (no
'diff --git' lines). `swapgen review --format json` runs in a child process; its peak
resident set (getrusage ru_maxrss) and wall time are printed. Goal: the mbox is streamed,
peak under 300 MB.

    python3 bench/memory.py [--mb 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.mailgen import ENCODINGS, corpus_messages, filler_diff, patch_mail  # noqa: E402

GOAL_MB = 300


def quilt_style(diff: str) -> str:
    """The diff as quilt or diff -u writes it: no 'diff --git' or 'index' lines."""
    return "".join(
        line for line in diff.splitlines(keepends=True)
        if not line.startswith(("diff --git ", "index "))
    )  # fmt: skip


def write_archive(path: Path, megabytes: int, quilt: bool = False) -> tuple[int, int]:
    """Write the mbox; returns (messages, bytes)."""
    target = megabytes * 1024 * 1024
    swap_series = corpus_messages()
    written = count = 0
    with path.open("wb") as out:
        while written < target:
            if count % 500 == 0:
                message = swap_series[(count // 500) % len(swap_series)]
            else:
                diff = filler_diff(count, files=4, lines=60)
                diff = quilt_style(diff) if quilt else diff
                subject = f"[PATCH v{1 + count % 3} {count % 9 + 1}/9] mm: speed up f_{count}"
                message = patch_mail(
                    subject, diff, ENCODINGS[count % 3], crlf=count % 7 == 0
                )
            out.write(message if message.endswith(b"\n") else message + b"\n")
            written += len(message)
            count += 1
    return count, path.stat().st_size


def run_measured(command: list[str]) -> tuple[int, float, float, bytes]:
    """Exit code, wall seconds, peak RSS in MB and stdout of a child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as stdout:
        child = subprocess.Popen(command, cwd=REPO, stdout=stdout, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        stdout.seek(0)
        return child.returncode, wall, usage.ru_maxrss / 1024, stdout.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="mbox size in MB (default 200)")
    args = parser.parse_args()
    baseline = run_measured([sys.executable, "-c", "pass"])
    print(f"python -c pass peak RSS: {baseline[2]:.1f} MB")
    met = True
    for quilt in (False, True):
        style = "quilt/diff -u mails" if quilt else "git format-patch mails"
        with tempfile.TemporaryDirectory(prefix="swapgen-bench-mem-") as tmp:
            mbox = Path(tmp) / "archive.mbox"
            start = time.perf_counter()
            messages, size = write_archive(mbox, args.mb, quilt)
            written = time.perf_counter() - start
            code, wall, peak, out = run_measured(
                [sys.executable, "-m", "codegen", "review", "--format", "json", str(mbox)]
            )
        print(f"{style}: {size / 2**20:.0f} MB, {messages} messages (written in {written:.1f} s)")
        print(f"  swapgen review: exit {code}, peak RSS {peak:.1f} MB, {wall:.1f} s wall "
              f"({size / 2**20 / wall:.1f} MB/s), {len(out)} bytes of JSON")  # fmt: skip
        met = met and peak < GOAL_MB and code in (0, 1)
    print(f"goal (streamed, peak under {GOAL_MB} MB): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
