"""The layout-comment parser: what a "swap entry format" comment says, in LSB-0 bit ranges.

The comments below are written for these tests in the styles the kernel uses; sync compares
what they say with what the code does (SWP541), so a misread comment is a false warning.
"""

from __future__ import annotations

from codegen import layout
from codegen.csrc.layoutcomment import CommentField, parse


def fields(comment: str, pte_bits: int = 64, msb0: bool = False) -> dict[str, tuple[int, int]]:
    return {f.name: (f.lo, f.hi) for f in parse(comment, 1, pte_bits, msb0)}


def test_a_list_of_ranges_names_each_field():
    comment = "bit 0: present (zero)\nbits 7 to 11: swap type\nbits 12 to XLEN-1: swap offset"
    assert fields(comment) == {"type": (7, 11), "offset": (12, 63)}


def test_names_with_ranges():
    assert fields("| TYPE (59-63) | ~OFFSET (9-58) |0|0|") == {"type": (59, 63), "offset": (9, 58)}


def test_msb0_numbering_is_turned_around():
    comment = "Bits 0-51 store the offset.\nBits 57-61 store the type."
    assert fields(comment, msb0=True) == {"type": (2, 6), "offset": (12, 63)}


def test_a_range_given_for_both_fields_names_neither():
    # s390 before v5.19 first says where type and offset may go together, then where each is
    both = "That leaves bits 0-51 and bits 56-62 to store type and offset.\n"
    each = "The 5 bits from 57-61 hold the type and the 52 bits from 0-51 the offset."
    assert fields(both, msb0=True) == {}
    parsed = parse(both + each, 1, 64, msb0=True)
    assert parsed == [CommentField("type", 2, 6, 2), CommentField("offset", 12, 63, 2)]


def test_a_range_does_not_reach_past_another_range_to_a_name():
    assert fields("bits 3-5 are free, bits 8-12: type") == {"type": (8, 12)}


def test_the_line_of_each_field_is_where_the_comment_states_it():
    parsed = parse("intro\nbits 2-6: type\n\nbits 7-31: offset", 40, 32)
    assert parsed == [CommentField("type", 2, 6, 41), CommentField("offset", 7, 31, 43)]


def test_a_comment_drawing_a_wider_pte_is_another_variants():
    """sh's pgtable_32.h draws the X2TLB layout (64-bit PTE, type 32-36) before its own
    32-bit one: for the 32-bit variant the first comment says nothing."""
    x2tlb = "\n".join([
        " * Format of swap PTEs:",
        " *",
        " *   6 6 6 6 5 5 5 5 5 5 5 5 5 5 4 4 4 4 4 4 4 4 4 4 3 3 3 3 3 3 3 3",
        " *   3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2",
        " *   <--------------------- offset ----------------------> < type ->",
    ])  # fmt: skip
    assert [(f.name, f.lo, f.hi) for f in parse(x2tlb, 1, 64)] == [
        ("type", 32, 36),
        ("offset", 37, 63),
    ]
    assert parse(x2tlb, 1, 32) == []


def test_a_drawing_numbered_from_the_msb_is_read_as_such():
    """powerpc draws its swap PTEs with bit 0 on the left (MSB-0): the numbers grow to the
    right, so each is 31 minus the LSB-0 bit (nohash/32/pgtable.h in 6.12)."""
    drawing = "\n".join([
        " * Format of swap PTEs (32bit PTEs):",
        " *",
        " *                         1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 3 3",
        " *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1",
        " *   <------------------ offset -------------------> < type -> E 0 0",
    ])  # fmt: skip
    assert [(f.name, f.lo, f.hi) for f in parse(drawing, 1, 32)] == [
        ("type", 3, 7),
        ("offset", 8, 31),
    ]


def test_a_tens_digit_the_drawing_leaves_out_does_not_renumber_the_bit():
    """powerpc's drawings have no tens digit over bit 10 (nine 1s): counted along the row,
    that column is bit 10, not bit 0. In the exclusive-bit RFC (tests/realmail/02) the
    book3s/32 drawing was backwards, E H P then type then offset: type 23-28, offset 0-22."""
    backwards = "\n".join([
        " *                         1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 3 3",
        " *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1",
        " *   E H P <- type --> <----------------- offset ------------------>",
    ])  # fmt: skip
    assert [(f.name, f.lo, f.hi) for f in parse(backwards, 1, 32)] == [
        ("type", 23, 28),
        ("offset", 0, 22),
    ]


UM_STYLE = "\n".join([
    " * Format of swap PTEs:",
    " *",
    " *   3 3 2 2 2 2 2 2 2 2 2 2 1 1 1 1 1 1 1 1 1 1",
    " *   1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0 9 8 7 6 5 4 3 2 1 0",
    " *   <--------------- offset ----------------> E < type -> 0 0 0 1 0",
])  # fmt: skip
"""A 32-bit drawing, as um's pgtable.h gives for every word size."""


def test_a_32_bit_drawing_of_a_64_bit_pte_runs_the_top_field_on():
    offset = {f.name: f for f in parse(UM_STYLE, 1, 64)}["offset"]
    assert (offset.lo, offset.hi, offset.top) == (11, 31, 31)
    agrees = [
        layout.drawing_agrees(offset.spans, offset.top, (code,), False, 0, pte_bits)
        for code, pte_bits in [((11, 63), 64), ((11, 31), 32), ((12, 63), 64), ((11, 62), 64)]
    ]
    assert agrees == [True, True, False, False]


CSKY_STYLE = "\n".join([
    " * Format of swap PTE:",
    " *     bit          0:    _PAGE_PRESENT (zero)",
    " *     bit      2 - 5:    swap type[0 - 3]",
    " *     bit          7:    _PAGE_VALID (zero)",
    " *     bit          8:    swap type[4]",
    " *     bit    11 - 31:    swap offset[1 - 21]",
    " *     bit          9:    swap offset[0]",
])  # fmt: skip
"""A list of pieces, each with the field bits it holds, as csky's abi headers give it (the
offset's pieces deliberately out of order here)."""


def test_a_field_listed_piece_by_piece_is_its_pieces_in_field_bit_order():
    parsed = {f.name: f for f in parse(CSKY_STYLE, 10, 32)}
    assert parsed["type"].spans == ((2, 5), (8, 8)) and parsed["type"].line == 12
    assert parsed["offset"].spans == ((9, 9), (11, 31)) and parsed["offset"].line == 16
    type_ = parsed["type"]
    assert layout.drawing_agrees(type_.spans, type_.top, ((2, 5), (8, 8)), False, 0, 32)
    assert not layout.drawing_agrees(type_.spans, type_.top, ((2, 6),), False, 0, 32)
