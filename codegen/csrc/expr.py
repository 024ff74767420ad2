"""Parse and evaluate a macro-expanded C constant expression, with C's types.

The tokens become a small tree first, so an operand C does not evaluate (the right of
``0 && x``, the untaken arm of ``?:``, the operand of ``sizeof``) still gives its type but
never an error. Casts, ``sizeof``, ``FIELD_PREP``/``FIELD_GET`` and GCC's bit-counting builtins
are understood here; any other identifier is asked of the caller. In ``#if`` mode C11 6.10.1
applies: no casts, no sizeof, every integer is intmax_t or uintmax_t.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from codegen.csrc import cint
from codegen.csrc.cint import INT, ULLONG, CType, CValue, DataModel
from codegen.csrc.problems import ShiftPastWidth, Unevaluable
from codegen.csrc.tokens import is_identifier, is_number

MAX_DEPTH = 200
"""Deepest nesting read (parentheses, operators, operands); deeper is Unevaluable."""

QUOTE_CHARS = 80

Identifier = Callable[[str], CValue]
"""The caller's answer for an identifier left after macro expansion (or Unevaluable)."""

PRECEDENCE = {
    ",": 1, "||": 3, "&&": 4, "|": 5, "^": 6, "&": 7, "==": 8, "!=": 8,
    "<": 9, ">": 9, "<=": 9, ">=": 9, "<<": 10, ">>": 10, "+": 11, "-": 11,
    "*": 12, "/": 12, "%": 12,
}  # fmt: skip
"""Binary operators, tighter binding higher; all group to the left."""

CONDITIONAL = 2
"""``?:`` binds tighter than the comma, looser than ``||``, and groups to the right."""

REFUSED = {
    "=": "an assignment", "*=": "an assignment", "/=": "an assignment",
    "%=": "an assignment", "+=": "an assignment", "-=": "an assignment",
    "<<=": "an assignment", ">>=": "an assignment", "&=": "an assignment",
    "^=": "an assignment", "|=": "an assignment", "++": "an increment (++)",
    "--": "a decrement (--)", "[": "an array subscript ([)", "]": "an array subscript (])",
    "{": "a brace ({)", "}": "a brace (})", ".": "a member access (.)",
    "->": "a member access (->)", ";": "a statement (;)", "#": "a # operator",
    "##": "a ## operator",
}  # fmt: skip
"""Tokens that never belong in a constant expression, and what they are."""

NON_INTEGER = {
    "struct": "a struct", "union": "a union", "enum": "an enum", "float": "a floating type",
    "double": "a floating type", "void": "void", "typeof": "typeof", "__typeof__": "typeof",
    "__typeof": "typeof", "_Atomic": "an atomic type", "__int128": "__int128",
}  # fmt: skip
"""Words that start a type name the reader does not evaluate."""

TYPE_START = cint.TYPE_WORDS | NON_INTEGER.keys()


# --- the tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Const:
    value: CValue
    height: int = 1


@dataclass(frozen=True)
class _Unary:
    op: str
    operand: Node
    height: int


@dataclass(frozen=True)
class _Cast:
    type: CType
    operand: Node
    height: int


@dataclass(frozen=True)
class _SizeOf:
    operand: Node
    height: int


@dataclass(frozen=True)
class _Conditional:
    condition: Node
    yes: Node
    no: Node
    height: int


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple[Node, ...]
    height: int


@dataclass
class _Chain:
    """Operators of one precedence in a row, ``a + b - c``: kept flat, read left to right."""

    precedence: int
    first: Node
    rest: list[tuple[str, Node]]
    height: int


@dataclass(frozen=True)
class _Unknown:
    """A name ``#if`` cannot value: an error only where C evaluates it (not after ``0 &&``)."""

    problem: Unevaluable
    height: int = 1


Node = _Const | _Unary | _Cast | _SizeOf | _Conditional | _Call | _Chain | _Unknown


def _height(*nodes: Node) -> int:
    return 1 + max(node.height for node in nodes)


# --- builtins -----------------------------------------------------------------------------


def _ctz(bits: int, width: int) -> int | None:
    return (bits & -bits).bit_length() - 1 if bits else None


def _clz(bits: int, width: int) -> int | None:
    return width - bits.bit_length() if bits else None


def _ffs(bits: int, width: int) -> int | None:
    return (bits & -bits).bit_length()


def _popcount(bits: int, width: int) -> int | None:
    return bits.bit_count()


_COUNTS = {"ctz": _ctz, "clz": _clz, "ffs": _ffs, "popcount": _popcount}
BIT_BUILTINS = {
    f"__builtin_{name}{suffix}": ("" if name == "ffs" else "unsigned ") + base
    for name in _COUNTS
    for suffix, base in (("", "int"), ("l", "long"), ("ll", "long long"))
}
"""GCC's bit-counting builtins -> the type their argument converts to; they return int."""

