"""The review rules: what a series must keep consistent in the swap encodings.

Each patch's diff is parsed with unidiff. Only files the spec owns (swap.h, swapops.h,
leafops.h, the arch headers and Kconfig files it lists) and arch headers that define
swap-PTE macros are looked at. Values are evaluated from what the diff shows (added and
context lines) with codegen.csrc.preprocess; what cannot be evaluated is not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from codegen import layout
from codegen.csrc.cint import LP64
from codegen.csrc.kconfig import condition_may_hold
from codegen.csrc.layoutcomment import parse as parse_comment
from codegen.csrc.preprocess import (
    Config,
    Evaluator,
    HeaderScan,
    ShiftPastWidth,
    Unevaluable,
    function_name,
    generated_function,
    logical_lines,
    parse_define,
    scan_fragments,
    scan_headers,
)
from codegen.kernel.arches import COMMON_SCAN_CONFIG, arch_info, predefined_macros
from codegen.kernel.flags import FLAG_NAMES, FLAG_SELECTS, FLAGS, flag_of_macro_name
from codegen.report.finding import Finding, finding
from codegen.review.postimage import post_image
from codegen.review.series import SWAP_NAMES, Patch, Series

if TYPE_CHECKING:
    from codegen.review.postimage import PostImage
from codegen.spec.model import Arch, Field, Spec
from codegen.tree.reading import arch_model, scan_config, watched_symbols

LAYOUT_NAME_RE = re.compile(r"SWP_TYPE|SWP_OFFSET|^__swp_|^mk_swap_pte$|^__pte_to_swp_entry$")
"""Definitions that make up an arch's swap-entry layout: a change to one may move a field."""
SWAP_CODE_RE = re.compile(r"__swp_\w+|swp_entry_t|SWP_TYPE|SWP_OFFSET|\(type\)|\(offs\w*\)")
"""A line of swap-entry code (a macro body's continuation names no definition)."""
FIELDS = ("type", "offset")
HELPER_NAMES = tuple(name for kind in FLAGS.values() for name in kind.helpers)

ASM_HEADER_RE = re.compile(r"arch/[^/]+/include/asm/.*\.h$")


def _select_line(text: str) -> tuple[str, str | None] | None:
    """A Kconfig ``select`` line's symbol and condition (the reader loaded for Kconfig only)."""
    from codegen.csrc.kconfig import select_line

    return select_line(text)


def _changed_text(patched: Any) -> str:
    """The added and removed lines of a file section of a diff."""
    return "".join(
        line.value for hunk in patched for line in hunk if line.is_added or line.is_removed
    )


def _defined_in(changes: SeriesChanges, arch: Arch) -> set[str]:
    """The names the series defines or changes (macros and functions) in the arch's headers."""
    files = set(arch.headers)
    names = {n for n, _, w in changes.defines if w.file in files}
    return names | {n for n, w, _ in changes.functions if w.file in files}


def _field_macro_names(arch: Arch) -> set[str]:
    """The macros the spec names for the arch's type and offset fields."""
    return {*arch.type.macros.values(), *arch.offset.macros.values()}


def _in_one_patch_twice(places: list[Added]) -> bool:
    """Whether one patch shows the definition at two places: once per #if branch (a later
    patch showing it again, lines moved by an earlier one, is the same definition)."""
    patches = [id(place.patch) for place in places]
    return len(patches) != len(set(patches))


def _context_unknown(scan: HeaderScan, name: str) -> bool:
    """Whether the definition of ``name`` the hunks leave in force sits under no #if the
    hunks show: one of several per-branch definitions, read as if it were everyone's."""
    item = scan.macros.get(name) or scan.functions.get(name)
    return item is not None and not getattr(item, "conditions", ())


def _define_head(lines: list[tuple[int, str, bool]], index: int) -> int | None:
    """The index of the #define line whose body goes on to line ``index`` (a continuation
    of the lines before it), or None when ``index`` continues no #define."""
    at = index
    while at > 0 and lines[at - 1][1].rstrip().endswith("\\"):
        at -= 1
        if parse_define(lines[at][1]):
            return at
    return None


def _opened_before(lines: list[tuple[int, str, bool]], line: int) -> bool:
    """Whether the hunk shows the start of the comment that ``line`` is in: a hunk that
    starts inside a comment does not, so the reader cannot tell under which #if it is."""
    for number, text, _ in reversed([item for item in lines if item[0] <= line]):
        if "/*" in text:
            return True
        if "*/" in text and number != line:
            return False
    return False


@dataclass
class Added:
    """A line the series adds, with its post-image place."""

    text: str
    file: str
    line: int
    patch: Patch


@dataclass
class SeriesChanges:
    defines: list[tuple[str, str, Added]] = field(default_factory=list)  # name, value, where
    removed_defines: list[tuple[str, Patch, str]] = field(default_factory=list)  # name, patch, file
    functions: list[tuple[str, Added, str]] = field(default_factory=list)  # name, where, body
    selects: list[tuple[str, str | None, Added]] = field(default_factory=list)
    removed_selects: list[tuple[str, str, Patch]] = field(default_factory=list)
    removed_functions: set[tuple[str, str]] = field(default_factory=set)  # (file, name)
    removed_at: dict[tuple[str, str], tuple[int, Patch]] = field(default_factory=dict)
    """Where a removed definition stood: the post-image line of its hunk, and the patch."""
    context: list[tuple[str, str]] = field(default_factory=list)  # (file, line text) post-image
    hunks: list[tuple[str, list[tuple[int, str, bool]], Patch]] = field(default_factory=list)


