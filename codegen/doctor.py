"""``swapgen doctor``: which optional parts are present on this machine and what each enables.

Every check returns a :class:`Check` and takes its lookups as arguments (``which`` for finding
an executable, ``run`` for running it), so tests can run the real checks under a PATH of their
own. Tools are run with argument lists and a timeout; a tool that is missing, hangs or crashes
is reported as such, never as a traceback. Only Python, GitPython and the bundled specs are
required: the exit code is 1 when one of them is broken, 0 otherwise.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from codegen import __version__
from codegen.kernel.arches import ARCHES

Which = Callable[[str], str | None]
Run = Callable[..., subprocess.CompletedProcess[str]]

TIMEOUT = 30.0
"""Seconds any one tool invocation may take before it is reported as hanging."""

TARBALL_DIR = Path("/usr/src")
TARBALL_VERSIONS = ("6.1", "6.12")  # the trees tests/kernel_trees.py extracts
TREE_USES = "sync, import, patch, review --tree"
HELLO_C = "int main(void) { return 0; }\n"
TARGET_C = "typedef unsigned long long u64;\nu64 swapgen_doctor(u64 v) { return v >> 3; }\n"


@dataclass(frozen=True)
class Check:
    """One part of the set-up: whether it works, what was found, and what it enables."""

    name: str
    present: bool
    detail: str
    enables: str
    required: bool = False


def _call(run: Run, argv: Sequence[str], stdin: str | None = None) -> tuple[bool, str]:
    """Run a tool; (True, first line of stdout) or (False, why it failed), never raises."""
    try:
        proc = run(list(argv), input=stdin, capture_output=True, text=True, errors="replace",
                   timeout=TIMEOUT)  # fmt: skip
    except subprocess.TimeoutExpired:
        return False, f"{Path(argv[0]).name} hung (no answer in {TIMEOUT:g} s)"
    except (OSError, subprocess.SubprocessError) as error:
        return False, f"cannot run {argv[0]}: {error}"
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return False, f"{Path(argv[0]).name} crashed ({name})"
    if proc.returncode != 0:
        lines = [line.strip() for line in (proc.stderr or "").splitlines() if line.strip()]
        why = next((line for line in lines if "error" in line), lines[0] if lines else "")
        return False, f"{Path(argv[0]).name} exited {proc.returncode}" + (f": {why}" if why else "")
    return True, next(iter((proc.stdout or "").splitlines()), "").strip()


def _find(which: Which, names: Sequence[str]) -> str | None:
    return next((path for path in map(which, names) if path), None)


def _not_found(names: Sequence[str]) -> str:
    return f"not found on PATH (looked for {', '.join(names)})"


def check_python() -> Check:
    """The running Python: swapgen needs 3.11 or newer."""
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    detail = f"{version} ({sys.executable})" + ("" if ok else ": swapgen needs 3.11 or newer")
    return Check("python", ok, detail, "swapgen at all", required=True)


def check_swapgen() -> Check:
    """The swapgen package that is running, and where it lives."""
    return Check("swapgen", True, f"{__version__} ({Path(__file__).parent})", "-", required=True)


def check_gitpython(which: Which = shutil.which, run: Run = subprocess.run) -> Check:
    """GitPython, a hard dependency; importing it needs a working git."""
    from importlib import metadata

    enables = "reading trees at a revision, patch, review --git/--tree"
    try:
        version = metadata.version("GitPython")
    except metadata.PackageNotFoundError:
        version = None
    git_path = which("git")
    if version and not (git_path and _call(run, [git_path, "--version"])[0]):
        # importing GitPython fails without a working git, which check_git reports
        return Check("GitPython", True, f"{version} (installed; not imported: no working git)",
                     enables, required=True)  # fmt: skip
    try:
        from codegen.patch.gitrepo import gitpython_version

        imported = gitpython_version()
    except Exception as error:  # GitPython raises ImportError, or worse, when it cannot start
        why = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Check("GitPython", False, f"does not import: {why} (pip install -e .)", enables,
                     required=True)  # fmt: skip
    return Check("GitPython", True, f"{imported} (imports)", enables, required=True)


PACKAGES = (
    ("PyYAML", "yaml", "reading every spec"),
    ("jsonschema", "jsonschema", "validate (and the first read of a spec)"),
    ("Jinja2", "jinja2", "generate, layout, patch (the templates)"),
    ("unidiff", "unidiff", "review (reading the diffs)"),
    ("pyelftools", "elftools", "sync, import, review (reading the compiled probes)"),
)


def check_packages() -> list[Check]:
    """The Python libraries swapgen depends on: installed, and importable."""
    import importlib
    from importlib import metadata

    checks = []
    for dist, module, enables in PACKAGES:
        try:
            version = metadata.version(dist)
            importlib.import_module(module)
        except metadata.PackageNotFoundError:
            checks.append(Check(dist, False, "not installed (pip install -e .)", enables, True))
            continue
        except Exception as error:  # installed but broken
            detail = f"{version}: does not import: {type(error).__name__}: {error}"
            checks.append(Check(dist, False, detail, enables, True))
            continue
        checks.append(Check(dist, True, version, enables, True))
    import yaml

    fast = bool(getattr(yaml, "__with_libyaml__", False))
    detail = "PyYAML built with libyaml" if fast else "PyYAML without libyaml (pure Python)"
    checks.append(Check("libyaml", fast, detail, "specs load several times faster"))
    return checks


def check_git(which: Which = shutil.which, run: Run = subprocess.run) -> Check:
    """The git executable."""
    enables = "patch, review --git/--range/--tree, sync/import --rev"
    path = which("git")
    if not path:
        return Check("git", False, _not_found(["git"]), enables)
    ok, text = _call(run, [path, "--version"])
    version = text.removeprefix("git version ").strip() if ok else text
    return Check("git", ok, f"{version} ({path})", enables)


def check_cc(which: Which = shutil.which, run: Run = subprocess.run) -> Check:
    """The host C compiler: it must build a program that then runs (our own C harness)."""
    enables = "running the C harness of the generated headers on the host"
    names = ["gcc", "cc"]
    path = _find(which, names)
    if not path:
        return Check("cc", False, _not_found(names), enables)
    with tempfile.TemporaryDirectory(prefix="swapgen-doctor-") as tmp:
        binary = str(Path(tmp) / "hello")
        ok, why = _call(run, [path, "-x", "c", "-", "-o", binary], HELLO_C)
        if ok:
            ok, why = _call(run, [binary])
    ok_v, version = _call(run, [path, "-dumpfullversion", "-dumpversion"])
    detail = f"{version if ok_v else '?'} ({path})" + ("" if ok else f": {why}")
    return Check("cc", ok, detail, enables)


def _clang_target(run: Run, clang: str, triple: str) -> tuple[bool, str]:
    argv = [clang, "-c", "-ffreestanding", f"--target={triple}", "-o", "/dev/null", "-x", "c", "-"]
    return _call(run, argv, TARGET_C)


def check_clang(which: Which = shutil.which, run: Run = subprocess.run) -> list[Check]:
    """clang, and for every arch whether it really compiles for the arch's target triple."""
    names = ["clang-19", "clang"]
    path = _find(which, names)
    enables, checks = "cross-compile tests of the generated headers", []
    if path:
        ok, text = _call(run, [path, "--version"])
        found = re.search(r"version (\S+)", text) if ok else None
        version = found.group(1) if found else text
        note = "" if Path(path).name == "clang-19" else "; the tests look for clang-19"
        checks.append(Check("clang", ok, f"{version} ({path}){note}", enables))
    else:
        checks.append(Check("clang", False, _not_found(names), enables))
    arches = sorted((name, info) for name, info in ARCHES.items() if info.clang_target)
    if path:
        with ThreadPoolExecutor(max_workers=len(arches)) as pool:
            results = list(
                pool.map(lambda a: _clang_target(run, path, a[1].clang_target or ""), arches)
            )
    else:
        results = [(False, "no clang")] * len(arches)
    for (arch, tool), (ok, why) in zip(arches, results, strict=True):
        detail = f"--target={tool.clang_target}" + ("" if ok else f": {why}")
        enables = (
            f"sync, import and review of {arch}'s swap-PTE code (compiled, never run) "
            f"unless {' or '.join(tool.gcc)} is here; compile tests of its headers"
        )
        checks.append(Check(f"clang {arch}", ok, detail, enables))
    return checks


