"""Ctrl-C at a bad moment: blocks that must not be cut in half hold SIGINT.

``hold_interrupts()`` wraps clean-up (removing a temporary worktree, restoring a branch) and
the short final step of a command (renaming staged files into place). A signal that arrives
inside is remembered; at the end of the block it is raised as KeyboardInterrupt, or, with
``drop=True`` (the final step is done, so the command has finished), only reported.
Outside the main thread this does nothing: Python delivers signals to the main thread only.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def hold_interrupts(drop: bool = False) -> Iterator[None]:
    """Defer SIGINT until the block ends; then raise (or, with ``drop``, note) it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received and not drop:
        raise KeyboardInterrupt
    if received:
        print("swapgen: interrupt came during the final step; it was completed", file=sys.stderr)
