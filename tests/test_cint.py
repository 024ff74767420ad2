"""C integer arithmetic: each expression with its exact value and C type, or the exact error."""

from __future__ import annotations

import sys

import pytest

from codegen.csrc.cint import (
    ILP32,
    INT,
    LP64,
    SCHAR,
    UCHAR,
    ULLONG,
    CType,
    CValue,
    DataModel,
    common_type,
    convert,
    literal,
    signed_of,
    unsigned_of,
)
from codegen.csrc.expr import MAX_DEPTH, Identifier, evaluate
from codegen.csrc.problems import Unevaluable
from codegen.csrc.tokens import tokenize

LP64_SIGNED_CHAR = DataModel(64, 64, char_signed=True)
PAE = DataModel(long_bits=32, pte_bits=64)
PAE_PHYS64 = DataModel(long_bits=32, pte_bits=64, phys_bits=64)


def value_of(
    text: str,
    model: DataModel = LP64,
    preprocessor: bool = False,
    identifier: Identifier | None = None,
) -> tuple[int, str]:
    result = evaluate(tokenize(text), model, preprocessor=preprocessor, identifier=identifier)
    return result.value, result.type.name


def error_of(
    text: str,
    model: DataModel = LP64,
    preprocessor: bool = False,
    identifier: Identifier | None = None,
) -> str:
    with pytest.raises(Unevaluable) as caught:
        evaluate(tokenize(text), model, preprocessor=preprocessor, identifier=identifier)
    return str(caught.value)


