"""Check a tree's swap-PTE code for what it does, not how it is spelled.

The arch's ``__swp_*`` macros and ``pte_swp_*`` helpers, with every definition they depend on,
are copied out of the tree's headers into a small C program, compiled on the host and run on
sample values. From what it prints we infer the layout (type and offset fields, inversion,
always-set bits, flag bits), which the sync compares with the spec's layout model.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

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
from codegen.kernel.flags import FLAG_NAMES, FLAGS

COMPILE_SECONDS = 60  # the probe compiles in well under a second
RUN_SECONDS = 10

ENTRY_MACROS = (
    "__swp_type",
    "__swp_offset",
    "__swp_entry",
    "__pte_to_swp_entry",
    "__swp_entry_to_pte",
)

PROVIDED = {
    "pte_t", "pmd_t", "pgprot_t", "swp_entry_t", "pteval_t", "pmdval_t", "pgprotval_t",
    "phys_addr_t", "pgoff_t", "u8", "u16", "u32", "u64", "s32", "s64", "bool", "true", "false",
    "pte_val", "__pte", "pmd_val", "__pmd", "pgprot_val", "__pgprot", "native_pte_val",
    "native_make_pte", "pte_raw", "__pte_raw", "cpu_to_be64", "be64_to_cpu", "pte_flags",
    "pte_set_flags", "pte_clear_flags", "set_pte_bit", "clear_pte_bit", "_AT", "_AC", "_UL",
    "_ULL", "UL", "ULL", "_BITUL", "_BITULL", "BIT", "BIT_ULL", "BITS_PER_LONG", "GENMASK",
    "GENMASK_ULL", "BUILD_BUG_ON", "__always_inline", "likely", "unlikely",
    "riscv_has_extension_unlikely", "RISCV_ISA_EXT_SVRSW60T59B", "_ULCAST_",
}  # fmt: skip
"""Kernel basics the probe's own shim defines; never copied from the tree."""


@dataclass
class ArchBehaviour:
    """What an arch's swap-PTE code does, inferred by running it."""

    type_lsb: int | None = None
    type_width: int = 0
    offset_lsb: int | None = None
    offset_width: int = 0
    inverted: bool = False
    always_set: int = 0
    flags: dict[str, int] = field(default_factory=dict)
    helpers: dict[str, str] = field(default_factory=dict)  # helper name -> file:line
    problems: list[str] = field(default_factory=list)


def helper_location(scan: HeaderScan, name: str) -> str | None:
    item = scan.functions.get(name) or scan.macros.get(name)
    return item.where if item else None


def probe(
    scan: HeaderScan,
    arch: str,
    source: str,
    pte_bits: int,
    predefined: dict[str, str],
    compiler: str | None = None,
) -> ArchBehaviour:
    """Compile and run the tree's code for ``arch``; raises Unevaluable if it cannot."""
    from codegen.generate.render import render

    behaviour = ArchBehaviour()
    for name in ENTRY_MACROS:
        if name not in scan.macros and name not in scan.functions:
            raise Unevaluable(f"{arch}: {name} is not defined in the headers read", source)
    flags = []
    for flag in FLAG_NAMES:
        names = FLAGS[flag].helpers
        where = {n: helper_location(scan, n) for n in names}
        behaviour.helpers.update({n: w for n, w in where.items() if w})
        if all(where.values()):
            flags.append(
                {"name": flag, "set_fn": names[0], "test_fn": names[1], "clear_fn": names[2]}
            )
    roots = list(ENTRY_MACROS) + [
        f[key] for f in flags for key in ("set_fn", "test_fn", "clear_fn")
    ]
    items = closure(scan, roots, PROVIDED | set(predefined))
    _refuse_exploding_macros(scan, items)
    program = render(
        "tree_probe.c.j2",
        arch=arch,
        source=source,
        pteval="unsigned int" if pte_bits == 32 else "unsigned long long",
        predefined=sorted(predefined.items()),
        items=[{"where": i.where, "code": _code(i)} for i in items],
        flags=flags,
    )
    output = _compile_and_run(program, arch, source, compiler)
    _infer(behaviour, output, arch)
    return behaviour


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


