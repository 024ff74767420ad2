"""The only module that imports git (GitPython): blobs at a revision, messages of a
public-inbox archive, branches, worktrees, commits and format-patch."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from codegen.errors import SwapgenError, too_big
from codegen.interrupts import hold_interrupts


def _repo(path: Path) -> Any:
    import git

    if not Path(path).exists():
        raise SwapgenError(f"{path}: no such directory")
    try:
        return git.Repo(path, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SwapgenError(f"{path}: not a git repository") from None


def git_reason(stderr: str) -> str:
    """git's own reason from its stderr (GitPython wraps it in "stderr: '...'"), one line."""
    text = stderr.strip()
    if text.startswith("stderr: "):
        text = text[len("stderr: ") :].strip().strip("'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = next((line for line in lines if line.startswith(("fatal:", "error:"))), "")
    reason = reason or (lines[0] if lines else "failed")
    return reason.removeprefix("fatal:").removeprefix("error:").strip()


def gitpython_version() -> str:
    """GitPython's version; importing it raises when it cannot start (no working git)."""
    import git

    return git.__version__


class RevisionReader:
    """Read files of a repository at a revision without touching its checkout or index."""

    def __init__(self, path: Path, rev: str):
        import git

        self.repo = _repo(path)
        try:
            self.commit = self.repo.commit(rev)
        except (git.BadName, ValueError, git.GitCommandError):
            raise SwapgenError(f"{path}: unknown revision {rev!r}") from None
        self.rev = rev

    def read(self, relpath: str, max_bytes: int | None = None) -> str | None:
        """The file's text at the revision; None if it has no such file."""
        try:
            blob = self.commit.tree / relpath
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        if max_bytes is not None and blob.size > max_bytes:
            raise too_big(f"{relpath} at {self.rev}", blob.size, max_bytes)
        return str(blob.data_stream.read().decode("utf-8", errors="replace"))


class Repository:
    """A user's kernel repository, handled so that their checkout is never touched:
    work happens on a new branch in a temporary worktree, removed again at the end."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.repo = _repo(self.path)

    def resolve(self, rev: str) -> str:
        import git

        try:
            return str(self.repo.commit(rev).hexsha)
        except (git.BadName, ValueError, git.GitCommandError):
            raise SwapgenError(f"{self.path}: unknown revision {rev!r}") from None

    def require_clean(self) -> None:
        if self.repo.is_dirty(index=True, working_tree=True, untracked_files=False):
            raise SwapgenError(
                f"{self.path}: the tree has uncommitted changes; commit or stash them first"
            )

    def branch_exists(self, name: str) -> bool:
        return any(head.name == name for head in self.repo.heads)

    def identity(self) -> tuple[str, str]:
        reader = self.repo.config_reader()
        try:
            return reader.get_value("user", "name"), reader.get_value("user", "email")
        except Exception:  # configparser raises several kinds
            raise SwapgenError(
                f"{self.path}: set git user.name and user.email: commits need an author"
            ) from None

    def add_worktree(self, branch: str, base: str, where: Path, force: bool) -> Path:
        import git

        if self.branch_exists(branch):
            if not force:
                raise SwapgenError(f"branch {branch!r} already exists; pass --force or --branch")
            if not self.repo.head.is_detached and self.repo.active_branch.name == branch:
                raise SwapgenError(f"branch {branch!r} is checked out; cannot replace it")
            self.repo.git.branch("-D", branch)
        try:
            self.repo.git.worktree("add", "-q", "-b", branch, str(where), base)
        except git.GitCommandError as err:
            raise SwapgenError(f"git worktree add failed: {git_reason(err.stderr)}") from None
        return where

    def commit_files(
        self, worktree: Path, files: dict[str, str], message: str, signoff: bool
    ) -> str:

        import git

        tree_repo = git.Repo(worktree)
        for relpath, content in files.items():
            (worktree / relpath).write_text(content, encoding="utf-8")
            tree_repo.git.add("--", relpath)
        with tempfile.NamedTemporaryFile("w", suffix=".msg", encoding="utf-8") as handle:
            handle.write(message)
            handle.flush()
            tree_repo.git.commit("-q", "-F", handle.name, *(["--signoff"] if signoff else []))
        return tree_repo.head.commit.hexsha

    def format_patch(self, base: str, branch: str, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        listing = self.repo.git.format_patch(
            "--cover-letter", f"--base={base}", "-o", str(out), f"{base}..{branch}"
        )
        return [Path(line) for line in listing.splitlines() if line.strip()]

    def _cleanup_git(self, *args: str) -> bool:
        """Run git for clean-up in its own session: a second Ctrl-C on the terminal cannot
        kill it halfway. True when it succeeded."""
        proc = subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, start_new_session=True
        )
        return proc.returncode == 0

    def remove_worktree(self, where: Path) -> None:
        """Remove a worktree of ours, whatever state an interrupt left it in."""
        with hold_interrupts():
            if not self._cleanup_git("worktree", "remove", "--force", "--force", str(where)):
                shutil.rmtree(where, ignore_errors=True)
            self._cleanup_git("worktree", "prune")

    def branch_head(self, name: str) -> str | None:
        """The commit a branch points at, or None if there is no such branch."""
        head = next((h for h in self.repo.heads if h.name == name), None)
        return head.commit.hexsha if head is not None else None

    def restore_branch(self, name: str, head: str | None) -> None:
        """Put a branch back as it was: deleted if it did not exist, else at ``head``."""
        with hold_interrupts():
            if head is None:
                self._cleanup_git("update-ref", "-d", f"refs/heads/{name}")
            else:
                self._cleanup_git("update-ref", f"refs/heads/{name}", head)


def format_patch_stdout(path: Path, revision_range: str) -> bytes:
    """``git format-patch --stdout`` of a range: the commits as one mbox."""
    proc = subprocess.run(
        [
            "git",
            "-C",
            str(path),
            "format-patch",
            "--stdout",
            "--no-signature",
            "--end-of-options",
            revision_range,
        ],
        capture_output=True,
    )
    if proc.returncode != 0:
        reason = git_reason(proc.stderr.decode("utf-8", "replace"))
        raise SwapgenError(f"{path}: git format-patch {revision_range}: {reason}")
    return proc.stdout


ARCHIVE_MESSAGE_BLOB = "m"
"""public-inbox v2 keeps one message per commit, as the blob ``m`` at the top of its tree."""


_SMALL_PACK_WINDOWS = (
    "-c", "core.packedGitWindowSize=16m",
    "-c", "core.packedGitLimit=64m",
    "-c", "core.deltaBaseCacheLimit=16m",
)  # fmt: skip
"""git maps a whole pack by default: reading every message of a 170 MB archive then holds
280 MB; with these windows it holds under 90 MB at the same speed."""


def _archive_git(git_dir: Path, *args: str) -> list[str]:
    # by its git directory: mirrors often have no config file, and git run inside one
    # may not find it
    return ["git", f"--git-dir={Path(git_dir).resolve()}", *_SMALL_PACK_WINDOWS, *args]


def _archive_check(git_dir: Path) -> None:
    """Raise unless git can read ``git_dir`` and HEAD there holds a message."""
    if not Path(git_dir).is_dir():
        raise SwapgenError(f"{git_dir}: no such directory")
    proc = subprocess.run(
        _archive_git(git_dir, "cat-file", "-e", f"HEAD:{ARCHIVE_MESSAGE_BLOB}"),
        capture_output=True,
    )
    if proc.returncode == 0:
        return
    reason = git_reason(proc.stderr.decode("utf-8", "replace"))
    if "dubious ownership" in reason:
        raise SwapgenError(
            f"{git_dir}: owned by another user, so git will not read it; if you trust it: "
            f"git config --global --add safe.directory {Path(git_dir).resolve()}"
        )
    if "not a git repository" in reason:
        raise SwapgenError(f"{git_dir}: not a git repository (nor a public-inbox archive)")
    if not any(word in reason for word in ("invalid object name", "path", "does not exist")):
        raise SwapgenError(f"{git_dir}: git cannot read it: {reason}")
    raise SwapgenError(
        f"{git_dir}: not a public-inbox archive (no blob {ARCHIVE_MESSAGE_BLOB!r} in HEAD's tree)"
    )


def archive_messages(
    git_dir: Path, wanted: Callable[[int], bool], max_bytes: int
) -> Iterator[tuple[str, bytes | None]]:
    """(commit, raw message or None when over ``max_bytes``) of each message of one
    public-inbox v2 epoch, oldest first, for the commits whose author time (the message's
    Date) ``wanted`` accepts. Commits without a message (a deleted one) are left out.

    One ``git log`` names the commits and one ``git cat-file --batch`` streams their
    blobs; a thread feeds it, so no message waits on a round trip."""
    _archive_check(git_dir)
    log = subprocess.run(
        _archive_git(git_dir, "log", "--reverse", "--format=%H %at", "HEAD"),
        capture_output=True,
    )
    if log.returncode != 0:
        reason = git_reason(log.stderr.decode("utf-8", "replace"))
        raise SwapgenError(f"{git_dir}: git log: {reason}")
    commits = [
        commit
        for commit, _, stamp in (line.partition(" ") for line in log.stdout.decode().split("\n"))
        if commit and wanted(int(stamp or 0))
    ]
    del log
    batch = subprocess.Popen(
        _archive_git(git_dir, "cat-file", "--batch"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert batch.stdin is not None and batch.stdout is not None

    def feed(sink: Any) -> None:
        try:
            for commit in commits:
                sink.write(f"{commit}:{ARCHIVE_MESSAGE_BLOB}\n".encode())
            sink.close()
        except (BrokenPipeError, ValueError):  # the reader stopped early
            pass

    feeder = threading.Thread(target=feed, args=(batch.stdin,), daemon=True)
    feeder.start()
    try:
        for commit in commits:
            header = batch.stdout.readline().split()
            if not header:
                raise SwapgenError(f"{git_dir}: git cat-file stopped before {commit}")
            if len(header) != 3:  # "<name> missing": no message in this commit's tree
                continue
            size = int(header[2])
            if size > max_bytes or header[1] != b"blob":
                left = size + 1
                while left > 0:  # drained a window at a time, never held whole
                    chunk = batch.stdout.read(min(left, 1 << 20))
                    left = left - len(chunk) if chunk else 0
                yield commit, None
                continue
            data = batch.stdout.read(size)
            batch.stdout.read(1)  # the newline after each object
            yield commit, data
    finally:
        batch.kill()
        batch.wait()
        feeder.join()
