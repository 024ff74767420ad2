"""Render the spec into C: the Jinja2 environment, the values each template gets, the files.

Templates hold layout only; every number and every name they print is computed here from the
spec and ``codegen.layout``. Fragments (one template each) are the unit that later goes into a
real kernel tree; ``render_headers`` wraps them into standalone headers under ``out/``.
"""

from __future__ import annotations

import functools
import hashlib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen import layout
from codegen.kernel.arches import arch_info
from codegen.kernel.flags import CLEAR_ORDER, FLAG_NAMES, FLAGS, MANDATORY_FLAG
from codegen.patch.textedit import tabs_to
from codegen.resources import specs_dir, templates_dir
from codegen.spec.model import MARKER_TYPE, Arch, Spec

DEFINE_COLUMN = 40
MAX_COLUMNS = 100
DEFAULT_FIELD_MACROS = {
    "type": ("__SWP_TYPE_SHIFT", "__SWP_TYPE_BITS", "__SWP_TYPE_MASK"),
    "offset": ("__SWP_OFFSET_SHIFT", "__SWP_OFFSET_BITS", "__SWP_OFFSET_MASK"),
}


def c_define(name: str, value: object, column: int = DEFINE_COLUMN) -> str:
    """``#define NAME<tabs>VALUE`` with the value at ``column`` where the name leaves room."""
    head = f"#define {name}"
    line = head + tabs_to(len(head), column) + str(value)
    if len(line.expandtabs(8)) > MAX_COLUMNS:
        return f"{head} \\\n\t{value}"
    return line


@functools.cache
def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.globals["define"] = c_define
    return env


def render(template: str, **context: Any) -> str:
    return str(environment().get_template(template).render(**context))


# --- values for the templates --------------------------------------------------------------


def _wrap_terms(first: str, terms: list[str], closing: str, width: int = 72) -> list[str]:
    """``first - a - b ...`` split into continuation lines of at most ``width`` columns."""
    lines: list[str] = []
    current = first
    for term in terms:
        piece = f" - {term}"
        if len(current) + len(piece) + 2 > width:
            lines.append(current + " - \\")
            current = f" {term}"
        else:
            current += piece
    lines.append(current + closing)
    return lines


def types_context(spec: Spec) -> dict[str, Any]:
    groups = []
    for gi, group in enumerate(spec.groups):
        groups.append(
            {
                "name": group.name,
                "gate": group.gate,
                "count_macro": group.count_macro,
                "list_macro": f"SWAPGEN_TYPES_{group.name.upper()}",
                "types": [
                    {"name": name, "expr": layout.type_expression(spec, gi, ti)}
                    for ti, name in enumerate(group.types)
                ],
            }
        )
    summary = ", ".join(
        f"{g.name} ({len(g.types)}{', ' + g.gate if g.gate else ''})" for g in spec.groups
    )
    return {
        "shift": spec.max_swapfiles_shift,
        "groups": groups,
        "summary_lines": _wrap(
            "A swap entry's type field has MAX_SWAPFILES_SHIFT bits. Swap devices use the "
            "types [0, MAX_SWAPFILES); the special entries take the types above them, in "
            f"this order: {summary}. A Kconfig gate that is off makes its count 0 and moves "
            "every type above it down.",
            77,
        ),
        "max_swapfiles_lines": _wrap_terms(
            "((1 << MAX_SWAPFILES_SHIFT)", layout.max_swapfiles_terms(spec), ")"
        ),
    }


def markers_context(spec: Spec) -> dict[str, Any] | None:
    """The PTE markers for the templates; None for a release without them."""
    marker_group = next((g for g in spec.groups if MARKER_TYPE in g.types), None)
    pm = spec.markers
    if pm is None:
        return None
    return {
        "typedef": pm.typedef,
        "mask_macro": pm.mask_macro,
        "mask_expr": layout.marker_mask_expression(spec),
        "gate": marker_group.gate if marker_group else None,
        "list": [
            {"name": m.name, "bit": m.bit, "make": m.make, "test": m.test, "meaning": m.meaning}
            for m in pm.markers
        ],
    }


