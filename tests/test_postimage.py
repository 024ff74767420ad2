"""review --tree builds what the series builds in memory: the base tree plus its hunks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import unidiff

from codegen.review.postimage import HunkDoesNotApply, apply_hunks
from tests.conftest import REPO, git, run_main
from tests.kernel_trees import copy_tree

BASE = "".join(f"line {n}\n" for n in range(1, 21))


def hunks(diff: str):
    (patched,) = unidiff.PatchSet(diff)
    return patched


DIFF = """\
--- a/f
+++ b/f
@@ -4,3 +4,4 @@
 line 4
-line 5
+line five
+line five and a half
 line 6
@@ -15,2 +16,2 @@
 line 15
-line 16
+line sixteen
"""


def test_hunks_apply_where_they_say():
    text = apply_hunks(BASE, hunks(DIFF))
    assert text.splitlines()[3:7] == ["line 4", "line five", "line five and a half", "line 6"]
    assert text.splitlines()[16] == "line sixteen"
    assert text.endswith("line 20\n")


def test_hunks_apply_a_few_lines_away_as_patch_allows():
    moved = "".join(f"new {n}\n" for n in range(3)) + BASE  # three lines above everything
    text = apply_hunks(moved, hunks(DIFF))
    assert "line five\n" in text and "line sixteen\n" in text and "line 5\n" not in text


def test_a_line_of_a_hunk_that_applied_away_is_reported_where_it_landed():
    from codegen.review.postimage import PostImage

    moved_base = "".join(f"new {n}\n" for n in range(3)) + BASE
    image = PostImage(base=None)  # type: ignore[arg-type]
    text = apply_hunks(moved_base, hunks(DIFF), image.moved.setdefault("f", []))
    lines = text.splitlines()
    # the diff states "line five" at 5 and "line sixteen" at 17; the base moved them by 3
    assert lines[image.line_in_tree("f", 5) - 1] == "line five"
    assert lines[image.line_in_tree("f", 17) - 1] == "line sixteen"
    assert image.line_in_tree("f", 12) == 12 and image.line_in_tree("g", 5) == 5


def test_a_hunk_whose_old_lines_are_nowhere_does_not_apply():
    with pytest.raises(HunkDoesNotApply, match="@@ -4,3 @@ does not match the file"):
        apply_hunks(BASE.replace("line 5\n", "line V\n"), hunks(DIFF))


@pytest.fixture(scope="module")
def kernel_repo(tmp_path_factory) -> Path:
    tree = copy_tree("6.12", tmp_path_factory.mktemp("kernel") / "linux")
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "base")
    return tree


SERIES = REPO / "tests/corpus/12-flag-overlaps-type/series.mbox"  # arm64 uffd-wp bit to 6


def test_review_tree_reads_the_post_image_and_leaves_the_checkout_alone(kernel_repo):
    status = git(kernel_repo, "status", "--porcelain")
    result = run_main(
        "review", "--spec", "6.12", "--tree", str(kernel_repo), "--format", "json", str(SERIES)
    )
    data = json.loads(result.out)
    assert [(f["rule"], f["message"]) for f in data["findings"]] == [
        ("SWP301", "arm64 PTE_SWP_UFFD_WP is bit 6, which is type"),
        (
            "SWP401",
            "the series makes the arm64 uffd_wp swap bit bit 6; linux-6.12 has bit 3: the spec "
            "needs the same change",
        ),
    ]
    assert git(kernel_repo, "status", "--porcelain") == status
    assert git(kernel_repo, "worktree", "list").count("\n") == 1


def test_review_tree_at_a_base_revision(kernel_repo, tmp_path):
    """--base REV: the series applies to that commit, whatever the checkout holds."""
    prot = kernel_repo / "arch/arm64/include/asm/pgtable-prot.h"
    original = prot.read_text()
    prot.write_text(original.replace("#define PTE_SWP_UFFD_WP", "#define PTE_SWP_UFFD_WP_X", 1))
    try:
        on_disk = run_main(
            "review", "--spec", "6.12", "--tree", str(kernel_repo), "--format", "json", str(SERIES)
        )
        at_head = run_main(
            "review", "--spec", "6.12", "--tree", str(kernel_repo), "--base", "HEAD",
            "--format", "json", str(SERIES),
        )  # fmt: skip
    finally:
        prot.write_text(original)
    assert "SWP907" in {f["rule"] for f in json.loads(on_disk.out)["findings"]}
    assert "SWP907" not in {f["rule"] for f in json.loads(at_head.out)["findings"]}


def test_base_without_tree_is_a_usage_error():
    result = run_main("review", "--spec", "6.12", "--base", "HEAD", str(SERIES))
    assert result.code == 2
    assert "--base REV needs --tree PATH" in result.err


def test_the_base_findings_kept_by_content_change_no_result(tmp_path, monkeypatch):
    """review --tree keeps the base tree's own findings on the generic files, by content, for
    the next patch on the same base: a second run, and a run with the caches off, report the
    same."""
    from tests.kernel_trees import kernel_tree

    series = REPO / "tests/realmail/06-pte-marker-guard-v4/series.mbox"
    argv = ["review", "--spec", "6.12", "--format", "json", "--tree", str(kernel_tree("6.12"))]
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(tmp_path / "cache"))
    first = run_main(*argv, str(series))
    assert len(list((tmp_path / "cache" / "base-findings").iterdir())) == 1
    second = run_main(*argv, str(series))
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", "off")
    off = run_main(*argv, str(series))
    assert first.out == second.out == off.out and first.code == 1
    assert [f["line"] for f in json.loads(first.out)["findings"]] == [444, 445]


def test_an_edited_base_file_is_a_new_key(tmp_path, monkeypatch):
    from codegen.review.treecheck import _base_inputs
    from codegen.spec.compiled import load_spec
    from codegen.tree.readcache import entry_for, remembered

    class Files:
        label = "fake"

        def __init__(self, texts):
            self.texts = texts

        def read(self, relpath):
            return self.texts.get(relpath)

        def kernel_version(self):
            return None

    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(tmp_path))
    spec = load_spec(REPO / "specs/linux-6.12.yaml")
    paths = ["include/linux/swap.h", "include/linux/swapops.h"]
    one = _base_inputs(spec, Files({"include/linux/swap.h": "a"}), paths)
    same = _base_inputs(spec, Files({"include/linux/swap.h": "a"}), paths)
    edited = _base_inputs(spec, Files({"include/linux/swap.h": "b"}), paths)
    assert one is not None and same is not None and edited is not None
    kind = "base-findings"
    assert entry_for(kind, one) == entry_for(kind, same) != entry_for(kind, edited)
    remembered(kind, one, lambda: {("SWP511", "", "x")})
    assert remembered(kind, same, lambda: None) == {("SWP511", "", "x")}
    assert remembered(kind, edited, lambda: None) is None
