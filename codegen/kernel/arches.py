"""Facts about each supported architecture that are not in a spec: kernel arch directory,
the clang target triple of its compiler, and how a cross toolchain names it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArchTool:
    kernel_dir: str  # arch/<kernel_dir>/ in the kernel tree
    clang_target: str  # clang --target=
    description: str
    scan_config: dict = field(default_factory=dict)  # Kconfig under which headers are read
    msb0_comments: bool = False  # the arch's comments number bits from the MSB (s390)


COMMON_SCAN_CONFIG = {
    "CONFIG_MMU": True,
    "CONFIG_SWAP": True,
    "CONFIG_USERFAULTFD": True,
    "CONFIG_MEM_SOFT_DIRTY": True,
    "CONFIG_HAVE_ARCH_SOFT_DIRTY": True,
    "CONFIG_HAVE_ARCH_USERFAULTFD_WP": True,
    "CONFIG_PTE_MARKER_UFFD_WP": True,
}
"""Options on for every arch while reading: every swap flag the arch can have is then seen."""

ARCH_TOOLS: dict[str, ArchTool] = {
    "x86_64": ArchTool(
        "x86", "x86_64-linux-gnu", "x86-64",
        {"CONFIG_X86_64": True, "CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 4},
    ),
    "arm64": ArchTool(
        "arm64", "aarch64-linux-gnu", "AArch64",
        {"CONFIG_ARM64": True, "CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 4,
         "CONFIG_ARM64_4K_PAGES": True},
    ),
    "riscv64": ArchTool(
        "riscv", "riscv64-linux-gnu", "64-bit RISC-V",
        {"CONFIG_64BIT": True, "CONFIG_RISCV_ISA_SVRSW60T59B": True},
    ),
    "powerpc64": ArchTool(
        "powerpc", "powerpc64le-linux-gnu", "powerpc book3s64",
        {"CONFIG_PPC64": True, "CONFIG_PPC_BOOK3S_64": True, "CONFIG_PPC_BOOK3S": True},
    ),
    "s390": ArchTool("s390", "s390x-linux-gnu", "s390x", {"CONFIG_64BIT": True}, True),
    "loongarch64": ArchTool(
        "loongarch", "loongarch64-linux-gnu", "64-bit LoongArch",
        {"CONFIG_64BIT": True, "CONFIG_PGTABLE_LEVELS": 3},
    ),
    "arm": ArchTool("arm", "arm-linux-gnueabihf", "32-bit ARM", {}),
}  # fmt: skip


def page_shift_macros(config: dict) -> dict[str, str]:
    """PAGE_SHIFT and friends, which live outside the swap headers, from the page-size option."""
    shift = 16 if config.get("CONFIG_PPC_64K_PAGES") or config.get("CONFIG_ARM64_64K_PAGES") else 12
    return {
        "PAGE_SHIFT": str(shift),
        "PAGE_SIZE": "(1UL << PAGE_SHIFT)",
        "PAGE_MASK": "(~(PAGE_SIZE - 1))",
    }


def kernel_dir(arch: str) -> str:
    return ARCH_TOOLS[arch].kernel_dir
