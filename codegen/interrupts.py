"""Ctrl-C at a bad moment: blocks that must not be cut in half hold SIGINT.

``hold_interrupts()`` wraps clean-up (removing a temporary worktree, restoring a branch) and
the short final step of a command (renaming staged files into place). A signal that arrives
inside is remembered; when the outermost held block ends it is raised as KeyboardInterrupt,
or, with ``drop=True`` (the command's work is done), only reported. Blocks nest: an inner
block never raises, so a second Ctrl-C during clean-up cannot cut the clean-up short.
Outside the main thread this does nothing: Python delivers signals to the main thread only.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

_held: list[int] = []  # signals received while held
_depth = 0


@contextlib.contextmanager
def hold_interrupts(drop: bool = False) -> Iterator[None]:
    """Defer SIGINT until the outermost held block ends; then raise (or with ``drop``, note) it."""
    global _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN and _depth == 0:
        yield  # started with Ctrl-C ignored (nohup, a background job): keep it so
        return
    previous = None
    if _depth == 0:
        _held.clear()
        previous = signal.signal(signal.SIGINT, lambda signum, _frame: _held.append(signum))
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            signal.signal(signal.SIGINT, previous)
    if _depth or not _held:
        return
    _held.clear()
    if not drop:
        raise KeyboardInterrupt
    print("swapgen: interrupt came after the work was done; it is complete", file=sys.stderr)
