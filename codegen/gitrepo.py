"""The only module that imports git (GitPython): reading blobs at a revision, and later
branches, worktrees, commits and format-patch."""

from __future__ import annotations

from pathlib import Path

from codegen.errors import SwapgenError


def _repo(path: Path):
    import git

    try:
        return git.Repo(path, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SwapgenError(f"{path}: not a git repository") from None


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

    def read(self, relpath: str) -> str | None:
        try:
            blob = self.commit.tree / relpath
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        return blob.data_stream.read().decode("utf-8", errors="replace")

    def describe(self) -> str:
        return f"{self.rev} ({self.commit.hexsha[:12]})"
