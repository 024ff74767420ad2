"""Plain-text renderings for people: type tables, marker tables, per-arch bit diagrams."""

from __future__ import annotations

from typing import Any

from codegen import layout
from codegen.kernel.arches import arch_info
from codegen.kernel.flags import FLAG_NAMES
from codegen.spec.model import MARKERS_SINCE, Arch, Field, Spec


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        (indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]


def bit_diagram(arch: Arch) -> list[str]:
    """Three rows: bit numbers (tens, units) and one letter per bit, MSB on the left."""
    tens, units, letters = layout.bit_rows(arch)
    return ["  bit " + tens, "      " + units, "      " + letters]


def _bits(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def arch_text(arch: Arch, config: dict[str, bool]) -> list[str]:
    info = arch_info(arch.name)
    kind = f"{arch.pte_bits}-bit PTE, {info.word_bits}-bit long, {info.endianness}"
    lines = [f"{arch.name}: {kind} ({', '.join(arch.headers)})"]
    lines += bit_diagram(arch)
    legend = "      T type  O offset  S soft-dirty  U uffd-wp  E exclusive  0/1 fixed  . unused"
    lines.append(legend)
    enabled = layout.enabled_flags(arch, config)
    rows = [["field", "bits", "width", "notes"]]

    def macros(field: Field) -> str:
        return ", ".join(f"{role} {name}" for role, name in field.macros.items())

    def field_bits(field: Field) -> str:
        return ", ".join(_bits(lo, hi) for lo, hi in field.spans)

    def split_note(field: Field) -> str:
        if not field.split:
            return ""
        return f"split: low {field.pieces[0][1]} bits, then from bit {field.pieces[1][0]}; "

    type_notes = (split_note(arch.type) + macros(arch.type)).removesuffix("; ")
    rows.append(["type", field_bits(arch.type), str(arch.type.width), type_notes])
    offset_notes = (
        ("stored inverted; " if arch.offset.inverted else "")
        + split_note(arch.offset)
        + macros(arch.offset)
    )
    if arch.offset.split:
        offset_notes = offset_notes.removesuffix("; ")
    rows.append(
        ["offset", field_bits(arch.offset), str(arch.offset.width), offset_notes]
    )
    for name in FLAG_NAMES:
        flag = arch.flags.get(name)
        if flag is None:
            rows.append([name, "-", "", "none"])
            continue
        notes = flag.macro + (f" (= {flag.alias})" if flag.alias else "")
        if flag.condition:
            notes += f", if {flag.condition}"
        if flag.runtime:
            notes += f", at run time if {flag.runtime}"
        if name not in enabled:
            notes += ", off in this config"
        rows.append([name, str(flag.bit), "1", notes])
    for label, ranges in (("must be 0", arch.zero_bits), ("must be 1", arch.one_bits)):
        for r in ranges:
            rows.append([label, _bits(r.lo, r.hi), str(r.width), r.name])
    lines += _table(rows)
    selects = "; ".join(
        s.symbol + (f" if {s.condition}" if s.condition else "") + f" (in {s.under})"
        for s in arch.selects
    )
    lines.append(
        f"  Kconfig ({arch.kconfig}): select {selects}"
        if selects
        else f"  Kconfig ({arch.kconfig}): no selects"
    )
    for assumption in arch.config_assumptions:
        lines.append(f"  assumes {assumption}")
    for note in arch.unverified:
        lines.append(f"  unverified: {note}")
    return lines


def show_text(spec: Spec, view: dict[str, Any], arches: list[Arch], config: dict[str, bool]) -> str:
    setting = ", ".join(f"{k}={'y' if v else 'n'}" for k, v in config.items()) or "every gate on"
    lines = [f"{spec.name}: Linux {spec.kernel} ({spec.path}); {setting}", ""]
    slots = layout.type_slots(spec)
    lines.append(
        f"Special swap types: MAX_SWAPFILES_SHIFT {spec.max_swapfiles_shift} "
        f"({slots} type values), "
        f"MAX_SWAPFILES {view['max_swapfiles']} (swap devices 0..{view['max_swapfiles'] - 1})"
    )
    rows = [["type", "name", "count macro", "gate"]]
    numbers = view["types"]
    for group in spec.groups:
        count = view["counts"][group.count_macro]
        gate = group.gate or "always"
        for index, name in enumerate(group.types):
            number = str(numbers[name]) if name in numbers else "off"
            macro = f"{group.count_macro} = {count}" if index == 0 else ""
            rows.append([number, name, macro, gate if index == 0 else ""])
    lines += _table(rows)
    lines.append("")
    pm = spec.markers
    if pm is None:
        lines.append(f"PTE markers: none in this release (they came in {MARKERS_SINCE})")
    else:
        lines.append(
            f"PTE markers (typedef {pm.typedef}, {pm.mask_macro} = "
            f"{layout.marker_mask(spec):#x}), in the offset of an SWP_PTE_MARKER entry"
        )
        rows = [["bit", "name", "make", "test"]]
        for marker in pm.markers:
            rows.append([str(marker.bit), marker.name, marker.make or "-", marker.test])
        lines += _table(rows) if pm.markers else ["  none"]
    lines.append("")
    n = spec.naming
    helpers = [h for h in (n.is_marker_entry, n.marker_get, n.has_pfn) if h]
    lines.append(
        f"Helper naming: {n.api} API, predicates in {n.predicates_header} ({', '.join(helpers)})"
    )
    for arch in arches:
        lines.append("")
        lines += arch_text(arch, config)
    if spec.unverified:
        lines.append("")
        lines += [f"unverified: {note}" for note in spec.unverified]
    return "\n".join(lines) + "\n"


def decode_text(info: dict[str, Any]) -> str:
    head = f"{info['arch']} {info['value']} ({info['spec']})"
    if not info["swap"]:
        return f"{head}: not a swap PTE: {info['reason']}\n"
    if info["kind"] == "swap":
        type_desc = f"swap device {info['type']} (below MAX_SWAPFILES {info['max_swapfiles']})"
    elif info["kind"] == "special":
        type_desc = info["type_name"]
    else:
        type_desc = "not a valid swap type (beyond MAX_SWAPFILES_SHIFT)"
    rows = [
        ["type", f"{info['type']}: {type_desc}"],
        ["offset", f"{info['offset']:#x} ({info['offset']})"],
        ["flags", ", ".join(info["flags"]) or "none"],
    ]
    if info["type_name"] == "SWP_PTE_MARKER":
        rows.append(["markers", ", ".join(info["markers"]) or "none"])
        if info["unknown_marker_bits"]:
            unknown = info["unknown_marker_bits"]
            rows.append(["", f"{unknown:#x}: offset bits outside {info['marker_mask_name']}"])
    if info["stray_bits"]:
        stray = info["stray_bits"]
        rows.append(["stray", f"{stray:#x}: {layout.describe_bits(stray)} set outside every field"])
    return head + "\n" + "\n".join(_table(rows)) + "\n"