def _emulators() -> dict[tuple[str, str], list[str]]:
    """The arches each qemu-user and cross gcc pair runs (x86's 32-bit variants share one)."""
    found: dict[tuple[str, str], list[str]] = {}
    for arch, info in ARCHES.items():
        if info.qemu:
            found.setdefault((info.qemu, info.gcc[0]), []).append(arch)
    return found


def _one_per_emulator() -> list[str]:
    return [arches[0] for arches in _emulators().values()]


def check_qemu(arch: str, which: Which = shutil.which, run: Run = subprocess.run) -> Check:
    """qemu-user with the arch's cross compiler: builds a program against the cross libc and
    runs it."""
    info = ARCHES[arch]
    assert info.qemu is not None
    name = f"qemu-{info.qemu.removeprefix('qemu-').removesuffix('-static')}"
    sharing = [ARCHES[a].description for a in _emulators()[info.qemu, info.gcc[0]]]
    enables = f"running the C harness on real {' and '.join(sharing)}"
    qemu_names, cross_name = [info.qemu, info.qemu.removesuffix("-static")], info.gcc[0]
    qemu, cross = _find(which, qemu_names), which(cross_name)
    if not qemu or not cross:
        missing = [] if qemu else [_not_found(qemu_names)]
        missing += [] if cross else [f"{cross_name} not found on PATH"]
        return Check(name, False, "; ".join(missing), enables)
    with tempfile.TemporaryDirectory(prefix="swapgen-doctor-") as tmp:
        binary = str(Path(tmp) / f"hello-{arch}")
        ok, why = _call(run, [cross, "-x", "c", "-", "-o", binary], HELLO_C)
        if ok:
            ok, why = _call(run, [qemu, "-L", info.sysroot, binary])
    note = "" if Path(qemu).name == info.qemu else f"; the tests look for {info.qemu}"
    detail = f"{qemu} with {cross}{note}" + ("" if ok else f": {why}")
    return Check(name, ok, detail, enables)


