"""Ctrl-C mid-way through generate, patch and review --tree: out/, the user's checkout and
its branches are as they were, and no temporary worktree is left behind.

swapgen runs as a real process in its own process group; the test waits for a point in the
middle of the work it can observe from outside (a staged file under out/, a worktree in
.git/worktrees, or a delay), then sends SIGINT to the whole group, as a terminal's Ctrl-C
does, so git and gcc children are hit too.

The tests do not depend on how pytest was started: a run from a non-interactive shell's
``cmd &`` or from ``nohup`` has SIGINT ignored, and an ignored signal stays ignored across
fork and exec, so swapgen would never see Ctrl-C. Each swapgen process is therefore started
with SIGINT back at its default, and the in-process tests install Python's handler for
themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, git, guard_spec
from tests.kernel_trees import kernel_tree

INTERRUPTED = 130


def default_sigint() -> None:
    """In the child, before exec: SIGINT at its default, so Python installs its handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_interrupt(
    argv: list[str],
    cwd: Path,
    trigger: Callable[[int], bool],
    temp: Path | None = None,
    again_after: float | None = None,
    timeout: float = 300,
    stdin: int = subprocess.DEVNULL,
) -> tuple[int, str, bool]:
    """(exit code, stderr, whether SIGINT was sent) of ``python -m codegen argv``, with its
    temporary files in ``temp``; ``again_after`` sends a second Ctrl-C that much later.
    ``stdin=subprocess.PIPE`` gives swapgen a stdin that stays open until it exits."""
    # the caches off: every command then reads its spec with PyYAML, whose libyaml module
    # marks the moment swapgen's own code runs (see in_swapgen)
    env = dict(os.environ, PYTHONPATH=str(REPO), SWAPGEN_CACHE_DIR="off")
    if temp is not None:
        env["TMPDIR"] = str(temp)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "codegen", *argv],
            cwd=cwd, stdin=stdin, stdout=out, stderr=err, env=env,
            start_new_session=True, preexec_fn=default_sigint,
        )  # fmt: skip
        fired = False
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if trigger(proc.pid):
                os.killpg(proc.pid, signal.SIGINT)
                fired = True
                if again_after is not None:
                    time.sleep(again_after)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGINT)
                break
            time.sleep(0.0005)
        try:
            code = proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:  # it ignored Ctrl-C: leave nothing running
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if proc.stdin is not None:
                proc.stdin.close()
        err.seek(0)
        return code, err.read().decode(), fired


def never(_pid: int) -> bool:
    return False


def in_swapgen(seconds: float) -> Callable[[int], bool]:
    """True ``seconds`` after swapgen's own code has started running in the process: PyYAML's
    libyaml module, which only a command's lazy imports load, is mapped. (Ctrl-C while the
    interpreter itself starts up is Python's business, not swapgen's.)"""
    seen: list[float] = []

    def check(pid: int) -> bool:
        if not seen:
            try:
                maps = Path(f"/proc/{pid}/maps").read_text()
            except OSError:
                return False
            if "yaml/_yaml" not in maps:
                return False
            seen.append(time.monotonic())
        return time.monotonic() - seen[0] >= seconds

    return check


def files_of(root: Path) -> dict[str, str]:
    """Every file under root (hidden ones too), by content hash."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def repo_state(repo: Path) -> dict:
    """What the user sees of their repository: refs with their commits, HEAD, index,
    status, worktrees, stashes and every file of the checkout."""
    worktrees_dir = repo / ".git" / "worktrees"
    return {
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "head": git(repo, "symbolic-ref", "-q", "HEAD"),
        "index": git(repo, "ls-files", "-s"),
        "status": git(repo, "status", "--porcelain", "--ignored"),
        "worktrees": git(repo, "worktree", "list", "--porcelain"),
        "worktree_admin": sorted(os.listdir(worktrees_dir)) if worktrees_dir.exists() else [],
        "stash": git(repo, "stash", "list"),
        "files": files_of(repo),
    }


@pytest.fixture
def temp(tmp_path) -> Path:
    """swapgen's TMPDIR in these tests: what it leaves there, it leaked."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


def path_appears(pattern: str, root: Path) -> Callable[[int], bool]:
    """True once something matching the glob ``pattern`` exists under ``root``."""
    return lambda _pid: any(root.glob(pattern))


