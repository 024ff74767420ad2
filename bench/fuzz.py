#!/usr/bin/env python3
"""Run every fuzz target of tests/fuzzing.py for many examples and count crashes.

Unlike the tests (a few hundred derandomized examples that stop at the first failure), this
draws fresh random inputs, keeps going after a crash, and prints per target the examples run,
the crashes found (a traceback, exit 3, a multi-line error, a hang) and the time taken. Each
distinct crash is printed with a reproducer, ready for tests/test_fuzz_regressions.py.

    python3 bench/fuzz.py                      10,000 examples per target
    python3 bench/fuzz.py -n 500 -t mail -t diff
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# fuzzed specs must not fill the user's schema cache
os.environ.setdefault("SWAPGEN_CACHE_DIR", "off")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.fuzzing import EXAMPLE_SECONDS, TARGETS, time_limit  # noqa: E402


def fuzz(target, examples: int, scratch: Path) -> tuple[int, dict[str, object]]:
    """(examples run, {crash signature: first example}) for one target."""
    count = 0
    crashes: dict[str, object] = {}

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(target.strategy)
    def run(example):
        nonlocal count
        count += 1
        try:
            with time_limit(EXAMPLE_SECONDS):
                target.check(example, scratch)
        except Exception as error:  # every failure is counted, then the run goes on
            frame = traceback.extract_tb(error.__traceback__)[-1]
            first = str(error).splitlines()[0] if str(error) else ""
            place = f"{Path(frame.filename).name}:{frame.lineno}"
            signature = f"{type(error).__name__} at {place}: {first[:160]}"
            crashes.setdefault(signature, example)

    run()
    return count, crashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--examples", type=int, default=10_000, help="per target")
    parser.add_argument("-t", "--target", action="append", choices=[t.name for t in TARGETS])
    args = parser.parse_args()
    chosen = [t for t in TARGETS if not args.target or t.name in args.target]
    total_crashes = 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="swapgen-fuzz-") as tmp:
        for target in chosen:
            scratch = Path(tmp) / target.name
            scratch.mkdir()
            start = time.perf_counter()
            count, crashes = fuzz(target, args.examples, scratch)
            seconds = time.perf_counter() - start
            rows.append((target, count, len(crashes), seconds))
            total_crashes += len(crashes)
            print(f"{target.name:7} {count:6} examples  {len(crashes):3} crash(es)  "
                  f"{seconds:7.1f} s  {target.what}", flush=True)  # fmt: skip
            for signature, example in crashes.items():
                print(f"    CRASH {signature}\n      reproduce: ({target.name!r}, {example!r})")
    print()
    print(f"{'target':7} {'examples':>8} {'crashes':>8} {'seconds':>8}")
    for target, count, crashes, seconds in rows:
        print(f"{target.name:7} {count:8} {crashes:8} {seconds:8.1f}")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    sys.exit(main())