def check_perl(which: Which = shutil.which, run: Run = subprocess.run) -> Check:
    """perl, which runs the kernel's scripts/checkpatch.pl in the patch tests."""
    enables = "checkpatch.pl in the patch tests"
    path = which("perl")
    if not path:
        return Check("perl", False, _not_found(["perl"]), enables)
    ok, text = _call(run, [path, "-e", 'printf "%vd\\n", $^V'])
    return Check("perl", ok, f"{text} ({path})", enables)


def _kernel_version(root: Path) -> str:
    """"linux X.Y, " from the tree's Makefile (as sync and import read it), or ""."""
    from codegen.errors import SwapgenError
    from codegen.tree.source import TreeSource

    try:
        version = TreeSource(root).kernel_version()
    except SwapgenError:
        return ""
    return f"linux {version}, " if version else ""


def check_tree(tree: str | None, cwd: Path | None = None) -> Check:
    """``tree`` (or the current directory) as a kernel tree: include/linux/swap.h and arch/."""
    root = Path(tree) if tree is not None else (cwd or Path.cwd())
    where = str(root) if tree is not None else f"current directory {root}"
    if not root.is_dir():
        why = "not a directory" if root.exists() else "no such directory"
        return Check("kernel tree", False, f"{where}: {why}", TREE_USES)
    if not (root / "include/linux/swap.h").is_file() or not (root / "arch").is_dir():
        hint = "" if tree is not None else "; pass --tree PATH"
        why = "not a kernel tree (no include/linux/swap.h and arch/)"
        return Check("kernel tree", False, f"{where}: {why}{hint}", TREE_USES)
    has_git = (root / ".git").exists()
    git = "a git repository" if has_git else "not a git repository (patch and --rev need one)"
    return Check("kernel tree", True, f"{where}: {_kernel_version(root)}{git}", TREE_USES)


