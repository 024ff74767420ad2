"""Kernel headers as the preprocessor sees them under one Kconfig setting; the one place that
knows how a ``#define``, a directive and a ``static inline`` helper are spelled.

``scan_headers`` reads ``#define``/``#undef`` and ``#if/#ifdef/#ifndef/#elif/#else/#endif``
(with ``defined`` and ``IS_ENABLED``), follows ``#include`` of the other headers it was given,
and records the macros, the inline functions with their bodies, and the comments of the
active branches, each macro with the conditions it sits under. ``Evaluator`` expands macros
(``#`` is refused, ``##`` pastes) and hands the tokens to ``codegen.csrc.expr``, which does
C's integer arithmetic for the arch's data model. What it cannot evaluate is reported as
Unevaluable with file and line; it never guesses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from codegen.csrc import cint
from codegen.csrc.cint import LP64, CValue, DataModel
from codegen.csrc.expr import evaluate
from codegen.csrc.problems import ExpansionTooBig, ShiftPastWidth, Unevaluable
from codegen.csrc.tokens import is_identifier, tokenize

__all__ = [
    "Comment", "Config", "DataModel", "Evaluator", "ExpansionTooBig", "Function", "HeaderScan",
    "Macro", "ShiftPastWidth", "Unevaluable", "closure", "definitions", "scan_headers",
    "tokenize",
]  # fmt: skip

Config = Mapping[str, bool | int]
"""Kconfig symbols: True (y), False or absent (not set), or an int for numeric options."""

MAX_EXPANSION_DEPTH = 64
MAX_EXPANSION_TOKENS = 20_000
MAX_HEADER_BYTES = 4 * 1024 * 1024


# --- the one spelling of C definitions and directives ---------------------------------------

DEFINE_RE = re.compile(r"^(\s*#\s*define\s+)([A-Za-z_]\w*)(\(([^)]*)\))?(\s*)(.*)$", re.S)
"""``#define NAME(params) body``: prefix, name, (params), params, separator, body."""
DIRECTIVE_RE = re.compile(r"^\s*#\s*(\w+)\s*(.*)$", re.S)
FUNCTION_RE = re.compile(
    r"^\s*(?:static|extern)\s+(?:__always_inline|inline)\b[^;{(]*?\b([A-Za-z_]\w*)\s*\("
)
"""The first line of a ``static inline`` (or ``__always_inline``) helper: its name. Alpha
writes its helpers ``extern inline``."""
GATE_RE = re.compile(r"!?\(?\s*(?:defined\s*\(?\s*|IS_ENABLED\s*\(\s*)?(CONFIG_\w+)\s*\)?\s*\)?")
"""A condition that is one Kconfig option, possibly negated."""
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


@dataclass(frozen=True)
class Define:
    """A ``#define`` line split into its parts (the body with comments left in)."""

    prefix: str  # '#define ' with the line's own spacing
    name: str
    params: tuple[str, ...] | None  # None: object-like
    separator: str  # the blanks between the name (or parameters) and the body
    body: str
    head: str  # the line up to the body, as written


def parse_define(code: str) -> Define | None:
    """A ``#define`` line's parts, or None if the line is not a ``#define``."""
    match = DEFINE_RE.match(code)
    if match is None:
        return None
    prefix, name, has_params, params, separator, body = match.groups()
    param_list = None
    if has_params is not None:
        param_list = tuple(p.strip() for p in params.split(",") if p.strip())
    head = match.group(0)[: match.start(6)]
    return Define(prefix, name, param_list, separator, body.rstrip(), head)


def function_name(code: str) -> str | None:
    """The name of the ``static inline`` helper whose definition starts on this line."""
    match = FUNCTION_RE.match(code)
    return match.group(1) if match and "(" in code else None


GENERATOR_CALL_RE = re.compile(r"^\s*[A-Z_][A-Z0-9_]*\s*\(([^;]*)\)\s*;?\s*$")
"""A top-level macro call, such as ``PTE_BIT_FUNC(swp_mkexclusive, |= ...);``."""


