"""The one reader of kernel C and Kconfig text.

Every command that needs a fact from a kernel tree or a patch asks this package: logical
lines and comments, ``#define``/``#if`` under a Kconfig setting, C integer arithmetic with
C's types, the kernel's helper macros, Kconfig entries and selects, layout comments, and
compile-time probes that learn what a macro or helper does without running it.
"""
