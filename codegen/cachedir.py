"""Where swapgen keeps what only saves time (compiled specs, schema verdicts, review parts,
the resident server's address): ``$SWAPGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/swapgen``,
else ``~/.cache/swapgen``; ``SWAPGEN_CACHE_DIR=off`` switches all of it off.

Imports nothing beyond ``os``: the console script asks it before anything else is loaded.
"""

from __future__ import annotations

import os

DISABLED = "off"


def cache_dir_path() -> str | None:
    """The cache directory as a string, or None when caching is switched off."""
    configured = os.environ.get("SWAPGEN_CACHE_DIR")
    if configured == DISABLED:
        return None
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "swapgen")
