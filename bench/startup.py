#!/usr/bin/env python3
"""Start-up cost of `swapgen --help`, `decode`, `encode`, `show` and `review --quiet -` on one
real patch (as b4 runs it per patch), next to `python -c pass` and checkpatch.pl: each in a
fresh process alone, and served by a resident server (`swapgen server start`), the way to
run swapgen once per patch.

Each command runs in a fresh process, several times, from a clean virtual environment made
for the run: its console script is the one pip writes, and it sees the host's packages but
none of the host's start-up hooks (a ``.pth`` file that imports something, as sandboxes and
some distributions add, would put the same fixed cost on every command and flatter the
ratios; the host's own ``python -c pass`` is printed too). The median wall time is printed
with the third-party packages the command imported (seen with `python -X importtime`).
A command that fails stops the benchmark: a fast error is not a start-up time. `decode` is
timed twice: with a schema cache that already knows the spec (the usual case) and with the cache off
(the first read of a spec, which validates it with jsonschema).
"""

from __future__ import annotations

import mailbox
import os
import site
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNS = 21
WATCHED = ("yaml", "jsonschema", "git", "jinja2", "unidiff")
DECODE = ["decode", "--arch", "x86_64", "0x1fffffffffdb9600"]
ENCODE = ["encode", "--arch", "x86_64", "--type", "3", "--offset", "0x1234"]
SHOW = ["show", "--arch", "x86_64"]
REVIEW = ["review", "--quiet", "-"]


CONSOLE_SCRIPT = """#!{python}
import sys
from codegen.cli import console
if __name__ == "__main__":
    sys.exit(console())
"""


