"""What changed between two specs (``swapgen diff``): the special types and MAX_SWAPFILES under
every setting of the Kconfig gates either spec has, the PTE markers and their mask, the helper
names, and per arch the PTE width, the type and offset fields and the flag bits.

Pure: two resolved Specs in, a list of Changes out; the command formats them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codegen import layout
from codegen.kernel.flags import FLAG_NAMES
from codegen.layout import Config
from codegen.spec.model import Arch, Field, Spec


@dataclass(frozen=True)
class Change:
    """One difference. ``old``/``new`` is None for what the older/newer spec does not have;
    ``configs`` are the gate settings it holds under (empty: it does not depend on them)."""

    area: str  # "numbers" (MAX_SWAPFILES, types), "markers", "naming", or an arch name
    subject: str  # what changed: a type, a marker, a helper role, "type field", a flag...
    old: Any
    new: Any
    configs: tuple[Config, ...] = ()
    unit: str = ""  # how a value reads: "bit", "bits" ([lo, hi] ranges), "hex" or as is

    def describe(self) -> str:
        """The change in words, without the configurations."""
        if self.old is None:
            return f"{self.subject}: added, {self._shown(self.new)}"
        if self.new is None:
            return f"{self.subject}: removed (was {self._shown(self.old)})"
        return f"{self.subject}: {self._shown(self.old)} -> {self._shown(self.new)}"

    def _shown(self, value: Any) -> str:
        if self.unit == "bits":
            # [lo, hi], or [lo, hi, lo2, hi2] for a field split in two pieces
            pairs = zip(value[::2], value[1::2], strict=True)
            return "bits " + ", ".join(f"{lo}-{hi}" for lo, hi in pairs)
        if self.unit == "hex":
            return hex(value)
        return f"bit {value}" if self.unit == "bit" else str(value)

    def as_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "configs": [dict(config) for config in self.configs],
        }


def spec_changes(old: Spec, new: Spec, arches: Sequence[str] = ()) -> list[Change]:
    """Every difference from ``old`` to ``new``; with ``arches``, only those arches' layouts
    (the generic changes are always listed)."""
    changes = _numbers(old, new)
    changes += _markers(old, new)
    changes += [
        Change("naming", role, getattr(old.naming, role), getattr(new.naming, role))
        for role in old.naming.__dataclass_fields__
        if getattr(old.naming, role) != getattr(new.naming, role)
    ]
    names = list(dict.fromkeys([*old.arches, *new.arches]))
    for name in arches or names:
        changes += _arch(name, old.arches.get(name), new.arches.get(name))
    return changes


def _numbers(old: Spec, new: Spec) -> list[Change]:
    """MAX_SWAPFILES and each type's number under every gate setting, all on first."""
    changes = []
    for config in layout.gate_settings([*old.gates, *new.gates]):
        before, after = layout.max_swapfiles(old, config), layout.max_swapfiles(new, config)
        if before != after:
            changes.append(Change("numbers", "MAX_SWAPFILES", before, after, (config,)))
        old_types, new_types = layout.type_numbers(old, config), layout.type_numbers(new, config)
        for name in dict.fromkeys([*old_types, *new_types]):
            was, now = old_types.get(name), new_types.get(name)
            if was != now:
                changes.append(Change("numbers", name, was, now, (config,)))
    return changes


def _markers(old: Spec, new: Spec) -> list[Change]:
    before = {m.name: m.bit for m in old.marker_list}
    after = {m.name: m.bit for m in new.marker_list}
    changes = [
        Change("markers", name, before.get(name), after.get(name), unit="bit")
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    ]
    before_mask = layout.defined_marker_mask(old)
    after_mask = layout.defined_marker_mask(new)
    mask_name = old.mask_macro or new.mask_macro
    if before_mask != after_mask and mask_name:
        changes.append(Change("markers", mask_name, before_mask, after_mask, unit="hex"))
    return changes


