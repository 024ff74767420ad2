"""swapgen doctor: the real checks on this machine, and under PATHs made to lack or break tools."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import __version__, doctor
from codegen.kernel.arches import ARCHES
from tests.conftest import REPO, require_tool, run_script
from tests.kernel_trees import tarball

EXPECTED_NAMES = [
    "python",
    "swapgen",
    "GitPython",
    "PyYAML",
    "jsonschema",
    "Jinja2",
    "unidiff",
    "pyelftools",
    "libyaml",
    "bundled specs",
    "schema cache",
    "git",
    "cc",
    "clang",
    *(f"clang {arch}" for arch, info in sorted(ARCHES.items()) if info.clang_target),
    "qemu-i386",
    "qemu-aarch64",
    "qemu-riscv64",
    "qemu-ppc64le",
    "qemu-ppc",
    "qemu-ppc64",
    "qemu-s390x",
    "qemu-arm",
    "qemu-alpha",
    "qemu-m68k",
    "qemu-sparc64",
    "qemu-hppa",
    "qemu-mips",
    "qemu-mips64",
    "qemu-x86_64",
    "perl",
    "kernel tree",
    "linux-source-6.1",
    "linux-source-6.12",
]
CLANG_ARCHES = sorted(a for a, info in ARCHES.items() if info.clang_target)
"""alpha and arc have no clang-19 target: their cross gcc does that work."""
OPTIONAL_TOOLS = [
    "git", "cc", "clang", *(f"clang {a}" for a, info in ARCHES.items() if info.clang_target),
    "qemu-aarch64", "qemu-riscv64", "qemu-ppc64le", "qemu-s390x", "qemu-arm", "qemu-alpha",
    "perl",
]  # fmt: skip


def report(tree: str | None = None, fmt: str = "text") -> tuple[int, str]:
    out = io.StringIO()
    code = doctor.doctor(tree, fmt, out)
    return code, out.getvalue()


def parse_text(text: str) -> dict[str, tuple[str, str]]:
    """name -> (status, rest of the line), using the aligned name column."""
    lines = text.splitlines()
    names = sorted(EXPECTED_NAMES, key=len, reverse=True)
    parsed = {}
    for line in lines:
        status, rest = line[:8].strip(), line[8:]
        name = next(n for n in names if rest.startswith(n + " "))
        parsed[name] = (status, rest[len(name) :].strip())
    return parsed


def by_name(fmt_json: str) -> dict[str, dict]:
    return {item["name"]: item for item in json.loads(fmt_json)}


def fake_tool(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def bare_path(tmp_path, monkeypatch) -> Path:
    """PATH is one empty directory; tests put fake tools into it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_report_on_this_machine_lists_every_part_in_order():
    code, text = report()
    assert code == 0
    parsed = parse_text(text)
    assert list(parsed) == EXPECTED_NAMES
    assert {status for status, _ in parsed.values()} <= {"ok", "missing"}
    for name in ("python", "swapgen", "GitPython", "bundled specs"):
        assert parsed[name][0] == "ok", parsed[name]
    assert parsed["swapgen"][1].startswith(__version__)
    version = ".".join(map(str, sys.version_info[:3]))
    assert parsed["python"][1].startswith(f"{version} ({sys.executable})")
    assert (
        "linux-5.14, linux-5.19, linux-6.1, linux-6.2, linux-6.6, linux-6.12, linux-6.13, "
        "linux-6.19 valid" in parsed["bundled specs"][1]
    )
    # the name column is aligned: every detail starts in the same column
    width = max(map(len, EXPECTED_NAMES))
    assert all(line[8 + width : 8 + width + 2] == "  " for line in text.splitlines())
    assert all(line[8 + width + 2] != " " for line in text.splitlines())


def test_real_tools_are_found_with_their_versions():
    git = require_tool("git")
    check = doctor.check_git()
    real = subprocess.run([git, "--version"], capture_output=True, text=True, check=True)
    assert check.present
    assert check.detail == f"{real.stdout.split()[2]} ({git})"
    gcc = require_tool("gcc")
    assert doctor.check_cc().present
    assert doctor.check_cc().detail.endswith(f"({gcc})")
    perl = require_tool("perl")
    assert doctor.check_perl().detail.endswith(f"({perl})")
    assert doctor.check_perl().detail[0].isdigit()


def test_real_clang_compiles_for_every_arch_target():
    clang = require_tool("clang-19")
    checks = doctor.check_clang()
    assert [c.name for c in checks] == ["clang", *(f"clang {a}" for a in CLANG_ARCHES)]
    assert all(c.present for c in checks), [c for c in checks if not c.present]
    assert checks[0].detail.startswith("19.") and checks[0].detail.endswith(f"({clang})")
    assert checks[1].detail == f"--target={ARCHES['arm'].clang_target}"


