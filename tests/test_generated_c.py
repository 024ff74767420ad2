"""The generated headers compile for every arch and target, and the C agrees with layout.py.

gcc on the host compiles and runs tests/c/harness.c against each arch header; every line it
prints is recomputed with codegen/layout.py. clang-19 compiles tests/c/compile_check.c for each
arch's own target triple, or the arch's cross gcc where clang has no such target (alpha, arc).
The arches with a cross gcc and a qemu-user (arm64, riscv64, ppc64le, big-endian s390x, 32-bit
arm, alpha) also run the harness for real.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from codegen import commands, layout
from codegen.kernel.arches import ARCHES
from codegen.resolve import known_symbols
from codegen.spec.load import load_spec
from codegen.spec.model import Spec
from tests.conftest import REPO, VERSIONS, require_tool, spec_path

C_DIR = REPO / "tests" / "c"
FLAG_BITS = {"soft_dirty": 1, "uffd_wp": 2, "exclusive": 4}
WARNINGS = ["-Wall", "-Wextra", "-Werror"]
SPECS = {v: load_spec(spec_path(v)) for v in VERSIONS}
CASES = [(v, a) for v, spec in SPECS.items() for a in spec.arches]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    import io

    code = commands.generate([], str(out), False, io.StringIO(), io.StringIO())
    assert code == 0
    return out


def _flags_mask(flags) -> int:
    mask = 0
    for name in flags:
        mask |= FLAG_BITS[name]
    return mask


def compile_flags(spec: Spec, arch_name: str, out: Path, configs_on: bool) -> list[str]:
    arch = spec.arch(arch_name)
    kdir = ARCHES[arch_name].kernel_dir
    flags = [
        f"-DSWAPGEN_PTE_BITS={arch.pte_bits}",
        f"-DSWAPGEN_ENTRY_FROM_PTE={spec.naming.entry_from_pte}",
        f"-I{C_DIR}",
        f"-I{out / spec.name / 'include'}",
        f"-I{out / spec.name / 'arch' / kdir / 'include'}",
        f"-I{out / spec.name / 'swapgen' / 'include'}",
        f"-I{out / spec.name / 'swapgen' / 'arch' / kdir}",
    ]
    flags += [f"-D{option}" for option in ARCHES[arch_name].choice]  # the variant's Kconfig
    if spec.naming.api == "softleaf":
        flags.append("-DSWAPGEN_SOFTLEAF")
    if configs_on:
        flags += [f"-D{symbol}" for symbol in known_symbols(spec)]
    return flags


def probe_values(arch) -> list[int]:
    """Raw values to ask the C about: empty, good, each fixed bit wrong, too wide."""
    good = layout.encode(arch, 3, 5)
    values = [arch.none_value, good, 0, layout.pte_mask(arch)]
    values += [good | (1 << r.lo) for r in arch.zero_bits]
    values += [good & ~(1 << r.lo) for r in arch.one_bits]
    return values


def check_harness_output(spec: Spec, arch_name: str, output: str, config: dict):
    arch = spec.arch(arch_name)
    lines = output.splitlines()
    tuples = [line.split() for line in lines if line.startswith("T ")]
    assert len(tuples) > 3000
    mismatches = []
    for _, t, o, f, value, swap, t2, o2, f2 in tuples:
        type_, offset, mask = int(t), int(o, 16), int(f)
        flags = [name for name, bit in FLAG_BITS.items() if mask & bit]
        expected = layout.encode(arch, type_, offset, [n for n in arch.flags if n in flags])
        try:
            decoded = layout.decode(arch, expected)
        except layout.NotSwapPte:
            decoded = None
        got = (int(value, 16), int(swap), int(t2), int(o2, 16), int(f2))
        if decoded is None:
            want = (expected, 0)
            if got[:2] != want:
                mismatches.append(f"{t} {o} {f}: C {got[:2]} python {want}")
            continue
        want = (expected, 1, decoded.type, decoded.offset, _flags_mask(decoded.flags))
        if got != want:
            mismatches.append(f"{t} {o} {f}: C {got} python {want}")
    assert not mismatches, "\n".join(mismatches[:20])
    names = {line.split()[1]: int(line.split()[2]) for line in lines if line.startswith("N ")}
    assert names == layout.type_numbers(spec, config)
    (max_line,) = [line for line in lines if line.startswith("M ")]
    assert int(max_line.split()[1]) == layout.max_swapfiles(spec, config)
    for line in (line for line in lines if line.startswith("V ")):
        _, raw, swap = line.split()
        try:
            layout.decode(arch, int(raw, 16))
            expected_swap = 1
        except layout.NotSwapPte:
            expected_swap = 0
        assert int(swap) == expected_swap, f"{arch_name} {raw}"


def _run(command: list[str], stdin: str = "") -> str:
    proc = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(command)}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize(("version", "arch_name"), CASES)
def test_host_gcc_harness_agrees_with_the_model(version, arch_name, out_dir, tmp_path):
    gcc = require_tool("gcc")
    spec = SPECS[version]
    binary = tmp_path / "harness"
    _run(
        [
            gcc,
            "-std=gnu11",
            "-O1",
            *WARNINGS,
            *compile_flags(spec, arch_name, out_dir, True),
            str(C_DIR / "harness.c"),
            "-o",
            str(binary),
        ]
    )
    stdin = "\n".join(f"{v:#x}" for v in probe_values(spec.arch(arch_name))) + "\n"
    output = _run([str(binary)], stdin)
    all_on = dict.fromkeys(known_symbols(spec), True)
    check_harness_output(spec, arch_name, output, all_on)


@pytest.mark.parametrize("version", VERSIONS)
def test_types_with_every_gate_off(version, out_dir, tmp_path):
    gcc = require_tool("gcc")
    spec = SPECS[version]
    binary = tmp_path / "harness"
    _run(
        [
            gcc,
            "-std=gnu11",
            *WARNINGS,
            *compile_flags(spec, "x86_64", out_dir, False),
            str(C_DIR / "harness.c"),
            "-o",
            str(binary),
        ]
    )
    output = _run([str(binary)])
    all_off = dict.fromkeys(known_symbols(spec), False)
    names = {
        line.split()[1]: int(line.split()[2])
        for line in output.splitlines()
        if line.startswith("N ")
    }
    assert names == layout.type_numbers(spec, all_off)
    assert f"M {layout.max_swapfiles(spec, all_off)}" in output.splitlines()


def _compilers(arch_name: str) -> list[str]:
    """Each compiler that builds for the arch, its Debian cross gcc only where Debian has one
    (none for LoongArch in Debian 12)."""
    info = ARCHES[arch_name]
    return [
        command
        for command in info.compilers
        if not command.endswith("-gcc") or shutil.which(command) or not info.clang_target
    ]


COMPILES = [(v, a, c) for v, a in CASES for c in _compilers(a)]


def _compile_id(case: tuple[str, str, str]) -> str:
    version, arch_name, compiler = case
    why = ARCHES[arch_name].no_qemu
    return f"{version}-{arch_name}-{compiler.split()[0]}" + (
        f"-compile-only ({why})" if why else ""
    )


@pytest.mark.parametrize("configs_on", [True, False], ids=["configs-on", "configs-off"])
@pytest.mark.parametrize(
    ("version", "arch_name", "compiler"), COMPILES, ids=map(_compile_id, COMPILES)
)
def test_the_arch_target_compiles_the_header(
    version, arch_name, compiler, configs_on, out_dir, tmp_path
):
    """With -Wall -Wextra -Werror, by each of its compilers; an arch whose binaries cannot
    run here says why in the test's name, and is checked by this alone."""
    name, *target = compiler.split()
    compiler = [require_tool(name), *target]
    spec = SPECS[version]
    _run(
        [
            *compiler,
            "-std=gnu11",
            "-ffreestanding",
            "-nostdinc",
            *WARNINGS,
            *compile_flags(spec, arch_name, out_dir, configs_on),
            "-c",
            str(C_DIR / "compile_check.c"),
            "-o",
            str(tmp_path / "check.o"),
        ]
    )


