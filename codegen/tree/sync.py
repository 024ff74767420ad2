"""Drift between a kernel tree and a spec: one finding per difference, each with a rule ID.

Compares TreeFacts (what the tree defines and what its code does, all read beforehand) with
the spec's layout model, in one pass. Used by ``swapgen sync``, ``patch`` and ``review --tree``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from codegen import layout
from codegen.csrc.kconfig import canonical_condition, select_text
from codegen.csrc.preprocess import Unevaluable, values
from codegen.kernel.arches import arch_info
from codegen.kernel.flags import FLAG_KINDS
from codegen.report.finding import Finding, finding
from codegen.spec.model import Arch, Spec
from codegen.tree.behaviour import blind_test_message
from codegen.tree.facts import (
    ArchFacts,
    GenericFacts,
    TreeFacts,
)
from codegen.tree.reading import arch_model, scan_config

Place = tuple[str, int]


def _finding(
    rule_id: str, arch: str, where: Place, message: str, tree: Any = None, spec: Any = None
) -> Finding:
    return finding(rule_id, where[0], where[1], message, arch=arch, tree=tree, spec=spec)


def _differs(
    rule_id: str, arch: str, where: Place, what: str, tree: Any, spec: Any,
    show: Callable[[Any], str] = str,
) -> Iterator[Finding]:  # fmt: skip
    """``what: tree X, spec Y`` when the two values differ."""
    if tree != spec:
        yield _finding(
            rule_id, arch, where, f"{what}: tree {show(tree)}, spec {show(spec)}", tree, spec
        )


def _bit(bit: int | None) -> str:
    return "none" if bit is None else f"bit {bit}"


def _field_value(pieces: tuple[tuple[int, int], ...], inverted: bool | None = None) -> dict:
    """A field as a finding's tree or spec value: lsb and width, its pieces when it is split."""
    value: dict[str, Any] = {"lsb": pieces[0][0], "width": sum(w for _, w in pieces)}
    if inverted is not None:
        value["inverted"] = inverted
    if len(pieces) > 1:
        value["pieces"] = [list(piece) for piece in pieces]
    return value


def compare(spec: Spec, facts: TreeFacts) -> list[Finding]:
    findings = list(_compare_generic(spec, facts.generic))
    for name, arch_facts in facts.arches.items():
        findings += _compare_arch(spec.arch(name), arch_facts)
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


def _unevaluable(
    problems: Iterable[Unevaluable], arch: Arch | None, label: str, fallback: Place
) -> Iterator[Finding]:
    for problem in problems:
        if _matters(problem, arch):
            hidden = sorted(problem.shadowed)
            suffix = f"; skipped the definitions of {', '.join(hidden[:5])}" if hidden else ""
            where = problem.place() or fallback
            yield _finding("SWP590", label, where, problem.message + suffix)


# --- generic ------------------------------------------------------------------------------


def _compare_generic(spec: Spec, generic: GenericFacts) -> Iterator[Finding]:
    swap_h = generic.swap_h
    yield from _unevaluable(generic.problems, None, "generic", (swap_h, 1))
    for group in spec.groups:
        found = generic.counts.get(group.count_macro)
        if found is not None:
            what = f"{group.count_macro}"
            listed = f"{len(group.types)} ({', '.join(group.types)})"
            if found.value != len(group.types):
                message = f"{what}: tree {found.value}, spec {listed}"
                where = (found.file, found.line)
                yield _finding("SWP501", "generic", where, message, found.value, len(group.types))
    for off, (tree_max, tree_types) in generic.numbers.items():
        config = {g: g not in off for g in spec.gates}
        setting = ", ".join(f"{g}=n" for g in sorted(off)) or "every gate on"
        where = generic.where("MAX_SWAPFILES", swap_h)
        spec_max = layout.max_swapfiles(spec, config)
        yield from _differs(
            "SWP501", "generic", where, f"MAX_SWAPFILES with {setting}", tree_max, spec_max
        )
        if not off:
            yield from _compare_types(spec, generic, tree_types, layout.type_numbers(spec, config))
    yield from _tree_consistency(spec, generic)
    yield from _compare_markers(spec, generic)
    yield from _compare_naming(spec, generic)