def _flag_context(name: str, arch: Arch) -> dict[str, Any]:
    set_helper, test_helper, clear_helper = FLAGS[name].helpers
    context: dict[str, Any] = {
        "name": name,
        "title": FLAGS[name].title,
        "set_helper": set_helper,
        "test_helper": test_helper,
        "clear_helper": clear_helper,
        "present": name in arch.flags,
        "mandatory": name == MANDATORY_FLAG,
    }
    flag = arch.flags.get(name)
    if flag:
        value = f"(_AT(pteval_t, 1) << {flag.bit})"
        if flag.runtime:
            value = f"({flag.runtime} ? {value} : 0)"
        context.update(
            bit=flag.bit,
            macro=flag.macro,
            alias=flag.alias,
            condition=flag.condition,
            value=value,
        )
    return context


def _hex(value: int) -> str:
    return f"{value:#x}"


def _legend(arch: Arch) -> list[str]:
    rows: list[tuple[int, str, str]] = []
    for name, field in (("type", arch.type), ("offset", arch.offset)):
        inverted = ", stored inverted" if field.inverted else ""
        if not field.split:
            text = f"{name} ({field.width} bits){inverted}"
            rows.append((field.lsb, _bits(field.lsb, field.msb), text))
            continue
        held = 0  # the field's bits below this piece
        for index, (lo, hi) in enumerate(field.spans):
            piece = "high" if index else "low"
            text = (
                f"{name} {_bits(held, held + hi - lo)} "
                f"({piece} piece of {field.width} bits{inverted})"
            )
            rows.append((lo, _bits(lo, hi), text))
            held += hi - lo + 1
    for name, flag in arch.flags.items():
        text = f"{FLAGS[name].title}: {flag.macro}"
        if flag.condition:
            text += f" if {flag.condition}"
        if flag.runtime:
            text += f",\nand at run time {flag.runtime}"
        rows.append((flag.bit, _bits(flag.bit, flag.bit), text))
    for value, ranges in (("0", arch.zero_bits), ("1", arch.one_bits)):
        for r in ranges:
            rows.append((r.lo, _bits(r.lo, r.hi), f"always {value}: {r.name}"))
    rows.sort(key=lambda row: -row[0])
    width = max(len(bits) for _, bits, _ in rows)
    legend = []
    for _, bits, text in rows:
        first, *more = text.split("\n")
        legend.append(f"{bits.ljust(width)}  {first}")
        legend += [f"{' ' * width}    {line}" for line in more]
    return [*legend, "other bits are unused"] if "." in layout.bit_letters(arch) else legend


def _bits(lo: int, hi: int) -> str:
    return f"bit {lo}" if lo == hi else f"bits {lo}-{hi}"


def _field_context(arch: Arch, role: str) -> dict[str, Any]:
    """A field's numbers and macro names, and ``take(v)``/``place(x)``: the C expression of the
    field's value in the PTE value ``v`` and of the field value ``x`` placed in a PTE. A split
    field (two pieces) gets macros of its own that gather and scatter the pieces."""
    field = getattr(arch, role)
    lsb_default, width_default, mask_default = DEFAULT_FIELD_MACROS[role]
    lsb_macro = field.macros.get("lsb", lsb_default)
    width_macro = field.macros.get("width", width_default)
    mask_macro = field.macros.get("mask", mask_default)
    context: dict[str, Any] = {
        "lsb": field.lsb,
        "width": field.width,
        "inverted": field.inverted,
        "lsb_macro": lsb_macro,
        "width_macro": width_macro,
        "mask_macro": mask_macro,
        "split": field.split,
        "take": lambda v: f"(({v} >> {lsb_macro}) & {mask_macro})",
        "place": lambda x: f"(({x} & {mask_macro}) << {lsb_macro})",
    }
    if field.split:
        (_, low_width), (high_lsb, _) = field.pieces
        prefix = f"__SWP_{role.upper()}"
        names = {
            "low_bits_macro": f"{prefix}_LOW_BITS",
            "high_shift_macro": f"{prefix}_HIGH_SHIFT",
            "low_mask_macro": f"{prefix}_LOW_MASK",
            "high_mask_macro": f"{prefix}_HIGH_MASK",
            "gather_macro": f"{prefix}_GATHER",
            "scatter_macro": f"{prefix}_SCATTER",
        }
        context.update(names, low_width=low_width, high_lsb=high_lsb)
        context["take"] = lambda v: f"{names['gather_macro']}({v})"
        context["place"] = lambda x: f"{names['scatter_macro']}({x})"
    return context