def _compile_and_run(program: str, arch: str, source: str, compiler: str | None) -> str:
    cc = compiler or shutil.which("gcc") or shutil.which("cc")
    if not cc:
        raise Unevaluable("no C compiler (gcc) to run the tree's macros", source)
    with tempfile.TemporaryDirectory(prefix="swapgen-probe-") as tmp:
        c_file = Path(tmp) / f"probe-{arch}.c"
        binary = Path(tmp) / f"probe-{arch}"
        c_file.write_text(program)
        build = _run(
            [cc, "-std=gnu11", "-w", "-Werror=implicit-function-declaration", "-O0",
             str(c_file), "-o", str(binary)],
            COMPILE_SECONDS, f"{arch}: compiling the tree's swap-PTE code", source,
        )  # fmt: skip
        if build.returncode != 0:
            first = next((line for line in build.stderr.splitlines() if "error" in line), "")
            raise Unevaluable(
                f"{arch}: the tree's swap-PTE code does not compile outside the kernel: "
                f"{first.split('error:', 1)[-1].strip()} (is a definition outside the headers "
                "the spec lists?)",
                source,
            )
        run = _run([str(binary)], RUN_SECONDS, f"{arch}: the probe program", source)
        if run.returncode != 0:
            raise Unevaluable(f"{arch}: the probe program failed ({run.returncode})", source)
        return run.stdout


def _run(command: list[str], seconds: int, what: str, source: str):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise Unevaluable(f"{what} did not finish in {seconds} s", source) from None


def _infer(behaviour: ArchBehaviour, output: str, arch: str) -> None:
    encodes: dict[tuple[int, int], tuple[int, int, int]] = {}
    flag_lines = []
    for line in output.splitlines():
        parts = line.split()
        if parts[0] == "E":
            t, o, value, t2, o2 = parts[1:]
            encodes[(int(t), int(o, 16))] = (int(value, 16), int(t2), int(o2, 16))
        elif parts[0] == "F":
            flag_lines.append(parts[1:])
    base = encodes[(0, 0)][0]
    type_positions = []
    for i in range(8):
        type_value = layout.bit_value(i)
        value, t2, o2 = encodes[(type_value, 0)]
        bit = layout.single_bit(value ^ base)
        if t2 == type_value and o2 == 0 and bit is not None:
            type_positions.append(bit)
    offset_positions = []
    offset_inverted = []
    for (t, o), (value, t2, o2) in encodes.items():
        if t != 0 or o == 0 or layout.single_bit(o) is None or (t, o) == (5, 0x99):
            continue
        bit = layout.single_bit(value ^ base)
        if o2 == o and t2 == 0 and bit is not None:
            offset_positions.append(bit)
            offset_inverted.append(bool(base & layout.bit_value(bit)))
    behaviour.type_lsb, behaviour.type_width = _field(type_positions, "type", arch, behaviour)
    behaviour.offset_lsb, behaviour.offset_width = _field(
        offset_positions, "offset", arch, behaviour
    )
    behaviour.inverted = bool(offset_inverted) and all(offset_inverted)
    offset_mask = (
        layout.bit_mask(behaviour.offset_lsb, behaviour.offset_lsb + behaviour.offset_width - 1)
        if behaviour.offset_lsb is not None
        else 0
    )
    behaviour.always_set = base & ~offset_mask if behaviour.inverted else base
    sample = 0  # the flag helpers run on an empty PTE, so only their own bit can show
    for name, set_value, set_test, clear_value, clear_test in flag_lines:
        bit = layout.single_bit(int(set_value, 16) ^ sample)
        if bit is None or set_test != "1" or int(clear_value, 16) != sample or clear_test != "0":
            behaviour.problems.append(
                f"{arch}: the {name} helpers do not set, test and clear one bit consistently"
            )
            continue
        behaviour.flags[name] = bit


def _field(positions: list[int], what: str, arch: str, behaviour: ArchBehaviour):
    if not positions:
        behaviour.problems.append(f"{arch}: no {what} bit survives __swp_entry and back")
        return None, 0
    lsb = positions[0]
    if positions != list(range(lsb, lsb + len(positions))):
        behaviour.problems.append(f"{arch}: the {what} bits are not contiguous: {positions}")
    return lsb, len(positions)
