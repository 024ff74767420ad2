// SPDX-License-Identifier: GPL-2.0
/*
 * Runs a generated arch header on (type, offset, flags) tuples and prints what
 * it computes, one line per tuple, for tests/test_generated_c.py to compare
 * with codegen/layout.py:
 *
 *   T <type> <offset> <flags> <pte> <swap?> <type'> <offset'> <flags'>
 *   N <name> <value>            special type numbers under the -D CONFIG_ set
 *   M <max_swapfiles>
 *   V <pte> <swap?>             raw values the test asks about on stdin
 *
 * flags is a bit mask: 1 soft-dirty, 2 uffd-wp, 4 exclusive. Build with
 * -DSWAPGEN_PTE_BITS=<32|64> -DSWAPGEN_ENTRY_FROM_PTE=<pte_to_swp_entry|...>.
 */
#include <stdio.h>
#include <stdlib.h>
#include "shim.h"
#include <asm/swap_pte.h>
#include <swapgen/pte_checks.h>
#include <swapgen/types_checks.h>
#include <linux/swapops.h>

#define FLAG_SOFT_DIRTY	1
#define FLAG_UFFD_WP	2
#define FLAG_EXCLUSIVE	4

static unsigned long long state = 0x9e3779b97f4a7c15ULL;

static unsigned long long next_random(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned long field_max(int bits)
{
	int limit = SWP_TYPE_SHIFT < bits ? SWP_TYPE_SHIFT : bits;

	return limit >= BITS_PER_LONG ? ~0UL : (1UL << limit) - 1;
}

static int available_flags(void)
{
	return (SWAPGEN_HAS_SOFT_DIRTY ? FLAG_SOFT_DIRTY : 0) |
	       (SWAPGEN_HAS_UFFD_WP ? FLAG_UFFD_WP : 0) |
	       (SWAPGEN_HAS_EXCLUSIVE ? FLAG_EXCLUSIVE : 0);
}

static void one(unsigned long type, unsigned long offset, int flags)
{
	pte_t pte = swp_entry_to_pte(swp_entry(type, offset));
	swp_entry_t back;
	int got = 0;

	if (flags & FLAG_SOFT_DIRTY)
		pte = pte_swp_mksoft_dirty(pte);
	if (flags & FLAG_UFFD_WP)
		pte = pte_swp_mkuffd_wp(pte);
	if (flags & FLAG_EXCLUSIVE)
		pte = pte_swp_mkexclusive(pte);
	got |= pte_swp_soft_dirty(pte) ? FLAG_SOFT_DIRTY : 0;
	got |= pte_swp_uffd_wp(pte) ? FLAG_UFFD_WP : 0;
	got |= pte_swp_exclusive(pte) ? FLAG_EXCLUSIVE : 0;
	back = SWAPGEN_ENTRY_FROM_PTE(pte);
	printf("T %lu %#lx %d %#llx %d %u %#lx %d\n", type, offset, flags,
	       (unsigned long long)pte_val(pte), (int)swapgen_is_swap_pte(pte),
	       swp_type(back), swp_offset(back), got);
}

int main(void)
{
	unsigned long type_max = (1UL << MAX_SWAPFILES_SHIFT) - 1;
	unsigned long offset_max = field_max(SWAPGEN_SWP_OFFSET_BITS);
	unsigned long types[] = { 0, 1, type_max / 2, type_max - 1, type_max };
	unsigned long offsets[] = { 0, 1, 2, offset_max >> 1, offset_max - 1, offset_max,
				    0x5555555555555555UL & offset_max,
				    0xaaaaaaaaaaaaaaaaUL & offset_max };
	int all = available_flags();
	unsigned long long raw;
	unsigned int t, o;
	int flags, i;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
			for (flags = 0; flags <= 7; flags++)
				if ((flags & all) == flags)
					one(types[t], offsets[o], flags);
	for (i = 0; i < 3000; i++)
		one(next_random() & type_max, next_random() & offset_max,
		    (int)(next_random() & 7) & all);

#define SWAPGEN_PRINT(type_macro) printf("N %s %ld\n", #type_macro, (long)(type_macro));
	SWAPGEN_TYPES(SWAPGEN_PRINT)
	printf("M %ld\n", (long)MAX_SWAPFILES);

	while (scanf("%llx", &raw) == 1) {
		pte_t pte = __pte((pteval_t)raw);

		printf("V %#llx %d\n", raw, (int)swapgen_is_swap_pte(pte));
	}
	return 0;
}