def branch_moved(repo: Path, branch: str) -> Callable[[int], bool]:
    """True once ``branch`` points past the commit it started at: a commit was made on it."""
    start = git(repo, "rev-parse", "HEAD").strip()
    ref = repo / ".git" / "refs" / "heads" / branch

    def check(_pid: int) -> bool:
        try:
            return ref.read_text().strip() not in ("", start)
        except OSError:
            return False

    return check


def worktree_appeared(repo: Path, delay: float = 0.0) -> Callable[[], bool]:
    """True ``delay`` seconds after swapgen's worktree shows up in .git/worktrees."""
    admin = repo / ".git" / "worktrees"
    seen: list[float] = []

    def check(_pid: int) -> bool:
        if not seen and admin.is_dir() and any(admin.iterdir()):
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] >= delay

    return check


def assert_clean_interrupt(code: int, err: str) -> None:
    assert code == INTERRUPTED, err
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "swapgen: interrupted", err


# --- generate -----------------------------------------------------------------------------


def _staged_file_under(root: Path) -> Callable[[int], bool]:
    def check(_pid: int) -> bool:
        return any(p.name.endswith(".tmp") for p in root.rglob(".*"))

    return check


def test_ctrl_c_during_generate_leaves_out_as_it_was(tmp_path):
    """Each run is interrupted at a different moment; out/ is then either exactly as before
    (exit 130) or, when Ctrl-C came during the final renames, completely regenerated."""
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml: no mark of swapgen's start to wait for")
    spec = tmp_path / "specs" / "linux-6.19.yaml"
    spec.parent.mkdir()
    original = (REPO / "specs" / "linux-6.19.yaml").read_text()
    spec.write_text(original)
    out = tmp_path / "out"
    argv = ["generate", "--spec", str(spec), "--out", str(out)]
    assert start_and_interrupt(argv, tmp_path, never)[0] == 0
    before = files_of(out)
    shutil.copytree(out, tmp_path / "before")
    # an edit of the spec changes the banner's sha256, so every file is rewritten
    spec.write_text(original + "# edited\n")
    started = time.monotonic()
    assert start_and_interrupt(argv, tmp_path, never)[0] == 0
    full_run = time.monotonic() - started
    complete = files_of(out)
    assert complete.keys() == before.keys() and complete != before
    shutil.rmtree(out)
    shutil.copytree(tmp_path / "before", out)

    outcomes = []
    triggers = [in_swapgen(full_run * k / 10) for k in range(8)]
    triggers += [_staged_file_under(out) for _ in range(4)]
    for trigger in triggers:
        code, err, _fired = start_and_interrupt(argv, tmp_path, trigger)
        state = files_of(out)
        if code == INTERRUPTED:
            assert_clean_interrupt(code, err)
            assert state == before, "an interrupted generate changed out/"
        else:  # Ctrl-C came during the final renames (or as Python was exiting): it finished
            assert state == complete, f"exit {code}, and out/ is neither old nor new: {err}"
        outcomes.append(code)
        if state != before:  # put the old output back for the next run
            shutil.rmtree(out)
            shutil.copytree(tmp_path / "before", out)
    assert INTERRUPTED in outcomes, f"no run was interrupted: {outcomes}"


# --- patch and review --tree ----------------------------------------------------------------


@pytest.fixture
def kernel_repo(tmp_path) -> Path:
    repo = tmp_path / "linux"
    subprocess.run(["cp", "-r", str(kernel_tree("6.12")), str(repo)], check=True)
    for args in (
        ["init", "-q", "-b", "master"],
        ["config", "user.name", "Ada"],
        ["config", "user.email", "ada@example.org"],
        ["add", "-A"],
        ["commit", "-qm", "Linux 6.12"],
        ["branch", "side"],
    ):
        git(repo, *args)
    return repo


BRANCH = "swapgen/guard"


def patch_argv(repo: Path, tmp_path: Path, *extra: str) -> list[str]:
    spec = guard_spec(tmp_path)
    out = tmp_path / "patches"
    return ["patch", "--tree", str(repo), "--spec", str(spec), "--branch", BRANCH,
            "--out", str(out), *extra]  # fmt: skip


