"""The history chart (`swapgen history --format svg`): well-formed SVG with a line per gate
setting and the step annotations, and drawn by a real browser (headless Chromium from
Debian) with the every-gate-on line where the numbers put it."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from codegen.generate.historychart import chart_context
from codegen.history import history
from codegen.resources import bundled_specs
from codegen.spec.compiled import load_spec
from tests.conftest import VERSIONS, require_tool, run_main

SVG = "{http://www.w3.org/2000/svg}"


def bundled_history():
    return history([load_spec(path) for path in bundled_specs()])


def test_svg_has_a_line_per_setting_and_the_steps():
    result = run_main("history", "--format", "svg")
    assert result.code == 0, result.err
    root = ElementTree.fromstring(result.out.encode())
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    assert len(groups) == len(bundled_history().series) == 16
    title = groups["setting-0"].find(f"{SVG}title").text
    assert title == "every gate on: 25, 22, 22, 23, 23, 23, 23, 24"
    assert list(groups)[-1] == "setting-0"  # drawn last, on top of the lines it meets
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert [t for t in texts if t.startswith("linux")] == [f"linux-{v}" for v in VERSIONS]
    for note in ("+SWP_PTE_MARKER", "-SWP_SWAPIN_ERROR", "+SWP_DEVICE_EXCLUSIVE",
                 "-SWP_DEVICE_EXCLUSIVE_READ"):  # fmt: skip
        assert note in texts


def test_a_browser_draws_the_every_gate_on_line_where_the_numbers_are(tmp_path: Path):
    """Chromium renders the SVG; at each release the heavy line's dot has the line's colour,
    the plot's empty corner is white, and the legend shows the line's colour first."""
    from PIL import Image

    chromium = require_tool("chromium")
    context = chart_context(bundled_history())
    svg = tmp_path / "history.svg"
    svg.write_text(run_main("history", "--format", "svg").out)
    shot = tmp_path / "history.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--force-device-scale-factor=1",
         f"--window-size={context['width']},{context['height']}",
         f"--screenshot={shot}", svg.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    image = Image.open(shot).convert("RGB")
    assert image.size == (context["width"], context["height"])
    heavy = context["lines"][0]
    colour = _rgb(heavy["colour"])
    for dot in heavy["dots"]:
        assert _near(image.getpixel((round(dot["x"]), round(dot["y"]))), colour), dot
    assert _near(image.getpixel((context["right"] - 5, context["bottom"] - 3)), (255, 255, 255))
    legend = context["legend"][0]
    sample = image.getpixel((round(context["legend_x"] + 11), round(legend["y"])))
    assert _near(sample, colour)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return value >> 16, value >> 8 & 0xFF, value & 0xFF


def _near(pixel: object, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))
