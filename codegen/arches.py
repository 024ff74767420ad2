"""Facts about each supported architecture that are not in a spec: kernel arch directory,
the clang target triple of its compiler, and how a cross toolchain names it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArchTool:
    kernel_dir: str  # arch/<kernel_dir>/ in the kernel tree
    clang_target: str  # clang --target=
    description: str


ARCH_TOOLS: dict[str, ArchTool] = {
    "x86_64": ArchTool("x86", "x86_64-linux-gnu", "x86-64"),
    "arm64": ArchTool("arm64", "aarch64-linux-gnu", "AArch64"),
    "riscv64": ArchTool("riscv", "riscv64-linux-gnu", "64-bit RISC-V"),
    "powerpc64": ArchTool("powerpc", "powerpc64le-linux-gnu", "powerpc book3s64"),
    "s390": ArchTool("s390", "s390x-linux-gnu", "s390x"),
    "loongarch64": ArchTool("loongarch", "loongarch64-linux-gnu", "64-bit LoongArch"),
    "arm": ArchTool("arm", "arm-linux-gnueabihf", "32-bit ARM"),
}


def kernel_dir(arch: str) -> str:
    return ARCH_TOOLS[arch].kernel_dir
