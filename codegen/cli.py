"""Command-line interface: argparse subcommands, exit codes, error printing; nothing else.

Exit codes: 0 clean, 1 findings (an invalid spec, drift, a value that is not a swap PTE),
2 bad input or usage, 3 internal error. A user mistake never prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from codegen import __version__
from codegen.oneline import one_line

REPORT_FORMATS = ("text", "json", "sarif", "github")
"""What validate, sync and review can print (codegen.report.emit)."""

EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line, like every other error of swapgen."""

    def error(self, message: str) -> NoReturn:
        message = one_line(message)
        self.exit(EXIT_USAGE, f"swapgen: error: {message} (see '{self.prog} --help')\n")


def _spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        metavar="SPEC",
        help="spec file or bundled name (linux-6.12, 6.12); default: the newest bundled",
    )


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="CONFIG_X=y|n",
        action="append",
        default=[],
        help="set a Kconfig gate (repeatable); everything is on by default",
    )


def _format_option(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help="output format")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="swapgen",
        description="Keep the Linux kernel's swap-entry encodings consistent with one YAML spec.",
    )
    parser.add_argument("--version", action="version", version=f"swapgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check spec files (schema and semantic checks)")
    p.add_argument("specs", nargs="*", metavar="SPEC", help="spec files (default: all bundled)")
    _format_option(p, REPORT_FORMATS)

    p = sub.add_parser("show", help="the resolved spec: type numbers, markers, per-arch layouts")
    _spec_option(p)
    p.add_argument("--arch", action="append", default=[], help="only this arch (repeatable)")
    _config_option(p)
    _format_option(p, ("text", "json"))

    p = sub.add_parser("decode", help="split a raw swap PTE value into type, offset and flags")
    _spec_option(p)
    p.add_argument("--arch", required=True, help="architecture, e.g. x86_64")
    _config_option(p)
    _format_option(p, ("text", "json"))
    p.add_argument("values", nargs="+", metavar="VALUE", help="raw PTE value (0x... or decimal)")

    p = sub.add_parser("encode", help="build the raw swap PTE value for a type and offset")
    _spec_option(p)
    p.add_argument("--arch", required=True, help="architecture, e.g. x86_64")
    p.add_argument("--type", dest="type_", metavar="T", help="type number or name (SWP_...)")
    p.add_argument("--offset", metavar="O", help="swap offset (0x... or decimal)")
    p.add_argument(
        "--flag",
        action="append",
        default=[],
        metavar="FLAG",
        help="set a swap-PTE flag of the arch, as 'swapgen show' names them (repeatable)",
    )
    p.add_argument(
        "--marker", action="append", default=[], help="PTE marker name; implies the marker type"
    )
    _config_option(p)
    _format_option(p, ("text", "json"))

    p = sub.add_parser("generate", help="write standalone headers and diagrams under out/")
    p.add_argument(
        "--spec",
        action="append",
        default=[],
        help="spec (repeatable; default: every bundled one)",
    )
    p.add_argument("--out", metavar="DIR", help="output directory (default: ./out)")
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff if out/ is stale"
    )

    p = sub.add_parser("layout", help="SVG bit-field diagrams of every arch, with an index page")
    _spec_option(p)
    p.add_argument("--out", metavar="DIR", help="output directory (default: out/<spec>/layout)")

    p = sub.add_parser("sync", help="drift between a kernel tree and the spec, per arch")
    p.add_argument("--tree", required=True, metavar="PATH", help="kernel tree (or git repository)")
    p.add_argument("--rev", help="read the files at this git revision, without a checkout")
    _spec_option(p)
    p.add_argument("--arch", action="append", default=[], help="only this arch (repeatable)")
    _format_option(p, REPORT_FORMATS)
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")

    p = sub.add_parser("patch", help="a git format-patch series that brings a tree in line")
    p.add_argument("--tree", required=True, metavar="PATH", help="kernel git repository")
    _spec_option(p)
    p.add_argument("--base", default="HEAD", help="revision to start from (default: HEAD)")
    p.add_argument("--branch", help="new branch for the commits (default: swapgen/<spec>)")
    p.add_argument("--out", metavar="DIR", help="where the patches go (default: out/patches/...)")
    p.add_argument("--signoff", action="store_true", help="add Signed-off-by from git config")
    p.add_argument("--force", action="store_true", help="replace an existing branch of that name")

    p = sub.add_parser("review", help="check an incoming patch series against the spec")
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="mbox, .patch/.eml, directory, Maildir, public-inbox git archive, or - (stdin)",
    )
    p.add_argument("--git", metavar="PATH", help="review commits of this repository ...")
    p.add_argument("--range", metavar="A..B", help="... in this range")
    _spec_option(p)
    p.add_argument(
        "--tree",
        metavar="PATH",
        help="the kernel tree the series applies to: what it builds is read as sync does",
    )
    p.add_argument("--base", metavar="REV", help="with --tree: the git revision to apply to")
    _format_option(p, (*REPORT_FORMATS, "b4"))
    p.add_argument("--select", action="append", default=[], help="only these rule IDs/prefixes")
    p.add_argument("--ignore", action="append", default=[], help="skip these rule IDs/prefixes")
    p.add_argument("--strict", action="store_true", help="warnings fail too")
    p.add_argument("--exit-codes", choices=("plain", "nipa"), default="plain",
                   help="nipa: 0 ok, 250 warning, 1 fail")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="text: findings only, nothing on stderr")
    p.add_argument("--explain", metavar="SWPnnn", help="print the doc of a rule and exit")
    p.add_argument("--since", metavar="DATE", help="only mail dated on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="only mail dated up to DATE, that day included")
    p.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="processes that parse a large input (default: the CPUs this process may use)",
    )

    p = sub.add_parser("import", help="write a spec from a kernel tree (YAML on stdout)")
    p.add_argument("--tree", required=True, metavar="PATH", help="kernel tree (or git repository)")
    p.add_argument("--rev", help="read the files at this git revision, without a checkout")
    p.add_argument("--kernel", help="kernel version to record (default: from the Makefile)")
    p.add_argument("--spec", metavar="SPEC", help="bundled spec whose file map to use")

    p = sub.add_parser("export", help="resolved numbers per Kconfig combination, for other tools")
    _spec_option(p)
    _format_option(p, ("json", "c-header"))

    p = sub.add_parser("doctor", help="which optional tools and trees are here; what each enables")
    p.add_argument("--tree", metavar="PATH", help="kernel tree to check (default: the cwd)")
    _format_option(p, ("text", "json"))
    return parser


