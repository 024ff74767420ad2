"""Bugs planted into real upstream patches (tests/realmail), each a kind that has been
posted or merged for real: every one is reported at the line it is on, without a base tree
and with the Debian tree of the release the spec describes.

The arm64 series (05) was written for 6.10; its layout patch does not apply to the 6.1
tree (SWP907), so that file is read from the diff alone there too, with the base's other
files. The guard-marker series (06) applies to the 6.12 tree, a few lines away from where
its hunks say: findings are placed where the lines land in that tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, run_main
from tests.kernel_trees import kernel_tree

REALMAIL = REPO / "tests/realmail"
ARM64 = "05-arm64-uffd-wp-soft-dirty-v1"
GUARD = "06-pte-marker-guard-v4"


@dataclass(frozen=True)
class Plant:
    series: str
    spec: str
    old: bytes
    new: bytes
    rule: str
    file: str
    line: int  # post-image line, as the hunk states it
    line_in_tree: int  # where that line lands in the Debian tree
    says: str  # a piece of the message

    def mbox(self, tmp_path: Path) -> Path:
        real = (REALMAIL / self.series / "series.mbox").read_bytes()
        assert real.count(self.old) == 1, "the plant must hit exactly one line"
        planted = tmp_path / "planted.mbox"
        planted.write_bytes(real.replace(self.old, self.new))
        return planted


PLANTS = {
    # a flag bit moved into the type field, its #else stub left beside it
    "uffd-wp-bit-in-type-field": Plant(
        ARM64, "6.1",
        b"#define PTE_SWP_UFFD_WP\t\t(_AT(pteval_t, 1) << 3)",
        b"#define PTE_SWP_UFFD_WP\t\t(_AT(pteval_t, 1) << 56)",
        "SWP301", "arch/arm64/include/asm/pgtable-prot.h", 25, 25,
        "PTE_SWP_UFFD_WP is bit 56, which is type",
    ),
    # the type masked with the field's width instead of its mask (arm's merged boot bug)
    "type-masked-with-its-width": Plant(
        ARM64, "6.1",
        b"((unsigned long)(type) << __SWP_TYPE_SHIFT)",
        b"(((unsigned long)(type) & __SWP_TYPE_BITS) << __SWP_TYPE_SHIFT)",
        "SWP302", "arch/arm64/include/asm/pgtable.h", 1265, 1265,
        "keep 2 type bit(s) (at 0, 2) of an entry, fewer than MAX_SWAPFILES_SHIFT 5",
    ),
    # the offset shift off by one, the layout comment left alone
    "offset-shift-off-by-one": Plant(
        ARM64, "6.1",
        b"#define __SWP_OFFSET_SHIFT\t4",
        b"#define __SWP_OFFSET_SHIFT\t5",
        "SWP306", "arch/arm64/include/asm/pgtable.h", 1251, 1251,
        "offset at bits 4-53; the layout has 5-54 (set by __SWP_OFFSET_SHIFT at "
        "arch/arm64/include/asm/pgtable.h:1259",
    ),
    # a marker bit reused
    "marker-bit-reused": Plant(
        GUARD, "6.12",
        b"#define  PTE_MARKER_GUARD\t\t\tBIT(2)",
        b"#define  PTE_MARKER_GUARD\t\t\tBIT(1)",
        "SWP201", "include/linux/swapops.h", 440, 444,
        "PTE_MARKER_GUARD uses bit 1, already taken by PTE_MARKER_POISONED",
    ),
}  # fmt: skip


def review(plant: Plant, mbox: Path, *extra: str) -> list[dict]:
    result = run_main("review", "--spec", plant.spec, "--format", "json", *extra, str(mbox))
    assert "Traceback" not in result.err, result.err
    return json.loads(result.out)["findings"]


def found_at(findings: list[dict], plant: Plant, line: int) -> list[dict]:
    return [
        f
        for f in findings
        if (f["rule"], f["file"], f["line"]) == (plant.rule, plant.file, line)
        and plant.says in f["message"]
    ]


@pytest.mark.parametrize("name", sorted(PLANTS))
def test_a_planted_bug_is_reported_at_its_line_without_a_base(name, tmp_path):
    plant = PLANTS[name]
    assert found_at(review(plant, plant.mbox(tmp_path)), plant, plant.line)
    real = REALMAIL / plant.series / "series.mbox"
    assert not found_at(review(plant, real), plant, plant.line), "the real series is clean"


@pytest.mark.parametrize("name", sorted(PLANTS))
def test_a_planted_bug_is_reported_at_its_line_with_a_base_tree(name, tmp_path):
    plant = PLANTS[name]
    tree = str(kernel_tree(plant.spec))
    assert found_at(review(plant, plant.mbox(tmp_path), "--tree", tree), plant, plant.line_in_tree)
    real = REALMAIL / plant.series / "series.mbox"
    found = review(plant, real, "--tree", tree)
    assert not found_at(found, plant, plant.line_in_tree), "the real series is clean"


def test_a_layout_file_the_base_does_not_take_is_read_from_the_diff_not_mixed_with_the_base():
    """05 moves the arm64 type to bits 55-59 in a hunk the 6.1 tree does not take: its
    uffd-wp bit 3 is then in the offset-free low bits the series sets up, not in 6.1's type
    field (reading the base's layout beside the series' bits said so, falsely)."""
    real = REALMAIL / ARM64 / "series.mbox"
    found = review(PLANTS["uffd-wp-bit-in-type-field"], real, "--tree", str(kernel_tree("6.1")))
    rules = {(f["rule"], f["file"]) for f in found}
    assert ("SWP907", "arch/arm64/include/asm/pgtable.h") in rules
    assert not {r for r, _ in rules} & {"SWP301", "SWP306"}, found