EMULATED = [(v, a) for v, a in CASES if ARCHES[a].qemu]


@pytest.mark.parametrize(("version", "arch_name"), EMULATED)
def test_the_harness_runs_on_the_arch_under_qemu(version, arch_name, out_dir, tmp_path):
    info = ARCHES[arch_name]
    cross = require_tool(info.gcc[0])
    qemu = require_tool(info.qemu or "")
    spec = SPECS[version]
    binary = tmp_path / f"harness-{arch_name}"
    _run(
        [
            cross,
            "-std=gnu11",
            "-O1",
            *WARNINGS,
            *compile_flags(spec, arch_name, out_dir, True),
            str(C_DIR / "harness.c"),
            "-o",
            str(binary),
        ]
    )
    stdin = "\n".join(f"{v:#x}" for v in probe_values(spec.arch(arch_name))) + "\n"
    output = _run([qemu, "-L", info.sysroot, str(binary)], stdin)
    all_on = dict.fromkeys(known_symbols(spec), True)
    check_harness_output(spec, arch_name, output, all_on)
    # the largest offset that survives is the arch's field (on arm's 32-bit long the generic
    # entry keeps 26 offset bits, the arm field 24 or 25), or the generic entry's where less
    widest = min(
        layout.value_mask(spec.arch(arch_name).offset.width),
        layout.value_mask(layout.generic_type_shift(spec, info.word_bits)),
    )
    assert (
        max(int(line.split()[2], 16) for line in output.splitlines() if line.startswith("T "))
        == widest
    )
