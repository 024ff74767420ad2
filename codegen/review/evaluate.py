"""What the swap-PTE helpers a series adds compute, from what its diff shows.

Each arch header the series touches is rebuilt from the post-image lines its hunks show, at
their own line numbers, and read with the one C reader; each ``__swp_*`` macro or
``pte_swp_*`` helper the series adds is folded on its own by the arch's compiler (never
run). A helper that still calls or reads something at run time, or calls a function the
series does not define, is reported at its line (SWP590); a helper that needs definitions
the diff does not show is left to ``review --tree``, which reads the whole tree. A flag whose
three helpers the diff shows has its round trip folded as sync folds a tree's: a test helper
that misses the bit the others agree on is SWP528.
"""

from __future__ import annotations

from codegen.csrc.preprocess import HeaderScan, scan_headers
from codegen.csrc.probe import called_function
from codegen.kernel.arches import predefined_macros
from codegen.kernel.flags import FLAGS
from codegen.report.finding import Finding, finding
from codegen.review.postimage import post_image
from codegen.spec.model import Arch
from codegen.tree.behaviour import (
    blind_flag_tests,
    blind_test_message,
    fold_helpers,
    helper_location,
    standalone_call,
)
from codegen.tree.reading import arch_model, scan_config


def touched(scan: HeaderScan, added: dict[str, dict[int, str]]) -> dict[str, tuple[str, int, str]]:
    """Helpers with an added line in their definition: name -> (file, line, patch label)."""
    found = {}
    spans = [(f.name, f.file, f.line, f.line + f.text.count("\n")) for f in scan.functions.values()]
    spans += [(m.name, m.file, m.line, m.line) for m in scan.macros.values()]
    for name, file, first, last in spans:
        lines = added.get(file, {})
        hit = next((n for n in range(first, last + 1) if n in lines), None)
        if hit is not None and standalone_call(name) is not None:
            found[name] = (file, first, lines[hit])
    return found


def evaluate_helpers(
    arch: Arch, shown: dict[str, list[tuple[int, str]]], added: dict[str, dict[int, str]]
) -> list[Finding]:
    """Findings for the helpers the series adds to ``arch``'s headers or changes there.

    ``shown``: file -> (post-image line, text) of every line its hunks show; ``added``:
    file -> {post-image line: label of the patch that adds it}.
    """
    config = scan_config(arch)
    predefined = predefined_macros(arch.name, config)
    files = [(path, post_image(lines)) for path, lines in shown.items()]
    scan = scan_headers(files, config, arch_model(arch), predefined)
    helpers = touched(scan, added)
    findings = []
    for name, problem in fold_helpers(scan, arch.name, list(helpers), predefined, config).items():
        file, line, patch = helpers[name]
        place = problem.place() or (file, line)
        if "at run time" in problem.message or "its value is known only" in problem.message:
            message = f"{name} {problem.message}"
        elif called := called_function(problem.message):
            message = (
                f"{name} calls {called}(), which the series does not define: not evaluated "
                "(review with --tree to read it from the tree)"
            )
        else:
            continue  # needs definitions the diff does not show: review --tree reads them
        findings.append(finding("SWP590", place[0], place[1], message, arch=arch.name, patch=patch))
    for flag, bit in blind_flag_tests(scan, arch.name, predefined, config).items():
        kind = FLAGS[flag]
        changed = [helpers[n] for n in kind.helpers if n in helpers]
        if not changed:
            continue  # a bug the diff only shows, not one it makes
        where = helper_location(scan, kind.test_helper) or f"{changed[0][0]}:{changed[0][1]}"
        test_file, test_line = where.rsplit(":", 1)
        message = blind_test_message(arch.name, kind, bit)
        findings.append(
            finding(
                "SWP528", test_file, int(test_line), message, arch=arch.name, patch=changed[0][2]
            )
        )
    return findings