@pytest.mark.parametrize("arch", [a for a, info in ARCHES.items() if info.qemu])
def test_real_qemu_runs_a_program_of_the_arch(arch):
    qemu = require_tool(ARCHES[arch].qemu or "")
    cross = require_tool(ARCHES[arch].gcc[0])
    check = doctor.check_qemu(arch)
    assert check.present, check
    assert check.detail == f"{qemu} with {cross}"


def test_empty_path_reports_every_tool_missing_and_still_exits_0(bare_path):
    code, text = report(fmt="json")
    assert code == 0
    checks = by_name(text)
    for name in OPTIONAL_TOOLS:
        assert checks[name]["present"] is False, name
    assert checks["git"]["detail"] == "not found on PATH (looked for git)"
    assert checks["cc"]["detail"] == "not found on PATH (looked for gcc, cc)"
    assert checks["clang"]["detail"] == "not found on PATH (looked for clang-19, clang)"
    assert checks["clang arm64"]["detail"] == "--target=aarch64-linux-gnu: no clang"
    assert "arm-linux-gnueabihf-gcc not found on PATH" in checks["qemu-arm"]["detail"]
    # GitPython is installed; it is not imported without a git to run
    assert checks["GitPython"]["present"] is True
    assert "not imported: no working git" in checks["GitPython"]["detail"]
    code, text = report()
    assert code == 0
    line = next(x for x in text.splitlines() if x.startswith("missing qemu-arm "))
    assert line.endswith(
        "without it: no running the C harness on real 32-bit ARM and 32-bit ARM with LPAE "
        "(3-level, 64-bit PTE)"
    )


def test_a_clang_that_fails_makes_every_target_unusable(bare_path):
    fake_tool(bare_path, "clang-19", "echo 'error: this clang is broken' >&2; exit 1")
    checks = doctor.check_clang()
    assert len(checks) == 1 + len(CLANG_ARCHES)
    assert not any(c.present for c in checks)
    for check in checks[1:]:
        assert check.detail.endswith(": clang-19 exited 1: error: this clang is broken"), check
    code, text = report()
    assert code == 0
    assert parse_text(text)["clang s390"][0] == "missing"