FIELD_BUILTINS = ("FIELD_PREP", "FIELD_GET")


def bit_builtin(name: str, argument: CValue, model: DataModel) -> CValue:
    """``__builtin_ctz(x)`` and its kin; ctz and clz of 0 are undefined, so Unevaluable."""
    ctype = model.standard(BIT_BUILTINS[name])
    bits = cint.convert(argument, cint.unsigned_of(ctype)).value
    count = _COUNTS[name.removeprefix("__builtin_").rstrip("l")](bits, ctype.bits)
    if count is None:
        raise Unevaluable(f"{name}(0) is undefined")
    return CValue(count, INT)


def _field_shift(name: str, mask: CValue) -> CValue:
    """Where the mask's field starts, as an int; the mask must be one nonzero run of bits."""
    bits = cint.convert(mask, ULLONG).value
    if not bits:
        raise Unevaluable(f"{name}: the mask is zero")
    shift = (bits & -bits).bit_length() - 1
    end = (bits + (1 << shift)) & ULLONG.max
    if end & (end - 1):
        raise Unevaluable(f"{name}: the mask {bits:#x} is not one run of bits")
    return CValue(shift, INT)


def field_prep(mask: CValue, value: CValue) -> CValue:
    """``FIELD_PREP(mask, value)``: value shifted into the mask's field, in the mask's type."""
    shift = _field_shift("FIELD_PREP", mask)
    if cint.binary("&", cint.unary("~", cint.binary(">>", mask, shift)), value):
        raise Unevaluable(f"FIELD_PREP: {value.value} does not fit the mask {mask.value:#x}")
    return cint.binary("&", cint.binary("<<", cint.convert(value, mask.type), shift), mask)


def field_get(mask: CValue, reg: CValue) -> CValue:
    """``FIELD_GET(mask, reg)``: the field of the mask, read from reg, in the mask's type."""
    shift = _field_shift("FIELD_GET", mask)
    widest = cint.convert(CValue(ULLONG.max, ULLONG), cint.unsigned_of(reg.type)).value
    if cint.convert(mask, cint.unsigned_of(mask.type)).value > widest:
        raise Unevaluable(f"FIELD_GET: the mask {mask.value:#x} is wider than {reg.type}")
    return cint.convert(cint.binary(">>", cint.binary("&", reg, mask), shift), mask.type)


def _builtin(name: str, args: Sequence[CValue], model: DataModel) -> CValue:
    if name == "FIELD_PREP":
        return field_prep(*args)
    if name == "FIELD_GET":
        return field_get(*args)
    return bit_builtin(name, args[0], model)


def _builtin_type(name: str, args: Sequence[CValue]) -> CType:
    if name == "FIELD_PREP":
        return cint.promoted(args[0].type)
    return args[0].type if name == "FIELD_GET" else INT


# --- reading ------------------------------------------------------------------------------


def evaluate(
    tokens: Sequence[str],
    model: DataModel,
    *,
    preprocessor: bool = False,
    identifier: Identifier | None = None,
    where: str = "",
) -> CValue:
    """The value and C type of a macro-expanded constant expression; Unevaluable if it has none.

    ``preprocessor`` reads it as ``#if`` does; ``identifier`` answers for names left in it.
    """
    reader = _Reader(tuple(tokens), model, preprocessor, identifier, where)
    try:
        return reader.value()
    except RecursionError:
        raise reader.fail("nests too deep to read") from None
    except Unevaluable as err:
        if err.where or not where:
            raise
        raise _placed(err, where) from None


def _placed(err: Unevaluable, where: str) -> Unevaluable:
    placed = copy.copy(err)
    placed.where = where
    placed.args = (f"{where}: {err.message}",)
    return placed


def spelled(tokens: Sequence[str], limit: int = QUOTE_CHARS) -> str:
    """The tokens as C text, shortened to about ``limit`` characters."""
    text, previous, prefix = "", "", False
    for token in tokens:
        text += token if prefix or _glued(previous, token) else " " + token
        prefix = token in ("+", "-", "&", "*", "~", "!") and not _ends_operand(previous)
        previous = token
        if len(text) > limit:
            return text[: limit - 3] + "..."
    return text


def _ends_operand(token: str) -> bool:
    if token == "sizeof":
        return False
    return is_identifier(token) or is_number(token) or token[:1] in (")", "]", "'")


def _glued(previous: str, token: str) -> bool:
    """Whether C text has no space between the two tokens (a prefix operator aside)."""
    if not previous or previous in ("(", "[", ".", "->") or token in (")", "]", ",", ".", "->"):
        return True
    if token in ("(", "[", "++", "--"):
        return is_identifier(previous) and previous != "sizeof"
    return previous == ")" and (is_identifier(token) or is_number(token))


