"""Reading kernel C headers: an honest small preprocessor for what the swap headers use.

It handles ``#define`` (object- and function-like), ``#undef``, ``#if/#ifdef/#ifndef/#elif/
#else/#endif`` under a given Kconfig setting (``defined``, ``IS_ENABLED``), and evaluates
integer constant expressions (``BIT``, ``BIT_ULL``, ``_BITUL``, ``_BITULL``, ``_AT``, ``_UL``,
``GENMASK``, casts, U/UL/ULL suffixes, shifts, ``~ | &``, ternaries). What it cannot evaluate
it reports as :class:`Unevaluable` with file and line; it never guesses. It also records the
``static inline`` functions of the active branches, so callers can compile them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Config = Mapping[str, bool | int]
"""Kconfig symbols: True (y), False or absent (not set), or an int for numeric options."""

MAX_EXPANSION_DEPTH = 64
MAX_EXPANSION_TOKENS = 20_000
MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_VALUE_BITS = 128
"""No PTE, mask or count in a header is wider; a wider intermediate value is an error."""


class Unevaluable(Exception):
    """A construct the reader does not evaluate; ``where`` is ``file:line``."""

    def __init__(self, message: str, where: str = ""):
        self.where = where
        self.message = message
        self.shadowed: set[str] = set()  # names defined in a branch that was skipped for it
        super().__init__(f"{where}: {message}" if where else message)


class ExpansionTooBig(Unevaluable):
    """A macro whose expansion nests too deep or grows without bound (a recursive macro)."""


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...] | None  # None: object-like
    body: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def text(self) -> str:
        """The definition as a single #define line, continuations joined."""
        params = "" if self.params is None else "(" + ", ".join(self.params) + ")"
        return f"#define {self.name}{params} {self.body}".rstrip()


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


# --- lexing -------------------------------------------------------------------------------

