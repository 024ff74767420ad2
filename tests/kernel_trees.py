"""Real kernel trees for the integration tests: Debian's linux-source-6.1 and -6.12.

Only the paths the bundled specs name (plus the Makefile and checkpatch) are extracted from
/usr/src/linux-source-<v>.tar.xz, once, into a cache directory keyed by the tarball.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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


def needed_paths() -> list[str]:
    paths: set[str] = set(EXTRA_PATHS)
    for path in bundled_specs():
        spec = load_spec(path)
        paths.update(spec.generic_files.values())
        paths.update(m.test_header for m in spec.markers.markers if m.test_header)
        for arch in spec.arches.values():
            paths.update(arch.headers)
            paths.add(arch.kconfig)
    return sorted(paths)


def tarball(version: str) -> Path:
    return Path("/usr/src") / f"linux-source-{version}.tar.xz"


def kernel_tree(version: str) -> Path:
    """The extracted tree for a version; skipped (failed on CI) when the package is missing."""
    archive = tarball(version)
    if not archive.is_file():
        message = f"{archive} is missing (apt-get install linux-source-{version}; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    paths = needed_paths()
    stat = archive.stat()
    key = hashlib.sha256(f"{archive}:{stat.st_size}:{stat.st_mtime}:{paths}".encode()).hexdigest()[
        :16
    ]
    cache = Path(tempfile.gettempdir()) / "swapgen-test-trees" / f"{version}-{key}"
    root = cache / f"linux-source-{version}"
    if (cache / ".complete").is_file():
        return root
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    members = [f"linux-source-{version}/{p}" for p in paths]
    proc = subprocess.run(
        ["tar", "-xJf", str(archive), "-C", str(cache), *members],
        capture_output=True,
        text=True,
    )
    unexpected = [
        line
        for line in proc.stderr.splitlines()
        if "Not found in archive" not in line and "Exiting with failure status" not in line
    ]
    assert not unexpected, "\n".join(unexpected)
    assert (root / "include/linux/swap.h").is_file(), proc.stderr
    (cache / ".complete").write_text("\n".join(paths))
    return root


def copy_tree(version: str, dest: Path) -> Path:
    """A private, writable copy of the extracted tree."""
    shutil.copytree(kernel_tree(version), dest)
    return dest
