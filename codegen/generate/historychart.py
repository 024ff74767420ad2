"""The history as an SVG line chart: releases across, MAX_SWAPFILES up, one line per gate
setting (every gate on drawn heavy), and under that line what each step added and removed."""

from __future__ import annotations

from html import escape
from typing import Any

from codegen import layout
from codegen.generate.render import render
from codegen.history import History

LEFT, TOP, PLOT_WIDTH, PLOT_HEIGHT = 60, 50, 520, 320
LEGEND_CHAR = 6.2  # width of one character of the 10-unit legend text, roughly
COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")  # fmt: skip
DASHES = ("", "6 3", "2 2")


def history_svg(found: History) -> str:
    """The chart of ``found``, as an SVG document."""
    return render("history.svg.j2", **chart_context(found))


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
    notes = []
    for index, change in enumerate(first.steps):
        words = [f"+{t}" for t in change.added] + [f"-{t}" for t in change.removed]
        middle_y = (y(first.max_swapfiles[index]) + y(first.max_swapfiles[index + 1])) / 2
        for row, word in enumerate(words):
            notes.append({"x": round((x(index) + x(index + 1)) / 2, 1),
                          "y": round(middle_y + 16 + row * 12, 1),
                          "text": escape(word)})  # fmt: skip
    ticks = [{"value": v, "y": round(y(v), 1)} for v in range(low, high + 1)]
    legend_width = 40 + LEGEND_CHAR * max(len(layout.setting_label(s.config)) for s in found.series)
    return {
        "width": round(LEFT + PLOT_WIDTH + 40 + legend_width),
        "height": max(TOP + PLOT_HEIGHT + 40, TOP + 16 * len(found.series) + 20),
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
