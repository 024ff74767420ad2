"""Fuzz targets: every parser that reads outside input, with structured hypothesis generators.

Each target pairs a strategy that builds real-looking input (a bundled spec with a few
mutations, a format-patch mail re-encoded and damaged, a diff with broken hunks, a swap
header with hostile macros, command-line values) with a check that feeds it to swapgen and
fails on anything but a clean result or a clean error: a traceback, an internal error
(exit 3), a multi-line error message, or a hang. tests/test_fuzz.py runs a few hundred
examples per target; bench/fuzz.py runs 10,000 and counts crashes.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import json
import re
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from codegen import cli
from codegen.csrc.cint import DataModel
from codegen.csrc.layoutcomment import parse as parse_layout_comment
from codegen.csrc.preprocess import Evaluator, Unevaluable, closure, scan_headers
from codegen.kernel.arches import ARCHES
from codegen.resources import bundled_specs
from codegen.review.series import patch_from_message
from codegen.spec.load import check_spec, load_spec
from tests.mailgen import ENCODINGS, corpus_messages, patch_mail

REPO = Path(__file__).resolve().parent.parent
VERSIONS = tuple(path.stem.removeprefix("linux-") for path in bundled_specs())
ARCH_NAMES = sorted(ARCHES)
EXAMPLE_SECONDS = 20  # one example taking longer than this is a hang


class Hang(Exception):
    """An example ran longer than EXAMPLE_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in the main thread after ``seconds`` (no-op elsewhere)."""

    def expired(_signum, _frame):
        raise Hang(f"no result after {seconds} s")

    try:
        old = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_cli(argv: list[str], stdin: bytes = b"") -> Outcome:
    """swapgen's main() in-process with captured output; stdin for '-' inputs."""
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="replace")
    old = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, fake_stdin
    try:
        try:
            code = cli.main(argv)
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdout, sys.stderr, sys.stdin = old
    return Outcome(code, out.getvalue(), err.getvalue())


PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: .+$")


def assert_clean(result: Outcome, allowed: tuple[int, ...]) -> None:
    """A result or a clean error: never exit 3, never a traceback, errors on one line."""
    assert "Traceback" not in result.err, result.err
    assert result.code != 3, result.err
    assert result.code in allowed, (result.code, result.err)
    if result.code == 2:
        lines = result.err.splitlines()
        assert lines, "exit 2 without a message"
        if lines[-1].startswith("swapgen: error: invalid spec"):
            assert all(PROBLEM_LINE.match(line) for line in lines[:-1]), result.err
        elif lines[0].startswith("usage: "):
            assert lines[-1].startswith("swapgen") and ": error: " in lines[-1], result.err
        else:
            assert len(lines) == 1 and lines[0].startswith("swapgen: error: "), result.err


# --- shared text --------------------------------------------------------------------------


@cache
def spec_text(version: str) -> str:
    return (REPO / "specs" / f"linux-{version}.yaml").read_text()


@cache
def spec_data(version: str) -> Any:
    return yaml.safe_load(spec_text(version))


@cache
def corpus() -> tuple[bytes, ...]:
    return tuple(corpus_messages())


@cache
def corpus_diffs() -> tuple[str, ...]:
    """The decoded diffs of the corpus mails, as the series reader hands them to unidiff."""
    diffs = set()
    for raw in corpus():
        body = raw.split(b"\n", 1)[1] if raw.startswith(b"From ") else raw
        message = email.message_from_bytes(body, policy=email.policy.default)
        patch = patch_from_message(message, "corpus")
        if patch is not None and patch.diff.startswith("diff --git "):
            diffs.add(patch.diff)
    return tuple(sorted(diffs))


@cache
def seed_headers() -> tuple[tuple[str, str], ...]:
    """The generated swap headers under out/: real-looking swap-PTE C, every arch."""
    files = sorted((REPO / "out").glob("linux-*/**/*.h"))
    return tuple((str(path.relative_to(REPO)), path.read_text()) for path in files)


# --- generic mutations of text ------------------------------------------------------------

