"""Domain exceptions. The CLI catches them once and prints one clear line each, no traceback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codegen.spec.yamlpos import Problem


class SwapgenError(Exception):
    """A user-facing failure: bad input or usage. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class SpecInvalid(SwapgenError):
    """A spec file that failed to load or validate; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0] if self.problems else "invalid spec"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")


def too_big(where: str, size: int, limit: int) -> SwapgenError:
    """The error for an input file far larger than any real one of its kind."""
    return SwapgenError(
        f"{where}: {size / 2**20:.1f} MB, over the {limit / 2**20:g} MB limit for a kernel "
        "header or Kconfig file; not read"
    )
