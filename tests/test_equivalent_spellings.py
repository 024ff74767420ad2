"""A tree whose values are spelled differently but mean the same syncs exactly as the
original: the reader does C's arithmetic with C's types and reads Kconfig whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_main
from tests.kernel_trees import copy_fixed_tree

X86_SELECT = "\tselect HAVE_ARCH_USERFAULTFD_WP         if X86_64 && USERFAULTFD\n"
"""6.12's arch/x86/Kconfig line that the spec records as under X86, if X86_64 && USERFAULTFD."""

EQUIVALENT = {
    # C spellings of the same values
    "arch/x86/include/asm/pgtable_64.h": [
        ("#define SWP_TYPE_BITS\t\t5\n", "#define SWP_TYPE_BITS\t\t(11 / 2)\n"),
    ],
    "arch/arm64/include/asm/pgtable.h": [
        ("#define __SWP_TYPE_BITS\t\t5\n", "#define __SWP_TYPE_BITS\t\t((u8)0x105)\n"),
    ],
    "arch/riscv/include/asm/pgtable.h": [
        (
            "#define __SWP_TYPE_MASK\t\t((1UL << __SWP_TYPE_BITS) - 1)\n",
            # not ~0UL >> 59: riscv32 reads this header too, and there it shifts past the width
            "#define __SWP_TYPE_MASK\t\t(~0U >> 27)\n",
        ),
    ],
    # the select moved into a second definition of config X86, inside an if block and
    # split over two lines: the same effective condition
    "arch/x86/Kconfig": [
        (X86_SELECT, ""),
        ("\nendmenu\n", "\nendmenu\n\nif X86_64\nconfig X86\n\tselect HAVE_ARCH_USERFAULTFD_WP if \\\n\t\tUSERFAULTFD\nendif\n"),
    ],
}  # fmt: skip


def rewrite(tree: Path, edits: dict[str, list[tuple[str, str]]]) -> None:
    for relpath, pairs in edits.items():
        path = tree / relpath
        text = path.read_text()
        for old, new in pairs:
            assert text.count(old) >= 1, (relpath, old)
            if old == "\nendmenu\n":  # append after the last menu of the file
                head, _, tail = text.rpartition(old)
                text = head + new + tail
            else:
                text = text.replace(old, new, 1)
        path.write_text(text)


def sync(tree: Path) -> tuple[int, list[tuple[str, str, str]]]:
    result = run_main("sync", "--tree", str(tree), "--spec", "6.12", "--format", "json")
    report = json.loads(result.out)
    return result.code, [(f["rule"], f["file"], f["message"]) for f in report["findings"]]


def test_equivalent_spellings_sync_exactly_as_the_original(tmp_path):
    original = sync(copy_fixed_tree("6.12", tmp_path / "fixed"))
    tree = copy_fixed_tree("6.12", tmp_path / "linux")
    rewrite(tree, EQUIVALENT)
    assert sync(tree) == original == (0, [])


@pytest.mark.parametrize(
    ("relpath", "old", "new", "expected"),
    [
        (
            "arch/x86/include/asm/pgtable_64.h",
            "#define SWP_TYPE_BITS\t\t5\n",
            "#define SWP_TYPE_BITS\t\t(13 / 2)\n",
            "x86_64: SWP_TYPE_BITS is 0x6 in the tree, 0x5 in the spec",
        ),
        (
            "arch/arm64/include/asm/pgtable.h",
            "#define __SWP_TYPE_BITS\t\t5\n",
            "#define __SWP_TYPE_BITS\t\t((u8)0x106)\n",
            "arm64: __SWP_TYPE_BITS is 0x6 in the tree, 0x5 in the spec",
        ),
        (
            "arch/x86/Kconfig",
            X86_SELECT,
            "\tselect HAVE_ARCH_USERFAULTFD_WP if X86_64 || USERFAULTFD\n",
            "x86_64: config X86 has 'select HAVE_ARCH_USERFAULTFD_WP if USERFAULTFD || X86_64', "
            "the spec has 'select HAVE_ARCH_USERFAULTFD_WP if X86_64 && USERFAULTFD'",
        ),
    ],
    ids=["division", "truncating-cast", "condition"],
)
def test_a_spelling_that_changes_the_value_is_drift(tmp_path, relpath, old, new, expected):
    tree = copy_fixed_tree("6.12", tmp_path / "linux")
    rewrite(tree, {relpath: [(old, new)]})
    code, findings = sync(tree)
    assert expected in [message for _rule, _file, message in findings], findings
    assert code == 1 or all(rule == "SWP527" for rule, _f, _m in findings)