def _split_arguments(text: str) -> list[str]:
    """A macro call's arguments: split at the commas outside parentheses, stripped."""
    arguments, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            arguments.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    return [*arguments, current.strip()]


def generated_function(code: str, names: Iterable[str], prefix: str) -> str | None:
    """The helper a generator macro's call at file level defines, when ``prefix`` and one
    of its arguments spell one of ``names`` (arc writes ``PTE_BIT_FUNC(swp_mkexclusive,
    ...)`` and sh ``PTE_BIT_FUNC(low, swp_mkexclusive, ...)`` for ``pte_swp_mkexclusive``)."""
    match = GENERATOR_CALL_RE.match(code)
    if match is None:
        return None
    wanted = set(names)
    for argument in _split_arguments(match.group(1)):
        name = prefix + argument
        if name in wanted:
            return name
    return None


def directive(code: str) -> tuple[str, str] | None:
    """(``if``, rest) for a preprocessor line; None for any other line."""
    match = DIRECTIVE_RE.match(code)
    return (match.group(1), match.group(2).strip()) if match else None


# --- what a scan records ------------------------------------------------------------------


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...] | None  # None: object-like
    body: str
    file: str
    line: int
    conditions: tuple[str, ...] = ()  # the #if conditions it sits under, outermost first

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def text(self) -> str:
        """The definition as a single #define line, continuations joined."""
        params = "" if self.params is None else "(" + ", ".join(self.params) + ")"
        return f"#define {self.name}{params} {self.body}".rstrip()

    def gate(self) -> str | None:
        """The Kconfig option of the innermost ``#ifdef CONFIG_X`` (``#if IS_ENABLED(..)``,
        ``#ifndef``, ``#else``) around the definition, if any."""
        for condition in reversed(self.conditions):
            match = GATE_RE.fullmatch(condition)
            if match:
                return match.group(1)
        return None


@dataclass(frozen=True)
class Function:
    name: str
    text: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Comment:
    text: str
    file: str
    line: int  # first line


@dataclass
class HeaderScan:
    """The macros and inline functions of the active branches, in definition order."""

    macros: dict[str, Macro] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    problems: list[Unevaluable] = field(default_factory=list)
    undefined: set[str] = field(default_factory=set)


# --- logical lines ------------------------------------------------------------------------


class LogicalLine(NamedTuple):  # a tuple: a header has thousands, made on every read
    line: int  # first physical line
    code: str  # without comments, continuations joined
    comments: tuple[Comment, ...]


_SPECIAL_RE = re.compile(r"[/\"']")
"""The characters that can start a comment or a quoted string."""


@functools.lru_cache(maxsize=64)
def logical_lines(text: str, path: str = "") -> tuple[LogicalLine, ...]:
    """The lines of C text with backslash continuations joined and comments taken out
    (cached: a tree's headers are read under several Kconfig settings)."""
    out: list[LogicalLine] = []
    lines = text.split("\n")
    i = 0
    in_comment: list[str] | None = None
    comment_start = 0
    pending: list[Comment] = []
    special = _SPECIAL_RE.search
    make_line = tuple.__new__  # what LogicalLine(...) calls, without its Python-level __new__
    while i < len(lines):
        start = i + 1
        code = ""
        while True:
            raw = lines[i]
            i += 1
            pos = 0
            piece = ""
            while pos < len(raw):
                if in_comment is not None:
                    end = raw.find("*/", pos)
                    if end < 0:
                        in_comment.append(raw[pos:])
                        pos = len(raw)
                    else:
                        in_comment.append(raw[pos:end])
                        pending.append(Comment("\n".join(in_comment), path, comment_start))
                        in_comment = None
                        pos = end + 2
                        piece += " "
                    continue
                found = special(raw, pos)
                if found is None:  # nothing more to strip: most lines, whole
                    piece += raw[pos:]
                    break
                piece += raw[pos : found.start()]
                pos = found.start()
                if raw.startswith("/*", pos):
                    in_comment = []
                    comment_start = i + 1  # lines are numbered from 1
                    pos += 2
                    continue
                if raw.startswith("//", pos):
                    pending.append(Comment(raw[pos + 2 :], path, i + 1))
                    break
                quote = raw[pos]
                if quote in "\"'":
                    end = pos + 1
                    while end < len(raw) and raw[end] != quote:
                        end += 2 if raw[end] == "\\" else 1
                    piece += raw[pos : end + 1]
                    pos = end + 1
                    continue
                piece += quote  # a '/' that starts no comment
                pos += 1
            if piece.endswith("\\") and i < len(lines):
                code += piece[:-1] + " "
                continue
            code += piece
            break
        out.append(make_line(LogicalLine, (start, code, tuple(pending))))
        pending = []
    return tuple(out)


