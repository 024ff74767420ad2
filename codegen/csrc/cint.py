"""C's integer types and the arithmetic of constant expressions, as GCC folds them for the kernel.

Pure functions over ``CValue``: the type of a literal (C11 6.4.4.1), conversions, the integer
promotions, the usual arithmetic conversions and every operator of a constant expression.
Signed ``+ - * <<`` wrap (the kernel builds with -fno-strict-overflow) and ``>>`` of a negative
value is arithmetic, as GCC folds them. What C leaves undefined and the compilers do not fold
alike (division by zero, ``INT_MIN / -1``, a shift past the width) is Unevaluable.
"""

from __future__ import annotations

import functools
import operator
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codegen.csrc.problems import ShiftPastWidth, Unevaluable

BOOL_RANK, CHAR_RANK, SHORT_RANK, INT_RANK, LONG_RANK, LLONG_RANK = range(6)


@dataclass(frozen=True)
class CType:
    """An integer type: its C name, width in bits, signedness and conversion rank."""

    name: str
    bits: int
    signed: bool
    rank: int

    @property
    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        if self.rank == BOOL_RANK:
            return 1
        return (1 << (self.bits - self.signed)) - 1

    @property
    def size(self) -> int:
        """``sizeof`` the type, in bytes."""
        return self.bits // 8

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class CValue:
    """A value of a C integer type, always within the type's range."""

    value: int
    type: CType

    def __post_init__(self) -> None:
        if not self.type.min <= self.value <= self.type.max:
            raise ValueError(f"{self.value} is outside the range of {self.type}")

    def __bool__(self) -> bool:
        return self.value != 0


BOOL = CType("_Bool", 8, False, BOOL_RANK)
SCHAR = CType("signed char", 8, True, CHAR_RANK)
UCHAR = CType("unsigned char", 8, False, CHAR_RANK)
SHORT = CType("short", 16, True, SHORT_RANK)
USHORT = CType("unsigned short", 16, False, SHORT_RANK)
INT = CType("int", 32, True, INT_RANK)
UINT = CType("unsigned int", 32, False, INT_RANK)
LLONG = CType("long long", 64, True, LLONG_RANK)
ULLONG = CType("unsigned long long", 64, False, LLONG_RANK)

INTMAX, UINTMAX = LLONG, ULLONG
"""What every integer of an ``#if`` is (C11 6.10.1): the widest types, 64 bits."""

_FIXED_TYPEDEFS = {
    "u8": UCHAR, "s8": SCHAR, "u16": USHORT, "s16": SHORT,
    "u32": UINT, "s32": INT, "u64": ULLONG, "s64": LLONG,
}  # fmt: skip
"""The kernel's exact-width types (include/asm-generic/int-ll64.h: u64 is unsigned long long)."""

PTE_TYPEDEFS = ("pteval_t", "pmdval_t", "pudval_t", "pgdval_t", "pgprotval_t")
LONG_TYPEDEFS = {"pgoff_t": False, "uintptr_t": False, "intptr_t": True}  # name -> signed
SIZE_TYPEDEFS = {"size_t": False, "ssize_t": True}
TYPEDEF_NAMES = frozenset({
    *_FIXED_TYPEDEFS, *(f"__{name}" for name in _FIXED_TYPEDEFS), *PTE_TYPEDEFS,
    "phys_addr_t", *LONG_TYPEDEFS, *SIZE_TYPEDEFS,
})  # fmt: skip
SPECIFIERS = frozenset({"signed", "unsigned", "char", "short", "int", "long", "_Bool", "bool"})
QUALIFIERS = frozenset({"const", "volatile"})
TYPE_WORDS = SPECIFIERS | QUALIFIERS | TYPEDEF_NAMES
"""The words ``DataModel.type_named`` knows."""

_BASES = {
    (): "int", ("int",): "int", ("char",): "char", ("short",): "short",
    ("int", "short"): "short", ("long",): "long", ("int", "long"): "long",
    ("long", "long"): "long long", ("int", "long", "long"): "long long", ("_Bool",): "_Bool",
}  # fmt: skip
"""Type specifiers without the sign word (sorted) -> the type they name (C11 6.7.2)."""


