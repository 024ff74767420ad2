"""Drift between a kernel tree and a spec: one finding per difference, each with a rule ID.

Compares TreeFacts (what the tree's headers define and what its code does) with the layout
model of the spec. Used by ``swapgen sync``, and by ``patch`` and ``review --tree`` later.
"""

from __future__ import annotations

from codegen import layout
from codegen.csrc.preprocess import Evaluator, Unevaluable
from codegen.kernel.flags import FLAG_NAMES, FLAGS
from codegen.report.finding import Finding, finding
from codegen.spec.model import Arch, Spec
from codegen.tree.facts import (
    ArchFacts,
    GenericFacts,
    TreeFacts,
    helper_defined,
    normalize_condition,
    scan_config,
)


def _finding(rule_id: str, arch: str, where: tuple[str, int], message: str, tree=None, spec=None):
    return finding(rule_id, where[0], where[1], message, arch=arch, tree=tree, spec=spec)


def _bits(lo: int | None, width: int) -> str:
    if lo is None or width == 0:
        return "none"
    return f"bit {lo}" if width == 1 else f"bits {lo}-{lo + width - 1}"


def compare(spec: Spec, facts: TreeFacts) -> list[Finding]:
    findings = _compare_generic(spec, facts.generic)
    for name, arch_facts in facts.arches.items():
        findings += _compare_arch(spec, spec.arch(name), arch_facts)
    return findings


RELEVANT = ("SWP", "swp", "SWAP", "swap", "PTE_MARKER", "MAX_SWAPFILES")


def _matters(problem: Unevaluable, arch: Arch | None) -> bool:
    """An #if we could not evaluate matters when it hid a swap-related definition."""
    if not problem.message.startswith("#if uses"):
        return True
    names: set[str] = set()
    if arch is not None:
        names = {f.macro for f in arch.flags.values()}
        for field in (arch.type, arch.offset):
            names |= set(field.macros.values())
    return any(any(word in n for word in RELEVANT) or n in names for n in problem.shadowed)


def _unevaluable_text(problem: Unevaluable) -> str:
    hidden = sorted(problem.shadowed)
    suffix = f"; skipped the definitions of {', '.join(hidden[:5])}" if hidden else ""
    return problem.message + suffix


# --- generic ------------------------------------------------------------------------------


def _where_macro(generic: GenericFacts, name: str, fallback: str) -> tuple[str, int]:
    macro = generic.scan.macros.get(name)
    return (macro.file, macro.line) if macro else (fallback, 1)


