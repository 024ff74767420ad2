"""A kernel tree on disk or at a git revision, and the swap facts read from it (TreeFacts).

Reads only the files a spec names: swap.h, swapops.h (and leafops.h), each arch's headers and
Kconfig. Values come from ``codegen.csrc`` (constants) and ``codegen.tree.behaviour``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from codegen import layout
from codegen.csrc import layoutcomment
from codegen.csrc.preprocess import (
    MAX_HEADER_BYTES,
    Evaluator,
    HeaderScan,
    Unevaluable,
    scan_headers,
    tokenize,
)
from codegen.errors import SwapgenError, too_big
from codegen.kernel.arches import COMMON_SCAN_CONFIG, arch_info, page_size_macros
from codegen.spec.model import Arch, Spec
from codegen.tree.behaviour import ArchBehaviour, probe

MAX_FILE_BYTES = MAX_HEADER_BYTES
"""No header or Kconfig file a spec lists comes near this; a bigger one is not the kernel's."""

WATCHED_SELECTS = ("HAVE_ARCH_SOFT_DIRTY", "HAVE_ARCH_USERFAULTFD_WP")


class TreeSource:
    """Files of a kernel tree: a directory, or a git revision read without a checkout."""

    def __init__(self, path: str | Path, rev: str | None = None):
        self.path = Path(path)
        self.rev = rev
        self._lock = threading.Lock()  # GitPython's object reader is not thread-safe
        if not self.path.exists():
            raise SwapgenError(f"{path}: no such directory")
        if rev is not None:
            from codegen.patch.gitrepo import RevisionReader

            self._git = RevisionReader(self.path, rev)
        elif not self.path.is_dir():
            raise SwapgenError(f"{path}: not a directory")
        if self.read("include/linux/swap.h") is None:
            # a full commit id (patch resolves --base to one) reads better abbreviated
            shown = rev[:12] if rev and re.fullmatch(r"[0-9a-f]{40}", rev) else rev
            at = f" at {shown}" if rev else ""
            raise SwapgenError(f"{path}: not a kernel tree{at} (no include/linux/swap.h)")

    @property
    def label(self) -> str:
        return f"{self.path}@{self.rev}" if self.rev else str(self.path)

    def read(self, relpath: str) -> str | None:
        """A file's text; None if the tree has no such file. An oversized file is an error."""
        if self.rev is not None:
            with self._lock:
                return self._git.read(relpath, MAX_FILE_BYTES)
        target = self.path / relpath
        try:
            size = target.stat().st_size
            if size > MAX_FILE_BYTES:
                raise too_big(str(target), size, MAX_FILE_BYTES)
            return target.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            return None
        except OSError as err:
            raise SwapgenError(f"{target}: cannot read: {err.strerror or err}") from None

    def kernel_version(self) -> str | None:
        makefile = self.read("Makefile") or ""
        version = re.search(r"^VERSION\s*=\s*(\d+)", makefile, re.M)
        patch = re.search(r"^PATCHLEVEL\s*=\s*(\d+)", makefile, re.M)
        return f"{version.group(1)}.{patch.group(1)}" if version and patch else None


@dataclass(frozen=True)
class Located:
    value: object
    file: str
    line: int


@dataclass(frozen=True)
class KconfigSelect:
    symbol: str
    under: str
    condition: str | None
    file: str
    line: int


@dataclass
class ArchFacts:
    name: str
    scan: HeaderScan | None = None
    behaviour: ArchBehaviour | None = None
    selects: list[KconfigSelect] = field(default_factory=list)
    config_lines: dict[str, int] = field(default_factory=dict)
    comment_fields: list[layoutcomment.CommentField] = field(default_factory=list)
    comment_file: str | None = None
    problems: list[Unevaluable] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)


@dataclass
class GenericFacts:
    scan: HeaderScan
    swap_h: str
    # per Kconfig setting (a frozenset of gates that are off): MAX_SWAPFILES and type numbers
    numbers: dict[frozenset, tuple[int, dict[str, int]]] = field(default_factory=dict)
    markers: dict[str, Located] = field(default_factory=dict)  # name -> bit
    marker_mask: Located | None = None
    helper_texts: dict[str, str] = field(default_factory=dict)  # file -> text
    problems: list[Unevaluable] = field(default_factory=list)


@dataclass
class TreeFacts:
    source: TreeSource
    generic: GenericFacts
    arches: dict[str, ArchFacts]


# --- generic headers ----------------------------------------------------------------------


def _read_files(source: TreeSource, paths) -> list[tuple[str, str]]:
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