def definitions(text: str, path: str = "") -> dict[str, int]:
    """Every ``#define`` and ``static inline`` helper in ``text``, in any branch: name -> the
    line of its first definition. (``path`` as the scan of that file gave it, whose logical
    lines are then read once.)"""
    found: dict[str, int] = {}
    for line in logical_lines(text, path):
        define = parse_define(line.code)
        name = define.name if define else function_name(line.code)
        if name:
            found.setdefault(name, line.line)
    return found


# --- the kernel's helper macros -----------------------------------------------------------

KERNEL_HELPERS = {
    "_AT": (("T", "X"), "((T)(X))"),
    "_AC": (("X", "Y"), "X##Y"),
    "_UL": (("x",), "(_AC(x, UL))"),
    "_ULL": (("x",), "(_AC(x, ULL))"),
    "UL": (("x",), "(_UL(x))"),
    "ULL": (("x",), "(_ULL(x))"),
    "_BITUL": (("x",), "(_UL(1) << (x))"),
    "_BITULL": (("x",), "(_ULL(1) << (x))"),
    "BIT": (("nr",), "(UL(1) << (nr))"),
    "BIT_ULL": (("nr",), "(ULL(1) << (nr))"),
    "_ULCAST_": (("x",), "((unsigned long)(x))"),
    "GENMASK": (("h", "l"), "((~UL(0) << (l)) & (~UL(0) >> (BITS_PER_LONG - 1 - (h))))"),
    "GENMASK_ULL": (("h", "l"), "((~ULL(0) << (l)) & (~ULL(0) >> (63 - (h))))"),
    "__GENMASK": (("h", "l"), "GENMASK(h, l)"),
    "__GENMASK_ULL": (("h", "l"), "GENMASK_ULL(h, l)"),
}
"""Our own definitions of the include/linux/bits.h and const.h helpers the swap headers use
(the trees' headers that define them are not read); BITS_PER_LONG comes from the model."""


