#!/usr/bin/env python3
"""Start-up cost of `swapgen --help` and `swapgen decode`, next to `python -c pass`.

Each command runs in a fresh process (the installed console script if there is one, else
`python -m codegen`), several times; the median wall time is printed with the third-party
packages the command imported (seen with `python -X importtime`). `decode` is timed twice:
with a schema cache that already knows the spec (the usual case) and with the cache off
(the first read of a spec, which validates it with jsonschema).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 15
WATCHED = ("yaml", "jsonschema", "git", "jinja2", "unidiff")
DECODE = ["decode", "--arch", "x86_64", "0x1fffffffffdb9600"]


def swapgen() -> list[str]:
    """The console script installed with this interpreter (not a PATH shim such as pyenv's,
    which adds a shell of its own), else ``python -m codegen``."""
    beside = Path(sys.executable).parent / "swapgen"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "codegen"]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def heavy_imports(argv: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codegen", *argv],
        cwd=REPO, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seen = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    return ", ".join(name for name in WATCHED if name in seen) or "none"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="swapgen-bench-cache-") as cache:
        warm = dict(os.environ, SWAPGEN_CACHE_DIR=cache)
        cold = dict(os.environ, SWAPGEN_CACHE_DIR="off")
        subprocess.run([*swapgen(), *DECODE], env=warm, check=True, capture_output=True)
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"], warm, None),
            ("swapgen --help", [*swapgen(), "--help"], warm, ["--help"]),
            ("swapgen decode (spec known good)", [*swapgen(), *DECODE], warm, DECODE),
            ("swapgen decode (cache off)", [*swapgen(), *DECODE], cold, DECODE),
        ]
        print(f"{'command':36} {'median':>9} {'worst':>9}  third-party imports ({RUNS} runs)")
        for label, command, env, argv in rows:
            times = [timed(command, env) for _ in range(RUNS)]
            imports = heavy_imports(argv, env) if argv else "-"
            print(
                f"{label:36} {statistics.median(times) * 1000:7.1f}ms {max(times) * 1000:7.1f}ms"
                f"  {imports}"
            )


if __name__ == "__main__":
    main()
