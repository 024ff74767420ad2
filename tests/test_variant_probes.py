"""One header, several variants: each is folded by its own compiler under its own Kconfig.

The header below is written for this test in the style LoongArch's pgtable.h took with its
32-bit port (about v6.19): the type's shift and width chosen by ``IS_ENABLED(CONFIG_32BIT)``
in macros both word sizes share. Issue #13 saw sync end such a header in SWP590
('CONFIG_32BIT' undeclared); each variant must get its own layout from it.
"""

from __future__ import annotations

import pytest

from codegen.csrc.preprocess import scan_headers
from codegen.kernel.arches import arch_info, predefined_macros
from codegen.resources import resolve_spec
from codegen.spec.load import load_spec
from codegen.tree.behaviour import probe
from codegen.tree.reading import arch_model, scan_config
from tests.conftest import require_tool

HEADER = """
#define _PAGE_PRESENT		(1UL << 7)
#define _PAGE_SWP_EXCLUSIVE	(1UL << (IS_ENABLED(CONFIG_32BIT) ? 13 : 23))
#define __SWP_TYPE_BITS		(IS_ENABLED(CONFIG_32BIT) ? 5 : 7)
#define __SWP_TYPE_MASK		((1UL << __SWP_TYPE_BITS) - 1)
#define __SWP_TYPE_SHIFT	(IS_ENABLED(CONFIG_32BIT) ? 8 : 16)
#define __SWP_OFFSET_SHIFT	(__SWP_TYPE_BITS + __SWP_TYPE_SHIFT + 1)
#define __swp_type(x)		(((x).val >> __SWP_TYPE_SHIFT) & __SWP_TYPE_MASK)
#define __swp_offset(x)		((x).val >> __SWP_OFFSET_SHIFT)
#define __swp_entry(type, offset) ((swp_entry_t) { \\
	(((type) & __SWP_TYPE_MASK) << __SWP_TYPE_SHIFT) | ((offset) << __SWP_OFFSET_SHIFT) })
#define __pte_to_swp_entry(pte)	((swp_entry_t) { pte_val(pte) })
#define __swp_entry_to_pte(x)	((pte_t) { (x).val })
static inline int pte_swp_exclusive(pte_t pte)
{
	return !!(pte_val(pte) & _PAGE_SWP_EXCLUSIVE);
}
static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
	pte_val(pte) |= _PAGE_SWP_EXCLUSIVE;
	return pte;
}
static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	pte_val(pte) &= ~_PAGE_SWP_EXCLUSIVE;
	return pte;
}
"""


@pytest.mark.parametrize(
    ("variant", "type_lsb", "offset", "exclusive"),
    [("loongarch32", 8, (14, 18), 13), ("loongarch64", 16, (24, 40), 23)],
)
def test_a_header_shared_by_two_word_sizes_folds_for_each(variant, type_lsb, offset, exclusive):
    require_tool("clang-19")
    arch = load_spec(resolve_spec("6.19")).arch(variant)
    config = scan_config(arch)
    scan = scan_headers([("pgtable.h", HEADER)], config, arch_model(arch))
    found = probe(
        scan, variant, "pgtable.h", arch.pte_bits, predefined_macros(variant, config), config
    )
    assert found.problems == []
    assert (found.type_lsb, found.type_width) == (type_lsb, 5 if variant.endswith("32") else 7)
    assert (found.offset_lsb, found.offset_width) == offset
    assert found.flags == {"exclusive": exclusive}
    # what the spec says of the variant is what the header gives it
    assert (arch.type.lsb, arch.offset.lsb, arch.flags["exclusive"].bit) == (
        type_lsb,
        offset[0],
        exclusive,
    )
    assert arch_info(variant).word_bits == (32 if variant.endswith("32") else 64)
