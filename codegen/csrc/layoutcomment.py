"""Parse the "Format of swap PTEs" comments of arch headers into bit ranges.

The kernel writes these in several styles: lists ("bits 6-10: swap type", "bits 12 to
XLEN-1: swap offset"), names with ranges ("TYPE (59-63) | ~OFFSET (9-58)"), s390's
MSB-first numbering ("Bits 0-51 store the offset"), and drawings with two digit rows over a
row of "<--- offset --->" arrows. The sync compares what a comment says with what the code does.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

FIELDS = ("type", "offset")


@dataclass(frozen=True)
class CommentField:
    name: str  # "type" or "offset"
    lo: int
    hi: int
    line: int  # line in the file
    pieces: tuple[tuple[int, int], ...] = ()  # (lo, hi) of each run, when drawn as several
    top: int | None = None  # the highest bit the drawing numbers; None for words

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """(lo, hi) of each run the comment draws the field over, lowest first."""
        return self.pieces or ((self.lo, self.hi),)


DRAWN_NAMES = {"type": ("type",), "offset": ("offset", "ofs")}
"""The labels a drawing gives a field's arrows: parisc draws the low piece of its split
offset as "<ofs>" beside "<---- offset ---->"."""


_BETWEEN = r"(?:(?!\bbits?\s+\d|\b(?:type|offset)\b)[^\n])*?"
"""What may stand between a range and its field's name: not another range or field name."""

RANGE_WORDS = re.compile(
    r"\bbits?\s+(?:from\s+)?(\d+)\s*(?:-|to)\s*(\d+|XLEN\s*-\s*1)\b"
    + _BETWEEN
    + r"\b(?:swap\s+)?(type|offset)\b(?!\s+and\s+(?:type|offset)\b)"
    r"|\bbits?\s+(\d+)\s*(?:-|to)\s*(\d+)\s+store\s+the\s+(type|offset)\b"
    r"|~?\b(TYPE|OFFSET)\s*\((\d+)\s*-\s*(\d+)\)",
    re.I,
)
"""A range and the field it is for. A range stated for both ("bits 0-51 and 56-62 to store
type and offset", s390 before v5.19) says neither."""


PIECE_WORDS = re.compile(
    r"\bbits?\s+(\d+)(?:\s*(?:-|to)\s*(\d+))?\s*:\s*(?:swap\s+)?(type|offset)\s*"
    r"\[\s*(\d+)\s*(?:-\s*\d+\s*)?\]",
    re.I,
)
"""One piece of a split field, with the field bits it holds: csky's "bit 8: swap offset[0]"
and "bit 11 - 31: swap offset[1 - 21]"."""

SECTION_RE = re.compile(r"\bformat of (\d+)\s*-?\s*bit swap ptes\b", re.I)
"""A comment that draws one layout per word size ("Format of 32bit swap PTEs:")."""


def section(comment: str, first_line: int, pte_bits: int) -> tuple[str, int]:
    """The part of a comment about ``pte_bits``-bit PTEs, with its first line; the whole
    comment when it does not draw one layout per word size."""
    lines = comment.split("\n")
    starts = [
        (i, int(m.group(1))) for i, text in enumerate(lines) if (m := SECTION_RE.search(text))
    ]
    for index, (start, bits) in enumerate(starts):
        if bits == pte_bits:
            end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
            return "\n".join(lines[start:end]), first_line + start
    return comment, first_line


def parse(comment: str, first_line: int, pte_bits: int, msb0: bool = False) -> list[CommentField]:
    """Type and offset ranges a comment states, in LSB-0 numbering."""
    comment, first_line = section(comment, first_line, pte_bits)
    found: dict[str, CommentField] = {}
    lines = comment.split("\n")
    for index, text in enumerate(lines):
        for match in RANGE_WORDS.finditer(text):
            groups = match.groups()
            if groups[0] is not None:
                lo, hi, name = groups[0], groups[1], groups[2]
            elif groups[3] is not None:
                lo, hi, name = groups[3], groups[4], groups[5]
            else:
                name, lo, hi = groups[6], groups[7], groups[8]
            low = int(lo)
            high = pte_bits - 1 if hi.upper().startswith("XLEN") else int(hi)
            if msb0:
                low, high = pte_bits - 1 - high, pte_bits - 1 - low
            found.setdefault(
                name.lower(), CommentField(name.lower(), low, high, first_line + index)
            )
    found.update(_pieces(lines, first_line, pte_bits, msb0))
    for field in _drawing(lines, first_line, pte_bits):
        found.setdefault(field.name, field)
    if any(field.hi >= pte_bits for field in found.values()):
        return []  # it draws a wider PTE: another variant's layout (sh's X2TLB beside sh's)
    return [found[name] for name in FIELDS if name in found]


