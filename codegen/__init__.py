"""swapgen: one versioned YAML spec for the Linux kernel's swap-entry encodings."""

__version__ = "0.1.0"