def arch_context(arch: Arch, exclusive_mandatory: bool = True) -> dict[str, Any]:
    one = layout.one_mask(arch)
    flags = [_flag_context(name, arch) for name in FLAG_NAMES]
    one_bits_macro = "__SWP_PTE_ALWAYS_SET"
    return {
        "name": arch.name,
        "exclusive_optional": not exclusive_mandatory,
        "pte_bits": arch.pte_bits,
        # a PTE wider than unsigned long (x86 PAE, arm LPAE): swp_entry_t packs type and offset
        "compact_entry": arch.pte_bits > arch_info(arch.name).word_bits,
        "type": _field_context(arch, "type"),
        "offset": _field_context(arch, "offset"),
        "flags": [f for f in flags if f["present"]],
        "missing": [f for f in flags if not f["present"]],
        "all_flags": flags,
        "one_bits": _hex(one) if one else None,
        "one_bits_names": " | ".join(r.name for r in arch.one_bits),
        "one_bits_macro": one_bits_macro,
        "one_bits_term": f" | \\\n\t{one_bits_macro} }}" if one else " }",
        "zero_mask": _hex(layout.zero_mask(arch)),
        "one_mask": _hex(one),
        "none_value": _hex(arch.none_value),
        "max_swapfiles_check": arch.max_swapfiles_check,
        "diagram": layout.bit_rows(arch),
        "legend": _legend(arch),
    }


def naming_context(spec: Spec) -> dict[str, Any]:
    return {
        "naming": spec.naming,
        "softleaf": spec.naming.api == "softleaf",
        "entry_type": "softleaf_t" if spec.naming.api == "softleaf" else "swp_entry_t",
    }


# --- standalone headers --------------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    spec_path: str
    kernel: str
    spec_hash: str
    recipe: str


def spec_reference(spec: Spec) -> str:
    """How the banner names the spec: 'specs/<file>' when bundled, else the path given."""
    path = Path(spec.path)
    try:
        if path.resolve().parent == specs_dir().resolve():
            return f"specs/{path.name}"
    except OSError:
        pass
    return spec.path


def banner_for(spec: Spec, recipe: str) -> Banner:
    digest = hashlib.sha256(Path(spec.path).read_bytes()).hexdigest()[:16]
    return Banner(spec_reference(spec), spec.kernel, digest, recipe)


def _wrap(text: str, width: int = 76) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _header(
    banner: Banner, guard: str, description: list[str], body: str, includes: Sequence[str] = ()
) -> str:
    return render(
        "header.h.j2",
        banner=banner,
        guard=guard,
        description=[wrapped for line in description for wrapped in _wrap(line)],
        includes=list(includes),
        body=body.rstrip("\n") + "\n",
    )