@dataclass(frozen=True)
class DataModel:
    """The widths a target gives its types; ``phys_bits`` 0 means as wide as ``long``.

    ``pte_bits`` is the width of ``pteval_t`` and its kin: 64 on 32-bit arm with LPAE and
    x86 PAE. ``char`` is unsigned by default: the kernel builds with -funsigned-char (v6.2+).
    """

    long_bits: int
    pte_bits: int
    phys_bits: int = 0
    char_signed: bool = False

    def __post_init__(self) -> None:
        if not self.phys_bits:
            object.__setattr__(self, "phys_bits", self.long_bits)

    @property
    def long(self) -> CType:
        return CType("long", self.long_bits, True, LONG_RANK)

    @property
    def unsigned_long(self) -> CType:
        return CType("unsigned long", self.long_bits, False, LONG_RANK)

    @property
    def char(self) -> CType:
        return CType("char", 8, self.char_signed, CHAR_RANK)

    @property
    def size_t(self) -> CType:
        """What ``sizeof`` gives: unsigned long, but unsigned int where long is 32 bits."""
        return self.unsigned_long if self.long_bits == 64 else UINT

    def standard(self, name: str) -> CType:
        """The standard integer type of that canonical name ("unsigned long", "char" ...)."""
        return _standard_types(self)[name]

    def type_named(self, words: Sequence[str]) -> CType | None:
        """The type that cast words such as ``unsigned long`` or ``u8`` name; None if unknown."""
        words = ["_Bool" if w == "bool" else w for w in words if w not in QUALIFIERS]
        if len(words) == 1 and words[0] in TYPEDEF_NAMES:
            return self._typedef(words[0])
        return self._specified(words)

    def _specified(self, words: list[str]) -> CType | None:
        counts = Counter(words)
        signs = counts["signed"] + counts["unsigned"]
        if not words or not set(words) <= SPECIFIERS or signs > 1:
            return None
        base = _BASES.get(tuple(sorted(w for w in words if w not in ("signed", "unsigned"))))
        if base is None or (base == "_Bool" and signs):
            return None
        if counts["unsigned"]:
            return self.standard(f"unsigned {base}")
        return SCHAR if base == "char" and counts["signed"] else self.standard(base)

    def _typedef(self, name: str) -> CType:
        name = name.removeprefix("__")  # __u8 ... __s64 are u8 ... s64
        if name in _FIXED_TYPEDEFS:
            return _FIXED_TYPEDEFS[name]
        if name in PTE_TYPEDEFS:
            return self._unsigned_of(self.pte_bits, prefer_long=True)
        if name == "phys_addr_t":
            return self._unsigned_of(self.phys_bits, prefer_long=False)
        if name in LONG_TYPEDEFS:
            return self.long if LONG_TYPEDEFS[name] else self.unsigned_long
        size = self.size_t
        return signed_of(size) if SIZE_TYPEDEFS[name] else size

    def _unsigned_of(self, bits: int, prefer_long: bool) -> CType:
        if prefer_long and bits == self.long_bits:
            return self.unsigned_long
        return {8: UCHAR, 16: USHORT, 32: UINT, 64: ULLONG}[bits]


@functools.cache
def _standard_types(model: DataModel) -> dict[str, CType]:
    types = (BOOL, model.char, SCHAR, UCHAR, SHORT, USHORT, INT, UINT, model.long)
    return {t.name: t for t in (*types, model.unsigned_long, LLONG, ULLONG)}


LP64 = DataModel(64, 64)
ILP32 = DataModel(32, 32)


# --- literals -----------------------------------------------------------------------------

