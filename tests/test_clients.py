"""The real clients, run as their users run them: b4 from PyPI (offline, a per-patch check
command in git config) and pre-commit (try-repo with this repository's hooks)."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from tests.conftest import REPO, git, require_tool, run_script, swapgen_executable

CORPUS = REPO / "tests/corpus"
ERROR = CORPUS / "12-flag-overlaps-type/series.mbox"  # SWP301 and SWP401 on arm64
CLEAN_REAL = REPO / "tests/realmail/06-pte-marker-guard-v4/series.mbox"  # clean against 6.19


def b4_check(tmp_path: Path, mbox: Path, message_id: str) -> list[str]:
    """``b4 am --check`` on an mbox with swapgen as the per-patch check: b4's lines."""
    b4 = require_tool("b4")
    repo = tmp_path / "kernel"
    repo.mkdir(exist_ok=True)
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    command = " ".join([*swapgen_executable(), "review", "--quiet", "--spec", "6.19", "-"])
    git(repo, "config", "b4.am-perpatch-check-cmd", command)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [b4, "--offline-mode", "am", "-m", str(mbox), "--check", "-o", str(tmp_path / "out"),
         message_id],
        cwd=repo, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr + proc.stdout
    shown = proc.stdout + proc.stderr  # b4 reports on stderr
    return [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in shown.splitlines()]


def as_mail(raw: bytes, encoding: str, message_id: str) -> bytes:
    """The corpus mail as a list server might carry it: 8bit, base64 or multipart."""
    message = email.message_from_bytes(raw.split(b"\n", 1)[1], policy=email.policy.compat32)
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    headers = {k: message[k] for k in ("From", "Subject", "Date")}
    if encoding == "multipart":
        mail: email.message.Message = MIMEMultipart()
        mail.attach(MIMEText(body.decode(), "plain", "utf-8"))
    else:
        mail = email.message.Message()
        mail["MIME-Version"] = "1.0"
        mail["Content-Type"] = 'text/plain; charset="utf-8"'
        mail["Content-Transfer-Encoding"] = encoding
        mail.set_payload(
            base64.encodebytes(body).decode() if encoding == "base64" else body.decode()
        )
    for key, value in headers.items():
        mail[key] = value
    mail["Message-ID"] = f"<{message_id}>"
    return b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + mail.as_bytes() + b"\n"


@pytest.mark.parametrize("encoding", ["8bit", "base64", "multipart"])
def test_b4_sees_the_same_findings_in_every_encoding(tmp_path, encoding):
    """b4 hands the check the original headers over a body it has already decoded."""
    mbox = tmp_path / "series.mbox"
    mbox.write_bytes(as_mail(ERROR.read_bytes(), encoding, "swapgen-test-1@example.org"))
    direct = run_script("review", "--quiet", "--spec", "6.19", str(ERROR))
    expected = [line.split(": ", 1)[1] for line in direct.out.splitlines()]
    assert len(expected) == 2 and direct.code == 1
    lines = b4_check(tmp_path, mbox, "swapgen-test-1@example.org")
    found = [line for line in lines if "SWP" in line]
    assert [line.split(": ", 2)[2] for line in found] == expected, lines


def test_b4_says_a_clean_real_series_passed_all_checks(tmp_path):
    lines = b4_check(tmp_path, CLEAN_REAL, "cover.1730123433.git.lorenzo.stoakes@oracle.com")
    verdicts = [line for line in lines if line.startswith("●")]
    assert len(verdicts) == 5
    assert all(line.endswith(": passed all checks") for line in verdicts), lines


@pytest.fixture
def precommit_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


def try_repo(repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    precommit = shutil.which("pre-commit") or require_tool("pre-commit")
    return subprocess.run(
        [precommit, "try-repo", str(REPO), hook, "--verbose", "--files", *files],
        cwd=repo, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, PRE_COMMIT_HOME=str(repo.parent / "pre-commit-home")),
    )  # fmt: skip


def test_pre_commit_does_not_let_a_patch_with_errors_through_beside_a_clean_one(precommit_repo):
    clean = precommit_repo / "0001-guard.patch"
    clean.write_text((CORPUS / "01-guard-marker-good/series.mbox").read_text()
                     .replace("[PATCH]", "[PATCH v2]", 1))  # fmt: skip
    broken = precommit_repo / "0001-uffd.patch"
    broken.write_bytes(ERROR.read_bytes())
    config = precommit_repo / ".pre-commit-config.yaml"
    config.write_text("repos: []\n")
    git(precommit_repo, "add", "-A")
    result = try_repo(precommit_repo, "swapgen-review", clean.name, broken.name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "SWP301" in result.stdout
    validate = try_repo(precommit_repo, "swapgen-validate", config.name)
    assert validate.returncode == 0, validate.stdout + validate.stderr  # not a spec: skipped
    assert "(no files to check)" in validate.stdout


def test_the_pre_commit_hooks_name_the_console_script():
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "entry: swapgen validate" in text and "entry: swapgen review --quiet" in text
    assert sys.executable  # the hooks install swapgen with pip, like any user


def test_the_nipa_recipe_of_the_readme(tmp_path):
    """The README's NIPA test script, run as NIPA runs it: the patch is HEAD of the tree,
    the description goes to $DESC_FD, the verdict is the exit code."""
    from tests.kernel_trees import copy_tree

    tree = copy_tree("6.12", tmp_path / "linux")
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "base")
    git(tree, "am", "-q", str(ERROR))
    script = (REPO / "README.md").read_text().split("#!/bin/sh\n", 1)[1].split("```", 1)[0]
    script = script.replace("swapgen", " ".join(swapgen_executable()), 1)
    results = tmp_path / "results"
    results.mkdir()
    desc = tmp_path / "desc"
    env = dict(os.environ, RESULTS_DIR=str(results), DESC_FD="3", PYTHONPATH=str(REPO))
    proc = subprocess.run(
        ["sh", "-c", f"exec 3>{desc}\n" + script], cwd=tree, capture_output=True, text=True,
        env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # errors: fail
    assert desc.read_text() == "swapgen review: fail: 2 error(s), 0 warning(s)\n"
    report = json.loads((results / "swapgen.json").read_text())
    assert [f["rule"] for f in report["findings"]] == ["SWP301", "SWP401"]
