"""Every error path a user can reach by mistake: its one-line message and its exit code.

One table. Each case builds the real bad input under tmp_path (a broken file, a plain
directory, a real ``git init`` repository, a mangled mbox, an unknown revision ...), runs
swapgen in-process through ``run_main`` (a few through the real console script) and checks:

- the exit code (2 for bad input or usage);
- stderr is exactly one line, ``swapgen: error: <message>``, matching the expected message
  (for an invalid spec: ``file:line:col: ...`` lines, then the one summary line);
- no traceback anywhere.

Paths that other test files already pin (message and exit code) are not repeated here:
tests/test_broken_specs.py (spec problems), test_resource_bounds.py (oversized inputs),
test_review.py, test_patch.py and test_sync_real_trees.py (their commands' usage errors).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, guard_spec, run_main, run_script
from tests.kernel_trees import kernel_tree

CORPUS = REPO / "tests" / "corpus"
SERIES = CORPUS / "13-type-field-narrow" / "series.mbox"
PREFIX = "swapgen: error: "
POSITION_RE = re.compile(r"^\S.*:\d+:\d+: \S.*$")

Expected = str | re.Pattern[str]
"""The message after 'swapgen: error: ' (exact), or a pattern the whole stderr line matches."""


def git(path: Path, *args: str) -> str:
    proc = subprocess.run(
        [
            "git",
            "-C",
            str(path),
            "-c",
            "user.name=Err Paths",
            "-c",
            "user.email=err@example.org",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def small_repo(path: Path) -> Path:
    """A real git repository with one commit and no kernel files in it."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "master")
    (path / "README").write_text("not a kernel\n")
    git(path, "add", "README")
    git(path, "commit", "-qm", "first")
    git(path, "config", "user.name", "Err Paths")
    git(path, "config", "user.email", "err@example.org")
    return path


@pytest.fixture(scope="module")
def kernel_repo(tmp_path_factory) -> Path:
    """A git repository of the 6.12 paths swapgen reads, on branch master, with an author.

    Shared by the patch cases: each of them fails before it changes anything in it.
    """
    root = tmp_path_factory.mktemp("errors-kernel") / "linux"
    shutil.copytree(kernel_tree("6.12"), root)
    git(root, "init", "-q", "-b", "master")
    git(root, "config", "user.name", "Err Paths")
    git(root, "config", "user.email", "err@example.org")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Linux 6.12 (the paths swapgen reads)")
    return root


@dataclass
class Ctx:
    """What a case builder gets: its own tmp_path and, on demand, other fixtures."""

    tmp: Path
    request: pytest.FixtureRequest

    def fixture(self, name: str):
        return self.request.getfixturevalue(name)


Built = tuple[list[str], Expected]


@dataclass(frozen=True)
class Case:
    build: Callable[[Ctx], Built]
    code: int = 2
    spec_problems: bool = False  # file:line:col lines, then the summary line
    script: bool = False  # through the real console script, not main()
    stdin: str | None = None  # only with script


# --- builders: each makes the real bad input and returns (argv, expected message) ---------


def _spec_not_a_regular_file(ctx: Ctx) -> Built:
    fifo = ctx.tmp / "spec.fifo"
    os.mkfifo(fifo)
    return ["validate", str(fifo)], f"{fifo}: not a regular file"


def _spec_is_a_directory_script(ctx: Ctx) -> Built:
    return ["show", "--spec", str(ctx.tmp)], f"{ctx.tmp}: not a regular file"


def _empty_spec_file(ctx: Ctx) -> Built:
    path = ctx.tmp / "empty.yaml"
    path.write_text("")
    return ["export", "--spec", str(path)], f"invalid spec; 'swapgen validate {path}' lists it"


def _spec_with_a_yaml_syntax_error(ctx: Ctx) -> Built:
    path = ctx.tmp / "broken.yaml"
    text = (REPO / "specs/linux-6.19.yaml").read_text()
    assert "types: [SWP_HWPOISON]" in text
    path.write_text(text.replace("types: [SWP_HWPOISON]", "types: [SWP_HWPOISON", 1))
    argv = ["generate", "--spec", str(path), "--out", str(ctx.tmp / "out")]
    return argv, f"invalid spec; 'swapgen validate {path}' lists it"


def _encode_offset_hex_without_prefix(ctx: Ctx) -> Built:
    argv = ["encode", "--arch", "arm", "--type", "1", "--offset", "1f"]
    return argv, "--offset '1f': write hexadecimal with a 0x prefix (0x1f)"