_LITERAL_RE = re.compile(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)")
_SUFFIXES = {
    "": "", "u": "u", "l": "l", "ul": "ul", "lu": "ul", "ll": "ll", "ull": "ull", "llu": "ull",
}  # fmt: skip
"""Integer suffixes, lower-cased, in any order -> the canonical one."""
_CANDIDATES = {
    ("", True): ("int", "long", "long long"),
    ("", False): (
        "int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long",
    ),
    ("l", True): ("long", "long long"),
    ("l", False): ("long", "unsigned long", "long long", "unsigned long long"),
    ("ll", True): ("long long",),
    ("ll", False): ("long long", "unsigned long long"),
    ("u", True): ("unsigned int", "unsigned long", "unsigned long long"),
    ("ul", True): ("unsigned long", "unsigned long long"),
    ("ull", True): ("unsigned long long",),
}  # fmt: skip
"""(suffix, decimal) -> the types an integer constant may have, first that fits (C11 6.4.4.1)."""

_ESCAPES = {
    "a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34,
    "?": 63,
}  # fmt: skip


def literal(token: str, model: DataModel, preprocessor: bool = False) -> CValue:
    """The value and type of an integer or character constant; in ``#if`` intmax_t or uintmax_t."""
    if token.startswith("'"):
        return to_intmax(character(token, model)) if preprocessor else character(token, model)
    match = _LITERAL_RE.fullmatch(token)
    suffix = _SUFFIXES.get(match[2].lower()) if match else None
    if match is None or suffix is None or "lL" in token or "Ll" in token:
        raise Unevaluable(f"{token!r} is not a C integer constant")
    value = _digits(match[1])
    if preprocessor:
        return _preprocessor_literal(token, value, "u" in suffix)
    decimal = match[1][0] != "0"
    names = _CANDIDATES.get((suffix, decimal)) or _CANDIDATES[(suffix, True)]  # u: any base
    for name in names:
        ctype = model.standard(name)
        if value <= ctype.max:
            return CValue(value, ctype)
    raise Unevaluable(f"{token} is too large for any of {', '.join(names)}")


def _digits(digits: str) -> int:
    prefix = digits[:2].lower()
    if prefix in ("0x", "0b"):
        return int(digits[2:], 16 if prefix == "0x" else 2)
    return int(digits, 8 if digits.startswith("0") else 10)


def _preprocessor_literal(token: str, value: int, unsigned: bool) -> CValue:
    if value > UINTMAX.max:
        raise Unevaluable(f"{token} is too large for uintmax_t")
    return CValue(value, UINTMAX if unsigned or value > INTMAX.max else INTMAX)


def character(token: str, model: DataModel) -> CValue:
    """An integer character constant such as ``'a'`` or ``'\\n'``: an int holding a char."""
    body = token[1:-1] if len(token) >= 3 and token.endswith("'") else ""
    if body.startswith("\\"):
        code = _escape(body[1:])
    else:
        code = ord(body) if len(body) == 1 and ord(body) < 128 else None
    if code is None:
        raise Unevaluable(f"{token} is not a character constant the reader knows")
    return convert(convert(CValue(code, INT), model.char), INT)


def _escape(text: str) -> int | None:
    if text in _ESCAPES:
        return _ESCAPES[text]
    if re.fullmatch(r"[0-7]{1,3}", text):
        code = int(text, 8)
    elif re.fullmatch(r"x[0-9a-fA-F]+", text):
        code = int(text[1:], 16)
    else:
        return None
    return code if code <= UCHAR.max else None


# --- conversions --------------------------------------------------------------------------


def wrap(value: int, to: CType) -> CValue:
    """``value`` reduced to ``to`` the way a conversion does: modulo 2**bits; _Bool is 0 or 1."""
    if to.rank == BOOL_RANK:
        return CValue(int(value != 0), to)
    value &= (1 << to.bits) - 1
    if to.signed and value > to.max:
        value -= 1 << to.bits
    return CValue(value, to)


def convert(v: CValue, to: CType) -> CValue:
    """``v`` converted to ``to`` as C converts integers (GCC's choice for signed targets)."""
    return wrap(v.value, to)


def to_intmax(v: CValue) -> CValue:
    """``v`` as an ``#if`` sees it: intmax_t, or uintmax_t when it is unsigned."""
    return convert(v, INTMAX if v.type.signed or v.type.rank < INT_RANK else UINTMAX)


