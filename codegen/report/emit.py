"""Review findings as text (checkpatch-like), JSON, SARIF 2.1.0, GitHub annotations or b4's
review-check JSON; selection by rule ID or prefix; exit codes (plain or NIPA-style)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from codegen import __version__
from codegen.kernel.rules import RULES
from codegen.review.checks import ReviewFinding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def select(findings: Iterable[ReviewFinding], chosen: Sequence[str], ignored: Sequence[str]):
    """Keep findings whose rule matches --select (ID or prefix) and not --ignore."""
    kept = []
    for finding in findings:
        if chosen and not any(finding.rule.startswith(s) for s in chosen):
            continue
        if any(finding.rule.startswith(i) for i in ignored):
            continue
        kept.append(finding)
    return kept


def counts(findings: Sequence[ReviewFinding]) -> tuple[int, int]:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return errors, warnings


def exit_code(findings: Sequence[ReviewFinding], strict: bool, style: str) -> int:
    errors, warnings = counts(findings)
    if style == "nipa":
        return 1 if errors or (strict and warnings) else (250 if warnings else 0)
    return 1 if errors or (strict and warnings) else 0


def _where(finding: ReviewFinding) -> str:
    if finding.file and finding.line:
        return f"{finding.file}:{finding.line}"
    return finding.file or "-"


def text(findings: Sequence[ReviewFinding]) -> str:
    lines = []
    for f in findings:
        patch = f" [{f.patch}]" if f.patch else ""
        lines.append(f"{_where(f)}: {f.severity.upper()}: {f.rule}: {f.message}{patch}")
    return "".join(line + "\n" for line in lines)


def as_json(findings: Sequence[ReviewFinding], series_info: dict) -> str:
    errors, warnings = counts(findings)
    data = {
        **series_info,
        "findings": [f.to_json() for f in findings],
        "errors": errors,
        "warnings": warnings,
    }
    return json.dumps(data, indent=2) + "\n"


def fingerprint(finding: ReviewFinding) -> str:
    key = f"{finding.rule}|{finding.file}|{finding.message}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def sarif(findings: Sequence[ReviewFinding]) -> str:
    used = sorted({f.rule for f in findings} | set(RULES))
    levels = {"error": "error", "warning": "warning", "info": "note"}
    rules = [
        {
            "id": rule_id,
            "name": RULES[rule_id].title.title().replace(" ", "").replace("-", ""),
            "shortDescription": {"text": RULES[rule_id].title},
            "fullDescription": {"text": RULES[rule_id].doc},
            "defaultConfiguration": {"level": levels[RULES[rule_id].severity]},
        }
        for rule_id in used
    ]
    results = []
    notifications = []
    for f in findings:
        if not f.file or "#" in f.file or f.file.startswith("<"):
            # series-level: no place in the tree to point at
            notifications.append(
                {
                    "descriptor": {"id": f.rule},
                    "level": levels[f.severity],
                    "message": {"text": f.message + (f" [{f.patch}]" if f.patch else "")},
                }
            )
            continue
        result = {
            "ruleId": f.rule,
            "ruleIndex": used.index(f.rule),
            "level": levels[f.severity],
            "message": {"text": f.message + (f" [{f.patch}]" if f.patch else "")},
            "partialFingerprints": {"swapgenFinding/v1": fingerprint(f)},
        }
        if f.file:
            location = {"artifactLocation": {"uri": f.file}}
            if f.line:
                location["region"] = {"startLine": f.line}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "swapgen",
                        "version": __version__,
                        "informationUri": "https://example.invalid/swapgen",
                        "rules": rules,
                    }
                },
                "results": results,
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def github(findings: Sequence[ReviewFinding]) -> str:
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for f in findings:
        props = []
        if f.file:
            props.append(f"file={f.file}")
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={f.rule}")
        message = (f.message + (f" [{f.patch}]" if f.patch else "")).replace("%", "%25")
        message = message.replace("\r", "%0D").replace("\n", "%0A")
        out.append(f"::{commands[f.severity]} {','.join(props)}::{message}\n")
    return "".join(out)


def b4(findings: Sequence[ReviewFinding]) -> str:
    """b4's review-check protocol: a JSON array; [] when there is nothing to report."""
    if not findings:
        return "[]\n"
    errors, warnings = counts(findings)
    status = "fail" if errors else ("warn" if warnings else "pass")
    summary = f"{errors} error(s), {warnings} warning(s) against the swapgen spec"
    details = text(findings).rstrip("\n")
    return json.dumps([{"tool": "swapgen", "status": status, "summary": summary, "url": "",
                        "details": details}]) + "\n"  # fmt: skip


def explain(rule_id: str) -> str:
    rule = RULES[rule_id]
    return f"{rule.id} ({rule.severity}): {rule.title}\n\n{rule.doc}\n"
