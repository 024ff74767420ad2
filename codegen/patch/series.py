"""``swapgen patch``: a git format-patch series that brings a kernel tree in line with a spec.

The user's checkout, index and current branch are never touched: the tree is read at the
base revision from git's objects, commits are made on a new branch in a temporary worktree,
and on any failure the worktree and the branch are removed again.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from codegen.errors import SwapgenError
from codegen.generate.output import make_parents
from codegen.interrupts import hold_interrupts
from codegen.spec.model import Spec

if TYPE_CHECKING:
    from codegen.patch.plan import Change


@dataclass
class SeriesResult:
    branch: str | None = None
    patches: list[Path] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    unpatchable: list[str] = field(default_factory=list)
    drift: bool = True


def make_series(
    spec: Spec,
    tree: Path,
    base_rev: str,
    branch: str | None,
    out_dir: Path | None,
    signoff: bool,
    force: bool,
) -> SeriesResult:
    from codegen.patch import plan as patches
    from codegen.patch.gitrepo import Repository
    from codegen.tree.facts import read_tree
    from codegen.tree.source import TreeSource
    from codegen.tree.sync import compare

    repo = Repository(tree)
    repo.require_clean()
    base = repo.resolve(base_rev)
    source = TreeSource(tree, base)
    facts = read_tree(source, spec, list(spec.arches))
    findings = [f for f in compare(spec, facts) if f.severity == "error"]
    result = SeriesResult()
    if not findings:
        result.drift = False
        return result
    plan = patches.plan(spec, facts, source)
    result.unpatchable = plan.unpatchable
    if not plan.changes:
        return result
    repo.identity()  # commits need an author; a tree with no drift does not
    branch = branch or f"swapgen/{spec.name}"
    if repo.branch_exists(branch) and not force:
        raise SwapgenError(f"branch {branch!r} already exists; pass --force or --branch NAME")
    out_dir = (out_dir or Path("out") / "patches" / branch).resolve()
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    if not existing.is_dir():
        where = "a file" if existing == out_dir else f"{existing} is a file"
        raise SwapgenError(f"--out {out_dir}: {where}, not a directory")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise SwapgenError(f"{out_dir} is not empty; choose another --out")
    previous_head = repo.branch_head(branch)  # what to put back if we do not finish
    worktree_parent: Path | None = None
    done = False
    try:
        with hold_interrupts():  # made and recorded, or not made at all
            worktree_parent = Path(tempfile.mkdtemp(prefix="swapgen-worktree-"))
        worktree = worktree_parent / "tree"
        staging = worktree_parent / "patches"
        repo.add_worktree(branch, base, worktree, force)
        for change in plan.changes:
            repo.commit_files(worktree, change.files, change.message(spec), signoff)
            result.subjects.append(change.subject)
            result.unpatchable += change.followups
        after = read_tree(TreeSource(worktree), spec, list(spec.arches))
        remaining = [f for f in compare(spec, after) if f.severity == "error"]
        result.unpatchable += [f"still differs after the series: {f.text()}" for f in remaining]
        staged = repo.format_patch(base, branch, staging)
        _fill_cover_letter(staged, spec, plan.changes, result.unpatchable)
        with hold_interrupts(drop=True):  # the last step: the patches go to --out at once
            result.patches = _move_into(staged, out_dir)
            result.branch = branch
            done = True
    finally:
        # on an error or Ctrl-C: the user's branches as they were, no worktree, no patches;
        # once the patches are out, a Ctrl-C during this clean-up no longer fails the run
        with hold_interrupts(drop=done):
            if worktree_parent is not None:
                repo.remove_worktree(worktree_parent / "tree")
                _rmtree(worktree_parent)
            if not done:
                repo.restore_branch(branch, previous_head)
    return result


def _move_into(files: list[Path], directory: Path) -> list[Path]:
    """Move the staged patch files into ``directory``; all of them, or none on an error."""
    created: list[Path] = []
    moved: list[Path] = []
    try:
        created = make_parents(directory)
        for file in files:
            moved.append(Path(shutil.move(file, directory / file.name)))
    except OSError as err:
        for path in moved:
            path.unlink(missing_ok=True)
        for made in reversed(created):
            with contextlib.suppress(OSError):
                made.rmdir()
        reason = err.strerror or err
        raise SwapgenError(f"{directory}: cannot write the patches: {reason}") from None
    return moved


def _rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _fill_cover_letter(
    paths: list[Path], spec: Spec, changes: list[Change], unpatchable: list[str]
) -> None:
    cover = next((p for p in paths if p.name.startswith("0000-")), None)
    if cover is None:
        return
    text = cover.read_text(encoding="utf-8")
    subject = f"Bring the swap-entry encodings in line with {spec.name}"
    intro = (
        f"This series brings the tree's swap-entry encodings in line with the swapgen spec "
        f"{spec.name} (Linux {spec.kernel}). Each patch is one logical change:"
    )
    lines = [*textwrap.wrap(intro, 72), ""]
    for change in changes:
        lines.append(f"- {change.subject}")
        lines += [f"    {item}" for item in change.summary]
    if unpatchable:
        lines += ["", "Not in this series (needs a hand edit):"]
        lines += [f"- {item}" for item in unpatchable]
    if unpatchable:
        lines += ["", "Generated by swapgen; the items above still need a hand edit."]
    else:
        lines += ["", "Generated by swapgen; 'swapgen sync' on the result reports no drift."]
    text = text.replace("*** SUBJECT HERE ***", subject)
    text = re.sub(r"\*\*\* BLURB HERE \*\*\*", lambda _m: "\n".join(lines), text)
    cover.write_text(text, encoding="utf-8")
