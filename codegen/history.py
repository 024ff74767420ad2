"""MAX_SWAPFILES and the special types across releases (``swapgen history``): one series per
setting of the Kconfig gates any spec has, and for each step between two releases the types
that cost or freed a swap type under that setting, beside the PTE markers it added or
removed, which cost none.

Pure: specs in, a History out; the command formats it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from codegen import layout
from codegen.errors import SwapgenError
from codegen.layout import Config
from codegen.spec.model import Spec


@dataclass(frozen=True)
class Step:
    """From one release to the next under one setting: the types it added and removed."""

    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    """One gate setting across the releases."""

    config: Config
    max_swapfiles: tuple[int, ...]  # one per release
    types: tuple[tuple[str, ...], ...]  # the special types present, one tuple per release
    steps: tuple[Step, ...]  # one fewer than releases


@dataclass(frozen=True)
class History:
    releases: tuple[str, ...]
    gates: tuple[str, ...]
    series: tuple[Series, ...]
    marker_steps: tuple[Step, ...] = ()  # the PTE markers of each step, under any setting


def history(specs: Sequence[Spec], chosen: Mapping[str, bool] | None = None) -> History:
    """Every setting of the gates of ``specs`` (oldest first) that agrees with ``chosen``."""
    gates = tuple(dict.fromkeys(g for spec in specs for g in spec.gates if g))
    unknown = [name for name in chosen or {} if name not in gates]
    if unknown:
        raise SwapgenError(
            f"--config {unknown[0]}: no release here gates a swap type on it "
            f"(the gates: {', '.join(gates)})"
        )
    series = []
    for config in layout.gate_settings(gates):
        if any(config[name] != value for name, value in (chosen or {}).items()):
            continue
        types = tuple(tuple(layout.type_numbers(spec, config)) for spec in specs)
        steps = _steps(types)
        maxes = tuple(layout.max_swapfiles(spec, config) for spec in specs)
        series.append(Series(config, maxes, types, steps))
    markers = [tuple(m.name for m in spec.marker_list) for spec in specs]
    return History(tuple(spec.name for spec in specs), gates, tuple(series), _steps(markers))


def _steps(per_release: Sequence[tuple[str, ...]]) -> tuple[Step, ...]:
    """What each step from one release to the next added and removed, of names each has."""
    return tuple(
        Step(
            added=tuple(name for name in after if name not in before),
            removed=tuple(name for name in before if name not in after),
        )
        for before, after in itertools.pairwise(per_release)
    )


def step_words(step: Step) -> list[str]:
    """``+ADDED`` then ``-REMOVED``, as the text and the chart write a step."""
    return [f"+{name}" for name in step.added] + [f"-{name}" for name in step.removed]


def history_text(found: History) -> str:
    """A table of MAX_SWAPFILES (a column per release, a row per setting), then what each
    step cost under the first setting where one did (every gate on, mostly)."""
    heads = [release.removeprefix("linux-") for release in found.releases]
    widths = [max(len(head), 3) for head in heads]
    lines = [f"MAX_SWAPFILES per release, per setting of {', '.join(found.gates)}:"]
    lines.append("  ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True)) + "  setting")
    for series in found.series:
        cells = zip(series.max_swapfiles, widths, strict=True)
        row = "  ".join(f"{n:>{w}}" for n, w in cells)
        lines.append(f"{row}  {layout.setting_label(series.config)}")
    for series in found.series:
        steps = zip(found.releases, found.releases[1:], series.steps, strict=False)
        changed = [(a, b, step) for a, b, step in steps if step.added or step.removed]
        if changed:
            lines.append(f"what each step cost ({layout.setting_label(series.config)}):")
            for before, after, step in changed:
                lines.append(f"  {before} -> {after}: {' '.join(step_words(step))}")
            break
    markers = zip(found.releases, found.releases[1:], found.marker_steps, strict=False)
    changed_markers = [(a, b, step) for a, b, step in markers if step.added or step.removed]
    if changed_markers:
        lines.append("PTE markers each step added or removed (a marker bit costs no swap type):")
        for before, after, step in changed_markers:
            lines.append(f"  {before} -> {after}: {' '.join(step_words(step))}")
    return "\n".join(lines) + "\n"


def history_json(found: History) -> dict[str, Any]:
    return {
        "releases": list(found.releases),
        "gates": list(found.gates),
        "series": [
            {
                "config": dict(series.config),
                "max_swapfiles": list(series.max_swapfiles),
                "types": [list(types) for types in series.types],
                "steps": [
                    {"added": list(step.added), "removed": list(step.removed)}
                    for step in series.steps
                ],
            }
            for series in found.series
        ],
        "marker_steps": [
            {"added": list(step.added), "removed": list(step.removed)}
            for step in found.marker_steps
        ],
    }
