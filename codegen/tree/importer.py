"""Write a spec from a kernel tree (``swapgen import``): what the tree defines and does.

A bundled spec serves as the map of where things are (header and Kconfig paths, helper names
to look for); every value comes from the tree. The result validates and syncs clean against
the tree it came from; facts a tree cannot tell (must-be-zero bits) are kept from the map
where they still fit, and the spec says so.
"""

from __future__ import annotations

import re
from typing import Any

from codegen import layout
from codegen.csrc.preprocess import Evaluator, HeaderScan, Unevaluable, tokenize
from codegen.errors import SwapgenError
from codegen.kernel.flags import FLAG_NAMES, FLAGS, MANDATORY_FLAG, flag_of_macro_name
from codegen.spec.model import MARKER_HELPERS, MARKERS_SINCE, Arch, Spec
from codegen.tree.facts import TreeFacts
from codegen.tree.reading import arch_model


def _groups(facts: TreeFacts) -> tuple[int, list[dict[str, Any]]]:
    scan = facts.generic.scan
    evaluator = Evaluator(scan, {})
    shift = evaluator.value("MAX_SWAPFILES_SHIFT")
    counts = [t for t in tokenize(scan.macros["MAX_SWAPFILES"].body) if t.endswith("_NUM")]
    _limit, types = facts.generic.numbers[frozenset()]
    refs: dict[frozenset, list[str]] = {}
    for name in sorted(types, key=lambda n: types[n]):
        body = set(tokenize(scan.macros[name].body))
        refs.setdefault(frozenset(c for c in counts if c in body), []).append(name)
    ordered = sorted(refs.items(), key=lambda item: len(item[0]))
    gates = facts.generic.gates
    groups = []
    for index, (before, names) in enumerate(ordered):
        after = ordered[index + 1][0] if index + 1 < len(ordered) else frozenset(counts)
        (count_macro,) = after - before
        name = count_macro.removeprefix("SWP_").removesuffix("_NUM").lower()
        groups.append(
            {
                "name": name,
                "count_macro": count_macro,
                "gate": gates.get(count_macro),
                "types": names,
            }
        )
    return shift, groups


def _marker_helpers(
    facts: TreeFacts, marker: str, template: Spec
) -> tuple[str | None, str, str | None]:
    """(make, test, test_header) for a marker: the template's names where the tree has them."""
    defined = facts.generic.definitions
    known = {m.name: m for m in template.marker_list}
    make = test = header = None
    if marker in known:
        wanted = known[marker]
        if wanted.make and wanted.make in defined:
            make = wanted.make
        if wanted.test in defined:
            test = wanted.test
            header = defined[wanted.test][0]
    for function in facts.generic.scan.functions.values():
        if marker not in function.text:
            continue
        if make is None and function.name.startswith("make_"):
            make = function.name
        elif test is None and (
            function.name.startswith("is_")
            or re.search(r"\bbool\b", function.text.split("(", 1)[0])
        ):
            test, header = function.name, function.file
    return make, test or f"is_{marker.lower()}", header


def _flag_macro(scan: HeaderScan, flag: str, bit: int, template_arch: Arch) -> str:
    evaluator = Evaluator(scan, {}, arch_model(template_arch))
    candidates = []
    if flag in template_arch.flags:
        candidates.append(template_arch.flags[flag].macro)
    candidates += [n for n in scan.macros if (k := flag_of_macro_name(n)) and k.name == flag]
    for name in candidates:
        macro = scan.macros.get(name)
        if macro is None or macro.params is not None:
            continue
        try:
            if evaluator.value(name, macro.where) == layout.bit_value(bit):
                return name
        except Unevaluable:
            continue
    return candidates[0] if candidates else f"_PAGE_SWP_{FLAGS[flag].word}"


def _field_entry(
    arch: str, name: str, pieces: tuple[tuple[int, int], ...], inverted: bool | None = None
) -> dict[str, Any]:
    """A spec field for pieces the tree's code showed: one run, or two written as split."""
    if len(pieces) > 2:
        raise SwapgenError(
            f"cannot import {arch}: its {name} is stored in {len(pieces)} runs of bits "
            f"({layout.describe_pieces(pieces)}); a spec field has one or two"
        )
    entry: dict[str, Any] = {"lsb": pieces[0][0], "width": sum(w for _, w in pieces)}
    if inverted is not None:
        entry["inverted"] = inverted
    if len(pieces) == 2:
        entry["split"] = {"low_width": pieces[0][1], "high_lsb": pieces[1][0]}
    return entry


