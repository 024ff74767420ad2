"""A spec resolved for one Kconfig setting: the numbers and fields every consumer reads.

``resolved_view`` is the stable JSON interface of ``swapgen show --format json``; other tools
and our own checks read it, so keys are only ever added, never renamed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from codegen import layout
from codegen.errors import SwapgenError
from codegen.kernel.arches import arch_info, canonical_arch, variants_named
from codegen.kernel.flags import FLAG_NAMES
from codegen.spec.model import Arch, Spec


def known_symbols(spec: Spec) -> list[str]:
    """The Kconfig symbols a --config option may set for this spec."""
    symbols = list(spec.gates)
    for arch in spec.arches.values():
        for flag in arch.flags.values():
            if flag.condition and flag.condition not in symbols:
                symbols.append(flag.condition)
    return symbols


def parse_config(items: Iterable[str], spec: Spec) -> dict[str, bool]:
    """``CONFIG_X=n`` / ``CONFIG_X=y`` settings (the CONFIG_ prefix may be left out)."""
    known = known_symbols(spec)
    config: dict[str, bool] = {}
    for item in items:
        name, value = config_item(item)
        if name not in known:
            raise SwapgenError(
                f"--config {item}: {spec.name} has no option {name} (it knows: {', '.join(known)})"
            )
        config[name] = value
    return config


def config_item(item: str) -> tuple[str, bool]:
    """One ``CONFIG_X=n`` / ``X=y`` item: the symbol (with CONFIG_) and whether it is on."""
    name, sep, value = item.partition("=")
    name = name.strip()
    if not name.startswith("CONFIG_"):
        name = "CONFIG_" + name
    value = value.strip().lower()
    if not sep or value not in ("y", "n"):
        raise SwapgenError(f"--config {item}: expected CONFIG_NAME=y or CONFIG_NAME=n")
    return name, value == "y"


def arch_variants(names: Iterable[str], *specs: Spec) -> list[str]:
    """The variants the names mean (an arch directory means those of its variants the specs
    have), in order and once each; a name that means none stays, for the error."""
    found: list[str] = []
    for name in names:
        variants = variants_named(name)
        known = [v for v in variants if any(v in spec.arches for spec in specs)]
        found += known or [canonical_arch(name)]
    return list(dict.fromkeys(found))


def pick_arches(spec: Spec, names: Iterable[str] | None) -> list[Arch]:
    """The arches named (all when none are), or an error naming the ones the spec has."""
    names = arch_variants(names or [], spec)
    if not names:
        return list(spec.arches.values())
    unknown = [n for n in names if n not in spec.arches]
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(spec.arches), n=1, cutoff=0.8)
        hint = f"did you mean {close[0]}? " if close else ""
        shown = ", ".join(n or "''" for n in unknown)
        raise SwapgenError(
            f"unknown arch {shown} in {spec.name} ({hint}it has: {', '.join(spec.arches)})"
        )
    return [spec.arches[n] for n in names]


def arch_view(arch: Arch, config: dict[str, bool]) -> dict[str, Any]:
    enabled = layout.enabled_flags(arch, config)
    info = arch_info(arch.name)
    return {
        "pte_bits": arch.pte_bits,
        "word_bits": info.word_bits,
        "big_endian": info.big_endian,
        "type": {
            "lsb": arch.type.lsb,
            "width": arch.type.width,
            **arch.type.split_entry(),
            "macros": dict(arch.type.macros),
        },
        "offset": {
            "lsb": arch.offset.lsb,
            "width": arch.offset.width,
            "inverted": arch.offset.inverted,
            **arch.offset.split_entry(),
            "macros": dict(arch.offset.macros),
        },
        "flags": {name: enabled.get(name) for name in FLAG_NAMES},
        "flag_macros": {
            name: {
                "macro": f.macro,
                "alias": f.alias,
                "condition": f.condition,
                "runtime": f.runtime,
            }
            for name, f in arch.flags.items()
        },
        "zero_bits": [{"bits": [r.lo, r.hi], "name": r.name} for r in arch.zero_bits],
        "one_bits": [{"bits": [r.lo, r.hi], "name": r.name} for r in arch.one_bits],
        "zero_mask": layout.zero_mask(arch),
        "one_mask": layout.one_mask(arch),
        "max_swapfiles_check": arch.max_swapfiles_check,
        "kconfig_selects": [
            {"symbol": s.symbol, "under": s.under, "if": s.condition} for s in arch.selects
        ],
        "none_value": arch.none_value,
        "headers": list(arch.headers),
        "kconfig": arch.kconfig,
        "config_assumptions": list(arch.config_assumptions),
        "unverified": list(arch.unverified),
    }


def resolved_view(
    spec: Spec, config: dict[str, bool] | None = None, arches: Iterable[str] | None = None
) -> dict[str, Any]:
    """The spec resolved under ``config`` (everything on by default), as plain JSON data."""
    config = config or {}
    return {
        "spec": spec.name,
        "path": spec.path,
        "kernel": spec.kernel,
        "config": dict(config),
        "max_swapfiles_shift": spec.max_swapfiles_shift,
        "max_swapfiles": layout.max_swapfiles(spec, config),
        "counts": {g.count_macro: layout.group_count(g, config) for g in spec.groups},
        "gates": {g.count_macro: g.gate for g in spec.groups},
        "types": layout.type_numbers(spec, config),
        "markers": {m.name: m.bit for m in spec.marker_list},
        "marker_mask": layout.defined_marker_mask(spec),
        "naming": {
            key: getattr(spec.naming, key)
            for key in spec.naming.__dataclass_fields__  # stable, declared order
        },
        "arches": {a.name: arch_view(a, config) for a in pick_arches(spec, arches)},
        "unverified": list(spec.unverified),
    }
