"""Minimal, line-based edits of kernel source text: replace a #define's value where it stands,
add a line in a sibling's format, insert or drop whole lines. Everything else stays
byte-identical. Pure functions over text; no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codegen.csrc.preprocess import parse_define


@dataclass
class FileEdits:
    """Replacements of original line ranges [start, end) (0-based), applied bottom-up."""

    text: str
    ops: list[tuple[int, int, list[str], int]] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def replace(self, start: int, end: int, new_lines: list[str]) -> None:
        self.ops.append((start, end, new_lines, len(self.ops)))

    def insert_after(self, index: int, new_lines: list[str]) -> None:
        self.replace(index + 1, index + 1, new_lines)

    def insert_before(self, index: int, new_lines: list[str]) -> None:
        self.replace(index, index, new_lines)

    def apply(self) -> str:
        lines = self.lines
        # bottom-up so earlier indexes stay valid; at one place, keep the order of the calls
        for start, end, new_lines, _ in sorted(
            self.ops, key=lambda op: (op[0], op[3]), reverse=True
        ):
            lines[start:end] = new_lines
        return "\n".join(lines)


def define_span(lines: list[str], index: int) -> int:
    """One past the last line of the #define at ``index`` (backslash continuations)."""
    end = index
    while end < len(lines) and lines[end].rstrip().endswith("\\"):
        end += 1
    return end + 1


def value_column(line: str) -> int:
    """The display column (tabs of 8) where a #define line's value starts."""
    define = parse_define(line)
    if define is None or not define.separator:
        return len(line.expandtabs(8))
    return len(define.head.expandtabs(8))


def tabs_to(width: int, column: int) -> str:
    """The tabs that take text of display ``width`` to ``column`` (at least one)."""
    pad, position = "", width
    while position < column or not pad:  # each tab advances to the next multiple of 8
        pad += "\t"
        position = (position // 8 + 1) * 8
    return pad


def define_line(name: str, value: str, like: str) -> str:
    """``#define NAME VALUE`` spelled like the sibling line ``like`` (spacing, value column)."""
    define = parse_define(like)
    if define is None or not define.separator:
        raise ValueError(f"not a #define line: {like!r}")
    head = define.prefix + name
    column = value_column(like)
    width = len(head.expandtabs(8))
    separator = define.separator
    if "\t" in separator and width < column:
        return head + tabs_to(width, column) + value
    if separator == " " or width >= column:
        return head + (" " if " " in separator else "\t") + value
    return head + " " * (column - width) + value


def replace_define_value(edits: FileEdits, index: int, value: str) -> None:
    """Give the #define at line ``index`` a new value, keeping its name and spacing."""
    lines = edits.lines
    end = define_span(lines, index)
    define = parse_define(lines[index])
    if define is None or not define.separator:
        raise ValueError(f"line {index + 1} is not a #define")
    comment = re.search(r"(\s*/\*[^*]*\*/)\s*$", lines[end - 1])
    edits.replace(index, end, [define.head + value + (comment.group(1) if comment else "")])


def function_end(lines: list[str], index: int) -> int:
    """Index of the line that closes the function whose definition starts at ``index``."""
    depth = 0
    seen = False
    for position in range(index, len(lines)):
        code = lines[position]
        depth += code.count("{") - code.count("}")
        seen = seen or "{" in code
        if seen and depth <= 0:
            return position
    raise ValueError(f"no end of the function at line {index + 1}")