VALUES = [
    # signedness and the types of literals
    ("~0 >> 1", LP64, -1, "int"),
    ("~0U >> 1", LP64, 0x7FFFFFFF, "unsigned int"),
    ("-8 >> 1", LP64, -4, "int"),
    ("0xffffffffffffffff / 1", LP64, 2**64 - 1, "unsigned long"),
    ("0xffffffffffffffff / 1", ILP32, 2**64 - 1, "unsigned long long"),
    ("0x7fffffff", LP64, 0x7FFFFFFF, "int"),
    ("0x80000000", LP64, 0x80000000, "unsigned int"),
    ("0x80000000", ILP32, 0x80000000, "unsigned int"),
    ("2147483648", LP64, 2**31, "long"),
    ("2147483648", ILP32, 2**31, "long long"),
    ("4294967295", ILP32, 2**32 - 1, "long long"),
    ("0x100000000", LP64, 2**32, "long"),
    ("0x100000000", ILP32, 2**32, "long long"),
    ("0x8000000000000000", LP64, 2**63, "unsigned long"),
    ("0x8000000000000000", ILP32, 2**63, "unsigned long long"),
    ("9223372036854775807", ILP32, 2**63 - 1, "long long"),
    ("-2147483648", LP64, -(2**31), "long"),
    ("1u", LP64, 1, "unsigned int"),
    ("1lu", LP64, 1, "unsigned long"),
    ("1Ul", ILP32, 1, "unsigned long"),
    ("1LLU", LP64, 1, "unsigned long long"),
    ("1ll", LP64, 1, "long long"),
    ("0x80000000L", ILP32, 2**31, "unsigned long"),
    ("0xffffffffLL", ILP32, 2**32 - 1, "long long"),
    ("0xffffffffffffffffLL", ILP32, 2**64 - 1, "unsigned long long"),
    ("077", LP64, 63, "int"),
    ("0", LP64, 0, "int"),
    ("0b101", LP64, 5, "int"),
    ("0b11111111111111111111111111111111", LP64, 2**32 - 1, "unsigned int"),
    ("'a'", LP64, 97, "int"),
    ("'\\n'", LP64, 10, "int"),
    ("'\\x41'", LP64, 65, "int"),
    ("'\\377'", LP64, 255, "int"),
    ("'\\377'", LP64_SIGNED_CHAR, -1, "int"),
    # casts truncate and sign-extend
    ("(u8)0x105", LP64, 5, "unsigned char"),
    ("(int)0x80000000", LP64, -(2**31), "int"),
    ("(char)200", LP64, 200, "char"),
    ("(char)200", LP64_SIGNED_CHAR, -56, "char"),
    ("(signed char)0x80", LP64, -128, "signed char"),
    ("(_Bool)256", LP64, 1, "_Bool"),
    ("(bool)0", LP64, 0, "_Bool"),
    ("(unsigned)-1", LP64, 2**32 - 1, "unsigned int"),
    ("(long long unsigned int)-1", ILP32, 2**64 - 1, "unsigned long long"),
    ("(const u16)-1", LP64, 0xFFFF, "unsigned short"),
    ("(__s8)0xff", LP64, -1, "signed char"),
    ("(s64)-1", LP64, -1, "long long"),
    ("(pteval_t)-1", LP64, 2**64 - 1, "unsigned long"),
    ("(pteval_t)-1", ILP32, 2**32 - 1, "unsigned long"),
    ("(pteval_t)1 << 40", PAE, 2**40, "unsigned long long"),
    ("(pgprotval_t)-1", PAE, 2**64 - 1, "unsigned long long"),
    ("(phys_addr_t)-1", PAE, 2**32 - 1, "unsigned int"),
    ("(phys_addr_t)-1", PAE_PHYS64, 2**64 - 1, "unsigned long long"),
    ("(size_t)-1", ILP32, 2**32 - 1, "unsigned int"),
    ("(ssize_t)-1", LP64, -1, "long"),
    ("(pgoff_t)-1", ILP32, 2**32 - 1, "unsigned long"),
    ("(intptr_t)-1", LP64, -1, "long"),
    # division truncates toward zero, the remainder takes the dividend's sign
    ("-1 / 2", LP64, 0, "int"),
    ("-7 / 2", LP64, -3, "int"),
    ("-7 % 3", LP64, -1, "int"),
    ("7 % -3", LP64, 1, "int"),
    ("(11 / 2)", LP64, 5, "int"),
    ("-1 / 2U", LP64, 0x7FFFFFFF, "unsigned int"),
    # shifts and wrapping
    ("1 << 31", LP64, -(2**31), "int"),
    ("1UL << 63", LP64, 2**63, "unsigned long"),
    ("1UL << 32", LP64, 2**32, "unsigned long"),
    ("(~0UL >> 59)", LP64, 31, "unsigned long"),
    ("(u8)1 << 31", LP64, -(2**31), "int"),
    ("1 << 2UL", LP64, 4, "int"),
    ("-1 << 1", LP64, -2, "int"),
    ("0x7fffffff + 1", LP64, -(2**31), "int"),
    ("1U - 2", LP64, 2**32 - 1, "unsigned int"),
    ("-(-2147483647 - 1)", LP64, -(2**31), "int"),
    # the usual arithmetic conversions
    ("-1L < 1U", LP64, 1, "int"),
    ("-1L < 1U", ILP32, 0, "int"),
    ("1L + 1U", LP64, 2, "long"),
    ("1L + 1U", ILP32, 2, "unsigned long"),
    ("1UL + 1LL", LP64, 2, "unsigned long long"),
    ("1UL + 1LL", ILP32, 2, "long long"),
    ("1L + 1LL", LP64, 2, "long long"),
    ("1LL + 1L", LP64, 2, "long long"),
    ("1LL + 1UL", LP64, 2, "unsigned long long"),
    ("-1 < 0U", LP64, 0, "int"),
    ("(short)1 + (unsigned short)2", LP64, 3, "int"),
    ("(char)1 + (_Bool)5", LP64, 2, "int"),
    ("+(u8)1", LP64, 1, "int"),
    ("~(u8)0", LP64, -1, "int"),
    ("!5", LP64, 0, "int"),
    ("!0ULL", LP64, 1, "int"),
    ("3 && 4ULL", LP64, 1, "int"),
    ("0 || 0", LP64, 0, "int"),
    # what C does not evaluate raises nothing, but its type still counts
    ("0 && 1/0", LP64, 0, "int"),
    ("1 || 1 << 99", LP64, 1, "int"),
    ("1 ? 1 : 1/0", LP64, 1, "int"),
    ("0 ? 1/0 : 2", LP64, 2, "int"),
    ("1 ? 1 : 2UL", LP64, 1, "unsigned long"),
    ("1 ? -1 : 0U", LP64, 2**32 - 1, "unsigned int"),
    ("1 ? (char)1 : (char)2", LP64, 1, "int"),
    ("0 ? 1 : 0 ? 2 : 3", LP64, 3, "int"),
    ("1 ? 2 : 3, 4", LP64, 4, "int"),
    ("(1, (char)1)", LP64, 1, "char"),
    # sizeof
    ("sizeof(long)", LP64, 8, "unsigned long"),
    ("sizeof(long)", ILP32, 4, "unsigned int"),
    ("sizeof(pteval_t)", PAE, 8, "unsigned int"),
    ("sizeof(_Bool)", LP64, 1, "unsigned long"),
    ("sizeof(1/0)", LP64, 4, "unsigned long"),
    ("sizeof((char)1)", LP64, 1, "unsigned long"),
    ("sizeof +(char)1", LP64, 4, "unsigned long"),
    ("sizeof 1UL * 8", ILP32, 32, "unsigned int"),
    # the kernel's FIELD_* helpers and GCC's bit builtins
    ("FIELD_PREP(0xf0, 3)", LP64, 0x30, "int"),
    ("FIELD_PREP(0xf0ULL << 32, 3)", ILP32, 0x30 << 32, "unsigned long long"),
    ("FIELD_PREP((u8)0xf0, 15)", LP64, 0xF0, "int"),
    ("FIELD_GET(0xf0, 0x35)", LP64, 3, "int"),
    ("FIELD_GET((u8)0xf0, 0x135)", LP64, 3, "unsigned char"),
    ("0 && FIELD_PREP(0, 1)", LP64, 0, "int"),
    ("__builtin_ctz(0x100)", LP64, 8, "int"),
    ("__builtin_ctzll(1ULL << 40)", ILP32, 40, "int"),
    ("__builtin_clz(1)", LP64, 31, "int"),
    ("__builtin_clzl(1)", LP64, 63, "int"),
    ("__builtin_clzl(1)", ILP32, 31, "int"),
    ("__builtin_ffs(0)", LP64, 0, "int"),
    ("__builtin_ffsl(8)", LP64, 4, "int"),
    ("__builtin_popcount(-1)", LP64, 32, "int"),
    ("__builtin_popcountll(~0ULL)", LP64, 64, "int"),
]


