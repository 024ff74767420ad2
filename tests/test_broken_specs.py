"""Broken specs: each gives the right message at the right line, exit 1, no traceback.

Every case edits one bundled spec the way a person might get it wrong, then checks that
``swapgen validate`` names the file, the line of the edit and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from codegen.spec.load import check_spec
from tests.conftest import SpecEditor, run_main, spec_path


@dataclass
class Case:
    id: str
    version: str
    edits: tuple[tuple[str, str], ...]
    line_needle: str  # the expected line is the first line (after the edit) containing this
    message: str  # must appear in the problem reported on that line
    nth: int = 1


CASES = [
    Case(
        "flag-overlaps-offset-field",
        "6.19",
        (
            (
                "exclusive: {bit: 3, macro: _PAGE_SWP_EXCLUSIVE",
                "exclusive: {bit: 9, macro: _PAGE_SWP_EXCLUSIVE",
            ),
        ),
        "exclusive: {bit: 9",
        "x86_64 flags.exclusive (bit 9) overlaps offset (bits 9-58, line ",
    ),
    Case(
        "flag-overlaps-flag",
        "6.19",
        (
            (
                "uffd_wp: {bit: 2, macro: _PAGE_SWP_UFFD_WP",
                "uffd_wp: {bit: 1, macro: _PAGE_SWP_UFFD_WP",
            ),
        ),
        "uffd_wp: {bit: 1",
        "x86_64 flags.uffd_wp (bit 1) overlaps flags.soft_dirty (bit 1, line ",
    ),
    Case(
        "flag-overlaps-must-be-zero-bit",
        "6.19",
        (
            (
                "uffd_wp: {bit: 3, macro: PTE_SWP_UFFD_WP",
                "uffd_wp: {bit: 11, macro: PTE_SWP_UFFD_WP",
            ),
        ),
        "name: PTE_PRESENT_INVALID",
        "arm64 zero_bits[1] (bit 11) overlaps flags.uffd_wp (bit 11, line ",
    ),
    Case(
        "type-field-narrower-than-max-swapfiles-shift",
        "6.19",
        (
            (
                "      lsb: 2\n      width: 5\n      macros: {lsb: __SWP_TYPE_SHIFT, width: __SWP_TYPE_BITS, mask: __SWP_TYPE_MASK}\n    offset:\n      lsb: 8",
                "      lsb: 2\n      width: 4\n      macros: {lsb: __SWP_TYPE_SHIFT, width: __SWP_TYPE_BITS, mask: __SWP_TYPE_MASK}\n    offset:\n      lsb: 8",
            ),
        ),
        "width: 4$",
        "arm type field is 4 bits, narrower than MAX_SWAPFILES_SHIFT 5",
    ),
    Case(
        "marker-bit-outside-offset",
        "6.19",
        (
            (
                "      bit: 2\n      make: make_guard_swp_entry",
                "      bit: 30\n      make: make_guard_swp_entry",
            ),
        ),
        "bit: 30",
        "PTE_MARKER_GUARD bit 30 does not fit the swap offset of arm (24 bits)",
    ),
    Case(
        "marker-bits-with-a-gap-under-low-bits-mask",
        "6.19",
        (
            (
                "      bit: 2\n      make: make_guard_swp_entry",
                "      bit: 5\n      make: make_guard_swp_entry",
            ),
        ),
        "mask_style: low_bits",
        "mask_style low_bits needs marker bits 0..2 without gaps, got bits 0, 1, 5",
    ),
    Case(
        "duplicate-marker-bit",
        "6.12",
        (
            (
                "      bit: 1\n      make: make_poisoned_swp_entry",
                "      bit: 0\n      make: make_poisoned_swp_entry",
            ),
        ),
        "bit: 0",
        "PTE_MARKER_POISONED uses bit 0, already taken by PTE_MARKER_UFFD_WP",
        nth=2,
    ),
    Case(
        "duplicate-key",
        "6.19",
        (("      lsb: 59\n      width: 5\n", "      lsb: 59\n      width: 5\n      lsb: 58\n"),),
        "lsb: 58",
        "duplicate key 'lsb' (first defined at line ",
    ),
    Case(
        "wrong-value-type",
        "6.12",
        (("      lsb: 16\n      width: 7\n", "      lsb: 16\n      width: seven\n"),),
        "width: seven",
        "arches.loongarch64.type.width: expected an integer, got string 'seven'",
    ),
    Case(
        "unquoted-kernel-version",
        "6.12",
        (('kernel: "6.12"', "kernel: 6.12"),),
        "kernel: 6.12",
        'kernel: expected a string, got number 6.12 (quote it: "6.12")',
    ),
    Case(
        "unknown-key-in-arch-flags",
        "6.19",
        (
            (
                "      soft_dirty: {bit: 1, macro: _PAGE_SOFT_DIRTY",
                "      soft_dirt: {bit: 1, macro: _PAGE_SOFT_DIRTY",
            ),
        ),
        "soft_dirt:",
        "arches.s390.flags: unknown key 'soft_dirt' (did you mean 'soft_dirty'?)",
    ),
    Case(
        "unknown-arch",
        "6.1",
        (("  s390:\n", "  s390x:\n"),),
        "s390x:",
        "arches: unknown name 's390x' (did you mean 's390'?)",
    ),
    Case(
        "missing-required-field",
        "6.19",
        (
            (
                "    max_swapfiles_check: true\n    kconfig_selects:\n      - {symbol: HAVE_ARCH_USERFAULTFD_WP, under: ARM64, if: USERFAULTFD}",
                "    kconfig_selects:\n      - {symbol: HAVE_ARCH_USERFAULTFD_WP, under: ARM64, if: USERFAULTFD}",
            ),
        ),
        "  arm64:",
        "arches.arm64: missing required key 'max_swapfiles_check'",
    ),
    Case(
        "yaml-syntax-error",
        "6.19",
        (("types: [SWP_HWPOISON]", "types: [SWP_HWPOISON"),),
        "  - name: migration",
        "YAML syntax error",
    ),
    Case(
        "max-swapfiles-below-the-budget-floor",
        "6.19",
        (("min_max_swapfiles: 16", "min_max_swapfiles: 25"),),
        "min_max_swapfiles: 25",
        "MAX_SWAPFILES would be 24 with every gate on (32 type values - 8 special types), "
        "below min_max_swapfiles 25",
    ),
    Case(
        "uffd-wp-bit-without-kconfig-select",
        "6.12",
        (
            (
                "    kconfig_selects:\n      - {symbol: HAVE_ARCH_USERFAULTFD_WP, under: ARM64, if: USERFAULTFD}\n",
                "    kconfig_selects: []\n",
            ),
        ),
        "uffd_wp: {bit: 3, macro: PTE_SWP_UFFD_WP",
        "arm64 has a uffd_wp swap bit but kconfig_selects lacks HAVE_ARCH_USERFAULTFD_WP",
    ),
    Case(
        "kconfig-select-without-soft-dirty-bit",
        "6.12",
        (
            (
                "      soft_dirty: {bit: 9, macro: _PAGE_SWP_SOFT_DIRTY, alias: _PAGE_SOFT_DIRTY, condition: CONFIG_MEM_SOFT_DIRTY}\n",
                "",
            ),
        ),
        "symbol: HAVE_ARCH_SOFT_DIRTY, under: PPC_4K_PAGES",
        "powerpc64 selects HAVE_ARCH_SOFT_DIRTY but has no soft_dirty swap bit in flags",
    ),
    Case(
        "field-beyond-pte-width",
        "6.12",
        (("      lsb: 8\n      width: 24\n", "      lsb: 8\n      width: 25\n"),),
        "width: 25",
        "powerpc32 offset (bits 8-32) does not fit a 32-bit PTE",
    ),
    Case(
        "exclusive-bit-missing-where-mandatory",
        "6.19",
        (
            (
                "    flags:\n      exclusive: {bit: 23, macro: _PAGE_SWP_EXCLUSIVE}\n",
                "    flags: {}\n",
            ),
        ),
        "flags: {}",
        "loongarch64 has no exclusive swap bit, but naming.exclusive_helpers_mandatory says",
    ),
    Case(
        "gate-without-config-prefix",
        "6.19",
        (("gate: CONFIG_MEMORY_FAILURE", "gate: MEMORY_FAILURE"),),
        "gate: MEMORY_FAILURE",
        "swap_types.groups[0].gate: expected a Kconfig symbol such as CONFIG_MIGRATION, "
        "got string 'MEMORY_FAILURE'",
    ),
    Case(
        "duplicate-swap-type",
        "6.12",
        (("SWP_DEVICE_EXCLUSIVE_READ]", "SWP_MIGRATION_READ]"),),
        "SWP_DEVICE_EXCLUSIVE_WRITE, SWP_MIGRATION_READ]",
        "swap type SWP_MIGRATION_READ is listed twice (first at swap_types.groups[1].types[0])",
    ),
    Case(
        "negative-bit-number",
        "6.1",
        (
            (
                "exclusive: {bit: 2, macro: PTE_SWP_EXCLUSIVE}",
                "exclusive: {bit: -2, macro: PTE_SWP_EXCLUSIVE}",
            ),
        ),
        "bit: -2",
        "arches.arm64.flags.exclusive.bit: -2 is below the minimum 0",
    ),
    Case(
        "mask-style-typo",
        "6.1",
        (("mask_style: or_of_markers", "mask_style: or-of-markers"),),
        "mask_style: or-of-markers",
        'pte_markers.mask_style: string \'or-of-markers\' is not one of "low_bits", "or_of_markers"',
    ),
    Case(
        "marker-helper-named-in-a-release-without-markers",
        "5.14",
        (("  is_marker_entry: null", "  is_marker_entry: is_pte_marker_entry"),),
        "is_marker_entry: is_pte_marker_entry",
        "naming.is_marker_entry must be null without pte_markers",
    ),
    Case(
        "marker-type-without-markers",
        "5.14",
        (
            (
                "types: [SWP_DEVICE_WRITE, SWP_DEVICE_READ, SWP_DEVICE_EXCLUSIVE_WRITE, "
                "SWP_DEVICE_EXCLUSIVE_READ]",
                "types: [SWP_DEVICE_WRITE, SWP_DEVICE_READ, SWP_DEVICE_EXCLUSIVE_WRITE, "
                "SWP_DEVICE_EXCLUSIVE_READ]\n    - name: pte_marker\n"
                "      count_macro: SWP_PTE_MARKER_NUM\n      gate: null\n"
                "      types: [SWP_PTE_MARKER]",
            ),
        ),
        "  groups:",
        "SWP_PTE_MARKER is a swap type, but the spec has no pte_markers",
    ),
    Case(
        "marker-helper-left-null-beside-markers",
        "6.12",
        (("  marker_get: pte_marker_get", "  marker_get: null"),),
        "marker_get: null",
        "naming.marker_get is null, but the spec has pte_markers",
    ),
    Case(
        "markers-without-their-swap-type",
        "6.12",
        (
            (
                "    - name: pte_marker\n      count_macro: SWP_PTE_MARKER_NUM\n"
                "      gate: null\n      types: [SWP_PTE_MARKER]\n",
                "",
            ),
        ),
        "pte_markers:",
        "pte_markers need the swap type SWP_PTE_MARKER in swap_types.groups",
    ),
    Case(
        "split-low-piece-takes-the-whole-field",
        "6.12",
        (("split: {low_width: 3, high_lsb: 10}", "split: {low_width: 25, high_lsb: 10}"),),
        "low_width: 25",
        "parisc offset.split: low_width 25 leaves no bit of the 25-bit field for the high piece",
    ),
    Case(
        "split-high-piece-inside-the-low-one",
        "6.12",
        (("split: {low_width: 3, high_lsb: 10}", "split: {low_width: 3, high_lsb: 6}"),),
        "high_lsb: 6",
        "parisc offset.split: high_lsb 6 is not above the low piece (bits 5-7)",
    ),
    Case(
        "split-without-a-gap-is-one-run",
        "6.12",
        (("split: {low_width: 3, high_lsb: 10}", "split: {low_width: 3, high_lsb: 8}"),),
        "high_lsb: 8",
        "parisc offset.split: high_lsb 8 continues the low piece (bits 5-7): the field is one "
        "run, write it without split",
    ),
    Case(
        "split-high-piece-past-the-pte",
        "6.12",
        (("split: {low_width: 3, high_lsb: 10}", "split: {low_width: 3, high_lsb: 12}"),),
        "high_lsb: 12",
        "parisc offset.high (bits 12-33) does not fit a 32-bit PTE",
    ),
    Case(
        "split-high-piece-over-a-flag",
        "6.12",
        (("split: {low_width: 3, high_lsb: 10}", "split: {low_width: 2, high_lsb: 8}"),),
        "alias: _PAGE_ACCESSED",
        "parisc flags.exclusive (bit 8) overlaps offset.high (bits 8-30, line ",
        nth=2,  # riscv64's exclusive bit is the present PTE's _PAGE_ACCESSED too
    ),
    Case(
        "split-with-an-unknown-key",
        "6.12",
        (("split: {low_width: 3, high_lsb: 10}", "split: {low_width: 3, high_shift: 10}"),),
        "high_shift: 10",
        "unknown key 'high_shift' (did you mean 'high_lsb'?)",
    ),
    Case(
        "softleaf-api-without-leafops-header",
        "6.19",
        (("  leafops_h: include/linux/leafops.h\n", ""),),
        "api: softleaf",
        "api softleaf needs generic.leafops_h",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_spec_reports_the_line_and_the_problem(case: Case, spec_editor: SpecEditor):
    path = spec_editor.edit(case.version, *case.edits)
    line = spec_editor.line_of(path, case.line_needle, case.nth)
    problems = [str(p) for p in check_spec(path)]
    expected_prefix = f"{path}:{line}:"
    matching = [p for p in problems if p.startswith(expected_prefix) and case.message in p]
    assert matching, f"wanted {expected_prefix} ... {case.message}\ngot:\n" + "\n".join(problems)

    result = run_main("validate", str(path))
    assert result.code == 1
    assert matching[0] in result.err
    assert "Traceback" not in result.err + result.out
    assert result.err.strip().endswith("problem" if len(problems) == 1 else "problems")


def test_the_broken_specs_cover_every_layer_of_validation(spec_editor: SpecEditor):
    """The cases reach the YAML reader (SWP001), the schema (SWP002) and the semantic checks
    (SWP003), and no two of them are the same problem."""
    rules, messages = set(), []
    for case in CASES:
        problems = check_spec(spec_editor.edit(case.version, *case.edits))
        found = next(p for p in problems if case.message in p.message)
        rules.add(found.rule)
        messages.append(found.message)
    assert rules == {"SWP001", "SWP002", "SWP003"}
    assert len(set(messages)) == len(CASES)


def test_every_problem_is_reported_at_once(spec_editor: SpecEditor):
    path = spec_editor.edit(
        "6.19",
        ("min_max_swapfiles: 16", "min_max_swapfiles: 30"),
        (
            "exclusive: {bit: 3, macro: _PAGE_SWP_EXCLUSIVE",
            "exclusive: {bit: 1, macro: _PAGE_SWP_EXCLUSIVE",
        ),
        ("      lsb: 16\n      width: 7\n", "      lsb: 16\n      width: 3\n"),
    )
    problems = check_spec(path)
    messages = "\n".join(str(p) for p in problems)
    assert "below min_max_swapfiles 30" in messages
    assert "x86_64 flags.exclusive (bit 1) overlaps flags.soft_dirty" in messages
    assert "loongarch64 type field is 3 bits" in messages
    assert problems == sorted(problems), "problems come in file order"


def test_schema_errors_are_all_reported_too(spec_editor: SpecEditor):
    path = spec_editor.edit(
        "6.19",
        ("      lsb: 59\n", "      lsb: high\n"),
        ("  arm:\n    pte_bits: 32\n", "  arm:\n    pte_bits: 31\n"),
    )
    messages = [p.message for p in check_spec(path)]
    assert any(
        "arches.x86_64.type.lsb: expected an integer, got string 'high'" in m for m in messages
    )
    assert any("arches.arm.pte_bits: integer 31 is not one of 32, 64" in m for m in messages)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n", "the file is empty"),
        (b"format: 1\nkernel: \xff\xfe\n", "not UTF-8 text"),
        (b"- a\n- list\n", "the top level: expected a mapping, got a list"),
        (b"format: 1\n---\nformat: 1\n", "YAML syntax error"),
        (b"a: &x [*x]\n", "recursive YAML alias"),
        (b"when: 2026-01-01\n", "unsupported YAML value type"),
    ],
)
def test_unusable_files_give_one_clear_problem(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    problems = check_spec(path)
    assert problems and any(message in p.message for p in problems), problems
    assert str(problems[0]).startswith(f"{path}:")
    result = run_main("validate", str(path))
    assert result.code == 1
    assert "Traceback" not in result.err


def test_missing_spec_file_is_a_usage_error(tmp_path):
    result = run_main("validate", str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert result.err.startswith("swapgen: error: ")
    assert "no such spec file" in result.err
    assert "Traceback" not in result.err


def test_invalid_spec_in_other_commands_is_bad_input(spec_editor: SpecEditor):
    path = spec_editor.edit("6.19", ("lsb: 9\n      width: 50", "lsb: 9\n      width: 51"))
    result = run_main("show", "--spec", str(path))
    assert result.code == 2
    assert f"{path}:" in result.err and "overlaps" in result.err
    assert "Traceback" not in result.err


def test_bundled_specs_are_valid():
    for version in ("6.1", "6.12", "6.19"):
        assert check_spec(spec_path(version)) == []


def test_validate_a_directory_of_specs(tmp_path, spec_editor: SpecEditor):
    good = tmp_path / "dir"
    good.mkdir()
    (good / "linux-6.12.yaml").write_text(spec_path("6.12").read_text())
    broken = spec_editor.edit("6.19", ("min_max_swapfiles: 16", "min_max_swapfiles: 99"))
    broken.rename(good / "linux-6.19.yaml")
    result = run_main("validate", str(good))
    assert result.code == 1
    assert f"{good / 'linux-6.12.yaml'}: ok" in result.out
    assert (
        f"{good / 'linux-6.19.yaml'}:" in result.err and "below min_max_swapfiles 99" in result.err
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_main("validate", str(empty))
    assert result.code == 2
    assert "a directory with no *.yaml spec files" in result.err


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "      lsb: 59\n",
            "      lsb: 59.0\n",
            "lsb: 59.0",
            "arches.x86_64.type.lsb: expected an integer, got number 59.0",
        ),
        (
            "max_swapfiles_shift: 5",
            "max_swapfiles_shift: 5.0",
            "max_swapfiles_shift: 5.0",
            "expected an integer, got number 5.0",
        ),
        (
            "  arm:\n    pte_bits: 32\n",
            "  arm:\n    pte_bits: 32.0\n",
            "pte_bits: 32.0",
            "arches.arm.pte_bits: expected an integer, got number 32.0",
        ),
        (
            "      inverted: true\n",
            "      inverted: yes\n",
            "inverted: yes",
            "write true or false, not 'yes'",
        ),
        (
            "    none_value: 0x400\n",
            "    none_value: 0x10000000000000000\n",
            "none_value: 0x1",
            "s390 none_value 0x10000000000000000 does not fit a 64-bit PTE",
        ),
        (
            "    none_value: 0x400\n",
            "    none_value: 0x600\n",
            "none_value: 0x600",
            "s390 none_value 0x600 has the shape of a swap PTE",
        ),
    ],
)
def test_values_of_the_wrong_kind_are_refused(old, new, needle, message, spec_editor: SpecEditor):
    path = spec_editor.edit("6.19", (old, new))
    line = spec_editor.line_of(path, needle)
    problems = [str(p) for p in check_spec(path)]
    assert any(p.startswith(f"{path}:{line}:") and message in p for p in problems), problems
    result = run_main("validate", str(path))
    assert result.code == 1 and "Traceback" not in result.err


def test_the_quote_hint_repeats_what_was_written(spec_editor: SpecEditor):
    path = spec_editor.edit("6.12", ('kernel: "6.12"', "kernel: 6.10"))
    (problem,) = check_spec(path)
    assert problem.message == 'kernel: expected a string, got number 6.1 (quote it: "6.10")'


def test_a_select_condition_that_is_not_kconfig_is_a_problem_at_its_line(spec_editor):
    bad = spec_editor.edit("6.12", ("if: X86_64 && USERFAULTFD}", "if: X86_64 && && USERFAULTFD}"))
    problems = [str(p) for p in check_spec(bad)]
    line = spec_editor.line_of(bad, "X86_64 && && USERFAULTFD")
    assert len(problems) == 1
    assert problems[0].startswith(f"{bad}:{line}:")
    assert "'X86_64 && && USERFAULTFD' is not a Kconfig condition" in problems[0]