def read_generic(source: TreeSource, spec: Spec) -> GenericFacts:
    swap_h = spec.generic_files["swap_h"]
    paths = [swap_h, spec.generic_files["swapops_h"]]
    if "leafops_h" in spec.generic_files:
        paths.append(spec.generic_files["leafops_h"])
    paths += [m for m in _marker_headers(spec) if m not in paths]
    files = _read_files(source, paths)
    if not any(path == swap_h for path, _ in files):
        raise SwapgenError(f"{source.label}: cannot read {swap_h}")
    gates = [g.gate for g in spec.groups if g.gate]
    tree_gates = list(count_gates(files[0][1]).values())
    all_gates = list(dict.fromkeys(gates + tree_gates))
    base = dict(COMMON_SCAN_CONFIG, CONFIG_MIGRATION=True)
    full = scan_headers(files, dict(base, **dict.fromkeys(all_gates, True)))
    facts = GenericFacts(full, swap_h, helper_texts=dict(files))
    facts.problems.extend(full.problems)
    settings = [frozenset()] + [frozenset([g]) for g in all_gates] + [frozenset(all_gates)]
    for off in dict.fromkeys(settings):
        config = dict(base, **{g: g not in off for g in all_gates})
        scan = scan_headers(files[:1], config)
        evaluator = Evaluator(scan, config)
        try:
            limit = evaluator.value("MAX_SWAPFILES")
            types = {}
            for name in special_type_names(scan):
                types[name] = evaluator.value(name, scan.macros[name].where)
            facts.numbers[off] = (limit, types)
        except Unevaluable as err:
            facts.problems.append(err)
    evaluator = Evaluator(full, base)
    for name, macro in full.macros.items():
        if not name.startswith("PTE_MARKER_") or macro.params is not None:
            continue
        try:
            value = evaluator.value(name, macro.where)
        except Unevaluable as err:
            facts.problems.append(err)
            continue
        if name == spec.markers.mask_macro:
            facts.marker_mask = Located(value, macro.file, macro.line)
        elif (bit := layout.single_bit(value)) is not None:
            facts.markers[name] = Located(bit, macro.file, macro.line)
    return facts


def _marker_headers(spec: Spec) -> list[str]:
    return [m.test_header for m in spec.markers.markers if m.test_header]


def count_gates(swap_h: str) -> dict[str, str]:
    """Count macro -> the #ifdef CONFIG_* line right above its definition in swap.h."""
    pattern = r"#\s*ifdef\s+(CONFIG_\w+)\s*\n\s*#\s*define\s+(SWP_\w+_NUM)\b"
    return {m.group(2): m.group(1) for m in re.finditer(pattern, swap_h)}


def helper_defined(texts: dict[str, str], name: str) -> tuple[str, int] | None:
    """Where a function or function-like macro ``name`` is defined in the texts, if anywhere."""
    pattern = re.compile(
        r"^(?:static\s+(?:__always_inline|inline)[^;{(]*?\b|#\s*define\s+)"
        + re.escape(name)
        + r"\b",
        re.M,
    )
    for path, text in texts.items():
        match = pattern.search(text)
        if match:
            return path, text.count("\n", 0, match.start()) + 1
    return None


# --- arch headers -------------------------------------------------------------------------


def scan_config(spec_arch: Arch) -> dict:
    config = dict(COMMON_SCAN_CONFIG)
    config.update(arch_info(spec_arch.name).scan_config)
    for assumption in spec_arch.config_assumptions:
        name, _, value = assumption.partition("=")
        config[name] = value in ("y", "m")
    return config


def normalize_condition(condition: str | None) -> str | None:
    """A Kconfig 'if' condition in a canonical form: && terms sorted when that is all it has."""
    if not condition:
        return None
    text = " ".join(condition.split())
    if "||" in text or "(" in text or "!" in text:
        return text
    return " && ".join(sorted(term.strip() for term in text.split("&&")))


def kconfig_entries(text: str) -> dict[str, int]:
    """Line of each ``config NAME`` entry."""
    entries = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = re.match(r"^\s*(?:menu)?config\s+(\w+)", line)
        if entry:
            entries.setdefault(entry.group(1), number)
    return entries


def parse_kconfig_selects(text: str, path: str) -> list[KconfigSelect]:
    selects = []
    under = ""
    for number, line in enumerate(text.splitlines(), start=1):
        entry = re.match(r"^\s*(?:menu)?config\s+(\w+)", line)
        if entry:
            under = entry.group(1)
            continue
        select = re.match(r"^\s+select\s+(\w+)(?:\s+if\s+(.+?))?\s*(?:#.*)?$", line)
        if select and select.group(1) in WATCHED_SELECTS:
            condition = " ".join(select.group(2).split()) if select.group(2) else None
            selects.append(KconfigSelect(select.group(1), under, condition, path, number))
    return selects


def read_arch(source: TreeSource, spec_arch: Arch) -> ArchFacts:
    facts = ArchFacts(spec_arch.name)
    config = scan_config(spec_arch)
    files = _read_files(source, spec_arch.headers)
    facts.files_read = [path for path, _ in files]
    if not files:
        facts.problems.append(
            Unevaluable(f"{spec_arch.name}: none of the spec's headers exist", source.label)
        )
        return facts
    predefined = page_size_macros(config) if arch_info(spec_arch.name).page_size_macros else {}
    long_bits = spec_arch.pte_bits
    facts.scan = scan_headers(files, config, long_bits, spec_arch.pte_bits, predefined)
    facts.problems.extend(facts.scan.problems)
    try:
        facts.behaviour = probe(
            facts.scan, spec_arch.name, source.label, spec_arch.pte_bits, predefined
        )
    except Unevaluable as err:
        facts.problems.append(err)
    kconfig = source.read(spec_arch.kconfig)
    if kconfig is not None:
        facts.selects = parse_kconfig_selects(kconfig, spec_arch.kconfig)
        facts.config_lines = kconfig_entries(kconfig)
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


def read_tree(source: TreeSource, spec: Spec, arch_names: list[str]) -> TreeFacts:
    from concurrent.futures import ThreadPoolExecutor

    generic = read_generic(source, spec)
    # each arch compiles and runs a probe; the compilers run in parallel
    with ThreadPoolExecutor(max_workers=min(8, len(arch_names) or 1)) as pool:
        results = pool.map(lambda name: read_arch(source, spec.arch(name)), arch_names)
        arches = dict(zip(arch_names, results, strict=True))
    return TreeFacts(source, generic, arches)
