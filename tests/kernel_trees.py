"""Real kernel trees for the integration tests: Debian's linux-source-6.1 and -6.12.

Only the paths the bundled specs name (plus the Makefile and checkpatch) are extracted from
/usr/src/linux-source-<v>.tar.xz, once, into a cache directory keyed by the tarball and
shared by every test run on the machine. Runs may be concurrent: a run extracts under a lock
per cache key into a private directory beside the cache, writes the ``.complete`` marker
inside it and renames it into place, so a tree is either absent or whole, and never removed
while another run reads it. What a killed run left half-made is cleared under the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from codegen.resources import bundled_specs
from codegen.spec.load import load_spec

EXTRA_PATHS = [
    "Makefile",
    "include/linux/userfaultfd_k.h",
    "scripts/checkpatch.pl",
    "scripts/spelling.txt",
    "scripts/const_structs.checkpatch",
]

COMPLETE = ".complete"
"""Written last inside a tree's directory, before the rename that publishes it."""


def needed_paths() -> list[str]:
    paths: set[str] = set(EXTRA_PATHS)
    for path in bundled_specs():
        spec = load_spec(path)
        paths.update(spec.generic_files.values())
        paths.update(m.test_header for m in spec.marker_list if m.test_header)
        for arch in spec.arches.values():
            paths.update(arch.headers)
            paths.add(arch.kconfig)
    return sorted(paths)


def tarball(version: str) -> Path:
    return Path("/usr/src") / f"linux-source-{version}.tar.xz"


def cache_root() -> Path:
    """Where extracted trees are kept: shared by every run that has the same temp dir."""
    return Path(tempfile.gettempdir()) / "swapgen-test-trees"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (created if need be) for the block."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def extract(archive: Path, version: str, paths: list[str], dest: Path) -> None:
    """The named paths of the tarball into ``dest``, then the completion marker."""
    members = [f"linux-source-{version}/{p}" for p in paths]
    proc = subprocess.run(
        ["tar", "-xJf", str(archive), "-C", str(dest), *members],
        capture_output=True,
        text=True,
    )
    unexpected = [
        line
        for line in proc.stderr.splitlines()
        if "Not found in archive" not in line and "Exiting with failure status" not in line
    ]
    assert not unexpected, "\n".join(unexpected)
    assert (dest / f"linux-source-{version}/include/linux/swap.h").is_file(), proc.stderr
    (dest / COMPLETE).write_text("\n".join(paths))


def kernel_tree(version: str) -> Path:
    """The extracted tree for a version; skipped (failed on CI) when the package is missing.

    The tree is shared between runs: read it, or copy it (``copy_tree``) to change it."""
    archive = tarball(version)
    if not archive.is_file():
        message = f"{archive} is missing (apt-get install linux-source-{version}; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    paths = needed_paths()
    stat = archive.stat()
    key = hashlib.sha256(f"{archive}:{stat.st_size}:{stat.st_mtime}:{paths}".encode()).hexdigest()
    name = f"{version}-{key[:16]}"
    parent = cache_root()
    cache = parent / name
    root = cache / f"linux-source-{version}"
    if (cache / COMPLETE).is_file():
        return root
    parent.mkdir(parents=True, exist_ok=True)
    with locked(parent / f"{name}.lock"):
        if (cache / COMPLETE).is_file():  # another run made it while this one waited
            return root
        # under the lock nobody is extracting this key: anything here is a killed run's
        for stale in [cache, *parent.glob(f".{name}-partial-*")]:
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-partial-", dir=parent))
        try:
            staging.chmod(0o755)  # mkdtemp's 0700 would hide the tree from other users
            extract(archive, version, paths, staging)
            staging.rename(cache)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return root


def copy_tree(version: str, dest: Path) -> Path:
    """A private, writable copy of the extracted tree."""
    shutil.copytree(kernel_tree(version), dest)
    return dest


class KnownFinding(NamedTuple):
    """A true finding sync makes on a Debian tree, the line it is on, and that line fixed as
    upstream would fix it."""

    rule: str
    path: str
    text: str
    fixed: str
    error: bool


ALPHA_BLIND_TEST = KnownFinding(
    "SWP528",
    "arch/alpha/include/asm/pgtable.h",
    "static inline int pte_swp_exclusive(pte_t pte)",
    "static inline bool pte_swp_exclusive(pte_t pte)",
    True,
)
"""Debian's 6.12 (6.12.117) has it, as 6.6-6.14 do: the int cannot hold the exclusive bit,
39, so sync reports SWP528 there. 6.1 has no exclusive bit on alpha."""

X86_32_TYPE_COMMENT = KnownFinding(
    "SWP541",
    "arch/x86/include/asm/pgtable-2level.h",
    " *   <----------------- offset ------------------> 0 E <- type --> 0",
    " *   <----------------- offset ------------------> 0 E 0 <- type-> 0",
    False,
)
"""32-bit x86's layout comment (since v6.3, with the exclusive bit) draws the 5-bit type
over bits 1-6; the code puts it at 1-5, and bit 6 is unused. 6.1 has no such comment."""

NIOS2_TWO_TYPE_BITS = KnownFinding(
    "SWP521",
    "arch/nios2/include/asm/pgtable.h",
    "(((swp).val >> 26) & 0x3)\n#define __swp_offset(swp)\t((swp).val & 0xfffff)\n"
    "#define __swp_entry(type, off)\t((swp_entry_t) { (((type) & 0x3) << 26)",
    "(((swp).val >> 26) & 0x1f)\n#define __swp_offset(swp)\t((swp).val & 0xfffff)\n"
    "#define __swp_entry(type, off)\t((swp_entry_t) { (((type) & 0x1f) << 26)",
    True,
)
"""Until v6.3 nios2 kept 2 type bits, fewer than core MM's MAX_SWAPFILES_SHIFT (5): every
special type (migration, hwpoison, markers) is 4 or more and loses its high bits. v6.3
("nios2/mm: refactor swap PTE layout") widened the field to 26-30; the fix is that."""

KNOWN_FINDINGS: dict[str, list[KnownFinding]] = {
    "6.1": [NIOS2_TWO_TYPE_BITS],
    "6.12": [X86_32_TYPE_COMMENT, ALPHA_BLIND_TEST],
}
"""The whole drift of each Debian tree against its own spec, in report order."""


def known_findings(version: str, root: Path | None = None) -> list[tuple[str, str, int]]:
    """KNOWN_FINDINGS of a tree as (rule, file, line), the line looked up in its text."""
    return _located(KNOWN_FINDINGS[version], root or kernel_tree(version))


def known_bugs(version: str, root: Path | None = None) -> list[tuple[str, str, int]]:
    """The errors among KNOWN_FINDINGS, as (rule, file, line)."""
    bugs = [known for known in KNOWN_FINDINGS[version] if known.error]
    return _located(bugs, root or kernel_tree(version))


def _located(found: list[KnownFinding], root: Path) -> list[tuple[str, str, int]]:
    located = []
    for known in found:
        lines = (root / known.path).read_text().split("\n")
        first = known.text.split("\n")[0]  # a fix may span lines: found by its first
        line = 1 + next(i for i, text in enumerate(lines) if first in text)
        located.append((known.rule, known.path, line))
    return located


def copy_fixed_tree(version: str, dest: Path) -> Path:
    """A writable copy with its known findings fixed as upstream would, for tests that need
    a tree in sync with its spec."""
    copy_tree(version, dest)
    for known in KNOWN_FINDINGS[version]:
        file = dest / known.path
        text = file.read_text()
        assert text.count(known.text) == 1, known
        file.write_text(text.replace(known.text, known.fixed))
    return dest