def _helper_macros(model: DataModel) -> dict[str, Macro]:
    helpers = {
        name: Macro(name, params, body, "<kernel helper>", 0)
        for name, (params, body) in KERNEL_HELPERS.items()
    }
    for name in ("BITS_PER_LONG", "__BITS_PER_LONG"):
        helpers[name] = Macro(name, None, str(model.long_bits), "<kernel helper>", 0)
    helpers["BITS_PER_LONG_LONG"] = Macro("BITS_PER_LONG_LONG", None, "64", "<kernel helper>", 0)
    return helpers


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Evaluator:
    """Integer evaluation with macro expansion against a HeaderScan and a Kconfig setting."""

    scan: HeaderScan
    config: Config
    model: DataModel = LP64
    in_if: bool = False  # #if: the preprocessor's arithmetic, unknown CONFIG_ symbols are 0

    def __post_init__(self) -> None:
        self.helpers = _helper_macros(self.model)

    def value(self, name_or_expr: str, where: str = "") -> int:
        """The value of an expression (or a macro's name) as a Python int."""
        return self.cvalue(name_or_expr, where).value

    def cvalue(self, name_or_expr: str, where: str = "") -> CValue:
        return self.evaluate(tokenize(name_or_expr), where)

    def evaluate(self, tokens: list[str], where: str = "") -> CValue:
        expanded = self.expand(tokens, frozenset(), 0, where)
        for index, token in enumerate(expanded):
            macro = self.macro(token) if is_identifier(token) else None
            if macro is None:
                continue
            called = index + 1 < len(expanded) and expanded[index + 1] == "("
            if macro.params is not None and not called:
                raise Unevaluable(f"{token} is a function-like macro, used without (args)", where)
            raise Unevaluable(f"{token} expands to itself (a recursive macro)", where)
        return evaluate(
            expanded,
            self.model,
            preprocessor=self.in_if,
            identifier=lambda name: self._identifier(name, where),
            where=where,
        )

    def macro(self, name: str) -> Macro | None:
        return self.scan.macros.get(name) or self.helpers.get(name)

    # expansion -----------------------------------------------------------------------------

    def expand(self, tokens: list[str], hide: frozenset[str], depth: int, where: str) -> list[str]:
        if depth > MAX_EXPANSION_DEPTH:
            raise ExpansionTooBig("macro expansion nests too deep (recursive macro?)", where)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if len(out) > MAX_EXPANSION_TOKENS:
                raise ExpansionTooBig("macro expansion grows without bound", where)
            if token == "defined" and self.in_if:
                name, i = self._defined_operand(tokens, i + 1, where)
                out.append("1" if self._is_defined(name) else "0")
                continue
            if token == "IS_ENABLED" and i + 1 < len(tokens) and tokens[i + 1] == "(":
                args, i = _collect_args(tokens, i + 1, where)
                if len(args) != 1 or len(args[0]) != 1:
                    raise Unevaluable("IS_ENABLED takes one Kconfig symbol", where)
                out.append("1" if self.config.get(args[0][0], False) else "0")
                continue
            macro = self.macro(token) if is_identifier(token) and token not in hide else None
            if macro is None:
                out.append(token)
                i += 1
                continue
            if macro.params is None:
                body = tokenize(macro.body)
                out.extend(self.expand(body, hide | {token}, depth + 1, macro.where))
                i += 1
                continue
            if i + 1 >= len(tokens) or tokens[i + 1] != "(":
                out.append(token)
                i += 1
                continue
            args, i = _collect_args(tokens, i + 1, where)
            if len(args) != len(macro.params) and not (len(macro.params) == 0 and args == [[]]):
                raise Unevaluable(
                    f"{token} takes {len(macro.params)} arguments, got {len(args)}", where
                )
            body = self._substitute(macro, args, hide, depth, where)
            out.extend(self.expand(body, hide | {token}, depth + 1, macro.where))
        return out

    def _substitute(
        self, macro: Macro, args: list[list[str]], hide: frozenset[str], depth: int, where: str
    ) -> list[str]:
        """The body with arguments in place: expanded, except next to ``##``, which pastes."""
        params = macro.params or ()
        body = tokenize(macro.body)
        out: list[str] = []
        for index, part in enumerate(body):
            if part == "#":
                raise Unevaluable(f"{macro.name} turns an argument into a string (#)", where)
            pasted = "##" in body[max(0, index - 1) : index] or "##" in body[index + 1 : index + 2]
            if part in params:
                arg = args[params.index(part)]
                out.extend(arg if pasted else self.expand(arg, hide, depth + 1, where))
            else:
                out.append(part)
        return _paste(out, macro.name, where)

    def _defined_operand(self, tokens: list[str], i: int, where: str) -> tuple[str, int]:
        if i < len(tokens) and tokens[i] == "(":
            if i + 2 < len(tokens) and tokens[i + 2] == ")":
                return tokens[i + 1], i + 3
            raise Unevaluable("malformed defined()", where)
        if i < len(tokens):
            return tokens[i], i + 1
        raise Unevaluable("defined without a name", where)

    def _is_defined(self, name: str) -> bool:
        if name.startswith("CONFIG_"):
            return bool(self.config.get(name, False))
        return name in self.scan.macros or name in self.helpers

    def _identifier(self, name: str, where: str) -> CValue:
        """What an identifier left after expansion is: a Kconfig value, or unknown."""
        if name.startswith("CONFIG_"):
            value = self.config.get(name, False)
            return cint.literal(str(int(value)), self.model, preprocessor=self.in_if)
        macro = self.macro(name)
        if macro is not None and macro.params is not None:
            raise Unevaluable(f"{name} is a function-like macro, used without (args)", where)
        if macro is not None:  # left unexpanded: it was already being expanded
            raise Unevaluable(f"{name} expands to itself (a recursive macro)", where)
        if self.in_if:
            raise Unevaluable(f"#if uses {name}, which no header read here defines", where)
        self.scan.undefined.add(name)
        raise Unevaluable(f"{name} is not defined in the headers read", where)