def test_a_clang_without_one_target_fails_only_that_arch(tmp_path, monkeypatch):
    clang = require_tool("clang-19")
    fake_tool(
        tmp_path,
        "clang",
        'case "$*" in *--target=s390x*) echo "error: unknown target" >&2; exit 1;; esac\n'
        f'exec {clang} "$@"',
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    checks = {c.name: c for c in doctor.check_clang()}
    assert checks["clang"].detail.endswith("; the tests look for clang-19")
    assert not checks["clang s390"].present
    assert checks["clang s390"].detail.endswith("clang exited 1: error: unknown target")
    assert all(c.present for n, c in checks.items() if n != "clang s390")


def test_a_hanging_or_crashing_tool_is_reported_not_raised(bare_path, monkeypatch):
    monkeypatch.setattr(doctor, "TIMEOUT", 0.5)
    fake_tool(bare_path, "git", "while :; do :; done")  # hangs, no child to orphan
    fake_tool(bare_path, "gcc", "kill -SEGV $$")
    (bare_path / "perl").write_bytes(b"\x7fELF not really\n")
    (bare_path / "perl").chmod(0o755)
    git = doctor.check_git()
    assert not git.present and "git hung (no answer in 0.5 s)" in git.detail
    cc = doctor.check_cc()
    assert not cc.present and cc.detail.endswith("gcc crashed (SIGSEGV)")
    perl = doctor.check_perl()
    assert not perl.present and f"cannot run {bare_path / 'perl'}" in perl.detail
    assert doctor.check_gitpython().present  # installed; not imported with this git
    code, _ = report()
    assert code == 0


def make_kernel_tree(root: Path) -> Path:
    (root / "include/linux").mkdir(parents=True)
    (root / "include/linux/swap.h").write_text("/* swap */\n")
    (root / "arch/x86").mkdir(parents=True)
    (root / "Makefile").write_text("# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n")
    return root


def test_a_tree_that_looks_like_a_kernel_tree_is_recognised(tmp_path):
    tree = make_kernel_tree(tmp_path / "linux")
    check = doctor.check_tree(str(tree))
    assert check.present
    assert check.detail == f"{tree}: linux 6.12, not a git repository (patch and --rev need one)"
    (tree / ".git").mkdir()
    assert doctor.check_tree(str(tree)).detail == f"{tree}: linux 6.12, a git repository"
    code, text = report(str(tree), "json")
    assert code == 0
    assert by_name(text)["kernel tree"]["present"] is True


def test_the_current_directory_is_checked_without_tree(tmp_path, monkeypatch):
    tree = make_kernel_tree(tmp_path / "linux")
    monkeypatch.chdir(tree)
    assert doctor.check_tree(None).detail.startswith(f"current directory {tree}: linux 6.12")
    monkeypatch.chdir(tmp_path)
    check = doctor.check_tree(None)
    assert not check.present
    assert check.detail.endswith("not a kernel tree (no include/linux/swap.h and arch/); "
                                 "pass --tree PATH")  # fmt: skip


def test_bad_tree_paths_are_reported_as_missing(tmp_path):
    code, text = report(str(tmp_path / "nope"))
    assert code == 0
    status, rest = parse_text(text)["kernel tree"]
    assert status == "missing"
    assert rest.startswith(f"{tmp_path / 'nope'}: no such directory")
    assert rest.endswith("without it: no sync, import, patch, review --tree")
    (tmp_path / "file").write_text("")
    assert doctor.check_tree(str(tmp_path / "file")).detail.endswith(": not a directory")
    (tmp_path / "half/include/linux").mkdir(parents=True)
    (tmp_path / "half/include/linux/swap.h").write_text("")
    check = doctor.check_tree(str(tmp_path / "half"))  # no arch/
    assert not check.present and "not a kernel tree" in check.detail


def test_tarballs_are_the_ones_the_tests_extract(tmp_path):
    checks = doctor.check_tarballs()
    for check, version in zip(checks, ("6.1", "6.12"), strict=True):
        assert check.name == f"linux-source-{version}"
        assert check.detail.startswith(str(tarball(version)))
        assert check.present == tarball(version).is_file()
    (tmp_path / "linux-source-6.1.tar.xz").write_bytes(b"\0" * 3 * 2**20)
    first, second = doctor.check_tarballs(tmp_path)
    assert first.present and first.detail == f"{tmp_path}/linux-source-6.1.tar.xz (3 MiB)"
    assert not second.present
    assert second.detail.endswith("missing (apt-get install linux-source-6.12)")


def test_a_broken_bundled_spec_is_required_and_exits_1(tmp_path, monkeypatch):
    bad = tmp_path / "linux-9.9.yaml"
    bad.write_text("swap_types: [\n")
    check = doctor.check_specs([bad])
    assert not check.present and check.required
    assert check.detail.startswith(f"{bad}:")
    monkeypatch.setattr("codegen.resources.bundled_specs", lambda: [bad])
    code, text = report()
    assert code == 1
    assert parse_text(text)["bundled specs"][0] == "BROKEN"


def test_json_has_the_same_parts_as_text():
    _, text = report()
    code, data = report(fmt="json")
    assert code == 0
    items = json.loads(data)
    assert [i["name"] for i in items] == list(parse_text(text)) == EXPECTED_NAMES
    assert all(set(i) == {"name", "present", "detail", "enables", "required"} for i in items)
    required = {i["name"] for i in items if i["required"]}
    assert required == {"python", "swapgen", "GitPython", "PyYAML", "jsonschema", "Jinja2",
                        "unidiff", "pyelftools", "bundled specs"}  # fmt: skip


def test_importing_doctor_does_not_import_gitpython():
    code = "import sys, codegen.doctor; print('git' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60, check=True)  # fmt: skip
    assert proc.stdout.strip() == "False"


def test_schema_cache_is_reported_on_off_and_unusable(tmp_path, monkeypatch):
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(tmp_path / "cache"))
    check = doctor.check_cache()
    assert (check.present, check.detail) == (True, str(tmp_path / "cache"))
    assert (tmp_path / "cache" / "schema-ok").is_dir()
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", "off")
    check = doctor.check_cache()
    assert (check.present, check.detail) == (False, "switched off (SWAPGEN_CACHE_DIR=off)")
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(tmp_path / "file"))
    check = doctor.check_cache()
    assert not check.present and check.detail.startswith(f"{tmp_path / 'file'}: ")
    assert not check.required


def test_doctor_through_the_console_script(tmp_path):
    tree = make_kernel_tree(tmp_path / "linux")
    result = run_script("doctor", "--tree", str(tree), "--format", "json")
    assert result.code == 0, result.err
    parts = by_name(result.out)
    assert list(parts) == EXPECTED_NAMES
    assert parts["kernel tree"]["present"] is True
    bad = run_script("doctor", "--format", "yaml")
    assert bad.code == 2 and "invalid choice: 'yaml'" in bad.err


def test_a_missing_library_is_a_broken_required_part(monkeypatch):
    monkeypatch.setattr(doctor, "PACKAGES", (("no-such-dist-swapgen", "nosuch", "nothing"),))
    (missing, libyaml) = doctor.check_packages()
    assert (missing.present, missing.required) == (False, True)
    assert missing.detail == "not installed (pip install -e .)"
    assert libyaml.name == "libyaml" and not libyaml.required
