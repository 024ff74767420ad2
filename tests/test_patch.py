"""swapgen patch against a real git repository made from Debian's linux-source-6.12."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from codegen.patch import gitrepo
from tests.conftest import REPO, git, guard_spec, require_tool, run_main
from tests.kernel_trees import copy_fixed_tree

AUTHOR = ("Ada Lovelace", "ada@example.org")


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory) -> Path:
    """A git repository of the 6.12 paths the specs need, plus scripts/ (checkpatch), with
    the tree's one real bug fixed so that it starts in sync with the 6.12 spec."""
    root = copy_fixed_tree("6.12", tmp_path_factory.mktemp("kernel") / "linux")
    git(root, "init", "-q", "-b", "master")
    git(root, "config", "user.name", AUTHOR[0])
    git(root, "config", "user.email", AUTHOR[1])
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Linux 6.12 (the paths swapgen reads)")
    return root


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    clone = tmp_path / "linux"
    subprocess.run(["git", "clone", "-q", str(base_repo), str(clone)], check=True)
    git(clone, "config", "user.name", AUTHOR[0])
    git(clone, "config", "user.email", AUTHOR[1])
    return clone


def riscv_spec(tmp_path: Path) -> Path:
    """The 6.12 spec with 6.19's riscv64 block: soft-dirty and uffd-wp swap bits."""
    block = re.compile(r"  riscv64:\n.*?(?=\n  powerpc64:)", re.S)
    text = (REPO / "specs/linux-6.12.yaml").read_text()
    newer = block.search((REPO / "specs/linux-6.19.yaml").read_text()).group(0)
    path = tmp_path / "linux-6.12-riscv.yaml"
    path.write_text(block.sub(lambda _m: newer, text, count=1))
    return path


def snapshot(tree: Path) -> dict:
    """Everything about a checkout that patch must leave alone."""
    files = {
        str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in tree.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(tree).parts
    }
    return {
        "head": git(tree, "rev-parse", "HEAD"),
        "branch": git(tree, "symbolic-ref", "HEAD"),
        "branches": git(tree, "branch", "--list"),
        "index": git(tree, "ls-files", "-s"),
        "status": git(tree, "status", "--porcelain"),
        "worktrees": git(tree, "worktree", "list", "--porcelain"),
        "files": files,
    }


def checkpatch(tree: Path, patch: Path) -> str:
    perl = require_tool("perl")
    proc = subprocess.run(
        [perl, str(tree / "scripts/checkpatch.pl"), "--no-tree", str(patch)],
        capture_output=True,
        text=True,
    )
    return proc.stdout


def apply_to_clean_copy(base_repo: Path, patches: list[Path], tmp_path: Path) -> Path:
    target = tmp_path / "applied"
    subprocess.run(["git", "clone", "-q", str(base_repo), str(target)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(target),
            "-c",
            "user.name=Am",
            "-c",
            "user.email=am@example.org",
            "am",
            "-q",
            *map(str, patches),
        ],
        check=True,
    )
    return target


def run_patch(repo: Path, spec: Path, out: Path, *extra: str):
    return run_main(
        "patch", "--tree", str(repo), "--spec", str(spec), "--out", str(out), "--signoff", *extra
    )


def test_new_marker_series_applies_syncs_and_passes_checkpatch(repo, base_repo, tmp_path):
    spec = guard_spec(tmp_path)
    before = snapshot(repo)
    result = run_patch(repo, spec, tmp_path / "series")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "mm: swapops: add PTE_MARKER_GUARD"
    patches = sorted((tmp_path / "series").glob("*.patch"))
    assert [p.name for p in patches] == [
        "0000-cover-letter.patch",
        "0001-mm-swapops-add-PTE_MARKER_GUARD.patch",
    ]
    assert snapshot(repo) | {"branches": ""} == before | {"branches": ""}
    assert "swapgen/linux-6.12-guard" in git(repo, "branch", "--list")
    body = patches[1].read_text()
    assert "Signed-off-by: Ada Lovelace <ada@example.org>" in body
    assert "+#define  PTE_MARKER_GUARD\t\t\tBIT(2)" in body
    assert "-#define  PTE_MARKER_MASK\t\t\t(BIT(2) - 1)" in body
    assert "+#define  PTE_MARKER_MASK\t\t\t(BIT(3) - 1)" in body
    assert "+static inline bool is_guard_swp_entry(swp_entry_t entry)" in body
    # minimal: two define lines changed or added, two helpers, nothing else
    assert " 1 file changed, 13 insertions(+), 1 deletion(-)" in body
    cover = patches[0].read_text()
    assert "base-commit: " + git(base_repo, "rev-parse", "HEAD").strip() in cover
    assert (
        "Subject: [PATCH 0/1] Bring the swap-entry encodings in line with linux-6.12-guard" in cover
    )
    assert "*** " not in cover
    report = checkpatch(repo, patches[1])
    assert "total: 0 errors, 0 warnings" in report, report
    applied = apply_to_clean_copy(base_repo, patches[1:], tmp_path)
    sync = run_main("sync", "--tree", str(applied), "--spec", str(spec))
    assert sync.code == 0 and sync.out == "", sync.out
    again = run_main(
        "patch", "--tree", str(applied), "--spec", str(spec), "--out", str(tmp_path / "again")
    )
    assert again.code == 0
    assert "no drift, nothing to do" in again.err
    assert not (tmp_path / "again").exists()
    assert "swapgen" not in git(applied, "branch", "--list")