def _run(args: argparse.Namespace) -> int:
    from codegen import commands

    out, err = sys.stdout, sys.stderr
    if args.command == "validate":
        return commands.validate(args.specs, out, err, args.format)
    if args.command == "show":
        return commands.show(args.spec, args.arch, args.config, args.format, out)
    if args.command == "decode":
        return commands.decode(args.spec, args.arch, args.values, args.config, args.format, out)
    if args.command == "encode":
        return commands.encode(
            args.spec,
            args.arch,
            args.type_,
            args.offset,
            args.flag,
            args.marker,
            args.config,
            args.format,
            out,
            err,
        )
    if args.command == "generate":
        return commands.generate(args.spec, args.out, args.check, out, err)
    if args.command == "layout":
        return commands.layout_diagrams(args.spec, args.out, out, err)
    if args.command == "sync":
        return commands.sync(
            args.tree, args.rev, args.spec, args.arch, args.format, args.strict, out, err
        )
    if args.command == "patch":
        return commands.patch(
            args.tree,
            args.spec,
            args.base,
            args.branch,
            args.out,
            args.signoff,
            args.force,
            out,
            err,
        )
    if args.command == "review":
        return commands.review(
            args.inputs,
            args.git,
            args.range,
            args.spec,
            args.format,
            args.select,
            args.ignore,
            args.strict,
            args.exit_codes,
            args.explain,
            args.tree,
            args.quiet,
            sys.stdin,
            out,
            err,
            args.base,
            args.since,
            args.until,
            args.jobs,
        )
    if args.command == "import":
        return commands.import_tree(args.tree, args.rev, args.kernel, args.spec, out)
    if args.command == "export":
        return commands.export(args.spec, args.format, out)
    if args.command == "doctor":
        from codegen.doctor import doctor

        return doctor(args.tree, args.format, out)
    raise AssertionError(f"unhandled command {args.command}")


EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``swapgen`` console script; returns the exit code."""
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:  # anywhere in swapgen's code, imports included
        print("swapgen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def console() -> None:
    """The ``swapgen`` console script: main(), then exit with its code. Once main() has
    returned the work is done; a late Ctrl-C must not turn that into a death by SIGINT."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if code == EXIT_INTERRUPTED:
        # CPython 3.11 remembers a KeyboardInterrupt raised inside exec() of a string (as
        # dataclasses and Jinja2 do) even when it was caught, and then kills itself with
        # SIGINT at exit; os._exit keeps the 130 that the caller should see
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _main(argv: list[str]) -> int:
    parser = build_parser()
    if not argv:  # a newcomer's first try: show what there is
        parser.print_usage(sys.stderr)
        print("swapgen: error: name a command (see 'swapgen --help')", file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    # imported after parsing, so ``--help`` and usage errors load nothing but argparse
    from codegen.errors import SpecInvalid, SwapgenError

    try:
        return _run(args)
    except SpecInvalid as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        where = error.problems[0].position.file
        print(f"swapgen: error: invalid spec; 'swapgen validate {where}' lists it", file=sys.stderr)
        return error.exit_code
    except SwapgenError as error:
        print(f"swapgen: error: {one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # the reader went away (swapgen show | head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        if os.environ.get("SWAPGEN_DEBUG"):
            raise
        print(
            f"swapgen: internal error: {type(error).__name__}: {error} "
            "(set SWAPGEN_DEBUG=1 for a traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    console()
