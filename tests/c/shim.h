/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel definitions that swapgen's generated headers use, so that they
 * compile outside a kernel tree: freestanding, no system header needed.
 *
 * Set SWAPGEN_PTE_BITS (32 or 64) to the arch's PTE width; the tests do.
 */
#ifndef SWAPGEN_TEST_SHIM_H
#define SWAPGEN_TEST_SHIM_H

#ifndef SWAPGEN_PTE_BITS
#error "define SWAPGEN_PTE_BITS to the arch's PTE width"
#endif

typedef _Bool bool;
#define true	1
#define false	0

#define __always_unused	__attribute__((__unused__))

#define BITS_PER_LONG		(8 * (int)sizeof(long))
#define BITS_PER_XA_VALUE	(BITS_PER_LONG - 1)
#define BIT(nr)			(1UL << (nr))
#define _AT(type, value)	((type)(value))

#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))

typedef unsigned long pgoff_t;

#if SWAPGEN_PTE_BITS == 32
typedef unsigned int pteval_t;
#else
typedef unsigned long long pteval_t;
#endif

typedef struct { pteval_t pte; } pte_t;
#define pte_val(x)	((x).pte)
#define __pte(x)	((pte_t) { (x) })

typedef struct { unsigned long val; } swp_entry_t;

/* riscv's Svrsw60t59b run-time test: the tests run as if the extension were there */
#define RISCV_ISA_EXT_SVRSW60T59B	0
#define riscv_has_extension_unlikely(ext)	((void)(ext), 1)

/*
 * pte_none() and pte_present() belong to the arch's pgtable.h; here they follow
 * the swapgen_is_swap_pte() test of the generated arch header, included after this.
 */
#define pte_none(pte)		(pte_val(pte) == SWAPGEN_PTE_NONE)
#define pte_present(pte)	(!pte_none(pte) && !swapgen_is_swap_pte(pte))

#endif /* SWAPGEN_TEST_SHIM_H */
