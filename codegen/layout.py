"""All of swapgen's bit arithmetic: masks, swap-PTE encode/decode, type numbering, markers.

Pure functions over the ``codegen.spec.model`` dataclasses. Validation, show, decode/encode, the
renderer, drift comparison and the review rules all call into this module; nothing else computes
a shift or a mask.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from codegen.kernel.flags import FLAG_NAMES, FLAGS
from codegen.spec.model import Arch, Field, Spec, TypeGroup

Config = Mapping[str, bool]
"""Kconfig symbols explicitly set (True = y, False = n); anything absent counts as y."""


class LayoutError(ValueError):
    """A value that does not fit the layout (type or offset too wide, unknown flag)."""


class NotSwapPte(ValueError):
    """A raw PTE value that is not a swap PTE for the arch; the message says why."""


# --- masks --------------------------------------------------------------------------------


def bit_mask(lo: int, hi: int) -> int:
    """Mask of bits lo..hi inclusive."""
    if hi < lo:
        return 0
    return ((1 << (hi - lo + 1)) - 1) << lo


def as_pte_value(value: int, pte_bits: int) -> int:
    """A macro's value as a PTE of ``pte_bits`` holds it, C's conversion to the unsigned
    pteval: nios2's ``(1 << 31)`` is a negative int and bit 31 of its 32-bit PTE; in a
    64-bit PTE it sets bits 31-63."""
    return value & value_mask(pte_bits) if value < 0 else value


def value_mask(width: int) -> int:
    """Mask of the low ``width`` bits: the largest value a field of that width holds."""
    return (1 << width) - 1


def field_mask(field: Field) -> int:
    """Mask of a field in place in the PTE: every piece of it."""
    mask = 0
    for lsb, width in field.pieces:
        mask |= value_mask(width) << lsb
    return mask


def place(field: Field, value: int) -> int:
    """``value`` (which fits the field) spread over the field's pieces, low piece first."""
    placed = 0
    for lsb, width in field.pieces:
        placed |= (value & value_mask(width)) << lsb
        value >>= width
    return placed


def extract(field: Field, pte: int) -> int:
    """The field's value gathered from its pieces of ``pte``, low piece first."""
    value = 0
    shift = 0
    for lsb, width in field.pieces:
        value |= (pte >> lsb & value_mask(width)) << shift
        shift += width
    return value


def value_bit_at(field: Field, bit: int) -> int:
    """Which bit of the field's value PTE bit ``bit`` (inside a piece) holds."""
    index = 0
    for lsb, width in field.pieces:
        if lsb <= bit < lsb + width:
            return index + bit - lsb
        index += width
    raise ValueError(f"bit {bit} is not in the field")


def pieces_from_positions(positions: list[int]) -> tuple[tuple[int, int], ...] | None:
    """The pieces ((lsb, width), ...) of a field whose value bit i sits at ``positions[i]``:
    one per run of consecutive positions. None when the positions do not increase (a field
    whose bits are stored out of order is not a field of pieces)."""
    if not positions or any(b <= a for a, b in itertools.pairwise(positions)):
        return None
    pieces: list[tuple[int, int]] = []
    for bit in positions:
        if pieces and pieces[-1][0] + pieces[-1][1] == bit:
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + 1)
        else:
            pieces.append((bit, 1))
    return tuple(pieces)


def describe_pieces(pieces: Iterable[tuple[int, int]]) -> str:
    """'bit 3', 'bits 5-7' or 'bits 5-7, 10-31' for a field's pieces, low value bits first."""
    runs = [(lsb, lsb + width - 1) for lsb, width in pieces if width > 0]
    if not runs:
        return "none"
    text = ", ".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in runs)
    return f"bit {text}" if len(runs) == 1 and runs[0][0] == runs[0][1] else f"bits {text}"


def pte_mask(arch: Arch) -> int:
    return value_mask(arch.pte_bits)


def zero_mask(arch: Arch) -> int:
    mask = 0
    for r in arch.zero_bits:
        mask |= bit_mask(r.lo, r.hi)
    return mask


def one_mask(arch: Arch) -> int:
    mask = 0
    for r in arch.one_bits:
        mask |= bit_mask(r.lo, r.hi)
    return mask


Spans = tuple[tuple[int, int], ...]
"""(lo, hi) of each run of bits, inclusive."""


