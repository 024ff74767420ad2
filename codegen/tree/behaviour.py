"""What a tree's swap-PTE code does, not how it is spelled; learned without running it.

The arch's ``__swp_*`` macros and ``pte_swp_*`` helpers, with every definition they depend on,
are handed to ``codegen.csrc.probe``, which folds sample calls to constants with the arch's
own compiler. From the values we infer the layout (type and offset fields, inversion,
always-set bits, flag bits) that sync compares with the spec. A value that does not fold (a
real call, a statement expression) is Unevaluable at its definition's line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from codegen import layout
from codegen.csrc.preprocess import (
    Evaluator,
    ExpansionTooBig,
    Function,
    HeaderScan,
    Macro,
    Unevaluable,
    closure,
    tokenize,
)
from codegen.csrc.probe import Compiler, Folded, Probe, Snippet, find_compiler, fold
from codegen.kernel.arches import arch_info
from codegen.kernel.flags import FLAG_KINDS, FlagKind

ENTRY_MACROS = (
    "__swp_type",
    "__swp_offset",
    "__swp_entry",
    "__pte_to_swp_entry",
    "__swp_entry_to_pte",
)

PROVIDED = {
    "pte_t", "pmd_t", "pgprot_t", "swp_entry_t", "pteval_t", "pmdval_t", "pgprotval_t",
    "phys_addr_t", "pgoff_t", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "bool",
    "true", "false", "pte_val", "__pte", "pmd_val", "__pmd", "pgprot_val", "__pgprot",
    "native_pte_val", "native_make_pte", "pte_raw", "__pte_raw", "cpu_to_be64", "be64_to_cpu",
    "pte_flags", "pte_set_flags", "pte_clear_flags", "set_pte_bit", "clear_pte_bit", "_AT",
    "_AC", "_UL", "_ULL", "UL", "ULL", "_BITUL", "_BITULL", "BIT", "BIT_ULL", "BITS_PER_LONG",
    "GENMASK", "GENMASK_ULL", "BUILD_BUG_ON", "__always_inline", "likely", "unlikely",
    "riscv_has_extension_unlikely", "RISCV_ISA_EXT_SVRSW60T59B", "_ULCAST_", "IS_ENABLED",
}  # fmt: skip
"""Kernel basics the probe's own shim defines; never copied from the tree."""

SPECIAL_SAMPLES = ((5, 0x99), (31, 0x12345))
"""Whole entries beyond the single-bit ones: a round trip with both fields set."""


@dataclass
class ArchBehaviour:
    """What an arch's swap-PTE code does, inferred from values its compiler folded."""

    type_pieces: tuple[tuple[int, int], ...] = ()  # (lsb, width) of each run; () when unknown
    offset_pieces: tuple[tuple[int, int], ...] = ()
    inverted: bool = False
    type_bits: list[int] = field(default_factory=list)  # each type bit a round trip kept
    always_set: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    blind_tests: set[str] = field(default_factory=set)  # flags whose test misses their bit
    unevaluated: set[str] = field(default_factory=set)  # flags whose helpers did not fold
    helpers: dict[str, str] = field(default_factory=dict)  # helper name -> file:line
    problems: list[Unevaluable] = field(default_factory=list)
    lost: set[str] = field(default_factory=set)  # "type", "offset": folded, no bit round-trips

    @property
    def type_lsb(self) -> int | None:
        return self.type_pieces[0][0] if self.type_pieces else None

    @property
    def type_width(self) -> int:
        return sum(width for _, width in self.type_pieces)

    @property
    def offset_lsb(self) -> int | None:
        return self.offset_pieces[0][0] if self.offset_pieces else None

    @property
    def offset_width(self) -> int:
        return sum(width for _, width in self.offset_pieces)


def helper_location(scan: HeaderScan, name: str) -> str | None:
    item = scan.functions.get(name) or scan.macros.get(name)
    return item.where if item else None


def samples(word_bits: int) -> list[tuple[int, int]]:
    """(type, offset) pairs: zero, each of the low 8 type bits, each offset bit, two mixes."""
    pairs = [(0, 0)]
    pairs += [(layout.bit_value(i), 0) for i in range(8)]
    pairs += [(0, layout.bit_value(i)) for i in range(word_bits)]
    return pairs + list(SPECIAL_SAMPLES)