def _arch(facts: TreeFacts, template: Arch) -> dict[str, Any]:
    arch_facts = facts.arches[template.name]
    b = arch_facts.behaviour
    scan = arch_facts.scan
    if b is not None and b.lost:
        lost = " and ".join(sorted(b.lost))
        raise SwapgenError(
            f"cannot import {template.name}: no {lost} bit survives __swp_entry and back"
        )
    if b is None or scan is None or b.type_lsb is None or b.offset_lsb is None:
        raise SwapgenError(f"cannot import {template.name}: its swap-PTE code was not evaluated")
    flags = {}
    for flag in FLAG_NAMES:
        if flag not in b.flags:
            continue
        entry: dict[str, Any] = {
            "bit": b.flags[flag],
            "macro": _flag_macro(scan, flag, b.flags[flag], template),
        }
        spec_flag = template.flags.get(flag)
        if spec_flag and spec_flag.bit == b.flags[flag]:
            for key in ("alias", "condition", "runtime"):
                if getattr(spec_flag, key):
                    entry[key] = getattr(spec_flag, key)
        elif FLAGS[flag].config:
            entry["condition"] = FLAGS[flag].config
        flags[flag] = entry
    fields: dict[str, dict[str, Any]] = {
        "type": _field_entry(template.name, "type", b.type_pieces),
        "offset": _field_entry(template.name, "offset", b.offset_pieces, b.inverted),
    }
    for name, field in fields.items():
        values = {
            "lsb": field["lsb"],
            "width": field["width"],
            "mask": layout.value_mask(field["width"]),
        }
        macros = {}
        evaluator = Evaluator(scan, {}, arch_model(template))
        for role, macro in getattr(template, name).macros.items():
            if macro in scan.macros:
                try:
                    if evaluator.value(macro, scan.macros[macro].where) == values[role]:
                        macros[role] = macro
                except Unevaluable:
                    pass
        if macros:
            field["macros"] = macros
    used = layout.bits_mask(
        bit
        for lsb, width in (*b.type_pieces, *b.offset_pieces)
        for bit in range(lsb, lsb + width)
    )
    used |= layout.bits_mask(b.flags.values()) | b.always_set
    zero_bits = [
        {"bits": [r.lo, r.hi], "name": r.name, **({"why": r.why} if r.why else {})}
        for r in template.zero_bits
        if not layout.bit_mask(r.lo, r.hi) & used
    ]
    one_names = {(r.lo, r.hi): r.name for r in template.one_bits}
    one_bits = [
        {"bits": list(run), "name": one_names.get(run, "set by __swp_entry")}
        for run in layout.bit_runs(b.always_set)
    ]
    selects = [
        {"symbol": s.symbol, "under": s.under, "if": s.effective} for s in arch_facts.selects
    ]
    result: dict[str, Any] = {
        "pte_bits": template.pte_bits,
        "headers": list(template.headers),
        "kconfig": template.kconfig,
        **fields,
        "flags": flags,
        "zero_bits": zero_bits,
        "one_bits": one_bits,
    }
    if template.none_value:
        result["none_value"] = template.none_value
    result["max_swapfiles_check"] = "MAX_SWAPFILES_CHECK" in scan.macros
    result["kconfig_selects"] = selects
    if template.config_assumptions:
        result["config_assumptions"] = list(template.config_assumptions)
    result["notes"] = [
        "imported from the tree; zero_bits kept from the bundled spec where they fit"
    ]
    return result


