"""The Spec model: immutable dataclasses built from a validated spec file.

Nothing here computes bits; ``codegen.layout`` does the arithmetic on these objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")

MARKER_TYPE = "SWP_PTE_MARKER"
"""The special swap type whose entries carry PTE marker bits in their offset."""

MARKERS_SINCE = "v5.19"
"""The release that brought PTE markers (and MARKER_TYPE); a spec before it has none."""


@dataclass(frozen=True)
class TypeGroup:
    """Special swap types that share a count macro and a Kconfig gate (None: always on)."""

    name: str
    count_macro: str
    gate: str | None
    types: tuple[str, ...]


@dataclass(frozen=True)
class Marker:
    """One PTE marker bit, stored in the offset of an SWP_PTE_MARKER entry."""

    name: str
    bit: int
    make: str | None
    test: str
    meaning: str
    test_header: str | None = None


@dataclass(frozen=True)
class MarkerSet:
    typedef: str
    mask_macro: str
    mask_style: str
    markers: tuple[Marker, ...]


MARKER_HELPERS = (
    "is_marker_entry",
    "marker_get",
    "pte_is_marker",
    "make_marker_entry",
    "make_marker_pte",
)
"""The Naming fields that name a PTE-marker helper: None exactly when the release has none."""


@dataclass(frozen=True)
class Naming:
    """The helper names of a release (6.19 moved the predicates to leafops.h as softleaf_*).

    The marker helpers are None for a release without PTE markers (before v5.19).
    """

    api: str
    predicates_header: str
    entry_from_pte: str
    is_marker_entry: str | None
    marker_get: str | None
    pte_is_marker: str | None
    make_marker_entry: str | None
    make_marker_pte: str | None
    has_pfn: str
    exclusive_helpers_mandatory: bool


FIELDS = ("type", "offset")
"""The two bit fields of a swap PTE, as the spec names them."""

Piece = tuple[int, int]
"""(lsb, width) of one run of PTE bits that holds part of a field."""


@dataclass(frozen=True)
class Field:
    """A bit field of a swap PTE: ``width`` bits from ``lsb``; ``inverted`` as on x86-64.

    Most fields are one run of bits. A split field (parisc's offset: bits 0-2 of the value at
    PTE bits 5-7, the rest from bit 10) has several ``pieces``, each (lsb, width); the value's
    bits fill them from the low piece upward. ``lsb`` is then the first piece's, ``width`` the
    total and ``msb`` the last piece's top bit. Left empty, ``pieces`` is the one run.
    """

    lsb: int
    width: int
    inverted: bool = False
    macros: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    pieces: tuple[Piece, ...] = ()

    def __post_init__(self) -> None:
        if not self.pieces:
            object.__setattr__(self, "pieces", ((self.lsb, self.width),))

    @classmethod
    def of_pieces(
        cls,
        pieces: tuple[Piece, ...],
        inverted: bool = False,
        macros: Mapping[str, str] | None = None,
    ) -> Field:
        """The field made of ``pieces`` (lowest value bits first)."""
        return cls(
            lsb=pieces[0][0],
            width=sum(width for _, width in pieces),
            inverted=inverted,
            macros=MappingProxyType(dict(macros or {})),
            pieces=tuple(pieces),
        )

    @property
    def split(self) -> bool:
        """Whether the field is stored in more than one run of bits."""
        return len(self.pieces) > 1

    @property
    def msb(self) -> int:
        last_lsb, last_width = self.pieces[-1]
        return last_lsb + last_width - 1

    def split_entry(self) -> dict[str, dict[str, int]]:
        """``{"split": {"low_width": .., "high_lsb": ..}}`` as a spec file writes a field in
        two pieces; empty for a field in one (a JSON view adds it to lsb and width)."""
        if len(self.pieces) != 2:
            return {}
        (_, low_width), (high_lsb, _) = self.pieces
        return {"split": {"low_width": low_width, "high_lsb": high_lsb}}

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """(lo, hi) of each piece, inclusive, lowest value bits first."""
        return tuple((lsb, lsb + width - 1) for lsb, width in self.pieces)


@dataclass(frozen=True)
class Flag:
    """A single-bit swap-PTE flag (soft-dirty, uffd-wp, exclusive)."""

    name: str
    bit: int
    macro: str
    alias: str | None = None
    condition: str | None = None
    runtime: str | None = None


@dataclass(frozen=True)
class BitRange:
    """Bits ``lo``..``hi`` (inclusive) that must hold a fixed value in every swap PTE."""

    lo: int
    hi: int
    name: str
    why: str | None = None

    @property
    def width(self) -> int:
        return self.hi - self.lo + 1


@dataclass(frozen=True)
class Select:
    """``select SYMBOL [if CONDITION]`` inside the Kconfig entry ``under``."""

    symbol: str
    under: str
    condition: str | None


@dataclass(frozen=True)
class Arch:
    """One architecture's swap-PTE layout and where the kernel defines it."""

    name: str
    pte_bits: int
    headers: tuple[str, ...]
    kconfig: str
    type: Field
    offset: Field
    flags: Mapping[str, Flag]  # flag name -> Flag, in codegen.kernel.flags order
    zero_bits: tuple[BitRange, ...]
    one_bits: tuple[BitRange, ...]
    max_swapfiles_check: bool
    selects: tuple[Select, ...]
    none_value: int = 0
    config_assumptions: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def selects_symbol(self, symbol: str) -> bool:
        return any(s.symbol == symbol for s in self.selects)


@dataclass(frozen=True)
class Spec:
    """One kernel release's swap encodings, as described by a spec file."""

    name: str  # e.g. "linux-6.19", from the file name
    path: str
    kernel: str
    source: str
    generic_files: Mapping[str, str]
    max_swapfiles_shift: int
    min_max_swapfiles: int
    groups: tuple[TypeGroup, ...]
    markers: MarkerSet | None  # None: the release has no PTE markers (before v5.19)
    naming: Naming
    arches: Mapping[str, Arch]  # arch name -> Arch, in spec order
    unverified: tuple[str, ...] = ()

    def arch(self, name: str) -> Arch:
        return self.arches[name]

    @property
    def marker_list(self) -> tuple[Marker, ...]:
        """The PTE markers in spec order; none before v5.19."""
        return self.markers.markers if self.markers else ()

    @property
    def mask_macro(self) -> str | None:
        """PTE_MARKER_MASK's name; None before v5.19, which had no mask."""
        return self.markers.mask_macro if self.markers else None

    @property
    def gates(self) -> tuple[str, ...]:
        """Kconfig symbols that gate special swap types, in group order."""
        return tuple(g.gate for g in self.groups if g.gate)


def freeze(mapping: Mapping[str, T]) -> Mapping[str, T]:
    return MappingProxyType(dict(mapping))
