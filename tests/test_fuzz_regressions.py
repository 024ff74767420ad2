"""Every input the fuzzers (tests/test_fuzz.py, bench/fuzz.py) ever crashed on, replayed
through the same checks, with what went wrong before the fix."""

from __future__ import annotations

import pytest

from tests.fuzzing import TARGETS

CHECKS = {target.name: target.check for target in TARGETS}

CRASHES = [
    # a YAML document that is just null passed validation, then show crashed (TypeError)
    ("spec", b"null\n...\n"),
    # BIT() of a huge count built a number of 2**70 bits: the test run was OOM-killed
    ("header", ("#define A BIT(1180591620717411303424)\n", "", {}, 64)),
    # an octal-looking 09 and GENMASK with one argument raised ValueError and IndexError
    ("header", ("#define A 09\n#define B GENMASK(1)\n#define C BIT()\n", "", {}, 32)),
    # a 5,000-digit decimal value hit Python's int() digit limit (ValueError)
    ("decode", ["decode", "--arch", "powerpc64", "--format", "json", "0x820e", "9" * 5000]),
    # a --config item with a newline made the error two lines
    ("decode", ["decode", "--arch", "x86_64", "--config", "CONFIG_\nMIGRATION=y", "0x1"]),
    ("encode", ["encode", "--arch", "arm64", "--type", "1", "--offset", "2", "--config", "\n"]),
    # a From header cut after '<' made the stdlib address parser raise IndexError
    ("mail", (b"From x Mon Sep 17 00:00:00 2001\nFrom: Grace <\nSubject: [PATCH] mm: x\n\n"
              b"---\ndiff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1 +1 @@\n-a\n+b\n",
              ["--format", "json", "--spec", "6.19"], False)),
    # a charset name with a NUL in it: codecs.lookup raised ValueError, not LookupError
    ("mail", (b'From 684da9079a0d014b9984e1de191cd5e20f170dfb Mon Sep 17 00:00:00 2001\nContent-Type: multipart/mixed; boundary="b0"\nFrom: Grace Hopper <grace@example.org>\nDate: Thu, 26 Nov 2026 02:25:31 +0000\nSubject: [PATCH] mm: add PTE_MARKER_GUARD\n\n--b0\nContent-Type: text/plain\n\nOnly the bit for now.\n\nSigned-off-by: Grace Hopper <grace@example.org>\n---\n include/linux/swapops.h | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n\ndiff --git a/include/linux/swapops.h b/include/linux/swapops.h\nindex d06bda5..f33dc34 100644\n--- a/include/linux/swapops.h\n+++ b/include/linux/swapops.h\n@@ -432,7 +432,8 @@ typedef unsigned long pte_marker;\n  * This marker is meant to represent any of various different causes of this.\n  */\n #define  PTE_MARKER_POISONED\t\t\tBIT(1)\n-#define  PTE_MARKER_MASK\t\t\t(BIT(2) - 1)\n+#define  PTE_MARKER_GUARD\t\t\tBIT(2)\n+#define  PTE_MARKER_MASK\t\t\t(BIT(3) - 1)\n \n static inline swp_entry_t make_pte_marker_entry(pte_marker marker)\n {\n-- \n2.39.5\n\n\n--b0--\nFrom cc35874b237ebb575a6a12c2f2f2bd7b509c7600 Mon Sep 17 00:00:00 2001\x00\nContent-Type: text/plain; charset=x-unknown\x00\nFrom: Grace Hopper <grace@example.org>\x00\nDate: Thu, 26 Nov 2026 02:25:32 +0000\x00\nSubject: [PATCH RFC 4/1] mm: x\n\nPart two.\n\nSigned-off-by: Grace Hopper <grace@example.org>\n---\n include/linux/swapops.h | 11 +++++++++++\n 1 file changed, 11 insertions(+)\n\ndiff --git a/include/linux/swapops.h b/include/linux/swapops.h\nindex f33dc34..d7e27de 100644\n--- a/include/linux/swapops.h\n+++ b/include/linux/swapops.h\n@@ -471,6 +471,17 @@ static inline int is_poisoned_swp_entry(swp_entry_t entry)\n \t    (pte_marker_get(entry) & PTE_MARKER_POISONED);\n }\n \n+static inline swp_entry_t make_guard_swp_entry(void)\n+{\n+\treturn make_pte_marker_entry(PTE_MARKER_GUARD);\n+}\n+\n+static inline int is_guard_swp_entry(swp_entry_t entry)\n+{\n+\treturn is_pte_marker_entry(entry) &&\n+\t    (pte_marker_get(entry) & PTE_MARKER_GUARD);\n+}\n+\n /*\n  * This is a special version to check pte_none() just to cover the case when\n  * the pte is a pte marker.  It existed because in many cases the pte marker\n-- \n2.39.5\n\nFrom reviewer Mon Sep 17 00:00:00 2001\nFrom: Reviewer <rev@example.org>\nSubject: =?utf-8?b?W1BBVENI?= =?x?q?=ZZ?=\nContent-Type: text/plain; charset=\n\nLooks odd:\n\n> Part one.\n> \n> Signed-off-by: Grace Hopper <grace@example.org>\n> ---\n>  include/linux/swapops.h | 3 ++-\n>  1 file changed, 2 insertions(+), 1 deletion(-)\n> \n> diff --git a/include/linux/swapops.h b/include/linux/swapops.h\n> index d06bda5..f33dc34 100644\n> --- a/include/linux/swapops.h\n> +++ b/include/linux/swapops.h\n> @@ -432,7 +432,8 @@ typedef unsigned long pte_marker;\n>   * This marker is meant to represent any of various different causes of this.\n>   */\n>  #define  PTE_MARKER_POISONED\t\t\tBIT(1)\n> -#define  PTE_MARKER_MASK\t\t\t(BIT(2) - 1)\n> +#define  PTE_MARKER_GUARD\t\t\tBIT(2)\n> +#define  PTE_MARKER_MASK\t\t\t(BIT(3) - 1)\n>  \n>  static inline swp_entry_t make_pte_marker_entry(pte_marker marker)\n>  {\n> -- \n> 2.39.5\n> \nFrom 78c9d21b0d1262b16e3920b90514b4a839588f92 Mon Sep 17 00:00:00 2001\x00\r\nFrom: Grace Hopper <grace@example.org>\x00\r\nDate: Thu, 26 Nov 2026 02:25:32 +0000\x00\r\nSubject: [PATCH RFC 5/3] mm: x\r\n\r\nSoft-dirty for arm64.\r\n\r\nSigned-off-by: Grace Hopper <grace@example.org>\r\n---\r\n arch/arm64/Kconfig | 1 +\r\n 1 file changed, 1 insertion(+)\r\n\r\ndiff --git a/arch/arm64/Kconfig b/arch/arm64/Kconfig\r\nindex 7ae3cd7..b997d36 100644\r\n--- a/arch/arm64/Kconfig\r\n+++ b/arch/arm64/Kconfig\r\n@@ -265,6 +265,7 @@ config ARM64\r\n \tselect SYSCTL_EXCEPTION_TRACE\r\n \tselect THREAD_INFO_IN_TASK\r\n \tselect HAVE_ARCH_USERFAULTFD_MINOR if USERFAULTFD\r\n+\tselect HAVE_ARCH_SOFT_DIRTY\r\n \tselect HAVE_ARCH_USERFAULTFD_WP if USERFAULTFD\r\n \tselect TRACE_IRQFLAGS_SUPPORT\r\n \tselect TRACE_IRQFLAGS_NMI_SUPPORT\r\n-- \r\n2.39.5\r\n\r\n', ['--format', 'json', '--spec', '6.19'], True)),
    # "\\ No newline at end of file" first in a hunk: its line number None reached
    # the layout-comment reader (TypeError)
    ("diff", (b'From 0a66ca5dba24bf0adb1ccd17a8b334b995163e8b Mon Sep 17 00:00:00 2001\nFrom: Grace Hopper <grace@example.org>\nDate: Thu, 26 Nov 2026 02:25:31 +0000\nSubject: [PATCH] mm: guard\nMIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\nMake it faster.\n\nSigned-off-by: Grace Hopper <grace@example.org>\n---\n+ndex 14bbd90..a4f7a69 100644\n--- a/arch/riscv/include/asm/pgtable.h\n+++ b/arch/riscv/include/asm/pgtable.h\n@@ -854,7 +854,7 @@ extern pmd_t pmdp_collapse_flush(struct vm_area_struct *vma,\n\\ No newline at end of file\n  *\tbit       1 to 3:       _PAGE_LEAF (zero)\n  *\tbit            5:\t_PAGE_PROT_NONE (zero)\n  *\tbit            6:\texclusive marker\n- *\tbits      7 to 11:\tswap type\n+ *\tbits      6 to 10:\tswap type\n  *\tbits 12 to XLEN-1:\tswap offset\n  */\n #define __SWP_TYPE_SHIFT\t7\n-- \n2.39.5\n', ["--format", "text", "--spec", "6.1"], False)),
]


@pytest.mark.parametrize(("target", "example"), CRASHES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(CRASHES)])
def test_input_that_once_crashed(target, example, tmp_path):
    CHECKS[target](example, tmp_path)