@pytest.mark.parametrize(("text", "model", "value", "ctype"), VALUES)
def test_value_and_type(text: str, model: DataModel, value: int, ctype: str) -> None:
    assert value_of(text, model) == (value, ctype)


PREPROCESSOR_VALUES = [
    ("-1 > 0U", 1, "long long"),  # -1 is intmax_t, 0U uintmax_t: -1 converts to 2**64-1
    ("-1 < 0", 1, "long long"),
    ("1 << 40", 2**40, "long long"),
    ("(1 < 2) << 40", 2**40, "long long"),
    ("~0U", 2**64 - 1, "unsigned long long"),
    ("0xffffffff + 1", 2**32, "long long"),
    ("9223372036854775808", 2**63, "unsigned long long"),
    ("18446744073709551615", 2**64 - 1, "unsigned long long"),
    ("'a'", 97, "long long"),
    ("0 ? 1 : 2U", 2, "unsigned long long"),
]


@pytest.mark.parametrize(("text", "value", "ctype"), PREPROCESSOR_VALUES)
def test_preprocessor_integers_are_intmax(text: str, value: int, ctype: str) -> None:
    assert value_of(text, ILP32, preprocessor=True) == (value, ctype)


ERRORS = [
    ("1 / 0", LP64, "division by zero in '1 / 0'"),
    ("7 % (2 - 2)", LP64, "division by zero in '7 % (2 - 2)'"),
    ("1 << 32", LP64, "shift by 32, past the width of int in '1 << 32'"),
    ("1UL << 32", ILP32, "shift by 32, past the width of unsigned long in '1UL << 32'"),
    ("(~0UL >> 59)", ILP32, "shift by 59, past the width of unsigned long in '(~0UL >> 59)'"),
    ("(u8)1 << 32", LP64, "shift by 32, past the width of int in '(u8)1 << 32'"),
    ("1 << -1", LP64, "shift by -1, a negative count in '1 << -1'"),
    (
        "(-2147483647 - 1) / -1",
        LP64,
        "-2147483648 / -1 overflows int (clang does not fold it) in '(-2147483647 - 1) / -1'",
    ),
    ("18446744073709551615", LP64, "18446744073709551615 is too large for any of int, long, long long"),
    ("0x1ffffffffffffffff", LP64, "0x1ffffffffffffffff is too large for any of int, unsigned int, long, unsigned long, long long, unsigned long long"),
    ("08", LP64, "'08' is not a C integer constant"),
    ("1lL", LP64, "'1lL' is not a C integer constant"),
    ("1uu", LP64, "'1uu' is not a C integer constant"),
    ("'ab'", LP64, "'ab' is not a character constant the reader knows"),
    ("", LP64, "an empty expression"),
    ("(1 + 2", LP64, "unbalanced '(' in '(1 + 2'"),
    ("1 + 2)", LP64, "unbalanced ')' in '1 + 2)'"),
    ("1 +", LP64, "the expression ends early in '1 +'"),
    ("1 2", LP64, "unexpected '2' in '1 2'"),
    ("sizeof (char)1", LP64, "unexpected '1' in 'sizeof (char)1'"),
    ("1 ? 2", LP64, "expected ':' at the end in '1 ? 2'"),
    ("x", LP64, "x is not defined in the headers read"),
    ("x + 1", LP64, "x is not defined in the headers read in 'x + 1'"),
    ("foo(1)", LP64, "calls foo(), not a constant in 'foo(1)'"),
    ("__builtin_constant_p(1)", LP64, "calls __builtin_constant_p(), not a constant in '__builtin_constant_p(1)'"),
    ("u8 + 1", LP64, "u8 is a type, where a value belongs in 'u8 + 1'"),
    ('"abc"', LP64, "a string literal is not a constant expression"),
    ("1 + \"abc\"", LP64, "a string literal is not a constant expression in '1 + \"abc\"'"),
    ("&x", LP64, "taking an address (&) is not a constant expression in '&x'"),
    ("*x", LP64, "a dereference (*) is not a constant expression in '*x'"),
    ("(unsigned long *)0", LP64, "a cast to (unsigned long *): it names a pointer in '(unsigned long *)0'"),
    ("(struct page)1", LP64, "a cast to (struct page): it names a struct in '(struct page)1'"),
    ("(double)1", LP64, "a cast to (double): it names a floating type in '(double)1'"),
    ("(long char)1", LP64, "a cast to (long char): it names no integer type the reader knows in '(long char)1'"),
    ("(unsigned signed)1", LP64, "a cast to (unsigned signed): it names no integer type the reader knows in '(unsigned signed)1'"),
    ("sizeof(struct page)", LP64, "sizeof (struct page): it names a struct in 'sizeof (struct page)'"),
    ("(typeof(1))1", LP64, "a cast to (typeof ( 1): it names typeof in '(typeof(1))1'"),
    ("(int){1}", LP64, "a brace ({) is not a constant expression in '(int) { 1 }'"),
    ("FIELD_PREP(0, 1)", LP64, "FIELD_PREP: the mask is zero in 'FIELD_PREP(0, 1)'"),
    ("FIELD_PREP(0xf0, 16)", LP64, "FIELD_PREP: 16 does not fit the mask 0xf0 in 'FIELD_PREP(0xf0, 16)'"),
    ("FIELD_PREP(0x90, 1)", LP64, "FIELD_PREP: the mask 0x90 is not one run of bits in 'FIELD_PREP(0x90, 1)'"),
    ("FIELD_GET(0x1f0, (u8)1)", LP64, "FIELD_GET: the mask 0x1f0 is wider than unsigned char in 'FIELD_GET(0x1f0, (u8)1)'"),
    ("FIELD_PREP(0xf0)", LP64, "FIELD_PREP() takes 2 argument(s), not 1 in 'FIELD_PREP(0xf0)'"),
    ("__builtin_ctz(0)", LP64, "__builtin_ctz(0) is undefined in '__builtin_ctz(0)'"),
    ("__builtin_ctz(1ULL << 40)", LP64, "__builtin_ctz(0) is undefined in '__builtin_ctz(1ULL << 40)'"),
    ("__builtin_clzll(0)", LP64, "__builtin_clzll(0) is undefined in '__builtin_clzll(0)'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "model", "message"), ERRORS)
def test_unevaluable(text: str, model: DataModel, message: str) -> None:
    assert error_of(text, model) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = 1", "an assignment is not a constant expression in 'a = 1'"),
        ("a += 1", "an assignment is not a constant expression in 'a += 1'"),
        ("a++", "an increment (++) is not a constant expression in 'a++'"),
        ("--a", "a decrement (--) is not a constant expression in '-- a'"),
        ("a[1]", "an array subscript ([) is not a constant expression in 'a[1]'"),
        ("a.b", "a member access (.) is not a constant expression in 'a.b'"),
        ("a->b", "a member access (->) is not a constant expression in 'a->b'"),
        ("(a = 1)", "an assignment is not a constant expression in '(a = 1)'"),
    ],
)
def test_constructs_that_are_no_constants(text: str, message: str) -> None:
    assert error_of(text, identifier=lambda name: CValue(1, INT)) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(int)1", "a cast to (int) in #if (C allows no types there) in '(int)1'"),
        ("sizeof(int)", "sizeof in #if (C allows none there) in 'sizeof (int)'"),
        (
            "__builtin_ctz(1)",
            "__builtin_ctz() in #if, where only macros expand in '__builtin_ctz(1)'",
        ),
        ("FIELD_PREP(1, 1)", "FIELD_PREP() in #if, where only macros expand in 'FIELD_PREP(1, 1)'"),
    ],
)
def test_preprocessor_refuses_what_c_refuses_in_if(text: str, message: str) -> None:
    assert error_of(text, preprocessor=True) == message


