"""``review --tree``: apply the series with git am in a temporary worktree of the user's
repository, report conflicts, then run the sync checks on the result. The user's checkout
and branches are untouched; the worktree is removed afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from codegen.errors import SwapgenError
from codegen.model import Spec
from codegen.review.checks import ReviewFinding
from codegen.review.series import Series
from codegen.rules import rule


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


def apply_and_sync(spec: Spec, tree: Path, series: Series) -> list[ReviewFinding]:
    from codegen.gitrepo import Repository
    from codegen.sync import compare
    from codegen.tree import TreeSource, read_tree

    repo = Repository(tree)
    base = repo.resolve("HEAD")
    parent = Path(tempfile.mkdtemp(prefix="swapgen-review-"))
    worktree = parent / "tree"
    findings: list[ReviewFinding] = []
    arches = list(spec.arches)
    try:
        repo.repo.git.worktree("add", "-q", "--detach", str(worktree), base)
        before = {
            (f.rule, f.message)
            for f in compare(spec, read_tree(TreeSource(worktree), spec, arches))
        }
        # the user's signing and hooks stay out of it: the mail is untrusted input
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(worktree),
                "-c",
                "user.name=swapgen",
                "-c",
                "user.email=swapgen@invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                f"core.hooksPath={os.devnull}",
                "am",
                "-q",
                "--3way",
            ],
            input=_mbox(series),
            capture_output=True,
        )
        if proc.returncode != 0:
            reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            failed = next((line for line in reason if line.startswith("Patch failed at")), "")
            first = next((line for line in reason if "patch failed" in line or "error" in line), "")
            first = f"{failed}: {first}" if failed else first
            findings.append(
                ReviewFinding(
                    "SWP907",
                    rule("SWP907").severity,
                    "",
                    0,
                    f"git am stops: {first or 'the series does not apply'}",
                    "",
                )
            )
            return findings
        facts = read_tree(TreeSource(worktree), spec, arches)
        for found in compare(spec, facts):
            if (found.rule, found.message) in before:
                continue  # drift the tree had before the series: not the series' doing
            findings.append(
                ReviewFinding(
                    found.rule,
                    found.severity,
                    found.file,
                    found.line,
                    f"after the series: {found.message}",
                    "",
                )
            )
        return findings
    except SwapgenError:
        raise
    finally:
        subprocess.run(
            ["git", "-C", str(tree), "worktree", "remove", "--force", str(worktree)],
            capture_output=True,
        )
        subprocess.run(["git", "-C", str(tree), "worktree", "prune"], capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)
