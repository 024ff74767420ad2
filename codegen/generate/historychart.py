"""The history as an SVG line chart: releases across, MAX_SWAPFILES up, one line per gate
setting (every gate on drawn heavy), and below the releases what each step added and removed:
swap types (with every gate on) in black, PTE markers, which cost no type, in grey."""

from __future__ import annotations

from html import escape
from typing import Any

from codegen import layout
from codegen.generate.render import render
from codegen.history import History, step_words

LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT = 60, 50, 520, 320
LEGEND_CHAR = 6.2  # width of one character of the 10-unit legend text, roughly
NOTE_CHAR = 6.8  # width of one character of a step note, upper case, at most
NOTE_ROW = 12
TYPE_INK, MARKER_INK = "#1b1b1b", "#7a7a7a"
COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
DASHES = ("", "6 3", "2 2")


def history_svg(found: History) -> str:
    """The chart of ``found``, as an SVG document."""
    return render("history.svg.j2", **chart_context(found))


def bundled_history_svg() -> str:
    """The chart of every bundled release under every gate setting, as the layout pages show."""
    from codegen.history import history
    from codegen.resources import bundled_specs
    from codegen.spec.compiled import load_spec

    return history_svg(history([load_spec(path) for path in bundled_specs()]))


def chart_context(found: History) -> dict[str, Any]:
    values = [n for series in found.series for n in series.max_swapfiles]
    low, high = min(values) - 1, max(values) + 1
    count = len(found.releases)
    step = PLOT_WIDTH / max(count - 1, 1)

    def x(index: int) -> float:
        return LEFT + (index * step if count > 1 else PLOT_WIDTH / 2)

    def y(value: int) -> float:
        return TOP + PLOT_HEIGHT - (value - low) * PLOT_HEIGHT / (high - low)

    lines, legend = [], []
    for index, series in enumerate(found.series):
        label = escape(layout.setting_label(series.config))
        style = {
            "colour": COLOURS[index % len(COLOURS)],
            "dash": DASHES[index // len(COLOURS) % len(DASHES)],
            "stroke": 3 if index == 0 else 1.5,
        }
        dots = [
            {"x": round(x(i), 1), "y": round(y(n), 1)} for i, n in enumerate(series.max_swapfiles)
        ]
        lines.append(
            {
                **style,
                "index": index,  # drawn last to first: every gate on lies on top
                "label": label,
                "numbers": ", ".join(map(str, series.max_swapfiles)),
                "points": " ".join(f"{d['x']:.1f},{d['y']:.1f}" for d in dots),
                "dots": dots,
            }
        )
        legend.append({**style, "label": label, "y": TOP + 6 + index * 16})
    first = found.series[0]
    band_top = TOP + PLOT_HEIGHT + 44
    steps = []
    for index, change in enumerate(first.steps):
        words = [(word, TYPE_INK) for word in step_words(change)]
        if index < len(found.marker_steps):
            words += [(word, MARKER_INK) for word in step_words(found.marker_steps[index])]
        steps.append(((x(index) + x(index + 1)) / 2, words))
    notes = _place_notes(steps, band_top)
    rows = max((int((n["y"] - band_top) / NOTE_ROW) + 1 for n in notes), default=0)
    caption_y = band_top + rows * NOTE_ROW + 8
    ticks = [{"value": v, "y": round(y(v), 1)} for v in range(low, high + 1)]
    legend_width = 40 + LEGEND_CHAR * max(len(layout.setting_label(s.config)) for s in found.series)
    return {
        "width": round(LEFT + PLOT_WIDTH + 40 + legend_width),
        "height": max(caption_y + 12, TOP + 16 * len(found.series) + 20),
        "caption_y": caption_y,
        "type_ink": TYPE_INK,
        "marker_ink": MARKER_INK,
        "left": LEFT,
        "right": LEFT + PLOT_WIDTH,
        "bottom": TOP + PLOT_HEIGHT,
        "ticks": ticks,
        "releases": [{"name": escape(r), "x": x(i)} for i, r in enumerate(found.releases)],
        "lines": lines,
        "notes": notes,
        "legend": legend,
        "legend_x": LEFT + PLOT_WIDTH + 40,
    }


def _place_notes(
    steps: list[tuple[float, list[tuple[str, str]]]], top: float
) -> list[dict[str, Any]]:
    """Each step's (text, colour) words one under another, centred on the step, the block on
    the first rows below ``top`` where it overlaps no block already placed and kept right of
    the chart's left edge."""
    taken: list[list[tuple[float, float]]] = []
    notes = []
    for centre, words in steps:
        if not words:
            continue
        half = max(len(text) for text, _ in words) * NOTE_CHAR / 2
        centre = max(centre, half + 4)
        span = (centre - half - 3, centre + half + 3)
        first = 0
        while not all(_row_free(taken, first + i, span) for i in range(len(words))):
            first += 1
        for i, (text, ink) in enumerate(words):
            while len(taken) <= first + i:
                taken.append([])
            taken[first + i].append(span)
            notes.append({"x": round(centre, 1), "y": round(top + (first + i) * NOTE_ROW, 1),
                          "text": escape(text), "ink": ink})  # fmt: skip
    return notes


def _row_free(taken: list[list[tuple[float, float]]], row: int, span: tuple[float, float]) -> bool:
    return row >= len(taken) or not any(a < span[1] and span[0] < b for a, b in taken[row])
