"""The validate, show, decode and encode commands: plain functions the CLI and tests call.

Each takes its inputs as arguments, writes its report to ``out`` and returns the exit code.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from codegen import layout, pteinfo, textview
from codegen.errors import SwapgenError
from codegen.oneline import one_line
from codegen.resolve import parse_config, pick_arches, resolved_view
from codegen.resources import bundled_specs, resolve_spec
from codegen.spec.compiled import load_spec

if TYPE_CHECKING:
    from codegen.report.finding import Finding
    from codegen.spec.model import Arch, Spec
    from codegen.spec.yamlpos import Problem
    from codegen.tree.facts import TreeFacts
    from codegen.tree.source import TreeSource

EXIT_OK = 0
EXIT_FINDINGS = 1


def _dump(data: object, out: TextIO) -> None:
    json.dump(data, out, indent=2)
    out.write("\n")


def validate(paths: Sequence[str], out: TextIO, err: TextIO, fmt: str = "text") -> int:
    """Check spec files (all bundled ones when none are named); 1 if any has a problem.

    Text: each problem as ``file:line:col: message`` on ``err``; the other formats write the
    problems as findings (rules SWP001-SWP003) on ``out``.
    """
    files: list[Path] = []
    for arg in paths:
        if Path(arg).is_dir():
            found = sorted(Path(arg).glob("*.yaml"))
            if not found:
                raise SwapgenError(f"{arg}: a directory with no *.yaml spec files")
            files += found
        else:
            files.append(resolve_spec(arg))
    files = files or bundled_specs()
    bad = 0
    findings = []
    from codegen.spec.load import check_spec

    for path in files:
        problems = check_spec(path)
        findings += [_spec_finding(problem) for problem in problems]
        if fmt == "text":
            err.writelines(f"{problem}\n" for problem in problems)
        if problems:
            bad += 1
            err.write(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}\n")
        elif fmt == "text":
            out.write(f"{path}: ok\n")
    if fmt != "text":
        from codegen.report import emit

        out.write(emit.render(findings, fmt, {"specs": [str(p) for p in files]}))
    return EXIT_FINDINGS if bad else EXIT_OK


def _spec_finding(problem: Problem) -> Finding:
    from codegen.report.finding import finding

    where = problem.position
    return replace(
        finding(problem.rule, where.file, where.line, one_line(problem.message)),
        column=where.column,
    )


def show(
    spec_arg: str | None,
    arches: Sequence[str],
    config_items: Sequence[str],
    fmt: str,
    out: TextIO,
) -> int:
    """The resolved spec: type numbers, markers and per-arch layouts."""
    spec = load_spec(resolve_spec(spec_arg))
    config = parse_config(config_items, spec)
    chosen = pick_arches(spec, arches)
    view = resolved_view(spec, config, [a.name for a in chosen])
    if fmt == "json":
        _dump(view, out)
    else:
        out.write(textview.show_text(spec, view, chosen, config))
    return EXIT_OK


def _spec_and_arch(
    spec_arg: str | None, arch_name: str, config_items: Sequence[str]
) -> tuple[Spec, dict[str, bool], Arch]:
    spec = load_spec(resolve_spec(spec_arg))
    config = parse_config(config_items, spec)
    arches = pick_arches(spec, [arch_name])
    if len(arches) > 1:
        raise SwapgenError(
            f"--arch {arch_name} has {len(arches)} variants in {spec.name}; name one: "
            + ", ".join(a.name for a in arches)
        )
    return spec, config, arches[0]


def decode(
    spec_arg: str | None,
    arch_name: str,
    values: Sequence[str],
    config_items: Sequence[str],
    fmt: str,
    out: TextIO,
) -> int:
    """Raw PTE values to type, offset, flags and markers; 1 if one is not a swap PTE."""
    spec, config, arch = _spec_and_arch(spec_arg, arch_name, config_items)
    parsed = [pteinfo.parse_int(v, "value") for v in values]
    for text, value in zip(values, parsed, strict=True):
        if value > layout.pte_mask(arch):
            raise SwapgenError(f"value {text}: wider than a {arch.pte_bits}-bit {arch.name} PTE")
    infos = [pteinfo.explain(spec, arch, value, config) for value in parsed]
    if fmt == "json":
        _dump(infos[0] if len(infos) == 1 else infos, out)
    else:
        for info in infos:
            out.write(textview.decode_text(info))
    return EXIT_OK if all(i["swap"] for i in infos) else EXIT_FINDINGS


def encode(
    spec_arg: str | None,
    arch_name: str,
    type_text: str | None,
    offset_text: str | None,
    flags: Sequence[str],
    markers: Sequence[str],
    config_items: Sequence[str],
    fmt: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """(type, offset, flags) or markers to the raw swap PTE value the arch would store."""
    spec, config, arch = _spec_and_arch(spec_arg, arch_name, config_items)
    result = pteinfo.encode_request(spec, arch, type_text, offset_text, flags, markers, config)
    if int(result["value"], 16) == arch.none_value:
        err.write(
            f"swapgen: note: {result['value']} is the empty PTE (pte_none) on {arch.name}; "
            "the kernel never stores this entry\n"
        )
    if fmt == "json":
        _dump(result, out)
    else:
        out.write(result["value"] + "\n")
    return EXIT_OK


def _spec_ref(arg: str | None, path: Path) -> str:
    """How a regenerate recipe names the spec: the bundled name, or the path as given."""
    bundled = {p.resolve(): p.stem for p in bundled_specs()}
    return bundled.get(path.resolve(), arg or str(path))


def _specs_for(args: Sequence[str]) -> list[tuple[str, Path]]:
    if not args:
        return [(p.stem, p) for p in bundled_specs()]
    chosen = [(arg, resolve_spec(arg)) for arg in args]
    return [(_spec_ref(arg, path), path) for arg, path in chosen]


def _check_out_dir(path: Path) -> None:
    for parent in (path, *path.parents):
        if parent.exists():
            if not parent.is_dir():
                raise SwapgenError(f"--out {path}: {parent} is a file, not a directory")
            return


def generate(
    spec_args: Sequence[str], out_arg: str | None, check: bool, out: TextIO, err: TextIO
) -> int:
    """Write (or with ``check``, compare) the standalone headers and diagrams of each spec."""
    from codegen.generate import output as gen

    if out_arg is not None and not out_arg.strip():
        raise SwapgenError("--out needs a directory")
    out_root = Path(out_arg) if out_arg else Path("out")
    out_note = out_arg if out_arg and Path(out_arg) != Path("out") else None
    _check_out_dir(out_root)
    if check and not out_root.is_dir():
        raise SwapgenError(
            f"{out_root}/ does not exist here: run 'swapgen generate' first, or pass --out DIR"
        )
    rendered = []
    for ref, path in _specs_for(spec_args):
        spec = load_spec(path)
        rendered.append((spec, gen.render_spec(spec, ref, out_note)))
    planned = gen.plan(rendered, out_root)
    names = [spec.name for spec, _ in rendered]
    if check:
        chunks = gen.diff(planned, out_root, names)
        for chunk in chunks:
            out.write(chunk)
        if chunks:
            err.write(
                f"swapgen: {out_root}/ is stale: {len(chunks)} file(s) differ from the specs; "
                "run 'swapgen generate' and commit the result\n"
            )
            return EXIT_FINDINGS
        err.write(f"{out_root}/ is up to date ({len(planned)} files)\n")
        return EXIT_OK
    outcome = gen.write(planned, out_root, names)
    err.write(
        f"{len(outcome.changed)} file(s) changed, {len(outcome.unchanged)} unchanged, "
        f"{len(outcome.removed)} removed under {out_root}/\n"
    )
    return EXIT_OK


def layout_diagrams(spec_arg: str | None, out_arg: str | None, out: TextIO, err: TextIO) -> int:
    """Write only the SVG bit-field diagrams and their index page for one spec."""
    from codegen.generate import output as gen
    from codegen.generate.diagram import render_diagrams

    path = resolve_spec(spec_arg)
    spec = load_spec(path)
    ref = _spec_ref(spec_arg, path)
    if out_arg:
        target = Path(out_arg)
        recipe = f"swapgen layout --spec {ref} --out {out_arg}"
    else:
        # the same files, banner included, that 'swapgen generate' puts there
        target = Path("out") / spec.name / "layout"
        recipe = gen.recipe(ref, None)
    _check_out_dir(target)
    files = render_diagrams(spec, recipe)
    planned = {target / Path(rel).name: content for rel, content in files.items()}
    outcome = gen.write(planned, target, [])
    err.write(f"{len(outcome.changed)} file(s) changed, {len(outcome.unchanged)} unchanged\n")
    out.write(f"{target / 'index.html'}\n")
    return EXIT_OK


def export(spec_arg: str | None, fmt: str, out: TextIO) -> int:
    """Resolved numbers for every Kconfig combination, as JSON or a C header."""
    from codegen.generate.export import export_c_header, export_data

    path = resolve_spec(spec_arg)
    spec = load_spec(path)
    if fmt == "json":
        _dump(export_data(spec), out)
    else:
        out.write(export_c_header(spec, _spec_ref(spec_arg, path)))
    return EXIT_OK


def diff(
    old_arg: str, new_arg: str, arches: Sequence[str], fmt: str, out: TextIO
) -> int:
    """What changed from one spec to another; 1 when anything did, as diff(1)."""
    from codegen.resolve import arch_variants
    from codegen.specdiff import diff_text, spec_changes

    old, new = load_spec(resolve_spec(old_arg)), load_spec(resolve_spec(new_arg))
    names = arch_variants(arches, old, new)
    unknown = [n for n in names if n not in old.arches and n not in new.arches]
    if unknown:
        pick_arches(new, unknown)  # the usual error, naming the arches the spec has
    changes = spec_changes(old, new, names)
    if fmt == "json":
        _dump({"from": old.name, "to": new.name,
               "changes": [c.as_json() for c in changes]}, out)  # fmt: skip
    else:
        out.write(diff_text(old, new, changes))
    return EXIT_FINDINGS if changes else EXIT_OK


def history(config_items: Sequence[str], fmt: str, out: TextIO) -> int:
    """MAX_SWAPFILES and the special types across every bundled spec, per gate setting."""
    from codegen.history import history as build
    from codegen.history import history_json, history_text
    from codegen.resolve import config_item

    specs = [load_spec(path) for path in bundled_specs()]
    found = build(specs, dict(config_item(item) for item in config_items))
    if fmt == "json":
        _dump(history_json(found), out)
    elif fmt == "svg":
        from codegen.generate.historychart import history_svg

        out.write(history_svg(found))
    else:
        out.write(history_text(found))
    return EXIT_OK


def spec_for_tree(
    spec_arg: str | None, tree: str | None, rev: str | None, source: TreeSource | None = None
) -> tuple[Path, str | None]:
    """``--spec`` as given; without it, for a kernel tree, the newest bundled spec not newer
    than the tree's release (its Makefile), with a note that says so for the command to print
    once it has succeeded; else the newest bundled. ``source``: the tree, when the caller
    has opened it already."""
    from codegen.resources import spec_for_release
    from codegen.tree.source import TreeSource

    if spec_arg is not None or tree is None:
        return resolve_spec(spec_arg), None
    try:
        release = (source or TreeSource(tree, rev)).kernel_version()
    except SwapgenError:  # not a kernel tree: the command says so, or needs no release
        release = None
    if release is None:
        return resolve_spec(None), None
    chosen = spec_for_release(release)
    if chosen is None:
        oldest = bundled_specs()[0].stem
        raise SwapgenError(
            f"{tree} is Linux {release}, older than every bundled spec (the oldest is {oldest}); "
            "pass --spec FILE"
        )
    note = (
        f"swapgen: {tree} is Linux {release}: checked against {chosen.stem}, the newest "
        "bundled spec not newer than it (--spec to choose another)\n"
    )
    return chosen, note


def _tree_facts(
    tree: str, rev: str | None, spec_arg: str | None, arches: Sequence[str]
) -> tuple[Spec, TreeFacts, str | None]:
    from codegen.tree.facts import read_tree
    from codegen.tree.source import TreeSource

    source = TreeSource(tree, rev)
    path, note = spec_for_tree(spec_arg, tree, rev, source)
    spec = load_spec(path)
    chosen = [a.name for a in pick_arches(spec, arches)]
    return spec, read_tree(source, spec, chosen), note


def sync(
    tree: str,
    rev: str | None,
    spec_arg: str | None,
    arches: Sequence[str],
    fmt: str,
    strict: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """Drift between a kernel tree and the spec, one finding per difference."""
    from codegen.report import emit
    from codegen.tree.sync import compare

    spec, facts, note = _tree_facts(tree, rev, spec_arg, arches)
    findings = compare(spec, facts)
    errors, warnings = emit.counts(findings)
    stand_ins = stand_in_compilers(list(facts.arches))
    info: dict[str, object] = {
        "tree": facts.source.label,
        "spec": spec.name,
        "arches": list(facts.arches),
    }
    if stand_ins:
        info["stand_in_compilers"] = stand_ins
    out.write(emit.render(findings, fmt, info))
    unchecked = sum(f.rule == "SWP590" for f in findings)
    if errors:
        verdict = "drift"
    elif unchecked:
        verdict = f"in sync where checked ({unchecked} part(s) could not be evaluated)"
    else:
        verdict = "in sync"
    err.write(note or "")
    err.write(
        f"{facts.source.label} vs {spec.name} ({len(facts.arches)} "
        f"arch{'es' if len(facts.arches) != 1 else ''}): {verdict}, "
        f"{errors} error(s), {warnings} warning(s)"
        + (f"; read with a stand-in compiler: {', '.join(stand_ins)}" if stand_ins else "")
        + "\n"
    )
    return emit.exit_code(findings, strict)


def stand_in_compilers(arches: Sequence[str]) -> dict[str, str]:
    """The arches read with a stand-in compiler (nothing here compiles for them), and
    which and why: said with every report, so no reader takes it for the arch's own."""
    from codegen.csrc.probe import find_compiler
    from codegen.kernel.arches import arch_info

    found = {}
    for name in arches:
        info = arch_info(name)
        if info.stand_in:
            compiler = find_compiler(info.gcc, info.clang_target, info.compile_flags)
            found[name] = f"{compiler.label if compiler else 'no compiler'}: {info.stand_in}"
    return found


