"""Bit-field diagrams of each arch's swap PTE as SVG, plus an index page per spec."""

from __future__ import annotations

from html import escape
from typing import Any

from codegen import layout
from codegen.generate.render import render
from codegen.kernel.flags import FLAG_KINDS, FLAGS
from codegen.spec.model import Arch, Spec

CELL = 15  # width of one bit, in SVG units
MARGIN = 20
ROW_Y = 50
ROW_HEIGHT = 34

FLAG_COLOURS = [("#f28e2b", "#1b1b1b"), ("#e15759", "#ffffff"), ("#59a14f", "#ffffff")]
"""Fill and text colour of each flag kind's box, in registry order."""

ROLES = {
    "T": ("type", "#4e79a7", "#ffffff"),
    "O": ("offset", "#a0cbe8", "#1b1b1b"),
    **{k.letter: (k.title, *FLAG_COLOURS[i]) for i, k in enumerate(FLAG_KINDS)},
    "0": ("must be 0", "#d4d4d4", "#1b1b1b"),
    "1": ("must be 1", "#6f6f6f", "#ffffff"),
    ".": ("unused", "#ffffff", "#9a9a9a"),
}


def _runs(arch: Arch) -> list[tuple[str, int, int]]:
    """(letter, lo, hi) for each run of equal letters, most significant first."""
    letters = layout.bit_letters(arch)
    runs: list[tuple[str, int, int]] = []
    for bit in range(arch.pte_bits - 1, -1, -1):
        letter = letters[bit]
        if runs and runs[-1][0] == letter and letter in "TO.":
            runs[-1] = (letter, bit, runs[-1][2])
        else:
            runs.append((letter, bit, bit))
    return runs


def _label(arch: Arch, letter: str, lo: int, hi: int) -> tuple[str, str]:
    """Short text inside the box, and the longer tooltip."""
    role = ROLES[letter][0]
    span = f"{lo}" if lo == hi else f"{lo}-{hi}"
    if letter in "SUE":
        name = next(k.name for k in FLAG_KINDS if k.letter == letter)
        flag = arch.flags[name]
        condition = f" if {flag.condition}" if flag.condition else ""
        return letter, f"bit {span}: {FLAGS[name].title}, {flag.macro}{condition}"
    for ranges in (arch.zero_bits, arch.one_bits):
        for r in ranges:
            if r.lo <= lo <= r.hi:
                return letter, f"bit {span}: {role} ({r.name})"
    width = hi - lo + 1
    inverted = ", stored inverted" if letter == "O" and arch.offset.inverted else ""
    text = role if width * CELL >= len(role) * 7 + 6 else ""
    if letter == "T":
        text = f"type {span}" if width * CELL >= 70 else "type"
    if letter == "O":
        text = f"offset {span}{inverted}" if width * CELL >= 200 else "offset"
    field = arch.type if letter == "T" else arch.offset
    if letter in "TO" and field.split:  # a box per piece: say which of the field's bits
        first = layout.value_bit_at(field, lo)
        short = "ofs" if letter == "O" else "t"
        text = text if width * CELL >= len(text) * 7 + 6 else short
        value_bits = f"{first}" if width == 1 else f"{first}-{first + width - 1}"
        return text, (
            f"bits {span}: {role} bits {value_bits} ({width} of its {field.width} bits, "
            f"stored in {len(field.pieces)} pieces{inverted})"
        )
    return text, f"bits {span}: {role} ({width} bits{inverted})"


def diagram_context(spec: Spec, arch: Arch) -> dict[str, Any]:
    boxes = []
    for letter, lo, hi in _runs(arch):
        x = MARGIN + (arch.pte_bits - 1 - hi) * CELL
        width = (hi - lo + 1) * CELL
        text, title = _label(arch, letter, lo, hi)
        _, fill, ink = ROLES[letter]
        boxes.append(
            {
                "x": x,
                "width": width,
                "fill": fill,
                "ink": ink,
                "text": escape(text),
                "title": escape(title),
                "hi": hi,
                "lo": lo,
                "hi_x": x + CELL / 2,
                "lo_x": x + width - CELL / 2,
            }
        )
    legend = []
    x = MARGIN
    used = set(layout.bit_letters(arch))
    for letter, (role, fill, _) in ROLES.items():
        if letter in used:
            legend.append({"x": x, "fill": fill, "text": escape(role)})
            x += 22 + len(role) * 7 + 18
    return {
        "arch": arch.name,
        "kernel": spec.kernel,
        "pte_bits": arch.pte_bits,
        "width": MARGIN * 2 + arch.pte_bits * CELL,
        "height": ROW_Y + ROW_HEIGHT + 70,
        "row_y": ROW_Y,
        "row_height": ROW_HEIGHT,
        "boxes": boxes,
        "legend": legend,
        "legend_y": ROW_Y + ROW_HEIGHT + 34,
    }


def render_diagrams(spec: Spec, recipe: str) -> dict[str, str]:
    """layout/<arch>.svg for every arch, layout/history.svg (MAX_SWAPFILES across the bundled
    releases) and layout/index.html, relative to out/<spec>/."""
    from codegen.generate.historychart import bundled_history_svg

    files = {"layout/history.svg": bundled_history_svg()}
    for arch in spec.arches.values():
        files[f"layout/{arch.name}.svg"] = render(
            "layout.svg.j2", recipe=escape(recipe), **diagram_context(spec, arch)
        )
    files["layout/index.html"] = render(
        "layout_index.html.j2",
        recipe=escape(recipe),
        spec=spec,
        kernel=escape(spec.kernel),
        arches=[
            {
                "name": a.name,
                "pte_bits": a.pte_bits,
                "headers": ", ".join(a.headers),
                "unverified": [escape(u) for u in a.unverified],
            }
            for a in spec.arches.values()
        ],
    )
    return files