def _compare_generic(spec: Spec, generic: GenericFacts) -> list[Finding]:
    findings: list[Finding] = []
    swap_h = generic.swap_h
    for problem in generic.problems:
        if not _matters(problem, None):
            continue
        file, _, line = problem.where.rpartition(":")
        where = (file, int(line)) if file and line.isdigit() else (swap_h, 1)
        findings.append(_finding("SWP590", "generic", where, _unevaluable_text(problem)))
    evaluator = Evaluator(generic.scan, {})
    for group in spec.groups:
        macro = generic.scan.macros.get(group.count_macro)
        if macro is None:
            continue
        try:
            count = evaluator.value(group.count_macro, macro.where)
        except Unevaluable:
            continue
        if count != len(group.types):
            findings.append(
                _finding(
                    "SWP501",
                    "generic",
                    (macro.file, macro.line),
                    f"{group.count_macro}: tree {count}, spec {len(group.types)} "
                    f"({', '.join(group.types)})",
                    count,
                    len(group.types),
                )
            )
    spec_gates = set(spec.gates)
    for off, (tree_max, tree_types) in generic.numbers.items():
        config = {g: g not in off for g in spec_gates}
        setting = ", ".join(f"{g}=n" for g in sorted(off)) or "every gate on"
        spec_max = layout.max_swapfiles(spec, config)
        spec_types = layout.type_numbers(spec, config)
        if tree_max != spec_max:
            findings.append(
                _finding(
                    "SWP501",
                    "generic",
                    _where_macro(generic, "MAX_SWAPFILES", swap_h),
                    f"MAX_SWAPFILES with {setting}: tree {tree_max}, spec {spec_max}",
                    tree_max,
                    spec_max,
                )
            )
        if off:
            continue
        for name in spec_types.keys() - tree_types.keys():
            group = next(g for g in spec.groups if name in g.types)
            findings.append(
                _finding(
                    "SWP502",
                    "generic",
                    _where_macro(generic, group.count_macro, swap_h),
                    f"special swap type {name} ({group.count_macro}) is in the spec, not the tree",
                    None,
                    spec_types[name],
                )
            )
        for name in tree_types.keys() - spec_types.keys():
            findings.append(
                _finding(
                    "SWP502",
                    "generic",
                    _where_macro(generic, name, swap_h),
                    f"special swap type {name} is in the tree, not the spec",
                    tree_types[name],
                    None,
                )
            )
        for name in sorted(tree_types.keys() & spec_types.keys(), key=spec_types.get):
            if tree_types[name] != spec_types[name]:
                findings.append(
                    _finding(
                        "SWP501",
                        "generic",
                        _where_macro(generic, name, swap_h),
                        f"{name} with {setting}: tree {tree_types[name]}, spec {spec_types[name]}",
                        tree_types[name],
                        spec_types[name],
                    )
                )
    findings += _tree_consistency(spec, generic, swap_h)
    swapops = spec.generic_files["swapops_h"]
    spec_markers = {m.name: m.bit for m in spec.markers.markers}
    for name, bit in spec_markers.items():
        found = generic.markers.get(name)
        if found is None:
            findings.append(
                _finding(
                    "SWP511",
                    "generic",
                    _where_macro(generic, spec.markers.mask_macro, swapops),
                    f"{name} (bit {bit}) is in the spec, not the tree",
                    None,
                    bit,
                )
            )
        elif found.value != bit:
            findings.append(
                _finding(
                    "SWP511",
                    "generic",
                    (found.file, found.line),
                    f"{name}: tree bit {found.value}, spec bit {bit}",
                    found.value,
                    bit,
                )
            )
    for name, found in generic.markers.items():
        if name not in spec_markers:
            findings.append(
                _finding(
                    "SWP511",
                    "generic",
                    (found.file, found.line),
                    f"{name} (bit {found.value}) is in the tree, not the spec",
                    found.value,
                    None,
                )
            )
    spec_mask = layout.marker_mask(spec)
    mask = generic.marker_mask
    if mask is None:
        findings.append(
            _finding(
                "SWP512",
                "generic",
                (swapops, 1),
                f"{spec.markers.mask_macro} is not defined in the tree",
                None,
                spec_mask,
            )
        )
    elif mask.value != spec_mask:
        findings.append(
            _finding(
                "SWP512",
                "generic",
                (mask.file, mask.line),
                f"{spec.markers.mask_macro}: tree {mask.value:#x}, spec {spec_mask:#x}",
                mask.value,
                spec_mask,
            )
        )
    findings += _compare_naming(spec, generic)
    return findings


