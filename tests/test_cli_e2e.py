"""End to end through real processes: the console script, python -m, and a fresh venv install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO, VERSIONS, run_script


def test_validate_all_bundled_specs():
    result = run_script("validate")
    assert result.code == 0, result.err
    assert [line.rsplit("/", 1)[-1] for line in result.out.splitlines()] == [
        f"linux-{version}.yaml: ok" for version in VERSIONS
    ]
    assert VERSIONS[0] == "5.14" and len(VERSIONS) == 8  # oldest first


def test_python_dash_m_codegen_works():
    proc = subprocess.run(
        [sys.executable, "-m", "codegen", "--version"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("swapgen ")


def test_broken_spec_through_the_script(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (REPO / "specs/linux-6.19.yaml").read_text()
    assert "      lsb: 12\n      width: 50\n" in text
    bad.write_text(
        text.replace("      lsb: 12\n      width: 50\n", "      lsb: 12\n      width: 53\n", 1)
    )
    result = run_script("validate", str(bad))
    assert result.code == 1
    assert "Traceback" not in result.err
    assert (
        f"{bad}:" in result.err
        and "arm64 offset (bits 12-64) does not fit a 64-bit PTE" in result.err
    )


def test_usage_error_exit_code():
    result = run_script("show", "--format", "xml")
    assert result.code == 2
    assert "invalid choice: 'xml'" in result.err


def test_no_command_prints_usage():
    result = run_script()
    assert result.code == 2
    assert "usage: swapgen" in result.err


def test_output_into_a_closed_pipe_is_not_an_error():
    # far more output than a pipe buffers, so the reader's early exit really hits the writer
    values = [f"{0x07FFFFFFFFFFFE00 | (i << 12):#x}" for i in range(5000)]
    writer = subprocess.Popen(
        [sys.executable, "-m", "codegen", "decode", "--arch", "x86_64", *values],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = writer.stdout.readline()
    writer.stdout.close()  # the reader goes away, as `| head -1` does
    stderr = writer.stderr.read()
    writer.wait(timeout=60)
    assert first.startswith(b"x86_64 0x07fffffffffffe00 (linux-6.19)")
    assert stderr == b"", stderr
    assert writer.returncode == 0


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory) -> Path:
    """A fresh venv with swapgen installed from the checkout, not in editable mode."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(root / "env")
    pip = root / "env" / "bin" / "pip"
    proc = subprocess.run(
        [str(pip), "install", "--quiet", "--disable-pip-version-check", str(REPO)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return env


def test_installed_package_runs_from_outside_the_repo(installed_venv):
    swapgen = installed_venv / "env" / "bin" / "swapgen"
    elsewhere = installed_venv / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run(
        [str(swapgen), "show", "--format", "json", "--spec", "linux-6.1"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=_clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    view = json.loads(proc.stdout)
    assert view["max_swapfiles"] == 22
    # the specs came from inside the installed package, not from the checkout
    assert "site-packages/codegen/specs/linux-6.1.yaml" in view["path"]
    proc = subprocess.run(
        [str(swapgen), "validate"], cwd=elsewhere, capture_output=True, text=True, env=_clean_env()
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok") == len(VERSIONS)


def test_installed_package_ships_templates_and_schema(installed_venv):
    python = installed_venv / "env" / "bin" / "python"
    code = (
        "from codegen import resources; "
        "print(resources.templates_dir()); print(resources.SCHEMA_PATH.is_file())"
    )
    proc = subprocess.run(
        [str(python), "-c", code],
        cwd=installed_venv,
        capture_output=True,
        text=True,
        env=_clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    templates, schema = proc.stdout.splitlines()
    assert "site-packages/codegen/templates" in templates
    assert schema == "True"
