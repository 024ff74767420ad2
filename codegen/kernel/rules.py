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
    "SWP001",
    "error",
    "spec cannot be read",
    """The spec file is not UTF-8 text, not well-formed YAML, has a duplicate key, is far
      larger than any spec, or holds no document. Nothing else is checked until it reads.""",
)
_rule(
    "SWP002",
    "error",
    "spec does not match the schema",
    """A key is unknown or missing, or a value has the wrong type or form (a bit number that
      is not an integer, a macro name in lower case, an arch swapgen does not know). The
      message names the key and what is allowed there.""",
)
_rule(
    "SWP003",
    "error",
    "spec contradicts itself",
    """The spec is well-formed but inconsistent: fields or flags overlap, a field does not fit
      the PTE, the type field is narrower than MAX_SWAPFILES_SHIFT, a marker bit does not fit
      the offset, MAX_SWAPFILES falls below the floor, or a flag and its Kconfig select
      disagree.""",
)
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
    "SWP528",
    "error",
    "pte_swp_* test helper misses its bit",
    """The flag's set and clear helpers agree on one bit, but its test helper is false for
      a PTE with that bit set, so the kernel never sees the flag. Alpha's pte_swp_exclusive()
      returned the 64-bit mask of bit 39 as an int, which keeps none of it.""",
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


# --- review of incoming series (swapgen review) -------------------------------------------

_rule(
    "SWP101",
    "error",
    "special swap type without its count",
    """A series adds or removes a special swap type (SWP_* = MAX_SWAPFILES + ...) but leaves
      the count macro of its group (SWP_DEVICE_NUM, ...) as it was, so MAX_SWAPFILES and every
      type above the group end up wrong.""",
)
_rule(
    "SWP102",
    "error",
    "count macro not subtracted from MAX_SWAPFILES",
    """A new *_NUM count macro is defined but MAX_SWAPFILES does not subtract it; its types
      would collide with swap device types.""",
)
_rule(
    "SWP103",
    "error",
    "MAX_SWAPFILES below the budget floor",
    """After the series, MAX_SWAPFILES (every Kconfig gate on) would fall below the spec's
      min_max_swapfiles: each special type takes one swap device type.""",
)
_rule("SWP201", "error", "PTE marker bit used twice", """Two PTE_MARKER_* macros share a bit.""")
_rule(
    "SWP202",
    "error",
    "PTE_MARKER_MASK does not cover exactly the markers",
    """After the series, PTE_MARKER_MASK is not the OR of the defined marker bits: a marker
      would be masked off by pte_marker_get()/softleaf_to_marker(), or stray bits let in.""",
)
_rule(
    "SWP203",
    "error",
    "PTE marker bit beyond the swap offset",
    """Marker bits live in the offset of an SWP_PTE_MARKER entry; a bit at or above the
      narrowest arch offset field (24 bits on 32-bit arm) is lost on that arch.""",
)
_rule(
    "SWP204",
    "warning",
    "new PTE marker without helpers",
    """A new PTE_MARKER_* bit comes without a make_*() constructor or an is_*()/softleaf_is_*()
      predicate in the series; every marker so far has both.""",
)
_rule(
    "SWP205",
    "error",
    "PTE marker is not one bit",
    """A PTE_MARKER_* macro's value is not a single bit (0, or several bits): a marker entry
      could not carry it apart from the others, and pte_marker_get() would mix them up.""",
)
_rule(
    "SWP301",
    "error",
    "swap-PTE flag bit overlaps",
    """A soft-dirty, uffd-wp or exclusive swap bit lands on the type or offset field, another
      flag, or a bit that must be 0 (or 1) in every swap PTE of that arch, or beyond the
      PTE's width (BIT(64) on a 64-bit PTE).""",
)
_rule(
    "SWP302",
    "error",
    "type field narrower than MAX_SWAPFILES_SHIFT",
    """The arch's swap type field would have fewer bits than MAX_SWAPFILES_SHIFT; types above
      it could not be stored.""",
)
_rule(
    "SWP303",
    "error",
    "pte_swp_* helpers incomplete",
    """A flag needs all three helpers: pte_swp_mkX(), pte_swp_X() and pte_swp_clear_X()
      (pte_swp_clear_flags() calls the test and clear ones).""",
)
_rule(
    "SWP304",
    "error",
    "uffd-wp swap bit and HAVE_ARCH_USERFAULTFD_WP disagree",
    """An arch that gets a uffd-wp swap bit must select HAVE_ARCH_USERFAULTFD_WP, and an arch
      that selects it must have the bit; otherwise the generic no-op helpers or a missing bit
      silently lose the write protection across swap.""",
)
_rule(
    "SWP305",
    "error",
    "soft-dirty swap bit and HAVE_ARCH_SOFT_DIRTY disagree",
    """An arch that gets a soft-dirty swap bit must select HAVE_ARCH_SOFT_DIRTY, and the
      other way round.""",
)
_rule(
    "SWP306",
    "warning",
    "layout comment contradicts the layout",
    """A "Format of swap PTEs" comment in the series gives the type or offset other bits than
      the layout has.""",
)
_rule(
    "SWP401",
    "error",
    "series changes what the spec pins",
    """The series changes a value the swapgen spec pins (a marker bit, a type, a count, a flag
      bit, a field macro, a Kconfig select). The spec needs the same change, or the series is
      wrong; the message says which value and what the spec has.""",
)
_rule(
    "SWP901", "error", "series parts missing", """Parts of the series (n/m) are not in the input."""
)
_rule(
    "SWP902",
    "warning",
    "series part duplicated",
    """The same part (n/m) appears twice; the first copy is reviewed.""",
)
_rule(
    "SWP903",
    "info",
    "several versions or mixed counts",
    """The input holds several versions of the series (the newest is reviewed) or parts that
      disagree on the series length.""",
)
_rule(
    "SWP904",
    "error",
    "unparsable diff",
    """A patch's diff could not be parsed (a truncated hunk, a mangled mail). The rest of the
      series is still reviewed.""",
)
_rule(
    "SWP905",
    "warning",
    "mail problem",
    """A mail lacks a subject, has a part that cannot be decoded, or carries attachments that
      are not text.""",
)
_rule(
    "SWP906",
    "info",
    "version inferred",
    """The subjects carry no version; the series is reviewed as v1.""",
)
_rule(
    "SWP908",
    "info",
    "part reviewed alone",
    """One part of a longer series was given alone (as b4 hands each patch to its per-patch
      check): rules that need the whole series (a new count macro for a new type, helpers
      for a new marker or flag, a select for a new bit) are skipped for it.""",
)
_rule(
    "SWP907",
    "error",
    "series does not apply",
    """With --tree, a hunk's old lines are nowhere near where it says in the tree's file (the
      series is for another base, or an earlier part is missing). Nothing is written: the
      hunks are applied in memory. That file, and the arch it belongs to, are then read from
      the diff alone.""",
)