def import_spec(facts: TreeFacts, template: Spec, kernel: str) -> dict[str, Any]:
    """The spec data for a tree, ready to dump as YAML."""
    shift, groups = _groups(facts)
    generic = facts.generic
    softleaf = "leafops_h" in template.generic_files and any(
        path == template.generic_files["leafops_h"] for path in generic.files
    )
    files = {
        "swap_h": template.generic_files["swap_h"],
        "swapops_h": template.generic_files["swapops_h"],
    }
    if softleaf:
        files["leafops_h"] = template.generic_files["leafops_h"]
    files["mm_kconfig"] = template.generic_files["mm_kconfig"]
    naming = _naming(facts, template, softleaf)
    arches = {name: _arch(facts, template.arch(name)) for name in facts.arches}
    naming["exclusive_helpers_mandatory"] = all(
        MANDATORY_FLAG in a["flags"] for a in arches.values()
    )
    data: dict[str, Any] = {
        "format": 1,
        "kernel": kernel,
        "source": f"imported by swapgen from {facts.source.label}",
        "generic": files,
        "swap_types": {
            "max_swapfiles_shift": shift,
            "min_max_swapfiles": template.min_max_swapfiles,
            "groups": groups,
        },
        "pte_markers": _markers(facts, template, files),
        "naming": naming,
        "arches": arches,
    }
    if data["pte_markers"] is None:
        del data["pte_markers"]
        naming.update(dict.fromkeys(MARKER_HELPERS))
    return data


def check_template(facts: TreeFacts, template: Spec) -> None:
    """A template that cannot name what the tree has is the first thing to say: its arch
    headers may well not be the tree's either (a 5.14 template for a 6.1 tree)."""
    if template.markers is None and facts.generic.markers:
        raise SwapgenError(
            f"cannot import {facts.source.label}: the tree has PTE markers and "
            f"{template.name} has none to name them by; give --spec of {MARKERS_SINCE} or later"
        )


def _markers(facts: TreeFacts, template: Spec, files: dict[str, str]) -> dict[str, Any] | None:
    """The tree's PTE markers, or None when the tree has none (before v5.19)."""
    generic = facts.generic
    check_template(facts, template)
    if template.markers is None:
        return None
    if not generic.markers and generic.marker_mask is None:
        return None
    markers = []
    for name, found in sorted(generic.markers.items(), key=lambda item: item[1].value):
        make, test, header = _marker_helpers(facts, name, template)
        entry = {"name": name, "bit": found.value, "make": make, "test": test}
        if header and header not in (files["swapops_h"], files.get("leafops_h")):
            entry["test_header"] = header
        entry["meaning"] = next(
            (m.meaning for m in template.marker_list if m.name == name),
            "imported from the tree",
        )
        markers.append(entry)
    mask = generic.scan.macros.get(template.markers.mask_macro)
    if mask is None:
        raise SwapgenError(
            f"cannot import {facts.source.label}: it has PTE markers but no "
            f"{template.markers.mask_macro}"
        )
    mask_style = "low_bits" if "BIT" in mask.body and "-" in mask.body else "or_of_markers"
    return {
        "typedef": template.markers.typedef,
        "mask_macro": template.markers.mask_macro,
        "mask_style": mask_style,
        "markers": markers,
    }


def _naming(facts: TreeFacts, template: Spec, softleaf: bool) -> dict[str, Any]:
    """The template's names, from a bundled spec of the same API when the template's differs."""
    from codegen.resources import bundled_specs
    from codegen.spec.load import load_spec

    source = template
    if (template.naming.api == "softleaf") != softleaf:
        for path in bundled_specs():
            candidate = load_spec(path)
            if (candidate.naming.api == "softleaf") == softleaf:
                source = candidate
    n = source.naming
    predicates = (
        template.generic_files.get("leafops_h") if softleaf else template.generic_files["swapops_h"]
    )
    return {
        "api": n.api,
        "predicates_header": predicates,
        "entry_from_pte": n.entry_from_pte,
        "is_marker_entry": n.is_marker_entry,
        "marker_get": n.marker_get,
        "pte_is_marker": n.pte_is_marker,
        "make_marker_entry": n.make_marker_entry,
        "make_marker_pte": n.make_marker_pte,
        "has_pfn": n.has_pfn,
    }


def dump_yaml(data: dict[str, Any], header: str) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _flow_lists(dumper, value):
        flow = all(isinstance(v, int | str) for v in value) and len(value) <= 8
        return dumper.represent_sequence(
            "tag:yaml.org,2002:seq",
            value,
            flow_style=flow and bool(value) and isinstance(value[0], int),
        )

    _Dumper.add_representer(list, _flow_lists)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)
    return header + body
