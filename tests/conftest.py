"""Shared fixtures: bundled spec texts, edited copies of them, and a CLI runner."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from codegen import cli
from codegen.resources import bundled_specs

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
VERSIONS = tuple(path.stem.removeprefix("linux-") for path in bundled_specs())
"""Every bundled release, oldest first: "5.14", ..., "6.19"."""


GIT_LOCATION_AND_IDENTITY = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX", "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
)  # fmt: skip
"""Set when pytest runs from a git hook or under a user's git set-up: they would point the
tests' git commands at another repository or another author."""

TEST_GITCONFIG = "[user]\n\tname = swapgen tests\n\temail = tests@example.org\n"
"""The only git configuration the tests see besides each repository's own."""


def hermetic_environment(home: Path) -> dict[str, str | None]:
    """The environment the tests (and the processes they start) run in, whatever pytest was
    started from (None means unset):

    - a private HOME, so neither ~/.gitconfig (signing, hooks, autocrlf, or no identity at
      all), ~/.checkpatch.conf nor ~/.cache reaches them; its .gitconfig names an author,
      as any machine that commits has; pip keeps the user's own configuration;
    - a private schema cache; no git repository, author or config from the caller's
      environment; no SWAPGEN_DEBUG, which turns exit 3 into a traceback.
    """
    (home / ".gitconfig").write_text(TEST_GITCONFIG)
    changes: dict[str, str | None] = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "SWAPGEN_CACHE_DIR": str(home / "schema-cache"),
        "SWAPGEN_DEBUG": None,
    }
    if "PIP_CONFIG_FILE" not in os.environ:
        user_config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        for pip_conf in (user_config / "pip/pip.conf", Path.home() / ".pip/pip.conf"):
            if pip_conf.is_file():
                changes["PIP_CONFIG_FILE"] = str(pip_conf)
                break
    for name in os.environ:
        if name in GIT_LOCATION_AND_IDENTITY or name.startswith("GIT_CONFIG"):
            changes[name] = None
    return changes


@pytest.fixture(autouse=True, scope="session")
def _hermetic_environment(tmp_path_factory: pytest.TempPathFactory):
    """Tests do not depend on the caller's environment; see ``hermetic_environment``."""
    changes = hermetic_environment(tmp_path_factory.mktemp("home"))
    saved = {name: os.environ.get(name) for name in changes}
    for name, value in changes.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _no_parts_seen_by_earlier_tests():
    """Parts of a series reviewed alone are remembered for the parts after them
    (codegen.review.earlier); a test starts with none seen, whatever ran before it."""
    cache = os.environ.get("SWAPGEN_CACHE_DIR")
    if cache and cache != "off":
        shutil.rmtree(Path(cache) / "parts", ignore_errors=True)


def spec_path(version: str) -> Path:
    return SPECS / f"linux-{version}.yaml"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_main(*argv: str) -> CliResult:
    """Run swapgen's main() in-process, capturing stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdout, sys.stderr = old
    return CliResult(code, out.getvalue(), err.getvalue())


def swapgen_executable() -> list[str]:
    """The installed console script if there is one, else the module."""
    found = shutil.which("swapgen")
    return [found] if found else [sys.executable, "-m", "codegen"]


def run_script(*argv: str, cwd: Path | None = None, stdin: str | None = None) -> CliResult:
    """Run swapgen as a real process, the way a user does; with ``stdin`` None its stdin is
    empty (never pytest's terminal, which a background run may not read)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [*swapgen_executable(), *argv],
        cwd=cwd or REPO,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


class SpecEditor:
    """Writes copies of a bundled spec with one textual edit, and finds lines in them."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.count = 0

    def edit(self, version: str, *replacements: tuple[str, str]) -> Path:
        text = spec_path(version).read_text()
        for old, new in replacements:
            assert text.count(old) >= 1, f"edit target not in linux-{version}.yaml: {old!r}"
            text = text.replace(old, new, 1)
        self.count += 1
        path = self.tmp_path / f"edited-{self.count}.yaml"
        path.write_text(text)
        return path

    @staticmethod
    def line_of(path: Path, needle: str, nth: int = 1) -> int:
        """Line number of the nth line containing ``needle`` (a trailing '$' anchors it)."""
        seen = 0
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.endswith(needle[:-1]) if needle.endswith("$") else needle in line:
                seen += 1
                if seen == nth:
                    return number
        raise AssertionError(f"{needle!r} not in {path}")


def guard_spec(tmp_path: Path) -> Path:
    """The 6.12 spec plus PTE_MARKER_GUARD, the way 6.13 added it."""
    text = (REPO / "specs/linux-6.12.yaml").read_text()
    anchor = "      meaning: the page is poisoned; an access gives VM_FAULT_HWPOISON\n"
    assert anchor in text
    text = text.replace(
        anchor,
        anchor
        + (
            "    - name: PTE_MARKER_GUARD\n"
            "      bit: 2\n"
            "      make: make_guard_swp_entry\n"
            "      test: is_guard_swp_entry\n"
            "      meaning: guard region; an access raises SIGSEGV as if mapped PROT_NONE\n"
        ),
    )
    path = tmp_path / "linux-6.12-guard.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def spec_editor(tmp_path: Path) -> SpecEditor:
    return SpecEditor(tmp_path)


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Run git in ``repo``; its stdout."""
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=check
    )
    return proc.stdout


def require_tool(name: str) -> str:
    """The path of a tool the test needs: skipped locally when missing, a failure on CI."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (bash .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
