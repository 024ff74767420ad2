"""`swapgen show`: the bundled specs say what the facts of each release are."""

from __future__ import annotations

import json

import pytest

from tests.conftest import VERSIONS, run_main


def show_json(*args: str) -> dict:
    result = run_main("show", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.mark.parametrize(("version", "expected"), [("6.1", 22), ("6.12", 23), ("6.19", 24)])
def test_max_swapfiles_per_release(version, expected):
    assert show_json("--spec", f"linux-{version}")["max_swapfiles"] == expected


def test_default_spec_is_the_newest():
    view = show_json()
    assert view["kernel"] == "6.19"
    assert view["spec"] == "linux-6.19"


# (type lsb, width), (offset lsb, width, inverted), (soft_dirty, uffd_wp, exclusive)
FACTS = {
    "6.1": {
        "x86_64": ((59, 5), (9, 50, True), (1, 2, 3)),
        "arm64": ((3, 5), (8, 50, False), (None, None, 2)),
        "riscv64": ((6, 5), (11, 53, False), (None, None, None)),
        "powerpc64": ((0, 5), (16, 37, False), (9, None, 5)),
        "s390": ((2, 5), (12, 52, False), (1, None, 11)),
        "loongarch64": ((16, 8), (24, 40, False), (None, None, None)),
        "arm": ((2, 5), (7, 25, False), (None, None, None)),
    },
    "6.12": {
        "x86_64": ((59, 5), (9, 50, True), (1, 2, 3)),
        "arm64": ((6, 5), (12, 50, False), (None, 3, 2)),
        "riscv64": ((7, 5), (12, 52, False), (None, None, 6)),
        "powerpc64": ((0, 5), (16, 37, False), (9, None, 5)),
        "s390": ((2, 5), (12, 52, False), (1, None, 11)),
        "loongarch64": ((16, 7), (24, 40, False), (None, None, 23)),
        "arm": ((2, 5), (8, 24, False), (None, None, 7)),
    },
    "6.19": {
        "x86_64": ((59, 5), (9, 50, True), (1, 2, 3)),
        "arm64": ((6, 5), (12, 50, False), (None, 3, 2)),
        "riscv64": ((7, 5), (12, 52, False), (3, 4, 6)),
        "powerpc64": ((0, 5), (16, 37, False), (9, None, 5)),
        "s390": ((2, 5), (12, 52, False), (1, None, 11)),
        "loongarch64": ((16, 7), (24, 40, False), (None, None, 23)),
        "arm": ((2, 5), (8, 24, False), (None, None, 7)),
    },
}


@pytest.mark.parametrize("version", VERSIONS)
def test_per_arch_fields_and_flags_match_the_facts(version):
    view = show_json("--spec", version)
    assert set(view["arches"]) == set(FACTS[version])
    for arch, (type_, offset, flags) in FACTS[version].items():
        got = view["arches"][arch]
        assert (got["type"]["lsb"], got["type"]["width"]) == type_, arch
        assert (got["offset"]["lsb"], got["offset"]["width"], got["offset"]["inverted"]) == offset
        assert (
            got["flags"]["soft_dirty"],
            got["flags"]["uffd_wp"],
            got["flags"]["exclusive"],
        ) == flags
        assert got["pte_bits"] == (32 if arch == "arm" else 64)


def test_types_markers_and_mask_per_release():
    v61, v612, v619 = (show_json("--spec", v) for v in VERSIONS)
    assert v61["types"]["SWP_SWAPIN_ERROR"] == 31
    assert v61["types"]["SWP_PTE_MARKER"] == 30
    assert v61["markers"] == {"PTE_MARKER_UFFD_WP": 0}
    assert v61["marker_mask"] == 0x1
    assert v612["counts"]["SWP_DEVICE_NUM"] == 4
    assert v612["markers"] == {"PTE_MARKER_UFFD_WP": 0, "PTE_MARKER_POISONED": 1}
    assert v612["marker_mask"] == 0x3
    assert v619["counts"]["SWP_DEVICE_NUM"] == 3
    assert v619["types"]["SWP_DEVICE_EXCLUSIVE"] == 30
    assert v619["markers"]["PTE_MARKER_GUARD"] == 2
    assert v619["marker_mask"] == 0x7
    assert v619["naming"]["api"] == "softleaf"
    assert v612["naming"]["is_marker_entry"] == "is_pte_marker_entry"


def test_config_gates_change_the_numbers():
    view = show_json(
        "--spec", "6.12", "--config", "CONFIG_DEVICE_PRIVATE=n", "--config", "MIGRATION=n"
    )
    assert view["max_swapfiles"] == 30
    assert view["types"] == {"SWP_HWPOISON": 30, "SWP_PTE_MARKER": 31}
    assert view["config"] == {"CONFIG_DEVICE_PRIVATE": False, "CONFIG_MIGRATION": False}


def test_a_flag_condition_turned_off_shows_the_flag_as_null():
    view = show_json("--arch", "x86_64", "--config", "CONFIG_MEM_SOFT_DIRTY=n")
    assert view["arches"]["x86_64"]["flags"] == {"soft_dirty": None, "uffd_wp": 2, "exclusive": 3}


@pytest.mark.parametrize(
    ("alias", "arch"),
    [
        ("amd64", "x86_64"),
        ("AArch64", "arm64"),
        ("ppc64le", "powerpc64"),
        ("s390x", "s390"),
        ("riscv", "riscv64"),
        ("armhf", "arm"),
        ("loongarch", "loongarch64"),
    ],
)
def test_arch_aliases(alias, arch):
    assert list(show_json("--arch", alias)["arches"]) == [arch]


def test_arch_filter():
    view = show_json("--arch", "s390", "--arch", "arm")
    assert list(view["arches"]) == ["s390", "arm"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "sparc64"], "unknown arch sparc64 in linux-6.19 (it has: x86_64, arm64"),
        (
            ["--arch", "x86_46"],
            "unknown arch x86_46 in linux-6.19 (did you mean x86_64? it has: x86_64,",
        ),
        (
            ["--config", "CONFIG_FOO=n"],
            "linux-6.19 has no option CONFIG_FOO (it knows: CONFIG_MEMORY_FAILURE",
        ),
        (["--config", "CONFIG_MIGRATION"], "expected CONFIG_NAME=y or CONFIG_NAME=n"),
        (["--config", "CONFIG_MIGRATION=m"], "expected CONFIG_NAME=y or CONFIG_NAME=n"),
        (
            ["--spec", "6.7"],
            "6.7: no such spec file, and not a bundled spec (bundled: linux-6.1, linux-6.12, linux-6.19)",
        ),
        (["--config", "CONFIG_PTE_MARKER=n"], "has no option CONFIG_PTE_MARKER"),
    ],
)
def test_show_usage_errors(args, message):
    result = run_main("show", *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_text_output_has_the_tables_and_diagrams():
    result = run_main("show", "--spec", "6.12", "--arch", "arm64")
    assert result.code == 0
    out = result.out
    assert "MAX_SWAPFILES 23 (swap devices 0..22)" in out
    assert "29    SWP_DEVICE_EXCLUSIVE_WRITE" in out
    assert "PTE_MARKER_MASK = 0x3" in out
    # arm64 6.12: offset 12-61, bit 11 must be 0, type 6-10, bits 4-5 unused, UW 3, E 2, 0-1 zero
    assert "      ..OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOO0TTTTT..UE00" in out
    assert "HAVE_ARCH_USERFAULTFD_WP if USERFAULTFD (in ARM64)" in out


def test_unverified_facts_are_shown():
    result = run_main("show", "--arch", "riscv64")
    assert (
        "unverified: soft-dirty (bit 3) and uffd-wp (bit 4) come from the Svrsw60t59b series"
        in result.out
    )
