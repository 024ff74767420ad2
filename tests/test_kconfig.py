"""The Kconfig reader (codegen.csrc.kconfig): synthetic texts, then the Debian kernel trees."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codegen.csrc.kconfig import (
    Entry,
    KconfigProblem,
    Select,
    canonical,
    conjunction,
    known_value,
    may_select,
    parse_expression,
    read_kconfig,
)
from codegen.kernel.arches import ARCHES as REGISTRY
from tests.kernel_trees import kernel_tree

SPECS = Path(__file__).resolve().parent.parent / "specs"
WATCHED = ("HAVE_ARCH_SOFT_DIRTY", "HAVE_ARCH_USERFAULTFD_WP", "ARCH_HAS_PTE_SPECIAL")


def selects(text: str, symbol: str = "SD") -> list[tuple[str, str, str | None, str | None, int]]:
    """(symbol, under, condition, effective, line) of every select of ``symbol``."""
    kconfig = read_kconfig(text, "K")
    assert kconfig.problems == ()
    return [
        (s.symbol, s.under, s.condition, s.effective, s.line) for s in kconfig.selects_of(symbol)
    ]


# --- lines ---------------------------------------------------------------------------------


def test_a_select_split_with_a_backslash_is_one_select_at_its_first_line():
    text = "config A\n\tbool\n\tselect \\\n\t\tSD\n\tselect SD \\\n\t\tif X\n"
    assert selects(text) == [("SD", "A", None, None, 3), ("SD", "A", "X", "X", 5)]


def test_a_condition_continued_after_its_and_is_read_whole():
    text = "config A\n\tselect SD if 64BIT && \\\n\t\t   MMU\n\tselect OTHER\n"
    assert selects(text) == [("SD", "A", "64BIT && MMU", "64BIT && MMU", 2)]
    assert [s.line for s in read_kconfig(text, "K").entry("A").selects] == [2, 4]


def test_a_trailing_comment_is_not_part_of_the_condition():
    text = (
        "config A\n"
        "\tselect SD if X86_64   # not on 32-bit\n"
        "\tselect SD # plain\n"
        '\tselect SD if FOO="a#b" # a # in quotes stays\n'
        "# select SD if COMMENTED_OUT\n"
    )
    assert selects(text) == [
        ("SD", "A", "X86_64", "X86_64", 2),
        ("SD", "A", None, None, 3),
        ("SD", "A", 'FOO="a#b"', 'FOO="a#b"', 4),
    ]


def test_help_text_never_selects_and_the_next_entry_is_read():
    text = (
        "config A\n"
        '\tbool "a"\n'
        "\thelp\n"
        "\t  Say Y. This will\n"
        "\t  select HAVE_ARCH_SOFT_DIRTY\n"
        "\n"
        "          select HAVE_ARCH_SOFT_DIRTY if 64BIT\n"
        "\t    config NOT_AN_ENTRY\n"
        "config B\n"
        "\t---help---\n"
        "\t  select HAVE_ARCH_SOFT_DIRTY\n"
        "\tselect HAVE_ARCH_SOFT_DIRTY\n"
    )
    kconfig = read_kconfig(text, "K")
    assert [(e.name, e.line) for e in kconfig.entries] == [("A", 1), ("B", 9)]
    assert selects(text, "HAVE_ARCH_SOFT_DIRTY") == [("HAVE_ARCH_SOFT_DIRTY", "B", None, None, 12)]


def test_tabs_and_spaces_mix():
    text = "config A\n        bool\n  \tselect SD if\tX\n    help\n\t  select SD\nconfig B\n"
    assert selects(text) == [("SD", "A", "X", "X", 3)]


# --- blocks --------------------------------------------------------------------------------


def test_an_if_block_conditions_the_selects_inside_it():
    text = (
        "config A\n"
        "\tselect SD\n"
        "if 64BIT\n"
        "config B\n"
        "\tselect SD if MMU\n"
        "if X86 || ARM64 # nested\n"
        "config C\n"
        "\tselect SD\n"
        "endif\n"
        "config D\n"
        "\tselect SD\n"
        "endif # 64BIT\n"
        "config E\n"
        "\tselect SD\n"
    )
    assert selects(text) == [
        ("SD", "A", None, None, 2),
        ("SD", "B", "MMU", "64BIT && MMU", 5),
        ("SD", "C", None, "(ARM64 || X86) && 64BIT", 8),
        ("SD", "D", None, "64BIT", 11),
        ("SD", "E", None, None, 14),
    ]


def test_a_menu_depends_on_applies_inside_but_visible_if_does_not():
    text = (
        'menu "Kernel features"\n'
        "\tdepends on MMU\n"
        "\tdepends on !UML\n"
        "\tvisible if EXPERT\n"
        "config A\n"
        "\tselect SD if 64BIT\n"
        "endmenu\n"
        "config B\n"
        "\tselect SD\n"
    )
    assert selects(text) == [
        ("SD", "A", "64BIT", "!UML && 64BIT && MMU", 6),
        ("SD", "B", None, None, 9),
    ]


def test_a_choice_depends_on_applies_to_its_entries():
    text = (
        "choice\n"
        '\tprompt "Page size"\n'
        "\tdepends on PPC64\n"
        "\tdefault PPC_64K_PAGES if PPC_BOOK3S_64\n"
        "config PPC_4K_PAGES\n"
        '\tbool "4k"\n'
        "\tselect SD if PPC_BOOK3S_64\n"
        "config PPC_64K_PAGES\n"
        '\tbool "64k"\n'
        "\tdepends on 44x || PPC_BOOK3S_64\n"
        "\tselect SD\n"
        "endchoice\n"
    )
    kconfig = read_kconfig(text, "K")
    assert selects(text) == [
        ("SD", "PPC_4K_PAGES", "PPC_BOOK3S_64", "PPC64 && PPC_BOOK3S_64", 7),
        ("SD", "PPC_64K_PAGES", None, "PPC64", 11),
    ]
    assert kconfig.entry("PPC_64K_PAGES").depends == "44x || PPC_BOOK3S_64"
    assert kconfig.entry("PPC_4K_PAGES").depends is None


def test_menuconfig_entries_and_their_own_depends_stay_off_effective():
    text = (
        "menuconfig VIRT\n"
        '\tbool "Virtualization"\n'
        "\tdepends on HAVE_KVM\n"
        "\tselect SD if KVM\n"
        "\tdepends on MMU && (X86 || S390)\n"
    )
    kconfig = read_kconfig(text, "Kconfig")
    select = Select("SD", "VIRT", "KVM", "KVM", "Kconfig", 4)
    assert kconfig.entries == (
        Entry(
            "VIRT", "menuconfig", "Kconfig", 1, "(S390 || X86) && HAVE_KVM && MMU", (select,), ()
        ),
    )


def test_imply_is_recorded_apart_from_select():
    text = "config A\n\timply SD if X\n\tselect OTHER\n"
    entry = read_kconfig(text, "K").entry("A")
    assert entry is not None
    assert entry.implies == (Select("SD", "A", "X", "X", "K", 2),)
    assert [s.symbol for s in entry.selects] == ["OTHER"]
    assert read_kconfig(text, "K").selects_of("SD") == []


def test_sources_comments_and_repeated_entries():
    text = (
        'mainmenu "Linux"\n'
        'source "arch/$(SRCARCH)/Kconfig"\n'
        'comment "Processor"\n'
        "\tdepends on X86\n"
        "config NR\n"
        "\tint\n"
        "\tdefault 8\n"
        "config NR\n"
        "\tdefault 64 if 64BIT\n"
        "\tselect SD\n"
        'osource "optional/Kconfig"\n'
    )
    kconfig = read_kconfig(text, "K")
    assert kconfig.problems == ()
    assert kconfig.sources == ("arch/$(SRCARCH)/Kconfig", "optional/Kconfig")
    assert [(e.name, e.line) for e in kconfig.entries] == [("NR", 5), ("NR", 8)]
    assert kconfig.entry("NR") == kconfig.entries[0]
    assert kconfig.entry("MISSING") is None
    assert [s.line for s in kconfig.selects_of("SD")] == [10]


def test_macros_in_conditions_are_symbols():
    text = "config A\n\tdepends on !64BIT || $(cc-option,-mabi=lp64 -march=rv64ima)\n"
    assert (
        read_kconfig(text, "K").entry("A").depends
        == "!64BIT || $(cc-option,-mabi=lp64 -march=rv64ima)"
    )


# --- expressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "text"),
    [
        (["X86_64 && USERFAULTFD", "USERFAULTFD&&X86_64", "(X86_64) && (USERFAULTFD)",
          "((USERFAULTFD && X86_64))", "X86_64 && USERFAULTFD && X86_64"],
         "USERFAULTFD && X86_64"),
        (["!A", "!(A)", "!!!A", "( ! A )"], "!A"),
        (["A || B", "B||A", "(B) || A || B"], "A || B"),
        (["C && (A || B)", "(B || A) && C", "C&&(B||A)"], "(A || B) && C"),
        (["A && B || C", "C || (B && A)", "(A && B) || (C)"], "A && B || C"),
        (["A && (B && C)", "(A && B) && C", "C && B && A"], "A && B && C"),
        (["SYM=val", "SYM = val", "(SYM= val)", "!(SYM!=val)"], "SYM=val"),
        (["SYM!=val", "!(SYM=val)", "! SYM = val"], "SYM!=val"),
        (["!(A || B)", "!(B || A)"], "!(A || B)"),
        (['ARCH = "x86"', "ARCH='x86'"], 'ARCH="x86"'),
        (["NR >= 4", "!(NR < 4)"], "NR>=4"),
        (["64BIT", " 64BIT "], "64BIT"),
        (["y", "(y)"], "y"),
    ],
)  # fmt: skip
def test_every_spelling_of_a_condition_has_one_canonical_text(spellings, text):
    assert [canonical(s) for s in spellings] == [text] * len(spellings)


def test_different_conditions_stay_different():
    assert canonical("A && B || C") != canonical("A && (B || C)")
    assert canonical("!A && B") != canonical("!(A && B)")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("A &&", "expected a symbol at the end in 'A &&'"),
        ("(A || B", "expected ')' at the end in '(A || B'"),
        ("A B", "unexpected token at 'B' in 'A B'"),
        ("A = (B)", "expected a symbol at '(' in 'A = (B)'"),
        ("A & B", "unexpected character '&' in 'A & B'"),
        ("", "empty expression"),
    ],
)
def test_a_bad_expression_is_a_value_error(bad, message):
    with pytest.raises(ValueError) as err:
        canonical(bad)
    assert str(err.value) == message


def test_conjunction():
    assert conjunction(None, None) is None
    assert conjunction("X86_64 && USERFAULTFD", None, "MMU") == "MMU && USERFAULTFD && X86_64"
    assert conjunction("A || B", "C", "A||B") == "(A || B) && C"
    assert conjunction("A") == "A"


# --- problems ------------------------------------------------------------------------------


def test_an_endif_without_if_is_one_problem_and_reading_goes_on():
    text = "config A\nendif\nconfig B\n\tselect SD\n"
    kconfig = read_kconfig(text, "arch/x/Kconfig")
    assert kconfig.problems == (KconfigProblem("arch/x/Kconfig", 2, "endif without a matching if"),)
    assert [s.under for s in kconfig.selects_of("SD")] == ["B"]


def test_an_if_never_closed_is_one_problem_at_its_line():
    text = "config A\nif MMU\nconfig B\n\tselect SD\n"
    kconfig = read_kconfig(text, "K")
    assert [str(p) for p in kconfig.problems] == [
        "K:2: if is never closed: no endif before the end"
    ]
    assert [(s.under, s.effective) for s in kconfig.selects_of("SD")] == [("B", "MMU")]


def test_an_endmenu_over_an_open_if_reports_the_if():
    text = 'menu "m"\nif A\nconfig B\nendmenu\nconfig C\n\tselect SD\n'
    kconfig = read_kconfig(text, "K")
    assert [str(p) for p in kconfig.problems] == [
        "K:2: if is never closed: no endif before line 4's endmenu"
    ]
    assert [(s.under, s.effective) for s in kconfig.selects_of("SD")] == [("C", None)]


def test_a_condition_with_a_syntax_error_is_one_problem_and_reading_goes_on():
    text = "config A\n\tselect SD if 64BIT &&\n\tselect SD if MMU\nconfig B\n\tselect SD\n"
    kconfig = read_kconfig(text, "K")
    assert [str(p) for p in kconfig.problems] == [
        "K:2: select ignored: expected a symbol at the end in '64BIT &&'"
    ]
    assert [(s.under, s.condition, s.line) for s in kconfig.selects_of("SD")] == [
        ("A", "MMU", 3),
        ("B", None, 5),
    ]


def test_bad_depends_and_if_lines_are_problems():
    text = "config A\n\tdepends on (X\nif Y ||\nconfig B\n\tselect SD\nendif\n"
    kconfig = read_kconfig(text, "K")
    assert [str(p) for p in kconfig.problems] == [
        "K:2: depends on: expected ')' at the end in '(X'; ignored",
        "K:3: if: expected a symbol at the end in 'Y ||'; ignored",
    ]
    assert kconfig.entry("A").depends is None
    assert [(s.under, s.effective) for s in kconfig.selects_of("SD")] == [("B", None)]


# --- the Debian kernel trees ---------------------------------------------------------------

ARCHES = ("x86", "arm64", "riscv", "powerpc", "s390", "loongarch", "arm")

REAL_SELECTS = {
    ("6.1", "x86"): [
        ("HAVE_ARCH_SOFT_DIRTY", "X86_64", None, 31),
        ("HAVE_ARCH_USERFAULTFD_WP", "X86", "USERFAULTFD && X86_64", 188),
        ("ARCH_HAS_PTE_SPECIAL", "X86", None, 89),
    ],
    ("6.1", "arm64"): [("ARCH_HAS_PTE_SPECIAL", "ARM64", None, 36)],
    ("6.1", "riscv"): [("ARCH_HAS_PTE_SPECIAL", "RISCV", None, 29)],
    ("6.1", "powerpc"): [
        ("HAVE_ARCH_SOFT_DIRTY", "PPC_4K_PAGES", "PPC_BOOK3S_64", 781),
        ("HAVE_ARCH_SOFT_DIRTY", "PPC_64K_PAGES", "PPC_BOOK3S_64", 790),
        ("ARCH_HAS_PTE_SPECIAL", "PPC", None, 140),
    ],
    ("6.1", "s390"): [
        ("HAVE_ARCH_SOFT_DIRTY", "S390", None, 148),
        ("ARCH_HAS_PTE_SPECIAL", "S390", None, 76),
    ],
    ("6.1", "loongarch"): [("ARCH_HAS_PTE_SPECIAL", "LOONGARCH", None, 15)],
    ("6.1", "arm"): [("ARCH_HAS_PTE_SPECIAL", "ARM", "ARM_LPAE", 18)],
    ("6.12", "x86"): [
        ("HAVE_ARCH_SOFT_DIRTY", "X86_64", None, 32),
        ("HAVE_ARCH_USERFAULTFD_WP", "X86", "USERFAULTFD && X86_64", 205),
        ("ARCH_HAS_PTE_SPECIAL", "X86", None, 98),
    ],
    ("6.12", "arm64"): [
        ("HAVE_ARCH_USERFAULTFD_WP", "ARM64", "USERFAULTFD", 268),
        ("ARCH_HAS_PTE_SPECIAL", "ARM64", None, 44),
    ],
    ("6.12", "riscv"): [("ARCH_HAS_PTE_SPECIAL", "RISCV", None, 45)],
    ("6.12", "powerpc"): [
        ("HAVE_ARCH_SOFT_DIRTY", "PPC_4K_PAGES", "PPC_BOOK3S_64", 820),
        ("HAVE_ARCH_SOFT_DIRTY", "PPC_64K_PAGES", "PPC_BOOK3S_64", 831),
        ("ARCH_HAS_PTE_SPECIAL", "PPC", None, 151),
    ],
    ("6.12", "s390"): [
        ("HAVE_ARCH_SOFT_DIRTY", "S390", None, 166),
        ("ARCH_HAS_PTE_SPECIAL", "S390", None, 85),
    ],
    ("6.12", "loongarch"): [("ARCH_HAS_PTE_SPECIAL", "LOONGARCH", None, 27)],
    ("6.12", "arm"): [("ARCH_HAS_PTE_SPECIAL", "ARM", "ARM_LPAE", 21)],
}
"""(symbol, under, effective, line) per tree and arch, in the order of WATCHED."""


def read_tree_file(version: str, path: str):
    return read_kconfig((kernel_tree(version) / path).read_text(), path)


@pytest.mark.parametrize(("version", "arch"), list(REAL_SELECTS))
def test_real_arch_kconfig_selects(version, arch):
    kconfig = read_tree_file(version, f"arch/{arch}/Kconfig")
    assert kconfig.problems == ()
    found = [
        (s.symbol, s.under, s.effective, s.line) for w in WATCHED for s in kconfig.selects_of(w)
    ]
    assert found == REAL_SELECTS[version, arch]


@pytest.mark.parametrize("version", ["6.1", "6.12"])
def test_real_kconfig_selects_match_the_bundled_spec(version):
    spec = yaml.safe_load((SPECS / f"linux-{version}.yaml").read_text())
    for name, arch in spec["arches"].items():
        kconfig = read_tree_file(version, arch["kconfig"])
        wanted = {
            (s["symbol"], s["under"], s["if"] and canonical(s["if"]))
            for s in arch["kconfig_selects"]
        }
        config = REGISTRY[name].read_config
        found = {
            (s.symbol, s.under, s.condition)
            for symbol in WATCHED[:2]
            for s in kconfig.selects_of(symbol)
            if may_select(s.under, s.effective, config)  # the variant's, not another's
        }
        assert found == wanted, name


def test_a_select_for_another_variant_is_not_this_ones():
    x86_32 = REGISTRY["x86_32"].read_config
    x86_64 = REGISTRY["x86_64"].read_config
    assert not may_select("X86_64", None, x86_32)
    assert may_select("X86_64", None, x86_64)
    assert not may_select("X86", "USERFAULTFD && X86_64", x86_32)
    assert may_select("X86", "USERFAULTFD && X86_64", x86_64)  # USERFAULTFD is left open
    assert may_select("X86", "!X86_64 || FOO", x86_32)
    assert not may_select("X86", "X86_64 && FOO", x86_32)
    assert known_value(parse_expression("FOO || !X86_64"), x86_32) is True
    assert known_value(parse_expression("FOO && X86_32"), x86_32) is None


@pytest.mark.parametrize(("version", "line"), [("6.1", 1144), ("6.12", 1271)])
def test_real_mm_kconfig(version, line):
    kconfig = read_tree_file(version, "mm/Kconfig")
    assert kconfig.problems == ()
    entry = kconfig.entry("PTE_MARKER_UFFD_WP")
    assert entry is not None
    assert (entry.kind, entry.line, entry.depends) == ("config", line, "HAVE_ARCH_USERFAULTFD_WP")
    assert kconfig.selects_of("HAVE_ARCH_SOFT_DIRTY") == []