def _encode_negative_offset(ctx: Ctx) -> Built:
    argv = ["encode", "--arch", "arm", "--type", "1", "--offset", "-1"]
    return argv, "--offset '-1': not a number (decimal, or hex with 0x)"


def _decode_value_too_long(ctx: Ctx) -> Built:
    argv = ["decode", "--arch", "x86_64", "9" * 5000]
    return argv, "value '999999999999999999999999'...: 5000 characters, too long for any PTE"


def _decode_value_with_a_newline(ctx: Ctx) -> Built:
    # the echoed input must not break the message over two lines
    return [
        "decode",
        "--arch",
        "x86_64",
        "0x1\n2",
    ], "value '0x1\\n2': not a number (decimal, or hex with 0x)"


def _encode_flag_turned_off_by_config(ctx: Ctx) -> Built:
    argv = ["encode", "--arch", "x86_64", "--type", "1", "--offset", "1"]
    argv += ["--flag", "soft_dirty", "--config", "CONFIG_MEM_SOFT_DIRTY=n"]
    # x86_64 has a soft-dirty swap bit; the message must say the config turned it off
    return argv, re.compile(r"swapgen: error: .*soft_dirty.*CONFIG_MEM_SOFT_DIRTY=n.*")


def _layout_out_is_a_file(ctx: Ctx) -> Built:
    blocker = ctx.tmp / "blocker"
    blocker.write_text("a file\n")
    target = blocker / "layout"
    argv = ["layout", "--spec", "6.12", "--out", str(target)]
    return argv, f"--out {target}: {blocker} is a file, not a directory"


def _generate_cannot_write(ctx: Ctx) -> Built:
    if not Path("/proc/self").is_dir():
        pytest.skip("needs procfs, where no directory can be created")
    out = "/proc/swapgen-error-paths"
    argv = ["generate", "--spec", "6.19", "--out", out]
    return argv, re.compile(
        rf"swapgen: error: {re.escape(out)}/linux-6\.19/\S+: cannot write: No such file or directory"
    )


def _generate_directory_where_a_file_goes(ctx: Ctx) -> Built:
    out = ctx.tmp / "out"
    target = out / "linux-6.19" / "include" / "linux" / "swap_types.h"
    target.mkdir(parents=True)
    argv = ["generate", "--spec", "6.19", "--out", str(out)]
    # like every other 'cannot read:' message: the reason once, without "[Errno 21] ... 'path'"
    return argv, f"{target}: cannot read: Is a directory"


def _sync_tree_is_a_file(ctx: Ctx) -> Built:
    path = ctx.tmp / "linux.tar"
    path.write_text("not a directory\n")
    return ["sync", "--tree", str(path)], f"{path}: not a directory"


def _sync_swap_h_unreadable(ctx: Ctx) -> Built:
    tree = ctx.tmp / "linux"
    (tree / "include/linux").mkdir(parents=True)
    (tree / "include/linux/swap.h").symlink_to("swap.h")  # a loop: ELOOP on open
    message = f"{tree}/include/linux/swap.h: cannot read: Too many levels of symbolic links"
    return ["sync", "--tree", str(tree)], message


