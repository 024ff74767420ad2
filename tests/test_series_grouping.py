"""One input may hold many series (a list archive, a maintainer's folder, the files
pre-commit passes at once): each is grouped, reviewed and reported on its own."""

from __future__ import annotations

import json

from tests.conftest import REPO, run_main

CORPUS = REPO / "tests/corpus"
ERROR = CORPUS / "12-flag-overlaps-type/series.mbox"  # arm64 uffd-wp bit onto the type field
CLEAN = CORPUS / "01-guard-marker-good/series.mbox"


def review_json(*args: str) -> tuple[int, dict]:
    result = run_main("review", "--format", "json", *args)
    assert "Traceback" not in result.err, result.err
    return result.code, json.loads(result.out)


def test_an_mbox_of_two_unrelated_series_reports_both(tmp_path):
    both = tmp_path / "both.mbox"
    both.write_bytes(ERROR.read_bytes() + CLEAN.read_bytes())
    code, data = review_json("--spec", "6.19", str(both))
    assert code == 1
    assert [(s["subject"], s["verdict"]) for s in data["series"]] == [
        ("[PATCH] arm64: mm: move the uffd-wp swap bit", "fail"),
        ("[PATCH] mm: add PTE_MARKER_GUARD", "pass"),
    ]
    assert {f["rule"] for f in data["series"][0]["findings"]} == {"SWP301", "SWP401"}


def test_a_clean_v2_beside_a_patch_with_errors_does_not_hide_them(tmp_path):
    """pre-commit passes all the files at once: an unrelated clean '[PATCH v2]' must not be
    taken for a newer version of the patch with errors."""
    clean = tmp_path / "0001-guard.patch"
    clean.write_text(CLEAN.read_text().replace("[PATCH]", "[PATCH v2]", 1))
    broken = tmp_path / "0001-uffd.patch"
    broken.write_bytes(ERROR.read_bytes())
    result = run_main("review", "--quiet", "--spec", "6.19", str(clean), str(broken))
    assert result.code == 1
    assert "SWP301" in result.out


def test_versions_of_one_series_are_one_series_and_the_newest_is_reviewed():
    _code, data = review_json("--spec", "6.19", str(CORPUS / "20-two-versions-duplicate"))
    (series,) = data["series"]
    assert series["version"] == 2 and series["cover"] == "[0/3] *** SUBJECT HERE ***"
    assert [f["rule"] for f in series["findings"]] == ["SWP903", "SWP902"]


def test_a_series_that_touches_no_swap_encoding_is_counted_not_reviewed(tmp_path):
    unrelated = (
        "From 1 Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\n"
        "Subject: [PATCH] docs: fix a typo\n\n---\n"
        "diff --git a/Documentation/x.rst b/Documentation/x.rst\n"
        "--- a/Documentation/x.rst\n+++ b/Documentation/x.rst\n@@ -1 +1 @@\n-teh\n+the\n"
    )
    mbox = tmp_path / "in.mbox"
    mbox.write_text(unrelated + "\n" + CLEAN.read_text())
    code, data = review_json("--spec", "6.19", str(mbox))
    assert code == 0
    assert [s["verdict"] for s in data["series"]] == [
        "not reviewed: touches no swap encoding",
        "pass",
    ]
