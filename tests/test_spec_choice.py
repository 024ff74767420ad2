"""Without --spec, a command given a kernel tree checks it against the newest bundled spec not
newer than the tree's release (its Makefile), and says which; without a tree the default
stays the newest bundled spec."""

from __future__ import annotations

import json

import pytest

from codegen.resources import bundled_specs, spec_for_release
from tests.conftest import REPO, run_main, run_script
from tests.kernel_trees import kernel_tree, known_bugs

GUARD_SERIES = REPO / "tests/realmail/06-pte-marker-guard-v4/series.mbox"


@pytest.mark.parametrize(
    ("release", "chosen"),
    [("5.14", "linux-5.14"), ("5.18", "linux-5.14"), ("6.1", "linux-6.1"), ("6.5", "linux-6.2"),
     ("6.11", "linux-6.6"), ("6.12", "linux-6.12"), ("6.14", "linux-6.13"), ("6.19", "linux-6.19"),
     ("7.2", "linux-6.19"), ("5.10", None)],
)  # fmt: skip
def test_the_newest_bundled_spec_not_newer_than_the_release(release, chosen):
    found = spec_for_release(release)
    assert (found.stem if found else None) == chosen


@pytest.mark.parametrize("version", ["6.1", "6.12"])
def test_sync_picks_the_trees_release_and_says_so(version):
    tree = kernel_tree(version)
    result = run_main("sync", "--tree", str(tree), "--format", "json")
    assert result.code == (1 if known_bugs(version) else 0), result.err
    assert json.loads(result.out)["spec"] == f"linux-{version}"
    assert f"is Linux {version}: checked against linux-{version}" in result.err


def test_review_on_a_tree_uses_its_release():
    tree = kernel_tree("6.12")
    result = run_main("review", "--tree", str(tree), "--format", "json", str(GUARD_SERIES))
    report = json.loads(result.out)
    assert report["spec"] == "linux-6.12"
    lines = sorted(f["line"] for f in report["findings"] if f["rule"] == "SWP401")
    assert lines == [444, 445]  # as with --spec 6.12: the guard marker 6.12 lacks


def test_quiet_review_says_nothing_of_its_choice():
    tree = kernel_tree("6.12")
    mail = GUARD_SERIES.read_text()
    result = run_script("review", "--quiet", "--tree", str(tree), "-", stdin=mail)
    assert result.err == ""


def test_without_a_tree_the_newest_bundled_spec():
    report = json.loads(run_main("review", "--format", "json", str(GUARD_SERIES)).out)
    assert report["spec"] == bundled_specs()[-1].stem


def test_spec_given_wins(tmp_path):
    tree = kernel_tree("6.1")
    result = run_main("sync", "--tree", str(tree), "--spec", "6.12", "--format", "json")
    assert json.loads(result.out)["spec"] == "linux-6.12"
    assert "checked against" not in result.err


def test_a_tree_older_than_every_spec_is_told_to_pass_one(tmp_path):
    tree = tmp_path / "linux-5.10"
    (tree / "include/linux").mkdir(parents=True)
    (tree / "include/linux/swap.h").write_text("/* a swap.h */\n")
    (tree / "Makefile").write_text("VERSION = 5\nPATCHLEVEL = 10\nSUBLEVEL = 0\n")
    result = run_script("sync", "--tree", str(tree))
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "is Linux 5.10, older than every bundled spec (the oldest is linux-5.14)" in result.err


def test_a_version_beside_a_directory_of_that_name_is_the_bundled_spec(tmp_path, monkeypatch):
    """A tree unpacked as ./6.12 does not hide the bundled 6.12 from --spec 6.12."""
    (tmp_path / "6.12").mkdir()
    monkeypatch.chdir(tmp_path)
    shown = run_main("show", "--spec", "6.12", "--format", "json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["spec"] == "linux-6.12"
    (tmp_path / "mine").mkdir()
    assert run_main("show", "--spec", "mine").err == "swapgen: error: mine: not a regular file\n"
