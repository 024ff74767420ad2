"""Every constant the specs name, read from both Debian trees, evaluated two ways: by the
reader's C arithmetic and by the arch's own compiler (folded, never run). They must agree,
value and signedness, on every arch (32-bit arm included)."""

from __future__ import annotations

import pytest

from codegen.csrc import cint
from codegen.csrc.preprocess import Evaluator, Unevaluable, closure, scan_headers
from codegen.csrc.probe import Probe, Snippet, find_compiler, fold
from codegen.kernel.arches import arch_info, predefined_macros
from codegen.resources import resolve_spec
from codegen.spec.load import load_spec
from codegen.tree.behaviour import PROVIDED, _code, _shim
from codegen.tree.reading import arch_model, scan_config
from tests.conftest import require_tool
from tests.kernel_trees import kernel_tree

CASES = [(v, a) for v in ("6.1", "6.12") for a in load_spec(resolve_spec(v)).arches]


def named_constants(spec, arch) -> list[str]:
    """The macros the spec names for the arch: fields, flags and their aliases, fixed bits."""
    names = [m for f in (arch.type, arch.offset) for m in f.macros.values()]
    for flag in arch.flags.values():
        names += [flag.macro] + ([flag.alias] if flag.alias else [])
    names += [r.name for r in (*arch.zero_bits, *arch.one_bits)]
    return list(dict.fromkeys(names))


@pytest.mark.parametrize(("version", "arch_name"), CASES)
def test_the_reader_and_the_compiler_agree_on_every_named_constant(version, arch_name):
    spec = load_spec(resolve_spec(version))
    arch = spec.arch(arch_name)
    info = arch_info(arch_name)
    compiler = find_compiler(info.gcc, info.clang_target, info.compile_flags)
    if compiler is None:
        require_tool("clang-19")
    tree = kernel_tree(version)
    config = scan_config(arch)
    predefined = predefined_macros(arch.name, config)
    files = [(h, (tree / h).read_text()) for h in arch.headers if (tree / h).is_file()]
    scan = scan_headers(files, config, arch_model(arch), predefined)
    evaluator = Evaluator(scan, config, arch_model(arch))
    ours: dict[str, cint.CValue] = {}
    for name in named_constants(spec, arch):
        macro = scan.macros.get(name)
        if macro is None or macro.params is not None:
            continue
        try:
            ours[name] = evaluator.cvalue(name, macro.where)
        except Unevaluable:
            continue  # e.g. riscv's run-time extension test: the compiler cannot fold it either
    named = [n for n in named_constants(spec, arch) if n in scan.macros]
    assert ours or not named, f"none of {arch_name}'s named constants evaluated: {named}"
    agree_with_compiler(scan, ours, arch_name, arch.pte_bits, predefined)


def agree_with_compiler(scan, ours, arch_name, pte_bits, predefined) -> None:
    """Fold each constant with the arch's compiler; value and signedness must be ours."""
    info = arch_info(arch_name)
    compiler = find_compiler(info.gcc, info.clang_target, info.compile_flags)
    assert compiler is not None
    snippets: dict[str, Snippet] = {}
    probes = []
    for name in ours:
        items = closure(scan, [name], PROVIDED | set(predefined))
        for item in items:
            snippets.setdefault(item.name, Snippet(item.name, _code(item), item.where))
        needs = tuple(item.name for item in items)
        probes.append(Probe(name, f"({name})", needs, name))
        probes.append(Probe(f"signed {name}", f"((__typeof__({name}))-1 < 0)", needs, name))
    shim = _shim(arch_name, pte_bits, predefined)
    folded = fold(shim, list(snippets.values()), probes, compiler)
    assert folded.failed == {}
    for name, value in ours.items():
        assert folded.values[name] == cint.convert(value, cint.ULLONG).value, name
        assert folded.values[f"signed {name}"] == int(value.type.signed), name


@pytest.mark.parametrize("version", ["6.1", "6.12"])
def test_the_reader_and_the_compiler_agree_on_the_generic_constants(version):
    """MAX_SWAPFILES, every count, special type and PTE marker of swap.h and swapops.h, with
    every gate on, on x86-64 and on 32-bit arm."""
    spec = load_spec(resolve_spec(version))
    assert spec.markers is not None
    tree = kernel_tree(version)
    paths = [spec.generic_files["swap_h"], spec.generic_files["swapops_h"]]
    files = [(p, (tree / p).read_text()) for p in paths]
    config = {g: True for g in spec.gates} | {"CONFIG_MIGRATION": True, "CONFIG_MMU": True}
    for arch_name in ("x86_64", "arm"):
        arch = spec.arch(arch_name)
        scan = scan_headers(files, config, arch_model(arch))
        evaluator = Evaluator(scan, config, arch_model(arch))
        names = ["MAX_SWAPFILES", "MAX_SWAPFILES_SHIFT", spec.markers.mask_macro]
        names += [g.count_macro for g in spec.groups] + [t for g in spec.groups for t in g.types]
        names += [m.name for m in spec.marker_list]
        ours = {n: evaluator.cvalue(n, scan.macros[n].where) for n in names}
        agree_with_compiler(scan, ours, arch_name, arch.pte_bits, {})
