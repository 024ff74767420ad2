"""Every architecture swapgen knows: kernel directory, word size, PTE width, endianness, and
the compilers that build for it. A spec describes an arch's swap-PTE layout; these are the
facts around it that do not change with the release."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ConfigValue = bool | int


@dataclass(frozen=True)
class ArchInfo:
    name: str  # the spec's key
    kernel_dir: str  # arch/<kernel_dir>/ in the kernel tree
    description: str
    word_bits: int  # BITS_PER_LONG
    pte_bits: int  # width of pteval_t
    big_endian: bool
    clang_target: str | None  # clang --target=; None where clang-19 has no such target
    gcc: tuple[str, ...]  # Debian's cross gcc for the target, by command name
    subject_prefix: str  # how the arch's mm patches start their subject line
    scan_config: Mapping[str, ConfigValue] = field(default_factory=dict)
    """Kconfig under which its headers are read (with COMMON_SCAN_CONFIG and ``choice``)."""
    compile_flags: tuple[str, ...] = ()
    msb0_comments: bool = False  # its comments number bits from the MSB (s390)
    page_shift: int | None = None
    """PAGE_SHIFT where its swap macros use it (defined outside the swap headers), before a
    page-size option changes it; None where they do not."""
    aliases: tuple[str, ...] = ()  # other names for it (uname -m, Debian, QEMU)
    qemu: str | None = None  # qemu-user that runs its binaries, where the tests run them
    no_qemu: str = ""  # why its binaries are not run, where qemu is None
    choice: tuple[str, ...] = ()
    """The Kconfig options that pick this variant among its arch's (all on): what the arch
    header's #if tests; empty for the variant an arch has when no other's are set."""
    two_word_pte: bool = False
    """Its pte_t is two unsigned longs, pte_low and pte_high, that pte_val() joins (MIPS32
    with 64-bit physical addresses, sh with X2TLB): the probe's shim declares it so."""
    stand_in: str = ""
    """Why ``gcc``/``clang_target`` build for another target with the same data model (long
    and PTE width): where nothing here compiles for the arch itself; empty where they do."""

    @property
    def read_config(self) -> dict[str, ConfigValue]:
        """The Kconfig its headers are read under: COMMON_SCAN_CONFIG, its own options, and
        the options that pick it (on)."""
        return {**COMMON_SCAN_CONFIG, **self.scan_config, **dict.fromkeys(self.choice, True)}

    @property
    def compilers(self) -> list[str]:
        """What builds for it, as commands: its Debian cross gcc, then clang-19's target."""
        clang = [f"clang-19 --target={self.clang_target}"] if self.clang_target else []
        return [*self.gcc, *clang]

    @property
    def endianness(self) -> str:
        return "big-endian" if self.big_endian else "little-endian"

    @property
    def sysroot(self) -> str:
        """Where Debian's cross libc for its gcc lives: qemu's -L for a dynamic binary (a
        static glibc binary crashes qemu-alpha 7.2)."""
        return "/usr/" + self.gcc[0].removesuffix("-gcc")

    def compiler_names(self) -> str:
        """The compilers that build for it, as a message names them."""
        return " or ".join(self.compilers)


COMMON_SCAN_CONFIG: Mapping[str, ConfigValue] = MappingProxyType(
    {
        "CONFIG_MMU": True,
        "CONFIG_SWAP": True,
        "CONFIG_USERFAULTFD": True,
        "CONFIG_MEM_SOFT_DIRTY": True,
        "CONFIG_HAVE_ARCH_SOFT_DIRTY": True,
        "CONFIG_HAVE_ARCH_USERFAULTFD_WP": True,
        "CONFIG_PTE_MARKER_UFFD_WP": True,
    }
)
"""Options on for every arch while reading: every swap flag the arch can have is then seen."""

NO_SWAP_FLAG_OPTIONS: Mapping[str, ConfigValue] = MappingProxyType(
    {
        "CONFIG_HAVE_ARCH_SOFT_DIRTY": False,
        "CONFIG_MEM_SOFT_DIRTY": False,
        "CONFIG_HAVE_ARCH_USERFAULTFD_WP": False,
        "CONFIG_PTE_MARKER_UFFD_WP": False,
    }
)
"""For a variant its arch's Kconfig never gives soft-dirty or uffd-wp (x86 and riscv select
them for 64-bit only; MIPS not at all, and its soft-dirty code under the option does not
compile): their swap bits, in headers shared with other variants, are not its own."""

