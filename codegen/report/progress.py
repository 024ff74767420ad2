"""A progress line on a terminal for long runs: what has been read, and how fast.

Silent unless the stream is a terminal and the run has gone on for a couple of seconds;
redrawn at most a few times a second, and cleared when the run ends.
"""

from __future__ import annotations

import time
from typing import TextIO

QUIET_SECONDS = 2.0
REDRAW_SECONDS = 0.25


class Progress:
    """Counts reported by the work (``seen``); drawn on ``stream`` when it is a terminal."""

    def __init__(self, stream: TextIO, what: str):
        self.stream = stream
        self.what = what
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.shown = False
        try:
            self.live = stream.isatty()
        except (AttributeError, ValueError):
            self.live = False

    def seen(self, count: int) -> None:
        if not self.live:
            return
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < QUIET_SECONDS or now - self.drawn_at < REDRAW_SECONDS:
            return
        self.drawn_at = now
        self.shown = True
        self.stream.write(f"\r{count:,} {self.what} read ({count / elapsed:,.0f}/s)\x1b[K")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
