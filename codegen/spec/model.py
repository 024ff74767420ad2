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


@dataclass(frozen=True)
class Field:
    """A bit field of a swap PTE: ``width`` bits from ``lsb``; ``inverted`` as on x86-64."""

    lsb: int
    width: int
    inverted: bool = False
    macros: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def msb(self) -> int:
        return self.lsb + self.width - 1


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
