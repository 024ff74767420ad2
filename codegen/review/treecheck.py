"""``review --tree``: apply the series with git am in a temporary worktree of the user's
repository, report conflicts, then run the sync checks on the result. The user's checkout
and branches are untouched; the worktree is removed afterwards."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from codegen.report.finding import Finding, finding
from codegen.review.series import Series
from codegen.spec.model import Spec


def _mbox(series: Series) -> bytes:
    """The reviewed patches as an mbox git am reads (one message per patch)."""
    chunks = []
    for patch in series.patches:
        body = patch.diff if patch.diff.endswith("\n") else patch.diff + "\n"
        author = patch.author or "unknown <unknown@invalid>"
        chunks.append(
            f"From swapgen Mon Sep 17 00:00:00 2001\nFrom: {author}\n"
            f"Subject: [PATCH] {patch.title}\n\n{patch.title}\n---\n{body}"
        )
    return "".join(chunks).encode("utf-8")


def apply_and_sync(spec: Spec, tree: Path, series: Series) -> list[Finding]:
    from codegen.patch.gitrepo import Repository
    from codegen.tree.facts import read_tree
    from codegen.tree.source import TreeSource
    from codegen.tree.sync import compare

    repo = Repository(tree)
    arches = list(spec.arches)
    head = repo.resolve("HEAD")
    TreeSource(tree, head)  # not a kernel tree: say so about the user's path, not a worktree
    with repo.temporary_worktree(head) as worktree:
        before = {
            (f.rule, f.message)
            for f in compare(spec, read_tree(TreeSource(worktree), spec, arches))
        }
        problem = repo.apply_mbox(worktree, _mbox(series))
        if problem is not None:
            message = f"git am stops: {problem}"
            return [finding("SWP907", "", 0, message)]
        findings = []
        for found in compare(spec, read_tree(TreeSource(worktree), spec, arches)):
            if (found.rule, found.message) in before:
                continue  # drift the tree had before the series: not the series' doing
            findings.append(replace(found, message=f"after the series: {found.message}"))
        return findings