def probe(
    scan: HeaderScan,
    arch: str,
    source: str,
    pte_bits: int,
    predefined: dict[str, str],
    config: Mapping[str, bool | int] | None = None,
) -> ArchBehaviour:
    """Fold the tree's code for ``arch`` with its compiler; raises Unevaluable if it cannot."""
    info = arch_info(arch)
    behaviour = ArchBehaviour()
    compiler = _ready(scan, ENTRY_MACROS, arch, source)
    flags = []
    for kind in FLAG_KINDS:
        where = {n: helper_location(scan, n) for n in kind.helpers}
        behaviour.helpers.update({n: w for n, w in where.items() if w})
        if all(where.values()):
            flags.append(kind)
    snippets = _Snippets(scan, predefined)
    probes = _entry_probes(scan, snippets.needs, info.word_bits, source)
    probes += _flag_probes(scan, snippets.needs, flags)
    shim = _shim(arch, pte_bits, predefined, config or {})
    folded = _fold(shim, snippets.all(), probes, compiler)
    _infer(behaviour, folded.values, info.word_bits, flags, arch)
    seen: set[str] = set()
    for problem in folded.failed.values():
        if str(problem) not in seen:  # one report per cause, not one per sample
            seen.add(str(problem))
            behaviour.problems.append(problem)
    return behaviour


def entry_type_bits(
    scan: HeaderScan,
    arch: str,
    source: str,
    pte_bits: int,
    predefined: dict[str, str],
    config: Mapping[str, bool | int] | None = None,
) -> list[int]:
    """The low 8 type bits ``__swp_type(__swp_entry(t, 0))`` gives back, folded by the arch's
    compiler: the round trip of the entry alone, for code whose PTE conversions are not at
    hand (a diff that does not show them). Raises Unevaluable if it cannot be folded."""
    compiler = _ready(scan, ENTRY_MACROS[:3], arch, source)
    snippets = _Snippets(scan, predefined)
    deps = snippets.needs("__swp_type", "__swp_entry")
    where = helper_location(scan, "__swp_entry") or source
    probes = [
        Probe(f"T {bit}", f"__swp_type(__swp_entry({layout.bit_value(bit)}UL, 0UL))", deps, where)
        for bit in range(8)
    ]
    shim = _shim(arch, pte_bits, predefined, config or {})
    folded = _fold(shim, snippets.all(), probes, compiler)
    if folded.failed:
        raise next(iter(folded.failed.values()))
    return [bit for bit in range(8) if folded.values.get(f"T {bit}") == layout.bit_value(bit)]


def _ready(scan: HeaderScan, names: Sequence[str], arch: str, source: str) -> Compiler:
    """The arch's compiler, once every one of ``names`` is defined; else Unevaluable."""
    for name in names:
        if name not in scan.macros and name not in scan.functions:
            raise Unevaluable(f"{arch}: {name} is not defined in the headers read", source)
    info = arch_info(arch)
    compiler = find_compiler(info.gcc, info.clang_target, info.compile_flags)
    if compiler is None:
        raise Unevaluable(
            f"{arch}: no compiler for it (install {info.compiler_names()}) to evaluate the "
            "tree's swap-PTE code",
            source,
        )
    return compiler


class _Snippets:
    """The tree's definitions a fold needs, each copied once: ``needs(*roots)`` records the
    definitions the roots use (dependencies first) and gives their names."""

    def __init__(self, scan: HeaderScan, predefined: dict[str, str]):
        self.scan = scan
        self.provided = PROVIDED | set(predefined)
        self.snippets: dict[str, Snippet] = {}

    def needs(self, *roots: str) -> tuple[str, ...]:
        items = closure(self.scan, roots, self.provided)
        _refuse_exploding_macros(self.scan, items)
        for item in items:
            self.snippets.setdefault(item.name, Snippet(item.name, _code(item), item.where))
        return tuple(item.name for item in items)

    def all(self) -> list[Snippet]:
        return list(self.snippets.values())