def check_tarballs(directory: Path = TARBALL_DIR) -> list[Check]:
    """Debian's linux-source tarballs the real-tree integration tests extract."""
    checks = []
    for version in TARBALL_VERSIONS:
        path = directory / f"linux-source-{version}.tar.xz"
        enables = f"real-tree integration tests against {version}"
        if path.is_file():
            size = path.stat().st_size / 2**20
            checks.append(Check(f"linux-source-{version}", True, f"{path} ({size:.0f} MiB)",
                                enables))  # fmt: skip
        else:
            detail = f"{path} missing (apt-get install linux-source-{version})"
            checks.append(Check(f"linux-source-{version}", False, detail, enables))
    return checks


def check_specs(paths: Sequence[Path] | None = None) -> Check:
    """The bundled specs (or ``paths``) load and validate, as ``swapgen validate`` checks them."""
    from codegen.resources import bundled_specs
    from codegen.spec.load import check_spec, load_spec

    enables = "validate, generate and the default --spec of every command"
    try:
        files = list(paths) if paths is not None else bundled_specs()
        if not files:
            return Check("bundled specs", False, "none found", enables, required=True)
        for path in files:
            problems = check_spec(path)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                return Check("bundled specs", False, f"{problems[0]}{more}", enables, True)
            load_spec(path)
    except Exception as error:  # a broken install must be reported, not crash the report
        return Check("bundled specs", False, f"{type(error).__name__}: {error}", enables, True)
    names = ", ".join(Path(p).stem for p in files)
    return Check("bundled specs", True, f"{names} valid ({Path(files[0]).parent})", enables, True)


def check_cache() -> Check:
    """The schema cache (codegen/spec/schemacache.py): without it every read of a spec validates."""
    from codegen.spec.schemacache import cache_dir

    enables = "fast start of show, decode, encode (known-good specs skip jsonschema)"
    directory = cache_dir()
    if directory is None:
        return Check("schema cache", False, "switched off (SWAPGEN_CACHE_DIR=off)", enables)
    probe = directory / "schema-ok"
    try:
        probe.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check("schema cache", False, f"{directory}: {error.strerror or error}", enables)
    return Check("schema cache", True, str(directory), enables)


def run_checks(
    tree: str | None, which: Which = shutil.which, run: Run = subprocess.run
) -> list[Check]:
    """Every check, in report order."""
    return [
        check_python(),
        check_swapgen(),
        check_gitpython(which, run),
        *check_packages(),
        check_specs(),
        check_cache(),
        check_git(which, run),
        check_cc(which, run),
        *check_clang(which, run),
        *(check_qemu(arch, which, run) for arch in _one_per_emulator()),
        check_perl(which, run),
        check_tree(tree),
        *check_tarballs(),
    ]


def exit_code(checks: Sequence[Check]) -> int:
    """1 when a required part is broken, else 0 (missing optional parts do not count)."""
    return 1 if any(c.required and not c.present for c in checks) else 0


def format_text(checks: Sequence[Check]) -> str:
    """The report: one aligned line per part."""
    name_width = max(len(c.name) for c in checks)
    detail_width = min(max(len(c.detail) for c in checks), 60)
    lines = []
    for c in checks:
        status = "ok" if c.present else ("BROKEN" if c.required else "missing")
        use = f"enables: {c.enables}" if c.present else f"without it: no {c.enables}"
        if c.enables == "-":
            use = ""
        line = f"{status:<8}{c.name:<{name_width}}  {c.detail:<{detail_width}}  {use}"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def doctor(tree: str | None, fmt: str, out: TextIO) -> int:
    """Write the report (``fmt`` "text" or "json") to ``out``; return the exit code."""
    checks = run_checks(tree)
    if fmt == "json":
        json.dump([asdict(c) for c in checks], out, indent=2)
        out.write("\n")
    else:
        out.write(format_text(checks))
    return exit_code(checks)
