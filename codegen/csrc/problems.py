"""What the C reader reports instead of guessing."""

from __future__ import annotations


class Unevaluable(Exception):
    """A construct the reader does not evaluate; ``where`` is ``file:line`` (or empty)."""

    def __init__(self, message: str, where: str = ""):
        self.where = where
        self.message = message
        self.shadowed: set[str] = set()  # names defined in a branch that was skipped for it
        super().__init__(f"{where}: {message}" if where else message)

    def place(self) -> tuple[str, int] | None:
        """``where`` split into file and line, when it names both."""
        file, _, line = self.where.rpartition(":")
        return (file, int(line)) if file and line.isdigit() else None


class ShiftPastWidth(Unevaluable):
    """A shift by a count the type does not have (C leaves the result undefined); ``count``
    is the bit the expression reaches for, ``bits`` the width it has."""

    def __init__(self, message: str, where: str = "", count: int = 0, bits: int = 0):
        super().__init__(message, where)
        self.count = count
        self.bits = bits


class ExpansionTooBig(Unevaluable):
    """A macro whose expansion nests too deep or grows without bound (a recursive macro)."""
