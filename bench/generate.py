#!/usr/bin/env python3
"""Wall time of `swapgen generate` for all bundled specs, interpreter start included.

Runs the real command in a fresh process into a temp directory, first cold (every file
written) and then warm (nothing changed), several times each, and prints the median next to
`python -c pass` on the same machine. Goal: under 1 s for all three specs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 7


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    python = sys.executable
    baseline = statistics.median(timed([python, "-c", "pass"]) for _ in range(RUNS))
    cold, warm, check = [], [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as out:
            cold.append(timed([python, "-m", "codegen", "generate", "--out", out]))
            warm.append(timed([python, "-m", "codegen", "generate", "--out", out]))
    for _ in range(RUNS):
        check.append(timed([python, "-m", "codegen", "generate", "--check"]))
    print(f"python -c pass:                        {baseline * 1000:7.1f} ms (median of {RUNS})")
    print(f"swapgen generate, 3 specs, cold:       {statistics.median(cold) * 1000:7.1f} ms")
    print(f"swapgen generate, 3 specs, unchanged:  {statistics.median(warm) * 1000:7.1f} ms")
    print(f"swapgen generate --check (repo out/):  {statistics.median(check) * 1000:7.1f} ms")
    verdict = "met" if max(cold) < 1.0 else "NOT met"
    print(f"goal (every cold run under 1 s): {verdict}; worst {max(cold) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