def _compare_types(
    spec: Spec, generic: GenericFacts, tree: dict[str, int], wanted: dict[str, int]
) -> Iterator[Finding]:
    swap_h = generic.swap_h
    for name in wanted.keys() - tree.keys():
        group = next(g for g in spec.groups if name in g.types)
        message = f"special swap type {name} ({group.count_macro}) is in the spec, not the tree"
        where = generic.where(group.count_macro, swap_h)
        yield _finding("SWP502", "generic", where, message, None, wanted[name])
    for name in tree.keys() - wanted.keys():
        message = f"special swap type {name} is in the tree, not the spec"
        yield _finding("SWP502", "generic", generic.where(name, swap_h), message, tree[name], None)
    for name in sorted(tree.keys() & wanted.keys(), key=lambda n: wanted[n]):
        what = f"{name} with every gate on"
        yield from _differs(
            "SWP501", "generic", generic.where(name, swap_h), what, tree[name], wanted[name]
        )


def _tree_consistency(spec: Spec, generic: GenericFacts) -> Iterator[Finding]:
    """What is wrong in the tree whatever the spec says: clashing numbers, bits, masks."""
    _limit, types = generic.numbers.get(frozenset(), (0, {}))
    seen: dict[int, str] = {}
    for name, number in sorted(types.items(), key=lambda item: (item[1], item[0])):
        if number in seen:
            message = f"in the tree {name} and {seen[number]} are both type {number}"
            yield _finding(
                "SWP501", "generic", generic.where(name, generic.swap_h), message, number
            )
        seen.setdefault(number, name)
    by_bit: dict[int, str] = {}
    for name, found in sorted(generic.markers.items(), key=lambda item: item[1].line):
        if found.value in by_bit:
            message = f"in the tree {name} and {by_bit[found.value]} share bit {found.value}"
            yield _finding("SWP511", "generic", (found.file, found.line), message, found.value)
        by_bit.setdefault(found.value, name)
    mask = generic.marker_mask
    if mask is not None and spec.markers is not None:
        left_out = [
            n for n, f in generic.markers.items() if not mask.value & layout.bit_value(f.value)
        ]
        if left_out:
            message = (
                f"in the tree {spec.markers.mask_macro} ({mask.value:#x}) leaves out "
                f"{', '.join(left_out)}"
            )
            yield _finding("SWP512", "generic", (mask.file, mask.line), message, mask.value)


def _compare_markers(spec: Spec, generic: GenericFacts) -> Iterator[Finding]:
    swapops = spec.generic_files["swapops_h"]
    spec_markers = {m.name: m.bit for m in spec.marker_list}
    mask_name = spec.mask_macro
    mask_place = generic.where(mask_name, swapops) if mask_name else (swapops, 1)
    for name, bit in spec_markers.items():
        found = generic.markers.get(name)
        if found is None:
            message = f"{name} (bit {bit}) is in the spec, not the tree"
            yield _finding("SWP511", "generic", mask_place, message, None, bit)
        else:
            where = (found.file, found.line)
            yield from _differs("SWP511", "generic", where, name, found.value, bit, _bit)
    for name, found in generic.markers.items():
        if name not in spec_markers:
            message = f"{name} (bit {found.value}) is in the tree, not the spec"
            yield _finding("SWP511", "generic", (found.file, found.line), message, found.value)
    if mask_name is None:
        return
    spec_mask = layout.marker_mask(spec)
    mask = generic.marker_mask
    if mask is None:
        message = f"{mask_name} is not defined in the tree"
        yield _finding("SWP512", "generic", (swapops, 1), message, None, spec_mask)
    else:
        where = (mask.file, mask.line)
        yield from _differs("SWP512", "generic", where, mask_name, mask.value, spec_mask, hex)


def _compare_naming(spec: Spec, generic: GenericFacts) -> Iterator[Finding]:
    naming = spec.naming
    header = naming.predicates_header
    if header not in generic.files:
        some = [n for n in (naming.is_marker_entry, naming.marker_get, naming.has_pfn) if n][:2]
        message = (
            f"{header} does not exist in the tree; the spec's {naming.api} helpers "
            f"({', '.join(some)}, ...) live there"
        )
        yield _finding("SWP513", "generic", (header, 0), message)
        return
    wanted = [
        naming.entry_from_pte, naming.is_marker_entry, naming.marker_get, naming.pte_is_marker,
        naming.make_marker_entry, naming.make_marker_pte, naming.has_pfn,
    ]  # fmt: skip
    for marker in spec.marker_list:
        wanted += [marker.test, marker.make]
    for name in dict.fromkeys(n for n in wanted if n):
        if name not in generic.definitions:
            message = f"{name} is not defined in the tree (the spec names it)"
            yield _finding("SWP513", "generic", (header, 1), message)


