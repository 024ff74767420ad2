"""Command-line interface: running a command, exit codes, error printing; nothing else.
The arguments are in codegen.arguments.

Exit codes: 0 clean, 1 findings (an invalid spec, drift, a value that is not a swap PTE),
2 bad input or usage, 3 internal error. A user mistake never prints a traceback.
"""

from __future__ import annotations

import os
import sys

from codegen.oneline import one_line

TYPE_CHECKING = False  # typing costs the console script milliseconds; mypy knows the name
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

EXIT_INTERNAL = 3


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
        return commands.import_tree(args.tree, args.rev, args.kernel, args.spec, out, err)
    if args.command == "diff":
        return commands.diff(args.old, args.new, args.arch, args.format, out)
    if args.command == "history":
        return commands.history(args.config, args.format, out)
    if args.command == "export":
        return commands.export(args.spec, args.format, out)
    if args.command == "doctor":
        from codegen.doctor import doctor

        return doctor(args.tree, args.format, out)
    if args.command == "server":
        from codegen.resident import server

        if args.action == "start":
            return server.start(args.idle, out)
        return server.stop(out) if args.action == "stop" else server.status(out)
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
    """The ``swapgen`` console script: the resident server runs the command if one runs for
    this code (codegen.resident), else main(); then exit with its code. Once main() has
    returned the work is done; a late Ctrl-C must not turn that into a death by SIGINT."""
    from codegen.resident.client import run_served

    served = run_served(sys.argv[1:])
    if served is not None:
        sys.exit(served)
    code = main()
    import signal

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
    from codegen.arguments import EXIT_USAGE, parser_for

    parser = parser_for(argv)
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
