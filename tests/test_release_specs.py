"""The bundled specs from 5.14 on: the numbers each release is known for, a release without PTE
markers, what changed between neighbours, and where each spec says its values came from.

The releases Debian does not ship (5.14, 5.19, 6.2, 6.6, 6.13) were synced against public
imports of those releases (each spec's header names the repository and commit); these tests
pin what that reading found.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import yaml

from codegen.resources import bundled_specs
from tests.conftest import VERSIONS, run_main

EVERY_GATE_ON = {"5.14": 25, "5.19": 22, "6.1": 22, "6.2": 23, "6.6": 23, "6.12": 23,
                 "6.13": 23, "6.19": 24}  # fmt: skip


def test_the_bundled_releases():
    assert list(VERSIONS) == list(EVERY_GATE_ON)


@pytest.mark.parametrize("version", list(EVERY_GATE_ON))
def test_max_swapfiles_with_every_gate_on(version):
    shown = json.loads(run_main("show", "--spec", version, "--format", "json").out)
    assert shown["max_swapfiles"] == EVERY_GATE_ON[version]


def test_5_14_is_the_debates_32_minus_4_minus_2_minus_1():
    shown = json.loads(run_main("show", "--spec", "5.14", "--format", "json").out)
    assert shown["counts"] == {"SWP_HWPOISON_NUM": 1, "SWP_MIGRATION_NUM": 2, "SWP_DEVICE_NUM": 4}
    assert shown["max_swapfiles"] == 32 - 4 - 2 - 1 == 25
    assert shown["markers"] == {} and shown["marker_mask"] is None
    assert "loongarch64" not in shown["arches"]  # loongarch came in 5.19


def test_a_release_without_markers_says_so():
    text = run_main("show", "--spec", "5.14").out
    assert "PTE markers: none in this release (they came in v5.19)" in text
    refused = run_main("encode", "--spec", "5.14", "--arch", "x86_64", "--marker", "uffd_wp")
    assert refused.code == 2
    assert (
        refused.err
        == "swapgen: error: --marker: linux-5.14 has no PTE markers (they came in v5.19)\n"
    )


def test_5_14_to_5_19_costs_three_types_and_brings_the_markers():
    result = run_main("diff", "5.14", "5.19")
    assert result.code == 1
    lines = result.out.splitlines()
    every_gate_on = next(line for line in lines if line.startswith("  every gate on:"))
    assert every_gate_on.startswith(
        "  every gate on: MAX_SWAPFILES 25 -> 22; SWP_MIGRATION_READ_EXCLUSIVE added (24); "
        "SWP_PTE_MARKER added (30); SWP_SWAPIN_ERROR added (31)"
    )
    markers = lines[lines.index("PTE markers:") + 1 : lines.index("helper names:")]
    assert markers == ["  PTE_MARKER_UFFD_WP: added, bit 0", "  PTE_MARKER_MASK: added, 0x1"]
    assert "  make_marker_entry: added, make_pte_marker_entry" in lines
    assert "  swap-PTE layout: added, type [16, 23], offset [24, 63], 64-bit PTE" in lines


def test_6_12_to_6_13_is_the_guard_marker_and_the_wider_mask_only():
    result = run_main("diff", "6.12", "6.13")
    assert result.code == 1
    assert result.out.splitlines() == [
        "linux-6.12 -> linux-6.13: 2 change(s)",
        "PTE markers:",
        "  PTE_MARKER_GUARD: added, bit 2",
        "  PTE_MARKER_MASK: 0x3 -> 0x7",
    ]


def test_5_19_kept_until_6_1():
    result = run_main("diff", "5.19", "6.1")
    assert (result.code, result.out) == (0, "linux-5.19 -> linux-6.1: 0 change(s)\n")


def test_the_marker_that_replaced_a_type():
    """6.2 gave SWP_SWAPIN_ERROR's type back and kept it as a marker bit; 6.6 renamed it."""
    lines = run_main("history").out.splitlines()
    markers = lines[lines.index(
        "PTE markers each step added or removed (a marker bit costs no swap type):") + 1 :]  # fmt: skip
    assert markers == [
        "  linux-5.14 -> linux-5.19: +PTE_MARKER_UFFD_WP",
        "  linux-6.1 -> linux-6.2: +PTE_MARKER_SWAPIN_ERROR",
        "  linux-6.2 -> linux-6.6: +PTE_MARKER_POISONED -PTE_MARKER_SWAPIN_ERROR",
        "  linux-6.12 -> linux-6.13: +PTE_MARKER_GUARD",
    ]
    steps = json.loads(run_main("history", "--format", "json").out)["marker_steps"]
    assert steps[2] == {"added": ["PTE_MARKER_SWAPIN_ERROR"], "removed": []}


@pytest.mark.parametrize("path", bundled_specs(), ids=lambda p: p.stem)
def test_every_spec_names_its_source(path):
    """The header says where every value was read; a release Debian does not ship names the
    public repository, the full commit and the Makefile's version there."""
    text = path.read_text()
    source = yaml.safe_load(text)["source"]
    kernel = yaml.safe_load(text)["kernel"]
    if kernel in ("6.1", "6.12"):
        assert source.startswith(f"Debian linux-source-{kernel}")
        return
    if kernel == "6.19":
        assert "unverified" in yaml.safe_load(text)
        return
    header = text.split("\nformat:", 1)[0].replace("\n# ", " ")
    assert re.search(r"github\.com/[\w.-]+/[\w.-]+", header)
    assert re.search(r"\b[0-9a-f]{40}\b", header)
    major, minor = kernel.split(".")
    assert f"VERSION {major}, PATCHLEVEL {minor}" in header
    assert "reports 0 errors" in header


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def test_the_layout_page_shows_the_history_chart(tmp_path):
    out = tmp_path / "layout"
    assert run_main("layout", "--spec", "6.13", "--out", str(out)).code == 0
    page = _Images()
    page.feed((out / "index.html").read_text())
    assert page.sources[-1] == "history.svg"
    assert (out / "history.svg").read_text() == run_main("history", "--format", "svg").out