# --- arches -------------------------------------------------------------------------------


def _where(facts: ArchFacts, names: Iterable[str], fallback: str) -> Place:
    for name in names:
        if facts.scan is not None:
            item = facts.scan.functions.get(name) or facts.scan.macros.get(name)
            if item is not None:
                return item.file, item.line
    return fallback, 1


def _compare_arch(arch: Arch, facts: ArchFacts) -> list[Finding]:
    main_header = facts.files_read[0] if facts.files_read else arch.headers[0]
    findings = list(_unevaluable(facts.problems, arch, arch.name, (main_header, 1)))
    if facts.behaviour is not None:
        findings += _compare_behaviour(arch, facts, main_header)
    if facts.scan is not None:
        has_check = "MAX_SWAPFILES_CHECK" in facts.scan.macros
        if has_check != arch.max_swapfiles_check:
            state = {True: "defined", False: "absent"}
            message = (
                f"{arch.name}: MAX_SWAPFILES_CHECK() {state[has_check]} in the tree, "
                f"{state[arch.max_swapfiles_check]} in the spec"
            )
            where = _where(facts, ["MAX_SWAPFILES_CHECK"], main_header)
            findings.append(
                _finding("SWP526", arch.name, where, message, has_check, arch.max_swapfiles_check)
            )
        findings += _compare_macro_names(arch, facts, main_header)
    findings += _compare_selects(arch, facts)
    if facts.behaviour is not None:
        findings += _compare_comment(arch, facts)
    return findings


def _compare_behaviour(arch: Arch, facts: ArchFacts, main_header: str) -> Iterator[Finding]:
    b = facts.behaviour
    assert b is not None
    name = arch.name
    yield from _unevaluable(b.problems, arch, name, _where(facts, ["__swp_entry"], main_header))
    for lost in sorted(b.lost):
        where = _where(facts, [f"__swp_{lost}", "__swp_entry"], main_header)
        spec_field = getattr(arch, lost)
        message = (
            f"{name} {lost} field: no {lost} bit survives __swp_entry and back in the tree, "
            f"spec {layout.describe_pieces(spec_field.pieces)}"
        )
        yield _finding("SWP521" if lost == "type" else "SWP522", name, where, message)
    if b.type_pieces:
        where = _where(facts, ["__swp_type", "__swp_entry"], main_header)
        tree = _field_value(b.type_pieces)
        spec = _field_value(arch.type.pieces)
        yield from _differs("SWP521", name, where, f"{name} type field", tree, spec, _field_text)
    if b.offset_pieces:
        where = _where(facts, ["__swp_offset", "__swp_entry"], main_header)
        tree = _field_value(b.offset_pieces, b.inverted)
        spec = _field_value(arch.offset.pieces, arch.offset.inverted)
        yield from _differs("SWP522", name, where, f"{name} offset field", tree, spec, _field_text)
    where = _where(facts, ["__swp_entry", "mk_swap_pte"], main_header)
    what = f"{name} always-set bits"
    yield from _differs("SWP524", name, where, what, b.always_set, layout.one_mask(arch), hex)
    for kind in FLAG_KINDS:
        flag = arch.flags.get(kind.name)
        present = [h for h in kind.helpers if h in b.helpers]
        if present and len(present) < len(kind.helpers):
            missing = ", ".join(h for h in kind.helpers if h not in b.helpers)
            message = f"{name} {kind.name}: the tree has {', '.join(present)} but not {missing}"
            yield _finding("SWP525", name, _where(facts, present, main_header), message)
        if kind.name in b.unevaluated:
            continue  # said above, as unevaluable
        where = _where(facts, [flag.macro if flag else "", kind.set_helper], main_header)
        what = f"{name} {kind.name} swap bit"
        tree_bit = b.flags.get(kind.name)
        yield from _differs("SWP523", name, where, what, tree_bit, flag.bit if flag else None, _bit)
        if kind.name in b.blind_tests:
            where = _where(facts, [kind.test_helper], main_header)
            message = blind_test_message(name, kind, tree_bit)
            yield _finding("SWP528", name, where, message, tree_bit)


