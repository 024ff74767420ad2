"""swapgen history: MAX_SWAPFILES and the special types release by release, per gate setting,
each number the same as `show` gives for that release and setting."""

from __future__ import annotations

import json

from codegen.resources import bundled_specs
from tests.conftest import run_main, run_script


def test_every_gate_on_row_and_its_steps():
    result = run_main("history")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[1] == "5.14  5.19  6.1  6.2  6.6  6.12  6.13  6.19  setting"
    # the 2021 debate's worst case, 32-4-2-1 = 25, then what the PTE marker type cost
    assert lines[2] == "  25    22   22   23   23    23    23    24  every gate on"
    assert lines[3] == "  25    23   23   23   23    23    23    24  CONFIG_PTE_MARKER=n"
    steps = lines[
        lines.index("what each step cost (every gate on):") + 1 : lines.index(
            "PTE markers each step added or removed (a marker bit costs no swap type):"
        )
    ]
    assert steps == [
        "  linux-5.14 -> linux-5.19: +SWP_MIGRATION_READ_EXCLUSIVE +SWP_PTE_MARKER "
        "+SWP_SWAPIN_ERROR",
        "  linux-6.1 -> linux-6.2: -SWP_SWAPIN_ERROR",
        "  linux-6.13 -> linux-6.19: +SWP_DEVICE_EXCLUSIVE -SWP_DEVICE_EXCLUSIVE_WRITE "
        "-SWP_DEVICE_EXCLUSIVE_READ",
    ]


def test_each_number_is_what_show_gives():
    report = json.loads(run_main("history", "--format", "json").out)
    releases = [path.stem for path in bundled_specs()]
    assert report["releases"] == releases
    assert len(report["series"]) == 2 ** len(report["gates"]) == 16
    for series in report["series"]:
        for release, number, types in zip(
            releases, series["max_swapfiles"], series["types"], strict=True
        ):
            known = json.loads(run_main("show", "--spec", release, "--format", "json").out)
            gates = set(known["gates"].values())
            items = [
                f"{g}={'y' if on else 'n'}" for g, on in series["config"].items() if g in gates
            ]
            shown = run_main("show", "--spec", release, "--format", "json",
                             *(f"--config={item}" for item in items))  # fmt: skip
            view = json.loads(shown.out)
            assert view["max_swapfiles"] == number, (release, series["config"])
            assert list(view["types"]) == types


def test_config_picks_the_settings_that_agree():
    report = json.loads(
        run_main("history", "--config", "MIGRATION=n", "--config", "CONFIG_DEVICE_PRIVATE=n",
                 "--format", "json").out
    )  # fmt: skip
    assert len(report["series"]) == 4
    assert all(
        not s["config"]["CONFIG_MIGRATION"] and not s["config"]["CONFIG_DEVICE_PRIVATE"]
        for s in report["series"]
    )


def test_a_gate_no_release_has_is_a_usage_error():
    result = run_script("history", "--config", "CONFIG_SWAP=n")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "CONFIG_SWAP" in result.err