class Review:
    def __init__(self, spec: Spec, evaluate: bool = True, image: PostImage | None = None):
        self.spec = spec
        self.evaluate = evaluate
        self.image = image  # the files as the series leaves them, when there is a base tree
        self.findings: list[Finding] = []
        self.partial = False  # one part of a longer series: rules that need it whole are off
        self.owned_generic = set(spec.generic_files.values()) | {
            m.test_header for m in spec.marker_list if m.test_header
        }
        self._evaluators: dict[tuple[int, str], Evaluator] = {}
        self._layouts: dict[tuple[int, str], Arch | None] = {}
        self._unfolded: set[tuple[int, str]] = set()  # layouts the fold could not read
        self._group_by_type = {t: g.count_macro for g in spec.groups for t in g.types}
        self.arch_of: dict[str, str] = {}
        for arch in spec.arches.values():
            for path in (*arch.headers, arch.kconfig):
                self.arch_of[path] = arch.name

    def report(self, rule_id: str, file: str, line: int, message: str, patch: Patch | None) -> None:
        self.findings.append(
            finding(rule_id, file, line, message, patch=patch.label if patch else "")
        )

    # -- reading the diffs --------------------------------------------------------------------

    def collect(self, series: Series) -> SeriesChanges:
        import unidiff

        changes = SeriesChanges()
        for patch in series.patches:
            for problem in patch.problems:
                self.report("SWP905", patch.source, 0, problem, patch)
            if not patch.diff.strip():
                continue
            try:
                patchset = unidiff.PatchSet(patch.diff)
            except Exception as err:  # unidiff raises several kinds
                self.report("SWP904", patch.source, 0, f"the diff does not parse: {err}", patch)
                continue
            for patched in patchset:
                path = self.tree_path(patched.path)
                if not self._looked_at(path, patched):
                    continue
                self._read_file(changes, patched, path, patch)
        return changes

    def tree_path(self, path: str) -> str:
        """A path as the tree has it; quilt diffs carry a directory prefix (linux.orig/)."""
        if path in self.owned_generic or path in self.arch_of or path.startswith("arch/"):
            return path
        _prefix, _, rest = path.partition("/")
        if rest and (
            rest in self.owned_generic or rest in self.arch_of or rest.startswith("arch/")
        ):
            return rest
        return path

    def owns(self, path: str) -> bool:
        """Whether the spec names the file (a generic file, or an arch header or Kconfig)."""
        path = self.tree_path(path)
        return path in self.owned_generic or path in self.arch_of

    def may_look_at(self, path: str) -> bool:
        """Whether a file of an incoming diff can matter to any rule (judged by its path)."""
        path = self.tree_path(path)
        return path in self.owned_generic or path in self.arch_of or bool(ASM_HEADER_RE.match(path))

    def _looked_at(self, path: str, patched: Any) -> bool:
        if path in self.owned_generic or path in self.arch_of:
            return True
        if ASM_HEADER_RE.match(path):
            changed = _changed_text(patched)
            return any(word in changed for word in SWAP_NAMES)
        return False

    def reads_any(self, diff: str) -> bool:
        """Whether a rule reads any file section of ``diff`` (a diff that does not parse is
        read: it is a finding)."""
        import unidiff

        try:
            patchset = unidiff.PatchSet(diff)
        except Exception:  # unidiff raises several kinds
            return True
        for patched in patchset:
            path = self.tree_path(patched.path)
            if path.endswith("Kconfig") and path in self.arch_of:  # only the selects it watches
                symbols = watched_symbols(self.spec.arches[self.arch_of[path]])
                changed = _changed_text(patched)
                if any(re.search(rf"\b{symbol}\b", changed) for symbol in symbols):
                    return True
            elif self._looked_at(path, patched):
                return True
        return False

    def _read_file(self, changes: SeriesChanges, patched: Any, path: str, patch: Patch) -> None:
        for hunk in patched:
            lines: list[tuple[int, str, bool]] = []
            for line in hunk:
                text = line.value.rstrip("\n")
                if line.is_removed:
                    define = parse_define(text)
                    removed = (define.name if define else None) or function_name(text)
                    if removed:  # at the post-image line the hunk goes on with
                        at = line.target_line_no or hunk.target_start + len(lines)
                        changes.removed_at.setdefault((path, removed), (at, patch))
                    if define:
                        changes.removed_defines.append((define.name, patch, path))
                    select = _select_line(text) if path.endswith("Kconfig") else None
                    if select:
                        changes.removed_selects.append((select[0], path, patch))
                    function = function_name(text)
                    if function:
                        changes.removed_functions.add((path, function))
                    continue
                if line.target_line_no is None:  # "\ No newline at end of file"
                    continue
                lines.append((line.target_line_no, text, line.is_added))
                if line.is_context:
                    changes.context.append((path, text))
            changes.hunks.append((path, lines, patch))
            self._read_added(changes, lines, path, patch)

    @staticmethod
    def _read_changed_define(
        changes: SeriesChanges,
        lines: list[tuple[int, str, bool]],
        head: int,
        path: str,
        patch: Patch,
    ) -> None:
        """A #define whose first line the hunk keeps and whose body it changes (hexagon's
        and xtensa's __swp_entry): changed as much as one whose first line it adds."""
        number, text, _ = lines[head]
        define = parse_define(text)
        assert define is not None
        body = [text]
        end = head
        while body[-1].rstrip().endswith("\\") and end + 1 < len(lines):
            end += 1
            body.append(lines[end][1])
        where = Added(text, path, number, patch)
        if define.params is not None:
            changes.functions.append((define.name, where, "\n".join(body)))
            return
        value = " ".join(part.rstrip("\\").strip() for part in [define.body, *body[1:]])
        changes.defines.append((define.name, _strip_comments(value), where))

    def _read_added(
        self, changes: SeriesChanges, lines: list[tuple[int, str, bool]], path: str, patch: Patch
    ) -> None:
        index = 0
        heads: set[int] = set()
        while index < len(lines):
            number, text, added = lines[index]
            index += 1
            if not added:
                continue
            head = _define_head(lines, index - 1)
            if head is not None and not lines[head][2]:
                if head not in heads:  # a body line of a #define the hunk shows unchanged
                    heads.add(head)
                    self._read_changed_define(changes, lines, head, path, patch)
                continue
            where = Added(text, path, number, patch)
            define = parse_define(text)
            if define and define.params is not None:
                changes.functions.append((define.name, where, text))
                continue
            if define:
                value = define.body
                while value.endswith("\\") and index < len(lines):
                    value = value[:-1] + " " + lines[index][1].strip()
                    index += 1
                changes.defines.append((define.name, _strip_comments(value), where))
                continue
            generated = generated_function(text, HELPER_NAMES, "pte_")
            if generated:  # a helper a macro defines: PTE_BIT_FUNC(swp_mkexclusive, ...)
                changes.functions.append((generated, where, text))
                continue
            function = function_name(text)
            if function:
                body = [text]
                depth = text.count("{") - text.count("}")
                seen = "{" in text
                while index < len(lines) and not (seen and depth <= 0):
                    body.append(lines[index][1])
                    depth += lines[index][1].count("{") - lines[index][1].count("}")
                    seen = seen or "{" in lines[index][1]
                    index += 1
                changes.functions.append((function, where, "\n".join(body)))
                continue
            select = _select_line(text) if path.endswith("Kconfig") else None
            if select:
                changes.selects.append((select[0], select[1], where))

    # -- evaluating -----------------------------------------------------------------------------

    def evaluator(self, changes: SeriesChanges, arch: Arch | None = None) -> Evaluator:
        """Values as the series leaves them, for one arch's headers (or the generic ones),
        under the Kconfig setting that turns every swap feature on: the whole post-image
        with a base tree, else the lines the hunks show, each hunk read on its own."""
        key = (id(changes), arch.name if arch else "")
        cached = self._evaluators.get(key)
        if cached is not None:
            return cached
        if arch is not None:
            paths, config, model = list(arch.headers), scan_config(arch), arch_model(arch)
            predefined = predefined_macros(arch.name, config)
        else:
            paths, model, predefined = sorted(self.owned_generic), LP64, {}
            config = {**COMMON_SCAN_CONFIG, "CONFIG_MIGRATION": True}
            config.update(dict.fromkeys(self.spec.gates, True))
        image = self.image_for(arch)
        if image is not None:
            texts = [(path, text) for path in paths if (text := image.read(path))]
            scan = scan_headers(texts, config, model, predefined)
        else:
            scan = scan_fragments(shown_runs(changes, paths), config, model, predefined)
        evaluator = Evaluator(scan, config, model)
        self._evaluators[key] = evaluator
        return evaluator

    def image_for(self, arch: Arch | None) -> PostImage | None:
        """The post-image to read an arch's (or the generic) files from; None, so the diff
        alone is read, when there is no base tree or the series does not apply to one of
        those files there (the base's text beside the series' would be neither)."""
        if self.image is None:
            return None
        paths = [*arch.headers, arch.kconfig] if arch else self.owned_generic
        return None if any(path in self.image.failed for path in paths) else self.image

    def value(self, changes: SeriesChanges, name: str, arch: Arch | None = None) -> int | None:
        try:
            return self.evaluator(changes, arch).value(name)
        except (Unevaluable, RecursionError):
            return None

    def bit(self, changes: SeriesChanges, name: str, arch: Arch | None = None) -> int | None:
        """The bit a single-bit macro sets; for ``BIT(64)`` and the like (a shift past the
        type's width, which C leaves undefined) the bit it reaches for, beyond every PTE."""
        found = self.bit_or_why(changes, name, arch)
        return found if isinstance(found, int) else None

    def bit_or_why(self, changes: SeriesChanges, name: str, arch: Arch | None = None) -> int | str:
        """As ``bit``, or why there is none: the value is not one bit, or not evaluable."""
        try:
            value = self.evaluator(changes, arch).value(name)
        except ShiftPastWidth as err:
            return err.count
        except Unevaluable as err:
            return err.message
        if arch is not None:
            value = layout.as_pte_value(value, arch.pte_bits)
        bit = layout.single_bit(value)
        return bit if bit is not None else f"{value:#x} is not one bit"

    def layout_after(self, changes: SeriesChanges, arch: Arch) -> Arch | None:
        """The arch with the type and offset fields the series leaves: the spec's when it
        changes none of the swap-entry code, else what the arch's compiler folds that code
        to (post-image with a base; the hunks' lines without); None when it cannot."""
        key = (id(changes), arch.name)
        if key in self._layouts:
            return self._layouts[key]
        after: Arch | None = arch
        if self.changes_layout(changes, arch):
            after = self._folded_layout(changes, arch)
        self._layouts[key] = after
        return after

    @staticmethod
    def changes_layout(changes: SeriesChanges, arch: Arch) -> bool:
        """Whether the series defines, changes or removes any of the arch's swap-entry code."""
        files = set(arch.headers)
        changed = _defined_in(changes, arch)
        changed |= {n for n, _, f in changes.removed_defines if f in files}
        changed |= {n for f, n in changes.removed_functions if f in files}
        named = _field_macro_names(arch)
        return any(n in named or LAYOUT_NAME_RE.search(n) for n in changed)

    def _check_moved_fields(self, changes: SeriesChanges, arch: Arch) -> None:
        """From a diff alone, fields the series' swap-entry code moves: SWP401, as a review
        with a tree says it of the post-image (treecheck); unevaluable code is SWP590."""
        if self.image_for(arch) is not None or not self.changes_layout(changes, arch):
            return
        named = _field_macro_names(arch)
        if not {n for n in _defined_in(changes, arch) - named if LAYOUT_NAME_RE.search(n)}:
            return  # only the field macros change: their own rules say it (SWP302, SWP401)
        named_or_layout = [
            n
            for n in self._shown_definitions(changes, arch)
            if n in named or LAYOUT_NAME_RE.search(n)
        ]
        if self._report_branch_ambiguity(changes, arch, named_or_layout):
            return
        after = self.layout_after(changes, arch)
        if after is None or (id(changes), arch.name) in self._unfolded:
            return  # said: SWP590, or SWP302; the field macros say the rest (SWP401)
        defined = {n for n, _, w in changes.defines if w.file in arch.headers}
        for name in FIELDS:
            old, new = getattr(arch, name), getattr(after, name)
            if (old.spans, old.inverted) == (new.spans, new.inverted):
                continue
            if defined & set(old.macros.values()):
                continue  # said of the field's own macro (riscv's __SWP_TYPE_SHIFT 7)
            moved_at = self._layout_where(changes, arch)
            self.report(
                "SWP401",
                moved_at.file if moved_at else arch.headers[0],
                moved_at.line if moved_at else 0,
                f"the series puts the {arch.name} {name} at {layout.spans_text(new.spans)}; "
                f"{self.spec.name} has {layout.spans_text(old.spans)}: the spec needs the "
                "same change",
                moved_at.patch if moved_at else None,
            )

    def _folded_layout(self, changes: SeriesChanges, arch: Arch) -> Arch | None:
        from codegen.tree.behaviour import probe

        scan = self.evaluator(changes, arch).scan
        config = scan_config(arch)
        predefined = predefined_macros(arch.name, config)
        try:
            found = probe(scan, arch.name, arch.headers[0], arch.pte_bits, predefined, config)
        except Unevaluable as err:
            if self._entry_loses_type_bits(changes, arch, scan, predefined, config):
                return None
            self._layout_problem(changes, arch, err.message)
            self._unfolded.add((id(changes), arch.name))
            return self._layout_from_field_macros(changes, arch)
        kept = len(found.type_bits)
        diff_only = self.image_for(arch) is None
        if found.type_bits and kept < self.spec.max_swapfiles_shift and diff_only:
            where = scan.macros.get("__swp_entry") or scan.functions.get("__swp_entry")
            shown = ", ".join(map(str, found.type_bits))
            self.report(
                "SWP302",
                where.file if where else arch.headers[0],
                where.line if where else 0,
                f"the {arch.name} type field the series sets up keeps {kept} type bit(s) "
                f"(at {shown}) through __swp_entry and back, fewer than MAX_SWAPFILES_SHIFT "
                f"{self.spec.max_swapfiles_shift}",
                self._patch_of(changes, where.file if where else "", where.line if where else 0),
            )
            return None
        if not found.type_pieces or not found.offset_pieces:
            reason = "; ".join(p.message for p in found.problems) or "no field survives"
            self._layout_problem(changes, arch, reason)
            return None
        type_ = Field.of_pieces(found.type_pieces, macros=arch.type.macros)
        offset = Field.of_pieces(found.offset_pieces, found.inverted, arch.offset.macros)
        return replace(arch, type=type_, offset=offset)

    def _entry_loses_type_bits(
        self,
        changes: SeriesChanges,
        arch: Arch,
        scan: HeaderScan,
        predefined: dict[str, str],
        config: Config,
    ) -> bool:
        """When the PTE conversions are not at hand: whether ``__swp_entry`` and
        ``__swp_type`` alone already lose a type bit (reported, SWP302)."""
        from codegen.tree.behaviour import entry_type_bits

        try:
            kept = entry_type_bits(
                scan, arch.name, arch.headers[0], arch.pte_bits, predefined, config
            )
        except Unevaluable:
            return False
        if len(kept) >= self.spec.max_swapfiles_shift:
            return False
        where = scan.macros.get("__swp_entry") or scan.functions.get("__swp_entry")
        file, line = (where.file, where.line) if where else (arch.headers[0], 0)
        self.report(
            "SWP302",
            file,
            line,
            f"the {arch.name} __swp_entry/__swp_type the series sets up keep {len(kept)} type "
            f"bit(s) (at {', '.join(map(str, kept)) or 'none'}) of an entry, fewer than "
            f"MAX_SWAPFILES_SHIFT {self.spec.max_swapfiles_shift}",
            self._patch_of(changes, file, line),
        )
        return True

    def _layout_from_field_macros(self, changes: SeriesChanges, arch: Arch) -> Arch | None:
        """The fields as the series' own field macros state them (``__SWP_TYPE_SHIFT``,
        ``__SWP_TYPE_BITS`` or ``_MASK``...), when the code that uses them cannot be folded:
        what the series says, for the overlap and comment rules; the code itself stays
        "cannot be evaluated" (SWP590). None when the macros do not give both fields."""
        fields = {}
        for name in FIELDS:
            spec_field = getattr(arch, name)
            macros = spec_field.macros
            lsb = self.value(changes, macros["lsb"], arch) if "lsb" in macros else None
            width = self.value(changes, macros["width"], arch) if "width" in macros else None
            if width is None and "mask" in macros:
                mask = self.value(changes, macros["mask"], arch)
                width = layout.mask_width(mask) if mask is not None else None
            if lsb is None or width is None or lsb < 0 or width <= 0:
                return None
            fields[name] = Field(lsb, width, spec_field.inverted, spec_field.macros)
        return replace(arch, type=fields["type"], offset=fields["offset"])

    def _active(
        self, changes: SeriesChanges, arch: Arch, defines: list[tuple[str, str, Added]]
    ) -> list[tuple[str, str, Added]]:
        """Each name the series defines once: at the definition the arch's Kconfig setting
        reads (not an #else stub beside it), else at its first."""
        if not defines:
            return []  # nothing to choose between: the arch's headers need not be read
        scan = self.evaluator(changes, arch).scan
        chosen: dict[str, tuple[str, str, Added]] = {}
        for name, value, where in defines:
            macro = scan.macros.get(name)
            if macro is not None and (macro.file, macro.line) == (where.file, where.line):
                chosen[name] = (name, value, where)
            else:
                chosen.setdefault(name, (name, value, where))
        return list(chosen.values())

    def _patch_of(self, changes: SeriesChanges, path: str, line: int) -> Patch | None:
        """The patch whose hunk shows that post-image line (the last one that touched it)."""
        found = None
        for hunk_path, lines, patch in changes.hunks:
            if hunk_path == path and any(n == line for n, _t, _a in lines):
                found = patch
        return found

    def _layout_problem(self, changes: SeriesChanges, arch: Arch, reason: str) -> None:
        if self.image_for(arch) is not None:
            return  # with a base tree, reading what the series builds says it (SWP590)
        where = self._layout_where(changes, arch)
        settle = "review with --tree" if self.image is None else "rebase it on the tree given"
        self.report(
            "SWP590",
            where.file if where else arch.headers[0],
            where.line if where else 0,
            f"the series changes the {arch.name} swap-entry layout, which cannot be evaluated "
            f"from the diff alone: {reason}; {settle}",
            where.patch if where else None,
        )

    @staticmethod
    def _shown_definitions(changes: SeriesChanges, arch: Arch) -> dict[str, list[Added]]:
        """Each #define the hunks show in the arch's headers (added or kept), by name: a name
        shown more than once is defined once per #if branch."""
        shown: dict[str, dict[tuple[int, str, int], Added]] = {}
        for path, lines, patch in changes.hunks:
            if path not in arch.headers:
                continue
            for number, text, _ in lines:
                define = parse_define(text)
                if define is not None:
                    places = shown.setdefault(define.name, {})
                    places[(id(patch), path, number)] = Added(text, path, number, patch)
        return {name: list(places.values()) for name, places in shown.items()}

    def _report_branch_ambiguity(
        self, changes: SeriesChanges, arch: Arch, names: list[str]
    ) -> bool:
        """From a diff alone: whether one of ``names`` is defined once per #if branch and the
        definition left in force shows no #if (MIPS's per-TLB branches of pgtable-32.h):
        which one the variant reads is not known, and said so (SWP590)."""
        if self.image_for(arch) is not None:
            return False
        shown = self._shown_definitions(changes, arch)
        scan = self.evaluator(changes, arch).scan
        unclear = sorted(
            n
            for n in set(names)
            if _in_one_patch_twice(shown.get(n, [])) and _context_unknown(scan, n)
        )
        if not unclear:
            return False
        where = shown[unclear[0]][-1]
        self.report(
            "SWP590",
            where.file,
            where.line,
            f"{', '.join(unclear)} is defined once per #if branch in {where.file}, and the "
            f"hunks do not show which branch {arch.name} reads: not evaluated from the diff "
            "alone; review with --tree",
            where.patch,
        )
        return True

    def _layout_where(self, changes: SeriesChanges, arch: Arch) -> Added | None:
        """Where the series changes the arch's swap-entry code: __swp_entry first."""
        changed = [(n, w) for n, _, w in changes.defines]
        changed += [(n, w) for n, w, _ in changes.functions]
        changed.sort(key=lambda item: item[0] != "__swp_entry")
        return next(
            (w for n, w in changed if w.file in arch.headers and LAYOUT_NAME_RE.search(n)), None
        ) or self._first_swap_line(changes, arch)

    @staticmethod
    def _first_swap_line(changes: SeriesChanges, arch: Arch) -> Added | None:
        """The first line the series adds to the arch's swap-entry code where no definition
        starts on it: a changed continuation line of xtensa's __swp_entry."""
        for path, lines, patch in changes.hunks:
            if path in arch.headers:
                for number, text, added in lines:
                    code = text.strip()
                    if added and not code.startswith(("*", "/*")) and SWAP_CODE_RE.search(code):
                        return Added(text, path, number, patch)
        return None

    # -- the rules ------------------------------------------------------------------------------

    def run(self, series: Series) -> list[Finding]:
        self.partial = series.partial
        for rule_id, message in series.notes:
            self.report(rule_id, "", 0, message, None)
        changes = self.collect(series)
        self.check_types(changes)
        self.check_markers(changes)
        for arch in self.spec.arches.values():
            # first: what a helper calls says more than "cannot evaluate"
            if self.evaluate or (self.image is not None and self.image_for(arch) is None):
                self.findings += self.evaluate_arch(changes, arch)
            self.check_arch(changes, arch)
        self.check_foreign_arches(changes)
        self.check_naming(changes)
        return once_per_place(self.findings, "SWP590")

    def check_naming(self, changes: SeriesChanges) -> None:
        """A helper the spec names for the release (a marker's make/test helper, the
        classification API) that the series removes and does not define again."""
        naming = self.spec.naming
        named = [
            naming.entry_from_pte, naming.is_marker_entry, naming.marker_get,
            naming.pte_is_marker, naming.make_marker_entry, naming.make_marker_pte,
            naming.has_pfn,
        ]  # fmt: skip
        for marker in self.spec.marker_list:
            named += [marker.test] + ([marker.make] if marker.make else [])
        defined = {n for n, _, _ in changes.functions} | {n for n, _, _ in changes.defines}
        for name in dict.fromkeys(named):
            gone = [k for k in changes.removed_at if k[1] == name]
            if not gone or name in defined:
                continue
            path, _ = gone[0]
            line, patch = changes.removed_at[gone[0]]
            self.report(
                "SWP401",
                path,
                line,
                f"the series removes {name}, which {self.spec.name} names as a helper of "
                "the release: the spec needs the same change",
                patch,
            )

    def evaluate_arch(self, changes: SeriesChanges, arch: Arch) -> list[Finding]:
        """Fold the swap-PTE helpers the series adds to the arch, from what the diff shows."""
        files = set(arch.headers)
        shown: dict[str, list[tuple[int, str]]] = {}
        for path, lines, _patch in changes.hunks:
            if path in files:
                shown.setdefault(path, []).extend((number, text) for number, text, _ in lines)
        added: dict[str, dict[int, str]] = {}
        for path, lines, patch in changes.hunks:
            if path in files:
                added.setdefault(path, {}).update(
                    (number, patch.label) for number, _text, is_added in lines if is_added
                )
        if not any(added.values()):
            return []
        from codegen.review.evaluate import evaluate_helpers

        return evaluate_helpers(arch, shown, added)

    def check_types(self, changes: SeriesChanges) -> None:
        spec = self.spec
        swap_h = spec.generic_files["swap_h"]
        spec_types = {t: g for g in spec.groups for t in g.types}
        spec_counts = {g.count_macro: g for g in spec.groups}
        added_types = [
            (n, v, w)
            for n, v, w in changes.defines
            if w.file == swap_h
            and n.startswith("SWP_")
            and "MAX_SWAPFILES" in v
            and not n.endswith("_NUM")
        ]
        removed_types = {
            n for n, _, f in changes.removed_defines if f == swap_h and n in spec_types
        }
        added_names = {n for n, _, _ in changes.defines}
        changed_defines = {n for n, _, _ in changes.removed_defines}
        changed_counts = {
            n for n, _, w in changes.defines if w.file == swap_h and n.endswith("_NUM")
        }
        for name, _value, where in added_types:
            if name in changed_defines or (name in spec_types and name not in removed_types):
                continue  # an existing type, edited in place
            count = self._count_macro_before(changes, where)
            if count and count not in changed_counts and not self.partial:
                self.report(
                    "SWP101",
                    where.file,
                    where.line,
                    f"{name} is added but {count} is not changed",
                    where.patch,
                )
            if name not in spec_types:
                self.report(
                    "SWP401",
                    where.file,
                    where.line,
                    f"the series adds special swap type {name}; {spec.name} has no such "
                    "type: the spec needs the same change",
                    where.patch,
                )
        for name in sorted(removed_types - added_names):
            group = spec_types[name]
            patch = next(p for n, p, _ in changes.removed_defines if n == name)
            at = changes.removed_at.get((swap_h, name), (0, patch))[0]
            if group.count_macro not in changed_counts:
                self.report(
                    "SWP101",
                    swap_h,
                    at,
                    f"{name} is removed but {group.count_macro} is not changed",
                    patch,
                )
            self.report(
                "SWP401",
                swap_h,
                at,
                f"the series removes special swap type {name}, which {spec.name} lists: "
                "the spec needs the same change",
                patch,
            )
        max_text = self._post_define_text(changes, "MAX_SWAPFILES")
        for name, _value, where in changes.defines:
            if where.file != swap_h or not name.endswith("_NUM") or name in spec_counts:
                continue
            if max_text is None:
                self.report(
                    "SWP102",
                    where.file,
                    where.line,
                    f"{name} is new but MAX_SWAPFILES does not subtract it (MAX_SWAPFILES is "
                    "not changed in the series)",
                    where.patch,
                )
            elif name not in max_text:
                self.report(
                    "SWP102",
                    where.file,
                    where.line,
                    f"{name} is new but MAX_SWAPFILES does not subtract it",
                    where.patch,
                )
        total = len(spec_types) + len({n for n, _, _ in added_types} - set(spec_types))
        total -= len(removed_types - added_names)
        limit = layout.type_slots(spec) - total
        if limit < spec.min_max_swapfiles and (added_types or removed_types):
            last = added_types[-1][2] if added_types else None
            self.report(
                "SWP103",
                swap_h,
                last.line if last else 0,
                f"MAX_SWAPFILES would be {limit} with every gate on, below "
                f"{spec.name}'s floor {spec.min_max_swapfiles}",
                last.patch if last else None,
            )

    def _post_define_text(self, changes: SeriesChanges, name: str) -> str | None:
        """A define's post-image text when a hunk that changes it shows it whole."""
        for _path, lines, _patch in changes.hunks:
            for index, (_number, text, _added) in enumerate(lines):
                define = parse_define(text)
                if not define or define.name != name:
                    continue
                end = index
                while lines[end][1].rstrip().endswith("\\") and end + 1 < len(lines):
                    end += 1
                if any(added for _, _, added in lines[index : end + 1]):
                    return " ".join(text for _, text, _ in lines[index : end + 1])
        return None

    def _count_macro_before(self, changes: SeriesChanges, where: Added) -> str | None:
        for path, lines, patch in changes.hunks:
            if path != where.file or patch is not where.patch:
                continue
            numbers = [n for n, _, _ in lines]
            if where.line not in numbers:
                continue
            count = None
            for number, text, _ in lines:
                if number >= where.line:
                    break
                define = parse_define(text)
                if define and define.name.endswith("_NUM"):
                    count = define.name
                elif define and define.name in self._group_by_type:
                    count = self._group_by_type[define.name]
                if text.strip().startswith("#endif"):
                    count = None
            return count
        return None

    def check_markers(self, changes: SeriesChanges) -> None:
        spec = self.spec
        mask_name = spec.mask_macro
        markers = {m.name: m.bit for m in spec.marker_list}
        edited = {n for n, _, _ in changes.removed_defines if n.startswith("PTE_MARKER_")}
        defined = {n for n, _, _ in changes.defines}
        removed = edited - defined
        added = [
            (n, w) for n, _, w in changes.defines if n.startswith("PTE_MARKER_") and n != mask_name
        ]
        post = {n: b for n, b in markers.items() if n not in removed}
        narrowest, narrowest_arch = min(
            (min(a.offset.width, layout.generic_type_shift(spec, a.pte_bits)), a.name)
            for a in spec.arches.values()
        )
        extra_bits = 0  # the bits of markers that are not one bit
        for name, where in added:
            bit = self.bit_or_why(changes, name)
            if isinstance(bit, str):
                not_one = bit.endswith("is not one bit")
                several = self.value(changes, name)
                extra_bits |= several or 0  # the mask has to cover them all the same
                rule_id = "SWP205" if not_one else "SWP590"
                what = bit if not_one else f"cannot be evaluated from the series: {bit}"
                self.report(rule_id, where.file, where.line, f"{name} {what}", where.patch)
                continue
            clash = next((n for n, b in post.items() if b == bit and n != name), None)
            if clash:
                self.report(
                    "SWP201",
                    where.file,
                    where.line,
                    f"{name} uses bit {bit}, already taken by {clash}",
                    where.patch,
                )
            if bit >= narrowest:
                self.report(
                    "SWP203",
                    where.file,
                    where.line,
                    f"{name} is bit {bit}; the narrowest swap offset is {narrowest} bits "
                    f"({narrowest_arch})",
                    where.patch,
                )
            if markers.get(name) != bit:
                have = f"bit {markers[name]}" if name in markers else "no such marker"
                self.report(
                    "SWP401",
                    where.file,
                    where.line,
                    f"the series makes {name} bit {bit}; {spec.name} has {have}: "
                    "the spec needs the same change",
                    where.patch,
                )
            post[name] = bit
            is_new = name not in edited  # added, not an existing define edited in place
            if (
                is_new
                and not self.partial
                and not any(name in body for _, _, body in changes.functions)
            ):
                self.report(
                    "SWP204",
                    where.file,
                    where.line,
                    f"{name} is new but the series adds no helper that uses it",
                    where.patch,
                )
        for name in sorted(removed - {n for n, _ in added}):
            if name in markers:
                patch = next(p for n, p, _ in changes.removed_defines if n == name)
                self.report(
                    "SWP401",
                    spec.generic_files["swapops_h"],
                    0,
                    f"the series removes {name}, which {spec.name} has: the spec needs "
                    "the same change",
                    patch,
                )
        expected = layout.bits_mask(post.values()) | extra_bits
        if mask_name is None:
            return  # the spec's release has no PTE markers, so no mask to hold them
        mask_def = next((w for n, _, w in changes.defines if n == mask_name), None)
        in_context = any(
            (d := parse_define(text)) and d.name == mask_name for _, text in changes.context
        )
        if mask_def is not None or (in_context and (added or removed)):
            got = self.value(changes, mask_name)
            if got is not None and got != expected:
                at = mask_def or (added[-1][1] if added else None)
                self.report(
                    "SWP202",
                    at.file if at else spec.generic_files["swapops_h"],
                    at.line if at else 0,
                    f"{mask_name} is {got:#x}; the markers need {expected:#x}",
                    at.patch if at else None,
                )
        elif post != markers and expected != layout.marker_mask(spec):
            at = added[-1][1] if added else None
            self.report(
                "SWP202",
                at.file if at else spec.generic_files["swapops_h"],
                at.line if at else 0,
                f"the markers change but {mask_name} does not; it must become {expected:#x}",
                at.patch if at else None,
            )

    def check_arch(self, changes: SeriesChanges, arch: Arch) -> None:
        files = set(arch.headers)
        defines = [(n, v, w) for n, v, w in changes.defines if w.file in files]
        functions = [(n, w) for n, w, _ in changes.functions if w.file in files]
        config = scan_config(arch)
        selects = [
            (s, c, w)
            for s, c, w in changes.selects
            if w.file == arch.kconfig and condition_may_hold(c, config)  # this variant's
        ]
        removed_selects = {s for s, f, _ in changes.removed_selects if f == arch.kconfig}
        new_flags: dict[str, tuple[int | None, Added]] = {}
        for name, _value, where in self._active(changes, arch, defines):
            flag = self._flag_of(arch, name)
            if flag is None:
                self._check_field_macro(changes, arch, name, where)
                continue
            if flag in FLAG_SELECTS and config.get(f"CONFIG_{FLAG_SELECTS[flag]}") is False:
                continue  # never this variant's (riscv32's, when riscv's are 64-bit only)
            if self._report_branch_ambiguity(changes, arch, [name]):
                continue
            found = self.bit_or_why(changes, name, arch)
            bit = found if isinstance(found, int) else None
            new_flags[flag] = (bit, where)
            if bit is None:
                if arch.flags.get(flag) is None or arch.flags[flag].macro != name:
                    # a new flag bit the diff alone cannot place: said, not passed
                    self.report(
                        "SWP590",
                        where.file,
                        where.line,
                        f"the series gives {arch.name} a swap bit for {flag}, {name}, which "
                        f"cannot be evaluated from the diff alone ({found}); review with --tree",
                        where.patch,
                    )
                continue
            after = self.layout_after(changes, arch)
            parts = [
                p
                for p in layout.arch_parts(after or arch)
                if p.label != f"flags.{flag}" and (after is not None or p.label not in FIELDS)
            ]
            hits = [p.label for p in parts if p.mask & layout.bit_value(bit)]
            if bit >= arch.pte_bits:
                hits.append(f"beyond the {arch.pte_bits}-bit PTE")
            if hits:
                self.report(
                    "SWP301",
                    where.file,
                    where.line,
                    f"{arch.name} {name} is bit {bit}, which is {', '.join(hits)}",
                    where.patch,
                )
            spec_flag = arch.flags.get(flag)
            if spec_flag is None or spec_flag.bit != bit:
                have = f"bit {spec_flag.bit}" if spec_flag else "no such bit"
                self.report(
                    "SWP401",
                    where.file,
                    where.line,
                    f"the series makes the {arch.name} {flag} swap bit bit {bit}; "
                    f"{self.spec.name} has {have}: the spec needs the same change",
                    where.patch,
                )
        added_helpers = {n for n, w in functions if (w.file, n) not in changes.removed_functions}
        for flag in FLAG_NAMES:
            helpers = FLAGS[flag].helpers
            present = [h for h in helpers if h in added_helpers]
            if present and len(present) < 3 and flag not in arch.flags and not self.partial:
                missing = [h for h in helpers if h not in added_helpers]
                where = next(w for n, w in functions if n == present[0])
                self.report(
                    "SWP303",
                    where.file,
                    where.line,
                    f"{arch.name} gets {', '.join(present)} but not {', '.join(missing)}",
                    where.patch,
                )
        for flag, symbol in FLAG_SELECTS.items():
            rule_id = FLAGS[flag].select_rule or "SWP401"
            has_bit = flag in arch.flags or flag in new_flags
            selects_symbol = (arch.selects_symbol(symbol) and symbol not in removed_selects) or any(
                s == symbol for s, _, _ in selects
            )
            if flag in new_flags and not selects_symbol and not self.partial:
                where = new_flags[flag][1]
                self.report(
                    rule_id,
                    where.file,
                    where.line,
                    f"{arch.name} gets a {flag} swap bit but does not select {symbol}",
                    where.patch,
                )
            for sym, _cond, where in selects:
                if sym != symbol or has_bit:
                    continue
                if config.get(f"CONFIG_{symbol}") is False:  # read as the arch builds today
                    message = (
                        f"the series selects {symbol} for {arch.name}, whose headers swapgen "
                        f"reads with it off (as {self.spec.name} builds them): whether its "
                        f"{flag} swap helpers give a bit is not evaluated"
                    )
                    self.report("SWP590", where.file, where.line, message, where.patch)
                    continue
                self.report(
                    rule_id,
                    where.file,
                    where.line,
                    f"{arch.name} selects {symbol} but has no {flag} swap bit",
                    where.patch,
                )
        self._check_added_selects(arch, selects)
        self._check_moved_fields(changes, arch)
        self._check_comments(changes, arch)

    def _check_added_selects(
        self, arch: Arch, selects: list[tuple[str, str | None, Added]]
    ) -> None:
        """A select the series adds that the spec watches and does not have: SWP401."""
        if not selects:
            return
        from codegen.csrc.kconfig import canonical_condition

        spec_selects = {(s.symbol, canonical_condition(s.condition)) for s in arch.selects}
        watched = watched_symbols(arch)
        for sym, cond, where in selects:
            if sym in watched and (sym, cond) not in spec_selects:
                self.report(
                    "SWP401",
                    where.file,
                    where.line,
                    f"the series adds 'select {sym}' to {arch.name}; {self.spec.name} "
                    "does not have it: the spec needs the same change",
                    where.patch,
                )

    def _flag_of(self, arch: Arch, name: str) -> str | None:
        for flag, spec_flag in arch.flags.items():
            if spec_flag.macro == name:
                return flag
        kind = flag_of_macro_name(name)
        return kind.name if kind else None

    def _check_field_macro(
        self, changes: SeriesChanges, arch: Arch, name: str, where: Added
    ) -> None:
        for role_field in ("type", "offset"):
            field_spec = getattr(arch, role_field)
            for role, macro in field_spec.macros.items():
                if macro != name:
                    continue
                value = self.value(changes, name, arch)
                if value is None:
                    return
                if (
                    role_field == "type"
                    and role == "width"
                    and value < self.spec.max_swapfiles_shift
                ):
                    self.report(
                        "SWP302",
                        where.file,
                        where.line,
                        f"{arch.name} {name} is {value}, narrower than "
                        f"MAX_SWAPFILES_SHIFT {self.spec.max_swapfiles_shift}",
                        where.patch,
                    )
                expected = {
                    "lsb": field_spec.lsb,
                    "width": field_spec.width,
                    "mask": layout.value_mask(field_spec.width),
                }[role]
                if value != expected:
                    self.report(
                        "SWP401",
                        where.file,
                        where.line,
                        f"the series makes {arch.name} {name} {value}; {self.spec.name} "
                        f"has {expected}: the spec needs the same change",
                        where.patch,
                    )

    def _check_comments(self, changes: SeriesChanges, arch: Arch) -> None:
        for path, lines, patch in changes.hunks:
            if path not in arch.headers or not any(added for _, _, added in lines):
                continue
            text = "\n".join(t for _, t, _ in lines)
            if "swap" not in text.lower() or "offset" not in text.lower():
                continue
            first = lines[0][0]
            msb0 = arch_info(arch.name).msb0_comments
            after = self.layout_after(changes, arch)
            if after is None:
                continue  # the layout the series sets up is unknown; said once already
            live = [
                (c.line, c.line + c.text.count("\n"))
                for c in self.evaluator(changes, arch).scan.comments
                if c.file == path
            ]
            for field_found in parse_comment(text, first, arch.pte_bits, msb0):
                added_here = any(n == field_found.line and a for n, _, a in lines)
                if not added_here:
                    continue
                seen = self.image_for(arch) is not None or _opened_before(lines, field_found.line)
                if seen and not any(a <= field_found.line <= b for a, b in live):
                    continue  # not this variant's: under another's #if (MIPS's R3K)
                spec_field = getattr(after, field_found.name)
                if not layout.drawing_agrees(
                    field_found.spans,
                    field_found.top,
                    spec_field.spans,
                    spec_field.inverted,
                    layout.one_mask(after),
                    arch.pte_bits,
                    arch_info(arch.name).two_word_pte,
                ):
                    self.report(
                        "SWP306",
                        path,
                        field_found.line,
                        f"the comment puts the {arch.name} {field_found.name} at bits "
                        f"{_runs(field_found.spans)}; the layout has {_runs(spec_field.spans)}"
                        + self._set_where(changes, spec_field, arch),
                        patch,
                    )

    @staticmethod
    def _set_where(changes: SeriesChanges, spec_field: Field, arch: Arch) -> str:
        """Where the series defines a field's position in the arch's own headers, for a
        finding placed elsewhere."""
        wanted = {spec_field.macros.get("lsb"), spec_field.macros.get("width")} - {None}
        places = [
            f"{n} at {w.file}:{w.line}"
            for n, _, w in changes.defines
            if n in wanted and w.file in arch.headers
        ]
        return f" (set by {', '.join(places)})" if places else ""

    def check_foreign_arches(self, changes: SeriesChanges) -> None:
        """Generic rules for arch headers the spec does not describe."""
        by_file: dict[str, set[str]] = {}
        where_of: dict[tuple[str, str], Added] = {}
        for name, where, _ in changes.functions:
            if where.file in self.arch_of or (where.file, name) in changes.removed_functions:
                continue
            by_file.setdefault(where.file.split("/")[1], set()).add(name)
            where_of[(where.file.split("/")[1], name)] = where
        for arch_dir, names in by_file.items():
            for flag in FLAG_NAMES:
                helpers = FLAGS[flag].helpers
                present = [h for h in helpers if h in names]
                if present and len(present) < 3 and not self.partial:
                    where = where_of[(arch_dir, present[0])]
                    missing = [h for h in helpers if h not in names]
                    self.report(
                        "SWP303",
                        where.file,
                        where.line,
                        f"arch/{arch_dir} gets {', '.join(present)} but not {', '.join(missing)}",
                        where.patch,
                    )


