#!/usr/bin/env python3
"""Rebuild the review corpus from a git repository of Debian's linux-source-6.12.

Each case is a real edit of the kernel files, committed and written out by git format-patch,
then stored as an mbox or .patch files, some re-encoded (quoted-printable, base64, CRLF) the
way mail clients and lists deliver them. The expected findings in tests/corpus/expected.json
were checked by hand; tests/test_review.py compares them with every run.

    python3 tests/corpus/build.py        (needs /usr/src/linux-source-6.12.tar.xz)
"""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
import sys
import tempfile
from email.generator import BytesGenerator
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.kernel_trees import kernel_tree  # noqa: E402

AUTHOR = "Grace Hopper <grace@example.org>"


def git(repo: Path, *args: str, data: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=data, capture_output=True, check=True
    )
    return proc.stdout.decode()


class Kernel:
    def __init__(self, root: Path):
        self.root = root
        self.base = git(root, "rev-parse", "HEAD").strip()

    def reset(self) -> None:
        git(self.root, "checkout", "-q", "-f", self.base)
        git(self.root, "clean", "-qfd")

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.root / path
        text = file.read_text()
        if old not in text:
            raise SystemExit(f"{path}: edit target not found: {old!r}")
        file.write_text(text.replace(old, new, 1))

    def commit(self, subject: str, body: str) -> None:
        git(self.root, "add", "-A")
        message = f"{subject}\n\n{body}\n\nSigned-off-by: {AUTHOR}\n"
        git(
            self.root,
            "-c",
            "user.name=Grace Hopper",
            "-c",
            "user.email=grace@example.org",
            "commit",
            "-q",
            "-F",
            "-",
            data=message.encode(),
        )

    def format_patch(self, *args: str) -> list[bytes]:
        out = Path(tempfile.mkdtemp())
        git(self.root, "format-patch", "-q", "-o", str(out), *args, f"{self.base}..HEAD")
        files = sorted(out.glob("*.patch"))
        data = [f.read_bytes() for f in files]
        shutil.rmtree(out)
        return data


def as_mbox(messages: list[bytes]) -> bytes:
    return b"".join(m if m.endswith(b"\n") else m + b"\n" for m in messages)


def reencode(message: bytes, encoding: str) -> bytes:
    """The same mail with its body as quoted-printable or base64, as a list server might send."""
    lines = message.split(b"\n", 1)
    parsed = email.message_from_bytes(lines[1], policy=email.policy.compat32)
    payload = parsed.get_payload(decode=True)
    del parsed["Content-Transfer-Encoding"]
    parsed.set_payload(payload, "utf-8")
    del parsed["Content-Transfer-Encoding"]
    if encoding == "quoted-printable":
        import quopri

        parsed.set_payload(quopri.encodestring(payload).decode("ascii"))
    else:
        import base64

        parsed.set_payload(base64.encodebytes(payload).decode("ascii"))
    parsed["Content-Transfer-Encoding"] = encoding
    buffer = BytesIO()
    BytesGenerator(buffer, mangle_from_=False).flatten(parsed)
    return lines[0] + b"\n" + buffer.getvalue()


def write(name: str, files: dict[str, bytes]) -> None:
    target = HERE / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for filename, data in files.items():
        (target / filename).write_bytes(data)


MASK_LINE = "#define  PTE_MARKER_MASK\t\t\t(BIT(2) - 1)"
"""The marker mask as 6.12 has it: a new marker's define goes before it."""


def marker_define(name: str, value: str, mask: str) -> tuple[str, str]:
    """The edit that defines PTE_MARKER_<name> as ``value`` and sets the mask to ``mask``."""
    return (
        MASK_LINE,
        f"#define  PTE_MARKER_{name}\t\t\t{value}\n#define  PTE_MARKER_MASK\t\t\t{mask}",
    )


