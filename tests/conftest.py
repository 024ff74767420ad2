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

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
VERSIONS = ("6.1", "6.12", "6.19")


@pytest.fixture(autouse=True, scope="session")
def _private_schema_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests (and the processes they start) use their own schema cache, never ~/.cache."""
    old = os.environ.get("SWAPGEN_CACHE_DIR")
    os.environ["SWAPGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("schema-cache"))
    yield
    if old is None:
        del os.environ["SWAPGEN_CACHE_DIR"]
    else:
        os.environ["SWAPGEN_CACHE_DIR"] = old


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
    """Run swapgen as a real process, the way a user does."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [*swapgen_executable(), *argv],
        cwd=cwd or REPO,
        input=stdin,
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
