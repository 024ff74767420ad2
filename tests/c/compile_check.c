// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-only check of generated headers for any target triple: includes them
 * as the kernel would and expands every macro once (static inline helpers are
 * type-checked even unused). Freestanding: no system header.
 */
#include "shim.h"
#include <asm/swap_pte.h>
#include <swapgen/pte_checks.h>
#include <swapgen/types_checks.h>
#include <linux/swapops.h>
#ifdef SWAPGEN_SOFTLEAF
#include <linux/leafops.h>
#endif

unsigned long swapgen_use_everything(unsigned long type, unsigned long offset);

unsigned long swapgen_use_everything(unsigned long type, unsigned long offset)
{
	swp_entry_t entry = swp_entry(type, offset);
	swp_entry_t arch_entry = __swp_entry(type, offset);
	pte_t pte = swp_entry_to_pte(entry);
	unsigned long sum = __swp_type(arch_entry) + __swp_offset(arch_entry);

#ifdef MAX_SWAPFILES_CHECK
	MAX_SWAPFILES_CHECK();
#endif
#define SWAPGEN_ADD(type_macro) sum += (type_macro);
	SWAPGEN_TYPES(SWAPGEN_ADD)
	sum += __pte_to_swp_entry(pte).val + pte_val(__swp_entry_to_pte(arch_entry));
	sum += MAX_SWAPFILES + SWAPGEN_SWP_TYPE_BITS + SWAPGEN_SWP_OFFSET_BITS + SWAPGEN_PTE_BITS;
	return sum + (unsigned long)pte_val(pte);
}
