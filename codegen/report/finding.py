"""One finding type for every command: validate, sync and review all report these."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from codegen.kernel.rules import rule
from codegen.oneline import one_line


@dataclass(frozen=True)
class Finding:
    """A rule that fired at a place; ``tree``/``spec`` carry the two values it compared."""

    rule: str
    severity: str  # error, warning, info
    file: str
    line: int
    message: str
    arch: str = ""  # "generic", an arch, or "" where no arch applies
    tree: Any = None
    spec: Any = None
    patch: str = ""  # "[n/m] subject" of the patch a review finding is about
    column: int = 0

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or "-"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        """checkpatch-like: ``file:line: ERROR: SWP123: message [n/m subject]``."""
        patch = f" [{self.patch}]" if self.patch else ""
        line = f"{self.where}: {self.severity.upper()}: {self.rule}: {self.message}{patch}"
        return one_line(line)


def finding(
    rule_id: str,
    file: str,
    line: int,
    message: str,
    *,
    arch: str = "",
    tree: Any = None,
    spec: Any = None,
    patch: str = "",
) -> Finding:
    """A Finding with the rule's own severity."""
    return Finding(rule_id, rule(rule_id).severity, file, line, message, arch, tree, spec, patch)


def once_for_every_variant(findings: list[Finding]) -> list[Finding]:
    """The findings without the repeats that differ only in their arch: a line of a header
    that several variants share (x86's pgtable.h) gives each of them the same finding."""
    seen: set[tuple[str, str, int, str, str]] = set()
    kept = []
    for found in findings:
        key = (found.rule, found.file, found.line, found.message, found.patch)
        if key not in seen:
            seen.add(key)
            kept.append(found)
    return kept