def _arch(name: str, old: Arch | None, new: Arch | None) -> list[Change]:
    if old is None or new is None:
        return [Change(name, "swap-PTE layout", _summary(old), _summary(new))]
    changes = []
    if old.pte_bits != new.pte_bits:
        changes.append(Change(name, "PTE width", old.pte_bits, new.pte_bits))
    for label, before, after in (("type field", old.type, new.type),
                                 ("offset field", old.offset, new.offset)):  # fmt: skip
        if _bits(before) != _bits(after):
            changes.append(Change(name, label, _bits(before), _bits(after), unit="bits"))
        if before.inverted != after.inverted:
            changes.append(Change(name, f"{label} stored inverted", before.inverted,
                                  after.inverted))  # fmt: skip
    for flag in FLAG_NAMES:
        was, now = old.flags.get(flag), new.flags.get(flag)
        was_bit, now_bit = (was.bit if was else None), (now.bit if now else None)
        if was_bit != now_bit:
            changes.append(Change(name, f"{flag} bit", was_bit, now_bit, unit="bit"))
        elif was and now and was.condition != now.condition:
            changes.append(Change(name, f"{flag} Kconfig condition", was.condition,
                                  now.condition))  # fmt: skip
    return changes


def _bits(field: Field) -> list[int]:
    """[lsb, msb]; for a split field each piece's lo and hi in turn."""
    return [bit for span in field.spans for bit in span]


def _summary(arch: Arch | None) -> str | None:
    if arch is None:
        return None
    return f"type {_bits(arch.type)}, offset {_bits(arch.offset)}, {arch.pte_bits}-bit PTE"


def diff_text(old: Spec, new: Spec, changes: Sequence[Change]) -> str:
    """The changes grouped by area; MAX_SWAPFILES and the types as one line per gate setting
    (the names of renumbered types are in the JSON)."""
    lines = [f"{old.name} -> {new.name}: {len(changes)} change(s)"]
    numbers = [c for c in changes if c.area == "numbers"]
    if numbers:
        gates = list(layout.gate_settings([*old.gates, *new.gates])[0])
        lines.append(f"MAX_SWAPFILES and special types, per setting of {', '.join(gates)}:")
        for config, row in _rows(numbers):
            lines.append(f"  {layout.setting_label(config)}: {row}")
    area = None
    for change in changes:
        if change.area == "numbers":
            continue
        if change.area != area:
            area = change.area
            lines.append(f"{AREA_TITLES.get(area, area)}:")
        lines.append(f"  {change.describe()}")
    return "\n".join(lines) + "\n"


AREA_TITLES = {"markers": "PTE markers", "naming": "helper names"}


def _rows(numbers: Sequence[Change]) -> list[tuple[Config, str]]:
    """Per gate setting: MAX_SWAPFILES old -> new, types added and removed, and how many
    were renumbered by how much."""
    by_setting: dict[tuple[tuple[str, bool], ...], list[Change]] = {}
    for change in numbers:
        by_setting.setdefault(tuple(change.configs[0].items()), []).append(change)
    rows: list[tuple[Config, str]] = []
    for setting, found in by_setting.items():
        parts = [f"{c.old} -> {c.new}" for c in found if c.subject == "MAX_SWAPFILES"]
        parts = [f"MAX_SWAPFILES {parts[0]}"] if parts else ["MAX_SWAPFILES same"]
        types = [c for c in found if c.subject != "MAX_SWAPFILES"]
        parts += [f"{c.subject} added ({c.new})" for c in types if c.old is None]
        parts += [f"{c.subject} removed (was {c.old})" for c in types if c.new is None]
        shifts: dict[int, int] = {}
        for c in types:
            if c.old is not None and c.new is not None:
                shifts[c.new - c.old] = shifts.get(c.new - c.old, 0) + 1
        parts += [f"{n} type(s) renumbered {d:+d}" for d, n in sorted(shifts.items())]
        rows.append((dict(setting), "; ".join(parts)))
    return rows
