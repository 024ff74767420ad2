"""Facts about the kernel that are not in a spec, each written once.

``flags``: the swap-PTE flag kinds with their helpers and Kconfig selects; ``arches``: every
architecture with its kernel directory, word size, PTE width, endianness and compilers;
``headers``: the roles of the generic headers; ``rules``: the finding rule IDs. Everything
else (the JSON Schema's enums, the templates, the review rules, the CLI) reads them here.
"""