def _shim(
    arch: str,
    pte_bits: int,
    predefined: dict[str, str],
    config: Mapping[str, bool | int] | None = None,
) -> str:
    """Our C prologue: the kernel basics the tree's code uses, for the arch's PTE width, and
    the Kconfig options that are on, as the kernel's autoconf.h defines them."""
    from codegen.generate.render import render

    options = {
        name: int(value)
        for name, value in sorted((config or {}).items())
        if value is not False and name.startswith("CONFIG_")
    }
    return render(
        "probe_shim.h.j2",
        arch=arch,
        pteval="unsigned int" if pte_bits == 32 else "unsigned long long",
        two_words=arch_info(arch).two_word_pte,
        predefined=sorted(predefined.items()),
        options=sorted(options.items()),
    )


Needs = Callable[..., tuple[str, ...]]
"""Records the definitions some roots need; their names, dependencies first."""


def _entry_probes(scan: HeaderScan, needs: Needs, word_bits: int, source: str) -> list[Probe]:
    entry = "__swp_entry_to_pte(__swp_entry({t}UL, {o:#x}UL))"
    back = "__pte_to_swp_entry(" + entry + ")"
    deps = needs(*ENTRY_MACROS)
    where = {name: helper_location(scan, name) or source for name in ENTRY_MACROS}
    probes = []
    for t, o in samples(word_bits):
        probes += [
            Probe(f"E {t} {o}", f"pte_val({entry.format(t=t, o=o)})", deps, where["__swp_entry"]),
            Probe(f"T {t} {o}", f"__swp_type({back.format(t=t, o=o)})", deps, where["__swp_type"]),
            Probe(
                f"O {t} {o}", f"__swp_offset({back.format(t=t, o=o)})", deps, where["__swp_offset"]
            ),
        ]
    return probes


def _flag_probes(scan: HeaderScan, needs: Needs, flags: list[FlagKind]) -> list[Probe]:
    probes = []
    for kind in flags:
        set_fn, test_fn, clear_fn = kind.helpers
        deps = needs(set_fn, test_fn, clear_fn)
        where = {n: helper_location(scan, n) or "" for n in kind.helpers}
        made = f"{set_fn}(__pte(0))"
        cleared = f"{clear_fn}({made})"
        probes += [
            Probe(f"F {kind.name} set", f"pte_val({made})", deps, where[set_fn]),
            Probe(f"F {kind.name} test", f"{test_fn}({made}) != 0", deps, where[test_fn]),
            Probe(f"F {kind.name} clear", f"pte_val({cleared})", deps, where[clear_fn]),
            Probe(f"F {kind.name} retest", f"{test_fn}({cleared}) != 0", deps, where[test_fn]),
        ]
    return probes


def _refuse_exploding_macros(scan: HeaderScan, items: list[Macro | Function]) -> None:
    """A macro that expands without bound would stall the compiler (and eat memory): the
    expansion is tried here first, within the reader's bounds."""
    evaluator = Evaluator(scan, {})
    for item in items:
        if not isinstance(item, Macro) or item.params is not None:
            continue
        try:
            evaluator.expand(tokenize(item.body), frozenset({item.name}), 0, item.where)
        except ExpansionTooBig as err:
            raise ExpansionTooBig(f"{item.name}: {err.message}; not compiled", item.where) from None
        except Unevaluable:
            pass  # a construct this reader does not expand; the compiler does


def _code(item: Macro | Function) -> str:
    return item.text if isinstance(item, Function) else item.text()