X86_32_OFF: Mapping[str, ConfigValue] = MappingProxyType(
    {"CONFIG_X86_64": False, "CONFIG_64BIT": False, **NO_SWAP_FLAG_OPTIONS}
)
"""What 32-bit x86 turns off: X86_64, and the swap flags it selects for X86_64 only."""

_I686_STAND_IN = "Debian has no compiler for {}; i686, also 32-bit long and PTE, folds its C"
"""Why i686's compilers read a little-endian ILP32 arch Debian cannot build for."""

ARCHES: Mapping[str, ArchInfo] = MappingProxyType({
    info.name: info
    for info in (
        ArchInfo(
            "x86_64", "x86", "x86-64", 64, 64, False, "x86_64-linux-gnu",
            ("x86_64-linux-gnu-gcc",), "x86/mm",
            {"CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 4},
            aliases=("amd64", "x86-64", "x64"), choice=("CONFIG_X86_64",),
        ),
        ArchInfo(
            "x86_pae", "x86", "32-bit x86 with PAE (3-level, 64-bit PTE)", 32, 64, False,
            "i686-linux-gnu", ("i686-linux-gnu-gcc",), "x86/mm",
            {"CONFIG_X86_32": True, "CONFIG_PGTABLE_LEVELS": 3,
             "CONFIG_PHYS_ADDR_T_64BIT": True, **X86_32_OFF},
            aliases=("pae", "i686-pae"), qemu="qemu-i386-static", choice=("CONFIG_X86_PAE",),
        ),
        ArchInfo(
            "x86_32", "x86", "32-bit x86 without PAE (2-level)", 32, 32, False,
            "i686-linux-gnu", ("i686-linux-gnu-gcc",), "x86/mm",
            {"CONFIG_X86_32": True, "CONFIG_PGTABLE_LEVELS": 2, **X86_32_OFF},
            aliases=("i386", "i686", "x86-32"), qemu="qemu-i386-static",
        ),
        ArchInfo(
            "arm64", "arm64", "AArch64", 64, 64, False, "aarch64-linux-gnu",
            ("aarch64-linux-gnu-gcc",), "arm64: mm",
            {"CONFIG_ARM64": True, "CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 4,
             "CONFIG_ARM64_4K_PAGES": True},
            aliases=("aarch64",), qemu="qemu-aarch64-static",
        ),
        ArchInfo(
            "riscv64", "riscv", "64-bit RISC-V", 64, 64, False, "riscv64-linux-gnu",
            ("riscv64-linux-gnu-gcc",), "riscv: mm",
            {"CONFIG_64BIT": True, "CONFIG_RISCV_ISA_SVRSW60T59B": True},
            qemu="qemu-riscv64-static",
        ),
        ArchInfo(
            "riscv32", "riscv", "32-bit RISC-V", 32, 32, False, "riscv32-linux-gnu", (),
            "riscv: mm", {"CONFIG_32BIT": True, "CONFIG_64BIT": False, **NO_SWAP_FLAG_OPTIONS},
            aliases=("rv32",), choice=("CONFIG_32BIT",),
            no_qemu="Debian has no C library for 32-bit RISC-V to link a program with",
        ),
        ArchInfo(
            "powerpc64", "powerpc", "powerpc book3s64", 64, 64, False, "powerpc64le-linux-gnu",
            ("powerpc64le-linux-gnu-gcc",), "powerpc/mm",
            {"CONFIG_PPC64": True, "CONFIG_PPC_BOOK3S": True},
            page_shift=12,
            aliases=("ppc64", "ppc64le", "book3s64"), qemu="qemu-ppc64le-static",
            choice=("CONFIG_PPC_BOOK3S_64",),
        ),
        ArchInfo(
            "powerpc32", "powerpc", "powerpc book3s32 (32-bit PTE)", 32, 32, True,
            "powerpc-linux-gnu", ("powerpc-linux-gnu-gcc",), "powerpc/mm",
            {"CONFIG_PPC32": True, "CONFIG_PPC_BOOK3S": True,
             "CONFIG_PPC_BOOK3S_64": False, "CONFIG_PPC_4K_PAGES": True},
            msb0_comments=True, aliases=("ppc", "ppc32", "book3s32"), qemu="qemu-ppc-static",
            choice=("CONFIG_PPC_BOOK3S_32",),
        ),
        ArchInfo(
            "powerpc_nohash64", "powerpc", "powerpc nohash64 (Book3E-64, e5500/e6500)", 64,
            64, True, "powerpc64-linux-gnu", ("powerpc64-linux-gnu-gcc",), "powerpc/mm",
            {"CONFIG_64BIT": True, "CONFIG_PPC_BOOK3E_64": True,
             "CONFIG_PPC_BOOK3S_64": False, "CONFIG_PPC_4K_PAGES": True},
            msb0_comments=True, aliases=("book3e64",), qemu="qemu-ppc64-static",
            choice=("CONFIG_PPC64",),
        ),
        ArchInfo(
            "powerpc_nohash32", "powerpc", "powerpc nohash32 (e500, 85xx, 32-bit PTE)", 32,
            32, True, "powerpc-linux-gnu", ("powerpc-linux-gnu-gcc",), "powerpc/mm",
            {"CONFIG_PPC32": True, "CONFIG_PPC_85xx": True, "CONFIG_PPC_E500": True,
             "CONFIG_PPC_BOOK3S_64": False, "CONFIG_PPC_4K_PAGES": True},
            msb0_comments=True, aliases=("e500", "85xx"), qemu="qemu-ppc-static",
        ),
        ArchInfo(
            "s390", "s390", "s390x", 64, 64, True, "s390x-linux-gnu",
            ("s390x-linux-gnu-gcc",), "s390/mm", {"CONFIG_64BIT": True},
            msb0_comments=True, aliases=("s390x",), qemu="qemu-s390x-static",
        ),
        ArchInfo(
            "loongarch64", "loongarch", "64-bit LoongArch", 64, 64, False,
            "loongarch64-linux-gnu", ("loongarch64-linux-gnu-gcc",), "LoongArch: mm",
            {"CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 3},
            no_qemu="Debian 12 has no cross gcc or libc for LoongArch to build a program with",
        ),
        ArchInfo(
            "loongarch32", "loongarch", "32-bit LoongArch (from about v6.19)", 32, 32, False,
            "loongarch32-linux-gnu", (), "LoongArch: mm",
            {"CONFIG_32BIT": True, "CONFIG_64BIT": False, "CONFIG_PGTABLE_LEVELS": 2},
            compile_flags=("-mabi=ilp32s",), aliases=("la32",),
            no_qemu="Debian has no qemu-user or C library for 32-bit LoongArch",
            choice=("CONFIG_32BIT",),
        ),
        ArchInfo(
            "arm", "arm", "32-bit ARM", 32, 32, False, "arm-linux-gnueabihf",
            ("arm-linux-gnueabihf-gcc",), "ARM: mm",
            aliases=("arm32", "armhf", "armv7"), qemu="qemu-arm-static",
        ),
        ArchInfo(
            "arm_lpae", "arm", "32-bit ARM with LPAE (3-level, 64-bit PTE)", 32, 64, False,
            "arm-linux-gnueabihf", ("arm-linux-gnueabihf-gcc",), "ARM: mm",
            {"CONFIG_PHYS_ADDR_T_64BIT": True,
             "CONFIG_PGTABLE_LEVELS": 3},
            aliases=("lpae",), qemu="qemu-arm-static", choice=("CONFIG_ARM_LPAE",),
        ),
        ArchInfo(
            "alpha", "alpha", "Alpha", 64, 64, False, None, ("alpha-linux-gnu-gcc",), "alpha:",
            {"CONFIG_64BIT": True}, qemu="qemu-alpha-static",
        ),
        ArchInfo(
            "arc", "arc", "ARC (ARCv2, 32-bit PTE)", 32, 32, False, None,
            ("arc-linux-gnu-gcc",), "ARC:", {"CONFIG_ISA_ARCV2": True},
            no_qemu="Debian has no qemu-user for ARC",
        ),
        ArchInfo(
            "arc_pae40", "arc", "ARC (ARCv2) with PAE40 (64-bit PTE)", 32, 64, False, None,
            ("arc-linux-gnu-gcc",), "ARC:", {"CONFIG_ISA_ARCV2": True},
            aliases=("pae40",), choice=("CONFIG_ARC_HAS_PAE40",),
            no_qemu="Debian has no qemu-user for ARC",
        ),
        ArchInfo(
            "m68k_motorola", "m68k", "m68k with the Motorola MMU", 32, 32, True, "m68k-linux-gnu",
            ("m68k-linux-gnu-gcc",), "m68k:",
            {"CONFIG_MMU_MOTOROLA": True, "CONFIG_PGTABLE_LEVELS": 3},
            aliases=("motorola",), qemu="qemu-m68k-static",
        ),
        ArchInfo(
            "m68k_coldfire", "m68k", "ColdFire (m68k) with its MMU", 32, 32, True,
            "m68k-linux-gnu", ("m68k-linux-gnu-gcc",), "m68k:",
            {"CONFIG_MMU_COLDFIRE": True, "CONFIG_PGTABLE_LEVELS": 2},
            aliases=("coldfire",), qemu="qemu-m68k-static", choice=("CONFIG_COLDFIRE",),
        ),
        ArchInfo(
            "m68k_sun3", "m68k", "m68k Sun-3", 32, 32, True, "m68k-linux-gnu",
            ("m68k-linux-gnu-gcc",), "m68k:",
            {"CONFIG_MMU_SUN3": True, "CONFIG_PGTABLE_LEVELS": 2},
            aliases=("sun3",), qemu="qemu-m68k-static", choice=("CONFIG_SUN3",),
        ),
        ArchInfo(
            "sparc64", "sparc", "64-bit SPARC (sun4u, sun4v)", 64, 64, True,
            "sparc64-linux-gnu", ("sparc64-linux-gnu-gcc",), "sparc64:",
            {"CONFIG_SPARC64": True, "CONFIG_PGTABLE_LEVELS": 4},
            page_shift=13, qemu="qemu-sparc64-static", choice=("CONFIG_64BIT",),
        ),
        ArchInfo(
            "sparc32", "sparc", "32-bit SPARC (SRMMU)", 32, 32, True, "sparc-linux-gnu", (),
            "sparc32:", {"CONFIG_SPARC32": True, "CONFIG_64BIT": False,
                         "CONFIG_PGTABLE_LEVELS": 3},
            aliases=("srmmu",),
            no_qemu="Debian has no C library for 32-bit SPARC to link a program with",
        ),
        ArchInfo(
            "parisc", "parisc", "PA-RISC, 32-bit kernel", 32, 32, True, None,
            ("hppa-linux-gnu-gcc",), "parisc:",
            {"CONFIG_64BIT": False, "CONFIG_PGTABLE_LEVELS": 2,
             "CONFIG_PARISC_PAGE_SIZE_4KB": True},
            msb0_comments=True, aliases=("hppa", "parisc32"), qemu="qemu-hppa-static",
        ),
        ArchInfo(
            "parisc64", "parisc", "PA-RISC, 64-bit kernel", 64, 64, True, None,
            ("hppa64-linux-gnu-gcc",), "parisc:",
            {"CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 3,
             "CONFIG_PARISC_PAGE_SIZE_4KB": True},
            msb0_comments=True, aliases=("hppa64",), choice=("CONFIG_64BIT",),
            no_qemu="Debian's hppa64 gcc builds kernels only: no C library, no qemu-user",
        ),
        ArchInfo(
            "sh", "sh", "SuperH (32-bit PTE)", 32, 32, False, None, ("sh4-linux-gnu-gcc",),
            "sh:", {"CONFIG_PGTABLE_LEVELS": 2},
            aliases=("sh4", "superh"),
            no_qemu="Debian 12's qemu-sh4 7.2 crashes on a hello world, static or dynamic",
        ),
        ArchInfo(
            "sh_x2tlb", "sh", "SuperH with the SH-X2/SH-X3 TLB (two-word PTE)", 32, 64, False,
            None, ("sh4-linux-gnu-gcc",), "sh:", {"CONFIG_PGTABLE_LEVELS": 3},
            aliases=("x2tlb",), two_word_pte=True, choice=("CONFIG_X2TLB",),
            no_qemu="Debian 12's qemu-sh4 7.2 crashes on a hello world, static or dynamic",
        ),
        ArchInfo(
            "mips32", "mips", "32-bit MIPS (32-bit PTE, R4K-style TLB)", 32, 32, True,
            "mips-linux-gnu", ("mips-linux-gnu-gcc",), "MIPS:",
            {"CONFIG_32BIT": True, "CONFIG_64BIT": False, "CONFIG_PHYS_ADDR_T_64BIT": False,
             "CONFIG_XPA": False, "CONFIG_CPU_R3K_TLB": False, **NO_SWAP_FLAG_OPTIONS},
            aliases=("mips32r2",), qemu="qemu-mips-static", choice=("CONFIG_32BIT",),
        ),
        ArchInfo(
            "mips_r3k", "mips", "32-bit MIPS with the R3000-style TLB", 32, 32, True,
            "mips-linux-gnu", ("mips-linux-gnu-gcc",), "MIPS:",
            {"CONFIG_32BIT": True, "CONFIG_64BIT": False, "CONFIG_PHYS_ADDR_T_64BIT": False,
             "CONFIG_XPA": False, **NO_SWAP_FLAG_OPTIONS},
            aliases=("r3000",), qemu="qemu-mips-static",
            choice=("CONFIG_32BIT", "CONFIG_CPU_R3K_TLB"),
        ),
        ArchInfo(
            "mips32_phys64", "mips", "MIPS32 with 64-bit physical addresses (two-word PTE)",
            32, 64, True, "mips-linux-gnu", ("mips-linux-gnu-gcc",), "MIPS:",
            {"CONFIG_32BIT": True, "CONFIG_64BIT": False, "CONFIG_XPA": False,
             "CONFIG_CPU_R3K_TLB": False, **NO_SWAP_FLAG_OPTIONS},
            aliases=("alchemy",), qemu="qemu-mips-static", two_word_pte=True,
            choice=("CONFIG_32BIT", "CONFIG_PHYS_ADDR_T_64BIT", "CONFIG_CPU_MIPS32"),
        ),
        ArchInfo(
            "mips_xpa", "mips", "MIPS32r5 with XPA (two-word PTE)", 32, 64, True,
            "mips-linux-gnu", ("mips-linux-gnu-gcc",), "MIPS:",
            {"CONFIG_32BIT": True, "CONFIG_64BIT": False, "CONFIG_CPU_R3K_TLB": False,
             **NO_SWAP_FLAG_OPTIONS},
            aliases=("xpa",), qemu="qemu-mips-static", two_word_pte=True,
            choice=("CONFIG_32BIT", "CONFIG_PHYS_ADDR_T_64BIT", "CONFIG_CPU_MIPS32",
                    "CONFIG_XPA"),
        ),
        ArchInfo(
            "mips64", "mips", "64-bit MIPS", 64, 64, True, "mips64-linux-gnuabi64",
            ("mips64-linux-gnuabi64-gcc",), "MIPS:",
            {"CONFIG_64BIT": True, "CONFIG_32BIT": False, "CONFIG_PHYS_ADDR_T_64BIT": True,
             **NO_SWAP_FLAG_OPTIONS},
            aliases=("mips64r2",), qemu="qemu-mips64-static", choice=("CONFIG_64BIT",),
        ),
        ArchInfo(
            "microblaze", "microblaze", "MicroBlaze (with MMU)", 32, 32, False,
            "i686-linux-gnu", ("i686-linux-gnu-gcc",), "microblaze:",
            stand_in=_I686_STAND_IN.format("MicroBlaze"),
            no_qemu="nothing here builds a MicroBlaze program",
        ),
        ArchInfo(
            "nios2", "nios2", "Nios II", 32, 32, False, "i686-linux-gnu",
            ("i686-linux-gnu-gcc",), "nios2:",
            stand_in=_I686_STAND_IN.format("Nios II"),
            no_qemu="nothing here builds a Nios II program",
        ),
        ArchInfo(
            "openrisc", "openrisc", "OpenRISC 1000", 32, 32, True, "powerpc-linux-gnu",
            ("powerpc-linux-gnu-gcc",), "openrisc:",
            stand_in="Debian has no compiler for OpenRISC; 32-bit big-endian powerpc, also "
            "32-bit long and PTE, folds its C",
            aliases=("or1k",), no_qemu="nothing here builds an OpenRISC program",
        ),
        ArchInfo(
            "um", "um", "User-mode Linux on x86-64", 64, 64, False, "x86_64-linux-gnu",
            ("x86_64-linux-gnu-gcc",), "um:",
            {"CONFIG_64BIT": True, "CONFIG_3_LEVEL_PGTABLES": True, "CONFIG_PGTABLE_LEVELS": 3},
            aliases=("uml",), qemu="qemu-x86_64-static",
        ),
        ArchInfo(
            "um_i386", "um", "User-mode Linux on 32-bit x86", 32, 32, False, "i686-linux-gnu",
            ("i686-linux-gnu-gcc",), "um:",
            {"CONFIG_64BIT": False, "CONFIG_X86_32": True, **NO_SWAP_FLAG_OPTIONS},
            aliases=("uml32",), qemu="qemu-i386-static", choice=("CONFIG_X86_32",),
        ),
        ArchInfo(
            "xtensa", "xtensa", "Xtensa (little-endian)", 32, 32, False, "i686-linux-gnu",
            ("i686-linux-gnu-gcc",), "xtensa:",
            stand_in="Debian has no gcc for Xtensa, and clang-19's driver refuses its triple; "
            "i686, also 32-bit long and PTE, folds its C",
            no_qemu="nothing here builds an Xtensa program",
        ),
        ArchInfo(
            "hexagon", "hexagon", "Qualcomm Hexagon", 32, 32, False, "hexagon-linux-musl", (),
            "hexagon:",
            no_qemu="Debian has no C library for Hexagon to link a program with",
        ),
        ArchInfo(
            "csky_abiv2", "csky", "C-SKY ABIv2 (CK807, CK810, CK860)", 32, 32, False,
            "i686-linux-gnu", ("i686-linux-gnu-gcc",), "csky:",
            stand_in=_I686_STAND_IN.format("C-SKY"),
            aliases=("ck860", "ck810", "ck807"), no_qemu="nothing here builds a C-SKY program",
        ),
        ArchInfo(
            "csky_abiv1", "csky", "C-SKY ABIv1 (CK610)", 32, 32, False, "i686-linux-gnu",
            ("i686-linux-gnu-gcc",), "csky:",
            stand_in=_I686_STAND_IN.format("C-SKY"),
            aliases=("ck610",), no_qemu="nothing here builds a C-SKY program",
            choice=("CONFIG_CPU_CK610",),
        ),
    )
})  # fmt: skip

ARCH_NAMES: tuple[str, ...] = tuple(ARCHES)

ALIASES: Mapping[str, str] = MappingProxyType(
    {alias: info.name for info in ARCHES.values() for alias in info.aliases}
)


FAMILIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        kernel_dir: tuple(info.name for info in ARCHES.values() if info.kernel_dir == kernel_dir)
        for kernel_dir in dict.fromkeys(info.kernel_dir for info in ARCHES.values())
    }
)
"""Each arch directory of the kernel and its layout variants, in registry order."""