def _tree_consistency(spec: Spec, generic: GenericFacts, swap_h: str) -> list[Finding]:
    """What is wrong in the tree whatever the spec says: clashing numbers, bits, masks."""
    findings: list[Finding] = []
    _limit, types = generic.numbers.get(frozenset(), (0, {}))
    seen: dict[int, str] = {}
    for name, number in sorted(types.items(), key=lambda item: (item[1], item[0])):
        if number in seen:
            findings.append(
                _finding(
                    "SWP501",
                    "generic",
                    _where_macro(generic, name, swap_h),
                    f"in the tree {name} and {seen[number]} are both type {number}",
                    number,
                    None,
                )
            )
        seen.setdefault(number, name)
    by_bit: dict[int, str] = {}
    for name, found in sorted(generic.markers.items(), key=lambda item: item[1].line):
        if found.value in by_bit:
            findings.append(
                _finding(
                    "SWP511",
                    "generic",
                    (found.file, found.line),
                    f"in the tree {name} and {by_bit[found.value]} share bit {found.value}",
                    found.value,
                    None,
                )
            )
        by_bit.setdefault(found.value, name)
    mask = generic.marker_mask
    if mask is not None:
        left_out = [
            n for n, f in generic.markers.items() if not mask.value & layout.bit_value(f.value)
        ]
        if left_out:
            findings.append(
                _finding(
                    "SWP512",
                    "generic",
                    (mask.file, mask.line),
                    f"in the tree {spec.markers.mask_macro} ({mask.value:#x}) leaves out "
                    f"{', '.join(left_out)}",
                    mask.value,
                    None,
                )
            )
    return findings


def _compare_naming(spec: Spec, generic: GenericFacts) -> list[Finding]:
    naming = spec.naming
    wanted = [
        naming.entry_from_pte,
        naming.is_marker_entry,
        naming.marker_get,
        naming.pte_is_marker,
        naming.make_marker_entry,
        naming.make_marker_pte,
        naming.has_pfn,
    ]
    for marker in spec.markers.markers:
        wanted += [marker.test] + ([marker.make] if marker.make else [])
    findings = []
    if naming.predicates_header not in generic.helper_texts:
        return [
            _finding(
                "SWP513",
                "generic",
                (naming.predicates_header, 0),
                f"{naming.predicates_header} does not exist in the tree; the spec's {naming.api} "
                f"helpers ({naming.is_marker_entry}, {naming.marker_get}, ...) live there",
            )
        ]
    for name in dict.fromkeys(wanted):
        if helper_defined(generic.helper_texts, name) is None:
            findings.append(
                _finding(
                    "SWP513",
                    "generic",
                    (naming.predicates_header, 1),
                    f"{name} is not defined in the tree (the spec names it)",
                )
            )
    return findings


# --- arches -------------------------------------------------------------------------------


def _where(facts: ArchFacts, names, fallback: str) -> tuple[str, int]:
    for name in names:
        if facts.scan is not None:
            item = facts.scan.functions.get(name) or facts.scan.macros.get(name)
            if item is not None:
                return item.file, item.line
    return fallback, 1


def _compare_arch(spec: Spec, arch: Arch, facts: ArchFacts) -> list[Finding]:
    findings: list[Finding] = []
    name = arch.name
    main_header = facts.files_read[0] if facts.files_read else arch.headers[0]
    for problem in facts.problems:
        if not _matters(problem, arch):
            continue
        file, _, line = problem.where.rpartition(":")
        where = (file, int(line)) if file and line.isdigit() else (main_header, 1)
        findings.append(_finding("SWP590", name, where, _unevaluable_text(problem)))
    behaviour = facts.behaviour
    if behaviour is not None:
        findings += _compare_behaviour(arch, facts, main_header)
    if facts.scan is not None:
        has_check = "MAX_SWAPFILES_CHECK" in facts.scan.macros
        if has_check != arch.max_swapfiles_check:
            findings.append(
                _finding(
                    "SWP526",
                    name,
                    _where(facts, ["MAX_SWAPFILES_CHECK"], main_header),
                    f"{name}: MAX_SWAPFILES_CHECK() {'defined' if has_check else 'absent'} "
                    f"in the tree, {'defined' if arch.max_swapfiles_check else 'absent'} "
                    "in the spec",
                    has_check,
                    arch.max_swapfiles_check,
                )
            )
        findings += _compare_macro_names(arch, facts)
    findings += _compare_selects(arch, facts)
    if behaviour is not None:
        findings += _compare_comment(arch, facts)
    return findings


