"""The layout model: masks, type numbering, markers and swap-PTE encode/decode."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen import layout
from codegen.kernel.flags import FLAG_NAMES
from codegen.spec.load import load_spec
from codegen.spec.model import Field
from tests.conftest import VERSIONS, spec_path

SPECS = {v: load_spec(spec_path(v)) for v in VERSIONS}
ARCH_CASES = [(v, a) for v, spec in SPECS.items() for a in spec.arches]


def test_masks():
    assert layout.bit_mask(9, 58) == 0x07FFFFFFFFFFFE00
    assert layout.bit_mask(3, 3) == 0x8
    assert layout.value_mask(5) == 0x1F
    assert layout.describe_bits(0b1110010) == "bits 1, 4-6"
    assert layout.describe_bits(1 << 11) == "bit 11"


@pytest.mark.parametrize(
    ("version", "max_swapfiles", "top"),
    [
        ("6.1", 22, "SWP_SWAPIN_ERROR"),
        ("6.12", 23, "SWP_PTE_MARKER"),
        ("6.19", 24, "SWP_PTE_MARKER"),
    ],
)
def test_max_swapfiles_and_the_top_type(version, max_swapfiles, top):
    spec = SPECS[version]
    assert layout.max_swapfiles(spec) == max_swapfiles
    numbers = layout.type_numbers(spec)
    assert numbers[top] == 31
    assert sorted(numbers.values()) == list(range(max_swapfiles, 32))


def test_type_numbers_of_6_1_with_every_gate_on_match_the_kernel():
    assert layout.type_numbers(SPECS["6.1"]) == {
        "SWP_HWPOISON": 22,
        "SWP_MIGRATION_READ": 23,
        "SWP_MIGRATION_READ_EXCLUSIVE": 24,
        "SWP_MIGRATION_WRITE": 25,
        "SWP_DEVICE_WRITE": 26,
        "SWP_DEVICE_READ": 27,
        "SWP_DEVICE_EXCLUSIVE_WRITE": 28,
        "SWP_DEVICE_EXCLUSIVE_READ": 29,
        "SWP_PTE_MARKER": 30,
        "SWP_SWAPIN_ERROR": 31,
    }


def test_a_gate_that_is_off_moves_the_types_above_it_down():
    # Debian's amd64 configs leave CONFIG_DEVICE_PRIVATE off: 26 swap files on 6.1, 27 on 6.12
    off = {"CONFIG_DEVICE_PRIVATE": False}
    assert layout.max_swapfiles(SPECS["6.1"], off) == 26
    assert layout.max_swapfiles(SPECS["6.12"], off) == 27
    numbers = layout.type_numbers(SPECS["6.12"], off)
    assert "SWP_DEVICE_WRITE" not in numbers
    assert numbers["SWP_HWPOISON"] == 27
    assert numbers["SWP_PTE_MARKER"] == 31
    assert layout.type_name(SPECS["6.12"], 30, off) == "SWP_MIGRATION_WRITE"


def test_pte_marker_gate_of_6_1():
    off = {"CONFIG_PTE_MARKER": False}
    assert layout.max_swapfiles(SPECS["6.1"], off) == 23
    assert layout.type_numbers(SPECS["6.1"], off)["SWP_SWAPIN_ERROR"] == 31


def test_marker_masks():
    masks = {v: layout.marker_mask(SPECS[v]) for v in VERSIONS}
    assert masks == {
        "5.14": 0, "5.19": 0x1, "6.1": 0x1, "6.2": 0x3, "6.6": 0x3, "6.12": 0x3, "6.13": 0x7,
        "6.19": 0x7,
    }  # fmt: skip
    assert layout.marker_names(SPECS["6.19"], 0b1101) == (
        ["PTE_MARKER_UFFD_WP", "PTE_MARKER_GUARD"],
        0b1000,
    )


def test_generic_type_shift():
    assert layout.generic_type_shift(SPECS["6.19"], 64) == 58
    assert layout.generic_type_shift(SPECS["6.19"], 32) == 26


@pytest.mark.parametrize(
    ("version", "arch", "type_", "offset", "flags", "value"),
    [
        # x86-64 stores the offset inverted (L1TF): type 0 / offset 0 is not an empty PTE
        ("6.19", "x86_64", 0, 0, (), 0x07FFFFFFFFFFFE00),
        ("6.19", "x86_64", 31, 0, ("exclusive",), 0xFFFFFFFFFFFFFE08),
        ("6.19", "x86_64", 1, 5, ("soft_dirty", "uffd_wp"), 0x0FFFFFFFFFFFF406),
        ("6.1", "arm64", 1, 1, ("exclusive",), 0x10C),
        ("6.12", "arm64", 1, 1, ("uffd_wp",), 0x1048),
        ("6.1", "riscv64", 2, 3, (), 0x1880),
        ("6.12", "riscv64", 2, 3, ("exclusive",), 0x3140),
        ("6.19", "riscv64", 1, 0, ("soft_dirty", "uffd_wp"), 0x98),
        ("6.12", "powerpc64", 3, 1, ("soft_dirty", "exclusive"), 0x4000000000010223),
        ("6.12", "s390", 3, 1, ("soft_dirty",), 0x160E),
        ("6.1", "loongarch64", 200, 1, (), 0x1C80000),
        ("6.12", "loongarch64", 5, 1, ("exclusive",), 0x1850000),
        ("6.1", "arm", 3, 1, (), 0x8C),
        ("6.12", "arm", 3, 1, ("exclusive",), 0x18C),
        # parisc's split offset: bits 0-2 at 5-7 (6-8 in 6.1), the rest from bit 10 (11)
        ("6.1", "parisc", 3, 15, (), 0x9C3),
        ("6.12", "parisc", 3, 15, ("exclusive",), 0x5E3),
    ],
)
def test_known_encodings(version, arch, type_, offset, flags, value):
    a = SPECS[version].arch(arch)
    assert layout.encode(a, type_, offset, flags) == value
    decoded = layout.decode(a, value)
    assert (decoded.type, decoded.offset, decoded.flags) == (type_, offset, tuple(flags))


@pytest.mark.parametrize(("version", "arch_name"), ARCH_CASES)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_decode_inverts_encode_over_the_whole_field_ranges(version, arch_name, data):
    arch = SPECS[version].arch(arch_name)
    type_ = data.draw(st.integers(0, layout.value_mask(arch.type.width)), label="type")
    offset = data.draw(st.integers(0, layout.value_mask(arch.offset.width)), label="offset")
    flags = data.draw(st.sets(st.sampled_from(list(arch.flags) or [None])), label="flags")
    flags = tuple(f for f in FLAG_NAMES if f in flags)
    value = layout.encode(arch, type_, offset, flags)
    assert 0 <= value <= layout.pte_mask(arch)
    if value == arch.none_value:
        assert (type_, offset, flags) == none_entry(arch)
        with pytest.raises(layout.NotSwapPte):
            layout.decode(arch, value)
        return
    assert layout.decode(arch, value) == layout.SwapPte(type_, offset, flags, 0)


def none_entry(arch):
    """The one (type, offset, flags) whose encoding is pte_none: offset 0, or all-ones on x86-64."""
    offset = layout.value_mask(arch.offset.width) if arch.offset.inverted else 0
    return (0, offset, ())


@pytest.mark.parametrize(("version", "arch_name"), ARCH_CASES)
def test_exactly_one_entry_collides_with_pte_none(version, arch_name):
    arch = SPECS[version].arch(arch_name)
    type_, offset, flags = none_entry(arch)
    assert (layout.encode(arch, type_, offset, flags) == arch.none_value) == (not arch.one_bits)


@pytest.mark.parametrize(("version", "arch_name"), ARCH_CASES)
def test_edges_round_trip(version, arch_name):
    arch = SPECS[version].arch(arch_name)
    for type_ in (0, 1, layout.value_mask(arch.type.width)):
        for offset in (0, 1, layout.value_mask(arch.offset.width)):
            for flags in ((), tuple(arch.flags)):
                if (type_, offset, flags) == none_entry(arch):
                    continue
                value = layout.encode(arch, type_, offset, flags)
                assert layout.decode(arch, value) == layout.SwapPte(type_, offset, flags, 0)


@pytest.mark.parametrize(("version", "arch_name"), ARCH_CASES)
def test_values_that_are_not_swap_ptes_are_refused(version, arch_name):
    arch = SPECS[version].arch(arch_name)
    good = layout.encode(arch, 1, 1)
    for r in arch.zero_bits:
        with pytest.raises(layout.NotSwapPte, match=rf"\({r.name}\) set: must be 0"):
            layout.decode(arch, good | 1 << r.lo)
    for r in arch.one_bits:
        with pytest.raises(layout.NotSwapPte, match=rf"\({r.name}\) clear: must be 1"):
            layout.decode(arch, good & ~(1 << r.lo))
    with pytest.raises(layout.NotSwapPte, match="pte_none"):
        layout.decode(arch, arch.none_value)
    with pytest.raises(layout.NotSwapPte, match=f"does not fit a {arch.pte_bits}-bit"):
        layout.decode(arch, 1 << arch.pte_bits)


def test_encode_refuses_what_does_not_fit():
    arch = SPECS["6.12"].arch("arm")
    with pytest.raises(layout.LayoutError, match="type 32 does not fit the arm type field"):
        layout.encode(arch, 32, 0)
    with pytest.raises(layout.LayoutError, match="offset 0x1000000 does not fit the arm offset"):
        layout.encode(arch, 0, 1 << 24)
    with pytest.raises(layout.LayoutError, match="arm has no swap-PTE flag 'uffd_wp'"):
        layout.encode(arch, 0, 1, ["uffd_wp"])


def test_a_flag_switched_off_by_kconfig_is_a_stray_bit():
    arch = SPECS["6.19"].arch("x86_64")
    value = layout.encode(arch, 1, 1, ["soft_dirty"])
    decoded = layout.decode(arch, value, {"CONFIG_MEM_SOFT_DIRTY": False})
    assert decoded.flags == ()
    assert decoded.stray_bits == 0x2


def test_overlaps_lists_each_shared_run():
    parts = [layout.Part("a", 0, 4), layout.Part("b", 4, 8), layout.Part("c", 10, 12)]
    (found,) = layout.overlaps(parts)
    assert (found[0].label, found[1].label, found[2]) == ("a", "b", 0x10)


@pytest.mark.parametrize(("version", "arch_name"), ARCH_CASES)
def test_bundled_layouts_have_no_overlap(version, arch_name):
    assert layout.overlaps(layout.arch_parts(SPECS[version].arch(arch_name))) == []


# --- fields in two pieces -----------------------------------------------------------------

PARISC_OFFSET = Field.of_pieces(((5, 3), (10, 22)))
"""parisc 6.12's offset: value bits 0-2 at PTE bits 5-7, bits 3-24 at 10-31."""


