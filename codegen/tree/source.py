"""A kernel tree on disk, or at a git revision read without a checkout."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Protocol

from codegen.csrc.preprocess import MAX_HEADER_BYTES
from codegen.errors import SwapgenError, too_big

MAX_FILE_BYTES = MAX_HEADER_BYTES
"""No header or Kconfig file a spec lists comes near this; a bigger one is not the kernel's."""


class FileSource(Protocol):
    """What the tree reader reads: files by their path in the tree, and a name for reports."""

    @property
    def label(self) -> str: ...

    def read(self, relpath: str) -> str | None: ...

    def kernel_version(self) -> str | None: ...


def makefile_version(makefile: str) -> str | None:
    """``VERSION.PATCHLEVEL`` from a kernel Makefile's text."""
    version = re.search(r"^VERSION\s*=\s*(\d+)", makefile, re.M)
    patch = re.search(r"^PATCHLEVEL\s*=\s*(\d+)", makefile, re.M)
    return f"{version.group(1)}.{patch.group(1)}" if version and patch else None


class TreeSource:
    """Files of a kernel tree: a directory, or a git revision read without a checkout."""

    def __init__(self, path: str | Path, rev: str | None = None):
        self.path = Path(path)
        self.rev = rev
        self._lock = threading.Lock()  # GitPython's object reader is not thread-safe
        if not self.path.exists():
            raise SwapgenError(f"{path}: no such directory")
        if rev is not None:
            from codegen.patch.gitrepo import RevisionReader

            self._git = RevisionReader(self.path, rev)
        elif not self.path.is_dir():
            raise SwapgenError(f"{path}: not a directory")
        if self.read("include/linux/swap.h") is None:
            # a full commit id (patch resolves --base to one) reads better abbreviated
            shown = rev[:12] if rev and re.fullmatch(r"[0-9a-f]{40}", rev) else rev
            at = f" at {shown}" if rev else ""
            raise SwapgenError(f"{path}: not a kernel tree{at} (no include/linux/swap.h)")

    @property
    def label(self) -> str:
        return f"{self.path}@{self.rev}" if self.rev else str(self.path)

    def read(self, relpath: str) -> str | None:
        """A file's text; None if the tree has no such file. An oversized file is an error."""
        if self.rev is not None:
            with self._lock:
                return self._git.read(relpath, MAX_FILE_BYTES)
        target = self.path / relpath
        try:
            size = target.stat().st_size
            if size > MAX_FILE_BYTES:
                raise too_big(str(target), size, MAX_FILE_BYTES)
            return target.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            return None
        except OSError as err:
            raise SwapgenError(f"{target}: cannot read: {err.strerror or err}") from None

    def kernel_version(self) -> str | None:
        return makefile_version(self.read("Makefile") or "")
