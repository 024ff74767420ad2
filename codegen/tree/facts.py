"""The swap facts of a kernel tree (TreeFacts): read once, compared later.

Reads only the files a spec names: swap.h, swapops.h (and leafops.h), each arch's headers and
Kconfig. Constants come from ``codegen.csrc.preprocess``, Kconfig from ``codegen.csrc.kconfig``,
what the arch's macros and helpers do from ``codegen.tree.behaviour``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from codegen import layout
from codegen.csrc import layoutcomment
from codegen.csrc.cint import DataModel
from codegen.csrc.preprocess import (
    Config,
    HeaderScan,
    Unevaluable,
    definitions,
    scan_headers,
    tokenize,
    values,
)
from codegen.errors import SwapgenError
from codegen.kernel.arches import COMMON_SCAN_CONFIG, arch_info, predefined_macros
from codegen.spec.model import Arch, Spec
from codegen.tree.reading import arch_model, scan_config, watched_symbols
from codegen.tree.source import FileSource, TreeSource

if TYPE_CHECKING:
    from codegen.csrc.kconfig import Kconfig, Select
    from codegen.tree.behaviour import ArchBehaviour

__all__ = ["ArchFacts", "GenericFacts", "Located", "TreeFacts", "TreeSource", "read_tree"]


@dataclass(frozen=True)
class Located:
    value: int
    file: str
    line: int


@dataclass
class ArchFacts:
    name: str
    scan: HeaderScan | None = None
    behaviour: ArchBehaviour | None = None
    kconfig: Kconfig | None = None
    selects: list[Select] = field(default_factory=list)  # of the symbols the spec watches
    comment_fields: list[layoutcomment.CommentField] = field(default_factory=list)
    comment_file: str | None = None
    problems: list[Unevaluable] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)

    def entry_line(self, name: str) -> int:
        """Line of the Kconfig entry ``config NAME`` (1 when it is not there)."""
        entry = self.kconfig.entry(name) if self.kconfig else None
        return entry.line if entry else 1


@dataclass
class GenericFacts:
    scan: HeaderScan
    swap_h: str
    # per Kconfig setting (a frozenset of gates that are off): MAX_SWAPFILES and type numbers
    numbers: dict[frozenset[str], tuple[int, dict[str, int]]] = field(default_factory=dict)
    counts: dict[str, Located] = field(default_factory=dict)  # count macro, every gate on
    markers: dict[str, Located] = field(default_factory=dict)  # name -> bit
    marker_mask: Located | None = None
    gates: dict[str, str] = field(default_factory=dict)  # count macro -> its Kconfig gate
    definitions: dict[str, tuple[str, int]] = field(default_factory=dict)  # any branch
    files: tuple[str, ...] = ()  # the generic files the tree has
    texts: dict[str, str] = field(default_factory=dict)  # file -> text, for patch's edits
    problems: list[Unevaluable] = field(default_factory=list)

    def where(self, name: str, fallback: str) -> tuple[str, int]:
        """Where ``name`` is defined in the tree's generic headers, else line 1 of fallback."""
        macro = self.scan.macros.get(name)
        if macro is not None:
            return macro.file, macro.line
        return self.definitions.get(name, (fallback, 1))


@dataclass
class TreeFacts:
    source: FileSource
    generic: GenericFacts
    arches: dict[str, ArchFacts]


# --- generic headers ----------------------------------------------------------------------


def _read_files(source: FileSource, paths: Iterable[str]) -> list[tuple[str, str]]:
    files = []
    for path in paths:
        text = source.read(path)
        if text is not None:
            files.append((path, text))
    return files


def special_type_names(scan: HeaderScan) -> list[str]:
    """SWP_* macros whose value is MAX_SWAPFILES plus something: the special swap types."""
    names = []
    for name, macro in scan.macros.items():
        if not name.startswith("SWP_") or name.endswith("_NUM") or macro.params is not None:
            continue
        if "MAX_SWAPFILES" in tokenize(macro.body):
            names.append(name)
    return names


def count_macros(scan: HeaderScan) -> list[str]:
    """The *_NUM count macros MAX_SWAPFILES subtracts, in its order."""
    macro = scan.macros.get("MAX_SWAPFILES")
    return [t for t in tokenize(macro.body) if t.endswith("_NUM")] if macro else []


def read_generic(source: FileSource, spec: Spec) -> GenericFacts:
    swap_h = spec.generic_files["swap_h"]
    paths = [swap_h, spec.generic_files["swapops_h"]]
    if "leafops_h" in spec.generic_files:
        paths.append(spec.generic_files["leafops_h"])
    paths += [m for m in _marker_headers(spec) if m not in paths]
    files = _read_files(source, paths)
    if not any(path == swap_h for path, _ in files):
        raise SwapgenError(f"{source.label}: cannot read {swap_h}")
    base = dict(COMMON_SCAN_CONFIG, CONFIG_MIGRATION=True)
    spec_gates = [g.gate for g in spec.groups if g.gate]
    first = scan_headers(files[:1], dict(base, **dict.fromkeys(spec_gates, True)))
    gates = {n: g for n in count_macros(first) if (m := first.macros.get(n)) and (g := m.gate())}
    all_gates = list(dict.fromkeys(spec_gates + list(gates.values())))
    full = scan_headers(files, dict(base, **dict.fromkeys(all_gates, True)))
    facts = GenericFacts(full, swap_h, gates=gates, files=tuple(path for path, _ in files))
    facts.texts = dict(files)
    for path, text in files:
        for name, line in definitions(text, path).items():
            facts.definitions.setdefault(name, (path, line))
    facts.problems.extend(full.problems)
    _read_numbers(facts, files[:1], base, all_gates)
    _read_markers(facts, spec, full, base)
    return facts


