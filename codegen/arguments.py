"""The command line's arguments: one argparse parser with a subcommand per command.

Kept apart from codegen.cli so that a command run by the resident server does not import
argparse in the client.
"""

from __future__ import annotations

import argparse
import functools

from codegen import __version__
from codegen.oneline import one_line

ARCH_HELP = "only this arch variant, or each of an arch directory's (x86); repeatable"

TYPE_CHECKING = False  # typing costs every command milliseconds; mypy knows the name
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import NoReturn

REPORT_FORMATS = ("text", "json", "sarif", "github")
"""What validate, sync and review can print (codegen.report.emit)."""

EXIT_USAGE = 2


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


def _validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("specs", nargs="*", metavar="SPEC", help="spec files (default: all bundled)")
    _format_option(p, REPORT_FORMATS)


def _show_arguments(p: argparse.ArgumentParser) -> None:
    _spec_option(p)
    p.add_argument("--arch", action="append", default=[], help=ARCH_HELP)
    _config_option(p)
    _format_option(p, ("text", "json"))


def _decode_arguments(p: argparse.ArgumentParser) -> None:
    _spec_option(p)
    p.add_argument("--arch", required=True, help="one arch variant, e.g. x86_64 or x86_pae")
    _config_option(p)
    _format_option(p, ("text", "json"))
    p.add_argument("values", nargs="+", metavar="VALUE", help="raw PTE value (0x... or decimal)")


def _encode_arguments(p: argparse.ArgumentParser) -> None:
    _spec_option(p)
    p.add_argument("--arch", required=True, help="one arch variant, e.g. x86_64 or x86_pae")
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


def _generate_arguments(p: argparse.ArgumentParser) -> None:
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


def _layout_arguments(p: argparse.ArgumentParser) -> None:
    _spec_option(p)
    p.add_argument("--out", metavar="DIR", help="output directory (default: out/<spec>/layout)")


def _sync_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tree", required=True, metavar="PATH", help="kernel tree (or git repository)")
    p.add_argument("--rev", help="read the files at this git revision, without a checkout")
    _spec_option(p)
    p.add_argument("--arch", action="append", default=[], help=ARCH_HELP)
    _format_option(p, REPORT_FORMATS)
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")


def _patch_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tree", required=True, metavar="PATH", help="kernel git repository")
    _spec_option(p)
    p.add_argument("--base", default="HEAD", help="revision to start from (default: HEAD)")
    p.add_argument("--branch", help="new branch for the commits (default: swapgen/<spec>)")
    p.add_argument("--out", metavar="DIR", help="where the patches go (default: out/patches/...)")
    p.add_argument("--signoff", action="store_true", help="add Signed-off-by from git config")
    p.add_argument("--force", action="store_true", help="replace an existing branch of that name")


def _review_arguments(p: argparse.ArgumentParser) -> None:
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


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tree", required=True, metavar="PATH", help="kernel tree (or git repository)")
    p.add_argument("--rev", help="read the files at this git revision, without a checkout")
    p.add_argument("--kernel", help="kernel version to record (default: from the Makefile)")
    p.add_argument("--spec", metavar="SPEC", help="bundled spec whose file map to use")


def _export_arguments(p: argparse.ArgumentParser) -> None:
    _spec_option(p)
    _format_option(p, ("json", "c-header"))


def _doctor_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tree", metavar="PATH", help="kernel tree to check (default: the cwd)")
    _format_option(p, ("text", "json"))


def _diff_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="SPEC_A", help="the older spec (file, bundled name or version)")
    p.add_argument("new", metavar="SPEC_B", help="the newer spec")
    p.add_argument("--arch", action="append", default=[], help=ARCH_HELP)
    _format_option(p, ("text", "json"))


def _history_arguments(p: argparse.ArgumentParser) -> None:
    _config_option(p)
    _format_option(p, ("text", "json", "svg"))


def _server_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("start", "stop", "status"))
    p.add_argument(
        "--idle",
        type=_positive,
        default=900,
        metavar="SECONDS",
        help="with start: stop after this long without a command (default: 900)",
    )


COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("validate", "check spec files (schema and semantic checks)", _validate_arguments),
    ("show", "the resolved spec: type numbers, markers, per-arch layouts", _show_arguments),
    ("decode", "split a raw swap PTE value into type, offset and flags", _decode_arguments),
    ("encode", "build the raw swap PTE value for a type and offset", _encode_arguments),
    ("generate", "write standalone headers and diagrams under out/", _generate_arguments),
    ("layout", "SVG bit-field diagrams of every arch, with an index page", _layout_arguments),
    ("sync", "drift between a kernel tree and the spec, per arch", _sync_arguments),
    ("patch", "a git format-patch series that brings a tree in line", _patch_arguments),
    ("review", "check an incoming patch series against the spec", _review_arguments),
    ("import", "write a spec from a kernel tree (YAML on stdout)", _import_arguments),
    ("export", "resolved numbers per Kconfig combination, for other tools", _export_arguments),
    ("diff", "what changed between two specs: types, markers, arch layouts", _diff_arguments),
    ("history", "MAX_SWAPFILES and the special types, release by release", _history_arguments),
    ("doctor", "which optional tools and trees are here; what each enables", _doctor_arguments),
    ("server", "keep swapgen loaded for commands run once per patch", _server_arguments),
)
"""Each command: its name, its line in ``swapgen --help``, what adds its arguments."""


@functools.cache
def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with ``only``, the arguments of that command alone
    (what running one command needs: the others are names in ``--help``). Built once per
    process (the resident server builds each before it forks)."""
    parser = _Parser(
        prog="swapgen",
        description="Keep the Linux kernel's swap-entry encodings consistent with one YAML spec.",
    )
    parser.add_argument("--version", action="version", version=f"swapgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary, add_arguments in COMMANDS:
        command = sub.add_parser(name, help=summary)
        if only is None or only == name:
            add_arguments(command)
    return parser


def parser_for(argv: list[str]) -> argparse.ArgumentParser:
    """The parser for this command line: the named command's arguments only."""
    named = argv[0] if argv and any(argv[0] == name for name, _, _ in COMMANDS) else ""
    return build_parser(named)
