"""How one arch of a spec is read: the C data model its headers are evaluated in, the Kconfig
setting they are scanned under, and the Kconfig symbols whose selects are compared. Shared
by the tree reader (codegen.tree.facts) and review, which must read an arch the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codegen.csrc.cint import DataModel
from codegen.kernel.arches import arch_info
from codegen.kernel.flags import FLAG_SELECTS

if TYPE_CHECKING:
    from codegen.spec.model import Arch


def arch_model(spec_arch: Arch) -> DataModel:
    """The C data model the arch's headers are evaluated in: its word size and PTE width."""
    return DataModel(arch_info(spec_arch.name).word_bits, spec_arch.pte_bits)


def scan_config(spec_arch: Arch) -> dict[str, bool | int]:
    """The variant's Kconfig (codegen.kernel.arches), with the spec's stated assumptions."""
    config = arch_info(spec_arch.name).read_config
    for assumption in spec_arch.config_assumptions:
        name, _, value = assumption.partition("=")
        config[name] = value in ("y", "m")
    return config


def watched_symbols(spec_arch: Arch) -> list[str]:
    """The Kconfig symbols whose selects sync compares: every one the spec names for the
    arch, and the select of every flag kind."""
    named = [s.symbol for s in spec_arch.selects]
    return list(dict.fromkeys([*named, *FLAG_SELECTS.values()]))
