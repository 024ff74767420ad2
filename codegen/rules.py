"""Rule IDs: stable, SWP + three digits, grouped by area, each with a severity and a doc.

5xx: drift between a kernel tree and the spec (swapgen sync). The review rules of incoming
series get their own areas; an ID, once published, never changes meaning.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # error, warning, info
    title: str
    doc: str


RULES: dict[str, Rule] = {}


def _rule(id_: str, severity: str, title: str, doc: str) -> None:
    RULES[id_] = Rule(id_, severity, title, " ".join(doc.split()))


_rule(
    "SWP501",
    "error",
    "special swap type numbers differ",
    """MAX_SWAPFILES or a special swap type evaluates to a different number in the tree
      than the spec computes for the same Kconfig gates. The order of the type groups, a
      count macro or a gate differs; every type above the difference moves.""",
)
_rule(
    "SWP502",
    "error",
    "special swap type missing or extra",
    """A special swap type the spec lists is not defined in the tree, or the tree defines one
      the spec does not list. Add it to (or drop it from) the spec's group, or the tree.""",
)
_rule(
    "SWP511",
    "error",
    "PTE marker bit differs",
    """A PTE_MARKER_* bit is missing, extra, or at another bit in the tree than in the spec.""",
)
_rule(
    "SWP512",
    "error",
    "PTE marker mask differs",
    """PTE_MARKER_MASK in the tree does not cover exactly the markers the spec defines.""",
)
_rule(
    "SWP513",
    "error",
    "helper of the release's naming missing",
    """A helper the spec names for this release (a marker's make/test helper, or the
      classification API such as softleaf_is_marker) is not defined in the tree.""",
)
_rule(
    "SWP521",
    "error",
    "swap type field differs",
    """Running the tree's __swp_entry/__swp_type puts the type in other bits than the spec.""",
)
_rule(
    "SWP522",
    "error",
    "swap offset field differs",
    """Running the tree's __swp_entry/__swp_offset puts the offset in other bits than the
      spec, or inverts it where the spec does not (or the other way round).""",
)
_rule(
    "SWP523",
    "error",
    "swap-PTE flag bit differs",
    """A soft-dirty, uffd-wp or exclusive bit that the tree's pte_swp_* helpers set is
      missing from the spec, extra, or at another bit.""",
)
_rule(
    "SWP524",
    "error",
    "always-set bits differ",
    """The bits the tree's __swp_entry always sets (s390 _PAGE_INVALID | _PAGE_PROTECT,
      powerpc _PAGE_PTE) differ from the spec's one_bits.""",
)
_rule(
    "SWP525",
    "error",
    "pte_swp_* helpers incomplete",
    """A flag has some but not all of its mk/test/clear helpers in the tree.""",
)
_rule(
    "SWP526",
    "error",
    "MAX_SWAPFILES_CHECK differs",
    """The tree defines MAX_SWAPFILES_CHECK() and the spec says it does not, or the reverse.""",
)
_rule(
    "SWP527",
    "warning",
    "macro named in the spec not found",
    """A field or flag macro the spec names (e.g. __SWP_TYPE_SHIFT, PTE_SWP_UFFD_WP) is not
      defined in the tree's headers, or has another value.""",
)
_rule(
    "SWP531",
    "error",
    "Kconfig select differs",
    """The arch's Kconfig selects HAVE_ARCH_SOFT_DIRTY or HAVE_ARCH_USERFAULTFD_WP
      differently from the spec (missing, extra, other config entry or condition).""",
)
_rule(
    "SWP541",
    "warning",
    "layout comment contradicts the code",
    """The "Format of swap PTEs" comment gives the type or offset other bits than the code
      uses. The kernel has real cases (riscv said bit 10 while the code used 11); trust the
      macros and fix the comment.""",
)
_rule(
    "SWP590",
    "warning",
    "cannot evaluate",
    """swapgen could not evaluate a construct of the tree (an #if on a macro from a header
      it does not read, a definition it cannot compile outside the kernel). It reports that
      instead of guessing; the affected comparison is skipped.""",
)


def rule(id_: str) -> Rule:
    return RULES[id_]