def import_tree(
    tree: str,
    rev: str | None,
    kernel: str | None,
    spec_arg: str | None,
    out: TextIO,
    err: TextIO | None = None,
) -> int:
    """A spec written from a tree, as YAML on ``out``; an arch the release does not have (no
    Kconfig in the tree, as loongarch before v5.19) is left out, and said so on ``err``."""
    from codegen.tree.importer import check_template, dump_yaml, import_spec

    spec, facts, _note = _tree_facts(tree, rev, spec_arg, [])
    check_template(facts, spec)
    for arch_name in list(facts.arches):
        kconfig = spec.arch(arch_name).kconfig
        if facts.source.read(kconfig) is None:
            del facts.arches[arch_name]
            if err is not None:
                err.write(f"swapgen: import: {arch_name} left out: the tree has no {kconfig}\n")
    if not facts.arches:
        raise SwapgenError(f"{facts.source.label}: none of {spec.name}'s arches is in the tree")
    broken = [a for a, f in facts.arches.items() if f.behaviour is None or f.behaviour.problems]
    if broken:
        problems = "; ".join(
            str(p)
            for a in broken
            for p in [
                *facts.arches[a].problems,
                *getattr(facts.arches[a].behaviour, "problems", []),
            ]
        )
        raise SwapgenError(f"cannot import {', '.join(broken)}: {problems}")
    name = kernel or facts.source.kernel_version()
    if name is None:
        raise SwapgenError(f"{tree}: cannot tell the kernel version (no Makefile); pass --kernel")
    data = import_spec(facts, spec, name)
    header = (
        "# SPDX-License-Identifier: GPL-2.0-only\n"
        f"# swapgen spec imported from {facts.source.label} by 'swapgen import'.\n"
        f"# Locations and names to look for came from {spec.name}; every value from the tree.\n"
    )
    text = dump_yaml(data, header)
    out.write(text)
    defects = _imported_problems(text)
    if err is not None:
        err.writelines(
            f"swapgen: import: the tree's {defect.message}: a spec cannot say that, so "
            "validate rejects this one until it is changed\n"
            for defect in defects
        )
    return EXIT_FINDINGS if defects else EXIT_OK