def test_a_split_field_keeps_lsb_width_and_msb_meaningful():
    assert (PARISC_OFFSET.lsb, PARISC_OFFSET.width, PARISC_OFFSET.msb) == (5, 25, 31)
    assert PARISC_OFFSET.split and PARISC_OFFSET.spans == ((5, 7), (10, 31))
    contiguous = Field(9, 50)
    assert contiguous.pieces == ((9, 50),) and not contiguous.split
    assert contiguous == Field(9, 50, pieces=((9, 50),))
    assert PARISC_OFFSET.split_entry() == {"split": {"low_width": 3, "high_lsb": 10}}
    assert contiguous.split_entry() == {}


def test_split_masks_place_and_extract():
    assert layout.field_mask(PARISC_OFFSET) == 0xFFFFFCE0
    assert layout.place(PARISC_OFFSET, 0b1111) == 0x4E0
    assert layout.place(PARISC_OFFSET, layout.value_mask(25)) == 0xFFFFFCE0
    for value in (0, 1, 7, 8, 0x155555, layout.value_mask(25)):
        assert layout.extract(PARISC_OFFSET, layout.place(PARISC_OFFSET, value)) == value
    # bits between and around the pieces are not the field's
    assert layout.extract(PARISC_OFFSET, 0x31F) == 0
    assert layout.value_bit_at(PARISC_OFFSET, 7) == 2
    assert layout.value_bit_at(PARISC_OFFSET, 10) == 3
    with pytest.raises(ValueError, match="bit 8 is not in the field"):
        layout.value_bit_at(PARISC_OFFSET, 8)