def _collect_args(tokens: list[str], i: int, where: str) -> tuple[list[list[str]], int]:
    """Arguments of a macro call starting at the '(' at ``i``; returns them and the next index."""
    depth = 0
    args: list[list[str]] = [[]]
    j = i
    while j < len(tokens):
        token = tokens[j]
        if token == "(":
            depth += 1
            if depth > 1:
                args[-1].append(token)
        elif token == ")":
            depth -= 1
            if depth == 0:
                return args, j + 1
            args[-1].append(token)
        elif token == "," and depth == 1:
            args.append([])
        else:
            args[-1].append(token)
        j += 1
    raise Unevaluable("unbalanced parentheses in a macro call", where)


def _paste(tokens: list[str], name: str, where: str) -> list[str]:
    """Apply ``##``: the tokens on either side become one token (or Unevaluable)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "##":
            if not out or i + 1 >= len(tokens):
                raise Unevaluable(f"{name}: ## at the edge of its body", where)
            joined = out.pop() + tokens[i + 1]
            if len(tokenize(joined)) != 1:
                raise Unevaluable(f"{name}: ## makes {joined!r}, not one token", where)
            out.append(joined)
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out


# --- scanning headers ---------------------------------------------------------------------


@dataclass
class _Frame:
    parent_active: bool
    taken: bool
    active: bool
    condition: str  # as the directive states it, "!X" for #ifndef X, "!(...)" for #else
    unknown: bool = False
    problem: Unevaluable | None = None


def include_target(include: str, current: str, known: Iterable[str]) -> str | None:
    """The listed header an ``#include`` names, if any: <asm/x.h> matches .../include/asm/x.h,
    and csky's <abi/x.h> its ABI's .../inc/abi/x.h (its Makefile adds arch/csky/abiv*/inc)."""
    current_dir = current.rsplit("/", 1)[0] if "/" in current else ""
    for path in known:
        under_include_dir = path.endswith((f"/include/{include}", f"/inc/{include}"))
        if under_include_dir or path == f"include/{include}":
            return path
        if current_dir and path == f"{current_dir}/{include}":
            return path
    return None


def _seeded(predefined: Mapping[str, str] | None) -> HeaderScan:
    """An empty scan holding the macros swapgen defines itself (page size and the like)."""
    scan = HeaderScan()
    for name, value in (predefined or {}).items():
        scan.macros[name] = Macro(name, None, value, "<swapgen>", 0)
    return scan


def scan_headers(
    files: Iterable[tuple[str, str]],
    config: Config,
    model: DataModel = LP64,
    predefined: Mapping[str, str] | None = None,
) -> HeaderScan:
    """Scan (path, text) headers under ``config``; later definitions win.

    An ``#include`` of another listed header is followed where it stands, in the active
    branch only; a listed header that some listed header includes is read only that way
    (so arm's pgtable-3level.h is skipped unless CONFIG_ARM_LPAE selects it).
    """
    texts = dict(files)
    scan = _seeded(predefined)
    included = {
        target
        for path, text in texts.items()
        for include in INCLUDE_RE.findall(text)
        if (target := include_target(include, path, texts)) and target != path
    }
    done: set[str] = set()
    reader = _Reader(scan, texts, config, model)

    def visit(path: str) -> None:
        if path in done:
            return
        done.add(path)
        text = texts[path]
        if len(text) > MAX_HEADER_BYTES:
            scan.problems.append(
                Unevaluable(f"header is {len(text)} bytes, more than this reader takes", path)
            )
            return
        reader.read(path, text, visit)

    for path in texts:
        if path not in included:
            visit(path)
    return scan


def scan_fragments(
    fragments: Iterable[tuple[str, str]],
    config: Config,
    model: DataModel = LP64,
    predefined: Mapping[str, str] | None = None,
) -> HeaderScan:
    """Scan pieces of files (a diff's hunks, each padded to its own line numbers), each with
    its own #if stack so a block a piece cuts open does not swallow the next; later pieces
    win. ``#include`` is not followed."""
    scan = _seeded(predefined)
    reader = _Reader(scan, {}, config, model)
    for path, text in fragments:
        if len(text) > MAX_HEADER_BYTES:
            scan.problems.append(Unevaluable("fragment too large for this reader", path))
            continue
        reader.read(path, text, lambda _target: None)
    return scan


ENUM_START_RE = re.compile(r"\s*(?:typedef\s+)?enum\b[^;=()]*\{")
"""An enum definition's first line: MIPS gives its PTE bits' shifts as enumerators."""


class _Enum:
    """The enumerators of one enum definition, each read as an object-like macro whose body
    is its value (an explicit one, or one more than the enumerator before it), so the
    reader evaluates them and the probe's compiler gets them as #defines; an enumerator
    under an #if the Kconfig turns off is never seen (MIPS's _PAGE_SOFT_DIRTY_SHIFT)."""

    def __init__(self, path: str, conditions: tuple[str, ...]):
        self.path = path
        self.conditions = conditions
        self.previous: str | None = None
        self.opened = False

    def take(self, code: str, line: int, macros: dict[str, Macro]) -> bool:
        """Read one line of it into ``macros``; True once the enum is closed."""
        if not self.opened:
            code = code.split("{", 1)[1]
            self.opened = True
        body, closed = code, False
        if "}" in code:
            body, closed = code.split("}", 1)[0], True
        for item in _split_arguments(body):
            name, _, value = (part.strip() for part in item.partition("="))
            if not re.fullmatch(r"[A-Za-z_]\w*", name):
                continue
            if not value:
                value = f"({self.previous} + 1)" if self.previous else "0"
            macros[name] = Macro(name, None, value, self.path, line, self.conditions)
            self.previous = name
        return closed


class _Reader:
    """Walks one header's logical lines, keeping the #if stack."""

    def __init__(
        self, scan: HeaderScan, texts: Mapping[str, str], config: Config, model: DataModel
    ):
        self.scan = scan
        self.texts = texts
        self.evaluator = Evaluator(scan, config, model, in_if=True)

    def read(self, path: str, text: str, visit: Callable[[str], None]) -> None:
        stack: list[_Frame] = []
        lines = logical_lines(text, path)
        index = 0
        active = True  # every frame of the stack is active: recomputed when it changes
        enum: _Enum | None = None  # an enum { ... } being read, its active lines only
        while index < len(lines):
            line = lines[index]
            index += 1
            if active and line.comments:
                self.scan.comments.extend(line.comments)
            code = line.code
            found = directive(code) if code.lstrip().startswith("#") else None
            if found is None and active and (enum is not None or ENUM_START_RE.match(code)):
                enum = enum or _Enum(path, tuple(frame.condition for frame in stack))
                if enum.take(code, line.line, self.scan.macros):
                    enum = None
                continue
            if found is None:
                if active and "(" in code and (name := function_name(code)):
                    index = self._take_function(path, lines, index - 1, name)
                elif active and (made := self._generated(code)) is not None:
                    self.scan.functions[made[0]] = Function(made[0], made[1], path, line.line)
                continue
            if self._conditional(stack, *found, f"{path}:{line.line}"):
                active = all(frame.active for frame in stack)
            elif active:
                self._definition(path, line, found, stack, visit)
            else:
                _note_shadowed(stack, code)

    def _conditional(self, stack: list[_Frame], kind: str, rest: str, where: str) -> bool:
        """Apply an #if/#elif/#else/#endif; False for any other directive."""
        if kind in ("if", "ifdef", "ifndef"):
            parent = all(frame.active for frame in stack)
            text = rest if kind == "if" else (f"!{rest}" if kind == "ifndef" else rest)
            frame = _Frame(parent, False, False, " ".join(text.split()))
            if parent:
                self._decide(frame, kind, rest, where)
            stack.append(frame)
        elif kind == "elif":
            if stack:
                frame = stack[-1]
                frame.condition = " ".join(rest.split())
                if frame.parent_active and not frame.taken and not frame.unknown:
                    self._decide(frame, "if", rest, where)
                else:
                    frame.active = False
        elif kind == "else":
            if stack:
                frame = stack[-1]
                frame.active = frame.parent_active and not frame.taken and not frame.unknown
                frame.taken = True
                frame.condition = f"!({frame.condition})"
        elif kind == "endif":
            if stack:
                stack.pop()
        else:
            return False
        return True

    def _decide(self, frame: _Frame, kind: str, rest: str, where: str) -> None:
        try:
            truth = self._condition(kind, rest, where)
            frame.active = frame.taken = truth
        except Unevaluable as err:
            frame.unknown = True
            frame.problem = err
            frame.active = False
            self.scan.problems.append(err)

    def _condition(self, kind: str, rest: str, where: str) -> bool:
        ev = self.evaluator
        if kind in ("ifdef", "ifndef"):
            words = rest.split()
            if not words:
                raise Unevaluable(f"#{kind} without a name", where)
            return ev._is_defined(words[0]) == (kind == "ifdef")
        return bool(ev.evaluate(tokenize(rest), where).value)

    def _definition(
        self,
        path: str,
        line: LogicalLine,
        found: tuple[str, str],
        stack: list[_Frame],
        visit: Callable[[str], None],
    ) -> None:
        kind, rest = found
        if kind == "define":
            define = parse_define(line.code)
            if define is not None:
                conditions = tuple(frame.condition for frame in stack)
                self.scan.macros[define.name] = Macro(
                    define.name, define.params, define.body.strip(), path, line.line, conditions
                )
        elif kind == "undef":
            self.scan.macros.pop(rest.split()[0] if rest else "", None)
        elif kind == "include":
            include = INCLUDE_RE.match(line.code)
            target = include_target(include.group(1), path, self.texts) if include else None
            if target and target != path:
                visit(target)

    def _generated(self, code: str) -> tuple[str, str] | None:
        """(name, text) of the inline helper a file-level call of a generator macro defines
        (arc's ``PTE_BIT_FUNC(swp_mkexclusive, |= (_PAGE_SWP_EXCLUSIVE));``), else None."""
        match = GENERATOR_CALL_RE.match(code)
        macro = self.scan.macros.get(code.split("(", 1)[0].strip()) if match else None
        if match is None or macro is None or macro.params is None:
            return None
        if not macro.body.lstrip().startswith("static inline"):
            return None
        arguments = _split_arguments(match.group(1))
        if len(arguments) != len(macro.params):
            return None
        values = dict(zip(macro.params, arguments, strict=True))
        pattern = r"\b(" + "|".join(map(re.escape, macro.params)) + r")\b"
        text = re.sub(pattern, lambda m: values[m.group(1)], macro.body)
        text = re.sub(r"\s*##\s*", "", text)
        name = function_name(text)
        return (name, text) if name else None

    def _take_function(
        self, path: str, lines: Sequence[LogicalLine], start: int, name: str
    ) -> int:
        """Record the inline function whose definition starts at lines[start]; the next index."""
        text_lines = []
        depth = 0
        seen_brace = False
        index = start
        branches: list[bool] = []  # per #if inside it: still in its first branch
        while index < len(lines):
            code = lines[index].code
            index += 1
            text_lines.append(code)
            found = directive(code) if code.lstrip().startswith("#") else None
            if found is not None:
                kind = found[0]
                if kind in ("if", "ifdef", "ifndef"):
                    branches.append(True)
                elif kind in ("elif", "else") and branches:
                    branches[-1] = False
                elif kind == "endif" and branches:
                    branches.pop()
                continue
            if not all(branches):
                continue  # the other branches open the same braces (MIPS's set_pte)
            if not seen_brace and ";" in code and "{" not in code:
                return index  # a prototype, not a definition
            depth += code.count("{") - code.count("}")
            seen_brace = seen_brace or "{" in code
            if seen_brace and depth <= 0:
                break
        self.scan.functions[name] = Function(name, "\n".join(text_lines), path, lines[start].line)
        return index


def _note_shadowed(stack: list[_Frame], code: str) -> None:
    """Remember what an unevaluable #if hid, so a caller can tell whether it mattered."""
    problems = [frame.problem for frame in stack if frame.problem is not None]
    define = parse_define(code)
    if problems and define:
        problems[-1].shadowed.add(define.name)


# --- dependency closure for compiling tree code -------------------------------------------

C_WORDS = {
    "static", "inline", "__always_inline", "return", "if", "else", "unsigned", "signed", "long",
    "int", "char", "short", "void", "const", "struct", "sizeof", "bool", "true", "false",
    "while", "for", "do", "switch", "case", "break", "default", "typeof", "__typeof__",
}  # fmt: skip


def closure(scan: HeaderScan, roots: Iterable[str], provided: set[str]) -> list[Macro | Function]:
    """Macros and functions ``roots`` need, dependencies first, minus what ``provided`` has."""
    order: list[Macro | Function] = []
    seen: set[str] = set()

    def visit(name: str, depth: int = 0) -> None:
        if name in seen or name in provided or name in C_WORDS or depth > 200:
            return
        seen.add(name)
        item: Macro | Function | None = scan.functions.get(name) or scan.macros.get(name)
        if item is None:
            return
        text = item.text if isinstance(item, Function) else item.body
        for ident in re.findall(r"[A-Za-z_]\w*", _strip_strings(text)):
            if isinstance(item, Macro) and item.params and ident in item.params:
                continue
            if ident != name:
                visit(ident, depth + 1)
        order.append(item)

    for root in roots:
        visit(root)
    return order


def _strip_strings(text: str) -> str:
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def values(
    scan: HeaderScan, config: Config, model: DataModel, names: Sequence[str]
) -> dict[str, int | Unevaluable]:
    """Each named macro's value, or why it has none."""
    evaluator = Evaluator(scan, config, model)
    out: dict[str, int | Unevaluable] = {}
    for name in names:
        macro = scan.macros.get(name)
        try:
            out[name] = evaluator.value(name, macro.where if macro else "")
        except Unevaluable as err:
            out[name] = err
    return out


def uses(texts: Mapping[str, str], name: str) -> list[tuple[str, int]]:
    """(file, line) of the first line in each text that uses ``name``, other than its own
    ``#define``."""
    found = []
    for path, text in texts.items():
        for line in logical_lines(text):
            define = parse_define(line.code)
            if define and define.name == name:
                continue
            if name in tokenize_loosely(line.code):
                found.append((path, line.line))
                break
    return found


def tokenize_loosely(code: str) -> set[str]:
    """The identifiers of a line of C, whatever else it holds."""
    return set(re.findall(r"[A-Za-z_]\w*", code))
