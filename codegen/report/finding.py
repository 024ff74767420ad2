"""One finding type for every command: validate, sync and review all report these."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
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
    """One finding per place for the variants of an arch: a line of a header that several
    share (x86's pgtable.h, arm's pgtable.h) gives each the same finding, which is said
    once, naming them all ("arm, arm_lpae __SWP_TYPE_BITS is 4 ...")."""
    groups: dict[tuple[str, str, int, str, str], list[tuple[Finding, str | None]]] = {}
    for found in findings:
        variant, pattern = _variant_named(found.message)
        key = (found.rule, found.file, found.line, pattern, found.patch)
        groups.setdefault(key, []).append((found, variant))
    kept = []
    for key, members in groups.items():
        first, variant = members[0]
        names = list(dict.fromkeys(v for _, v in members if v))
        if variant and len(names) > 1:
            first = replace(first, message=key[3].replace(_PLACE, ", ".join(names), 1))
        kept.append(first)
    return kept


_PLACE = "\0variant\0"


def _variant_named(message: str) -> tuple[str | None, str]:
    """The first arch variant a message names, and the message with it made a placeholder."""
    from codegen.kernel.arches import VARIANT_RE

    found = VARIANT_RE.search(message)
    if found is None:
        return None, message
    return found.group(0), message[: found.start()] + _PLACE + message[found.end() :]