def test_errors_name_the_place() -> None:
    with pytest.raises(Unevaluable) as caught:
        evaluate(tokenize("1 << 32"), LP64, where="arch/x86/include/asm/pgtable_64.h:211")
    assert caught.value.where == "arch/x86/include/asm/pgtable_64.h:211"
    assert caught.value.place() == ("arch/x86/include/asm/pgtable_64.h", 211)
    assert caught.value.message == "shift by 32, past the width of int in '1 << 32'"


def test_identifiers_are_asked_of_the_caller() -> None:
    known = {"PAGE_SHIFT": CValue(12, INT), "PTE_MASK": CValue(2**64 - 1, ULLONG)}

    def identifier(name: str) -> CValue:
        if name not in known:
            raise Unevaluable(f"{name} is not a macro of the headers read")
        return known[name]

    def value(text: str, preprocessor: bool = False) -> tuple[int, str]:
        return value_of(text, LP64, preprocessor, identifier)

    assert value("1UL << PAGE_SHIFT") == (4096, "unsigned long")
    assert value("PTE_MASK >> PAGE_SHIFT") == (2**52 - 1, "unsigned long long")
    assert value("PAGE_SHIFT < 13", preprocessor=True) == (1, "long long")
    assert value("PAGE_SHIFT", preprocessor=True) == (12, "long long")
    with pytest.raises(Unevaluable) as caught:
        evaluate(tokenize("NOPE + 1"), LP64, identifier=identifier, where="a.h:7")
    assert str(caught.value) == "a.h:7: NOPE is not a macro of the headers read"


