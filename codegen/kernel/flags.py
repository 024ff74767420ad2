"""The single-bit flags an arch may keep in a swap PTE: soft-dirty, uffd-wp, exclusive."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlagKind:
    """One swap-PTE flag kind and the kernel names that go with it."""

    name: str  # the spec's key, e.g. "uffd_wp"
    title: str  # for people: "uffd-wp"
    letter: str  # in bit diagrams
    word: str  # how the kernel's macro names spell it: _PAGE_SWP_UFFD_WP
    helpers: tuple[str, str, str]  # pte_swp_mkX, pte_swp_X, pte_swp_clear_X
    select: str | None  # the Kconfig symbol an arch selects exactly when it has the flag
    select_rule: str | None  # the review rule for a flag bit and its select disagreeing
    config: str | None  # the Kconfig option the flag is compiled under by default
    companions: str = ""  # what else selecting ``select`` asks of an arch

    @property
    def set_helper(self) -> str:
        return self.helpers[0]

    @property
    def test_helper(self) -> str:
        return self.helpers[1]

    @property
    def clear_helper(self) -> str:
        return self.helpers[2]


FLAG_KINDS: tuple[FlagKind, ...] = (
    FlagKind(
        "soft_dirty", "soft-dirty", "S", "SOFT_DIRTY",
        ("pte_swp_mksoft_dirty", "pte_swp_soft_dirty", "pte_swp_clear_soft_dirty"),
        "HAVE_ARCH_SOFT_DIRTY", "SWP305", "CONFIG_MEM_SOFT_DIRTY",
        "pte_soft_dirty, pte_mksoft_dirty, pmd_swp_*soft_dirty, ...",
    ),
    FlagKind(
        "uffd_wp", "uffd-wp", "U", "UFFD_WP",
        ("pte_swp_mkuffd_wp", "pte_swp_uffd_wp", "pte_swp_clear_uffd_wp"),
        "HAVE_ARCH_USERFAULTFD_WP", "SWP304", "CONFIG_HAVE_ARCH_USERFAULTFD_WP",
        "pte_uffd_wp, pte_mkuffd_wp, pmd_swp_*uffd_wp, ...",
    ),
    FlagKind(
        "exclusive", "exclusive", "E", "EXCLUSIVE",
        ("pte_swp_mkexclusive", "pte_swp_exclusive", "pte_swp_clear_exclusive"),
        None, None, None,
    ),
)  # fmt: skip
"""In the order specs, views and reports list them."""

FLAGS: dict[str, FlagKind] = {kind.name: kind for kind in FLAG_KINDS}
FLAG_NAMES: tuple[str, ...] = tuple(FLAGS)

CLEAR_ORDER: tuple[str, ...] = ("exclusive", "soft_dirty", "uffd_wp")
"""The order in which the generic pte_swp_clear_flags() clears them."""

FLAG_SELECTS: dict[str, str] = {k.name: k.select for k in FLAG_KINDS if k.select}
"""Flag name -> the Kconfig symbol an arch must select exactly when it has the flag."""


def flag_of_helper(helper: str) -> FlagKind | None:
    """The flag whose pte_swp_* helper this is."""
    return next((kind for kind in FLAG_KINDS if helper in kind.helpers), None)


def flag_of_macro_name(name: str) -> FlagKind | None:
    """The flag a swap-PTE macro name spells (_PAGE_SWP_UFFD_WP, PTE_SWP_EXCLUSIVE); not the
    feature switch __HAVE_ARCH_PTE_SWP_EXCLUSIVE (v5.19-v6.2), which holds no bit."""
    if "SWP" not in name or name.endswith("_SHIFT") or name.startswith("__HAVE_ARCH_"):
        return None
    return next((kind for kind in FLAG_KINDS if kind.word in name), None)

MANDATORY_FLAG = "exclusive"
"""The flag whose helpers every arch must have once naming.exclusive_helpers_mandatory (v6.3)."""
