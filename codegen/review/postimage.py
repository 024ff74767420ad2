"""What a series builds: the base tree's files with the series' hunks applied, in memory.

Nothing is written and no checkout changes. A hunk applies where its old lines stand in the
file, or (as ``patch`` and ``git apply`` allow) a few lines away; one that applies nowhere
is a finding (SWP907), and its file keeps the base text, so later rules read it diff-only.
The result is a tree source like any other, which the one reader reads as sync does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from codegen.report.finding import Finding, finding
from codegen.review.series import Patch
from codegen.tree.source import FileSource

MAX_OFFSET = 200
"""How far from its stated line a hunk may apply (files moved by earlier patches)."""


class HunkDoesNotApply(Exception):
    """A hunk's old lines are not in the file."""


@dataclass
class PostImage:
    """The base tree and the files the series changes, as the series leaves them."""

    base: FileSource
    files: dict[str, str | None] = field(default_factory=dict)  # None: deleted
    touched_by: dict[str, str] = field(default_factory=dict)  # path -> label of the last patch
    failed: set[str] = field(default_factory=set)  # files a hunk did not apply to
    moved: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def line_in_tree(self, relpath: str, line: int) -> int:
        """Where a post-image line a hunk header states really is, once the hunk applied a
        few lines away (the base moved since the series was written)."""
        for first, length, distance in reversed(self.moved.get(relpath, [])):
            if first <= line < first + length:
                return line + distance
        return line

    @property
    def label(self) -> str:
        return f"{self.base.label} + the series"

    def read(self, relpath: str) -> str | None:
        if relpath in self.files:
            return self.files[relpath]
        return self.base.read(relpath)

    def kernel_version(self) -> str | None:
        return self.base.kernel_version()


def post_image(hunks: list[tuple[int, str]]) -> str:
    """A file's text with the lines the diff shows in place and the others empty."""
    if not hunks:
        return ""
    lines = [""] * max(number for number, _ in hunks)
    for number, text in hunks:
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


def apply_hunks(
    text: str, hunks: Iterable[Any], moved: list[tuple[int, int, int]] | None = None
) -> str:
    """``text`` with unidiff hunks applied in order; HunkDoesNotApply if one cannot be.

    Each hunk that lands away from the line its header states adds (first line, length,
    distance) of its post-image lines to ``moved``."""
    lines = text.split("\n")
    trailing = lines[-1] == ""
    if trailing:
        lines.pop()
    shift = 0  # how far earlier hunks moved the lines below them
    for hunk in hunks:
        old = [ln.value.rstrip("\n") for ln in hunk if ln.is_context or ln.is_removed]
        new = [ln.value.rstrip("\n") for ln in hunk if ln.is_context or ln.is_added]
        start = _find(lines, old, max(hunk.source_start - 1, 0) + shift)
        if start is None:
            raise HunkDoesNotApply(
                f"@@ -{hunk.source_start},{hunk.source_length} @@ does not match the file"
            )
        lines[start : start + len(old)] = new
        shift = start + len(new) - (hunk.source_start - 1 + len(old))
        distance = start + 1 - hunk.target_start
        if moved is not None and distance and new:
            moved.append((hunk.target_start, len(new), distance))
    return "\n".join(lines) + ("\n" if trailing else "")


def _find(lines: list[str], old: list[str], near: int) -> int | None:
    """Where ``old`` stands in ``lines``: at ``near``, else the closest place within reach."""
    if not old:
        return min(near, len(lines))
    for distance in range(MAX_OFFSET + 1):
        for start in (near - distance, near + distance) if distance else (near,):
            if 0 <= start <= len(lines) - len(old) and lines[start : start + len(old)] == old:
                return start
    return None


def build_post_image(
    base: FileSource, patches: Iterable[Patch], tree_path: Any
) -> tuple[PostImage, list[Finding]]:
    """Apply every patch of a series to ``base`` in memory; findings for what does not apply.

    ``tree_path`` maps a diff's path to the tree's (quilt diffs carry a directory prefix).
    """
    import unidiff

    image = PostImage(base)
    findings = []
    for patch in patches:
        if not patch.diff.strip():
            continue
        try:
            patchset = unidiff.PatchSet(patch.diff)
        except Exception:  # unidiff raises several kinds; review reports it as SWP904
            continue
        for patched in patchset:
            path = tree_path(patched.path)
            if path in image.failed:
                continue
            try:
                image.files[path] = _patched_text(image, patched, path)
                image.touched_by[path] = patch.label
            except HunkDoesNotApply as err:
                image.failed.add(path)
                image.files.pop(path, None)  # the file stays as the base has it
                findings.append(
                    finding(
                        "SWP907",
                        path,
                        0,
                        f"{path}: {err} at {base.label}; this file is reviewed from the diff "
                        "alone",
                        patch=patch.label,
                    )
                )
    return image, findings


def _patched_text(image: PostImage, patched: Any, path: str) -> str | None:
    if patched.is_removed_file:
        return None
    current = "" if patched.is_added_file else image.read(path)
    if current is None:
        raise HunkDoesNotApply("the file is not in the tree")
    return apply_hunks(current, patched, image.moved.setdefault(path, []))