def test_pieces_come_from_the_runs_of_positions():
    assert layout.pieces_from_positions([5, 6, 7, 10, 11]) == ((5, 3), (10, 2))
    assert layout.pieces_from_positions([2, 3, 4, 5, 8]) == ((2, 4), (8, 1))  # csky abiv1 type
    assert layout.pieces_from_positions([4, 5, 6]) == ((4, 3),)
    assert layout.pieces_from_positions([7, 5, 6]) is None  # not in value-bit order
    assert layout.pieces_from_positions([]) is None
    assert layout.describe_pieces(((5, 3), (10, 22))) == "bits 5-7, 10-31"
    assert layout.describe_pieces(((8, 1),)) == "bit 8"


def test_split_fields_in_parts_letters_and_drawings():
    arch = SPECS["6.12"].arch("parisc")
    parts = {(p.label, p.lo, p.hi) for p in layout.arch_parts(arch)}
    assert {("offset", 5, 7), ("offset.high", 10, 31), ("type", 0, 4)} <= parts
    assert layout.bit_rows(arch)[2] == "OOOOOOOOOOOOOOOOOOOOOO0EOOOTTTTT"
    assert layout.drawn_spans(arch.offset.spans, False, 0) == {((5, 7), (10, 31))}
    # an inverted split offset may be drawn over the ones right above its high piece
    assert layout.drawn_spans(((1, 2), (5, 6)), True, 0b110000000) == {
        ((1, 2), (5, 6)),
        ((1, 2), (5, 8)),
    }


def test_a_split_inverted_offset_and_a_split_type_round_trip():
    arch = SPECS["6.12"].arch("parisc")
    odd = replace(
        arch,
        type=Field.of_pieces(((0, 4), (8, 1))),  # in two pieces, as csky abiv1 has it (2-5, 8)
        offset=Field.of_pieces(((4, 4), (10, 22)), inverted=True),
        flags={},
        zero_bits=(),
    )
    for type_, offset in ((0, 0), (31, 1), (16, 0x3FFFFFF), (5, 0x123456)):
        value = layout.encode(odd, type_, offset)
        assert not value & 0x200  # bit 9 is no field's
        assert layout.decode(odd, value) == layout.SwapPte(type_, offset, (), 0)
    assert layout.encode(odd, 16, 0) == 0x100 | layout.place(odd.offset, layout.value_mask(26))