def test_the_callers_place_is_kept() -> None:
    def identifier(name: str) -> CValue:
        raise Unevaluable(f"{name} is defined as a function", "b.h:9")

    with pytest.raises(Unevaluable) as caught:
        evaluate(["X"], LP64, identifier=identifier, where="a.h:7")
    assert str(caught.value) == "b.h:9: X is defined as a function"


def test_deep_nesting_is_unevaluable_not_a_crash() -> None:
    deep = MAX_DEPTH - 1
    assert evaluate(["("] * deep + ["1"] + [")"] * deep, LP64).value == 1
    assert evaluate(["-"] * deep + ["1"], LP64).value == -1
    for tokens in (["("] * 300 + ["1"] + [")"] * 300, ["~"] * 10_000 + ["1"]):
        with pytest.raises(Unevaluable, match="nests deeper than 200 levels"):
            evaluate(tokens, LP64)
    right_deep = tokenize("1 + (" * 150 + "1" + ")" * 150)
    with pytest.raises(Unevaluable, match="nests deeper than 200 levels"):
        evaluate(right_deep, LP64)
    ternaries = tokenize("0 ? 1 : " * 300 + "2")
    with pytest.raises(Unevaluable, match="nests deeper than 200 levels"):
        evaluate(ternaries, LP64)


