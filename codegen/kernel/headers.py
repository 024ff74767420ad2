"""The roles of the generic files a spec names under ``generic:``."""

from __future__ import annotations

HEADER_ROLES: dict[str, str] = {
    "swap_h": "the special swap types and MAX_SWAPFILES (include/linux/swap.h)",
    "swapops_h": "swp_entry_t, its conversions and the PTE markers (include/linux/swapops.h)",
    "leafops_h": "the softleaf_* predicates of 6.19 and later (include/linux/leafops.h)",
    "mm_kconfig": "the mm Kconfig options (mm/Kconfig)",
}
"""Role -> what the file holds; swap_h, swapops_h and mm_kconfig are required."""

REQUIRED_ROLES: tuple[str, ...] = ("swap_h", "swapops_h", "mm_kconfig")