def once_per_place(findings: list[Finding], rule_id: str) -> list[Finding]:
    """The findings with at most one of ``rule_id`` per file and line (the first)."""
    seen: set[tuple[str, int]] = set()
    kept = []
    for found in findings:
        place = (found.file, found.line)
        if found.rule == rule_id and found.line and place in seen:
            continue
        if found.rule == rule_id:
            seen.add(place)
        kept.append(found)
    return kept


def shown_runs(changes: SeriesChanges, paths: list[str]) -> list[tuple[str, str]]:
    """The post-image lines the hunks show, per file, merged over the series (a later patch's
    line wins) and cut into runs of consecutive lines: one fragment per run, at its own
    line numbers, so an #if block two hunks show in pieces reads whole."""
    shown: dict[str, dict[int, str]] = {}
    for path, lines, _patch in changes.hunks:
        if path in paths:
            shown.setdefault(path, {}).update((n, text) for n, text, _added in lines)
    fragments = []
    for path, by_line in shown.items():
        run: list[tuple[int, str]] = []
        for number in sorted(by_line):
            if run and number != run[-1][0] + 1:
                fragments.append((path, post_image(run)))
                run = []
            run.append((number, by_line[number]))
        if run:
            fragments.append((path, post_image(run)))
    return fragments


def _runs(spans: layout.Spans) -> str:
    """'9-58', or '5-7, 10-31' for a split field."""
    return ", ".join(f"{lo}-{hi}" for lo, hi in spans)


def _strip_comments(value: str) -> str:
    return " ".join(line.code for line in logical_lines(value)).strip()


def review_series(
    spec: Spec, series: Series, evaluate: bool = True, image: PostImage | None = None
) -> list[Finding]:
    """The findings of the review rules; ``evaluate`` folds the helpers the series changes
    from what its diff shows (off when the whole tree is read with --tree); ``image`` is the
    series applied to a base tree, whose files give every value."""
    return Review(spec, evaluate, image).run(series)
