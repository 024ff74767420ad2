"""swapgen sync and import against Debian's real linux-source-6.1 and linux-source-6.12 trees."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from codegen.csrc.kconfig import canonical_condition
from codegen.kernel.arches import ARCHES, FAMILIES
from codegen.resources import resolve_spec
from codegen.spec.load import load_spec
from tests.conftest import git, run_main
from tests.kernel_trees import (
    copy_fixed_tree,
    copy_tree,
    kernel_tree,
    known_bugs,
    known_findings,
)


def sync_json(*args: str) -> tuple[int, dict]:
    result = run_main("sync", "--format", "json", *args)
    assert "Traceback" not in result.err
    return result.code, json.loads(result.out)


def brief(findings: list[dict]) -> list[tuple]:
    return sorted((f["rule"], f["arch"], f["file"], f["message"]) for f in findings)


ALL_VARIANTS = [
    "x86_64", "x86_pae", "x86_32", "arm64", "riscv64", "powerpc64", "powerpc32",
    "powerpc_nohash64", "powerpc_nohash32", "s390", "loongarch64", "arm", "arm_lpae", "alpha",
    "arc", "arc_pae40", "m68k_motorola", "m68k_coldfire", "m68k_sun3", "sparc64", "parisc", "sh", "mips32",
    "mips64", "microblaze", "nios2", "openrisc", "um", "xtensa", "hexagon", "csky_abiv2",
    "csky_abiv1", "riscv32", "sparc32", "um_i386", "parisc64", "mips_r3k", "mips32_phys64",
    "mips_xpa", "sh_x2tlb",
]  # fmt: skip
STAND_INS = ["microblaze", "nios2", "openrisc", "xtensa", "csky_abiv2", "csky_abiv1"]


def test_6_1_tree_matches_the_6_1_spec(tmp_path):
    code, report = sync_json("--tree", str(kernel_tree("6.1")), "--spec", "6.1")
    assert code == 1
    assert report["arches"] == ALL_VARIANTS
    # riscv's layout comment says the offset starts at bit 10, while __SWP_OFFSET_SHIFT
    # (__SWP_TYPE_BITS + __SWP_TYPE_SHIFT) makes it 11; nios2 keeps 2 type bits (a kernel
    # bug, fixed in v6.3)
    assert brief(report["findings"]) == [
        (
            "SWP521",
            "nios2",
            "arch/nios2/include/asm/pgtable.h",
            "nios2 type field: tree bits 26-27, spec bits 26-30",
        ),
        (
            "SWP541",
            "riscv32",
            "arch/riscv/include/asm/pgtable.h",
            "riscv32: the layout comment puts the offset at bits 10-31, the code at bits 11-31",
        ),
        (
            "SWP541",
            "riscv64",
            "arch/riscv/include/asm/pgtable.h",
            "riscv64: the layout comment puts the offset at bits 10-63, the code at bits 11-63",
        ),
    ]
    assert_stand_ins_said(report)
    found = {(f["rule"], f["file"], f["line"]) for f in report["findings"]}
    assert set(known_findings("6.1")) <= found
    for riscv in (f for f in report["findings"] if f["rule"] == "SWP541"):
        assert riscv["severity"] == "warning" and riscv["line"] == 736  # "bits 10 to XLEN-1"
    fixed = copy_fixed_tree("6.1", tmp_path / "linux")
    code, report = sync_json("--tree", str(fixed), "--spec", "6.1")
    assert code == 0
    assert [f["rule"] for f in report["findings"]] == ["SWP541", "SWP541"]  # riscv64, riscv32


def assert_stand_ins_said(report: dict) -> None:
    """The arches nothing here compiles for are named with the compiler that stood in."""
    said = report["stand_in_compilers"]
    assert list(said) == STAND_INS
    for arch in STAND_INS:
        assert said[arch].endswith(ARCHES[arch].stand_in), arch
        assert said[arch].split(":")[0] in ARCHES[arch].compiler_names(), arch


def test_6_12_tree_matches_the_6_12_spec(tmp_path):
    code, report = sync_json("--tree", str(kernel_tree("6.12")), "--spec", "6.12")
    # Debian's 6.12 has fixed the riscv comment ("bits 12 to XLEN-1"); what is left is
    # 32-bit x86's comment, which draws the type a bit too wide, and a kernel bug: alpha's
    # int pte_swp_exclusive() cannot hold bit 39
    assert code == 1
    assert_stand_ins_said(report)
    found = [(f["rule"], f["file"], f["line"]) for f in report["findings"]]
    assert found == known_findings("6.12")
    assert report["findings"][0]["message"] == (
        "x86_32: the layout comment puts the type at bits 1-6, the code at bits 1-5"
    )
    assert report["findings"][1]["message"] == (
        "alpha exclusive: pte_swp_exclusive() is false for a PTE that pte_swp_mkexclusive() "
        "gave bit 39; the flag is lost (does its return type hold the bit?)"
    )
    fixed = copy_fixed_tree("6.12", tmp_path / "linux")
    code, report = sync_json("--tree", str(fixed), "--spec", "6.12")
    assert (code, report["findings"]) == (0, [])


def test_6_12_tree_against_the_6_19_spec_shows_exactly_the_release_differences():
    code, report = sync_json("--tree", str(kernel_tree("6.12")), "--spec", "6.19")
    assert code == 1
    got = brief(report["findings"])
    swap_h, swapops = "include/linux/swap.h", "include/linux/swapops.h"
    leafops, riscv = "include/linux/leafops.h", "arch/riscv/include/asm/pgtable.h"
    expected = [
        # SWP_DEVICE_NUM 4 (EXCLUSIVE_WRITE/READ) became 3 (one SWP_DEVICE_EXCLUSIVE) in 6.15
        (
            "SWP501",
            "generic",
            swap_h,
            "SWP_DEVICE_NUM: tree 4, spec 3 (SWP_DEVICE_WRITE, SWP_DEVICE_READ, SWP_DEVICE_EXCLUSIVE)",
        ),
        ("SWP501", "generic", swap_h, "MAX_SWAPFILES with every gate on: tree 23, spec 24"),
        (
            "SWP501",
            "generic",
            swap_h,
            "MAX_SWAPFILES with CONFIG_MEMORY_FAILURE=n: tree 24, spec 25",
        ),
        ("SWP501", "generic", swap_h, "MAX_SWAPFILES with CONFIG_MIGRATION=n: tree 26, spec 27"),
        ("SWP501", "generic", swap_h, "SWP_DEVICE_READ with every gate on: tree 28, spec 29"),
        ("SWP501", "generic", swap_h, "SWP_DEVICE_WRITE with every gate on: tree 27, spec 28"),
        ("SWP501", "generic", swap_h, "SWP_HWPOISON with every gate on: tree 23, spec 24"),
        ("SWP501", "generic", swap_h, "SWP_MIGRATION_READ with every gate on: tree 24, spec 25"),
        (
            "SWP501",
            "generic",
            swap_h,
            "SWP_MIGRATION_READ_EXCLUSIVE with every gate on: tree 25, spec 26",
        ),
        ("SWP501", "generic", swap_h, "SWP_MIGRATION_WRITE with every gate on: tree 26, spec 27"),
        (
            "SWP502",
            "generic",
            swap_h,
            "special swap type SWP_DEVICE_EXCLUSIVE (SWP_DEVICE_NUM) is in the spec, not the tree",
        ),
        (
            "SWP502",
            "generic",
            swap_h,
            "special swap type SWP_DEVICE_EXCLUSIVE_READ is in the tree, not the spec",
        ),
        (
            "SWP502",
            "generic",
            swap_h,
            "special swap type SWP_DEVICE_EXCLUSIVE_WRITE is in the tree, not the spec",
        ),
        # PTE_MARKER_GUARD came in 6.13
        ("SWP511", "generic", swapops, "PTE_MARKER_GUARD (bit 2) is in the spec, not the tree"),
        ("SWP512", "generic", swapops, "PTE_MARKER_MASK: tree 0x3, spec 0x7"),
        # the softleaf API (leafops.h) is 6.19's
        (
            "SWP513",
            "generic",
            leafops,
            "include/linux/leafops.h does not exist in the tree; the spec's softleaf helpers "
            "(softleaf_is_marker, softleaf_to_marker, ...) live there",
        ),
        # not a release difference: 32-bit x86's comment, too wide (see the 6.12 spec test)
        (
            "SWP541",
            "x86_32",
            "arch/x86/include/asm/pgtable-2level.h",
            "x86_32: the layout comment puts the type at bits 1-6, the code at bits 1-5",
        ),
        # riscv soft-dirty and uffd-wp (Svrsw60t59b) are newer than 6.12
        ("SWP523", "riscv64", riscv, "riscv64 soft_dirty swap bit: tree none, spec bit 3"),
        ("SWP523", "riscv64", riscv, "riscv64 uffd_wp swap bit: tree none, spec bit 4"),
        ("SWP527", "riscv64", riscv, "riscv64: _PAGE_SWP_SOFT_DIRTY is not defined in the tree"),
        ("SWP527", "riscv64", riscv, "riscv64: _PAGE_SWP_UFFD_WP is not defined in the tree"),
        (
            "SWP531",
            "riscv64",
            "arch/riscv/Kconfig",
            "riscv64: config RISCV should have 'select HAVE_ARCH_SOFT_DIRTY if 64BIT && MMU && RISCV_ISA_SVRSW60T59B' (spec), the tree has not",
        ),
        (
            "SWP531",
            "riscv64",
            "arch/riscv/Kconfig",
            "riscv64: config RISCV should have 'select HAVE_ARCH_USERFAULTFD_WP if 64BIT && MMU && USERFAULTFD && RISCV_ISA_SVRSW60T59B' (spec), the tree has not",
        ),
        # LoongArch32 support (about 6.19) named the 64-bit fields' shifts and widths
        *[
            (
                "SWP527",
                "loongarch64",
                "arch/loongarch/include/asm/pgtable.h",
                f"loongarch64: {name} is not defined in the tree",
            )
            for name in ("__SWP_OFFSET_SHIFT", "__SWP_TYPE_BITS", "__SWP_TYPE_SHIFT")
        ],
        # not a release difference: the kernel bug that 6.12 has (see the 6.12 spec test)
        (
            "SWP528",
            "alpha",
            "arch/alpha/include/asm/pgtable.h",
            "alpha exclusive: pte_swp_exclusive() is false for a PTE that pte_swp_mkexclusive() "
            "gave bit 39; the flag is lost (does its return type hold the bit?)",
        ),
    ]
    # LoongArch32 got its own layout with the 32-bit port (about v6.19): 6.12's headers,
    # read for a 32-bit kernel, still give the 64-bit one's shifts
    la_h, la_bits = (
        "arch/loongarch/include/asm/pgtable.h",
        "arch/loongarch/include/asm/pgtable-bits.h",
    )
    expected += [
        ("SWP521", "loongarch32", la_h, "loongarch32 type field: tree bits 16-22, spec bits 8-12"),
        ("SWP522", "loongarch32", la_h, "loongarch32 offset field: tree bits 24-31, spec bits 14-31"),
        ("SWP523", "loongarch32", la_bits, "loongarch32 exclusive swap bit: tree bit 23, spec bit 13"),
        ("SWP527", "loongarch32", la_bits, "loongarch32: _PAGE_SWP_EXCLUSIVE is 0x800000 in the tree, 0x2000 in the spec"),
    ] + [
        ("SWP527", "loongarch32", la_h, f"loongarch32: {name} is not defined in the tree")
        for name in ("__SWP_TYPE_SHIFT", "__SWP_TYPE_BITS", "__SWP_OFFSET_SHIFT")
    ]  # fmt: skip
    assert got == sorted(expected)
    assert report["errors"] == 24 and report["warnings"] == 10


def test_one_edited_value_is_caught_at_its_file_and_line(tmp_path):
    tree = copy_tree("6.12", tmp_path / "linux")
    prot = tree / "arch/arm64/include/asm/pgtable-prot.h"
    text = prot.read_text()
    assert "#define PTE_SWP_UFFD_WP		(_AT(pteval_t, 1) << 3)" in text
    prot.write_text(
        text.replace(
            "#define PTE_SWP_UFFD_WP		(_AT(pteval_t, 1) << 3)",
            "#define PTE_SWP_UFFD_WP		(_AT(pteval_t, 1) << 4)",
        )
    )
    line = 1 + next(i for i, text in enumerate(prot.read_text().split("\n")) if "<< 4)" in text)
    code, report = sync_json("--tree", str(tree), "--spec", "6.12", "--arch", "arm64")
    assert code == 1
    assert [
        (f["rule"], f["file"], f["line"], f["tree"], f["spec"]) for f in report["findings"]
    ] == [
        ("SWP523", "arch/arm64/include/asm/pgtable-prot.h", line, 4, 3),
        ("SWP527", "arch/arm64/include/asm/pgtable-prot.h", line, 0x10, 0x8),
    ]
    text = run_main("sync", "--tree", str(tree), "--spec", "6.12", "--arch", "arm64")
    assert text.out.splitlines()[0] == (
        f"arch/arm64/include/asm/pgtable-prot.h:{line}: ERROR: SWP523: "
        "arm64 uffd_wp swap bit: tree bit 4, spec bit 3"
    )
    assert "drift, 1 error(s), 1 warning(s)" in text.err


VARIANT_PLANTS = [
    # (variant, header, what the tree has, what is planted, a finding on the planted line)
    (
        "x86_pae",
        "arch/x86/include/asm/pgtable-3level.h",
        "#define SWP_OFFSET_FIRST_BIT\t(_PAGE_BIT_PROTNONE + 1)",
        "#define SWP_OFFSET_FIRST_BIT\t(_PAGE_BIT_PROTNONE + 2)",
        ("SWP527", "x86_pae: SWP_OFFSET_FIRST_BIT is 0xa in the tree, 0x9 in the spec"),
    ),
    (
        "x86_32",
        "arch/x86/include/asm/pgtable-2level.h",
        "#define _PAGE_SWP_EXCLUSIVE\t_PAGE_PSE",
        "#define _PAGE_SWP_EXCLUSIVE\t_PAGE_DIRTY",
        ("SWP523", "x86_32 exclusive swap bit: tree bit 6, spec bit 7"),
    ),
    (
        "x86_32",
        "arch/x86/include/asm/pgtable-2level.h",
        "#define _SWP_TYPE_MASK ((1U << SWP_TYPE_BITS) - 1)",
        "#define _SWP_TYPE_MASK ((1U << SWP_TYPE_BITS) - 3)",
        ("SWP527", "x86_32: _SWP_TYPE_MASK is 0x1d in the tree, 0x1f in the spec"),
    ),
    (
        "x86_32",
        "arch/x86/include/asm/pgtable-2level.h",
        "#define __swp_offset(x)\t\t\t((x).val >> SWP_OFFSET_SHIFT)",
        "#define __swp_offset(x)\t\t\t((x).val >> (SWP_OFFSET_SHIFT + 1))",
        (
            "SWP522",
            "x86_32 offset field: no offset bit survives __swp_entry and back in the tree, "
            "spec bits 9-31",
        ),
    ),
    (
        "sparc64",
        "arch/sparc/include/asm/pgtable_64.h",
        "#define _PAGE_SWP_EXCLUSIVE\t_AC(0x0000000000100000, UL)",
        "#define _PAGE_SWP_EXCLUSIVE\t_AC(0x0000000000200000, UL)",
        ("SWP523", "sparc64 exclusive swap bit: tree bit 21, spec bit 20"),
    ),
    (
        "m68k_coldfire",
        "arch/m68k/include/asm/mcf_pgtable.h",
        "#define __swp_type(x)\t\t((x).val & 0x7f)",
        "#define __swp_type(x)\t\t((x).val & 0x3f)",
        ("SWP521", "m68k_coldfire type field: tree bits 0-5, spec bits 0-6"),
    ),
    (
        "arm_lpae",
        "arch/arm/include/asm/pgtable-3level.h",
        "#define L_PTE_SWP_EXCLUSIVE\t(_AT(pteval_t, 1) << 7)",
        "#define L_PTE_SWP_EXCLUSIVE\t(_AT(pteval_t, 1) << 32)",
        ("SWP523", "arm_lpae exclusive swap bit: tree bit 32, spec bit 7"),
    ),
    (
        # parisc's offset is split (bits 0-2 at 5-7, the rest from 10): a piece that drifts
        "parisc",
        "arch/parisc/include/asm/pgtable.h",
        "#define __swp_offset(x)                   ( (((x).val >> 5) & 0x7) | \\",
        "#define __swp_offset(x)                   ( (((x).val >> 5) & 0x3) | \\",
        ("SWP522", "parisc offset field: tree bits 5-6, 10-31, spec bits 5-7, 10-31"),
    ),
    (
        "mips64",
        "arch/mips/include/asm/pgtable-64.h",
        "#define __swp_type(x)\t\t(((x).val >> 16) & 0x7f)",
        "#define __swp_type(x)\t\t(((x).val >> 16) & 0x3f)",
        ("SWP521", "mips64 type field: tree bits 16-21, spec bits 16-22"),
    ),
    (
        "mips32",
        "arch/mips/include/asm/pgtable-32.h",
        "#define _PAGE_SWP_EXCLUSIVE\t(1 << 1)",
        "#define _PAGE_SWP_EXCLUSIVE\t(1 << 2)",
        ("SWP523", "mips32 exclusive swap bit: tree bit 2, spec bit 1"),
    ),
    (
        "nios2",
        "arch/nios2/include/asm/pgtable-bits.h",
        "#define _PAGE_SWP_EXCLUSIVE\t(1<<31)",
        "#define _PAGE_SWP_EXCLUSIVE\t(1<<21)",
        ("SWP523", "nios2 exclusive swap bit: tree bit 21, spec bit 31"),
    ),
    (
        "um",
        "arch/um/include/asm/pgtable.h",
        "#define __swp_type(x)\t\t\t(((x).val >> 5) & 0x1f)",
        "#define __swp_type(x)\t\t\t(((x).val >> 5) & 0xf)",
        ("SWP521", "um type field: tree bits 5-8, spec bits 5-9"),
    ),
    (
        "xtensa",
        "arch/xtensa/include/asm/pgtable.h",
        "#define _PAGE_SWP_EXCLUSIVE\t(1<<1)",
        "#define _PAGE_SWP_EXCLUSIVE\t(1<<0)",
        ("SWP523", "xtensa exclusive swap bit: tree bit 0, spec bit 1"),
    ),
    (
        "hexagon",
        "arch/hexagon/include/asm/pgtable.h",
        "#define _PAGE_SWP_EXCLUSIVE\t(1<<6)",
        "#define _PAGE_SWP_EXCLUSIVE\t(1<<12)",
        ("SWP523", "hexagon exclusive swap bit: tree bit 12, spec bit 6"),
    ),
    (
        # C-SKY ABIv2's offset is split (bit 0 at 8, the rest from 11): its low piece drifts
        "csky_abiv2",
        "arch/csky/abiv2/inc/abi/pgtable-bits.h",
        "#define __swp_offset(x)\t\t\t((((x).val >> 8) & 0x1) | \\",
        "#define __swp_offset(x)\t\t\t((((x).val >> 9) & 0x1) | \\",
        ("SWP522", "csky_abiv2 offset field: tree bits 11-31, spec bits 8, 11-31"),
    ),
    (
        # ABIv1's type is split (bits 0-3 at 2-5, bit 4 at 8)
        "csky_abiv1",
        "arch/csky/abiv1/inc/abi/pgtable-bits.h",
        "#define __swp_type(x)\t\t\t((((x).val >> 2) & 0xf) | \\",
        "#define __swp_type(x)\t\t\t((((x).val >> 2) & 0x7) | \\",
        ("SWP521", "csky_abiv1 type field: tree bits 2-4, 8, spec bits 2-5, 8"),
    ),
    (
        # the PTE is the entry shifted left by 2: the entry's type mask is the PTE's at 2
        "microblaze",
        "arch/microblaze/include/asm/pgtable.h",
        "#define __swp_type(entry)\t((entry).val & 0x1f)",
        "#define __swp_type(entry)\t((entry).val & 0xf)",
        ("SWP521", "microblaze type field: tree bits 2-5, spec bits 2-6"),
    ),
    (
        "openrisc",
        "arch/openrisc/include/asm/pgtable.h",
        "#define __swp_type(x)\t\t\t(((x).val >> 5) & 0x3f)",
        "#define __swp_type(x)\t\t\t(((x).val >> 5) & 0x1f)",
        ("SWP521", "openrisc type field: tree bits 5-9, spec bits 5-10"),
    ),
    (
        "sparc32",
        "arch/sparc/include/asm/pgtsrmmu.h",
        "#define SRMMU_SWP_EXCLUSIVE\tSRMMU_DIRTY",
        "#define SRMMU_SWP_EXCLUSIVE\tSRMMU_REF",
        ("SWP523", "sparc32 exclusive swap bit: tree bit 5, spec bit 6"),
    ),
]


@pytest.mark.parametrize(
    ("variant", "header", "old", "new", "expected"),
    VARIANT_PLANTS,
    ids=[f"{p[0]}-{p[4][0]}-{n}" for n, p in enumerate(VARIANT_PLANTS)],
)
def test_drift_in_a_variant_is_found_on_its_line(tmp_path, variant, header, old, new, expected):
    """Each variant's own header is read under its own Kconfig, by its own gcc: an edit
    there is drift of that variant, at the edited line, and of no other of its arch."""
    tree = copy_fixed_tree("6.12", tmp_path / "linux")
    path = tree / header
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))
    line = 1 + text.split("\n").index(old)
    family = [arg for name in FAMILIES[ARCHES[variant].kernel_dir] for arg in ("--arch", name)]
    code, report = sync_json("--tree", str(tree), "--spec", "6.12", *family)
    assert code == 1
    on_line = [(f["rule"], f["message"]) for f in report["findings"] if f["line"] == line]
    assert expected in on_line, report["findings"]
    spec = load_spec(resolve_spec("6.12"))
    family = FAMILIES[ARCHES[variant].kernel_dir]
    readers = {name for name in family if header in spec.arch(name).headers}
    assert {f["arch"] for f in report["findings"]} <= readers  # parisc64 reads parisc's header
    assert variant in {f["arch"] for f in report["findings"]}


def test_a_test_helper_blind_to_its_own_bit_is_an_error_at_its_line(tmp_path):
    """pte_swp_exclusive() that misses the bit pte_swp_mkexclusive() sets loses the flag, as
    alpha's did from 6.6 to 6.14 (its int result dropped bit 39): SWP528, not unevaluable."""
    tree = copy_tree("6.12", tmp_path / "linux")
    pgtable = tree / "arch/x86/include/asm/pgtable.h"
    text = pgtable.read_text()
    good = "return pte_flags(pte) & _PAGE_SWP_EXCLUSIVE;"
    assert text.count(good) == 1
    pgtable.write_text(text.replace(good, "return pte_flags(pte) & (_PAGE_SWP_EXCLUSIVE << 1);"))
    helper = 1 + next(
        i for i, line in enumerate(text.split("\n")) if "int pte_swp_exclusive(" in line
    )
    code, report = sync_json("--tree", str(tree), "--spec", "6.12", "--arch", "x86_64")
    assert code == 1
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        (
            "SWP528",
            "arch/x86/include/asm/pgtable.h",
            helper,
            "x86_64 exclusive: pte_swp_exclusive() is false for a PTE that "
            "pte_swp_mkexclusive() gave bit 3; the flag is lost (does its return type hold "
            "the bit?)",
        )
    ]


