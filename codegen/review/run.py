"""Review every series of an input: group the mail, review each series on its own (with the
base tree's post-image when there is one), and keep one report per series."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from codegen.errors import SwapgenError
from codegen.report import emit
from codegen.report.finding import Finding, finding, once_for_every_variant
from codegen.review.checks import Review, review_series
from codegen.review.mailbox import Raw
from codegen.review.series import IGNORED_ATTACHMENT, Patch, Series, build_series, group_series
from codegen.spec.model import Spec
from codegen.tree.source import FileSource, TreeSource

Filter = Callable[[list[Finding]], list[Finding]]


@dataclass
class SeriesReport:
    """One series of the input and what its review found."""

    series: Series
    findings: list[Finding]
    reviewed: bool  # False: it touches no swap encoding, so it was only counted

    @property
    def verdict(self) -> str:
        if not self.reviewed:
            return "not reviewed: touches no swap encoding"
        errors, warnings = emit.counts(self.findings)
        return "fail" if errors else ("warn" if warnings else "pass")

    def to_json(self) -> dict[str, Any]:
        first = self.series.cover or (self.series.patches[0] if self.series.patches else None)
        errors, warnings = emit.counts(self.findings)
        return {
            "id": (first.message_id or first.source) if first else "",
            "subject": first.subject if first else "",
            "version": self.series.version,
            "author": first.author if first else "",
            "date": first.date if first else "",
            "verdict": self.verdict,
            "patches": [p.label for p in self.series.patches],
            "cover": self.series.cover.label if self.series.cover else None,
            "findings": [f.to_json() for f in self.findings],
            "errors": errors,
            "warnings": warnings,
        }


def touches_swap_encodings(series: Series, reader: Review) -> bool:
    """Whether a rule reads any file the series changes, or a patch could not be read whole
    (so what it changes is unknown). An attachment left out of a patch whose text holds a
    diff (a signature, say) leaves nothing unknown."""
    for patch in series.patches:
        if patch.diff.strip() and reader.reads_any(patch.diff):
            return True
        if any(not p.startswith(IGNORED_ATTACHMENT) or not patch.has_diff for p in patch.problems):
            return True
    return False


def review_input(
    spec: Spec,
    messages: Iterable[tuple[str, Raw]],
    tree: TreeSource | None,
    keep_findings: Filter,
    jobs: int = 1,
    seen: Callable[[int], None] | None = None,
) -> tuple[list[SeriesReport], int]:
    """A report per series of the input, in input order; and how many replies were left out.

    ``jobs`` processes parse a large input and review its series without a base tree
    (codegen.review.intake); ``seen`` is told how many messages have been read so far."""
    from codegen.review.intake import Workers

    reader = Review(spec)
    with Workers(jobs if tree is None else 1, spec.path) as workers:
        patches, ignored = workers.read_patches(messages, reader, seen)
        if not patches:
            raise SwapgenError("no patches in the input (only replies, or no mail at all)")
        all_series = [build_series(group) for group in group_series(patches)]
        many = len(all_series) > 1
        wanted = [s for s in all_series if not many or touches_swap_encodings(s, reader)]
        found = workers.review(
            wanted, lambda series: review_one(spec, series, tree, reader, alone=not many)
        )
    by_series = {id(series): findings for series, findings in zip(wanted, found, strict=True)}
    reports = []
    for series in all_series:
        if id(series) not in by_series:
            reports.append(SeriesReport(series, [], reviewed=False))
            continue
        findings = keep_findings(by_series[id(series)])
        if many:  # a finding about the series as a whole says which one
            first = series.cover or series.patches[0]
            findings = [f if f.patch else replace(f, patch=first.label) for f in findings]
        reports.append(SeriesReport(series, findings, reviewed=True))
    return reports, ignored


def review_one(
    spec: Spec, series: Series, tree: TreeSource | None, reader: Review, alone: bool = True
) -> list[Finding]:
    """The findings of one series: diff-only, or on what it builds on ``tree``.

    A part that is the whole input (b4's per-patch check) is read after the parts before it
    when all of them were seen earlier (codegen.review.earlier): what they set up is its
    context, and only what the part itself shows or changes is reported. In an input of
    many series (``alone`` False) nothing is remembered or recalled: its report depends on
    the input only."""
    before, notes = _earlier_parts(series) if alone else ([], [])
    combined = replace(series, patches=[*before, *series.patches]) if before else series
    if tree is None:
        return once_for_every_variant(notes + _own(series, review_series(spec, combined)))
    from codegen.review.postimage import build_post_image
    from codegen.review.treecheck import introduced

    base: FileSource = tree
    unapplied: set[str] = set()
    if before:
        earlier_image, _ = build_post_image(tree, before, reader.tree_path)
        base, unapplied = earlier_image, earlier_image.failed
    image, findings = build_post_image(base, series.patches, reader.tree_path)
    image.failed |= unapplied  # a file the earlier parts could not change: read from the diffs
    findings = notes + findings
    findings += [
        replace(found, line=image.line_in_tree(found.file, found.line)) if found.line else found
        for found in _own(series, review_series(spec, combined, evaluate=False, image=image))
    ]
    # the rules' own SWP401 at a place says it more precisely than the sync's
    pinned = {(f.file, f.line) for f in findings if f.rule == "SWP401"}
    after = [
        f
        for f in introduced(spec, base, image)
        if f.rule != "SWP401" or (f.file, f.line) not in pinned
    ]
    return once_for_every_variant(findings + after)


def _own(series: Series, findings: list[Finding]) -> list[Finding]:
    """The findings of the series' own patches (and of the series as a whole), not those of
    earlier parts it was read after."""
    labels = {p.label for p in series.patches} | {""}
    return [f for f in findings if f.patch in labels]


def _earlier_parts(series: Series) -> tuple[list[Patch], list[Finding]]:
    """For a part reviewed alone: the parts before it, when all were seen earlier, and the
    note that says so; every part reviewed alone is remembered for the parts after it."""
    if not series.partial:
        return [], []
    from codegen.review import earlier

    (part,) = series.patches
    earlier.remember(part)
    before = earlier.earlier_parts(part)
    if not before:
        return [], []
    numbers = f"1-{part.number - 1}" if part.number > 2 else "1"
    note = finding(
        "SWP908",
        "",
        0,
        f"part {part.number}/{part.total} is read after part(s) {numbers} of its thread, "
        "seen earlier",
        patch=part.label,
    )
    return before, [note]


def all_findings(reports: Sequence[SeriesReport]) -> list[Finding]:
    return [f for report in reports for f in report.findings]