def promoted(t: CType) -> CType:
    """The type after the integer promotions: below int's rank it becomes int."""
    return INT if t.rank < INT_RANK else t


def promote(v: CValue) -> CValue:
    return convert(v, promoted(v.type))


def signed_of(t: CType) -> CType:
    """The signed type of the same rank: ``long`` for ``unsigned long``."""
    if t.signed:
        return t
    name = t.name.removeprefix("unsigned ")
    return CType("signed char" if name == "char" else name, t.bits, True, t.rank)


def unsigned_of(t: CType) -> CType:
    """The unsigned type of the same rank: ``unsigned char`` for ``signed char``."""
    if not t.signed:
        return t
    return CType(f"unsigned {t.name.removeprefix('signed ')}", t.bits, False, t.rank)


def common_type(a: CType, b: CType) -> CType:
    """The type the usual arithmetic conversions bring ``a`` and ``b`` to (C11 6.3.1.8)."""
    a, b = promoted(a), promoted(b)
    if a == b:
        return a
    if a.signed == b.signed:
        return a if a.rank > b.rank else b
    unsigned, signed = (b, a) if a.signed else (a, b)
    if unsigned.rank >= signed.rank:
        return unsigned
    return signed if signed.bits > unsigned.bits else unsigned_of(signed)


# --- operators ----------------------------------------------------------------------------


def _divide(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _remainder(a: int, b: int) -> int:
    return a - b * _divide(a, b)


ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "*": operator.mul, "/": _divide, "%": _remainder, "+": operator.add, "-": operator.sub,
    "&": operator.and_, "^": operator.xor, "|": operator.or_,
}  # fmt: skip
COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip
SHIFTS = ("<<", ">>")
LOGICAL = ("&&", "||")
UNARY_OPERATORS = frozenset("+-~!")


def unary(op: str, v: CValue) -> CValue:
    """``op v`` for the unary operators ``+ - ~ !``."""
    if op == "!":
        return CValue(int(not v), INT)
    v = promote(v)
    result = {"+": v.value, "-": -v.value, "~": ~v.value}[op]
    return wrap(result, v.type)


def result_type(op: str, a: CType, b: CType) -> CType:
    """The type of ``a op b``, whatever the values."""
    if op in SHIFTS:
        return promoted(a)
    if op in COMPARISONS or op in LOGICAL:
        return INT
    return b if op == "," else common_type(a, b)


def binary(op: str, a: CValue, b: CValue) -> CValue:
    """``a op b`` for a binary operator of a constant expression (``&&``/``||`` do not skip)."""
    if op in SHIFTS:
        return _shift(op, promote(a), promote(b).value)
    if op in LOGICAL:
        return CValue(int(bool(a) and bool(b)) if op == "&&" else int(bool(a) or bool(b)), INT)
    if op == ",":
        return b
    ctype = common_type(a.type, b.type)
    x, y = convert(a, ctype).value, convert(b, ctype).value
    if op in COMPARISONS:
        return CValue(int(COMPARISONS[op](x, y)), INT)
    if op in ("/", "%"):
        _check_division(op, x, y, ctype)
    return wrap(ARITHMETIC[op](x, y), ctype)


def _check_division(op: str, x: int, y: int, ctype: CType) -> None:
    if y == 0:
        raise Unevaluable("division by zero")
    if ctype.signed and x == ctype.min and y == -1:
        raise Unevaluable(f"{x} {op} -1 overflows {ctype} (clang does not fold it)")


def _shift(op: str, left: CValue, count: int) -> CValue:
    if count < 0:
        raise Unevaluable(f"shift by {count}, a negative count")
    if count >= left.type.bits:
        raise ShiftPastWidth(
            f"shift by {count}, past the width of {left.type}", count=count, bits=left.type.bits
        )
    value = left.value << count if op == "<<" else left.value >> count
    return wrap(value, left.type)


def conditional(condition: CValue, yes: CValue, no: CValue) -> CValue:
    """``condition ? yes : no``, in the common type of both arms."""
    return convert(yes if condition else no, common_type(yes.type, no.type))
