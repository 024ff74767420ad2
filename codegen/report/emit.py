"""Findings as text (checkpatch-like), JSON, SARIF 2.1.0, GitHub workflow commands or b4's
review-check JSON; selection by rule ID or prefix; exit codes (plain or NIPA-style).

``validate``, ``sync`` and ``review`` all report through here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from codegen import __version__
from codegen.kernel.rules import RULES
from codegen.report.finding import Finding

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def select(
    findings: Iterable[Finding], chosen: Sequence[str], ignored: Sequence[str]
) -> list[Finding]:
    """Keep findings whose rule matches --select (ID or prefix) and not --ignore."""
    kept = []
    for found in findings:
        if chosen and not any(found.rule.startswith(s) for s in chosen):
            continue
        if any(found.rule.startswith(i) for i in ignored):
            continue
        kept.append(found)
    return kept


def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return errors, warnings


def exit_code(findings: Sequence[Finding], strict: bool, style: str = "plain") -> int:
    errors, warnings = counts(findings)
    failed = errors or (strict and warnings)
    if style == "nipa":
        return 1 if failed else (250 if warnings else 0)
    return 1 if failed else 0


def text(findings: Sequence[Finding]) -> str:
    return "".join(f.text() + "\n" for f in findings)


def as_json(findings: Sequence[Finding], info: dict[str, Any]) -> str:
    errors, warnings = counts(findings)
    data = {
        **info,
        "findings": [f.to_json() for f in findings],
        "errors": errors,
        "warnings": warnings,
    }
    return json.dumps(data, indent=2, default=str) + "\n"


def fingerprint(found: Finding) -> str:
    """Stable across runs and line moves: the rule, the file and the message."""
    key = f"{found.rule}|{found.file}|{found.message}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def rule_name(title: str) -> str:
    """A SARIF rule name: the title's words in PascalCase ('PTE marker bit used twice' ->
    'PteMarkerBitUsedTwice')."""
    words = re.findall(r"[A-Za-z0-9]+", title.replace("'", ""))
    return "".join(w[:1].upper() + w[1:].lower() for w in words)


def _sarif_rules(used: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "id": rule_id,
            "name": rule_name(RULES[rule_id].title),
            "shortDescription": {"text": RULES[rule_id].title},
            "fullDescription": {"text": RULES[rule_id].doc},
            "help": {"text": RULES[rule_id].doc},
            "defaultConfiguration": {"level": SARIF_LEVELS[RULES[rule_id].severity]},
        }
        for rule_id in used
    ]


def _in_tree(path: str) -> bool:
    """Whether a finding's file is a path in the tree (not an input mail, not absolute)."""
    return bool(path) and "#" not in path and not path.startswith(("<", "/"))


def _uri(path: str) -> str:
    return Path(path).as_uri() if path.startswith("/") else path


def _sarif_location(f: Finding) -> dict[str, Any]:
    """Where a finding is: its place in a file; else the input mail it came from and the
    patch (or series) it is about, as a logical location."""
    if f.file and "#" not in f.file and not f.file.startswith("<"):
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.file)}}
        if f.line:
            physical["region"] = {"startLine": f.line}
            if f.column:
                physical["region"]["startColumn"] = f.column
        return {"physicalLocation": physical}
    location: dict[str, Any] = {
        "logicalLocations": [{"name": f.patch or "the series", "kind": "module"}]
    }
    source = f.file.split("#", 1)[0]
    if source and not source.startswith("<"):
        location["physicalLocation"] = {"artifactLocation": {"uri": _uri(source)}}
    return location


def sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0: every finding a result (series-level ones at a logical location), with
    stable partialFingerprints."""
    used = sorted({f.rule for f in findings} | set(RULES))
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": used.index(f.rule),
            "level": SARIF_LEVELS[f.severity],
            "message": {"text": f.message + (f" [{f.patch}]" if f.patch else "")},
            "locations": [_sarif_location(f)],
            "partialFingerprints": {"swapgenFinding/v1": fingerprint(f)},
        }
        for f in findings
    ]
    driver = {"name": "swapgen", "version": __version__, "rules": _sarif_rules(used)}
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "invocations": [{"executionSuccessful": True}],
            }
        ],
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> str:
    """GitHub workflow commands: ``::error file=F,line=L,title=T::message``."""
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for f in findings:
        props = []
        if _in_tree(f.file):  # an annotation names a file of the repository, or none
            props.append(f"file={_escape_property(f.file)}")
            if f.line:
                props.append(f"line={f.line}")
            if f.column:
                props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f.rule)}")
        message = _escape_data(f.message + (f" [{f.patch}]" if f.patch else ""))
        out.append(f"::{commands[f.severity]} {','.join(props)}::{message}\n")
    return "".join(out)


def b4(findings: Sequence[Finding]) -> str:
    """b4's review-check protocol: a JSON array; [] when there is nothing to report."""
    if not findings:
        return "[]\n"
    errors, warnings = counts(findings)
    status = "fail" if errors else ("warn" if warnings else "pass")
    summary = f"{errors} error(s), {warnings} warning(s) against the swapgen spec"
    details = text(findings).rstrip("\n")
    entry = {"tool": "swapgen", "status": status, "summary": summary, "url": "", "details": details}
    return json.dumps([entry]) + "\n"


def render(findings: Sequence[Finding], fmt: str, info: dict[str, Any]) -> str:
    """The findings in one of FORMATS (or b4)."""
    if fmt == "json":
        return as_json(findings, info)
    if fmt == "sarif":
        return sarif(findings)
    if fmt == "github":
        return github(findings)
    if fmt == "b4":
        return b4(findings)
    return text(findings)


def explain(rule_id: str) -> str:
    found = RULES[rule_id]
    return f"{found.id} ({found.severity}): {found.title}\n\n{found.doc}\n"
