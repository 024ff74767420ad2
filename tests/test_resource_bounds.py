"""Inputs far outside what a kernel holds stop with a clear error or a finding, never a hang:
an oversized header, macros that expand without bound or refer to themselves."""

from __future__ import annotations

import json

import pytest

from codegen.csrc.preprocess import (
    MAX_HEADER_BYTES,
    Evaluator,
    ExpansionTooBig,
    Unevaluable,
    scan_headers,
)
from tests.conftest import git, run_main
from tests.kernel_trees import copy_tree

TYPES_H = "arch/x86/include/asm/pgtable_64_types.h"
PGTABLE_H = "arch/x86/include/asm/pgtable_64.h"


def _git_repo(root):
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]):
        git(root, *command)  # fmt: skip


def _pad_to_10_mb(path):
    line = "/* " + "padding " * 12 + "*/\n"
    with path.open("a") as handle:
        handle.write(line * (10 * 2**20 // len(line) + 1))


@pytest.mark.parametrize("from_git", [False, True], ids=["directory", "git-rev"])
def test_a_10_mb_header_stops_sync_with_one_clear_line(tmp_path, from_git):
    tree = copy_tree("6.12", tmp_path / "linux")
    _pad_to_10_mb(tree / TYPES_H)
    rev = []
    if from_git:
        _git_repo(tree)
        rev = ["--rev", "HEAD"]
    result = run_main("sync", "--tree", str(tree), *rev, "--spec", "6.12", "--arch", "x86_64")
    assert result.code == 2
    assert result.out == ""
    where = f"{TYPES_H} at HEAD" if from_git else str(tree / TYPES_H)
    assert result.err == (
        f"swapgen: error: {where}: 10.0 MB, over the 4 MB limit for a kernel header or "
        "Kconfig file; not read\n"
    )


def test_macros_that_explode_or_recurse_are_findings_not_a_stalled_compiler(tmp_path):
    tree = copy_tree("6.12", tmp_path / "linux")
    header = tree / PGTABLE_H
    text = header.read_text()
    chain = "#define SWP_R0 1\n" + "".join(
        f"#define SWP_R{i} (SWP_R{i - 1} + SWP_R{i - 1})\n" for i in range(1, 48)
    )
    assert "#define SWP_TYPE_BITS\t\t5" in text
    text = text.replace("#define SWP_TYPE_BITS\t\t5", chain + "#define SWP_TYPE_BITS\t\tSWP_R47")
    header.write_text(text)
    chain_line = text.splitlines().index("#define SWP_R13 (SWP_R12 + SWP_R12)") + 1
    result = run_main("sync", "--tree", str(tree), "--spec", "6.12", "--arch", "x86_64",
                      "--format", "json")  # fmt: skip
    report = json.loads(result.out)
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        ("SWP590", PGTABLE_H, chain_line,
         "SWP_R13: macro expansion grows without bound; not compiled"),
    ]  # fmt: skip
    assert result.code == 0
    assert "in sync where checked (1 part(s) could not be evaluated)" in result.err
    strict = run_main("sync", "--tree", str(tree), "--spec", "6.12", "--arch", "x86_64",
                      "--strict")  # fmt: skip
    assert strict.code == 1


@pytest.mark.parametrize(
    ("definitions", "expression", "message"),
    [
        ("#define SELF SELF", "SELF", "SELF expands to itself (a recursive macro)"),
        ("#define A B\n#define B A", "A + 1", "A expands to itself (a recursive macro)"),
        ("#define F(x) G(x)\n#define G(x) F(x)", "F(1)", "F expands to itself (a recursive macro)"),
        ("#define F(x) (x)", "F + 1", "F is a function-like macro, used without (args)"),
        ("#define D(x) x x x x x x x x\n", "D(D(D(D(D(D(1))))))",
         "macro expansion grows without bound"),
    ],
    ids=["self", "mutual", "function", "no-args", "fan-out"],
)  # fmt: skip
def test_recursive_macros_are_named(definitions, expression, message):
    scan = scan_headers([("a.h", definitions + "\n")], {})
    with pytest.raises(Unevaluable) as raised:
        Evaluator(scan, {}).value(expression, "a.h:9")
    assert raised.value.message == message


def test_deep_nesting_is_bounded():
    text = "#define N0 1\n" + "".join(f"#define N{i} N{i - 1}\n" for i in range(1, 200))
    scan = scan_headers([("deep.h", text)], {})
    with pytest.raises(ExpansionTooBig, match="nests too deep"):
        Evaluator(scan, {}).value("N199")
    assert Evaluator(scan, {}).value("N50") == 1


def test_an_oversized_header_text_is_a_problem_of_the_scan():
    scan = scan_headers([("big.h", "#define X 1\n" + " " * MAX_HEADER_BYTES)], {})
    assert "X" not in scan.macros
    assert [p.message for p in scan.problems] == [
        f"header is {MAX_HEADER_BYTES + 12} bytes, more than this reader takes"
    ]


def test_values_stay_within_their_c_type():
    """R12 squares R11 twelve times: int arithmetic wraps as gcc folds it (R6 is 2038349057
    there too), so no value ever outgrows its type; a count too big for any type is refused."""
    text = "#define R0 3\n" + "".join(f"#define R{i} (R{i - 1} * R{i - 1})\n" for i in range(1, 13))
    evaluator = Evaluator(scan_headers([("sq.h", text)], {}), {})
    assert evaluator.value("R6") == 2038349057
    assert evaluator.cvalue("R12").type.name == "int"
    with pytest.raises(Unevaluable, match="too large for any of int, long, long long"):
        evaluator.value("BIT(1180591620717411303424)")
    with pytest.raises(Unevaluable, match="shift by 64, past the width of unsigned long"):
        evaluator.value("BIT(64)")


def test_a_yaml_alias_bomb_is_refused_not_expanded(tmp_path):
    """Ten levels of ten aliases each would be 10**10 values: a "billion laughs"."""
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    result = run_main("validate", str(bomb))
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{bomb}:1:55: the document expands to over 100000 values (nested aliases?)",
        f"{bomb}: 1 problem",
    ]


def test_a_huge_spec_file_is_refused_before_parsing(tmp_path):
    huge = tmp_path / "huge.yaml"
    huge.write_text("# padding\n" * 600_000)
    result = run_main("show", "--spec", str(huge))
    assert result.code == 2
    assert result.err.splitlines() == [
        f"{huge}:1:1: 5.7 MB: too big for a spec (they are about 10 KB; the limit is 1 MB)",
        f"swapgen: error: invalid spec; 'swapgen validate {huge}' lists it",
    ]