def drawn_spans(spans: Spans, inverted: bool, always_set: int) -> set[Spans]:
    """The runs a layout comment may draw a field over: its own and, for an inverted offset,
    its last run stretched over the always-set bits right above it, which are the inverted
    offset's high bits (x86 PAE's 27 offset bits at 9-35 and ones at 36-58 are drawn 9-58).
    A split field is drawn as its runs (parisc's "ofs" at 5-7 and "offset" at 10-31)."""
    lo, top = spans[-1]
    while inverted and always_set >> (top + 1) & 1:
        top += 1
    return {tuple(spans), (*spans[:-1], (lo, top))}


def pieces_spans(pieces: Iterable[tuple[int, int]]) -> Spans:
    """(lo, hi) of each (lsb, width) piece."""
    return tuple((lsb, lsb + width - 1) for lsb, width in pieces)


def spans_text(spans: Spans) -> str:
    """Runs of bits (lo, hi) as a message gives them, as describe_pieces does."""
    return describe_pieces((lo, hi - lo + 1) for lo, hi in spans)


def drawing_agrees(
    drawn: Spans,
    top: int | None,
    code: Spans,
    inverted: bool,
    always_set: int,
    pte_bits: int,
    two_words: bool = False,
) -> bool:
    """Whether a layout comment that draws a field over the runs ``drawn`` (its drawing
    numbered up to bit ``top``) agrees with the field the code has at ``code``: one of its
    drawn_spans, or the same runs in a narrower drawing where the last runs to its top and
    the code's to the PTE's (um's 32-bit picture of its 64-bit PTE). A PTE of ``two_words``
    may be drawn in memory order, its high word first, as MIPS32's big-endian comments number
    pte_low 63-32 and pte_high 31-0."""
    if tuple(drawn) in drawn_spans(code, inverted, always_set):
        return True
    if two_words and all((lo < 32) == (hi < 32) for lo, hi in drawn):
        swapped = tuple(((lo + 32) % 64, (hi + 32) % 64) for lo, hi in drawn)
        if swapped in drawn_spans(code, inverted, always_set):
            return True
    same_start = drawn[:-1] == code[:-1] and drawn[-1][0] == code[-1][0]
    return same_start and drawn[-1][1] == top and code[-1][1] == pte_bits - 1


# --- overlap and coverage -----------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A named run of bits of a PTE (a field, a flag, a fixed-value range)."""

    label: str
    lo: int
    hi: int

    @property
    def mask(self) -> int:
        return bit_mask(self.lo, self.hi)


def arch_parts(arch: Arch) -> list[Part]:
    """Every bit run the arch's swap PTE assigns, labelled by its role in the spec."""
    parts = [
        Part(name if index == 0 else f"{name}.high", lo, hi)
        for name, field in (("type", arch.type), ("offset", arch.offset))
        for index, (lo, hi) in enumerate(field.spans)
    ]
    parts += [Part(f"flags.{name}", f.bit, f.bit) for name, f in arch.flags.items()]
    parts += [Part(f"zero_bits[{i}]", r.lo, r.hi) for i, r in enumerate(arch.zero_bits)]
    parts += [Part(f"one_bits[{i}]", r.lo, r.hi) for i, r in enumerate(arch.one_bits)]
    return parts


def overlaps(parts: Iterable[Part]) -> list[tuple[Part, Part, int]]:
    """Each pair of parts that share bits, with the shared mask; earlier part first."""
    found = []
    seen: list[Part] = []
    for part in parts:
        for earlier in seen:
            shared = earlier.mask & part.mask
            if shared:
                found.append((earlier, part, shared))
        seen.append(part)
    return found


def mask_bits(mask: int) -> list[int]:
    """The bit numbers set in ``mask``, lowest first."""
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


def single_bit(value: int) -> int | None:
    """The bit number of a value with exactly one bit set, else None."""
    return value.bit_length() - 1 if value > 0 and value & (value - 1) == 0 else None


def mask_width(mask: int) -> int | None:
    """w for a mask of the w lowest bits, ``(1 << w) - 1``; else None."""
    return mask.bit_length() if mask > 0 and mask & (mask + 1) == 0 else None


def bit_value(bit: int) -> int:
    """The value with only ``bit`` set."""
    return 1 << bit


def bits_mask(bits: Iterable[int]) -> int:
    """The mask with each of ``bits`` set."""
    mask = 0
    for bit in bits:
        mask |= bit_value(bit)
    return mask


def type_slots(spec: Spec) -> int:
    """How many type numbers the type field holds: 2**MAX_SWAPFILES_SHIFT."""
    return value_mask(spec.max_swapfiles_shift) + 1


def bit_runs(mask: int) -> list[tuple[int, int]]:
    """(lo, hi) of each run of consecutive set bits, lowest first."""
    runs: list[tuple[int, int]] = []
    for bit in mask_bits(mask):
        if runs and runs[-1][1] == bit - 1:
            runs[-1] = (runs[-1][0], bit)
        else:
            runs.append((bit, bit))
    return runs