_SHARED = sorted((n for n in ARCHES if len(FAMILIES[ARCHES[n].kernel_dir]) > 1), key=len)
VARIANT_RE = re.compile(
    r"(?<![\w/-])(?:" + "|".join(map(re.escape, reversed(_SHARED))) + r")(?![\w/-])"
)
"""A variant of an arch that has several, named in a message."""


def arch_info(name: str) -> ArchInfo:
    return ARCHES[name]


def canonical_arch(name: str) -> str:
    """The registry name for an arch name or alias people use (amd64, aarch64, s390x)."""
    lowered = name.strip().lower()
    return ALIASES.get(lowered, lowered)


def variants_named(name: str) -> tuple[str, ...]:
    """The variants a name people use means: a variant or its alias is that variant; an arch
    directory that is not also a variant's name (x86, powerpc, riscv) is all of its variants."""
    canonical = canonical_arch(name)
    if canonical in ARCHES:
        return (canonical,)
    return FAMILIES.get(canonical, (canonical,))


def predefined_macros(name: str, config: Mapping[str, ConfigValue]) -> dict[str, str]:
    """What the kernel's build defines for the arch's swap headers: __KERNEL__ (some guard
    their kernel-only part with it: powerpc's pte-e500.h), and PAGE_SHIFT and friends for an
    arch whose swap macros use them, from its page size and the page-size option."""
    macros = {"__KERNEL__": "1"}
    shift = ARCHES[name].page_shift
    if shift is None:
        return macros
    if config.get("CONFIG_PPC_64K_PAGES") or config.get("CONFIG_ARM64_64K_PAGES"):
        shift = 16
    return {
        **macros,
        "PAGE_SHIFT": str(shift),
        "PAGE_SIZE": "(1UL << PAGE_SHIFT)",
        "PAGE_MASK": "(~(PAGE_SIZE - 1))",
    }
