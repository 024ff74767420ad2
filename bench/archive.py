#!/usr/bin/env python3
"""`swapgen review` on a real list archive: wall time, messages per second, peak memory, and
the series that touch swap encodings.

PATH is a public-inbox v2 mirror (an epoch's git directory, a bare mirror, or an inbox with
git/N.git) or an mbox. The review runs as a child process, as a user runs it, once per
--jobs value (default 1 and 2); the wall time, and the peak memory (proportional set size)
of the largest process and of the whole tree (workers and git included, sampled from
/proc), are printed with the 300 MB goal, and the reports are checked to be identical. For
example, with the linux-arch mirror the tool library fetches
(``fetch linux-mailinglist-archives/linux-arch.vger.kernel.org.0``):

    python3 bench/archive.py \
        /work/.mirror/linux-mailinglist-archives+linux-arch.vger.kernel.org.0/repo
    python3 bench/archive.py ARCHIVE --since 2025-01-01
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import threading
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


def run_sampled(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, int, int]:
    """The finished process, its wall time, and the peak memory (bytes, proportional set
    size) of its largest process and of its whole process tree (workers and git included),
    sampled from /proc every 50 ms."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    largest = total = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal largest, total
        while not done.wait(0.05):
            sizes = [_rss(pid) for pid in _tree(proc.pid)]
            largest, total = max(largest, *sizes, 0), max(total, sum(sizes))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return subprocess.CompletedProcess(command, proc.returncode, out, err), wall, largest, total


def _tree(root: int) -> list[int]:
    """The process and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss(pid: int) -> int:
    """The process's proportional set size: its resident memory, with each page shared with
    other processes (a worker and the server it was forked from) counted once in all."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--since")
    parser.add_argument("--until")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    window = [*(["--since", args.since] if args.since else [])]
    window += ["--until", args.until] if args.until else []

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    floor = time.perf_counter() - started

    messages = count_messages(args.path)
    print(f"input: {args.path} ({messages} messages{' in the archive' if window else ''})")
    print(f"python -c pass: {floor * 1000:.0f} ms")
    reports = []
    for jobs in args.jobs:
        command = [sys.executable, "-m", "codegen", "review", "--format", "json", *window]
        proc, wall, largest, total = run_sampled([*command, "--jobs", str(jobs), str(args.path)])
        if proc.returncode not in (0, 1):
            print(f"review failed (exit {proc.returncode}): {proc.stderr.strip()}", file=sys.stderr)
            return 1
        reports.append(proc.stdout)
        print(
            f"--jobs {jobs}: wall {wall:.1f} s ({messages / wall:.0f} messages/s); peak memory "
            f"{largest / 2**20:.0f} MB in the largest process, {total / 2**20:.0f} MB in all "
            f"(goal < {GOAL_MB} MB)"
        )
    same = all(report == reports[0] for report in reports)
    print(f"reports of every --jobs identical: {'yes' if same else 'NO'}")
    report = json.loads(reports[0])
    series = report["series"]
    reviewed = [s for s in series if not s["verdict"].startswith("not reviewed")]
    rules = collections.Counter(f["rule"] for s in series for f in s["findings"])
    print(f"series: {len(series)}; touching swap encodings (reviewed): {len(reviewed)}")
    print("findings by rule: " + ", ".join(f"{r} {n}" for r, n in sorted(rules.items())))
    print("\nreviewed series (date, verdict, subject, rules):")
    for item in reviewed:
        found = ",".join(sorted({f["rule"] for f in item["findings"]})) or "-"
        print(f"  {item['date'][:16]:16}  {item['verdict']:4}  {item['subject'][:70]}  {found}")
    sys.stdout.flush()
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