def describe_bits(mask: int) -> str:
    """'bit 3', 'bits 3-5' or 'bits 1, 4-6' for a mask."""
    text = ", ".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in bit_runs(mask))
    return f"bit {text}" if single_bit(mask) is not None else f"bits {text}"


def bit_letters(arch: Arch) -> list[str]:
    """One letter per bit, index = bit number: T type, O offset, S/U/E flags, 0/1 fixed, . free."""
    letters = ["."] * arch.pte_bits
    for field, letter in ((arch.type, "T"), (arch.offset, "O")):
        for bit in mask_bits(field_mask(field) & pte_mask(arch)):
            letters[bit] = letter
    for name, flag in arch.flags.items():
        letters[flag.bit] = FLAGS[name].letter
    for ranges, letter in ((arch.zero_bits, "0"), (arch.one_bits, "1")):
        for r in ranges:
            for bit in range(r.lo, r.hi + 1):
                letters[bit] = letter
    return letters


def bit_rows(arch: Arch) -> list[str]:
    """Three rows, MSB on the left: the tens and units of each bit number, then its letter."""
    letters = bit_letters(arch)
    order = range(arch.pte_bits - 1, -1, -1)
    return [
        "".join(str(b // 10) for b in order),
        "".join(str(b % 10) for b in order),
        "".join(letters[b] for b in order),
    ]


# --- special swap types -------------------------------------------------------------------


def gate_enabled(gate: str | None, config: Config) -> bool:
    return gate is None or config.get(gate, True)


def gate_settings(gates: Iterable[str | None]) -> list[dict[str, bool]]:
    """Every on/off setting of these Kconfig gates (None and repeats dropped), all on first,
    then in the order of turning the last gate off first (as nested loops would)."""
    names = list(dict.fromkeys(g for g in gates if g))
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product((True, False), repeat=len(names))
    ]


def setting_label(config: Mapping[str, bool]) -> str:
    """A gate setting as the gates it turns off ("every gate on" when none)."""
    return " ".join(f"{gate}=n" for gate, on in config.items() if not on) or "every gate on"


def group_count(group: TypeGroup, config: Config) -> int:
    """The value of the group's count macro (e.g. SWP_DEVICE_NUM) under ``config``."""
    return len(group.types) if gate_enabled(group.gate, config) else 0


def max_swapfiles(spec: Spec, config: Config | None = None) -> int:
    """MAX_SWAPFILES: 1 << MAX_SWAPFILES_SHIFT minus every special type count."""
    config = config or {}
    return (1 << spec.max_swapfiles_shift) - sum(group_count(g, config) for g in spec.groups)


def type_numbers(spec: Spec, config: Config | None = None) -> dict[str, int]:
    """Number of every special type whose gate is on, in numbering order."""
    config = config or {}
    numbers: dict[str, int] = {}
    base = max_swapfiles(spec, config)
    for group in spec.groups:
        if not gate_enabled(group.gate, config):
            continue
        for index, name in enumerate(group.types):
            numbers[name] = base + index
        base += len(group.types)
    return numbers


def type_name(spec: Spec, number: int, config: Config | None = None) -> str | None:
    """Name of the special type with that number, or None for a swap device type."""
    for name, value in type_numbers(spec, config).items():
        if value == number:
            return name
    return None


def generic_type_shift(spec: Spec, bits_per_long: int) -> int:
    """SWP_TYPE_SHIFT of the arch-independent swp_entry_t: BITS_PER_XA_VALUE - shift."""
    return bits_per_long - 1 - spec.max_swapfiles_shift


# --- PTE markers --------------------------------------------------------------------------


def marker_mask(spec: Spec) -> int:
    """PTE_MARKER_MASK's value: the OR of every defined marker bit."""
    return bits_mask(m.bit for m in spec.marker_list)


def defined_marker_mask(spec: Spec) -> int | None:
    """PTE_MARKER_MASK's value, or None for a release without markers, which has no mask."""
    return marker_mask(spec) if spec.markers else None


def marker_names(spec: Spec, offset: int) -> tuple[list[str], int]:
    """Marker names set in a marker entry's offset, and any set bits no marker defines."""
    names = [m.name for m in spec.marker_list if offset >> m.bit & 1]
    return names, offset & ~marker_mask(spec)


# --- swap PTE encode/decode ---------------------------------------------------------------


@dataclass(frozen=True)
class SwapPte:
    """A swap PTE split into its parts. ``stray_bits``: set bits no part of the layout owns."""

    type: int
    offset: int
    flags: tuple[str, ...]
    stray_bits: int = 0


def enabled_flags(arch: Arch, config: Config | None = None) -> dict[str, int]:
    """Flag name -> bit for the flags the arch has under ``config``."""
    config = config or {}
    return {
        name: flag.bit
        for name, flag in arch.flags.items()
        if flag.condition is None or config.get(flag.condition, True)
    }


def encode(
    arch: Arch, type_: int, offset: int, flags: Iterable[str] = (), config: Config | None = None
) -> int:
    """The raw swap PTE value for (type, offset, flags), as the arch's helpers build it."""
    if not 0 <= type_ <= value_mask(arch.type.width):
        raise LayoutError(
            f"type {type_} does not fit the {arch.name} type field "
            f"({arch.type.width} bits: 0..{value_mask(arch.type.width)})"
        )
    if not 0 <= offset <= value_mask(arch.offset.width):
        raise LayoutError(
            f"offset {offset:#x} does not fit the {arch.name} offset field "
            f"({arch.offset.width} bits: 0..{value_mask(arch.offset.width):#x})"
        )
    available = enabled_flags(arch, config)
    value = one_mask(arch)
    value |= place(arch.type, type_)
    stored_offset = ~offset & value_mask(arch.offset.width) if arch.offset.inverted else offset
    value |= place(arch.offset, stored_offset)
    for name in flags:
        if name not in available:
            known = ", ".join(available) or "none"
            flag = arch.flags.get(name)
            if flag is not None:  # the arch has it, but not with this config
                raise LayoutError(
                    f"{arch.name} swap-PTE flag '{name}' is off with {flag.condition}=n "
                    f"(flags left: {known})"
                )
            raise LayoutError(f"{arch.name} has no swap-PTE flag '{name}' (it has: {known})")
        value |= 1 << available[name]
    return value


def decode(arch: Arch, value: int, config: Config | None = None) -> SwapPte:
    """Split a raw swap PTE into type, offset and flags; NotSwapPte if it is not one."""
    if value < 0 or value > pte_mask(arch):
        raise NotSwapPte(f"{value:#x} does not fit a {arch.pte_bits}-bit {arch.name} PTE")
    if value == arch.none_value:
        raise NotSwapPte(f"pte_none: {value:#x} is the empty PTE on {arch.name}, not a swap entry")
    for r in arch.zero_bits:
        hit = value & bit_mask(r.lo, r.hi)
        if hit:
            raise NotSwapPte(
                f"{describe_bits(hit)} ({r.name}) set: must be 0 in a swap PTE on {arch.name}"
            )
    for r in arch.one_bits:
        missing = bit_mask(r.lo, r.hi) & ~value
        if missing:
            raise NotSwapPte(
                f"{describe_bits(missing)} ({r.name}) clear: must be 1 in a swap PTE on {arch.name}"
            )
    type_ = extract(arch.type, value)
    stored = extract(arch.offset, value)
    offset = ~stored & value_mask(arch.offset.width) if arch.offset.inverted else stored
    flag_bits = enabled_flags(arch, config)
    flags = tuple(name for name in FLAG_NAMES if name in flag_bits and value >> flag_bits[name] & 1)
    owned = field_mask(arch.type) | field_mask(arch.offset) | one_mask(arch)
    for bit in flag_bits.values():
        owned |= 1 << bit
    return SwapPte(type_, offset, flags, value & ~owned)


# --- the same numbering rules, as the kernel's C expressions --------------------------------


def type_expression(spec: Spec, group_index: int, type_index: int) -> str:
    """A special type's value relative to MAX_SWAPFILES: (MAX_SWAPFILES+SWP_HWPOISON_NUM+1)."""
    terms = ["MAX_SWAPFILES"] + [g.count_macro for g in spec.groups[:group_index]]
    if type_index:
        terms.append(str(type_index))
    return "MAX_SWAPFILES" if len(terms) == 1 else "(" + "+".join(terms) + ")"


def max_swapfiles_terms(spec: Spec) -> list[str]:
    """The count macros MAX_SWAPFILES subtracts from 1 << MAX_SWAPFILES_SHIFT, in group order."""
    return [g.count_macro for g in spec.groups]


def marker_mask_expression(spec: Spec) -> str:
    """PTE_MARKER_MASK as the release writes it: (BIT(n) - 1) or the OR of the markers."""
    markers = spec.marker_list
    if not markers or spec.markers is None:
        return "0"
    if spec.markers.mask_style == "low_bits":
        return f"(BIT({len(markers)}) - 1)"
    return "(" + " | ".join(m.name for m in markers) + ")"