@pytest.mark.parametrize("moment", ["worktree-made", "first-commit", "writing-patches"])
def test_ctrl_c_during_patch_leaves_checkout_branches_and_out_as_they_were(
    kernel_repo, tmp_path, temp, moment
):
    trigger = {
        "worktree-made": worktree_appeared(kernel_repo),
        "first-commit": branch_moved(kernel_repo, BRANCH),
        "writing-patches": path_appears("swapgen-worktree-*/patches", temp),
    }[moment]
    before = repo_state(kernel_repo)
    argv = patch_argv(kernel_repo, tmp_path)
    code, err, fired = start_and_interrupt(argv, tmp_path, trigger, temp)
    assert fired, f"swapgen finished before the moment was seen: {err}"
    assert list(temp.iterdir()) == [], "a temporary worktree or file was left behind"
    out = tmp_path / "patches"
    if code == 0:  # only possible while the patches are moved into --out: the run completed
        assert moment == "writing-patches", err
        assert any(out.glob("0001-*.patch")) and BRANCH in git(kernel_repo, "branch"), err
        return
    assert_clean_interrupt(code, err)
    assert repo_state(kernel_repo) == before
    assert not out.exists(), "an interrupted patch left files in --out"


@pytest.mark.parametrize("twice", [False, True], ids=["once", "again-during-clean-up"])
def test_ctrl_c_during_patch_force_puts_the_old_branch_back(kernel_repo, tmp_path, temp, twice):
    git(kernel_repo, "branch", BRANCH, "side")
    before = repo_state(kernel_repo)
    argv = patch_argv(kernel_repo, tmp_path, "--force")
    code, err, fired = start_and_interrupt(
        argv,
        tmp_path,
        branch_moved(kernel_repo, BRANCH),
        temp,
        again_after=0.005 if twice else None,
    )
    assert fired
    assert_clean_interrupt(code, err)
    assert repo_state(kernel_repo) == before  # the branch points where it did
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("again", [None, 0.02], ids=["once", "twice"])
def test_ctrl_c_during_review_tree_leaves_the_repository_as_it_was(
    kernel_repo, tmp_path, temp, again
):
    """review --tree applies the series in memory: whenever Ctrl-C comes, the repository,
    its worktrees and the temporary directory are as they were."""
    series = REPO / "tests" / "corpus" / "14-riscv-sd-uw-good" / "series.mbox"
    before = repo_state(kernel_repo)
    argv = ["review", "--spec", "6.19", "--tree", str(kernel_repo), str(series)]
    code, err, fired = start_and_interrupt(argv, tmp_path, in_swapgen(0.1), temp, again_after=again)
    assert fired, f"review finished before the interrupt: {err}"
    assert_clean_interrupt(code, err)
    assert repo_state(kernel_repo) == before
    assert list(temp.iterdir()) == []


# --- hold_interrupts itself -----------------------------------------------------------------


@pytest.fixture
def python_sigint_handler():
    """Python's own SIGINT handler for the test, whatever pytest was started with."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_swapgen_gets_ctrl_c_even_when_pytest_ignores_it(tmp_path):
    """What every test above relies on: under a pytest that ignores SIGINT, a swapgen it
    starts still stops with 130 on Ctrl-C. Here swapgen waits for mail on a stdin that
    never ends, so only the signal can stop it."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code, err, fired = start_and_interrupt(
            ["review", "-"], tmp_path, in_swapgen(0.2), stdin=subprocess.PIPE, timeout=30
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert fired
    assert_clean_interrupt(code, err)


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.01)  # the handler runs at the next bytecode boundary


@pytest.mark.usefixtures("python_sigint_handler")
def test_a_held_interrupt_is_raised_when_the_outermost_block_ends():
    from codegen.interrupts import hold_interrupts

    steps = []
    with pytest.raises(KeyboardInterrupt), hold_interrupts():
        with hold_interrupts():
            _ctrl_c()
            steps.append("inner done")
        steps.append("outer goes on")  # an inner block never cuts the outer one short
        _ctrl_c()
        steps.append("outer done")
    assert steps == ["inner done", "outer goes on", "outer done"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.usefixtures("python_sigint_handler")
def test_a_dropped_interrupt_is_only_reported(capsys):
    from codegen.interrupts import hold_interrupts

    with hold_interrupts(drop=True):
        _ctrl_c()
    assert "it is complete" in capsys.readouterr().err
    with hold_interrupts():
        pass  # nothing received: nothing raised
    with pytest.raises(KeyboardInterrupt):
        _ctrl_c()


def test_an_ignored_ctrl_c_stays_ignored_inside_a_held_block(capsys):
    """Started under nohup (SIGINT ignored), swapgen must not start catching Ctrl-C in its
    held blocks: the signal is ignored there too, and nothing is raised or reported later."""
    from codegen.interrupts import hold_interrupts

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with hold_interrupts():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            _ctrl_c()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    assert capsys.readouterr().err == ""
