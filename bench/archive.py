#!/usr/bin/env python3
"""`swapgen review` on a real list archive: wall time, messages per second, peak memory, and
the series that touch swap encodings.

PATH is a public-inbox v2 mirror (an epoch's git directory, a bare mirror, or an inbox with
git/N.git) or an mbox. The review runs as a child process, as a user runs it; its peak
resident set and that of its git processes (getrusage of the children) are printed with
the 300 MB goal. For example, with the linux-arch mirror the tool library fetches
(``fetch linux-mailinglist-archives/linux-arch.vger.kernel.org.0``):

    python3 bench/archive.py \
        /work/.mirror/linux-mailinglist-archives+linux-arch.vger.kernel.org.0/repo
    python3 bench/archive.py ARCHIVE --since 2025-01-01
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

GOAL_MB = 300


def count_messages(path: Path) -> int:
    """Messages in the input: commits of every epoch, or mbox separators."""
    if path.is_dir():
        epochs = [path] if (path / "objects").is_dir() else sorted((path / "git").glob("*.git"))
        return sum(
            int(
                subprocess.run(
                    ["git", f"--git-dir={epoch}", "rev-list", "--count", "HEAD"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for epoch in epochs
        )
    with path.open("rb") as handle:
        return sum(line.startswith(b"From ") for line in handle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--since")
    parser.add_argument("--until")
    args = parser.parse_args()
    window = [*(["--since", args.since] if args.since else [])]
    window += ["--until", args.until] if args.until else []

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    floor = time.perf_counter() - started

    messages = count_messages(args.path)
    command = [sys.executable, "-m", "codegen", "review", "--format", "json", *window]
    started = time.perf_counter()
    proc = subprocess.run([*command, str(args.path)], capture_output=True, text=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        print(f"review failed (exit {proc.returncode}): {proc.stderr.strip()}", file=sys.stderr)
        return 1
    report = json.loads(proc.stdout)
    series = report["series"]
    reviewed = [s for s in series if not s["verdict"].startswith("not reviewed")]
    rules = collections.Counter(f["rule"] for s in series for f in s["findings"])
    peak_mb = usage.ru_maxrss / 1024

    print(f"input: {args.path} ({messages} messages{' in the archive' if window else ''})")
    print(f"wall: {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s")
    print(f"python -c pass: {floor * 1000:.0f} ms (review is {wall / floor:.0f}x)")
    print(f"rate: {messages / wall:.0f} messages/s")
    print(f"peak memory (largest process): {peak_mb:.0f} MB (goal < {GOAL_MB} MB)")
    print(f"series: {len(series)}; touching swap encodings (reviewed): {len(reviewed)}")
    print("findings by rule: " + ", ".join(f"{r} {n}" for r, n in sorted(rules.items())))
    print("\nreviewed series (date, verdict, subject, rules):")
    for item in reviewed:
        found = ",".join(sorted({f["rule"] for f in item["findings"]})) or "-"
        print(f"  {item['date'][:16]:16}  {item['verdict']:4}  {item['subject'][:70]}  {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
