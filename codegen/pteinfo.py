"""Decode and encode raw swap PTE values for a person or a script (crash/drgn users).

Turns the layout model's SwapPte into named facts: the type's name under a Kconfig setting,
the PTE markers of a marker entry, and bits that no part of the layout owns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from codegen import layout
from codegen.errors import SwapgenError
from codegen.kernel.flags import FLAG_NAMES
from codegen.spec.model import MARKER_TYPE, MARKERS_SINCE, Arch, Spec

MAX_NUMBER_CHARS = 130  # a 128-bit value in binary with its 0b; every real PTE value is shorter


def parse_int(text: str, what: str) -> int:
    """A non-negative integer written in decimal or with a 0x/0o/0b prefix."""
    cleaned = text.strip().replace("_", "")
    if len(cleaned) > MAX_NUMBER_CHARS:
        shown = f"{text[:24]!r}..."
        raise SwapgenError(f"{what} {shown}: {len(cleaned)} characters, too long for any PTE")
    if re.fullmatch(r"[0-9]+", cleaned):
        return int(cleaned, 10)
    if re.fullmatch(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+", cleaned):
        return int(cleaned, 0)
    if re.fullmatch(r"[0-9a-fA-F]+", cleaned):
        raise SwapgenError(f"{what} {text!r}: write hexadecimal with a 0x prefix (0x{cleaned})")
    raise SwapgenError(f"{what} {text!r}: not a number (decimal, or hex with 0x)")


def hex_value(arch: Arch, value: int) -> str:
    return f"{value:#0{arch.pte_bits // 4 + 2}x}"


def explain(spec: Spec, arch: Arch, value: int, config: dict[str, bool]) -> dict[str, Any]:
    """Everything ``swapgen decode`` reports about one raw PTE value."""
    result: dict[str, Any] = {"spec": spec.name, "arch": arch.name, "value": hex_value(arch, value)}
    try:
        pte = layout.decode(arch, value, config)
    except layout.NotSwapPte as err:
        result.update(swap=False, reason=str(err))
        return result
    limit = layout.max_swapfiles(spec, config)
    name = layout.type_name(spec, pte.type, config)
    if pte.type >= layout.type_slots(spec):
        kind = "invalid"
    elif pte.type < limit:
        kind = "swap"
    else:
        kind = "special"
    markers: list[str] = []
    unknown_markers = 0
    marker_type = layout.type_numbers(spec, config).get(MARKER_TYPE)
    if pte.type == marker_type:
        markers, unknown_markers = layout.marker_names(spec, pte.offset)
    result.update(
        swap=True,
        type=pte.type,
        type_name=name,
        kind=kind,
        offset=pte.offset,
        flags=list(pte.flags),
        markers=markers,
        unknown_marker_bits=unknown_markers,
        marker_mask_name=spec.mask_macro,
        stray_bits=pte.stray_bits,
        max_swapfiles=limit,
    )
    return result


def resolve_type(spec: Spec, text: str, config: dict[str, bool]) -> int:
    """A --type argument: a number, or a special type name such as SWP_MIGRATION_WRITE."""
    numbers = layout.type_numbers(spec, config)
    upper = text.strip().upper()
    for candidate in (upper, "SWP_" + upper):
        if candidate in numbers:
            return numbers[candidate]
    if re.fullmatch(r"[A-Z_][A-Z0-9_]*", upper):
        for group in spec.groups:
            for candidate in (upper, "SWP_" + upper):
                if candidate in group.types:
                    raise SwapgenError(
                        f"--type {text}: {candidate} does not exist with {group.gate}=n"
                    )
        known = ", ".join(numbers) or "none"
        raise SwapgenError(f"--type {text}: no such special type in {spec.name} (known: {known})")
    number = parse_int(text, "--type")
    top = layout.type_slots(spec) - 1
    if number > top:
        raise SwapgenError(
            f"--type {number}: swap types are 0..{top} (MAX_SWAPFILES_SHIFT "
            f"{spec.max_swapfiles_shift})"
        )
    return number


def encode_request(
    spec: Spec,
    arch: Arch,
    type_text: str | None,
    offset_text: str | None,
    flags: Iterable[str],
    markers: Iterable[str],
    config: dict[str, bool],
) -> dict[str, Any]:
    """Build a raw PTE from command-line words; --marker NAME implies the marker type."""
    markers = list(markers)
    unknown = [name for name in flags if name not in FLAG_NAMES]
    if unknown:
        raise SwapgenError(
            f"--flag {unknown[0]}: no such swap-PTE flag (flags: {', '.join(FLAG_NAMES)})"
        )
    offset = parse_int(offset_text, "--offset") if offset_text is not None else None
    if markers and spec.markers is None:
        raise SwapgenError(
            f"--marker: {spec.name} has no PTE markers (they came in {MARKERS_SINCE})"
        )
    if markers:
        by_name = {m.name: m.bit for m in spec.marker_list}
        bits: list[int] = []
        for word in markers:
            name = word.upper()
            if not name.startswith("PTE_MARKER_"):
                name = "PTE_MARKER_" + name
            if name not in by_name:
                raise SwapgenError(
                    f"--marker {word}: no such marker in {spec.name} (known: {', '.join(by_name)})"
                )
            bits.append(by_name[name])
        if offset is not None:
            raise SwapgenError("--marker sets the offset itself; leave out --offset")
        offset = layout.bits_mask(bits)
        if MARKER_TYPE not in layout.type_numbers(spec, config):
            gate = next((g.gate for g in spec.groups if MARKER_TYPE in g.types), None)
            raise SwapgenError(f"--marker: there are no PTE marker entries with {gate}=n")
        if type_text is None:
            type_text = MARKER_TYPE
    if type_text is None or offset is None:
        raise SwapgenError("encode needs --type and --offset (or --marker NAME)")
    type_ = resolve_type(spec, type_text, config)
    if markers and type_ != layout.type_numbers(spec, config).get(MARKER_TYPE):
        raise SwapgenError("--marker needs the SWP_PTE_MARKER type")
    try:
        value = layout.encode(arch, type_, offset, flags, config)
    except layout.LayoutError as err:
        raise SwapgenError(str(err)) from None
    return {
        "spec": spec.name,
        "arch": arch.name,
        "value": hex_value(arch, value),
        "type": type_,
        "offset": offset,
        "flags": [f for f in arch.flags if f in set(flags)],
    }
