"""A part of a series that arrives alone (b4's per-patch check sends one message at a time,
in order) is read after the parts before it when all of them were seen earlier, as the real
arm64 series (tests/realmail/05) shows: its part 2 puts the uffd-wp swap bit at bit 3, which
is inside 6.1's type field but free once part 1 has moved the type to bits 55-59."""

from __future__ import annotations

import io
import json
import mailbox

import pytest

from codegen import commands
from tests.conftest import REPO
from tests.kernel_trees import kernel_tree

SERIES = REPO / "tests/realmail/05-arm64-uffd-wp-soft-dirty-v1/series.mbox"
PARTS = [message.as_bytes() for message in mailbox.mbox(SERIES)]  # cover letter, 1/5 .. 5/5
FALSE_OVERLAP = ("SWP301", "arch/arm64/include/asm/pgtable-prot.h", 25)


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    """Each test has its own memory of parts seen (it lives beside swapgen's cache)."""
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(tmp_path / "cache"))


def check_part(part: int | bytes, tree: str | None = None) -> list[dict]:
    """One part (its number, or a message) on stdin, as b4 runs a per-patch check command."""
    message = PARTS[part] if isinstance(part, int) else part
    out, err = io.StringIO(), io.StringIO()
    commands.review(
        ["-"], git_repo=None, revision_range=None, spec_arg="6.1", fmt="json", chosen=[],
        ignored=[], strict=False, exit_style="plain", explain_id=None, tree=tree, quiet=False,
        stdin=io.TextIOWrapper(io.BytesIO(message)), out=out, err=err,
    )  # fmt: skip
    return json.loads(out.getvalue())["findings"]


def places(findings: list[dict]) -> set[tuple[str, str, int]]:
    return {(f["rule"], f["file"], f["line"]) for f in findings}


def notes(findings: list[dict]) -> list[str]:
    return [f["message"] for f in findings if f["rule"] == "SWP908"]


def test_a_part_alone_is_read_on_the_spec_release_alone():
    assert FALSE_OVERLAP in places(check_part(2))


def test_a_part_is_read_after_the_earlier_parts_seen_in_order():
    check_part(1)
    found = check_part(2)
    assert FALSE_OVERLAP not in places(found)
    assert "part 2/5 is read after part(s) 1 of its thread, seen earlier" in notes(found)
    # only the part's own findings: part 1's SWP401 at pgtable.h is not repeated
    assert {f["patch"] for f in found} <= {"", "[2/5] arm64/mm: Add uffd write-protect support"}
    assert "part 3/5 is read after part(s) 1-2 of its thread, seen earlier" in notes(
        check_part(3)
    )


def test_a_part_whose_earlier_parts_were_not_all_seen_stands_alone():
    check_part(2)
    found = check_part(3)
    assert not any("seen earlier" in note for note in notes(found))


def test_nothing_is_remembered_with_the_cache_switched_off(monkeypatch):
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", "off")
    check_part(1)
    assert FALSE_OVERLAP in places(check_part(2))


def test_with_a_base_tree_the_earlier_parts_are_applied_first():
    """On the 6.1 tree, part 1's layout hunk does not apply (the series is for 6.10): arm64
    is then read from the diffs of parts 1 and 2, not from the base's type field."""
    tree = str(kernel_tree("6.1"))
    assert FALSE_OVERLAP in places(check_part(2, tree))
    check_part(1, tree)
    found = check_part(2, tree)
    assert FALSE_OVERLAP not in places(found)
    assert ("SWP401", "arch/arm64/include/asm/pgtable-prot.h", 25) in places(found)


def test_a_store_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory would be\n")
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(blocked))
    check_part(1)
    assert FALSE_OVERLAP in places(check_part(2))


def test_parts_of_other_versions_are_not_mixed():
    check_part(1)
    v2 = PARTS[2].replace(b"[PATCH v1 2/5]", b"[PATCH v2 2/5]")
    assert FALSE_OVERLAP in places(check_part(v2))


def test_an_input_of_many_series_neither_remembers_nor_recalls(tmp_path):
    """A list archive's report depends on the archive only: a lone part in it is not kept,
    and parts seen before are not used."""
    check_part(1)
    mbox = tmp_path / "two.mbox"
    other = REPO / "tests/corpus/01-guard-marker-good/series.mbox"
    mbox.write_bytes(b"From x Mon Sep 17 00:00:00 2001\n" + PARTS[2] + b"\n" + other.read_bytes())
    out, err = io.StringIO(), io.StringIO()
    commands.review(
        [str(mbox)], git_repo=None, revision_range=None, spec_arg="6.1", fmt="json", chosen=[],
        ignored=[], strict=False, exit_style="plain", explain_id=None, tree=None, quiet=False,
        stdin=io.StringIO(""), out=out, err=err,
    )  # fmt: skip
    found = json.loads(out.getvalue())["findings"]
    assert FALSE_OVERLAP in places(found)  # read alone, as the archive has it
    assert not any("seen earlier" in note for note in notes(found))
    parts = tmp_path / "cache" / "parts"
    assert sorted(p.name for p in parts.rglob("*.json")) == ["1.json"]  # only part 1's own run