ODD_TEXT = st.sampled_from([
    "", " ", "\t", "\x00", "\ufeff", "é", "\u202e", "\r", "\\", "'", '"', "#", ":", "- ", "{", "}",
    "[", "]", "&a", "*a", "!!python/object:os.system", "<<: *a", "---", "...", "%YAML 1.1",
    "yes", "no", "on", "null", "~", ".inf", "-.nan", "1e3", "0x", "0b2", "0o9", "0x1_0",
    "999999999999999999999999999999", "-1", "1.5", "9" * 5000, "CONFIG_", "SWP_", "x" * 300,
])  # fmt: skip
SMALL_TEXT = st.one_of(ODD_TEXT, st.text(max_size=30))


@st.composite
def mutated_lines(draw, text: str, extra: st.SearchStrategy[str] = SMALL_TEXT) -> str:
    """``text`` with one to four line-level mutations."""
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(
            ["delete", "duplicate", "swap", "insert", "replace-tail", "indent", "dedent",
             "truncate", "splice"]
        ))  # fmt: skip
        line = lines[index]
        if kind == "delete" and len(lines) > 1:
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "insert":
            lines.insert(index, draw(extra) + "\n")
        elif kind == "replace-tail":
            cut = draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + draw(extra) + "\n"
        elif kind == "indent":
            lines[index] = " " * draw(st.integers(1, 4)) + line
        elif kind == "dedent":
            lines[index] = line.lstrip(" ")
        elif kind == "truncate":
            lines = lines[: index + 1]
            lines[-1] = line[: draw(st.integers(0, len(line)))]
        else:
            cut = draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + draw(extra) + line[cut:]
    return "".join(lines)


# --- target 1: the spec loader ------------------------------------------------------------

YAML_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
        st.text(max_size=12), st.sampled_from(["SWP_HWPOISON", "CONFIG_MIGRATION", "x86_64",
                                               "hwpoison", "uffd_wp", "_PAGE_PSE", "PTE_MARKER"]),
    ),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@cache
def _spec_paths(version: str) -> tuple[tuple, ...]:
    return tuple(_paths(spec_data(version)))


@st.composite
def structured_spec(draw, version: str) -> str:
    """The spec's data with one to three nodes replaced, deleted or duplicated, dumped."""
    data = yaml.safe_load(spec_text(version))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_spec_paths(version)))
        parent, node = None, data
        try:
            for key in path:
                parent, node = node, node[key]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed it
        action = draw(st.sampled_from(["set", "delete", "duplicate", "rename"]))
        key = path[-1] if path else None
        if parent is None:
            data = draw(YAML_VALUES) if action == "set" else data
        elif action == "set":
            parent[key] = draw(YAML_VALUES)
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, node)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(key)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@st.composite
def spec_inputs(draw) -> bytes:
    version = draw(st.sampled_from(VERSIONS))
    how = draw(st.sampled_from(["lines", "structure", "bytes", "aliases"]))
    if how == "aliases":  # anchors and aliases nested, up to a "billion laughs"
        depth, width = draw(st.integers(1, 8)), draw(st.integers(1, 10))
        chain = ["x0: &x0 [" + ", ".join(['"x"'] * width) + "]"]
        chain += [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * width) + "]"
                  for i in range(1, depth)]  # fmt: skip
        return ("\n".join(chain) + "\n" + spec_text(version)).encode()
    if how == "lines":
        return draw(mutated_lines(spec_text(version))).encode("utf-8", "surrogatepass")
    if how == "structure":
        return draw(structured_spec(version)).encode("utf-8", "surrogatepass")
    data = spec_text(version).encode()
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]


def check_spec_input(data: bytes, scratch: Path) -> None:
    path = scratch / "fuzzed.yaml"
    path.write_bytes(data)
    problems = check_spec(path)
    for problem in problems:
        assert problem.position.file == str(path)
        assert problem.position.line >= 1 and problem.position.column >= 1
        assert "\n" not in str(problem) and problem.message.strip()
    shown = run_cli(["show", "--spec", str(path), "--format", "json"])
    assert_clean(shown, (0, 2) if problems else (0,))
    if problems:
        return
    spec = load_spec(path)
    json.loads(shown.out)
    assert_clean(run_cli(["export", "--spec", str(path)]), (0,))
    for arch in spec.arches:
        for value in ("0x0", "0x2", "0x1fffffffffdb9600"):
            assert_clean(run_cli(["decode", "--spec", str(path), "--arch", arch, value]), (0, 1, 2))
    assert_clean(run_cli(["generate", "--spec", str(path), "--out", str(scratch / "out")]), (0,))