def test_new_arch_bits_series_adds_flags_helpers_and_selects(repo, base_repo, tmp_path):
    spec = riscv_spec(tmp_path)
    result = run_patch(repo, spec, tmp_path / "series")
    # the series is right as far as it goes; a new HAVE_ARCH_* select needs more by hand
    assert result.code == 1, result.err
    assert (
        "swapgen: needs a hand edit: riscv64: selecting HAVE_ARCH_SOFT_DIRTY also needs the "
        "present-PTE and PMD helpers" in result.err
    )
    patches = sorted((tmp_path / "series").glob("0*.patch"))
    assert [p.name for p in patches][1:] == [
        "0001-riscv-mm-add-soft-dirty-and-uffd-wp-swap-PTE-bits.patch"
    ]
    body = patches[1].read_text()
    assert "+#define _PAGE_SWP_SOFT_DIRTY \\" in body
    assert "+\t(riscv_has_extension_unlikely(RISCV_ISA_EXT_SVRSW60T59B) ? _PAGE_EXEC : 0)" in body
    assert "+#ifdef CONFIG_HAVE_ARCH_USERFAULTFD_WP" in body
    assert "+static inline pte_t pte_swp_clear_soft_dirty(pte_t pte)" in body
    assert "+\tselect HAVE_ARCH_SOFT_DIRTY if 64BIT && MMU && RISCV_ISA_SVRSW60T59B" in body
    assert (
        "+\tselect HAVE_ARCH_USERFAULTFD_WP if 64BIT && MMU && USERFAULTFD && RISCV_ISA_SVRSW60T59B"
        in body
    )
    assert "+ *\tbit            3:\tsoft-dirty" in body
    report = checkpatch(repo, patches[1])
    assert "total: 0 errors, 0 warnings" in report, report
    applied = apply_to_clean_copy(base_repo, patches[1:], tmp_path)
    sync = run_main("sync", "--tree", str(applied), "--spec", str(spec))
    assert (sync.code, sync.out) == (0, "")


def test_relative_out_is_relative_to_where_the_user_is(repo, tmp_path, monkeypatch):
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    spec = guard_spec(tmp_path)
    result = run_main("patch", "--tree", str(repo), "--spec", str(spec), "--signoff")
    assert result.code == 0, result.err
    assert (workdir / "out/patches/swapgen/linux-6.12-guard/0000-cover-letter.patch").is_file()
    assert git(repo, "status", "--porcelain") == "", "nothing lands in the user's checkout"


def test_a_dropped_type_still_in_use_is_a_hand_edit(repo, tmp_path):
    spec = tmp_path / "dev3.yaml"
    spec.write_text(
        (REPO / "specs/linux-6.12.yaml")
        .read_text()
        .replace("SWP_DEVICE_EXCLUSIVE_WRITE, SWP_DEVICE_EXCLUSIVE_READ]", "SWP_DEVICE_EXCLUSIVE]")
    )
    result = run_patch(repo, spec, tmp_path / "series")
    assert result.code == 1
    assert "include/linux/swapops.h:" in result.err
    assert "still uses SWP_DEVICE_EXCLUSIVE_READ, which the series drops" in result.err
    cover = (tmp_path / "series/0000-cover-letter.patch").read_text()
    assert "reports no drift" not in cover


def test_unpatchable_differences_are_listed_and_the_rest_is_patched(repo, tmp_path):
    # 6.12 -> 6.19: the types and riscv are patchable; leafops.h (a new file) is not
    result = run_patch(repo, REPO / "specs/linux-6.19.yaml", tmp_path / "series")
    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        "mm: swap: update the special swap types",
        "riscv: mm: add soft-dirty and uffd-wp swap PTE bits",
    ]
    assert "swapgen: needs a hand edit: PTE markers:" in result.err
    cover = (tmp_path / "series" / "0000-cover-letter.patch").read_text()
    assert "Not in this series (needs a hand edit):" in cover


