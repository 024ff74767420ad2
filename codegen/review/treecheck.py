"""``review --tree``: the series applied to a base tree in memory, then read and compared as
sync does. What the series introduces is reported: a difference from the spec (or an
inconsistency) after the series that the base did not have. Nothing is written, no
checkout changes, and nothing from the series runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from codegen.report.finding import Finding
from codegen.review.postimage import PostImage
from codegen.spec.model import Spec
from codegen.tree.source import FileSource


def touched_arches(spec: Spec, image: PostImage) -> list[str]:
    """The spec's arches whose headers or Kconfig the series changes, and applies to: where
    a hunk does not apply (SWP907), the arch is reviewed from the diff alone."""
    changed = set(image.files)
    return [
        name
        for name, arch in spec.arches.items()
        if changed & {*arch.headers, arch.kconfig}
        and not image.failed & {*arch.headers, arch.kconfig}
    ]


def introduced(spec: Spec, base: FileSource, image: PostImage) -> list[Finding]:
    """Sync findings after the series that the base tree did not have."""
    from codegen.tree.facts import read_tree
    from codegen.tree.sync import compare

    arches = touched_arches(spec, image)
    generic = set(spec.generic_files.values()) | {
        m.test_header for m in spec.marker_list if m.test_header
    }
    if not arches and not generic & set(image.files):
        return []
    key: Callable[[Finding], tuple[str, str, str]] = lambda f: (f.rule, f.arch, f.message)  # noqa: E731

    def base_findings() -> set[tuple[str, str, str]]:
        return {key(f) for f in compare(spec, read_tree(base, spec, arches))}

    inputs = _base_inputs(spec, base, sorted(generic)) if not arches else None
    if inputs is None:
        before = base_findings()
    else:
        from codegen.tree.readcache import remembered

        before = remembered("base-findings", inputs, base_findings)
    after = compare(spec, read_tree(image, spec, arches))
    if image.failed & generic:  # the generic files as the series leaves them are unknown
        after = [found for found in after if found.arch]
    return [
        replace(
            found,
            rule="SWP401" if is_drift(found) else found.rule,
            severity="error" if is_drift(found) else found.severity,
            message=f"after the series: {found.message}",
            patch=found.patch or image.touched_by.get(found.file, ""),
        )
        for found in after
        if key(found) not in before
    ]


CONSISTENCY_RULES = ("SWP525", "SWP528", "SWP541", "SWP590")
"""Sync rules about the tree itself (incomplete helpers, a test helper blind to its bit, a
comment against the code, what cannot be evaluated); the others compare the tree with the
spec."""


def is_drift(found: Finding) -> bool:
    """Whether a sync finding is a difference from the spec (the series changes what the
    spec pins: SWP401 in a review), not something wrong in the tree itself."""
    inside = found.spec is None and found.message.startswith("in the tree")
    return found.rule not in CONSISTENCY_RULES and not inside


def _base_inputs(spec: Spec, base: FileSource, paths: list[str]) -> list[bytes] | None:
    """What the base tree's own findings on the generic files depend on: the spec's text and
    those files. b4 checks every patch of a series on the same base, and reading it again is
    most of a review, so the findings are kept by this content (codegen.tree.readcache); only
    generic files, no compiler involved. None when the spec's file cannot be read."""
    try:
        parts = [Path(spec.path).read_bytes()]
    except OSError:
        return None
    for path in paths:
        text = (base.read(path) or "\0missing").encode("utf-8", "surrogateescape")
        parts += [path.encode(), text]
    return parts