GUARD_DEFINE = marker_define("GUARD", "BIT(2)", "(BIT(3) - 1)")
GUARD_HELPERS = (
    """	    (pte_marker_get(entry) & PTE_MARKER_POISONED);
}
""",
    """	    (pte_marker_get(entry) & PTE_MARKER_POISONED);
}

static inline swp_entry_t make_guard_swp_entry(void)
{
	return make_pte_marker_entry(PTE_MARKER_GUARD);
}

static inline int is_guard_swp_entry(swp_entry_t entry)
{
	return is_pte_marker_entry(entry) &&
	    (pte_marker_get(entry) & PTE_MARKER_GUARD);
}
""",
)


def marker_helpers(name: str) -> tuple[str, str]:
    """GUARD_HELPERS for another marker, PTE_MARKER_<name>."""
    return GUARD_HELPERS[0], GUARD_HELPERS[1].replace("GUARD", name).replace("guard", name.lower())


SWAPOPS = "include/linux/swapops.h"


def build(k: Kernel) -> None:
    # 01: GUARD the way 6.13 added it: clean against the 6.19 spec
    k.reset()
    k.edit(SWAPOPS, *GUARD_DEFINE)
    k.edit(SWAPOPS, *GUARD_HELPERS)
    k.commit("mm: add PTE_MARKER_GUARD", "Add a marker for guard regions; a fault raises SIGSEGV.")
    guard = k.format_patch()
    write("01-guard-marker-good", {"series.mbox": as_mbox(guard)})
    # 02: the same mail, quoted-printable
    write("02-guard-marker-qp", {"series.mbox": as_mbox([reencode(guard[0], "quoted-printable")])})
    # 03: the same mail, base64, as a .patch file
    write("03-guard-marker-base64", {"0001-guard.patch": reencode(guard[0], "base64")})
    # 04: the same mbox with CRLF line ends
    write("04-guard-marker-crlf", {"series.mbox": as_mbox(guard).replace(b"\n", b"\r\n")})

    # 05: GUARD on a bit POISONED already has
    k.reset()
    k.edit(SWAPOPS, *marker_define("GUARD", "BIT(1)", "(BIT(2) - 1)"))
    k.edit(SWAPOPS, *GUARD_HELPERS)
    k.commit("mm: add PTE_MARKER_GUARD", "Add a guard marker.")
    write("05-marker-duplicate-bit", {"series.mbox": as_mbox(k.format_patch())})

    # 06: GUARD without updating the mask
    k.reset()
    k.edit(SWAPOPS, *marker_define("GUARD", "BIT(2)", "(BIT(2) - 1)"))
    k.edit(SWAPOPS, *GUARD_HELPERS)
    k.commit("mm: add PTE_MARKER_GUARD", "Add a guard marker, forgetting the mask.")
    write("06-marker-mask-not-updated", {"0001-guard.patch": k.format_patch()[0]})

    # 07: a marker bit no 32-bit arm offset can hold
    k.reset()
    k.edit(SWAPOPS, *marker_define("FAR", "BIT(30)", "(BIT(2) - 1 | BIT(30))"))
    k.edit(SWAPOPS, *marker_helpers("FAR"))
    k.commit("mm: add PTE_MARKER_FAR", "A marker in a high bit.")
    write("07-marker-beyond-offset", {"series.mbox": as_mbox(k.format_patch())})

    # 08: GUARD with the mask but no helpers
    k.reset()
    k.edit(SWAPOPS, *GUARD_DEFINE)
    k.commit("mm: add PTE_MARKER_GUARD", "Only the bit for now.")
    write("08-marker-without-helpers", {"series.mbox": as_mbox(k.format_patch())})

    # 09: a device type without its count
    k.reset()
    k.edit(
        "include/linux/swap.h",
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)",
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)\n"
        "#define SWP_DEVICE_COHERENT (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+4)",
    )
    k.commit("mm: add SWP_DEVICE_COHERENT", "A new device entry type.")
    write("09-type-without-count", {"series.mbox": as_mbox(k.format_patch())})

    # 10: the 6.15 single device-exclusive type, count updated: clean against 6.19
    k.reset()
    k.edit("include/linux/swap.h", "#define SWP_DEVICE_NUM 4", "#define SWP_DEVICE_NUM 3")
    k.edit(
        "include/linux/swap.h",
        "#define SWP_DEVICE_EXCLUSIVE_WRITE (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+2)\n"
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)",
        "#define SWP_DEVICE_EXCLUSIVE (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+2)",
    )
    k.commit("mm: use single SWP_DEVICE_EXCLUSIVE entry type", "One type is enough.")
    write("10-device-exclusive-good", {"series.mbox": as_mbox(k.format_patch())})

    # 11: a new group whose count MAX_SWAPFILES does not subtract
    k.reset()
    k.edit(
        "include/linux/swap.h",
        "#define SWP_PTE_MARKER_NUM 1",
        "#define SWP_FOO_NUM 1\n#define SWP_FOO (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+SWP_DEVICE_NUM+SWP_PTE_MARKER_NUM)\n"
        "#define SWP_PTE_MARKER_NUM 1",
    )
    k.commit("mm: add SWP_FOO", "A new kind of special entry.")
    write("11-count-not-subtracted", {"series.mbox": as_mbox(k.format_patch())})

    # 12: arm64 uffd-wp moved onto the type field
    k.reset()
    k.edit(
        "arch/arm64/include/asm/pgtable-prot.h",
        "#define PTE_SWP_UFFD_WP		(_AT(pteval_t, 1) << 3)",
        "#define PTE_SWP_UFFD_WP		(_AT(pteval_t, 1) << 6)",
    )
    k.commit("arm64: mm: move the uffd-wp swap bit", "Bit 3 is wanted elsewhere.")
    write("12-flag-overlaps-type", {"series.mbox": as_mbox(k.format_patch())})

    # 13: arm with a 4-bit type field
    k.reset()
    k.edit(
        "arch/arm/include/asm/pgtable.h",
        "#define __SWP_TYPE_BITS		5",
        "#define __SWP_TYPE_BITS		4",
    )
    k.commit("ARM: mm: shrink the swap type field", "Make room.")
    write("13-type-field-narrow", {"series.mbox": as_mbox(k.format_patch())})

    # 14-16: riscv soft-dirty and uffd-wp, in three variants
    bits_old = "#define _PAGE_SWP_EXCLUSIVE _PAGE_ACCESSED"
    bits_new = (
        bits_old
        + "\n#define _PAGE_SWP_SOFT_DIRTY	_PAGE_EXEC\n#define _PAGE_SWP_UFFD_WP	_PAGE_USER"
    )
    helpers_old = """static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	return __pte(pte_val(pte) & ~_PAGE_SWP_EXCLUSIVE);
}
"""
    sd_helpers = """
static inline pte_t pte_swp_mksoft_dirty(pte_t pte)
{
	return __pte(pte_val(pte) | _PAGE_SWP_SOFT_DIRTY);
}

static inline int pte_swp_soft_dirty(pte_t pte)
{
	return pte_val(pte) & _PAGE_SWP_SOFT_DIRTY;
}

static inline pte_t pte_swp_clear_soft_dirty(pte_t pte)
{
	return __pte(pte_val(pte) & ~_PAGE_SWP_SOFT_DIRTY);
}
"""
    uw_helpers = sd_helpers.replace("soft_dirty", "uffd_wp").replace("SOFT_DIRTY", "UFFD_WP")
    kconfig_old = "	select HAVE_ARCH_SECCOMP_FILTER\n"
    kconfig_sd = (
        kconfig_old + "	select HAVE_ARCH_SOFT_DIRTY if 64BIT && MMU && RISCV_ISA_SVRSW60T59B\n"
    )
    uw_old = "	select HAVE_ARCH_USERFAULTFD_MINOR if 64BIT && USERFAULTFD\n"
    uw_new = (
        uw_old
        + "	select HAVE_ARCH_USERFAULTFD_WP if 64BIT && MMU && USERFAULTFD && RISCV_ISA_SVRSW60T59B\n"
    )
    comment_old = " *	bit            5:	_PAGE_PROT_NONE (zero)\n"
    comment_new = (
        " *	bit            3:	soft-dirty\n *	bit            4:	uffd-wp\n" + comment_old
    )

    k.reset()
    k.edit("arch/riscv/include/asm/pgtable-bits.h", bits_old, bits_new)
    k.edit("arch/riscv/include/asm/pgtable.h", helpers_old, helpers_old + sd_helpers + uw_helpers)
    k.edit("arch/riscv/include/asm/pgtable.h", comment_old, comment_new)
    k.edit("arch/riscv/Kconfig", kconfig_old, kconfig_sd)
    k.edit("arch/riscv/Kconfig", uw_old, uw_new)
    k.commit("riscv: mm: add soft-dirty and uffd-wp swap PTE bits", "Use the Svrsw60t59b bits.")
    write("14-riscv-sd-uw-good", {"series.mbox": as_mbox(k.format_patch())})

    k.reset()
    k.edit("arch/riscv/include/asm/pgtable-bits.h", bits_old, bits_new)
    k.edit(
        "arch/riscv/include/asm/pgtable.h",
        helpers_old,
        helpers_old + sd_helpers.split("static inline int")[0] + uw_helpers,
    )
    k.edit("arch/riscv/Kconfig", kconfig_old, kconfig_sd)
    k.edit("arch/riscv/Kconfig", uw_old, uw_new)
    k.commit("riscv: mm: add soft-dirty and uffd-wp swap PTE bits", "Only half the helpers.")
    write("15-riscv-helpers-incomplete", {"series.mbox": as_mbox(k.format_patch())})

    k.reset()
    k.edit("arch/riscv/include/asm/pgtable-bits.h", bits_old, bits_new)
    k.edit("arch/riscv/include/asm/pgtable.h", helpers_old, helpers_old + sd_helpers + uw_helpers)
    k.edit("arch/riscv/Kconfig", kconfig_old, kconfig_sd)
    k.commit("riscv: mm: add soft-dirty and uffd-wp swap PTE bits", "Forgot the uffd-wp select.")
    write("16-riscv-uffd-without-select", {"series.mbox": as_mbox(k.format_patch())})

    # 17: arm64 selects soft-dirty without a swap bit
    k.reset()
    k.edit(
        "arch/arm64/Kconfig",
        "	select HAVE_ARCH_USERFAULTFD_WP if USERFAULTFD\n",
        "	select HAVE_ARCH_SOFT_DIRTY\n	select HAVE_ARCH_USERFAULTFD_WP if USERFAULTFD\n",
    )
    k.commit("arm64: select HAVE_ARCH_SOFT_DIRTY", "Soft-dirty for arm64.")
    write("17-select-without-bit", {"series.mbox": as_mbox(k.format_patch())})

    # 18: a riscv comment that contradicts the code
    k.reset()
    k.edit(
        "arch/riscv/include/asm/pgtable.h",
        " *	bits      7 to 11:	swap type\n",
        " *	bits      6 to 10:	swap type\n",
    )
    k.commit("riscv: mm: fix the swap PTE comment", "Wrong fix.")
    write("18-comment-contradicts", {"series.mbox": as_mbox(k.format_patch())})

    # 19: a three-part series with part 2 lost, and a reply quoting part 1
    k.reset()
    k.edit(SWAPOPS, *GUARD_DEFINE)
    k.commit("mm: add PTE_MARKER_GUARD", "Part one.")
    k.edit(SWAPOPS, *GUARD_HELPERS)
    k.commit("mm: add the guard marker helpers", "Part two.")
    k.edit(
        "include/linux/swap.h", "#define SWP_DEVICE_NUM 4", "#define SWP_DEVICE_NUM 4 /* four */"
    )
    k.commit("mm: document SWP_DEVICE_NUM", "Part three.")
    parts = k.format_patch("--cover-letter", "-v2")
    body = parts[1].decode()
    quoted = "\n".join("> " + line for line in body.split("\n\n", 1)[1].splitlines()[:30])
    reply = (
        "From reviewer Mon Sep 17 00:00:00 2001\nFrom: Reviewer <rev@example.org>\n"
        "Subject: Re: [PATCH v2 1/3] mm: add PTE_MARKER_GUARD\n"
        "Content-Type: text/plain; charset=utf-8\n\nLooks odd:\n\n" + quoted + "\n"
    ).encode()
    write(
        "19-missing-part-and-reply", {"series.mbox": as_mbox([parts[0], parts[1], reply, parts[3]])}
    )
    # 30: part 1/3 of that series alone, as b4 hands it to a per-patch check
    write("30-one-part-alone", {"series.mbox": as_mbox([parts[1]])})

    # 20: v1 and v2 of a series in one mbox, v2 part 1 twice
    v1 = k.format_patch("--cover-letter")
    write("20-two-versions-duplicate", {"series.mbox": as_mbox(v1 + parts + [parts[1]])})

    # 21: a truncated hunk in part 1 of 2; part 2 is still reviewed
    k.reset()
    k.edit(SWAPOPS, *GUARD_DEFINE)
    k.commit("mm: add PTE_MARKER_GUARD", "Part one.")
    k.edit(
        "arch/arm/include/asm/pgtable.h",
        "#define __SWP_TYPE_BITS		5",
        "#define __SWP_TYPE_BITS		4",
    )
    k.commit("ARM: mm: shrink the swap type field", "Part two.")
    two = k.format_patch()
    first = two[0].decode()
    cut = first.index("@@")
    broken = first[:cut] + "@@ -430,6 +430,7 @@\n #define  PTE_MARKER_POISONED\n"
    write("21-truncated-hunk", {"series.mbox": as_mbox([broken.encode(), two[1]])})

    # 22: a mips helper set without its clear helper (an arch the spec does not describe)
    k.reset()
    mips = k.root / "arch/mips/include/asm"
    mips.mkdir(parents=True)
    (mips / "pgtable-swp.h").write_text("/* SPDX-License-Identifier: GPL-2.0 */\n")
    git(k.root, "add", "-A")
    git(k.root, "-c", "user.name=G", "-c", "user.email=g@example.org", "commit", "-qm", "mips base")
    k.base = git(k.root, "rev-parse", "HEAD").strip()
    (mips / "pgtable-swp.h").write_text(
        "/* SPDX-License-Identifier: GPL-2.0 */\n"
        "#define _PAGE_SWP_EXCLUSIVE	(1 << 23)\n\n"
        "static inline pte_t pte_swp_mkexclusive(pte_t pte)\n{\n"
        "	pte_val(pte) |= _PAGE_SWP_EXCLUSIVE;\n	return pte;\n}\n\n"
        "static inline int pte_swp_exclusive(pte_t pte)\n{\n"
        "	return pte_val(pte) & _PAGE_SWP_EXCLUSIVE;\n}\n"
    )
    k.commit("MIPS: mm: remember PG_anon_exclusive in swap PTEs", "Exclusive bit 23.")
    write("22-foreign-arch-incomplete", {"0001-mips.patch": k.format_patch()[0]})