def _compare_macro_names(arch: Arch, facts: ArchFacts, main_header: str) -> Iterator[Finding]:
    """The field and flag macros the spec names: defined, and with the value the spec says."""
    assert facts.scan is not None
    expected: dict[str, int | None] = {}
    for field in (arch.type, arch.offset):
        by_role = {"lsb": field.lsb, "width": field.width, "mask": layout.value_mask(field.width)}
        expected.update({macro: by_role[role] for role, macro in field.macros.items()})
    for flag in arch.flags.values():
        expected[flag.macro] = None if flag.runtime else layout.bit_value(flag.bit)
    present = [n for n in expected if n in facts.scan.macros]
    found = values(facts.scan, scan_config(arch), arch_model(arch), present)
    for macro_name, value in expected.items():
        macro = facts.scan.macros.get(macro_name)
        if macro is None:
            message = f"{arch.name}: {macro_name} is not defined in the tree"
            yield _finding("SWP527", arch.name, (main_header, 1), message, None, value)
            continue
        got = found[macro_name]
        if (
            value is None
            or isinstance(got, Unevaluable)
            or layout.as_pte_value(got, arch.pte_bits) == value
        ):
            continue
        message = f"{arch.name}: {macro_name} is {got:#x} in the tree, {value:#x} in the spec"
        yield _finding("SWP527", arch.name, (macro.file, macro.line), message, got, value)


def _compare_selects(arch: Arch, facts: ArchFacts) -> Iterator[Finding]:
    """Selects of every watched symbol, by symbol, entry and effective condition."""
    tree = {(s.symbol, s.under, s.effective): s for s in facts.selects}
    spec = {(s.symbol, s.under, canonical_condition(s.condition)): s for s in arch.selects}
    reported: set[tuple[str, str]] = set()
    for key in sorted(spec.keys() - tree.keys(), key=str):
        symbol, under, _ = key
        written = spec[key].condition  # as the spec spells it
        wanted = select_text(symbol, " ".join(written.split()) if written else None)
        other = next((s for s in facts.selects if (s.symbol, s.under) == (symbol, under)), None)
        if other is not None:
            have = select_text(symbol, other.effective)
            message = f"{arch.name}: config {under} has '{have}', the spec has '{wanted}'"
            yield _finding("SWP531", arch.name, (other.file, other.line), message, have, wanted)
            reported.add((symbol, under))
        else:
            message = f"{arch.name}: config {under} should have '{wanted}' (spec), the tree has not"
            where = (arch.kconfig, facts.entry_line(under))
            yield _finding("SWP531", arch.name, where, message, None, wanted)
    for key in sorted(tree.keys() - spec.keys(), key=str):
        found = tree[key]
        if (found.symbol, found.under) in reported:
            continue  # reported above as a different condition
        text = select_text(found.symbol, found.effective)
        message = f"{arch.name}: config {found.under} has '{text}', the spec has not"
        yield _finding("SWP531", arch.name, (found.file, found.line), message, text, None)


def _compare_comment(arch: Arch, facts: ArchFacts) -> Iterator[Finding]:
    b = facts.behaviour
    assert b is not None
    code = {
        "type": layout.pieces_spans(b.type_pieces),
        "offset": layout.pieces_spans(b.offset_pieces),
    }
    for field in facts.comment_fields:
        actual = code.get(field.name)
        inverted = field.name == "offset" and bool(b.inverted)
        two_words = arch_info(arch.name).two_word_pte
        if not actual or layout.drawing_agrees(
            field.spans, field.top, actual, inverted, b.always_set, arch.pte_bits, two_words
        ):
            continue
        message = (
            f"{arch.name}: the layout comment puts the {field.name} at "
            f"{layout.spans_text(field.spans)}, the code at {layout.spans_text(actual)}"
        )
        where = (facts.comment_file or arch.headers[0], field.line)
        drawn = [list(span) for span in field.spans]
        code_spans = [list(span) for span in actual]
        # one run is given as [lo, hi], as before pieces: what a report reader expects
        yield _finding(
            "SWP541",
            arch.name,
            where,
            message,
            drawn[0] if len(drawn) == 1 else drawn,
            code_spans[0] if len(code_spans) == 1 else code_spans,
        )


def _field_text(value: dict[str, Any]) -> str:
    """A field as SWP521 and SWP522 give it: its runs, and whether it is stored inverted."""
    pieces = value.get("pieces", [(value["lsb"], value["width"])])
    return layout.describe_pieces(pieces) + (" inverted" if value.get("inverted") else "")