def _compare_behaviour(arch: Arch, facts: ArchFacts, main_header: str) -> list[Finding]:
    b = facts.behaviour
    name = arch.name
    findings = []
    for problem in b.problems:
        place = problem.place() or _where(facts, ["__swp_entry"], main_header)
        findings.append(_finding("SWP590", name, place, _unevaluable_text(problem)))
    tree_type = (b.type_lsb, b.type_width)
    spec_type = (arch.type.lsb, arch.type.width)
    if b.type_lsb is not None and tree_type != spec_type:
        findings.append(
            _finding(
                "SWP521",
                name,
                _where(facts, ["__swp_type", "__swp_entry"], main_header),
                f"{name} type field: tree {_bits(*tree_type)}, spec {_bits(*spec_type)}",
                {"lsb": b.type_lsb, "width": b.type_width},
                {"lsb": arch.type.lsb, "width": arch.type.width},
            )
        )
    tree_offset = (b.offset_lsb, b.offset_width, b.inverted)
    spec_offset = (arch.offset.lsb, arch.offset.width, arch.offset.inverted)
    if b.offset_lsb is not None and tree_offset != spec_offset:
        findings.append(
            _finding(
                "SWP522",
                name,
                _where(facts, ["__swp_offset", "__swp_entry"], main_header),
                f"{name} offset field: tree {_bits(b.offset_lsb, b.offset_width)}"
                f"{' inverted' if b.inverted else ''}, spec "
                f"{_bits(arch.offset.lsb, arch.offset.width)}"
                f"{' inverted' if arch.offset.inverted else ''}",
                {"lsb": b.offset_lsb, "width": b.offset_width, "inverted": b.inverted},
                {
                    "lsb": arch.offset.lsb,
                    "width": arch.offset.width,
                    "inverted": arch.offset.inverted,
                },
            )
        )
    spec_one = layout.one_mask(arch)
    if b.always_set != spec_one:
        findings.append(
            _finding(
                "SWP524",
                name,
                _where(facts, ["__swp_entry", "mk_swap_pte"], main_header),
                f"{name} always-set bits: tree {b.always_set:#x}, spec {spec_one:#x}",
                b.always_set,
                spec_one,
            )
        )
    for flag in FLAG_NAMES:
        spec_bit = arch.flags[flag].bit if flag in arch.flags else None
        tree_bit = b.flags.get(flag)
        helpers = FLAGS[flag].helpers
        present = [h for h in helpers if h in b.helpers]
        if present and len(present) < 3:
            missing = ", ".join(h for h in helpers if h not in b.helpers)
            findings.append(
                _finding(
                    "SWP525",
                    name,
                    _where(facts, present, main_header),
                    f"{name} {flag}: the tree has {', '.join(present)} but not {missing}",
                )
            )
        if tree_bit != spec_bit and flag not in b.unevaluated:
            where = _where(
                facts,
                [arch.flags[flag].macro if flag in arch.flags else "", helpers[0]],
                main_header,
            )
            tree_text = "none" if tree_bit is None else f"bit {tree_bit}"
            spec_text = "none" if spec_bit is None else f"bit {spec_bit}"
            findings.append(
                _finding(
                    "SWP523",
                    name,
                    where,
                    f"{name} {flag} swap bit: tree {tree_text}, spec {spec_text}",
                    tree_bit,
                    spec_bit,
                )
            )
    return findings