def test_a_failure_halfway_leaves_no_trace(repo, tmp_path, monkeypatch):
    spec = guard_spec(tmp_path)
    before = snapshot(repo)

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure after the commits")

    monkeypatch.setattr(gitrepo.Repository, "format_patch", broken)
    result = run_patch(repo, spec, tmp_path / "series")
    assert result.code == 3
    assert "injected failure" in result.err
    assert snapshot(repo) == before, "checkout, branches and worktrees as they were"
    assert not any((tmp_path / "series").glob("*")) if (tmp_path / "series").exists() else True


def test_refusals(repo, tmp_path):
    spec = guard_spec(tmp_path)
    # a dirty tree
    header = repo / "include/linux/swapops.h"
    original = header.read_text()
    header.write_text(original + "/* local change */\n")
    result = run_patch(repo, spec, tmp_path / "a")
    assert (result.code, result.err) == (
        2,
        f"swapgen: error: {repo}: the tree has uncommitted changes; commit or stash them first\n",
    )
    header.write_text(original)
    # an existing branch, unless --force
    git(repo, "branch", "swapgen/linux-6.12-guard")
    result = run_patch(repo, spec, tmp_path / "b")
    assert result.code == 2
    assert (
        "branch 'swapgen/linux-6.12-guard' already exists; pass --force or --branch NAME"
        in result.err
    )
    assert run_patch(repo, spec, tmp_path / "c", "--force").code == 0
    # not a git repository
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_main("patch", "--tree", str(plain), "--spec", str(spec))
    assert (result.code, result.err) == (2, f"swapgen: error: {plain}: not a git repository\n")
    # a spec that does not validate
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec.read_text().replace("min_max_swapfiles: 16", "min_max_swapfiles: 99"))
    result = run_patch(repo, bad, tmp_path / "d")
    assert result.code == 2
    assert "below min_max_swapfiles 99" in result.err
    # an unknown base
    result = run_patch(repo, spec, tmp_path / "e", "--base", "v9.9", "--branch", "other")
    assert result.code == 2 and "unknown revision 'v9.9'" in result.err


def selects_spec(tmp_path: Path, *extra: str) -> Path:
    """The 6.12 spec with more x86 kconfig_selects lines (YAML flow mappings)."""
    text = (REPO / "specs/linux-6.12.yaml").read_text()
    anchor = "      - {symbol: HAVE_ARCH_USERFAULTFD_WP, under: X86, if: X86_64 && USERFAULTFD}\n"
    assert anchor in text
    text = text.replace(anchor, anchor + "".join(f"      - {line}\n" for line in extra), 1)
    path = tmp_path / "linux-6.12-selects.yaml"
    path.write_text(text)
    return path


def test_a_spec_naming_another_select_symbol_syncs_and_patches(repo, tmp_path):
    """x86 really selects ARCH_HAS_PTE_SPECIAL: no symbol is special-cased, none is missing."""
    spec = selects_spec(tmp_path, "{symbol: ARCH_HAS_PTE_SPECIAL, under: X86, if: null}")
    sync = run_main("sync", "--tree", str(repo), "--spec", str(spec), "--arch", "x86_64")
    assert (sync.code, sync.out) == (0, "")
    result = run_patch(repo, spec, tmp_path / "series")
    assert result.code == 0, result.err
    assert "no drift, nothing to do" in result.err


def test_a_select_the_tree_lacks_is_patched_in_its_place(repo, tmp_path):
    spec = selects_spec(tmp_path, "{symbol: ARCH_HAS_SWAPGEN_TEST, under: X86, if: X86_64}")
    sync = run_main("sync", "--tree", str(repo), "--spec", str(spec), "--arch", "x86_64")
    assert sync.code == 1
    assert sync.out.splitlines() == [
        "arch/x86/Kconfig:57: ERROR: SWP531: x86_64: config X86 should have "
        "'select ARCH_HAS_SWAPGEN_TEST if X86_64' (spec), the tree has not"
    ]
    result = run_patch(repo, spec, tmp_path / "series")
    assert result.code == 0, result.err
    (patch,) = [p for p in (tmp_path / "series").glob("0001-*.patch")]
    added = [line for line in patch.read_text().splitlines() if line.startswith("+\t")]
    assert added == ["+\tselect ARCH_HAS_SWAPGEN_TEST if X86_64"]


def test_no_drift_needs_no_git_identity(base_repo, tmp_path, monkeypatch):
    """Nothing to commit, so no author is asked for: 'no drift' and exit 0."""
    clone = tmp_path / "linux"  # a clone has no local user.name; HOME has none either
    subprocess.run(["git", "clone", "-q", str(base_repo), str(clone)], check=True)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    result = run_main("patch", "--tree", str(clone), "--spec", "6.12")
    assert result.code == 0, result.err
    assert "matches linux-6.12: no drift, nothing to do" in result.err
