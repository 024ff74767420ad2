"""Messages that echo user input (a value, a --config item, a key from a spec) on one line."""

from __future__ import annotations


def one_line(message: str) -> str:
    """``message`` with newlines and other unprintable characters written as escapes."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)
