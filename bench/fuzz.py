#!/usr/bin/env python3
"""Run every fuzz target of tests/fuzzing.py for many examples and count crashes.

Unlike the tests (a few hundred derandomized examples that stop at the first failure), this
draws fresh random inputs, keeps going after a crash, and prints per target the examples run,
the crashes found (a traceback, exit 3, a multi-line error, a hang) and the time taken. Each
distinct crash is printed with a reproducer, ready for tests/test_fuzz_regressions.py.

    python3 bench/fuzz.py                      10,000 examples per target, one target per CPU
    python3 bench/fuzz.py -n 500 -t mail -t diff
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
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


def fuzz_target(name: str, examples: int) -> tuple[str, int, dict[str, str], float]:
    """Run one target in a scratch directory: (name, examples, {crash: reproducer}, seconds)."""
    target = next(t for t in TARGETS if t.name == name)
    with tempfile.TemporaryDirectory(prefix=f"swapgen-fuzz-{name}-") as scratch:
        start = time.perf_counter()
        count, crashes = fuzz(target, examples, Path(scratch))
        seconds = time.perf_counter() - start
    return name, count, {sig: repr(example) for sig, example in crashes.items()}, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--examples", type=int, default=10_000, help="per target")
    parser.add_argument("-t", "--target", action="append", choices=[t.name for t in TARGETS])
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="targets run in parallel (default: one per CPU)")  # fmt: skip
    args = parser.parse_args()
    chosen = [t for t in TARGETS if not args.target or t.name in args.target]
    what = {t.name: t.what for t in chosen}
    rows = []
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(fuzz_target, t.name, args.examples) for t in chosen]
        for future in as_completed(futures):
            name, count, crashes, seconds = future.result()
            rows.append((name, count, len(crashes), seconds))
            print(f"{name:7} {count:6} examples  {len(crashes):3} crash(es)  {seconds:7.1f} s  "
                  f"{what[name]}", flush=True)  # fmt: skip
            for signature, example in crashes.items():
                print(f"    CRASH {signature}\n      reproduce: ({name!r}, {example})", flush=True)
    order = [t.name for t in chosen]
    rows.sort(key=lambda row: order.index(row[0]))
    print(f"\n{'target':7} {'examples':>8} {'crashes':>8} {'seconds':>8}")
    for name, count, crashes, seconds in rows:
        print(f"{name:7} {count:8} {crashes:8} {seconds:8.1f}")
    total = sum(row[2] for row in rows)
    print(f"{'all':7} {sum(row[1] for row in rows):8} {total:8} {time.perf_counter() - start:8.1f}"
          f"  (wall, {args.jobs} jobs)")  # fmt: skip
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