def test_deep_caller_stack_is_unevaluable_not_a_crash() -> None:
    tokens = ["("] * (MAX_DEPTH - 1) + ["1"] + [")"] * (MAX_DEPTH - 1)

    def recurse(depth: int) -> str:
        if depth:
            return recurse(depth - 1)
        with pytest.raises(Unevaluable, match="nests too deep to read"):
            evaluate(tokens, LP64)
        return "done"

    assert recurse(sys.getrecursionlimit() - 200) == "done"


def test_long_flat_expressions_are_fine() -> None:
    assert value_of(" + ".join(["1"] * 20_000)) == (20_000, "int")
    assert value_of(" || ".join(["0"] * 5_000 + ["1", "1/0"])) == (1, "int")
    assert value_of(" && ".join(["1"] * 5_000 + ["0", "1/0"])) == (0, "int")
    assert value_of(" ".join(["1 ?"] * 100) + " 7" + " : 0" * 100) == (7, "int")


def test_literal_types() -> None:
    assert literal("2147483648", LP64) == CValue(2**31, LP64.long)
    assert literal("2147483648", LP64, preprocessor=True) == CValue(
        2**31, CType("long long", 64, True, 5)
    )
    assert literal("1u", LP64, preprocessor=True).type == ULLONG
    with pytest.raises(Unevaluable, match="too large for uintmax_t"):
        literal("0x10000000000000000", LP64, preprocessor=True)


def test_signed_and_unsigned_counterparts() -> None:
    assert unsigned_of(SCHAR).name == "unsigned char"
    assert signed_of(UCHAR).name == "signed char"
    assert unsigned_of(LP64.long) == LP64.unsigned_long
    assert signed_of(ULLONG).name == "long long"


def test_conversions() -> None:
    char = LP64_SIGNED_CHAR.char
    assert convert(CValue(0x1FF, INT), char) == CValue(-1, char)
    assert convert(CValue(-1, INT), ULLONG) == CValue(2**64 - 1, ULLONG)
    assert convert(CValue(-1, INT), LP64.standard("_Bool")) == CValue(1, LP64.standard("_Bool"))
    assert common_type(LP64.long, LP64.standard("unsigned int")) == LP64.long
    assert common_type(ILP32.long, ILP32.standard("unsigned int")) == ILP32.unsigned_long
    assert common_type(LP64.unsigned_long, CType("long long", 64, True, 5)) == ULLONG
    with pytest.raises(ValueError, match="outside the range of int"):
        CValue(2**31, INT)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["unsigned"], ("unsigned int", 32, False)),
        (["signed"], ("int", 32, True)),
        (["long", "unsigned", "long"], ("unsigned long long", 64, False)),
        (["short", "int"], ("short", 16, True)),
        (["const", "volatile", "u32"], ("unsigned int", 32, False)),
        (["__u64"], ("unsigned long long", 64, False)),
        (["char"], ("char", 8, False)),
        (["signed", "char"], ("signed char", 8, True)),
        (["bool"], ("_Bool", 8, False)),
        (["pudval_t"], ("unsigned long", 64, False)),
        (["uintptr_t"], ("unsigned long", 64, False)),
        (["ssize_t"], ("long", 64, True)),
    ],
)
def test_type_named(words: list[str], expected: tuple[str, int, bool]) -> None:
    ctype = LP64.type_named(words)
    assert ctype is not None
    assert (ctype.name, ctype.bits, ctype.signed) == expected


@pytest.mark.parametrize(
    "words",
    [
        ["pte_t"],
        ["unsigned", "u8"],
        ["long", "long", "long"],
        ["short", "char"],
        ["unsigned", "bool"],
        [],
        ["const"],
    ],
)
def test_type_named_unknown(words: list[str]) -> None:
    assert LP64.type_named(words) is None


def test_data_models() -> None:
    assert DataModel(64, 64, 64) == LP64  # phys_bits defaults to long_bits
    assert ILP32.phys_bits == 32
    assert PAE.type_named(["pteval_t"]) == ULLONG
    assert PAE.type_named(["phys_addr_t"]) == PAE.standard("unsigned int")
