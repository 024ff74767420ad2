"""Nothing from a tree or a patch is ever executed: hostile swap-PTE code is compiled, never
run, and what does not fold to a constant is reported as unevaluable at its line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import git, run_main
from tests.kernel_trees import copy_tree

PGTABLE_64 = "arch/x86/include/asm/pgtable_64.h"
PGTABLE = "arch/x86/include/asm/pgtable.h"


@dataclass(frozen=True)
class Hostile:
    """One hostile edit of the 6.12 x86 headers: the text it replaces and the new text."""

    file: str
    old: str
    new: str  # {mark} is replaced by the path the payload would create
    helper: str


HOSTILE = {
    "macro": Hostile(
        PGTABLE_64,
        "#define __swp_type(x) ((x).val >> (64 - SWP_TYPE_BITS))",
        "extern int system(const char *);\n"
        '#define __swp_type(x) ({ system("touch {mark}"); (x).val >> (64 - SWP_TYPE_BITS); })',
        "__swp_type",
    ),
    "inline helper": Hostile(
        PGTABLE,
        "static inline pte_t pte_swp_mkexclusive(pte_t pte)\n{\n",
        "static inline pte_t pte_swp_mkexclusive(pte_t pte)\n{\n"
        '\t__builtin_printf("%d", system("touch {mark}"));\n',
        "pte_swp_mkexclusive",
    ),
    "Kconfig-gated helper": Hostile(
        PGTABLE,
        "static inline int pte_swp_soft_dirty(pte_t pte)\n{\n",
        "static inline int pte_swp_soft_dirty(pte_t pte)\n{\n"
        '\tif (system("touch {mark}"))\n\t\treturn 0;\n',
        "pte_swp_soft_dirty",
    ),
}


def plant(tree: Path, hostile: Hostile, mark: Path) -> int:
    """Apply the hostile edit to ``tree``; the line where the hostile definition starts."""
    path = tree / hostile.file
    text = path.read_text()
    assert hostile.old in text, hostile.old
    new = hostile.new.replace("{mark}", str(mark))
    path.write_text(text.replace(hostile.old, new, 1))
    before = text.index(hostile.old)
    offset = new.index(hostile.helper)
    return text.count("\n", 0, before) + new.count("\n", 0, offset) + 1


def unevaluable(findings: list[dict], file: str) -> list[dict]:
    return [f for f in findings if f["rule"] == "SWP590" and f["file"] == file]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_sync_of_a_tree_with_hostile_code_runs_nothing(tmp_path, kind):
    tree = copy_tree("6.12", tmp_path / "linux")
    mark = tmp_path / "pwned"
    hostile = HOSTILE[kind]
    line = plant(tree, hostile, mark)
    result = run_main(
        "sync", "--tree", str(tree), "--spec", "6.12", "--arch", "x86_64", "--format", "json"
    )
    assert not mark.exists(), "the tree's code ran"
    report = json.loads(result.out)
    found = unevaluable(report["findings"], hostile.file)
    assert [(f["line"], f["severity"]) for f in found] == [(line, "warning")], report
    assert "does not fold to a constant" in found[0]["message"]
    assert "system" in found[0]["message"]


def _commit_all(tree: Path, message: str) -> None:
    git(tree, "add", "-A")
    git(tree, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", message)


def hostile_patch(tmp_path: Path, hostile: Hostile, mark: Path) -> tuple[Path, Path, int]:
    """A git repository of the 6.12 tree, and the hostile edit as a mailed patch against it:
    (tree, patch, line of the hostile definition)."""
    tree = copy_tree("6.12", tmp_path / "linux")
    git(tree, "init", "-q")
    _commit_all(tree, "base")
    line = plant(tree, hostile, mark)
    _commit_all(tree, "x86/mm: a helpful cleanup")
    patch = tmp_path / "0001.patch"
    patch.write_bytes(git(tree, "format-patch", "-1", "--stdout", "HEAD").encode())
    git(tree, "reset", "-q", "--hard", "HEAD~1")
    return tree, patch, line


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("with_tree", [True, False], ids=["with-tree", "without-tree"])
def test_review_of_a_hostile_patch_runs_nothing(tmp_path, kind, with_tree):
    mark = tmp_path / "pwned"
    hostile = HOSTILE[kind]
    tree, patch, line = hostile_patch(tmp_path, hostile, mark)
    base = ["--tree", str(tree)] if with_tree else ["--spec", "6.12"]
    result = run_main("review", *base, "--format", "json", str(patch))
    assert not mark.exists(), "the series' code ran"
    report = json.loads(result.out)
    found = unevaluable(report["findings"], hostile.file)
    assert [f["line"] for f in found] == [line], report
    assert "system" in found[0]["message"]