def _infer(
    behaviour: ArchBehaviour,
    values: dict[str, int],
    word_bits: int,
    flags: list[FlagKind],
    arch: str,
) -> None:
    def value(kind: str, t: int, o: int) -> int | None:
        found = values.get(f"{kind} {t} {o}")
        return None if found is None else found & layout.value_mask(64)

    base = value("E", 0, 0)
    if base is None:
        return  # nothing folded; the reasons are in the problems
    type_positions: list[int] | None = None
    offset_positions: list[int] | None = None
    offset_inverted = []
    for t, o in samples(word_bits):
        entry, t2, o2 = value("E", t, o), value("T", t, o), value("O", t, o)
        bit = layout.single_bit(entry ^ base) if entry is not None else None
        if (t, o) in SPECIAL_SAMPLES:
            continue
        if o == 0 and t and t2 is not None:
            type_positions = type_positions or []
            if bit is not None and t2 == t and o2 in (0, None):
                type_positions.append(bit)
        elif t == 0 and o and o2 is not None:
            offset_positions = offset_positions or []
            if bit is not None and o2 == o and t2 in (0, None):
                offset_positions.append(bit)
                offset_inverted.append(bool(base & layout.bit_value(bit)))
    behaviour.type_bits = sorted(type_positions or [])
    behaviour.type_pieces = _field(type_positions, "type", arch, behaviour)
    behaviour.offset_pieces = _field(offset_positions, "offset", arch, behaviour)
    behaviour.inverted = bool(offset_inverted) and all(offset_inverted)
    offset_mask = layout.bits_mask(
        bit for lsb, width in behaviour.offset_pieces for bit in range(lsb, lsb + width)
    )
    behaviour.always_set = base & ~offset_mask if behaviour.inverted else base
    for kind in flags:  # the helpers run on an empty PTE, so only their own bit can show
        outcome = flag_outcome(values, kind)
        if outcome is None:
            behaviour.unevaluated.add(kind.name)
            continue
        bit, sees_it = outcome
        if bit is not None and not sees_it:
            behaviour.flags[kind.name] = bit
            behaviour.blind_tests.add(kind.name)
            continue
        if bit is None:
            behaviour.problems.append(
                Unevaluable(
                    f"{arch}: the {kind.name} helpers do not set, test and clear one bit "
                    "consistently",
                    behaviour.helpers.get(kind.set_helper, ""),
                )
            )
            continue
        behaviour.flags[kind.name] = bit


def flag_outcome(values: Mapping[str, int], kind: FlagKind) -> tuple[int | None, bool] | None:
    """What a flag's folded round trip shows: (its bit, whether the test helper sees it);
    the bit is None when set and clear do not agree on one bit, and the outcome None when the
    round trip did not fold. A bit the test does not see (alpha's int pte_swp_exclusive()
    dropped bit 39) is a bug, not something left unevaluated."""
    keys = [f"F {kind.name} {step}" for step in ("set", "test", "clear", "retest")]
    if not all(key in values for key in keys):
        return None
    made, test, cleared, retest = (values[key] & layout.value_mask(64) for key in keys)
    bit = layout.single_bit(made)
    if bit is None or cleared != 0 or retest != 0 or test not in (0, 1):
        return None, False
    return bit, test == 1


def blind_test_message(arch: str, kind: FlagKind, bit: int | None) -> str:
    """SWP528's text, as sync and review give it."""
    return (
        f"{arch} {kind.name}: {kind.test_helper}() is false for a PTE that {kind.set_helper}() "
        f"gave bit {bit}; the flag is lost (does its return type hold the bit?)"
    )


def blind_flag_tests(
    scan: HeaderScan,
    arch: str,
    predefined: dict[str, str],
    config: Mapping[str, bool | int] | None = None,
) -> dict[str, int]:
    """Flags whose three helpers ``scan`` defines and whose test misses the bit set and clear
    agree on: flag name -> bit. For a series' diff, which may show only those helpers."""
    info = arch_info(arch)
    compiler = find_compiler(info.gcc, info.clang_target, info.compile_flags)
    flags = [k for k in FLAG_KINDS if all(helper_location(scan, n) for n in k.helpers)]
    if compiler is None or not flags:
        return {}
    snippets = _Snippets(scan, predefined)
    try:
        probes = _flag_probes(scan, snippets.needs, flags)
    except Unevaluable:
        return {}  # what the helpers use is not all shown: review --tree reads it
    shim = _shim(arch, info.pte_bits, predefined, config or {})
    values = _fold(shim, snippets.all(), probes, compiler).values
    blind = {}
    for kind in flags:
        outcome = flag_outcome(values, kind)
        if outcome is not None and outcome[0] is not None and not outcome[1]:
            blind[kind.name] = outcome[0]
    return blind


