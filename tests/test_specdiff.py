"""swapgen diff: what changed between two specs, per gate setting for the numbers, and per
arch for the fields and flag bits, with nothing reported that did not change."""

from __future__ import annotations

import json

from codegen import layout
from codegen.spec.compiled import load_spec
from codegen.specdiff import spec_changes
from tests.conftest import guard_spec, run_main, run_script, spec_path


def test_6_1_to_6_12_on_arm64_moves_both_fields_and_adds_uffd_wp():
    result = run_main("diff", "6.1", "6.12", "--arch", "arm64")
    assert result.code == 1  # there are differences, as diff(1) says
    arm64 = result.out.split("\narm64:\n", 1)[1].splitlines()
    assert arm64 == [
        "  type field: bits 3-7 -> bits 6-10",
        "  offset field: bits 8-57 -> bits 12-61",
        "  uffd_wp bit: added, bit 3",
    ]
    assert "x86_64:" not in result.out  # --arch keeps the other layouts out


def test_a_new_marker_is_the_only_generic_change(tmp_path):
    """6.12 plus PTE_MARKER_GUARD as 6.13 added it: the marker and the wider mask, nothing
    else generic, no arch."""
    old, new = load_spec(spec_path("6.12")), load_spec(guard_spec(tmp_path))
    changes = spec_changes(old, new)
    assert [(c.area, c.subject, c.old, c.new) for c in changes] == [
        ("markers", "PTE_MARKER_GUARD", None, 2),
        ("markers", "PTE_MARKER_MASK", 0x3, 0x7),
    ]


def test_numbers_are_compared_under_every_gate_setting():
    """6.1 -> 6.12: SWP_SWAPIN_ERROR became a marker, so it is gone under all 16 settings of
    the four gates; with CONFIG_PTE_MARKER off, 6.12's always-built marker type appears."""
    old, new = load_spec(spec_path("6.1")), load_spec(spec_path("6.12"))
    changes = spec_changes(old, new)
    settings = layout.gate_settings([*old.gates, *new.gates])
    assert len(settings) == 16
    removed = [c for c in changes if c.subject == "SWP_SWAPIN_ERROR"]
    assert sorted(map(str, (c.configs[0] for c in removed))) == sorted(map(str, settings))
    assert all(c.new is None for c in removed)
    for config in settings:
        maxes = [c for c in changes if c.subject == "MAX_SWAPFILES" and c.configs == (config,)]
        before, after = layout.max_swapfiles(old, config), layout.max_swapfiles(new, config)
        assert [(c.old, c.new) for c in maxes] == ([] if before == after else [(before, after)])
    marker_off = {**settings[0], "CONFIG_PTE_MARKER": False}
    added = [c for c in changes if c.subject == "SWP_PTE_MARKER" and c.configs == (marker_off,)]
    assert [(c.old, c.new) for c in added] == [(None, 31)]


def test_text_has_one_line_per_setting_that_changed():
    out = run_main("diff", "6.12", "6.19").out
    lines = out.splitlines()
    assert lines[0].startswith("linux-6.12 -> linux-6.19: ")
    assert lines[1] == (
        "MAX_SWAPFILES and special types, per setting of CONFIG_MEMORY_FAILURE, "
        "CONFIG_MIGRATION, CONFIG_DEVICE_PRIVATE:"
    )
    assert lines[2].startswith("  every gate on: MAX_SWAPFILES 23 -> 24; SWP_DEVICE_EXCLUSIVE")
    # with device-private off the two releases agree: no line for those settings
    assert not any("CONFIG_DEVICE_PRIVATE=n" in line for line in lines)
    assert "  PTE_MARKER_GUARD: added, bit 2" in lines
    assert "  PTE_MARKER_MASK: 0x3 -> 0x7" in lines


def test_one_edited_flag_bit_is_the_one_change(spec_editor):
    edited = spec_editor.edit(
        "6.19",
        ("      exclusive: {bit: 3, macro: _PAGE_SWP_EXCLUSIVE, alias: _PAGE_PWT}",
         "      exclusive: {bit: 4, macro: _PAGE_SWP_EXCLUSIVE, alias: _PAGE_PWT}"),
    )  # fmt: skip
    result = run_main("diff", "6.19", str(edited), "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["changes"] == [
        {
            "area": "x86_64",
            "subject": "exclusive bit",
            "old": 3,
            "new": 4,
            "configs": [],
        }
    ]


def test_the_same_spec_has_no_changes():
    result = run_main("diff", "6.12", "linux-6.12")
    assert (result.code, result.out) == (0, "linux-6.12 -> linux-6.12: 0 change(s)\n")


def test_an_arch_neither_spec_has_is_a_usage_error():
    result = run_script("diff", "6.1", "6.12", "--arch", "vax")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "unknown arch vax" in result.err


def test_through_the_console_script_as_json():
    result = run_script("diff", "6.1", "6.19", "--arch", "riscv64", "--format", "json")
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert (report["from"], report["to"]) == ("linux-6.1", "linux-6.19")
    riscv = [(c["subject"], c["old"], c["new"]) for c in report["changes"]
             if c["area"] == "riscv64"]  # fmt: skip
    assert ("soft_dirty bit", None, 3) in riscv and ("uffd_wp bit", None, 4) in riscv