def _read_numbers(
    facts: GenericFacts, swap_h: list[tuple[str, str]], base: Config, gates: list[str]
) -> None:
    """MAX_SWAPFILES and every special type with all gates on, each alone off, all off
    (kept by swap.h's content: most reviews do not change it)."""
    from codegen.tree.readcache import remembered

    inputs = [repr(sorted(base.items())).encode(), "\0".join(gates).encode()]
    inputs += [
        part.encode("utf-8", "surrogateescape") for path_text in swap_h for part in path_text
    ]
    numbers, counts, problems = remembered(
        "swap-numbers", inputs, lambda: _numbers(swap_h, base, gates)
    )
    facts.numbers.update(numbers)
    facts.counts.update(counts)
    facts.problems.extend(problems)


def _numbers(
    swap_h: list[tuple[str, str]], base: Config, gates: list[str]
) -> tuple[dict[frozenset[str], tuple[int, dict[str, int]]], dict[str, Located], list[Unevaluable]]:
    numbers_of: dict[frozenset[str], tuple[int, dict[str, int]]] = {}
    counts: dict[str, Located] = {}
    problems: list[Unevaluable] = []
    settings: list[frozenset[str]] = [frozenset(), *(frozenset([g]) for g in gates)]
    settings.append(frozenset(gates))
    for off in dict.fromkeys(settings):
        config = dict(base, **{g: g not in off for g in gates})
        scan = scan_headers(swap_h, config)
        names = ["MAX_SWAPFILES", *special_type_names(scan)]
        if not off:
            names += count_macros(scan)
        found = values(scan, config, DataModel(64, 64), names)
        problem = next((v for v in found.values() if isinstance(v, Unevaluable)), None)
        if problem is not None:
            problems.append(problem)
            continue
        numbers = {n: v for n, v in found.items() if isinstance(v, int)}
        types = {n: numbers[n] for n in special_type_names(scan)}
        numbers_of[off] = (numbers["MAX_SWAPFILES"], types)
        if not off:
            for name in count_macros(scan):
                macro = scan.macros[name]
                counts[name] = Located(numbers[name], macro.file, macro.line)
    return numbers_of, counts, problems


def _read_markers(facts: GenericFacts, spec: Spec, scan: HeaderScan, base: Config) -> None:
    names = [n for n, m in scan.macros.items() if n.startswith("PTE_MARKER_") and m.params is None]
    # a spec of a release without markers does not name the mask: take it by its suffix
    mask_name = spec.mask_macro
    for name, value in values(scan, base, DataModel(64, 64), names).items():
        macro = scan.macros[name]
        if isinstance(value, Unevaluable):
            facts.problems.append(value)
        elif name == mask_name or (mask_name is None and name.endswith("_MASK")):
            facts.marker_mask = Located(value, macro.file, macro.line)
        elif (bit := layout.single_bit(value)) is not None:
            facts.markers[name] = Located(bit, macro.file, macro.line)


def _marker_headers(spec: Spec) -> list[str]:
    return [m.test_header for m in spec.marker_list if m.test_header]


# --- arch headers -------------------------------------------------------------------------


def read_arch(source: FileSource, spec_arch: Arch) -> ArchFacts:
    facts = ArchFacts(spec_arch.name)
    config = scan_config(spec_arch)
    files = _read_files(source, spec_arch.headers)
    facts.files_read = [path for path, _ in files]
    if not files:
        facts.problems.append(
            Unevaluable(f"{spec_arch.name}: none of the spec's headers exist", source.label)
        )
        return facts
    predefined = predefined_macros(spec_arch.name, config)
    facts.scan = scan_headers(files, config, arch_model(spec_arch), predefined)
    facts.problems.extend(facts.scan.problems)
    from codegen.tree.behaviour import probe

    try:
        facts.behaviour = probe(
            facts.scan, spec_arch.name, source.label, spec_arch.pte_bits, predefined, config
        )
    except Unevaluable as err:
        facts.problems.append(err)
    text = source.read(spec_arch.kconfig)
    if text is not None:
        from codegen.csrc.kconfig import may_select, read_kconfig

        facts.kconfig = read_kconfig(text, spec_arch.kconfig)
        for symbol in watched_symbols(spec_arch):
            facts.selects += [
                s
                for s in facts.kconfig.selects_of(symbol)
                if may_select(s.under, s.effective, config)  # this variant's, not another's
            ]
    msb0 = arch_info(spec_arch.name).msb0_comments
    for comment in facts.scan.comments:
        lowered = comment.text.lower()
        if "swap" not in lowered or "offset" not in lowered:
            continue
        fields = layoutcomment.parse(comment.text, comment.line, spec_arch.pte_bits, msb0)
        if fields:
            facts.comment_fields = fields
            facts.comment_file = comment.file
            break
    return facts


def read_tree(source: FileSource, spec: Spec, arch_names: list[str]) -> TreeFacts:
    from concurrent.futures import ThreadPoolExecutor

    generic = read_generic(source, spec)
    # each arch folds its probes with its compiler; the compilers run in parallel
    with ThreadPoolExecutor(max_workers=min(8, len(arch_names) or 1)) as pool:
        results = pool.map(lambda name: read_arch(source, spec.arch(name)), arch_names)
        arches = dict(zip(arch_names, results, strict=True))
    return TreeFacts(source, generic, arches)