def _pieces(
    lines: list[str], first_line: int, pte_bits: int, msb0: bool
) -> dict[str, CommentField]:
    """Fields a comment lists piece by piece (PIECE_WORDS), their pieces in the order of
    the field bits they hold; a field listed so is that, whatever else the comment says."""
    runs: dict[str, list[tuple[int, int, int, int]]] = {}  # name -> (index, lo, hi, line)
    for number, text in enumerate(lines):
        for match in PIECE_WORDS.finditer(text):
            lo, hi, name, index = match.groups()
            low, high = int(lo), int(hi if hi is not None else lo)
            if msb0:
                low, high = pte_bits - 1 - high, pte_bits - 1 - low
            runs.setdefault(name.lower(), []).append((int(index), low, high, first_line + number))
    found = {}
    for name, pieces in runs.items():
        pieces.sort()
        spans = tuple((lo, hi) for _, lo, hi, _ in pieces)
        found[name] = _in_runs(name, spans, pieces[0][3])
    return found


def _in_runs(
    name: str, spans: tuple[tuple[int, int], ...], line: int, top: int | None = None
) -> CommentField:
    """A field a comment puts in ``spans`` (one run, or the pieces of a split field)."""
    lo, hi = min(lo for lo, _ in spans), max(hi for _, hi in spans)
    return CommentField(name, lo, hi, line, spans if len(spans) > 1 else (), top)


def _digit_row(text: str) -> bool:
    body = text.strip(" *\t")
    return bool(body) and set(body) <= set("0123456789 ") and len(body.split()) >= 8


def _consecutive(numbers: list[int], units: list[int]) -> list[int]:
    """The bit numbers of a row of columns whose units digits count one by one: from the
    first number on, so a tens digit the comment left out (powerpc's nohash/32 drawing has
    none over bit 10) does not make bit 10 read as bit 0."""
    if len(units) < 2:
        return numbers
    step = 1 if (units[1] - units[0]) % 10 == 1 else -1
    if any((b - a) % 10 != step % 10 for a, b in itertools.pairwise(units)):
        return numbers
    return [numbers[0] + step * i for i in range(len(numbers))]


def _drawing(lines: list[str], first_line: int, pte_bits: int) -> list[CommentField]:
    """Fields drawn as arrows under two rows of bit-number digits, possibly over several
    blocks. The most significant bit is drawn on the left, so numbers that grow to the right
    count from it (powerpc's MSB-0) and are turned into LSB-0 ones."""
    columns: list[tuple[int, str, int]] = []  # (bit, label char, line)
    index = 0
    while index + 2 < len(lines):
        tens, units, labels = lines[index], lines[index + 1], lines[index + 2]
        if _digit_row(tens) and _digit_row(units):
            cols = [col for col, ch in enumerate(units) if ch.isdigit()]
            numbers = [
                int(tens[col] if col < len(tens) and tens[col].isdigit() else "0") * 10
                + int(units[col])
                for col in cols
            ]
            numbers = _consecutive(numbers, [int(units[col]) for col in cols])
            for col, number in zip(cols, numbers, strict=True):
                label = labels[col] if col < len(labels) else " "
                columns.append((number, label, first_line + index + 2))
                # the characters between two digit columns belong to the arrow as well
                gap = labels[col + 1 : col + 2] if col + 1 < len(labels) else " "
                columns.append((number, gap, first_line + index + 2))
            index += 3
            continue
        index += 1
    if not columns:
        return []
    text = "".join(ch for _, ch, _ in columns)
    msb0 = columns[0][0] < columns[-1][0]
    # the bits a drawing numbers: a 32-bit one may draw a 64-bit PTE's low word (parisc64)
    top = max(bit for bit, _, _ in columns)
    found = []
    for name in FIELDS:
        words = "|".join(DRAWN_NAMES[name])
        runs: list[tuple[int, int, int]] = []  # (lo, hi, line) of each arrow
        for match in re.finditer(r"<[-\s]*(?:" + words + r")\b[-\s]*>?", text):
            start, end = match.start(), match.end() - 1
            while end + 1 < len(text) and text[end] == "-" and text[end + 1] in "->":
                end += 1
            bits = [columns[i][0] for i in range(start, end + 1)]
            if msb0:
                bits = [top - bit for bit in bits]
            runs.append((min(bits), max(bits), columns[start][2]))
        if not runs:
            continue
        if len(runs) == 1 or len({line for _, _, line in runs}) > 1:
            # one arrow; or arrows in different blocks, which draw other layouts
            lo, hi, line = runs[0]
            found.append(_in_runs(name, ((lo, hi),), line, top))
            continue
        spans = tuple(sorted((lo, hi) for lo, hi, _ in runs))
        found.append(_in_runs(name, spans, runs[0][2], top))
    return found
