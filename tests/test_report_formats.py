"""One finding type, one report module: validate, sync and review print the same formats."""

from __future__ import annotations

import json

import jsonschema

from codegen.report import emit
from codegen.report.finding import finding
from tests.conftest import REPO, run_main
from tests.kernel_trees import kernel_tree

SARIF_SCHEMA = json.loads((REPO / "tests/data/sarif-2.1.0.json").read_text())


def test_sync_sarif_validates_and_locates_each_drift_in_the_tree():
    result = run_main(
        "sync", "--tree", str(kernel_tree("6.12")), "--spec", "6.19", "--format", "sarif"
    )
    assert result.code == 1
    document = json.loads(result.out)
    jsonschema.validate(document, SARIF_SCHEMA)
    results = document["runs"][0]["results"]
    assert len(results) == 34  # the 24 errors and 10 warnings of the 6.12 -> 6.19 drift
    guard = next(r for r in results if "PTE_MARKER_GUARD" in r["message"]["text"])
    assert guard["ruleId"] == "SWP511" and guard["level"] == "error"
    place = guard["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"] == "include/linux/swapops.h"
    assert place["region"]["startLine"] > 1
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["name"] for r in rules}["SWP513"] == "HelperOfTheReleasesNamingMissing"


def test_sync_github_and_json_carry_the_same_findings():
    tree = str(kernel_tree("6.12"))
    data = json.loads(run_main("sync", "--tree", tree, "--spec", "6.19", "--format", "json").out)
    github = run_main("sync", "--tree", tree, "--spec", "6.19", "--format", "github").out
    assert len(github.splitlines()) == len(data["findings"]) == 34
    first = data["findings"][0]
    assert github.splitlines()[0].startswith(
        f"::error file={first['file']},line={first['line']},title={first['rule']}::"
    )


def test_validate_reports_spec_problems_in_every_format(spec_editor):
    bad = spec_editor.edit("6.12", ("max_swapfiles_shift: 5", "max_swapfiles_shift: five"))
    line = spec_editor.line_of(bad, "max_swapfiles_shift: five")
    data = json.loads(run_main("validate", "--format", "json", str(bad)).out)
    assert [(f["rule"], f["file"], f["line"]) for f in data["findings"]] == [
        ("SWP002", str(bad), line)
    ]
    sarif = json.loads(run_main("validate", "--format", "sarif", str(bad)).out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": line, "startColumn": 24}
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]["uri"] == bad.as_uri()
    github = run_main("validate", "--format", "github", str(bad))
    assert github.code == 1  # a file outside the repository gets no file= (GitHub rejects it)
    assert github.out.startswith("::error title=SWP002::swap_types.max_swapfiles_shift: ")
    text = run_main("validate", str(bad))
    assert text.out == "" and f"{bad}:{line}:24: " in text.err


def test_github_properties_escape_what_would_move_the_annotation():
    found = finding("SWP523", "arch/x,y:z/pgtable.h", 7, "100% wrong,\nreally")
    assert emit.github([found]) == (
        "::error file=arch/x%2Cy%3Az/pgtable.h,line=7,title=SWP523::100%25 wrong,%0Areally\n"
    )


def test_sarif_rule_names_are_words_in_pascal_case():
    assert emit.rule_name("helper of the release's naming missing") == (
        "HelperOfTheReleasesNamingMissing"
    )
    assert emit.rule_name("pte_swp_* helpers incomplete") == "PteSwpHelpersIncomplete"
