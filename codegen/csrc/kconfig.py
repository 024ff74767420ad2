"""Kconfig text as entries, their selects and the conditions they sit under.

The one Kconfig reader: logical lines (continuations joined, comments and help text dropped),
the ``if``/``menu``/``choice`` blocks around each entry, and every expression parsed to a small
AST with one canonical text. Pure functions over text; ``source`` lines are recorded, never
followed. What the reader cannot make sense of is a KconfigProblem with file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

# --- expressions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbol:
    """A symbol, a constant (``y``, ``64BIT``, ``0x10``), a quoted string or a ``$(macro)``."""

    name: str


@dataclass(frozen=True)
class Compare:
    op: str  # one of COMPARISONS
    left: Symbol
    right: Symbol


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node: TypeAlias = Symbol | Compare | Not | And | Or

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
NEGATED = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
"""``!(A op B)`` is ``A NEGATED[op] B``: Kconfig comparisons are y or n, over a total order."""

_OPERATOR_RE = re.compile(r"&&|\|\||!=|<=|>=|[<>=!()]")
_STRING_RE = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./+-")
_SYMBOL_RE = re.compile(r"[A-Za-z0-9_]+")
_IF_RE = re.compile(r"if(?![A-Za-z0-9_])(.*)", re.S)

Token: TypeAlias = tuple[str, str]
"""(kind, text); kind is ``op``, ``string`` or ``word``."""


def _macro_end(text: str, start: int) -> int:
    """Index just past the ``)`` that closes the ``$(`` at ``start``."""
    depth = 0
    for index in range(start + 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    raise ValueError(f"unclosed $( in {text.strip()!r}")


def _word_end(text: str, start: int) -> int:
    """Index just past a word that starts at ``start``; macros may be part of it."""
    index = start
    while index < len(text):
        if text.startswith("$(", index):
            index = _macro_end(text, index)
        elif text[index] in _WORD_CHARS:
            index += 1
        else:
            break
    return index


def tokenize(text: str) -> list[Token]:
    """Tokens of a Kconfig expression or attribute; a stray character is a ValueError."""
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        match = _OPERATOR_RE.match(text, index) or _STRING_RE.match(text, index)
        if match:
            kind = "string" if match.group()[0] in "\"'" else "op"
            tokens.append((kind, match.group()))
            index = match.end()
            continue
        end = _word_end(text, index)
        if end == index:
            raise ValueError(f"unexpected character {text[index]!r} in {text.strip()!r}")
        tokens.append(("word", text[index:end]))
        index = end
    return tokens


class _Parser:
    """Recursive descent with Kconfig's precedence: comparison, then ``!``, ``&&``, ``||``."""

    def __init__(self, tokens: list[Token], text: str):
        self.tokens = tokens
        self.text = text.strip()
        self.index = 0

    def error(self, what: str) -> ValueError:
        where = repr(self.tokens[self.index][1]) if self.index < len(self.tokens) else "the end"
        return ValueError(f"{what} at {where} in {self.text!r}")

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.either()
        if self.index < len(self.tokens):
            raise self.error("unexpected token")
        return node

    def either(self) -> Node:
        operands = [self.both()]
        while self.peek() == "||":
            self.index += 1
            operands.append(self.both())
        return Or(tuple(operands)) if len(operands) > 1 else operands[0]

    def both(self) -> Node:
        operands = [self.unary()]
        while self.peek() == "&&":
            self.index += 1
            operands.append(self.unary())
        return And(tuple(operands)) if len(operands) > 1 else operands[0]

    def unary(self) -> Node:
        if self.peek() == "!":
            self.index += 1
            return Not(self.unary())
        if self.peek() == "(":
            self.index += 1
            node = self.either()
            if self.peek() != ")":
                raise self.error("expected ')'")
            self.index += 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.symbol()
        op = self.peek()
        if op not in COMPARISONS:
            return left
        self.index += 1
        return Compare(op, left, self.symbol())

    def symbol(self) -> Symbol:
        if self.index >= len(self.tokens) or self.tokens[self.index][0] == "op":
            raise self.error("expected a symbol")
        text = self.tokens[self.index][1]
        self.index += 1
        if text.startswith("'") and '"' not in text:
            text = f'"{text[1:-1]}"'
        return Symbol(text)


def _render(node: Node) -> str:
    """The text of a normalised expression."""
    if isinstance(node, Symbol):
        return node.name
    if isinstance(node, Compare):
        return f"{node.left.name}{node.op}{node.right.name}"
    if isinstance(node, Not):
        inner = _render(node.operand)
        return f"!({inner})" if isinstance(node.operand, (And, Or)) else f"!{inner}"
    if isinstance(node, And):
        return " && ".join(_operand_text(And, o) for o in node.operands)
    return " || ".join(_operand_text(Or, o) for o in node.operands)


def _operand_text(kind: type[And] | type[Or], operand: Node) -> str:
    """An operand as written inside ``kind``: an ``||`` inside ``&&`` needs parentheses."""
    text = _render(operand)
    return f"({text})" if kind is And and isinstance(operand, Or) else text


def _negate(node: Node) -> Node:
    if isinstance(node, Not):
        return node.operand
    if isinstance(node, Compare):
        return Compare(NEGATED[node.op], node.left, node.right)
    return Not(node)


def _combine(kind: type[And] | type[Or], operands: Iterable[Node]) -> Node:
    """``kind`` of the operands: flattened, de-duplicated and sorted by their text."""
    flat: dict[str, Node] = {}
    for operand in operands:
        for part in operand.operands if isinstance(operand, kind) else (operand,):
            flat.setdefault(_operand_text(kind, part), part)
    ordered = tuple(flat[text] for text in sorted(flat))
    return ordered[0] if len(ordered) == 1 else kind(ordered)


def normalize(node: Node) -> Node:
    """The one canonical form of an expression."""
    if isinstance(node, Not):
        return _negate(normalize(node.operand))
    if isinstance(node, (And, Or)):
        return _combine(type(node), (normalize(o) for o in node.operands))
    return node


def parse_expression(text: str) -> Node:
    """The canonical AST of a Kconfig expression; a syntax error is a ValueError."""
    tokens = tokenize(text)
    if not tokens:
        raise ValueError("empty expression")
    return normalize(_Parser(tokens, text).parse())


def canonical(expression: str) -> str:
    """One text per condition: ``A && B``, ``!A``, ``(A || B) && C``, ``SYM=val``."""
    return _render(parse_expression(expression))


def _conjoin(nodes: Iterable[Node]) -> Node | None:
    present = list(nodes)
    return _combine(And, present) if present else None


def _text(node: Node | None) -> str | None:
    return None if node is None else _render(node)


def conjunction(*conditions: str | None) -> str | None:
    """Canonical AND of the given conditions; None when every one is None."""
    return _text(_conjoin(parse_expression(c) for c in conditions if c is not None))


def known_value(node: Node, config: Mapping[str, bool | int]) -> bool | None:
    """True or False where ``config`` (CONFIG_ names) settles the expression; None where a
    symbol it leaves open decides it."""
    if isinstance(node, Symbol):
        if node.name in ("y", "n"):
            return node.name == "y"
        value = config.get("CONFIG_" + node.name)
        return None if value is None else bool(value)
    if isinstance(node, Not):
        inner = known_value(node.operand, config)
        return None if inner is None else not inner
    if isinstance(node, And | Or):
        values = [known_value(o, config) for o in node.operands]
        settles = isinstance(node, Or)  # True settles an Or, False an And
        if settles in values:
            return settles
        return None if None in values else not settles
    return None  # a comparison: the values it compares are not modelled


def may_select(under: str, condition: str | None, config: Mapping[str, bool | int]) -> bool:
    """Whether ``select ... if condition`` in entry ``under`` can take effect under
    ``config``: False only when the config turns the entry or the condition off."""
    if known_value(Symbol(under), config) is False:
        return False
    return condition_may_hold(condition, config)


def condition_may_hold(condition: str | None, config: Mapping[str, bool | int]) -> bool:
    """Whether a select's ``if`` condition can hold under ``config`` (None: no condition);
    False only when the config makes it false (``if 64BIT`` for a 32-bit variant)."""
    return condition is None or known_value(parse_expression(condition), config) is not False


# --- the model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KconfigProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Select:
    """``select``/``imply symbol if condition`` in entry ``under``; effective adds the blocks."""

    symbol: str
    under: str
    condition: str | None
    effective: str | None
    file: str
    line: int


@dataclass(frozen=True)
class Entry:
    """A ``config`` or ``menuconfig`` entry; depends is the AND of its own ``depends on``."""

    name: str
    kind: str
    file: str
    line: int
    depends: str | None
    selects: tuple[Select, ...]
    implies: tuple[Select, ...]


@dataclass(frozen=True)
class Kconfig:
    """Everything read from one Kconfig file, entries in file order."""

    entries: tuple[Entry, ...]
    problems: tuple[KconfigProblem, ...]
    sources: tuple[str, ...]

    def entry(self, name: str) -> Entry | None:
        """The first entry of that name."""
        return next((e for e in self.entries if e.name == name), None)

    def selects_of(self, symbol: str) -> list[Select]:
        """Every select of ``symbol``, in file order."""
        return [s for e in self.entries for s in e.selects if s.symbol == symbol]


# --- logical lines -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def _indent(line: str) -> int:
    """Indentation in columns, tabs to the next multiple of eight (as the Kconfig lexer)."""
    column = 0
    for char in line:
        if char == "\t":
            column = (column // 8 + 1) * 8
        elif char == " ":
            column += 1
        else:
            break
    return column


def _strip_comment(line: str) -> str:
    """The line without a ``#`` comment; a ``#`` inside quotes is kept."""
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif quote and char == "\\":
            escaped = True
        elif char in "\"'" and quote in ("", char):
            quote = "" if quote else char
        elif char == "#" and not quote:
            return line[:index]
    return line


def _join(physical: list[str], index: int) -> tuple[str, int]:
    """The logical line starting at ``index`` and the index after it."""
    body = _strip_comment(physical[index]).rstrip()
    index += 1
    while body.endswith("\\") and index < len(physical):
        body = body[:-1] + " " + _strip_comment(physical[index]).strip()
        body = body.rstrip()
        index += 1
    return body.strip(), index


def _skip_help(physical: list[str], index: int, help_indent: int) -> int:
    """Index of the first line after help text: blank lines or lines deeper than ``help``."""
    while index < len(physical):
        line = physical[index]
        if line.strip() and _indent(line) <= help_indent:
            break
        index += 1
    return index


def _logical_lines(text: str) -> list[_Line]:
    """Non-empty logical lines with the number of their first physical line."""
    physical = text.splitlines()
    lines = []
    index = 0
    while index < len(physical):
        number = index + 1
        body, index = _join(physical, index)
        if body.split(maxsplit=1)[:1] in (["help"], ["---help---"]):
            index = _skip_help(physical, index, _indent(physical[number - 1]))
        elif body:
            lines.append(_Line(number, body))
    return lines


# --- reading -------------------------------------------------------------------------------

CLOSERS = {"endif": "if", "endmenu": "menu", "endchoice": "choice"}
CLOSER = {opener: closer for closer, opener in CLOSERS.items()}
SOURCES = ("source", "rsource", "osource", "orsource")


@dataclass
class _Block:
    """An open ``if``/``menu``/``choice`` (or a ``comment``); conditions restrict what is in it."""

    kind: str
    line: int
    conditions: list[Node] = field(default_factory=list)


@dataclass
class _EntryDraft:
    name: str
    kind: str
    line: int
    depends: list[Node] = field(default_factory=list)
    selects: list[Select] = field(default_factory=list)
    implies: list[Select] = field(default_factory=list)


@dataclass
class _Reader:
    path: str
    blocks: list[_Block] = field(default_factory=list)
    entries: list[_EntryDraft] = field(default_factory=list)
    problems: list[KconfigProblem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    target: _EntryDraft | _Block | None = None  # what the attribute lines belong to

    def problem(self, line: int, message: str) -> None:
        self.problems.append(KconfigProblem(self.path, line, message))

    def condition(self, line: int, text: str, what: str) -> Node | None:
        """The parsed expression, or None after reporting its syntax error."""
        try:
            return parse_expression(text)
        except ValueError as err:
            self.problem(line, f"{what}: {err}; ignored")
            return None

    def enclosing(self) -> list[Node]:
        return [c for block in self.blocks for c in block.conditions]


def _start_entry(reader: _Reader, line: _Line, keyword: str, rest: str) -> None:
    if not _SYMBOL_RE.fullmatch(rest):
        reader.problem(line.number, f"{keyword} needs one symbol name, not {rest!r}")
        reader.target = None
        return
    reader.target = _EntryDraft(rest, keyword, line.number)
    reader.entries.append(reader.target)


def _open(reader: _Reader, line: _Line, keyword: str, rest: str) -> None:
    block = _Block(keyword, line.number)
    reader.blocks.append(block)
    reader.target = block if keyword != "if" else None
    node = reader.condition(line.number, rest, "if") if keyword == "if" else None
    if node is not None:
        block.conditions.append(node)


def _close(reader: _Reader, line: _Line, keyword: str, rest: str) -> None:
    opener = CLOSERS[keyword]
    reader.target = None
    kinds = [block.kind for block in reader.blocks]
    if opener not in kinds:
        reader.problem(line.number, f"{keyword} without a matching {opener}")
        return
    depth = len(kinds) - 1 - kinds[::-1].index(opener)
    for block in reader.blocks[depth + 1 :]:
        before = f"line {line.number}'s {keyword}"
        reader.problem(
            block.line, f"{block.kind} is never closed: no {CLOSER[block.kind]} before {before}"
        )
    del reader.blocks[depth:]


def _other_block(reader: _Reader, line: _Line, keyword: str, rest: str) -> None:
    """``comment`` takes attributes that restrict only itself; ``mainmenu`` and ``source``."""
    reader.target = _Block(keyword, line.number) if keyword == "comment" else None
    if keyword in SOURCES:
        if _STRING_RE.fullmatch(rest):
            reader.sources.append(rest[1:-1])
        else:
            reader.problem(line.number, f"{keyword} needs one quoted path, not {rest!r}")


def _depends(reader: _Reader, line: _Line, keyword: str, rest: str) -> None:
    words = rest.split(maxsplit=1)
    if words[:1] != ["on"] or len(words) < 2:
        reader.problem(line.number, f"'depends' needs 'on' and an expression, not {rest!r}")
        return
    node = reader.condition(line.number, words[1], "depends on")
    if node is None:
        return
    if isinstance(reader.target, _EntryDraft):
        reader.target.depends.append(node)
    elif isinstance(reader.target, _Block):
        reader.target.conditions.append(node)
    else:
        reader.problem(line.number, "depends on outside any entry, menu or choice")


def _split_select(keyword: str, rest: str) -> tuple[str, str | None]:
    """Symbol and condition text of ``select``/``imply``; bad syntax is a ValueError."""
    symbol, tail = [*rest.split(maxsplit=1), "", ""][:2]
    if not _SYMBOL_RE.fullmatch(symbol):
        raise ValueError(f"{keyword} needs a symbol name, not {rest!r}")
    if not tail:
        return symbol, None
    condition = _IF_RE.fullmatch(tail)
    if condition is None:
        raise ValueError(f"expected 'if' after {keyword} {symbol}, not {tail!r}")
    return symbol, condition.group(1)


def _select(reader: _Reader, line: _Line, keyword: str, rest: str) -> None:
    entry = reader.target
    if not isinstance(entry, _EntryDraft):
        reader.problem(line.number, f"{keyword} outside a config entry; ignored")
        return
    try:
        symbol, condition = _split_select(keyword, rest)
        node = parse_expression(condition) if condition is not None else None
    except ValueError as err:
        reader.problem(line.number, f"{keyword} ignored: {err}")
        return
    own = [node] if node is not None else []
    effective = _text(_conjoin([*own, *reader.enclosing()]))
    select = Select(symbol, entry.name, _text(node), effective, reader.path, line.number)
    (entry.selects if keyword == "select" else entry.implies).append(select)


Handler: TypeAlias = Callable[[_Reader, _Line, str, str], None]

HANDLERS: dict[str, Handler] = {
    "config": _start_entry,
    "menuconfig": _start_entry,
    "if": _open,
    "menu": _open,
    "choice": _open,
    **dict.fromkeys(CLOSERS, _close),
    **dict.fromkeys(("comment", "mainmenu", *SOURCES), _other_block),
    "depends": _depends,
    "select": _select,
    "imply": _select,
}
"""Keywords the reader acts on; any other line (type, default, range, option, ...) is skipped."""


def _finish(reader: _Reader) -> Kconfig:
    for block in reader.blocks:
        closer = CLOSER[block.kind]
        reader.problem(block.line, f"{block.kind} is never closed: no {closer} before the end")
    entries = tuple(
        Entry(d.name, d.kind, reader.path, d.line, _text(_conjoin(d.depends)),
              tuple(d.selects), tuple(d.implies))
        for d in reader.entries
    )  # fmt: skip
    return Kconfig(entries, tuple(reader.problems), tuple(reader.sources))


def read_kconfig(text: str, path: str) -> Kconfig:
    """Entries, selects, sourced paths and problems of one Kconfig file's text."""
    reader = _Reader(path)
    for line in _logical_lines(text):
        keyword, rest = [*line.text.split(maxsplit=1), ""][:2]
        handler = HANDLERS.get(keyword)
        if handler is not None:
            handler(reader, line, keyword, rest.strip())
    return _finish(reader)


def select_line(line: str) -> tuple[str, str | None] | None:
    """``(symbol, canonical condition)`` of one ``select SYM [if EXPR]`` line (a diff's line,
    out of its entry); None if it is not a well-formed select line."""
    body = _strip_comment(line).strip()
    keyword, _, rest = body.partition(" ")
    if keyword != "select" or not line[:1].isspace():
        return None
    try:
        symbol, condition = _split_select(keyword, rest.strip())
        return symbol, canonical(condition) if condition is not None else None
    except ValueError:
        return None


def canonical_condition(text: str | None) -> str | None:
    """A select's ``if`` condition in canonical text; as written when it does not parse."""
    if text is None:
        return None
    try:
        return canonical(text)
    except ValueError:
        return " ".join(text.split())


def select_text(symbol: str, condition: str | None) -> str:
    """``select SYMBOL [if CONDITION]``, as a Kconfig line says it (without indentation)."""
    return f"select {symbol}" + (f" if {condition}" if condition else "")