def render_headers(spec: Spec, recipe: str) -> dict[str, str]:
    """Every standalone header for a spec: relative path under out/<spec>/ -> content."""
    banner = banner_for(spec, recipe)
    types = types_context(spec)
    markers = markers_context(spec)
    naming = naming_context(spec)
    # pte_swp_clear_flags() clears exclusive, then soft-dirty, then uffd-wp
    generic_flags = [
        dict(zip(("set_helper", "test_helper", "clear_helper"), FLAGS[name].helpers, strict=True))
        for name in CLEAR_ORDER
    ]
    files: dict[str, str] = {}

    files["include/linux/swap_types.h"] = _header(
        banner,
        "_SWAPGEN_LINUX_SWAP_TYPES_H",
        ["Special swap types and MAX_SWAPFILES, as in include/linux/swap.h."],
        render("swap_types.h.j2", **types),
    )
    files["swapgen/include/swapgen/types_checks.h"] = _header(
        banner,
        "_SWAPGEN_TYPES_CHECKS_H",
        ["Test support for <linux/swap_types.h>, not kernel code."],
        render("swapgen_types_check.h.j2", **types),
    )

    parts = []
    if naming["softleaf"]:
        parts.append(
            "/* A software leaf entry: the same bits as a swap entry. */\n"
            "typedef swp_entry_t softleaf_t;\n"
        )
    parts.append(render("swp_entry.h.j2", flags=generic_flags, **naming))
    if markers is not None:
        parts.append(render("pte_markers.h.j2", markers=markers, **naming))
    if markers is not None and not naming["softleaf"]:
        parts.append(render("marker_predicates.h.j2", markers=markers, **naming))
    files["include/linux/swapops.h"] = _header(
        banner,
        "_SWAPGEN_LINUX_SWAPOPS_H",
        [
            "The generic swap entry, its conversion to and from swap PTEs, and PTE",
            "markers, as in include/linux/swapops.h. Include the arch's <asm/swap_pte.h>",
            "first, as <linux/pgtable.h> does in the kernel.",
        ],
        "\n".join(parts),
        includes=["linux/swap_types.h"],
    )
    if markers is not None and naming["softleaf"]:
        files["include/linux/leafops.h"] = _header(
            banner,
            "_SWAPGEN_LINUX_LEAFOPS_H",
            [
                f"PTE marker predicates in the {spec.naming.api} naming of Linux {spec.kernel},",
                f"as in {spec.naming.predicates_header}.",
            ],
            render("marker_predicates.h.j2", markers=markers, **naming),
            includes=["linux/swapops.h"],
        )

    for arch in spec.arches.values():
        context = arch_context(arch, spec.naming.exclusive_helpers_mandatory)
        parts = [
            render("arch_layout_comment.h.j2", arch=context),
            render("arch_swap_pte.h.j2", arch=context),
        ]
        if context["flags"]:
            parts.append(render("arch_flags.h.j2", arch=context))
        if context["missing"]:
            parts.append(render("generic_fallbacks.h.j2", arch=context))
        kdir = arch_info(arch.name).kernel_dir
        name = variant_name(spec, arch.name)
        files[f"swapgen/arch/{kdir}/swapgen/pte_checks{name}.h"] = _header(
            banner,
            f"_SWAPGEN_{kdir.upper()}_PTE_CHECKS{name.upper()}_H",
            [f"Test support for the {arch.name} <asm/swap_pte{name}.h>, not kernel code."],
            render("swapgen_arch_check.h.j2", arch=context),
        )
        files[f"arch/{kdir}/include/asm/swap_pte{name}.h"] = _header(
            banner,
            f"_SWAPGEN_ASM_{kdir.upper()}_SWAP_PTE{name.upper()}_H",
            [f"The {arch.name} swap-PTE layout, from {', '.join(arch.headers[:2])}."],
            "\n".join(parts),
        )
    for kdir, variants in arch_families(spec).items():
        if len(variants) < 2:
            continue
        # the most specific choice first: MIPS's R3000 kernels are 32-bit ones as well
        choices = sorted(
            ((arch_info(v).choice, variant_name(spec, v)) for v in variants),
            key=lambda choice: -len(choice[0]),
        )
        upper = kdir.upper()
        for root, header, guard, what in (
            (f"arch/{kdir}/include/", "asm/swap_pte", f"_SWAPGEN_ASM_{upper}_SWAP_PTE_H",
             "The swap-PTE layout"),
            (f"swapgen/arch/{kdir}/", "swapgen/pte_checks", f"_SWAPGEN_{upper}_PTE_CHECKS_H",
             "Test support"),
        ):  # fmt: skip
            files[f"{root}{header}.h"] = _header(
                banner,
                guard,
                [f"{what} of the {kdir} variant the Kconfig picks: {', '.join(variants)}."],
                render(
                    "variant_dispatch.h.j2",
                    header=header,
                    choices=choices,
                    condition=dispatch_condition,
                ),
            )
    return files


def dispatch_condition(choice: tuple[str, ...]) -> str:
    """``defined(A) && defined(B)``, continued on a tab-indented line after an ``&&`` that
    would take the #elif past 100 columns (MIPS's XPA names four options)."""
    lines = [""]
    for option in choice:
        term = f"defined({option})"
        if lines[-1] and len("#elif " + lines[-1] + " && " + term) > 100:
            lines[-1] += " && \\"
            lines.append("\t" + term)
        else:
            lines[-1] += (" && " if lines[-1] else "") + term
    return "\n".join(lines)


def arch_families(spec: Spec) -> dict[str, list[str]]:
    """Each arch directory of the spec and its variants, in spec order."""
    found: dict[str, list[str]] = {}
    for name in spec.arches:
        found.setdefault(arch_info(name).kernel_dir, []).append(name)
    return found


def variant_name(spec: Spec, arch_name: str) -> str:
    """What a variant's header names add to the arch's: nothing for an arch the spec has one
    variant of (asm/swap_pte.h), else ``_<variant>`` (asm/swap_pte_x86_pae.h)."""
    kdir = arch_info(arch_name).kernel_dir
    return "" if len(arch_families(spec)[kdir]) == 1 else f"_{arch_name}"
