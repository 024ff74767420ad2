"""Start-up: ``--help`` loads only argparse; reading a known-good spec skips jsonschema, and
once compiled, PyYAML too; neither cache ever changes a result. Modules are observed with ``python -X importtime`` in a
real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

HEAVY = ("yaml", "jsonschema", "git", "jinja2", "unidiff")


def imported_modules(*argv: str, cache: Path | str) -> tuple[int, set[str], str]:
    """Exit code, top-level packages imported, and stdout of ``python -m codegen argv``."""
    env = dict(os.environ, SWAPGEN_CACHE_DIR=str(cache), PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codegen", *argv],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=60,
    )  # fmt: skip
    modules = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return proc.returncode, modules, proc.stdout


def test_help_imports_no_third_party_package(tmp_path):
    code, modules, out = imported_modules("--help", cache=tmp_path)
    assert code == 0 and "decode" in out
    assert modules.isdisjoint(HEAVY), modules & set(HEAVY)
    assert "codegen" in modules


def test_decode_skips_jsonschema_once_the_spec_is_known_good(tmp_path):
    argv = ("decode", "--arch", "x86_64", "0x1fffffffffdb9600")
    first_code, first, first_out = imported_modules(*argv, cache=tmp_path)
    second_code, second, second_out = imported_modules(*argv, cache=tmp_path)
    assert first_code == second_code == 0
    assert first_out == second_out and "offset" in first_out
    assert "jsonschema" in first  # the first read of a spec validates it
    assert "jsonschema" not in second
    for modules in (first, second):
        assert modules.isdisjoint({"git", "jinja2", "unidiff"})
    assert len(list((tmp_path / "schema-ok").iterdir())) == 1


def test_cache_off_validates_every_time(tmp_path):
    argv = ("decode", "--arch", "arm64", "0x4")
    for _ in range(2):
        code, modules, _out = imported_modules(*argv, cache="off")
        assert code == 0 and "jsonschema" in modules


def test_edited_spec_is_validated_again(tmp_path, spec_editor):
    good = spec_editor.edit("6.19", ("kernel:", "kernel:"))
    code, _modules, _out = imported_modules("show", "--spec", str(good), cache=tmp_path)
    assert code == 0
    text = good.read_text().replace("max_swapfiles_shift: 5", "max_swapfiles_shift: five", 1)
    assert text != good.read_text()
    good.write_text(text)
    code, modules, _out = imported_modules("show", "--spec", str(good), cache=tmp_path)
    assert code == 2  # an invalid spec is bad input for show
    assert "jsonschema" in modules


@pytest.mark.parametrize("blocker", ["a file", "/proc"])
def test_unusable_cache_is_ignored(tmp_path, blocker):
    if blocker == "a file":
        cache = tmp_path / "not-a-dir"
        cache.write_text("")
    else:
        cache = Path("/proc/swapgen-cache")  # not creatable, even by root
    code, modules, out = imported_modules("decode", "--arch", "x86_64", "0x2", cache=cache)
    assert code == 0 and "jsonschema" in modules and "type" in out


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["show", "--format", "json"], set()),
        (["export"], set()),
        (["validate"], {"yaml", "jsonschema"}),
        (["review", str(REPO / "tests/corpus/01-guard-marker-good/series.mbox")], {"unidiff"}),
        (["layout", "--out", "{tmp}"], {"jinja2"}),
    ],
    ids=["show", "export", "validate", "review", "layout"],
)
def test_each_command_imports_only_what_it_uses(tmp_path, argv, allowed):
    argv = [arg.replace("{tmp}", str(tmp_path / "layout")) for arg in argv]
    imported_modules("history", cache=tmp_path)  # every bundled spec is known good from here on
    code, modules, _out = imported_modules(*argv, cache=tmp_path)
    assert code == 0
    assert modules & set(HEAVY) == allowed


def test_the_cache_key_covers_text_and_format(tmp_path, monkeypatch):
    from codegen.spec import schemacache

    monkeypatch.setenv("SWAPGEN_CACHE_DIR", str(tmp_path))
    schemacache.remember_valid(b"spec: 1\n")
    assert schemacache.known_valid(b"spec: 1\n")
    assert not schemacache.known_valid(b"spec: 2\n")
    monkeypatch.setattr(schemacache, "CACHE_FORMAT", b"schema-ok/other")
    assert not schemacache.known_valid(b"spec: 1\n")


def test_a_known_spec_is_read_from_its_compiled_form_with_the_same_result(tmp_path):
    """The second read of a spec parses no YAML; with the caches off every read parses and
    checks it; the output is the same byte for byte."""
    argv = ("show", "--format", "json")
    _code, first, first_out = imported_modules(*argv, cache=tmp_path)
    _code, second, second_out = imported_modules(*argv, cache=tmp_path)
    _code, off, off_out = imported_modules(*argv, cache="off")
    assert "yaml" in first and "yaml" not in second and {"yaml", "jsonschema"} <= off
    assert first_out == second_out == off_out
    assert len(list((tmp_path / "spec-compiled").iterdir())) == 1


def test_an_edited_spec_is_read_from_its_text_again(tmp_path):
    spec = tmp_path / "linux-6.19.yaml"
    spec.write_text((REPO / "specs/linux-6.19.yaml").read_text())
    cache = tmp_path / "cache"
    imported_modules("show", "--spec", str(spec), cache=cache)
    spec.write_text(
        spec.read_text().replace("max_swapfiles_shift: 5", "max_swapfiles_shift: six", 1)
    )
    code, modules, _out = imported_modules("show", "--spec", str(spec), cache=cache)
    assert code == 2 and "yaml" in modules


def test_a_compiled_entry_that_cannot_be_read_is_ignored(tmp_path):
    imported_modules("show", cache=tmp_path)
    (entry,) = (tmp_path / "spec-compiled").iterdir()
    entry.write_bytes(b"not a pickle")
    code, modules, out = imported_modules("show", "--format", "json", cache=tmp_path)
    assert code == 0 and "yaml" in modules and '"max_swapfiles"' in out