def _field(
    positions: list[int] | None, what: str, arch: str, behaviour: ArchBehaviour
) -> tuple[tuple[int, int], ...]:
    """The pieces (lsb, width) of a field from the PTE bit each value bit a round trip kept,
    in value-bit order: one piece per run of consecutive bits (parisc's offset keeps its low
    3 bits at 5-7 and the rest from bit 10). Empty when unknown."""
    if positions is None:
        return ()  # its probes did not fold: reported with their reasons
    if not positions:
        behaviour.lost.add(what)  # evaluated, and broken: sync says so as drift
        return ()
    pieces = layout.pieces_from_positions(positions)
    if pieces is None:
        behaviour.problems.append(
            Unevaluable(
                f"{arch}: the {what} bits are not stored in order: value bits 0.. at {positions}",
                "",
            )
        )
        return layout.pieces_from_positions(sorted(set(positions))) or ()
    return pieces


STANDALONE_CALLS = {
    "__swp_type": "__swp_type(((swp_entry_t) {{ 0x12345UL }}))",
    "__swp_offset": "__swp_offset(((swp_entry_t) {{ 0x12345UL }}))",
    "__swp_entry": "__swp_entry(3UL, 0x45UL).val",
    "__pte_to_swp_entry": "__pte_to_swp_entry(__pte(0x1234)).val",
    "__swp_entry_to_pte": "pte_val(__swp_entry_to_pte(((swp_entry_t) {{ 0x1234UL }})))",
}
"""One call of each entry macro that needs nothing else of the arch's code."""


def standalone_call(name: str) -> str | None:
    """A sample call of a swap-PTE helper on its own, or None for a name that is not one."""
    if name in STANDALONE_CALLS:
        return STANDALONE_CALLS[name].format()
    for kind in FLAG_KINDS:
        if name == kind.test_helper:
            return f"{name}(__pte(0x100)) != 0"
        if name in kind.helpers:
            return f"pte_val({name}(__pte(0x100)))"
    return None


def fold_helpers(
    scan: HeaderScan,
    arch: str,
    names: list[str],
    predefined: dict[str, str],
    config: Mapping[str, bool | int] | None = None,
) -> dict[str, Unevaluable]:
    """Fold one sample call of each named helper, each on its own; why each that did not
    fold did not. Used where only part of an arch's code is known (a series' diff)."""
    info = arch_info(arch)
    compiler = find_compiler(info.gcc, info.clang_target, info.compile_flags)
    calls = {n: call for n in names if (call := standalone_call(n)) is not None}
    if compiler is None or not calls:
        return {}
    provided = PROVIDED | set(predefined)
    snippets: dict[str, Snippet] = {}
    probes = []
    for name, call in calls.items():
        items = closure(scan, [name], provided)
        _refuse_exploding_macros(scan, items)
        for item in items:
            snippets.setdefault(item.name, Snippet(item.name, _code(item), item.where))
        where = helper_location(scan, name) or ""
        probes.append(Probe(name, call, tuple(i.name for i in items), where))
    shim = _shim(arch, info.pte_bits, predefined, config)
    return _fold(shim, list(snippets.values()), probes, compiler).failed


def _fold(
    shim: str, snippets: Sequence[Snippet], probes: Sequence[Probe], compiler: Compiler
) -> Folded:
    """probe.fold, kept by the content of what is compiled (the shim, the definitions and
    where they stand, the probes) and by the compiler binary: a review whose patch changes
    no arch macro compiles nothing, one that does compiles once per distinct content."""
    from codegen.tree.readcache import remembered

    try:
        binary = os.stat(compiler.argv[0])
        identity = f"{binary.st_size}:{binary.st_mtime_ns}"
    except OSError:
        identity = "missing"
    parts = [shim.encode(), repr((compiler, identity)).encode()]
    parts += [repr((s.name, s.code, s.where)).encode() for s in snippets]
    parts += [repr(p).encode() for p in probes]
    return remembered(
        "probe-folds",
        parts,
        lambda: fold(shim, snippets, probes, compiler),
        keep=lambda folded: folded.settled,
    )
