"""The kernel facts registry: every flag kind and arch is written down once, in codegen/kernel/,
and everything else (the JSON Schema's enums among them) is derived from it."""

from __future__ import annotations

import re
from pathlib import Path

from codegen.kernel.arches import ARCH_NAMES, ARCHES, FAMILIES, canonical_arch, variants_named
from codegen.kernel.flags import FLAG_NAMES, FLAG_SELECTS, FLAGS, flag_of_macro_name
from codegen.resources import SCHEMA_PATH
from codegen.spec.schemagen import schema_text
from tests.conftest import REPO


def test_the_committed_schema_is_what_the_registry_makes():
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m codegen.spec.schemagen"


def test_the_schema_enums_are_the_registry_names():
    import json

    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["properties"]["arches"]["propertyNames"]["enum"] == list(ARCH_NAMES)
    flags = schema["$defs"]["arch"]["properties"]["flags"]["properties"]
    assert list(flags) == list(FLAG_NAMES)


NAMES = "|".join(re.escape(n) for n in (*FLAG_NAMES, *ARCH_NAMES))
NAME_RE = re.compile(rf"""["']({NAMES})["']""")


def test_flag_and_arch_names_are_written_only_in_the_registry():
    """A quoted flag or arch name in the package outside codegen/kernel/ is a second copy."""
    found = []
    for path in sorted((REPO / "codegen").rglob("*.py")):
        if path.parent.name == "kernel":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if NAME_RE.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == []


def test_flag_kinds_carry_their_helpers_and_selects():
    assert FLAGS["uffd_wp"].helpers == (
        "pte_swp_mkuffd_wp",
        "pte_swp_uffd_wp",
        "pte_swp_clear_uffd_wp",
    )
    assert FLAG_SELECTS == {
        "soft_dirty": "HAVE_ARCH_SOFT_DIRTY",
        "uffd_wp": "HAVE_ARCH_USERFAULTFD_WP",
    }
    assert flag_of_macro_name("_PAGE_SWP_UFFD_WP").name == "uffd_wp"
    assert flag_of_macro_name("PTE_SWP_EXCLUSIVE").name == "exclusive"
    assert flag_of_macro_name("_PAGE_SOFT_DIRTY") is None  # not a swap-PTE macro
    assert flag_of_macro_name("__SWP_TYPE_SHIFT") is None


def test_arch_facts_word_size_and_aliases():
    assert {name: (a.word_bits, a.pte_bits) for name, a in ARCHES.items()} == {
        "x86_64": (64, 64),
        "x86_pae": (32, 64),
        "x86_32": (32, 32),
        "arm64": (64, 64),
        "riscv64": (64, 64),
        "riscv32": (32, 32),
        "powerpc64": (64, 64),
        "powerpc32": (32, 32),
        "powerpc_nohash64": (64, 64),
        "powerpc_nohash32": (32, 32),
        "s390": (64, 64),
        "loongarch64": (64, 64),
        "loongarch32": (32, 32),
        "arm": (32, 32),
        "arm_lpae": (32, 64),
        "alpha": (64, 64),
        "arc": (32, 32),
        "arc_pae40": (32, 64),
        "m68k_motorola": (32, 32),
        "m68k_coldfire": (32, 32),
        "m68k_sun3": (32, 32),
        "sparc64": (64, 64),
        "sparc32": (32, 32),
        "parisc": (32, 32),
        "parisc64": (64, 64),
        "sh": (32, 32),
        "sh_x2tlb": (32, 64),
        "mips32": (32, 32),
        "mips_r3k": (32, 32),
        "mips32_phys64": (32, 64),
        "mips_xpa": (32, 64),
        "mips64": (64, 64),
        "microblaze": (32, 32),
        "nios2": (32, 32),
        "openrisc": (32, 32),
        "um": (64, 64),
        "um_i386": (32, 32),
        "xtensa": (32, 32),
        "hexagon": (32, 32),
        "csky_abiv2": (32, 32),
        "csky_abiv1": (32, 32),
    }
    assert ARCHES["alpha"].clang_target is None  # clang-19 cannot build for it; its gcc can
    assert ARCHES["alpha"].sysroot == "/usr/alpha-linux-gnu"
    assert canonical_arch("AArch64") == "arm64"
    assert canonical_arch(" s390x ") == "s390"
    assert canonical_arch("vax") == "vax"  # unknown names pass through for an error


def test_an_arch_directory_names_its_variants_and_a_variant_itself():
    assert variants_named("x86") == ("x86_64", "x86_pae", "x86_32")
    assert variants_named("i386") == ("x86_32",)
    assert variants_named("PAE") == ("x86_pae",)
    assert variants_named("powerpc") == (
        "powerpc64", "powerpc32", "powerpc_nohash64", "powerpc_nohash32",
    )  # fmt: skip
    assert variants_named("arm") == ("arm",)  # a variant's own name is that variant
    assert variants_named("m68k") == ("m68k_motorola", "m68k_coldfire", "m68k_sun3")
    assert variants_named("sparc") == ("sparc64", "sparc32")
    assert variants_named("hppa") == ("parisc",)
    assert variants_named("coldfire") == ("m68k_coldfire",)
    assert variants_named("mips") == ("mips32", "mips_r3k", "mips32_phys64", "mips_xpa", "mips64")
    assert variants_named("csky") == ("csky_abiv2", "csky_abiv1")
    assert variants_named("vax") == ("vax",)  # unknown names pass through for the error


def test_an_arch_whose_binaries_do_not_run_says_why():
    for name, info in ARCHES.items():
        if name != "x86_64":  # the host: its harness runs natively
            assert bool(info.qemu) != bool(info.no_qemu), name


def test_the_kconfig_picks_one_variant_of_each_arch():
    for kernel_dir, names in FAMILIES.items():
        choices = [ARCHES[name].choice for name in names]
        assert choices.count(()) <= 1, f"{kernel_dir}: two variants with no Kconfig choice"
        assert len(set(choices)) == len(choices), kernel_dir
        assert all(ARCHES[name].kernel_dir == kernel_dir for name in names)
    assert Path(ARCHES["s390"].kernel_dir).name == "s390" and ARCHES["s390"].big_endian