def _compare_macro_names(arch: Arch, facts: ArchFacts) -> list[Finding]:
    findings = []
    config = scan_config(arch)
    evaluator = Evaluator(facts.scan, config, arch.pte_bits, arch.pte_bits)
    expected: list[tuple[str, int | None]] = []
    for field_name in ("type", "offset"):
        field = getattr(arch, field_name)
        values = {"lsb": field.lsb, "width": field.width, "mask": layout.value_mask(field.width)}
        expected += [(macro, values[role]) for role, macro in field.macros.items()]
    for flag in arch.flags.values():
        expected.append((flag.macro, None if flag.runtime else layout.bit_value(flag.bit)))
    main_header = facts.files_read[0] if facts.files_read else arch.headers[0]
    for macro_name, value in expected:
        macro = facts.scan.macros.get(macro_name)
        if macro is None:
            findings.append(
                _finding(
                    "SWP527",
                    arch.name,
                    (main_header, 1),
                    f"{arch.name}: {macro_name} is not defined in the tree",
                    None,
                    value,
                )
            )
            continue
        if value is None:
            continue
        try:
            got = evaluator.value(macro_name, macro.where)
        except Unevaluable:
            continue
        if got != value:
            findings.append(
                _finding(
                    "SWP527",
                    arch.name,
                    (macro.file, macro.line),
                    f"{arch.name}: {macro_name} is {got:#x} in the tree, {value:#x} in the spec",
                    got,
                    value,
                )
            )
    return findings


def _compare_selects(arch: Arch, facts: ArchFacts) -> list[Finding]:
    """Selects compared by symbol, config entry and condition (&& terms in any order)."""
    findings = []
    tree = {(s.symbol, s.under, normalize_condition(s.condition)): s for s in facts.selects}
    spec = {(s.symbol, s.under, normalize_condition(s.condition)): s for s in arch.selects}
    for key in sorted(spec.keys() - tree.keys(), key=str):
        wanted = spec[key]
        condition = " ".join(wanted.condition.split()) if wanted.condition else None
        text = f"select {wanted.symbol}" + (f" if {condition}" if condition else "")
        differs = next(
            (s for s in facts.selects if (s.symbol, s.under) == (wanted.symbol, wanted.under)), None
        )
        if differs is not None:
            have = f"select {differs.symbol}" + (
                f" if {differs.condition}" if differs.condition else ""
            )
            findings.append(
                _finding(
                    "SWP531",
                    arch.name,
                    (differs.file, differs.line),
                    f"{arch.name}: config {wanted.under} has '{have}', the spec has '{text}'",
                    have,
                    text,
                )
            )
            continue
        findings.append(
            _finding(
                "SWP531",
                arch.name,
                (arch.kconfig, _config_line(facts, wanted.under)),
                f"{arch.name}: config {wanted.under} should have '{text}' (spec), the tree has not",
                None,
                text,
            )
        )
    matched = {(s.symbol, s.under) for s in arch.selects}
    for key in sorted(tree.keys() - spec.keys(), key=str):
        found = tree[key]
        if (found.symbol, found.under) in matched:
            continue  # reported above as a different condition
        text = f"select {found.symbol}" + (f" if {found.condition}" if found.condition else "")
        findings.append(
            _finding(
                "SWP531",
                arch.name,
                (found.file, found.line),
                f"{arch.name}: config {found.under} has '{text}', the spec has not",
                text,
                None,
            )
        )
    return findings


def _config_line(facts: ArchFacts, under: str) -> int:
    return facts.config_lines.get(under, 1)


def _compare_comment(arch: Arch, facts: ArchFacts) -> list[Finding]:
    b = facts.behaviour
    findings = []
    code = {
        "type": (b.type_lsb, b.type_lsb + b.type_width - 1) if b.type_lsb is not None else None,
        "offset": (b.offset_lsb, b.offset_lsb + b.offset_width - 1)
        if b.offset_lsb is not None
        else None,
    }
    for field in facts.comment_fields:
        actual = code.get(field.name)
        if actual is None or (field.lo, field.hi) == actual:
            continue
        findings.append(
            _finding(
                "SWP541",
                arch.name,
                (facts.comment_file or arch.headers[0], field.line),
                f"{arch.name}: the layout comment puts the {field.name} at bits "
                f"{field.lo}-{field.hi}, the code at bits {actual[0]}-{actual[1]}",
                [field.lo, field.hi],
                list(actual),
            )
        )
    return findings
