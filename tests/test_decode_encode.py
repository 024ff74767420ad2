"""`swapgen decode` and `swapgen encode` as a crash/drgn user drives them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_main


def decode_json(*args: str) -> tuple[int, dict]:
    result = run_main("decode", "--format", "json", *args)
    assert "Traceback" not in result.err
    return result.code, json.loads(result.out)


def test_decode_a_migration_entry_on_x86_64():
    # type 27 (SWP_MIGRATION_WRITE on 6.19), PFN 0x1234, exclusive and soft-dirty set
    code, info = decode_json("--arch", "x86_64", "0xdfffffffffdb960a")
    assert code == 0
    assert info["type"] == 27
    assert info["type_name"] == "SWP_MIGRATION_WRITE"
    assert info["kind"] == "special"
    assert info["offset"] == 0x1234
    assert info["flags"] == ["soft_dirty", "exclusive"]
    assert info["markers"] == []


def test_decode_a_guard_marker_on_arm64():
    code, info = decode_json("--arch", "arm64", "--spec", "6.19", "0x47c0")
    assert code == 0
    assert (info["type"], info["type_name"], info["offset"]) == (31, "SWP_PTE_MARKER", 4)
    assert info["markers"] == ["PTE_MARKER_GUARD"]
    assert info["unknown_marker_bits"] == 0


def test_the_same_marker_value_on_6_12_is_not_a_known_marker():
    code, info = decode_json("--arch", "arm64", "--spec", "6.12", "0x47c0")
    assert code == 0
    assert info["markers"] == []
    assert info["unknown_marker_bits"] == 4


def test_type_names_follow_the_kconfig_gates():
    # 6.12 with DEVICE_PRIVATE off: type 27 is SWP_HWPOISON
    code, info = decode_json(
        "--arch", "riscv64", "--spec", "6.12", "--config", "CONFIG_DEVICE_PRIVATE=n", "0x1d80"
    )
    assert code == 0
    assert (info["type"], info["type_name"]) == (27, "SWP_HWPOISON")


def test_decode_a_plain_swap_entry_text():
    result = run_main("decode", "--arch", "s390", "--spec", "6.12", "0x1e0e")
    assert result.code == 0
    assert result.out.splitlines() == [
        "s390 0x0000000000001e0e (linux-6.12)",
        "  type    3: swap device 3 (below MAX_SWAPFILES 23)",
        "  offset  0x1 (1)",
        "  flags   soft_dirty, exclusive",
    ]


@pytest.mark.parametrize(
    ("arch", "value", "reason"),
    [
        (
            "x86_64",
            "0x8000000000000025",
            "bit 0 (_PAGE_PRESENT) set: must be 0 in a swap PTE on x86_64",
        ),
        ("x86_64", "0", "pte_none: 0x0 is the empty PTE on x86_64"),
        ("s390", "0x400", "pte_none: 0x400 is the empty PTE on s390"),
        ("s390", "0x1c08", "bit 9 (_PAGE_PROTECT) clear: must be 1 in a swap PTE on s390"),
        ("powerpc64", "0x10000", "bit 62 (_PAGE_PTE) clear: must be 1"),
        ("arm64", "0x800", "bit 11 (PTE_PRESENT_INVALID) set"),
    ],
)
def test_values_that_are_not_swap_ptes(arch, value, reason):
    code, info = decode_json("--arch", arch, value)
    assert code == 1
    assert info["swap"] is False
    assert reason in info["reason"]


def test_several_values_at_once():
    result = run_main("decode", "--arch", "arm", "0x8c", "0x1")
    assert result.code == 1  # one of them is not a swap PTE
    assert "  type    3: swap device 3" in result.out
    assert "arm 0x00000001 (linux-6.19): not a swap PTE: bit 0 (PTE_TYPE_MASK) set" in result.out


def test_decode_reports_stray_bits():
    # x86-64 bit 5 (accessed) can be set by hardware on a non-present PTE
    code, info = decode_json("--arch", "x86_64", "0x07fffffffffffe20")
    assert code == 0
    assert info["stray_bits"] == 0x20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "x86_64", "ffff"], "value 'ffff': write hexadecimal with a 0x prefix (0xffff)"),
        (["--arch", "x86_64", "pte"], "value 'pte': not a number"),
        (["--arch", "vax", "0x1"], "unknown arch vax"),
        (["--arch", "arm", "0x100000000"], "value 0x100000000: wider than a 32-bit arm PTE"),
    ],
)
def test_decode_usage_errors(args, message):
    result = run_main("decode", *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_decode_without_arch_is_a_usage_error():
    result = run_main("decode", "0x1")
    assert result.code == 2
    assert "the following arguments are required: --arch" in result.err


def test_encode_prints_the_value():
    result = run_main(
        "encode",
        "--arch",
        "x86_64",
        "--type",
        "SWP_MIGRATION_WRITE",
        "--offset",
        "0x1234",
        "--flag",
        "exclusive",
        "--flag",
        "soft_dirty",
    )
    assert result.code == 0
    assert result.out == "0xdfffffffffdb960a\n"


def test_encode_a_marker_by_name():
    result = run_main("encode", "--arch", "arm64", "--marker", "guard")
    assert result.out == "0x00000000000047c0\n"
    result = run_main(
        "encode",
        "--arch",
        "arm64",
        "--marker",
        "PTE_MARKER_UFFD_WP",
        "--marker",
        "poisoned",
        "--format",
        "json",
    )
    info = json.loads(result.out)
    assert (info["type"], info["offset"], info["value"]) == (31, 3, "0x00000000000037c0")


def test_encode_accepts_short_type_names_and_numbers():
    a = run_main("encode", "--arch", "arm", "--type", "hwpoison", "--offset", "7").out
    b = run_main("encode", "--arch", "arm", "--type", "24", "--offset", "7").out
    assert a == b == "0x00000760\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--type", "32", "--offset", "1"],
            "--type 32: swap types are 0..31 (MAX_SWAPFILES_SHIFT 5)",
        ),
        (
            ["--type", "SWP_DEVICE_EXCLUSIVE_READ", "--offset", "1"],
            "no such special type in linux-6.19",
        ),
        (
            ["--type", "1", "--offset", "0x1000000"],
            "offset 0x1000000 does not fit the arm offset field (24 bits",
        ),
        (["--type", "1"], "encode needs --type and --offset (or --marker NAME)"),
        (
            ["--type", "1", "--offset", "1", "--flag", "uffd_wp"],
            "arm has no swap-PTE flag 'uffd_wp' (it has: exclusive)",
        ),
        (["--marker", "guard", "--offset", "1"], "--marker sets the offset itself"),
        (["--marker", "swapin_error"], "--marker swapin_error: no such marker in linux-6.19"),
        (["--marker", "guard", "--type", "1"], "--marker needs the SWP_PTE_MARKER type"),
    ],
)
def test_encode_usage_errors(args, message):
    result = run_main("encode", "--arch", "arm", *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("version", ["6.1", "6.12", "6.19"])
def test_encode_then_decode_through_the_cli(version):
    arches = json.loads(run_main("show", "--spec", version, "--format", "json").out)["arches"]
    for arch, facts in arches.items():
        flags = ["--flag", "exclusive"] if facts["flags"]["exclusive"] is not None else []
        encoded = run_main(
            "encode", "--spec", version, "--arch", arch, "--type", "5", "--offset", "0x99", *flags
        )
        assert encoded.code == 0, encoded.err
        code, info = decode_json("--spec", version, "--arch", arch, encoded.out.strip())
        assert code == 0, (arch, encoded.out)
        assert (info["type"], info["offset"], info["flags"]) == (5, 0x99, flags[1:])


def test_encode_explains_a_type_whose_gate_is_off():
    result = run_main(
        "encode",
        "--arch",
        "arm64",
        "--type",
        "SWP_MIGRATION_WRITE",
        "--offset",
        "1",
        "--config",
        "CONFIG_MIGRATION=n",
    )
    assert result.code == 2
    assert (
        "--type SWP_MIGRATION_WRITE: SWP_MIGRATION_WRITE does not exist with CONFIG_MIGRATION=n"
        in result.err
    )
    result = run_main(
        "encode",
        "--spec",
        "6.1",
        "--arch",
        "arm64",
        "--marker",
        "uffd_wp",
        "--config",
        "CONFIG_PTE_MARKER=n",
    )
    assert result.code == 2
    assert "--marker: there are no PTE marker entries with CONFIG_PTE_MARKER=n" in result.err


def test_encode_notes_the_empty_pte():
    result = run_main("encode", "--arch", "arm64", "--type", "0", "--offset", "0")
    assert result.code == 0
    assert result.out == "0x0000000000000000\n"
    assert "is the empty PTE (pte_none) on arm64" in result.err


def test_a_split_offset_through_the_cli():
    """parisc 6.12 keeps offset bits 0-2 at PTE bits 5-7 and the rest from bit 10."""
    encoded = run_main(
        "encode", "--spec", "6.12", "--arch", "parisc", "--type", "3", "--offset", "15",
        "--flag", "exclusive",
    )  # fmt: skip
    assert (encoded.code, encoded.out.strip()) == (0, "0x000005e3")
    code, info = decode_json("--spec", "6.12", "--arch", "parisc", "0x5e3")
    assert (code, info["type"], info["offset"], info["flags"]) == (0, 3, 15, ["exclusive"])
    # bit 8 is the exclusive flag, bit 9 must be 0: neither is the offset's
    code, info = decode_json("--spec", "6.12", "--arch", "parisc", "0x4e3")
    assert (info["offset"], info["flags"]) == (15, [])
    assert decode_json("--spec", "6.12", "--arch", "parisc", "0x6e3")[0] == 1