# --- target 2: the mail / series reader ---------------------------------------------------

MAIL_DAMAGE = [
    "truncate", "insert-bytes", "delete-range", "duplicate-range", "bad-charset", "bad-cte",
    "encoded-subject", "broken-encoded-subject", "multipart", "multipart-no-boundary",
    "from-line", "nul", "long-line", "latin1", "no-blank-line",
]  # fmt: skip


def _replace_header(message: bytes, name: bytes, value: bytes) -> bytes:
    pattern = re.compile(rb"(?im)^" + re.escape(name) + rb":[^\r\n]*")
    if pattern.search(message):
        return pattern.sub(lambda _m: name + b": " + value, message, count=1)
    return message.replace(b"\n", b"\n" + name + b": " + value + b"\n", 1)


@st.composite
def damaged_mail(draw, message: bytes) -> bytes:
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(MAIL_DAMAGE))
        at = draw(st.integers(0, len(message)))
        if kind == "truncate":
            message = message[:at]
        elif kind == "insert-bytes":
            message = message[:at] + draw(st.binary(min_size=1, max_size=16)) + message[at:]
        elif kind == "delete-range":
            message = message[:at] + message[at + draw(st.integers(1, 400)) :]
        elif kind == "duplicate-range":
            message = message[:at] + message[at : at + 300] + message[at:]
        elif kind == "bad-charset":
            charset = draw(st.sampled_from([b"utf-99", b"", b"x-unknown", b"latin-1\"", b"\xff"]))
            message = _replace_header(message, b"Content-Type", b"text/plain; charset=" + charset)
        elif kind == "bad-cte":
            cte = draw(st.sampled_from([b"base64", b"quoted-printable", b"x-uuencode", b"7bit",
                                        b"binary", b"base65", b""]))  # fmt: skip
            message = _replace_header(message, b"Content-Transfer-Encoding", cte)
        elif kind == "encoded-subject":
            message = _replace_header(
                message, b"Subject", b"=?utf-8?q?=5BPATCH_v2_1/2=5D_mm=3A_guard?="
            )
        elif kind == "broken-encoded-subject":
            message = _replace_header(message, b"Subject", b"=?utf-8?b?W1BBVENI?= =?x?q?=ZZ?=")
        elif kind in ("multipart", "multipart-no-boundary"):
            boundary = b"" if kind == "multipart-no-boundary" else b'; boundary="b0"'
            head, _, body = message.partition(b"\n\n")
            head = _replace_header(head, b"Content-Type", b"multipart/mixed" + boundary)
            message = head + b"\n\n--b0\nContent-Type: text/plain\n\n" + body + b"\n--b0--\n"
        elif kind == "from-line":
            message = message[:at] + b"\nFrom x Mon Sep 17 00:00:00 2001\n" + message[at:]
        elif kind == "nul":
            message = message.replace(b"\n", b"\x00\n", draw(st.integers(1, 5)))
        elif kind == "long-line":
            message = message[:at] + b"+" + b"x" * draw(st.integers(1000, 200_000)) + message[at:]
        elif kind == "latin1":
            message = message.replace(b"Grace", b"Gr\xe2ce")
        else:
            message = message.replace(b"\n\n", b"\n", 1)
    return message