def _imported_problems(text: str) -> list[Problem]:
    """What validation finds in an imported spec: a tree's own defect (nios2 before v6.3
    kept 2 type bits, fewer than core MM needs), written as the tree has it."""
    from codegen.spec.load import check_spec

    with tempfile.TemporaryDirectory(prefix="swapgen-import-") as scratch:
        path = Path(scratch) / "imported.yaml"
        path.write_text(text)
        return check_spec(path)


def patch(
    tree: str,
    spec_arg: str | None,
    base: str,
    branch: str | None,
    out_arg: str | None,
    signoff: bool,
    force: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """Commit the spec's differences on a new branch and write them as a patch series."""
    from codegen.patch.series import make_series

    path, note = spec_for_tree(spec_arg, tree, base)
    spec = load_spec(path)
    result = make_series(
        spec, Path(tree), base, branch, Path(out_arg) if out_arg else None, signoff, force
    )
    err.write(note or "")
    if not result.drift:
        err.write(f"{tree} at {base} matches {spec.name}: no drift, nothing to do\n")
        return EXIT_OK
    for subject in result.subjects:
        out.write(f"{subject}\n")
    for path in result.patches:
        out.write(f"{path}\n")
    for item in result.unpatchable:
        err.write(f"swapgen: needs a hand edit: {item}\n")
    if result.branch:
        err.write(
            f"{len(result.subjects)} commit(s) on branch {result.branch}; "
            f"{len(result.patches)} file(s) written\n"
        )
    return EXIT_FINDINGS if result.unpatchable else EXIT_OK


def review(
    inputs: Sequence[str],
    git_repo: str | None,
    revision_range: str | None,
    spec_arg: str | None,
    fmt: str,
    chosen: Sequence[str],
    ignored: Sequence[str],
    strict: bool,
    exit_style: str,
    explain_id: str | None,
    tree: str | None,
    quiet: bool,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    base: str | None = None,
    since: str | None = None,
    until: str | None = None,
    jobs: int | None = None,
) -> int:
    """Check an incoming series against the spec; findings in the chosen format.

    With ``tree`` (and ``base``, a git revision there; default the files on disk) the series
    is applied to that tree in memory and what it builds is read as sync reads a tree."""
    from codegen.kernel.rules import RULES
    from codegen.report import emit as report
    from codegen.review import mailbox

    if explain_id is not None:
        wanted = explain_id.upper()
        if wanted not in RULES:
            raise SwapgenError(f"--explain {explain_id}: no such rule (rules: SWP101..SWP907)")
        out.write(report.explain(wanted))
        return EXIT_OK
    for pattern in (*chosen, *ignored):
        if not any(rule_id.startswith(pattern.upper()) for rule_id in RULES):
            raise SwapgenError(f"--select/--ignore {pattern}: matches no rule ID")
    window = mailbox.DateWindow(
        mailbox.parse_date(since, "--since", end=False) if since else None,
        mailbox.parse_date(until, "--until", end=True) if until else None,
    )
    from codegen.tree.source import TreeSource

    source = TreeSource(tree, base) if tree else None
    if tree:
        spec_path, note = spec_for_tree(spec_arg, tree, base, source)
    elif git_repo and revision_range:
        end = revision_range.rpartition("..")[2] or "HEAD"
        spec_path, note = spec_for_tree(spec_arg, git_repo, end)
    else:
        spec_path, note = resolve_spec(spec_arg), None
    spec = load_spec(spec_path)
    if git_repo or revision_range:
        if not (git_repo and revision_range):
            raise SwapgenError("--git needs --range A..B (and --range needs --git PATH)")
        messages = mailbox.messages_from_git(Path(git_repo), revision_range, window)
    elif not inputs:
        raise SwapgenError("name an mbox, .patch files, a directory, '-' for stdin, or --git")
    else:
        missing = [item for item in inputs if item != "-" and not Path(item).exists()]
        if missing:
            raise SwapgenError(f"{missing[0]}: no such file or directory")

        def gather():
            for item in inputs:
                if item == "-":
                    yield from mailbox.messages_from_stdin(stdin.buffer.read(), window)
                else:
                    yield from mailbox.messages_from_path(Path(item), window)

        messages = gather()
    # diff sections of files no rule reads are dropped as each mail is read, so memory
    # stays flat however big the input
    if base is not None and not tree:
        raise SwapgenError("--base REV needs --tree PATH (the git repository it names)")
    from codegen.review.run import all_findings, review_input

    picked = ([c.upper() for c in chosen], [i.upper() for i in ignored])

    def keep(found: list[Finding]) -> list[Finding]:
        kept = report.select(found, *picked)
        # as b4 reads --quiet: nothing for a clean patch, one line per problem
        return [f for f in kept if f.severity != "info"] if quiet and fmt == "text" else kept

    from codegen.report.progress import Progress

    progress = Progress(err, "messages")
    workers = jobs if jobs is not None else len(os.sched_getaffinity(0))
    try:
        reports, _replies = review_input(spec, messages, source, keep, workers, progress.seen)
    finally:
        progress.done()
    findings = all_findings(reports)
    first = reports[0].series
    info = {
        "spec": spec.name,
        "series": [r.to_json() for r in reports],
        # the first series again, for the inputs that hold one
        "version": first.version,
        "patches": [p.label for p in first.patches],
        "cover": first.cover.label if first.cover else None,
    }
    out.write(report.render(findings, fmt, info))
    code = report.exit_code(findings, strict, exit_style)
    errors, warnings = report.counts(findings)
    if exit_style == "nipa":
        verdict = {0: "ok", 250: "warning", 1: "fail"}[code]
        err.write(f"swapgen review: {verdict}: {errors} error(s), {warnings} warning(s)\n")
    elif not quiet and fmt == "text":
        err.write(note or "")  # where the summary lines are: not to b4, NIPA or --quiet
        for item in reports:
            if not item.reviewed:
                continue
            counted = report.counts(item.findings)
            shown = f"{item.series.version}, {len(item.series.patches)} patch(es)"
            if len(reports) > 1:
                title = item.series.cover or item.series.patches[0]
                shown += f" '{title.title}'"
            err.write(f"v{shown} vs {spec.name}: {counted[0]} error(s), {counted[1]} warning(s)\n")
        counted_only = sum(not item.reviewed for item in reports)
        if counted_only:
            err.write(
                f"{counted_only} other series of {len(reports)} touch no swap encoding "
                "(counted, not reviewed)\n"
            )
    return code