def build_more(k: Kernel) -> None:
    # 23: eight more device types: MAX_SWAPFILES falls to 15, below the floor of 16
    k.reset()
    k.edit("include/linux/swap.h", "#define SWP_DEVICE_NUM 4", "#define SWP_DEVICE_NUM 12")
    more = "".join(
        f"#define SWP_DEVICE_EXTRA{i} (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+{4 + i})\n"
        for i in range(8)
    )
    k.edit(
        "include/linux/swap.h",
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)\n",
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)\n"
        + more,
    )
    k.commit("mm: add eight device entry types", "Too many.")
    write("23-budget-below-floor", {"series.mbox": as_mbox(k.format_patch())})

    # 24: seven more: MAX_SWAPFILES 16, exactly the floor (near miss of 23)
    k.reset()
    k.edit("include/linux/swap.h", "#define SWP_DEVICE_NUM 4", "#define SWP_DEVICE_NUM 11")
    k.edit(
        "include/linux/swap.h",
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)\n",
        "#define SWP_DEVICE_EXCLUSIVE_READ (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+3)\n"
        + "".join(more.splitlines(keepends=True)[:7]),
    )
    k.commit("mm: add seven device entry types", "Just fits.")
    write("24-budget-at-floor", {"series.mbox": as_mbox(k.format_patch())})

    # 25: a new group that MAX_SWAPFILES does subtract (near miss of 11)
    k.reset()
    k.edit(
        "include/linux/swap.h",
        "#define SWP_PTE_MARKER_NUM 1",
        "#define SWP_FOO_NUM 1\n#define SWP_FOO (MAX_SWAPFILES+SWP_HWPOISON_NUM+SWP_MIGRATION_NUM+SWP_DEVICE_NUM+SWP_PTE_MARKER_NUM)\n"
        "#define SWP_PTE_MARKER_NUM 1",
    )
    k.edit(
        "include/linux/swap.h",
        "\tSWP_PTE_MARKER_NUM)",
        "\tSWP_PTE_MARKER_NUM - SWP_FOO_NUM)",
    )
    k.commit("mm: add SWP_FOO", "Counted this time.")
    write("25-count-subtracted", {"series.mbox": as_mbox(k.format_patch())})

    # 26: a marker at bit 18, inside every offset (arc's is 19 bits; near miss of 07)
    k.reset()
    k.edit(SWAPOPS, *marker_define("HIGH", "BIT(18)", "(BIT(2) - 1 | BIT(18))"))
    k.edit(SWAPOPS, *marker_helpers("HIGH"))
    k.commit("mm: add PTE_MARKER_HIGH", "A marker in bit 18.")
    write("26-marker-high-but-inside", {"series.mbox": as_mbox(k.format_patch())})

    # 27: a wider arm type field (near miss of 13: no SWP302)
    k.reset()
    k.edit(
        "arch/arm/include/asm/pgtable.h",
        "#define __SWP_TYPE_BITS\t\t5",
        "#define __SWP_TYPE_BITS\t\t6",
    )
    k.commit("ARM: mm: widen the swap type field", "More types.")
    write("27-type-field-wider", {"series.mbox": as_mbox(k.format_patch())})

    # 28: a patch mail with a binary attachment and an 8-bit latin-1 body
    k.reset()
    k.edit(SWAPOPS, *GUARD_DEFINE)
    k.edit(SWAPOPS, *GUARD_HELPERS)
    k.commit("mm: add PTE_MARKER_GUARD", "Caf\u00e9 r\u00e9sum\u00e9: guard regions.")
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    plain = k.format_patch()[0].split(b"\n", 1)[1]
    parsed = email.message_from_bytes(plain, policy=email.policy.compat32)
    mixed = MIMEMultipart()
    for header in ("From", "Subject", "Date"):
        mixed[header] = parsed[header]
    mixed.attach(MIMEText(parsed.get_payload(decode=True).decode("utf-8"), "plain", "iso-8859-1"))
    mixed.attach(MIMEApplication(bytes(range(256)), Name="blob.bin"))
    write("28-attachment-latin1", {"0001-guard.eml": mixed.as_bytes()})

    # 29: GUARD defined as two bits
    k.reset()
    k.edit(SWAPOPS, *marker_define("GUARD", "(BIT(2) | BIT(3))", "(BIT(4) - 1)"))
    k.edit(SWAPOPS, *GUARD_HELPERS)
    k.commit("mm: add PTE_MARKER_GUARD", "A guard marker of two bits.")
    write("29-marker-not-one-bit", {"series.mbox": as_mbox(k.format_patch())})


def main() -> None:
    source = kernel_tree("6.12")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "linux"
        shutil.copytree(source, root)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(
            root,
            "-c",
            "user.name=Base",
            "-c",
            "user.email=base@example.org",
            "commit",
            "-qm",
            "base",
        )
        kernel = Kernel(root)
        build_more(kernel)
        build(kernel)
    print(f"corpus written to {HERE}")


if __name__ == "__main__":
    main()