class _Reader:
    """A recursive-descent parser and evaluator over one expression's tokens."""

    def __init__(
        self,
        tokens: tuple[str, ...],
        model: DataModel,
        preprocessor: bool,
        identifier: Identifier | None,
        where: str,
    ):
        self.tokens = tokens
        self.model = model
        self.preprocessor = preprocessor
        self.identifier = identifier
        self.where = where
        self.pos = 0
        self.depth = 0

    def value(self) -> CValue:
        if not self.tokens:
            raise Unevaluable("an empty expression", self.where)
        node = self._expression(1)
        if self.pos < len(self.tokens):
            raise self._unexpected()
        return self._eval(node, True)

    # --- errors

    def fail(self, problem: str, cause: Unevaluable | None = None) -> Unevaluable:
        """The problem, quoting the expression; of the cause's kind (and facts) if one is given."""
        if len(self.tokens) > 1:
            problem = f"{problem} in {spelled(self.tokens)!r}"
        if isinstance(cause, ShiftPastWidth):
            return ShiftPastWidth(problem, self.where, cause.count, cause.bits)
        return Unevaluable(problem, self.where)

    def _unexpected(self, wanted: str = "") -> Unevaluable:
        token = self._peek()
        if not token:
            if wanted:
                return self.fail(
                    "unbalanced '('" if wanted == ")" else f"expected '{wanted}' at the end"
                )
            return self.fail("the expression ends early")
        if token in REFUSED or token[0] == '"':
            what = REFUSED.get(token, "a string literal")
            return self.fail(f"{what} is not a constant expression")
        if wanted:
            return self.fail(f"expected '{wanted}' before '{token}'")
        return self.fail("unbalanced ')'" if token == ")" else f"unexpected '{token}'")

    @contextmanager
    def _nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nests deeper than {MAX_DEPTH} levels")
        try:
            yield
        finally:
            self.depth -= 1

    def _node(self, node: Node) -> Node:
        if node.height > MAX_DEPTH:
            raise self.fail(f"nests deeper than {MAX_DEPTH} levels")
        return node

    # --- parsing

    def _peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.tokens[at] if at < len(self.tokens) else ""

    def _expect(self, token: str) -> None:
        if self._peek() != token:
            raise self._unexpected(token)
        self.pos += 1

    def _expression(self, lowest: int) -> Node:
        """Operators binding at least as tight as ``lowest``, by precedence climbing."""
        with self._nested():
            left = self._unary()
            while True:
                token = self._peek()
                if token == "?" and lowest <= CONDITIONAL:
                    left = self._conditional(left)
                    continue
                precedence = PRECEDENCE.get(token, 0)
                if precedence < lowest:
                    return left
                self.pos += 1
                left = self._join(left, token, self._expression(precedence + 1), precedence)

    def _join(self, left: Node, op: str, right: Node, precedence: int) -> Node:
        if isinstance(left, _Chain) and left.precedence == precedence:
            left.rest.append((op, right))
            left.height = max(left.height, right.height + 1)
            return self._node(left)
        return self._node(_Chain(precedence, left, [(op, right)], _height(left, right)))

    def _conditional(self, condition: Node) -> Node:
        self.pos += 1
        yes = self._expression(1)
        self._expect(":")
        no = self._expression(CONDITIONAL)
        return self._node(_Conditional(condition, yes, no, _height(condition, yes, no)))

    def _unary(self) -> Node:
        token = self._peek()
        if token in cint.UNARY_OPERATORS:
            self.pos += 1
            operand = self._operand()
            return self._node(_Unary(token, operand, operand.height + 1))
        if token == "sizeof":
            return self._sizeof()
        if token == "(" and self._peek(1) in TYPE_START:
            ctype = self._type_name("a cast to")
            operand = self._operand()
            return self._node(_Cast(ctype, operand, operand.height + 1))
        if token in ("&", "*"):
            what = "taking an address (&)" if token == "&" else "a dereference (*)"
            raise self.fail(f"{what} is not a constant expression")
        return self._primary()

    def _operand(self) -> Node:
        with self._nested():
            return self._unary()

    def _sizeof(self) -> Node:
        self.pos += 1
        if self.preprocessor:
            raise self.fail("sizeof in #if (C allows none there)")
        if self._peek() == "(" and self._peek(1) in TYPE_START:
            return _Const(CValue(self._type_name("sizeof").size, self.model.size_t))
        operand = self._operand()
        return self._node(_SizeOf(operand, operand.height + 1))

    def _type_name(self, what: str) -> CType:
        """The type in ``( words )`` at the cursor, for a cast or sizeof."""
        self.pos += 1
        start = self.pos
        while self._peek() not in (")", ""):
            self.pos += 1
        words = self.tokens[start : self.pos]
        self._expect(")")
        text = " ".join(words)
        if self.preprocessor:
            raise self.fail(f"{what} ({text}) in #if (C allows no types there)")
        refused = "a pointer" if "*" in words else next(
            (NON_INTEGER[w] for w in words if w in NON_INTEGER), None
        )  # fmt: skip
        ctype = None if refused else self.model.type_named(words)
        if ctype is None:
            named = refused or "no integer type the reader knows"
            raise self.fail(f"{what} ({text}): it names {named}")
        return ctype

    def _primary(self) -> Node:
        token = self._peek()
        if token == "(":
            self.pos += 1
            node = self._expression(1)
            self._expect(")")
            return node
        if is_number(token) or token.startswith("'"):
            self.pos += 1
            try:
                return _Const(cint.literal(token, self.model, self.preprocessor))
            except Unevaluable as err:
                raise self.fail(err.message) from None
        if is_identifier(token):
            self.pos += 1
            return self._identifier(token)
        raise self._unexpected()

    def _identifier(self, name: str) -> Node:
        if self._peek() == "(":
            if name in BIT_BUILTINS or name in FIELD_BUILTINS:
                return self._call(name)
            raise self.fail(f"calls {name}(), not a constant")
        if name in TYPE_START:
            raise self.fail(f"{name} is a type, where a value belongs")
        if self.identifier is None:
            raise self.fail(f"{name} is not defined in the headers read")
        if not self.preprocessor:
            return _Const(self.identifier(name))
        try:
            return _Const(cint.to_intmax(self.identifier(name)))
        except Unevaluable as problem:
            return _Unknown(problem)

    def _call(self, name: str) -> Node:
        if self.preprocessor:
            raise self.fail(f"{name}() in #if, where only macros expand")
        self.pos += 1
        args = []
        if self._peek() != ")":
            args.append(self._expression(CONDITIONAL))
            while self._peek() == ",":
                self.pos += 1
                args.append(self._expression(CONDITIONAL))
        self._expect(")")
        arity = 2 if name in FIELD_BUILTINS else 1
        if len(args) != arity:
            raise self.fail(f"{name}() takes {arity} argument(s), not {len(args)}")
        return self._node(_Call(name, tuple(args), _height(*args)))

    # --- evaluating

    def _eval(self, node: Node, live: bool) -> CValue:
        """The node's value; where not ``live`` (C does not evaluate it) only its type counts."""
        match node:
            case _Const():
                result = node.value
            case _Unary():
                result = cint.unary(node.op, self._eval(node.operand, live))
            case _Cast():
                result = cint.convert(self._eval(node.operand, live), node.type)
            case _SizeOf():
                size = self._eval(node.operand, False).type.size
                result = CValue(size, self.model.size_t)
            case _Conditional():
                result = self._conditional_value(node, live)
            case _Call():
                result = self._call_value(node, live)
            case _Chain():
                result = self._chain_value(node, live)
            case _Unknown():
                if live:
                    raise node.problem
                result = cint.to_intmax(cint.literal("0", self.model, preprocessor=True))
        return self._widened(result)

    def _widened(self, value: CValue) -> CValue:
        return cint.to_intmax(value) if self.preprocessor else value

    def _chain_value(self, node: _Chain, live: bool) -> CValue:
        result = self._eval(node.first, live)
        for op, operand in node.rest:
            if op in cint.LOGICAL:
                decided = bool(result) == (op == "||")
                result = cint.binary(op, result, self._eval(operand, live and not decided))
            else:
                result = self._binary(op, result, self._eval(operand, live), live)
            result = self._widened(result)
        return result

    def _binary(self, op: str, left: CValue, right: CValue, live: bool) -> CValue:
        try:
            return cint.binary(op, left, right)
        except Unevaluable as err:
            if live:
                raise self.fail(err.message, err) from None
            return cint.wrap(0, cint.result_type(op, left.type, right.type))

    def _conditional_value(self, node: _Conditional, live: bool) -> CValue:
        condition = self._eval(node.condition, live)
        yes = self._eval(node.yes, live and bool(condition))
        no = self._eval(node.no, live and not condition)
        return cint.conditional(condition, yes, no)

    def _call_value(self, node: _Call, live: bool) -> CValue:
        args = [self._eval(arg, live) for arg in node.args]
        try:
            return _builtin(node.name, args, self.model)
        except Unevaluable as err:
            if live:
                raise self.fail(err.message) from None
            return cint.wrap(0, _builtin_type(node.name, args))