def clean_venv(where: Path) -> tuple[Path, Path]:
    """A virtual environment without pip whose only path file lists this checkout and the
    host's site-packages directories (plain path lines: their own .pth files are not run);
    its python and its swapgen console script."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(where)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    paths = [str(REPO), *site.getsitepackages(), site.getusersitepackages()]
    (Path(purelib) / "swapgen-bench.pth").write_text("\n".join(paths) + "\n")
    script = where / "bin" / "swapgen"
    script.write_text(CONSOLE_SCRIPT.format(python=python))
    script.chmod(0o755)
    return python, script


def timed(command: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, input=stdin)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # review exits 1 when it has findings
        error = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        sys.exit(f"bench/startup.py: {' '.join(command)} exited {proc.returncode}: {error}")
    return elapsed


def one_real_patch() -> bytes:
    """Part 2/5 of the real guard-marker series (tests/realmail/06), as b4 pipes it."""
    return list(mailbox.mbox(REPO / "tests/realmail/06-pte-marker-guard-v4/series.mbox"))[
        2
    ].as_bytes()


def heavy_imports(
    python: Path, argv: list[str], env: dict[str, str], stdin: bytes | None
) -> str:
    proc = subprocess.run(
        [str(python), "-X", "importtime", "-m", "codegen", *argv],
        cwd=REPO, env=env, check=False, capture_output=True, input=stdin,
    )  # fmt: skip
    seen = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.decode("utf-8", "replace").splitlines()
        if line.startswith("import time:")
    }
    return ", ".join(name for name in WATCHED if name in seen) or "none"


def main() -> None:
    patch = one_real_patch()
    with tempfile.TemporaryDirectory(prefix="swapgen-bench-") as scratch:
        python, script = clean_venv(Path(scratch) / "venv")
        swapgen = [str(script)]
        cache = str(Path(scratch) / "cache")
        # as an installed wheel runs: bytecode compiled, the spec read once before
        warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        warm["SWAPGEN_CACHE_DIR"] = cache
        cold = dict(warm, SWAPGEN_CACHE_DIR="off")
        for first in (DECODE, REVIEW):
            subprocess.run([*swapgen, *first], env=warm, capture_output=True, input=patch)
        rows = [
            ("python -c pass", [str(python), "-c", "pass"], warm, None, None),
            ("swapgen --help", [*swapgen, "--help"], warm, ["--help"], None),
            ("swapgen decode (spec known)", [*swapgen, *DECODE], warm, DECODE, None),
            ("swapgen encode (spec known)", [*swapgen, *ENCODE], warm, ENCODE, None),
            ("swapgen show --arch (spec known)", [*swapgen, *SHOW], warm, SHOW, None),
            ("swapgen decode (cache off)", [*swapgen, *DECODE], cold, DECODE, None),
            ("swapgen review --quiet - (1 patch)", [*swapgen, *REVIEW], warm, REVIEW, patch),
        ]
        tree = kernel_tree_or_none()
        if tree is not None:
            on_tree = [*REVIEW[:-1], "--spec", "6.12", "--tree", str(tree), "-"]
            subprocess.run([*swapgen, *on_tree], env=warm, capture_output=True, input=patch)
            rows.append(("swapgen review --quiet --tree (same)", [*swapgen, *on_tree], warm,
                         on_tree, patch))  # fmt: skip
            checkpatch = ["perl", str(tree / "scripts/checkpatch.pl"), "--no-tree", "-q", "-"]
            rows.append(("checkpatch.pl --no-tree -q - (same)", checkpatch, warm, None, patch))
        timings = interleaved(rows)
        started = subprocess.run([*swapgen, "server", "start"], env=warm, capture_output=True)
        if started.returncode != 0:
            sys.exit(f"bench/startup.py: swapgen server start: {started.stderr.decode()}")
        try:
            served_rows = [row for row in rows if row[0].startswith("swapgen") and row[2] is warm]
            served = interleaved([rows[0], *served_rows])
        finally:
            subprocess.run([*swapgen, "server", "stop"], env=warm, capture_output=True)
        floor, served_floor = timings["python -c pass"], served["python -c pass"]
        print(f"{'command':38} {'alone':>9} {'ratio':>6} {'served':>9} {'ratio':>6}  "
              "third-party imports (alone)")  # fmt: skip
        for label, _command, env, argv, stdin in rows:
            alone = timings[label]
            line = f"{label:38} {alone * 1000:7.1f}ms {alone / floor:5.1f}x "
            if label in served:
                line += f"{served[label] * 1000:7.1f}ms {served[label] / served_floor:5.1f}x "
            else:
                line += " " * 17
            print(line + " " + (heavy_imports(python, argv, env, stdin) if argv else "-"))
        host = statistics.median(timed([sys.executable, "-c", "pass"], warm) for _ in range(RUNS))
        print(f"(medians of {RUNS}, in a clean venv; each ratio to the python -c pass measured")
        print(f" in turn with it: {floor * 1000:.1f}ms alone, {served_floor * 1000:.1f}ms served;")
        print(f" this host's own python -c pass, start-up hooks included: {host * 1000:.1f}ms)")


Row = tuple[str, list[str], dict[str, str], "list[str] | None", "bytes | None"]


def interleaved(rows: list[Row]) -> dict[str, float]:
    """The median wall time of each row, the rows run in turn RUNS times (so a machine that
    slows down for a while slows every row alike, the python -c pass it is compared with
    included)."""
    times: dict[str, list[float]] = {label: [] for label, *_ in rows}
    for _ in range(RUNS):
        for label, command, env, _argv, stdin in rows:
            times[label].append(timed(command, env, stdin))
    return {label: statistics.median(values) for label, values in times.items()}


def kernel_tree_or_none() -> Path | None:
    """Debian's linux-source-6.12, extracted as the tests do (its checkpatch.pl, and the base
    tree of the guard-marker patch); None when the package is not installed."""
    try:
        sys.path.insert(0, str(REPO))
        from tests.kernel_trees import kernel_tree

        return kernel_tree("6.12")
    except BaseException:  # pytest.skip raises Skipped, a BaseException: no package here
        return None


if __name__ == "__main__":
    main()