def _sync_rev_not_a_kernel_tree(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    argv = ["sync", "--tree", str(repo), "--rev", "HEAD"]
    return argv, f"{repo}: not a kernel tree at HEAD (no include/linux/swap.h)"


def _import_arch_headers_broken(ctx: Ctx) -> Built:
    tree = ctx.tmp / "linux"
    shutil.copytree(kernel_tree("6.12"), tree)
    (tree / "arch/arm/include/asm/pgtable.h").unlink()
    argv = ["import", "--tree", str(tree), "--spec", "6.12"]
    missing = "__swp_type is not defined in the headers read"
    return argv, f"cannot import arm, arm_lpae: {tree}: arm: {missing}; {tree}: arm_lpae: {missing}"


def _patch_tree_missing(ctx: Ctx) -> Built:
    missing = ctx.tmp / "no-such-linux"
    return ["patch", "--tree", str(missing), "--spec", "6.12"], f"{missing}: no such directory"


def _patch_repo_not_a_kernel_tree(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    sha = git(repo, "rev-parse", "HEAD").strip()
    argv = ["patch", "--tree", str(repo), "--spec", "6.12", "--out", str(ctx.tmp / "series")]
    return argv, f"{repo}: not a kernel tree at {sha[:12]} (no include/linux/swap.h)"


def _patch_without_git_identity(ctx: Ctx) -> Built:
    system = subprocess.run(["git", "config", "--system", "user.name"], capture_output=True)
    if system.returncode == 0:
        pytest.skip("this machine's /etc/gitconfig names a git user")
    repo = ctx.tmp / "repo"  # a clone: the kernel tree without the fixture's local identity
    subprocess.run(["git", "clone", "-q", str(ctx.fixture("kernel_repo")), str(repo)], check=True)
    home = ctx.tmp / "home"
    home.mkdir()
    monkeypatch = ctx.fixture("monkeypatch")
    monkeypatch.setenv("HOME", str(home))  # no ~/.gitconfig: no user.name anywhere
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    spec = str(guard_spec(ctx.tmp))  # drift: there is something to commit
    argv = ["patch", "--tree", str(repo), "--spec", spec, "--out", str(ctx.tmp / "series")]
    return argv, f"{repo}: set git user.name and user.email: commits need an author"


def _patch_out_is_a_file(ctx: Ctx) -> Built:
    repo = ctx.fixture("kernel_repo")
    out = ctx.tmp / "series.txt"
    out.write_text("a file\n")
    argv = ["patch", "--tree", str(repo), "--spec", str(guard_spec(ctx.tmp)), "--out", str(out)]
    return argv, f"--out {out.resolve()}: a file, not a directory"


def _patch_out_below_a_file(ctx: Ctx) -> Built:
    repo = ctx.fixture("kernel_repo")
    blocker = ctx.tmp / "series.txt"
    blocker.write_text("a file\n")
    out = blocker / "patches"
    argv = ["patch", "--tree", str(repo), "--spec", str(guard_spec(ctx.tmp)), "--out", str(out)]
    return argv, f"--out {out.resolve()}: {blocker.resolve()} is a file, not a directory"


def _patch_out_not_empty(ctx: Ctx) -> Built:
    repo = ctx.fixture("kernel_repo")
    out = ctx.tmp / "series"
    out.mkdir()
    (out / "0001-old.patch").write_text("an older series\n")
    argv = ["patch", "--tree", str(repo), "--spec", str(guard_spec(ctx.tmp)), "--out", str(out)]
    return argv, f"{out.resolve()} is not empty; choose another --out"


def _patch_force_onto_the_checked_out_branch(ctx: Ctx) -> Built:
    repo = ctx.fixture("kernel_repo")
    argv = ["patch", "--tree", str(repo), "--spec", str(guard_spec(ctx.tmp))]
    argv += ["--out", str(ctx.tmp / "series"), "--branch", "master", "--force"]
    return argv, "branch 'master' is checked out; cannot replace it"


def _patch_invalid_branch_name(ctx: Ctx) -> Built:
    repo = ctx.fixture("kernel_repo")
    argv = ["patch", "--tree", str(repo), "--spec", str(guard_spec(ctx.tmp))]
    argv += ["--out", str(ctx.tmp / "series"), "--branch", "bad..name"]
    # git's reason, without GitPython's "stderr: '...'" wrapping
    return argv, re.compile(
        r"swapgen: error: (?!.*stderr:).*bad\.\.name.*not a valid branch name.*"
    )


def _review_explain_unknown_rule(ctx: Ctx) -> Built:
    return [
        "review",
        "--explain",
        "SWP999",
    ], "--explain SWP999: no such rule (rules: SWP101..SWP907)"


def _review_nothing_to_review(ctx: Ctx) -> Built:
    return ["review"], "name an mbox, .patch files, a directory, '-' for stdin, or --git"


def _review_git_without_range(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    return ["review", "--git", str(repo)], "--git needs --range A..B (and --range needs --git PATH)"


def _review_range_without_git(ctx: Ctx) -> Built:
    return ["review", "--range", "v6.12..HEAD"], (
        "--git needs --range A..B (and --range needs --git PATH)"
    )


def _review_range_without_dots(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    return ["review", "--git", str(repo), "--range", "HEAD"], "--range HEAD: expected A..B"


def _review_range_like_an_option(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    argv = ["review", "--git", str(repo), "--range=--output=x..HEAD"]
    # the range reaches git after --end-of-options: never as an option that writes a file
    return argv, re.compile(
        rf"swapgen: error: {re.escape(str(repo))}: git format-patch --output=x..HEAD: .+"
    )


def _review_explain_empty(ctx: Ctx) -> Built:
    return ["review", "--explain", ""], "--explain : no such rule (rules: SWP101..SWP907)"


def _show_empty_arch(ctx: Ctx) -> Built:
    return ["show", "--arch", ""], re.compile(r"swapgen: error: unknown arch '' in linux-6\.19 .+")


def _review_range_unknown_revision(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    argv = ["review", "--git", str(repo), "--range", "v6.12..HEAD"]
    # git's reason ("unknown revision"), not the last line of its usage hint
    return argv, re.compile(
        rf"swapgen: error: {re.escape(str(repo))}: (?!.*git <command>).*unknown revision.*"
    )


def _review_mbox_of_replies_only(ctx: Ctx) -> Built:
    mbox = ctx.tmp / "thread.mbox"
    mbox.write_text(
        "From reviewer Mon Sep 17 00:00:00 2001\n"
        "From: Reviewer <r@example.org>\n"
        "Subject: Re: [PATCH 1/1] mm: swap: change things\n"
        "\n"
        "> diff --git a/include/linux/swap.h b/include/linux/swap.h\n"
        "> @@ -1,1 +1,1 @@\n"
        "Looks wrong to me.\n"
    )
    return ["review", str(mbox)], "no patches in the input (only replies, or no mail at all)"


def _review_empty_stdin_script(ctx: Ctx) -> Built:
    return ["review", "-"], "no patches in the input (only replies, or no mail at all)"


def _review_dangling_symlink_in_a_patch_directory(ctx: Ctx) -> Built:
    folder = ctx.tmp / "outgoing"
    folder.mkdir()
    link = folder / "0001-moved.patch"
    link.symlink_to(ctx.tmp / "gone" / "0001-moved.patch")
    return ["review", str(folder)], f"{link}: cannot read: No such file or directory"


def _review_tree_not_a_git_repository(ctx: Ctx) -> Built:
    plain = ctx.tmp / "linux"
    plain.mkdir()
    argv = ["review", "--spec", "6.12", "--tree", str(plain), "--base", "HEAD", str(SERIES)]
    return argv, f"{plain}: not a git repository"


def _review_tree_missing(ctx: Ctx) -> Built:
    missing = ctx.tmp / "no-such-linux"
    argv = ["review", "--spec", "6.12", "--tree", str(missing), str(SERIES)]
    return argv, f"{missing}: no such directory"


def _review_tree_not_a_kernel_tree(ctx: Ctx) -> Built:
    repo = small_repo(ctx.tmp / "repo")
    argv = ["review", "--spec", "6.12", "--tree", str(repo), str(SERIES)]
    # the user's repository, not the temporary worktree swapgen made from it
    return argv, re.compile(rf"swapgen: error: {re.escape(str(repo))}: not a kernel tree.*")


def _sync_tree_is_a_file_script(ctx: Ctx) -> Built:
    return _sync_tree_is_a_file(ctx)


# argparse usage errors: one line 'swapgen: error: ...' like every other error


def _usage(argv: list[str], pattern: str) -> Callable[[Ctx], Built]:
    return lambda _ctx: (argv, re.compile(rf"swapgen: error: .*{pattern}.*"))


CASES = [
    # spec arguments
    pytest.param(Case(_spec_not_a_regular_file), id="validate-a-fifo-not-a-regular-file"),
    pytest.param(Case(_spec_is_a_directory_script, script=True), id="script-show-spec-is-a-dir"),
    pytest.param(Case(_empty_spec_file, spec_problems=True), id="export-empty-spec-file"),
    pytest.param(
        Case(_spec_with_a_yaml_syntax_error, spec_problems=True), id="generate-spec-yaml-syntax"
    ),
    # encode
    pytest.param(Case(_encode_offset_hex_without_prefix), id="encode-offset-hex-without-0x"),
    pytest.param(Case(_encode_negative_offset), id="encode-negative-offset"),
    pytest.param(Case(_decode_value_too_long), id="decode-value-too-long"),
    pytest.param(Case(_decode_value_with_a_newline), id="decode-value-with-a-newline"),
    pytest.param(Case(_encode_flag_turned_off_by_config), id="encode-flag-off-by-config"),
    # generate / layout output
    pytest.param(Case(_layout_out_is_a_file), id="layout-out-below-a-file"),
    pytest.param(Case(_generate_cannot_write), id="generate-out-cannot-write"),
    pytest.param(Case(_generate_directory_where_a_file_goes), id="generate-dir-in-place-of-output"),
    # sync / import: trees
    pytest.param(Case(_sync_tree_is_a_file), id="sync-tree-is-a-file"),
    pytest.param(Case(_sync_tree_is_a_file_script, script=True), id="script-sync-tree-is-a-file"),
    pytest.param(Case(_sync_swap_h_unreadable), id="sync-swap-h-symlink-loop"),
    pytest.param(Case(_sync_rev_not_a_kernel_tree), id="sync-rev-repo-not-a-kernel-tree"),
    pytest.param(Case(_import_arch_headers_broken), id="import-arch-header-missing"),
    # patch: repositories
    pytest.param(Case(_patch_tree_missing), id="patch-tree-missing"),
    pytest.param(Case(_patch_repo_not_a_kernel_tree), id="patch-repo-not-a-kernel-tree"),
    pytest.param(Case(_patch_without_git_identity), id="patch-no-git-identity"),
    pytest.param(Case(_patch_out_is_a_file), id="patch-out-is-a-file"),
    pytest.param(Case(_patch_out_below_a_file), id="patch-out-below-a-file"),
    pytest.param(Case(_patch_out_not_empty), id="patch-out-not-empty"),
    pytest.param(
        Case(_patch_force_onto_the_checked_out_branch), id="patch-force-checked-out-branch"
    ),
    pytest.param(Case(_patch_invalid_branch_name), id="patch-invalid-branch-name"),
    # review
    pytest.param(Case(_review_explain_unknown_rule), id="review-explain-unknown-rule"),
    pytest.param(Case(_review_nothing_to_review), id="review-no-input"),
    pytest.param(Case(_review_git_without_range), id="review-git-without-range"),
    pytest.param(Case(_review_range_without_git), id="review-range-without-git"),
    pytest.param(Case(_review_range_without_dots), id="review-range-without-dots"),
    pytest.param(Case(_review_range_unknown_revision), id="review-range-unknown-revision"),
    pytest.param(Case(_review_range_like_an_option), id="review-range-like-an-option"),
    pytest.param(Case(_review_explain_empty), id="review-explain-empty"),
    pytest.param(Case(_show_empty_arch), id="show-empty-arch"),
    pytest.param(Case(_review_mbox_of_replies_only), id="review-mbox-of-replies-only"),
    pytest.param(
        Case(_review_empty_stdin_script, script=True, stdin=""), id="script-review-empty-stdin"
    ),
    pytest.param(
        Case(_review_dangling_symlink_in_a_patch_directory), id="review-dangling-patch-symlink"
    ),
    pytest.param(Case(_review_tree_not_a_git_repository), id="review-tree-not-a-git-repo"),
    pytest.param(Case(_review_tree_missing), id="review-tree-missing"),
    pytest.param(Case(_review_tree_not_a_kernel_tree), id="review-tree-not-a-kernel-tree"),
    # argparse usage errors
    pytest.param(
        Case(_usage(["export", "--format", "yaml"], "invalid choice: 'yaml'")),
        id="usage-invalid-format-choice",
    ),
    pytest.param(
        Case(_usage(["frobnicate"], "invalid choice: 'frobnicate'")), id="usage-unknown-command"
    ),
    pytest.param(Case(_usage(["sync"], "required: --tree")), id="usage-missing-required-option"),
    pytest.param(
        Case(_usage(["sync", "--tree"], "--tree: expected one argument")),
        id="usage-option-without-value",
    ),
    pytest.param(
        Case(_usage(["decode", "--arch", "x86_64"], "required: VALUE")),
        id="usage-missing-positional",
    ),
    pytest.param(
        Case(_usage(["show", "--bogus"], "unrecognized arguments: --bogus")),
        id="usage-unrecognized-argument",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_error_path(case: Case, tmp_path: Path, request: pytest.FixtureRequest):
    argv, expected = case.build(Ctx(tmp_path, request))
    if case.script:
        result = run_script(*argv, cwd=tmp_path, stdin=case.stdin)
    else:
        assert case.stdin is None, "stdin needs the script"
        result = run_main(*argv)
    shown = f"swapgen {' '.join(argv)}\nexit {result.code}\nstderr:\n{result.err}"
    assert "Traceback" not in result.err + result.out, shown
    assert "internal error" not in result.err, shown
    assert result.code == case.code, shown
    assert result.err.endswith("\n"), shown
    lines = result.err.splitlines()
    if case.spec_problems:
        assert len(lines) >= 2, shown
        spec = argv[argv.index("--spec") + 1]
        for line in lines[:-1]:
            assert line.startswith(f"{spec}:") and POSITION_RE.match(line), shown
    else:
        assert len(lines) == 1, shown
    summary = lines[-1]
    assert summary.startswith(PREFIX), shown
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(summary), f"{shown}\nwanted: {expected.pattern}"
    else:
        assert summary == PREFIX + expected, f"{shown}\nwanted: {PREFIX}{expected}"