def test_macros_spelled_differently_but_behaving_the_same_are_in_sync(tmp_path):
    tree = copy_tree("6.12", tmp_path / "linux")
    header = tree / "arch/arm64/include/asm/pgtable.h"
    text = header.read_text()
    old = "#define __swp_type(x)		(((x).val >> __SWP_TYPE_SHIFT) & __SWP_TYPE_MASK)"
    assert old in text
    header.write_text(
        text.replace(old, "#define __swp_type(x) ((unsigned long)((x).val << 53) >> 59)")
    )
    code, report = sync_json("--tree", str(tree), "--spec", "6.12", "--arch", "arm64")
    assert (code, report["findings"]) == (0, [])


def test_a_changed_type_field_is_drift(tmp_path):
    tree = copy_tree("6.1", tmp_path / "linux")
    header = tree / "arch/loongarch/include/asm/pgtable.h"
    text = header.read_text()
    header.write_text(
        text.replace("((type & 0xff) << 16)", "((type & 0x7f) << 16)").replace(
            "(((x).val >> 16) & 0xff)", "(((x).val >> 16) & 0x7f)"
        )
    )
    code, report = sync_json("--tree", str(tree), "--spec", "6.1", "--arch", "loongarch64")
    assert code == 1
    assert [(f["rule"], f["message"]) for f in report["findings"]] == [
        ("SWP521", "loongarch64 type field: tree bits 16-22, spec bits 16-23"),
    ]


