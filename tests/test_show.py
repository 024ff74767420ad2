"""`swapgen show`: what it says of each release is what that release's kernel says: the
Debian trees of 6.1 and 6.12, read by swapgen's own tree reader, and for 6.19 (no tree
here) the documented facts."""

from __future__ import annotations

import json
import re

import pytest

from codegen.kernel.arches import ARCHES
from codegen.resources import resolve_spec
from codegen.spec.load import load_spec
from codegen.tree.facts import TreeFacts, TreeSource, read_tree
from tests.conftest import run_main
from tests.kernel_trees import kernel_tree


def show_json(*args: str) -> dict:
    result = run_main("show", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_default_spec_is_the_newest():
    view = show_json()
    assert view["kernel"] == "6.19"
    assert view["spec"] == "linux-6.19"


# --- 6.1 and 6.12: what the Debian kernel trees say -----------------------------------------


@pytest.fixture(scope="module", params=["6.1", "6.12"])
def tree(request) -> tuple[str, TreeFacts]:
    """A release and the facts swapgen's tree reader finds in Debian's source of it."""
    version = request.param
    spec = load_spec(resolve_spec(version))
    return version, read_tree(TreeSource(kernel_tree(version)), spec, list(spec.arches))


def test_per_arch_fields_and_flags_are_the_trees(tree):
    """Type and offset fields and flag bits are what the tree's __swp_* macros and pte_swp_*
    helpers do."""
    version, facts = tree
    view = show_json("--spec", version)
    assert set(view["arches"]) == set(facts.arches)
    for arch, arch_facts in facts.arches.items():
        done = arch_facts.behaviour
        assert done is not None and not done.problems, (arch, arch_facts.problems)
        shown = view["arches"][arch]
        if (version, arch) == ("6.1", "nios2"):  # kernel_trees.NIOS2_TWO_TYPE_BITS
            assert (done.type_lsb, done.type_width, shown["type"]["width"]) == (26, 2, 5)
        else:
            assert (shown["type"]["lsb"], shown["type"]["width"]) == (
                done.type_lsb,
                done.type_width,
            ), arch
        assert (shown["offset"]["lsb"], shown["offset"]["width"], shown["offset"]["inverted"]) == (
            done.offset_lsb,
            done.offset_width,
            done.inverted,
        ), arch
        assert shown["flags"] == {flag: done.flags.get(flag) for flag in shown["flags"]}, arch
        assert set(shown["flags"]) == {"soft_dirty", "uffd_wp", "exclusive"}


def test_max_swapfiles_and_type_numbers_are_the_trees_for_every_gate_setting(tree):
    """MAX_SWAPFILES and the special type numbers as the tree's swap.h gives them, with every
    gate on, each gate off alone and all of them off."""
    version, facts = tree
    assert frozenset() in facts.generic.numbers
    for off, (max_swapfiles, types) in facts.generic.numbers.items():
        config = [arg for gate in sorted(off) for arg in ("--config", f"{gate}=n")]
        view = show_json("--spec", version, *config)
        assert (view["max_swapfiles"], view["types"]) == (max_swapfiles, types), sorted(off)


def test_markers_and_mask_are_the_trees(tree):
    version, facts = tree
    view = show_json("--spec", version)
    assert facts.generic.markers and facts.generic.marker_mask is not None
    assert view["markers"] == {name: bit.value for name, bit in facts.generic.markers.items()}
    assert view["marker_mask"] == facts.generic.marker_mask.value


def test_every_helper_the_spec_names_is_defined_in_the_trees_header(tree):
    """The release's naming (is_pte_marker_entry, pte_to_swp_entry, ...) is that of its tree:
    each helper is a function or macro of the predicates header."""
    version, facts = tree
    naming = show_json("--spec", version)["naming"]
    text = facts.source.read(naming["predicates_header"])
    assert text is not None
    helpers = {
        role: name
        for role, name in naming.items()
        if role not in ("api", "predicates_header", "exclusive_helpers_mandatory")
    }
    assert "is_marker_entry" in helpers and "entry_from_pte" in helpers
    undefined = [name for name in helpers.values() if not defines(text, name)]
    assert undefined == [], naming["predicates_header"]


def defines(text: str, name: str) -> bool:
    """Whether C text defines ``name`` as a static inline function or function-like macro."""
    pattern = (
        rf"^(?:static\s+(?:__always_inline|inline)\b[^(;{{]*?\b|#\s*define\s+)"
        rf"{re.escape(name)}\s*\("
    )
    return re.search(pattern, text, re.M) is not None


# --- 6.19: no tree here, so the documented expectation -------------------------------------

# There is no Debian linux-source-6.19 on these machines: these rows are an expectation
# copied from /work/shared/docs/kernel-swap-facts.md (the per-architecture table and §1.2;
# riscv's soft-dirty 3 and uffd-wp 4 are the Svrsw60t59b series, unverified there). They
# check the YAML against that document, not against a kernel.
# (type lsb, width), (offset lsb, width, inverted), (soft_dirty, uffd_wp, exclusive)
FACTS_6_19 = {
    "x86_64": ((59, 5), (9, 50, True), (1, 2, 3)),
    "x86_pae": ((59, 5), (9, 27, True), (None, None, 7)),
    "x86_32": ((1, 5), (9, 23, False), (None, None, 7)),
    "arm64": ((6, 5), (12, 50, False), (None, 3, 2)),
    "riscv64": ((7, 5), (12, 52, False), (3, 4, 6)),
    "powerpc64": ((0, 5), (16, 37, False), (9, None, 5)),
    "powerpc32": ((3, 5), (8, 24, False), (None, None, 2)),
    "powerpc_nohash64": ((2, 5), (24, 40, False), (None, None, 7)),
    "powerpc_nohash32": ((3, 5), (8, 24, False), (None, None, 2)),
    "s390": ((2, 5), (12, 52, False), (1, None, 11)),
    "loongarch64": ((16, 7), (24, 40, False), (None, None, 23)),
    "loongarch32": ((8, 5), (14, 18, False), (None, None, 13)),  # the LA32 series, v3
    "arm": ((2, 5), (8, 24, False), (None, None, 7)),
    "alpha": ((32, 7), (40, 24, False), (None, None, 39)),
    "arc": ((0, 5), (13, 19, False), (None, None, 5)),
    "arc_pae40": ((0, 5), (13, 19, False), (None, None, 5)),
    "arm_lpae": ((2, 5), (8, 24, False), (None, None, 7)),
    "m68k_motorola": ((4, 7), (12, 20, False), (None, None, 11)),
    "m68k_coldfire": ((0, 7), (11, 21, False), (None, None, 7)),
    "m68k_sun3": ((0, 6), (7, 24, False), (None, None, 6)),
    "sparc64": ((13, 7), (21, 43, False), (None, None, 20)),
    "parisc": ((0, 5), (5, 25, False), (None, None, 8)),
    "sh": ((1, 5), (11, 21, False), (None, None, 6)),
    "mips32": ((8, 5), (13, 19, False), (None, None, 1)),
    "mips64": ((16, 7), (24, 40, False), (None, None, 23)),
    "microblaze": ((2, 5), (8, 24, False), (None, None, 7)),
    "nios2": ((26, 5), (0, 20, False), (None, None, 31)),
    "openrisc": ((5, 6), (12, 20, False), (None, None, 11)),
    "um": ((5, 5), (11, 53, False), (None, None, 10)),
    "xtensa": ((6, 5), (11, 21, False), (None, None, 1)),
    "hexagon": ((1, 5), (7, 22, False), (None, None, 6)),
    "csky_abiv2": ((2, 5), (8, 22, False), (None, None, 7)),
    "csky_abiv1": ((2, 5), (10, 22, False), (None, None, 9)),
    "riscv32": ((7, 5), (12, 20, False), (None, None, 6)),
    "sparc32": ((7, 5), (12, 20, False), (None, None, 6)),
    "um_i386": ((5, 5), (11, 21, False), (None, None, 10)),
    "parisc64": ((0, 5), (5, 57, False), (None, None, 8)),
    "mips_r3k": ((10, 5), (15, 17, False), (None, None, 7)),
    "mips32_phys64": ((34, 5), (39, 25, False), (None, None, 7)),
    "mips_xpa": ((36, 5), (41, 23, False), (None, None, 25)),
    "sh_x2tlb": ((32, 5), (37, 27, False), (None, None, 6)),
}


def test_6_19_fields_and_flags_are_the_documented_ones():
    view = show_json("--spec", "6.19")
    assert set(view["arches"]) == set(FACTS_6_19)
    for arch, (type_, offset, flags) in FACTS_6_19.items():
        shown = view["arches"][arch]
        assert (shown["type"]["lsb"], shown["type"]["width"]) == type_, arch
        assert (shown["offset"]["lsb"], shown["offset"]["width"], shown["offset"]["inverted"]) == (
            offset
        ), arch
        assert (
            shown["flags"]["soft_dirty"],
            shown["flags"]["uffd_wp"],
            shown["flags"]["exclusive"],
        ) == flags, arch
        assert shown["pte_bits"] == (32 if ARCHES[arch].pte_bits == 32 else 64)
        assert shown["word_bits"] == ARCHES[arch].word_bits


def test_6_19_types_and_markers_are_the_documented_ones():
    view = show_json("--spec", "6.19")
    assert view["max_swapfiles"] == 24
    assert view["counts"]["SWP_DEVICE_NUM"] == 3
    assert view["types"] == {
        "SWP_HWPOISON": 24,
        "SWP_MIGRATION_READ": 25,
        "SWP_MIGRATION_READ_EXCLUSIVE": 26,
        "SWP_MIGRATION_WRITE": 27,
        "SWP_DEVICE_WRITE": 28,
        "SWP_DEVICE_READ": 29,
        "SWP_DEVICE_EXCLUSIVE": 30,
        "SWP_PTE_MARKER": 31,
    }
    assert view["markers"] == {
        "PTE_MARKER_UFFD_WP": 0,
        "PTE_MARKER_POISONED": 1,
        "PTE_MARKER_GUARD": 2,
    }
    assert view["marker_mask"] == 0x7


def test_6_19_uses_the_softleaf_api():
    """kernel-swap-facts.md, "Classification API": softleaf_* in leafops.h from 6.19."""
    naming = show_json("--spec", "6.19")["naming"]
    assert (naming["api"], naming["predicates_header"], naming["is_marker_entry"]) == (
        "softleaf",
        "include/linux/leafops.h",
        "softleaf_is_marker",
    )


def test_config_gates_change_the_numbers():
    view = show_json(
        "--spec", "6.12", "--config", "CONFIG_DEVICE_PRIVATE=n", "--config", "MIGRATION=n"
    )
    assert view["max_swapfiles"] == 30
    assert view["types"] == {"SWP_HWPOISON": 30, "SWP_PTE_MARKER": 31}
    assert view["config"] == {"CONFIG_DEVICE_PRIVATE": False, "CONFIG_MIGRATION": False}


def test_a_flag_condition_turned_off_shows_the_flag_as_null():
    view = show_json("--arch", "x86_64", "--config", "CONFIG_MEM_SOFT_DIRTY=n")
    assert view["arches"]["x86_64"]["flags"] == {"soft_dirty": None, "uffd_wp": 2, "exclusive": 3}


@pytest.mark.parametrize(
    ("alias", "arch"),
    [
        ("amd64", "x86_64"),
        ("AArch64", "arm64"),
        ("ppc64le", "powerpc64"),
        ("s390x", "s390"),
        ("rv32", "riscv32"),
        ("armhf", "arm"),
        ("la32", "loongarch32"),
    ],
)
def test_arch_aliases(alias, arch):
    assert list(show_json("--arch", alias)["arches"]) == [arch]


def test_an_arch_directory_shows_the_variants_its_release_has():
    assert list(show_json("--arch", "loongarch")["arches"]) == ["loongarch64", "loongarch32"]
    assert list(show_json("--arch", "loongarch", "--spec", "6.12")["arches"]) == ["loongarch64"]


def test_arch_filter():
    view = show_json("--arch", "s390", "--arch", "arm")
    assert list(view["arches"]) == ["s390", "arm"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "ia64"], "unknown arch ia64 in linux-6.19 (it has: x86_64, x86_pae, x86_32, arm64"),
        (
            ["--arch", "x86_46"],
            "unknown arch x86_46 in linux-6.19 (did you mean x86_64? it has: x86_64,",
        ),
        (
            ["--config", "CONFIG_FOO=n"],
            "linux-6.19 has no option CONFIG_FOO (it knows: CONFIG_MEMORY_FAILURE",
        ),
        (["--config", "CONFIG_MIGRATION"], "expected CONFIG_NAME=y or CONFIG_NAME=n"),
        (["--config", "CONFIG_MIGRATION=m"], "expected CONFIG_NAME=y or CONFIG_NAME=n"),
        (
            ["--spec", "6.7"],
            "6.7: no such spec file, and not a bundled spec (bundled: linux-5.14, linux-5.19, "
            "linux-6.1, linux-6.2, linux-6.6, linux-6.12, linux-6.13, linux-6.19)",
        ),
        (["--config", "CONFIG_PTE_MARKER=n"], "has no option CONFIG_PTE_MARKER"),
    ],
)
def test_show_usage_errors(args, message):
    result = run_main("show", *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_text_output_has_the_tables_and_diagrams():
    result = run_main("show", "--spec", "6.12", "--arch", "arm64")
    assert result.code == 0
    out = result.out
    assert "MAX_SWAPFILES 23 (swap devices 0..22)" in out
    assert "29    SWP_DEVICE_EXCLUSIVE_WRITE" in out
    assert "PTE_MARKER_MASK = 0x3" in out
    # arm64 6.12: offset 12-61, bit 11 must be 0, type 6-10, bits 4-5 unused, UW 3, E 2, 0-1 zero
    assert "      ..OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOO0TTTTT..UE00" in out
    assert "HAVE_ARCH_USERFAULTFD_WP if USERFAULTFD (in ARM64)" in out


def test_unverified_facts_are_shown():
    result = run_main("show", "--arch", "riscv64")
    assert (
        "unverified: soft-dirty (bit 3) and uffd-wp (bit 4) come from the Svrsw60t59b series"
        in result.out
    )
