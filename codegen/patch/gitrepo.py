"""The only module that imports git (GitPython): reading blobs at a revision, and later
branches, worktrees, commits and format-patch."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
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
        ["git", "-C", str(path), "format-patch", "--stdout", "--no-signature", "--end-of-options",
         revision_range],
        capture_output=True,
    )
    if proc.returncode != 0:
        reason = git_reason(proc.stderr.decode("utf-8", "replace"))
        raise SwapgenError(f"{path}: git format-patch {revision_range}: {reason}")
    return proc.stdout