def test_rev_reads_a_revision_without_touching_the_checkout(tmp_path):
    tree = copy_fixed_tree("6.12", tmp_path / "linux")
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    prot = tree / "arch/arm64/include/asm/pgtable-prot.h"
    prot.write_text(
        prot.read_text().replace("(_AT(pteval_t, 1) << 3)", "(_AT(pteval_t, 1) << 4)", 1)
    )
    status = git(tree, "status", "--porcelain")
    head = git(tree, "rev-parse", "HEAD")
    code, report = sync_json("--tree", str(tree), "--rev", "HEAD", "--spec", "6.12")
    assert (code, report["findings"]) == (0, [])
    assert report["tree"] == f"{tree}@HEAD"
    code, _ = sync_json("--tree", str(tree), "--spec", "6.12", "--arch", "arm64")
    assert code == 1, "the working tree has the edit"
    assert git(tree, "status", "--porcelain") == status
    assert git(tree, "rev-parse", "HEAD") == head


NIOS2_IMPORT_NOTE = (
    "swapgen: import: the tree's nios2 type field is 2 bits, narrower than "
    "MAX_SWAPFILES_SHIFT 5: a spec cannot say that, so validate rejects this one until it "
    "is changed\n"
)
"""What import of a tree before v6.3 says of nios2 (kernel_trees.NIOS2_TWO_TYPE_BITS)."""