@st.composite
def series_input(draw, messages: st.SearchStrategy[bytes]) -> bytes:
    """An mbox of one to four mails, some renumbered, some CRLF."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        message = draw(messages)
        if draw(st.booleans()):
            number = draw(st.integers(0, 5))
            version = draw(st.sampled_from([b"", b" v2", b" v10", b" RFC", b" RESEND v3"]))
            subject = b"[PATCH" + version + b" %d/%d] mm: x" % (number, draw(st.integers(0, 5)))
            message = _replace_header(message, b"Subject", subject)
        if draw(st.booleans()):
            message = message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        parts.append(message if message.endswith(b"\n") else message + b"\n")
    return b"".join(parts)


@st.composite
def mail_inputs(draw) -> bytes:
    base = st.sampled_from(corpus())
    return draw(series_input(base.flatmap(damaged_mail)))


REVIEW_FORMATS = ("text", "json", "sarif", "github", "b4")


@st.composite
def review_options(draw) -> list[str]:
    options = ["--format", draw(st.sampled_from(REVIEW_FORMATS))]
    options += ["--spec", draw(st.sampled_from(VERSIONS))]
    if draw(st.booleans()):
        options += ["--exit-codes", "nipa"]
    if draw(st.booleans()):
        options.append("--strict")
    return options


def check_review_input(case: tuple[bytes, list[str], bool], scratch: Path) -> None:
    data, options, via_stdin = case
    if via_stdin:
        result = run_cli(["review", *options, "-"], stdin=data)
    else:
        path = scratch / "series.mbox"
        path.write_bytes(data)
        result = run_cli(["review", *options, str(path)])
    assert_clean(result, (0, 1, 2, 250))
    if result.code in (0, 1, 250) and "--format" in options:
        fmt = options[options.index("--format") + 1]
        if fmt in ("json", "sarif", "b4"):
            json.loads(result.out)


def review_case(data: st.SearchStrategy[bytes]) -> st.SearchStrategy:
    return st.tuples(data, review_options(), st.booleans())


# --- target 3: the unidiff layer ----------------------------------------------------------

DIFF_LINES = st.sampled_from([
    "\\ No newline at end of file", "Binary files a/x and b/x differ", "new file mode 100644",
    "deleted file mode 100644", "rename from include/linux/swapops.h",
    "rename to include/linux/leafops.h", "similarity index 90%", "index 0000000..1111111",
    "diff --git a/include/linux/swapops.h b/include/linux/swapops.h", "--- /dev/null",
    "+++ /dev/null", "--- a/include/linux/swap.h", "+++ b/include/linux/swap.h", "@@ -0,0 +1 @@",
    "@@ -1 +1 @@", "@@ -1,3 +1,3 @@ f", "@@ -99999999999999999999,1 +1,1 @@", "@@ @@", "@@ -a,b +c,d @@",
    "+#define PTE_MARKER_GUARD BIT(2)", "+#define PTE_MARKER_MASK (BIT(3) - 1)", "-#define SWP_HWPOISON_NUM 1",
    "+#define SWP_DEVICE_NUM 4", "+\tselect HAVE_ARCH_USERFAULTFD_WP", "+static inline pte_t pte_swp_mkuffd_wp(pte_t pte) {",
    "+#define _PAGE_SWP_EXCLUSIVE _PAGE_SWP_EXCLUSIVE", "+#define __swp_type(x) __swp_type(x)",
    "+#define MAX_SWAPFILES_SHIFT 99999999999999999999999", "+#define X (1 << 5000)", "+#define Y (1 / 0)",
    "-- ", " ", "", "\t", "+", "-", "GIT binary patch", "literal 0",
])  # fmt: skip


@st.composite
def damaged_diff(draw) -> str:
    diff = draw(st.sampled_from(corpus_diffs()))
    lines = diff.splitlines()
    for _ in range(draw(st.integers(1, 5))):
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        kind = draw(st.sampled_from(["hunk-header", "prefix", "insert", "delete", "duplicate"]))
        hunks = [i for i, line in enumerate(lines) if line.startswith("@@")]
        if kind == "hunk-header" and hunks:
            numbers = [draw(st.integers(0, 2**40)) for _ in range(4)]
            lines[draw(st.sampled_from(hunks))] = "@@ -{},{} +{},{} @@".format(*numbers)
        elif kind == "prefix" and lines:
            prefix = draw(st.sampled_from(["+", "-", " ", "\\", "@", "x", ""]))
            lines[index] = prefix + lines[index][1:]
        elif kind == "insert":
            lines.insert(index, draw(DIFF_LINES))
        elif kind == "delete" and lines:
            del lines[index]
        elif lines:
            lines.insert(index, lines[index])
    return "\n".join(lines) + "\n"


@st.composite
def diff_mails(draw) -> bytes:
    subject = draw(st.sampled_from(["[PATCH] mm: guard", "[PATCH v2 1/1] x86: swap", "swap"]))
    return patch_mail(subject, draw(damaged_diff()), draw(st.sampled_from(ENCODINGS)),
                      crlf=draw(st.booleans()))  # fmt: skip


# --- target 4: the C header reader --------------------------------------------------------

NAMES = ["A", "B", "C", "F", "G", "SWP_TYPE_BITS", "_PAGE_BIT_X", "__swp_type", "pte_swp_mkx"]
NUMBER = st.builds(
    lambda n, form, suffix: form.format(n) + suffix,
    st.integers(0, 2**70),
    st.sampled_from(["{:d}", "{:#x}", "{:#o}", "0{:o}", "{:#X}"]),
    st.sampled_from(["", "U", "UL", "ULL", "L", "LL", "u", "ul"]),
)
BINARY_OPS = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||", "==", "!=", "<",
              ">", "<=", ">=", ","]  # fmt: skip
C_JUNK = st.text(alphabet="()+-*/%<>=!&|^~?:,#\\ \"'0123456789abxXuUlL_AF", max_size=16)


def _expressions() -> st.SearchStrategy[str]:
    atoms = st.one_of(
        NUMBER, st.sampled_from(NAMES), st.sampled_from(["CONFIG_X", "CONFIG_64BIT", "sizeof(long)"]),
        st.builds("defined({})".format, st.sampled_from(NAMES)), C_JUNK,
    )  # fmt: skip

    def compound(inner):
        return st.one_of(
            inner.map("({})".format),
            st.tuples(inner, st.sampled_from(BINARY_OPS), inner).map(" ".join),
            st.tuples(st.sampled_from(["-", "~", "!"]), inner).map("".join),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
            inner.map("(unsigned long)({})".format),
            inner.map("BIT({})".format),
            st.tuples(inner, inner).map(lambda t: f"GENMASK({t[0]}, {t[1]})"),
            inner.map("_AT(pteval_t, {})".format),
            st.tuples(st.sampled_from(NAMES), st.lists(inner, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"
            ),
        )

    return st.recursive(atoms, compound, max_leaves=12)


EXPRESSIONS = _expressions()


def _header_line() -> st.SearchStrategy[str]:
    name = st.sampled_from(NAMES)
    return st.one_of(
        st.tuples(name, EXPRESSIONS).map(lambda t: f"#define {t[0]} {t[1]}"),
        st.tuples(name, st.sampled_from(["x", "x, y", "", "x, x", "..."]), EXPRESSIONS).map(
            lambda t: f"#define {t[0]}({t[1]}) {t[2]}"
        ),
        EXPRESSIONS.map("#if {}".format),
        EXPRESSIONS.map("#elif {}".format),
        name.map("#ifdef {}".format),
        name.map("#ifndef {}".format),
        name.map("#undef {}".format),
        st.sampled_from(["#else", "#endif", "#include \"other.h\"", "#include <asm/other.h>",
                         "/* swap entry layout:", " *   bits 0-4: type", " */", "// c++", "\\",
                         "static inline int f(int x) {", "}", "#", "#pragma once", "#error x",
                         "#define", "#if", "#elif", "#define X \\", "/* never closed"]),
    )  # fmt: skip


HEADER_LINE = _header_line()


@st.composite
def header_inputs(draw) -> tuple[str, str, dict[str, bool], int]:
    if draw(st.booleans()):
        _, seed = draw(st.sampled_from(seed_headers()))
        text = draw(mutated_lines(seed, HEADER_LINE))
    else:
        text = "\n".join(draw(st.lists(HEADER_LINE, min_size=1, max_size=30))) + "\n"
    other = "\n".join(draw(st.lists(HEADER_LINE, max_size=8))) + "\n"
    config = draw(st.dictionaries(st.sampled_from(["CONFIG_X", "CONFIG_64BIT", "CONFIG_ARM_LPAE"]),
                                  st.booleans()))  # fmt: skip
    return text, other, config, draw(st.sampled_from([32, 64]))


def check_header_input(case: tuple[str, str, dict[str, bool], int], _scratch: Path) -> None:
    text, other, config, bits = case
    files = [("arch/x/include/asm/swap.h", text), ("arch/x/include/asm/other.h", other)]
    scan = scan_headers(files, config, DataModel(bits, bits))
    for problem in scan.problems:
        assert isinstance(problem, Unevaluable) and problem.message.strip()
    evaluator = Evaluator(scan, config, DataModel(bits, bits))
    for name in list(scan.macros):
        try:
            value = evaluator.value(name, "fuzz")
        except Unevaluable:
            continue
        assert isinstance(value, int)
    closure(scan, list(scan.macros) + list(scan.functions), set())
    for comment in scan.comments:
        for msb0 in (False, True):
            for field in parse_layout_comment(comment.text, comment.line, bits, msb0):
                assert field.line >= comment.line


# --- target 5: decode and encode values ---------------------------------------------------

VALUE_TEXT = st.one_of(
    st.integers(0, 2**80).map(hex), st.integers(0, 2**80).map(str),
    st.integers(-(2**64), -1).map(str), st.integers(0, 2**64).map(bin), st.integers(0, 2**64).map(oct),
    st.integers(0, 2**64).map(lambda n: f"{n:_x}"), st.integers(0, 2**64).map(lambda n: f" {n:#X} "),
    ODD_TEXT, st.text(max_size=12),
    st.sampled_from(["0x", "0x_1", "1_000", "٣", "0b", "+5", "0o17", "017", "0x" + "f" * 40, "nan"]),
)  # fmt: skip
ARCH_TEXT = st.sampled_from([*ARCH_NAMES, "amd64", "aarch64", "ppc64le", "s390x", "armhf", "",
                             "X86_64", "vax", "x86_64 ", "-x"])  # fmt: skip
CONFIG_TEXT = st.one_of(
    st.sampled_from(["CONFIG_MIGRATION=n", "MIGRATION=y", "CONFIG_DEVICE_PRIVATE=N",
                     "CONFIG_PTE_MARKER_UFFD_WP=y", "CONFIG_X=y", "CONFIG_MIGRATION", "=y", "=",
                     "CONFIG_MEMORY_FAILURE= n "]),
    st.text(max_size=12),
)  # fmt: skip


@st.composite
def decode_inputs(draw) -> list[str]:
    argv = ["decode", "--arch", draw(ARCH_TEXT)]
    if draw(st.booleans()):
        argv += ["--spec", draw(st.sampled_from([*VERSIONS, "linux-6.19", "7.0", ""]))]
    for item in draw(st.lists(CONFIG_TEXT, max_size=2)):
        argv += ["--config", item]
    argv += ["--format", draw(st.sampled_from(["text", "json"]))]
    return [*argv, *draw(st.lists(VALUE_TEXT, min_size=1, max_size=3))]


def check_decode_input(argv: list[str], _scratch: Path) -> None:
    result = run_cli(argv)
    assert_clean(result, (0, 1, 2))
    if result.code in (0, 1) and "json" in argv:
        json.loads(result.out)


TYPE_TEXT = st.one_of(
    VALUE_TEXT, st.sampled_from(["SWP_HWPOISON", "SWP_MIGRATION_READ", "SWP_PTE_MARKER",
                                 "swp_device_write", "SWP_", "0", "31", "32"]),
)  # fmt: skip
MARKER_TEXT = st.sampled_from(["uffd_wp", "poisoned", "guard", "PTE_MARKER_GUARD", "GUARD", "x", ""])


VALID_CONFIG = st.sampled_from([
    "CONFIG_MIGRATION=n", "CONFIG_DEVICE_PRIVATE=n", "CONFIG_MEMORY_FAILURE=n",
    "CONFIG_PTE_MARKER_UFFD_WP=n", "CONFIG_MEM_SOFT_DIRTY=n", "CONFIG_MIGRATION=y",
])  # fmt: skip


@st.composite
def well_formed_encode(draw) -> list[str]:
    """A request a user would write: a real arch, a type in range (or a marker), flags."""
    argv = ["encode", "--arch", draw(st.sampled_from(ARCH_NAMES)), "--format", "json"]
    argv += ["--spec", draw(st.sampled_from(VERSIONS))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--marker", draw(st.sampled_from(["uffd_wp", "poisoned", "guard"]))]
    else:
        type_ = draw(st.one_of(st.integers(0, 31).map(str), st.sampled_from(
            ["SWP_HWPOISON", "SWP_MIGRATION_READ", "SWP_MIGRATION_WRITE", "SWP_DEVICE_WRITE"])))
        offset = draw(st.integers(0, 2**50))
        argv += ["--type", type_, "--offset", draw(st.sampled_from([hex(offset), str(offset)]))]
    for flag in draw(st.lists(st.sampled_from(["soft_dirty", "uffd_wp", "exclusive"]),
                              max_size=3, unique=True)):
        argv += ["--flag", flag]
    for item in draw(st.lists(VALID_CONFIG, max_size=2)):
        argv += ["--config", item]
    return argv


@st.composite
def hostile_encode(draw) -> list[str]:
    argv = ["encode", "--arch", draw(ARCH_TEXT), "--format", "json"]
    if draw(st.booleans()):
        argv += ["--spec", draw(st.sampled_from(VERSIONS))]
    if draw(st.booleans()):
        argv += ["--type", draw(TYPE_TEXT)]
    if draw(st.booleans()):
        argv += ["--offset", draw(VALUE_TEXT)]
    for flag in draw(st.lists(st.sampled_from(["soft_dirty", "uffd_wp", "exclusive"]), max_size=3)):
        argv += ["--flag", flag]
    for marker in draw(st.lists(MARKER_TEXT, max_size=2)):
        argv += ["--marker", marker]
    for item in draw(st.lists(CONFIG_TEXT, max_size=2)):
        argv += ["--config", item]
    return argv


# three well-formed requests (which must round-trip) for each hostile one
encode_inputs = lambda: st.one_of(well_formed_encode(), well_formed_encode(),  # noqa: E731
                                  well_formed_encode(), hostile_encode())  # fmt: skip


def check_encode_input(argv: list[str], _scratch: Path) -> None:
    """Clean exit; and what encode builds, decode reads back as the same entry."""
    result = run_cli(argv)
    assert_clean(result, (0, 2))
    if result.code != 0:
        return
    built = json.loads(result.out)
    back_argv = ["decode", "--arch", built["arch"], "--spec", built["spec"], "--format", "json"]
    for index, item in enumerate(argv):
        if item == "--config":
            back_argv += ["--config", argv[index + 1]]
    back = run_cli([*back_argv, built["value"]])
    assert_clean(back, (0, 1))
    decoded = json.loads(back.out)
    if "is the empty PTE" in result.err:
        assert not decoded["swap"], decoded  # encode warned: the kernel never stores it
        return
    assert decoded["swap"], (argv, decoded)
    assert (decoded["type"], decoded["offset"]) == (built["type"], built["offset"]), decoded
    assert sorted(decoded["flags"]) == sorted(built["flags"]), decoded


# --- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    what: str
    strategy: st.SearchStrategy
    check: Callable[[Any, Path], None]


TARGETS = (
    Target("spec", "spec loader: mutated bundled specs (lines, structure, bytes)",
           spec_inputs(), check_spec_input),
    Target("mail", "mail/series reader: corpus mails damaged, re-encoded, in mboxes",
           review_case(mail_inputs()), check_review_input),
    Target("diff", "unidiff layer: corpus diffs with broken hunks and headers",
           review_case(series_input(diff_mails())), check_review_input),
    Target("header", "C header reader: generated swap headers mutated, hostile macros",
           header_inputs(), check_header_input),
    Target("decode", "decode values, arches and --config items", decode_inputs(),
           check_decode_input),
    Target("encode", "encode arguments, read back with decode", encode_inputs(),
           check_encode_input),
)  # fmt: skip