TOKEN_RE = re.compile(
    r"""
    (?P<number>0[xX][0-9a-fA-F]+[uUlL]*|[0-9]+[uUlL]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><<|>>|<=|>=|==|!=|&&|\|\||\#\#|[-+*/%&|^~!<>?:(),\#])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.X,
)


def tokenize(text: str) -> list[str]:
    tokens = []
    for match in TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "other":
            raise Unevaluable(f"unexpected character {match.group()!r} in {text.strip()!r}")
        tokens.append(match.group())
    return tokens


def _logical_lines(text: str) -> list[tuple[int, str, list[Comment]]]:
    """(first line number, code without comments, comments) with continuations joined."""
    out: list[tuple[int, str, list[Comment]]] = []
    lines = text.split("\n")
    i = 0
    in_comment: list[str] | None = None
    comment_start = 0
    pending_comments: list[Comment] = []
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
                        pending_comments.append(Comment("\n".join(in_comment), "", comment_start))
                        in_comment = None
                        pos = end + 2
                        piece += " "
                    continue
                if raw.startswith("/*", pos):
                    in_comment = []
                    comment_start = i
                    pos += 2
                    continue
                if raw.startswith("//", pos):
                    pending_comments.append(Comment(raw[pos + 2 :], "", i))
                    break
                quote = raw[pos]
                if quote in "\"'":
                    end = pos + 1
                    while end < len(raw) and raw[end] != quote:
                        end += 2 if raw[end] == "\\" else 1
                    piece += raw[pos : end + 1]
                    pos = end + 1
                    continue
                piece += raw[pos]
                pos += 1
            if piece.endswith("\\") and i < len(lines):
                code += piece[:-1] + " "
                continue
            code += piece
            break
        out.append((start, code, pending_comments))
        pending_comments = []
    return out


# --- expression evaluation ----------------------------------------------------------------

TYPE_WORDS = {
    "unsigned", "signed", "long", "int", "char", "short", "u8", "u16", "u32", "u64", "s8",
    "s16", "s32", "s64", "__u32", "__u64", "pteval_t", "pmdval_t", "phys_addr_t", "size_t",
    "pgprotval_t", "pgoff_t", "const",
}  # fmt: skip

BUILTIN_FUNCTIONS = {
    "BIT", "BIT_ULL", "_BITUL", "_BITULL", "_AT", "_AC", "_UL", "_ULL", "UL", "ULL",
    "GENMASK", "GENMASK_ULL", "IS_ENABLED", "defined", "_ULCAST_",
}  # fmt: skip


@dataclass
class Evaluator:
    """Integer evaluation with macro expansion against a HeaderScan and a Kconfig setting."""

    scan: HeaderScan
    config: Config
    long_bits: int = 64
    pte_bits: int = 64
    in_if: bool = False  # #if: unknown CONFIG_ identifiers are 0

    def value(self, name_or_expr: str, where: str = "") -> int:
        tokens = tokenize(name_or_expr)
        return self.evaluate(tokens, where)

    def evaluate(self, tokens: list[str], where: str = "") -> int:
        expanded = self.expand(tokens, frozenset(), 0, where)
        parser = _Parser(expanded, self, where)
        result = parser.parse_expression()
        if parser.pos != len(expanded):
            raise Unevaluable(f"cannot evaluate {' '.join(expanded)!r}", where)
        return result

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
            if token in BUILTIN_FUNCTIONS or token in hide or not _is_ident(token):
                out.append(token)
                i += 1
                continue
            macro = self.scan.macros.get(token)
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
            body = tokenize(macro.body)
            if "#" in body or "##" in body:
                raise Unevaluable(f"{token} uses # or ##, which this reader does not expand", where)
            expanded_args = [self.expand(a, hide, depth + 1, where) for a in args]
            substituted: list[str] = []
            for part in body:
                if part in macro.params:
                    substituted.extend(["(", *expanded_args[macro.params.index(part)], ")"])
                else:
                    substituted.append(part)
            out.extend(self.expand(substituted, hide | {token}, depth + 1, macro.where))
        return out

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
        return name in self.scan.macros

    def config_value(self, name: str) -> int:
        return int(self.config.get(name, False))

    def mask(self, value: int, bits: int | None = None) -> int:
        return value & ((1 << (bits or self.long_bits)) - 1)


def _is_ident(token: str) -> bool:
    return bool(token) and (token[0].isalpha() or token[0] == "_")


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


_BINARY = {
    "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7, "<=": 7,
    ">=": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}  # fmt: skip


class _Parser:
    """Precedence climbing over expanded tokens; values are Python ints, masked like C."""

    def __init__(self, tokens: list[str], ev: Evaluator, where: str):
        self.tokens = tokens
        self.pos = 0
        self.ev = ev
        self.where = where

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise Unevaluable(
                f"expected {expected or 'more'} in {' '.join(self.tokens)!r}", self.where
            )
        self.pos += 1
        return token

    def parse_expression(self) -> int:
        condition = self.parse_binary(1)
        if self.peek() == "?":
            self.take("?")
            yes = self.parse_expression()
            self.take(":")
            no = self.parse_expression()
            return yes if condition else no
        return condition

    def parse_binary(self, min_prec: int) -> int:
        left = self.parse_unary()
        while True:
            op = self.peek()
            prec = _BINARY.get(op or "")
            if prec is None or prec < min_prec:
                return left
            self.take()
            if op == "&&" and not left:
                self.parse_binary(prec + 1)
                left = 0
                continue
            if op == "||" and left:
                self.parse_binary(prec + 1)
                left = 1
                continue
            right = self.parse_binary(prec + 1)
            left = self.apply(op, left, right)

    def apply(self, op: str, a: int, b: int) -> int:
        ev = self.ev
        if op in ("/", "%") and b == 0:
            raise Unevaluable("division by zero", self.where)
        if op in ("<<", ">>") and b < 0:
            raise Unevaluable(f"shift by a negative count ({b})", self.where)
        result = {
            "||": lambda: int(bool(a) or bool(b)),
            "&&": lambda: int(bool(a) and bool(b)),
            "|": lambda: a | b,
            "^": lambda: a ^ b,
            "&": lambda: a & b,
            "==": lambda: int(a == b),
            "!=": lambda: int(a != b),
            "<": lambda: int(a < b),
            ">": lambda: int(a > b),
            "<=": lambda: int(a <= b),
            ">=": lambda: int(a >= b),
            "<<": lambda: ev.mask(a << b) if b < 128 else 0,
            ">>": lambda: a >> b,
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "/": lambda: int(a / b),
            "%": lambda: a % b,
        }[op]()
        return _bounded(result, self.where)

    def parse_unary(self) -> int:
        token = self.peek()
        if token == "~":
            self.take()
            return self.ev.mask(~self.parse_unary())
        if token == "!":
            self.take()
            return int(not self.parse_unary())
        if token == "-":
            self.take()
            return _bounded(-self.parse_unary(), self.where)
        if token == "+":
            self.take()
            return self.parse_unary()
        if token == "(" and self._is_cast():
            bits = self._parse_cast()
            value = self.parse_unary()
            return self.ev.mask(value, bits) if bits else value
        return self.parse_primary()

    def _is_cast(self) -> bool:
        j = self.pos + 1
        seen = False
        while j < len(self.tokens) and self.tokens[j] in TYPE_WORDS:
            j += 1
            seen = True
        return seen and j < len(self.tokens) and self.tokens[j] == ")"

    def _parse_cast(self) -> int | None:
        self.take("(")
        words = []
        while self.peek() != ")":
            words.append(self.take())
        self.take(")")
        if "signed" in words and "unsigned" not in words:
            return None
        if any(w in ("u64", "__u64", "phys_addr_t") for w in words) or words.count("long") == 2:
            return 64
        if "pteval_t" in words or "pmdval_t" in words or "pgprotval_t" in words:
            return self.ev.pte_bits
        if "long" in words or "size_t" in words or "pgoff_t" in words:
            return self.ev.long_bits
        if "unsigned" in words or any(w in ("u32", "__u32") for w in words):
            return 32
        return None

    def parse_primary(self) -> int:
        token = self.take()
        if token == "(":
            value = self.parse_expression()
            self.take(")")
            return value
        if token[0].isdigit():
            return _parse_number(token, self.where)
        if token in BUILTIN_FUNCTIONS:
            return self._builtin(token)
        if token.startswith("CONFIG_"):
            return self.ev.config_value(token)
        if not _is_ident(token):
            raise Unevaluable(f"unexpected {token!r} in the expression", self.where)
        macro = self.ev.scan.macros.get(token)
        if macro is not None and macro.params is not None and self.peek() != "(":
            raise Unevaluable(f"{token} is a function-like macro, used without (args)", self.where)
        if macro is not None:  # left unexpanded: it was already being expanded
            raise Unevaluable(f"{token} expands to itself (a recursive macro)", self.where)
        if self.ev.in_if:
            raise Unevaluable(f"#if uses {token}, which no header read here defines", self.where)
        self.ev.scan.undefined.add(token)
        raise Unevaluable(f"{token} is not defined in the headers read", self.where)

    def _args(self) -> list[int]:
        self.take("(")
        values = [self.parse_expression()]
        while self.peek() == ",":
            self.take(",")
            values.append(self.parse_expression())
        self.take(")")
        return values

    def _builtin(self, name: str) -> int:
        ev = self.ev
        if name in ("_AT", "_AC"):
            self.take("(")
            if name == "_AT":
                words = []
                while self.peek() != ",":
                    words.append(self.take())
                self.take(",")
                value = self.parse_expression()
            else:
                value = self.parse_expression()
                self.take(",")
                self.take()
            self.take(")")
            return value
        if name in ("IS_ENABLED", "defined"):
            self.take("(")
            symbol = self.take()
            self.take(")")
            return (
                int(bool(ev.config.get(symbol, False)))
                if name == "IS_ENABLED"
                else int(ev._is_defined(symbol))
            )
        values = self._args()
        if name not in ("GENMASK", "GENMASK_ULL") and len(values) != 1:
            raise Unevaluable(f"{name} takes 1 argument, got {len(values)}", self.where)
        if name in ("BIT", "_BITUL", "BIT_ULL", "_BITULL") and values[0] < 0:
            raise Unevaluable(f"{name}({values[0]}): a negative bit", self.where)
        if name in ("BIT", "_BITUL", "BIT_ULL", "_BITULL") and values[0] >= MAX_VALUE_BITS:
            raise Unevaluable(f"{name}({values[0]}): beyond any PTE", self.where)
        if name in ("BIT", "_BITUL"):
            return ev.mask(1 << values[0])
        if name in ("BIT_ULL", "_BITULL"):
            return ev.mask(1 << values[0], 64)
        if name in ("_UL", "_ULL", "UL", "ULL"):
            return values[0]
        if name == "_ULCAST_":
            return ev.mask(values[0])
        if name in ("GENMASK", "GENMASK_ULL"):
            if len(values) != 2:
                raise Unevaluable(f"{name} takes 2 arguments, got {len(values)}", self.where)
            high, low = values
            if not 0 <= low <= high < MAX_VALUE_BITS:
                raise Unevaluable(f"{name}({high}, {low}): not a bit range", self.where)
            return ((1 << (high + 1)) - 1) & ~((1 << low) - 1)
        raise Unevaluable(f"unknown builtin {name}", self.where)


def _parse_number(token: str, where: str = "") -> int:
    digits = token.rstrip("uUlL")
    if len(digits) > MAX_VALUE_BITS // 3 + 2:
        raise Unevaluable(f"{token[:20]}...: wider than {MAX_VALUE_BITS} bits", where)
    try:
        if digits.lower().startswith("0x"):
            return _bounded(int(digits, 16), where)
        if digits.startswith("0") and len(digits) > 1:
            return _bounded(int(digits, 8), where)
        return _bounded(int(digits), where)
    except ValueError:
        raise Unevaluable(f"{token} is not a C integer literal", where) from None


def _bounded(value: int, where: str) -> int:
    if value.bit_length() > MAX_VALUE_BITS:
        raise Unevaluable(f"a value wider than {MAX_VALUE_BITS} bits", where)
    return value


# --- scanning headers ---------------------------------------------------------------------

DEFINE_RE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?\s*(.*)$", re.S)
DIRECTIVE_RE = re.compile(r"#\s*(\w+)\s*(.*)$", re.S)
FUNCTION_RE = re.compile(r"^\s*static\s+(?:__always_inline|inline)\b[^;{]*?\b([A-Za-z_]\w*)\s*\(")


@dataclass
class _Frame:
    parent_active: bool
    taken: bool
    active: bool
    unknown: bool = False
    problem: Unevaluable | None = None


INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def include_target(include: str, current: str, known: Iterable[str]) -> str | None:
    """The listed header an ``#include`` names, if any: <asm/x.h> matches .../include/asm/x.h."""
    current_dir = current.rsplit("/", 1)[0] if "/" in current else ""
    for path in known:
        if path.endswith("/include/" + include) or path == f"include/{include}":
            return path
        if current_dir and path == f"{current_dir}/{include}":
            return path
    return None


def scan_headers(
    files: Iterable[tuple[str, str]],
    config: Config,
    long_bits: int = 64,
    pte_bits: int = 64,
    predefined: Mapping[str, str] | None = None,
) -> HeaderScan:
    """Scan (path, text) headers under ``config``; later definitions win.

    An ``#include`` of another listed header is followed where it stands, in the active
    branch only; a listed header that some listed header includes is read only that way
    (so arm's pgtable-3level.h is skipped unless CONFIG_ARM_LPAE selects it).
    """
    texts = dict(files)
    scan = HeaderScan()
    for name, value in (predefined or {}).items():
        scan.macros[name] = Macro(name, None, value, "<swapgen>", 0)
    included = {
        target
        for path, text in texts.items()
        for include in INCLUDE_RE.findall(text)
        if (target := include_target(include, path, texts)) and target != path
    }
    done: set[str] = set()

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
        _scan_one(scan, path, text, config, long_bits, pte_bits, texts, visit)

    for path in texts:
        if path not in included:
            visit(path)
    return scan


def _scan_one(
    scan: HeaderScan,
    display: str,
    text: str,
    config: Config,
    long_bits: int,
    pte_bits: int,
    texts: Mapping[str, str] | None = None,
    visit=None,
) -> None:
    stack: list[_Frame] = []
    lines = _logical_lines(text)
    evaluator = Evaluator(scan, config, long_bits, pte_bits, in_if=True)
    index = 0

    def active() -> bool:
        return all(frame.active for frame in stack)

    while index < len(lines):
        line_no, code, comments = lines[index]
        index += 1
        if active():
            for comment in comments:
                scan.comments.append(Comment(comment.text, display, comment.line))
        stripped = code.strip()
        if not stripped.startswith("#"):
            if active():
                match = FUNCTION_RE.match(code)
                if match and "(" in code:
                    index = _take_function(scan, display, lines, index - 1, match.group(1))
            continue
        match = DIRECTIVE_RE.match(stripped)
        if not match:
            continue
        directive, rest = match.group(1), match.group(2).strip()
        where = f"{display}:{line_no}"
        if directive in ("if", "ifdef", "ifndef"):
            parent = active()
            frame = _Frame(parent, False, False)
            if parent:
                try:
                    truth = _condition(evaluator, directive, rest, where)
                    frame.active = frame.taken = truth
                except Unevaluable as err:
                    frame.unknown = True
                    frame.problem = err
                    scan.problems.append(err)
            stack.append(frame)
        elif directive == "elif":
            if not stack:
                continue
            frame = stack[-1]
            if frame.parent_active and not frame.taken and not frame.unknown:
                try:
                    truth = _condition(evaluator, "if", rest, where)
                    frame.active = frame.taken = truth
                except Unevaluable as err:
                    frame.unknown = True
                    frame.problem = err
                    frame.active = False
                    scan.problems.append(err)
            else:
                frame.active = False
        elif directive == "else":
            if stack:
                frame = stack[-1]
                frame.active = frame.parent_active and not frame.taken and not frame.unknown
                frame.taken = True
        elif directive == "endif":
            if stack:
                stack.pop()
        elif not active():
            _note_shadowed(stack, directive, stripped)
            continue
        elif directive == "define":
            defined = DEFINE_RE.match(stripped)
            if defined:
                name, has_params, params, body = defined.groups()
                param_list = None
                if has_params is not None:
                    param_list = tuple(p.strip() for p in params.split(",") if p.strip())
                scan.macros[name] = Macro(name, param_list, body.strip(), display, line_no)
        elif directive == "undef":
            scan.macros.pop(rest.split()[0] if rest else "", None)
        elif directive == "include" and visit is not None and texts is not None:
            include = INCLUDE_RE.match(stripped)
            target = include_target(include.group(1), display, texts) if include else None
            if target and target != display:
                visit(target)


def _note_shadowed(stack: list[_Frame], directive: str, stripped: str) -> None:
    """Remember what an unevaluable #if hid, so a caller can tell whether it mattered."""
    if directive != "define":
        return
    problems = [frame.problem for frame in stack if frame.problem is not None]
    defined = DEFINE_RE.match(stripped)
    if problems and defined:
        problems[-1].shadowed.add(defined.group(1))


def _condition(ev: Evaluator, directive: str, rest: str, where: str) -> bool:
    if directive == "ifdef":
        return ev._is_defined(rest.split()[0])
    if directive == "ifndef":
        return not ev._is_defined(rest.split()[0])
    return bool(ev.evaluate(tokenize(rest), where))


def _take_function(scan: HeaderScan, display: str, lines, start: int, name: str) -> int:
    """Record the inline function whose definition starts at lines[start]; return next index."""
    text_lines = []
    depth = 0
    seen_brace = False
    index = start
    while index < len(lines):
        _, code, _ = lines[index]
        index += 1
        text_lines.append(code)
        if not seen_brace and ";" in code and "{" not in code:
            return index  # a prototype, not a definition
        depth += code.count("{") - code.count("}")
        seen_brace = seen_brace or "{" in code
        if seen_brace and depth <= 0:
            break
    scan.functions[name] = Function(name, "\n".join(text_lines), display, lines[start][0])
    return index


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
        item = scan.functions.get(name) or scan.macros.get(name)
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