def widen_nios2_type(imported: str) -> str:
    """An imported 6.1 spec with nios2's type as v6.3 widened it, and the bundled spec has."""
    data = yaml.safe_load(imported)
    assert data["arches"]["nios2"]["type"] == {"lsb": 26, "width": 2}
    data["arches"]["nios2"]["type"]["width"] = 5
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tree", "{tmp}"], "not a kernel tree (no include/linux/swap.h)"),
        (["--tree", "{tmp}/nope"], "no such directory"),
        (["--tree", "{tmp}", "--rev", "HEAD"], "not a git repository"),
        (["--tree", "{linux}", "--arch", "vax"], "unknown arch vax"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, args, message):
    args = [a.format(tmp=tmp_path, linux=kernel_tree("6.12")) for a in args]
    result = run_main("sync", *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_unknown_revision_exits_2(tmp_path):
    tree = copy_tree("6.12", tmp_path / "linux")
    git(tree, "init", "-q")
    result = run_main("sync", "--tree", str(tree), "--rev", "v9.9")
    assert result.code == 2
    assert "unknown revision 'v9.9'" in result.err


@pytest.mark.parametrize("version", ["6.1", "6.12"])
def test_import_round_trips(version, tmp_path):
    tree = kernel_tree(version)
    result = run_main("import", "--tree", str(tree), "--spec", version)
    text = result.out
    if version == "6.1":  # the import is the tree's; its 2-bit nios2 type cannot validate
        assert (result.code, result.err) == (1, NIOS2_IMPORT_NOTE)
        text = widen_nios2_type(text)
    else:
        assert result.code == 0, result.err
    spec = tmp_path / f"imported-{version}.yaml"
    spec.write_text(text)
    assert re.search(rf"^kernel: '{re.escape(version)}'$", result.out, re.M)
    assert run_main("validate", str(spec)).code == 0
    code, report = sync_json("--tree", str(tree), "--spec", str(spec))
    errors = [
        (f["rule"], f["file"], f["line"]) for f in report["findings"] if f["severity"] == "error"
    ]
    assert errors == known_bugs(version)  # only the tree's real bugs
    assert code == (1 if errors else 0)
    # the imported numbers are the release's numbers
    view = json.loads(run_main("show", "--spec", str(spec), "--format", "json").out)
    bundled = json.loads(run_main("show", "--spec", version, "--format", "json").out)
    assert view["max_swapfiles"] == bundled["max_swapfiles"]
    assert view["types"] == bundled["types"]
    assert view["markers"] == bundled["markers"]
    for arch, facts in bundled["arches"].items():
        for key in ("type", "offset", "flags", "one_mask", "kconfig_selects"):
            got, want = view["arches"][arch][key], facts[key]
            if key in ("type", "offset"):
                got = {k: v for k, v in got.items() if k != "macros"}
                want = {k: v for k, v in want.items() if k != "macros"}
            if key == "kconfig_selects":  # the import writes conditions in canonical form
                want = [dict(s, **{"if": canonical_condition(s["if"])}) for s in want]
            assert got == want, (arch, key)


def test_import_without_a_version_asks_for_one(tmp_path):
    tree = copy_tree("6.12", tmp_path / "linux")
    (tree / "Makefile").unlink()
    result = run_main("import", "--tree", str(tree), "--spec", "6.12")
    assert result.code == 2
    assert "cannot tell the kernel version (no Makefile); pass --kernel" in result.err
    assert run_main("import", "--tree", str(tree), "--spec", "6.12", "--kernel", "6.12").code == 0


def test_an_arch_the_release_does_not_have_is_left_out_of_the_import(tmp_path):
    """As loongarch before v5.19: no Kconfig for it in the tree means no arch to import."""
    tree = copy_tree("6.1", tmp_path / "linux")
    shutil.rmtree(tree / "arch/loongarch")
    result = run_main("import", "--tree", str(tree), "--spec", "6.1")
    assert result.code == 1, result.err  # nios2's two type bits: see below
    assert result.err == (
        "swapgen: import: loongarch64 left out: the tree has no arch/loongarch/Kconfig\n"
        + NIOS2_IMPORT_NOTE
    )
    imported = yaml.safe_load(result.out)
    assert list(imported["arches"]) == [
        "x86_64", "x86_pae", "x86_32", "arm64", "riscv64", "powerpc64", "powerpc32",
        "powerpc_nohash64", "powerpc_nohash32", "s390", "arm", "arm_lpae", "alpha", "arc",
        "arc_pae40", "m68k_motorola", "m68k_coldfire", "m68k_sun3", "sparc64", "parisc", "sh", "mips32",
        "mips64", "microblaze", "nios2", "openrisc", "um", "xtensa", "hexagon", "csky_abiv2",
        "csky_abiv1", "riscv32", "sparc32", "um_i386", "parisc64", "mips_r3k", "mips32_phys64",
        "mips_xpa", "sh_x2tlb",
    ]  # fmt: skip
    spec = tmp_path / "imported.yaml"
    spec.write_text(widen_nios2_type(result.out))
    assert run_main("validate", str(spec)).code == 0


def test_a_tree_with_markers_needs_a_template_that_has_them(tmp_path):
    result = run_main("import", "--tree", str(kernel_tree("6.1")), "--spec", "5.14")
    assert result.code == 2
    assert result.err.endswith(
        "the tree has PTE markers and linux-5.14 has none to name them by; "
        "give --spec of v5.19 or later\n"
    )
    assert result.out == ""


def test_a_tree_with_markers_against_a_release_without_them():
    """6.1's markers against 5.14's spec: the uffd-wp marker is the drift; its mask is the
    mask, not a second marker on bit 0."""
    code, report = sync_json("--tree", str(kernel_tree("6.1")), "--spec", "5.14")
    assert code == 1
    markers = [f["message"] for f in report["findings"] if f["rule"] in ("SWP511", "SWP512")]
    assert markers == ["PTE_MARKER_UFFD_WP (bit 0) is in the tree, not the spec"]


def test_clashes_inside_the_tree_are_reported_as_such(tmp_path):
    tree = copy_tree("6.12", tmp_path / "linux")
    swapops = tree / "include/linux/swapops.h"
    text = swapops.read_text()
    mask = "#define  PTE_MARKER_MASK\t\t\t(BIT(2) - 1)"
    assert mask in text
    swapops.write_text(
        text.replace(
            mask,
            "#define  PTE_MARKER_GUARD\t\t\tBIT(1)\n#define  PTE_MARKER_LATE\t\t\tBIT(2)\n" + mask,
        )
    )
    swap_h = tree / "include/linux/swap.h"
    swap_h.write_text(
        swap_h.read_text().replace("#define SWP_MIGRATION_NUM 3", "#define SWP_MIGRATION_NUM 2")
    )
    code, report = sync_json("--tree", str(tree), "--spec", "6.12", "--arch", "arm")
    assert code == 1
    messages = [f["message"] for f in report["findings"]]
    assert "in the tree SWP_MIGRATION_WRITE and SWP_DEVICE_WRITE are both type 27" in messages or (
        "in the tree SWP_DEVICE_WRITE and SWP_MIGRATION_WRITE are both type 27" in messages
    ), messages
    assert "in the tree PTE_MARKER_POISONED and PTE_MARKER_GUARD share bit 1" in messages or (
        "in the tree PTE_MARKER_GUARD and PTE_MARKER_POISONED share bit 1" in messages
    ), messages
    assert "in the tree PTE_MARKER_MASK (0x3) leaves out PTE_MARKER_LATE" in messages
    assert (
        "SWP_MIGRATION_NUM: tree 2, spec 3 (SWP_MIGRATION_READ, SWP_MIGRATION_READ_EXCLUSIVE, SWP_MIGRATION_WRITE)"
        in messages
    )


def test_the_summary_says_which_arches_a_stand_in_compiler_read():
    result = run_main(
        "sync", "--tree", str(kernel_tree("6.12")), "--spec", "6.12", "--arch", "nios2",
        "--arch", "openrisc", "--arch", "mips",
    )  # fmt: skip
    assert result.code == 0 and result.out == ""
    assert result.err.endswith(
        "(7 arches): in sync, 0 error(s), 0 warning(s); read with a stand-in compiler: "
        "nios2, openrisc\n"
    )
