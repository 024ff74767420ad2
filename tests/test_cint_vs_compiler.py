"""The evaluator against the compiler: the same C constant expressions, folded by both.

Each expression the evaluator accepts is probed four ways in one compile of the target's
compiler (nothing is run): its value as ``unsigned long long``, its ``sizeof``, whether its
type is signed and which standard type ``_Generic`` says it has.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from codegen.csrc.cint import ILP32, ULLONG, CValue, DataModel, convert
from codegen.csrc.expr import evaluate
from codegen.csrc.probe import Compiler, Probe, find_compiler, fold
from codegen.csrc.problems import Unevaluable
from codegen.csrc.tokens import tokenize
from tests.conftest import require_tool


@dataclass(frozen=True)
class Target:
    """A compiler for one data model, its ``char`` pinned to the model's signedness."""

    label: str
    model: DataModel
    gcc_names: tuple[str, ...]
    clang_target: str

    def compiler(self) -> Compiler:
        flag = "-fsigned-char" if self.model.char_signed else "-funsigned-char"
        found = find_compiler(self.gcc_names, self.clang_target, [flag])
        if found is None:
            require_tool(self.gcc_names[0])  # skips, or fails on CI
            raise AssertionError("unreachable")
        return found


LP64_TARGET = Target(
    "LP64", DataModel(64, 64, char_signed=True), ("x86_64-linux-gnu-gcc", "gcc"), "x86_64-linux-gnu"
)
ILP32_TARGET = Target("ILP32", ILP32, ("arm-linux-gnueabihf-gcc",), "arm-linux-gnueabihf")
TARGETS = [pytest.param(t, id=t.label) for t in (LP64_TARGET, ILP32_TARGET)]

TYPE_CODES = (
    "_Bool", "char", "signed char", "unsigned char", "short", "unsigned short", "int",
    "unsigned int", "long", "unsigned long", "long long", "unsigned long long",
)  # fmt: skip
GENERIC = ", ".join(f"{name}: {code}" for code, name in enumerate(TYPE_CODES))
SHIM_TYPES = ("u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "pteval_t", "phys_addr_t")


def shim(model: DataModel) -> str:
    """The kernel's type names as the model defines them."""
    lines = []
    for name in SHIM_TYPES:
        ctype = model.type_named([name])
        assert ctype is not None
        lines.append(f"typedef {ctype.name} {name};")
    return "\n".join(lines) + "\n"


def probes_for(text: str) -> dict[str, str]:
    return {
        "value": f"({text})",
        "size": f"sizeof({text})",
        "signed": f"(__typeof__({text}))-1 < 0",
        "type": f"_Generic(({text}), {GENERIC})",
    }


def expected_for(result: CValue) -> dict[str, int]:
    return {
        "value": convert(result, ULLONG).value,
        "size": result.type.size,
        "signed": int(result.type.signed),
        "type": TYPE_CODES.index(result.type.name),
    }


@dataclass
class Tally:
    compared: int = 0
    rejected: int = 0
    crashed: list[str] = field(default_factory=list)  # texts that crash the compiler itself
    mismatches: list[str] = field(default_factory=list)


CRASH_RE = re.compile(r"internal compiler error|README\.Bugs|submit a bug report", re.I)
"""What a compiler's own crash says (GCC 12 crashes on ``(_Bool)(1, 2)`` in an asm operand)."""


def compare(texts: list[str], target: Target, compiler: Compiler, tally: Tally) -> None:
    """Evaluate every text, fold the accepted ones in one compile and record disagreements."""
    accepted: dict[int, tuple[str, CValue]] = {}
    for index, text in enumerate(texts):
        try:
            accepted[index] = (text, evaluate(tokenize(text), target.model))
        except Unevaluable:
            tally.rejected += 1
    folded = fold_all(accepted, target.model, compiler, tally)
    for index, (text, result) in accepted.items():
        if text in tally.crashed:
            continue
        for kind, want in expected_for(result).items():
            got = folded.get(f"{index}.{kind}")
            if got != want:
                tally.mismatches.append(f"{kind} of {text}: compiler {got}, evaluator {want}")
        tally.compared += 1


def fold_all(
    accepted: dict[int, tuple[str, CValue]], model: DataModel, compiler: Compiler, tally: Tally
) -> dict[str, int | str]:
    """Every probe's value (or why it has none), in one compile unless the compiler crashes."""
    probes = [
        Probe(f"{index}.{kind}", expression, (), text)
        for index, (text, _) in accepted.items()
        for kind, expression in probes_for(text).items()
    ]
    folded = fold(shim(model), [], probes, compiler)
    found: dict[str, int | str] = {**folded.values}
    found |= {name: problem.message for name, problem in folded.failed.items()}
    crash = next((m for m in folded.failed.values() if CRASH_RE.search(m.message)), None)
    if crash is None:
        return found
    if len(accepted) == 1:
        tally.crashed.extend(text for text, _ in accepted.values())
        return found
    items = list(accepted.items())
    half = len(items) // 2
    return fold_all(dict(items[:half]), model, compiler, tally) | fold_all(
        dict(items[half:]), model, compiler, tally
    )


# --- random expressions -------------------------------------------------------------------

MAGNITUDES = (
    0, 1, 2, 3, 7, 8, 31, 32, 63, 64, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF,
    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 2**32, 2**63 - 1, 2**63, 2**64 - 1,
)  # fmt: skip
SUFFIXES = ("", "", "", "u", "U", "l", "L", "ul", "LU", "ll", "LL", "ull", "LLU", "uLL")
CHARACTERS = ("'a'", "'\\0'", "'\\377'", "'\\x80'", "'\\n'")
CASTS = (
    "char", "unsigned char", "signed char", "short", "unsigned short", "int", "unsigned int",
    "long", "unsigned long", "long long", "unsigned long long", "u8", "s8", "u16", "s32",
    "u64", "_Bool", "unsigned",
)  # fmt: skip
UNARY = ("-", "+", "~", "!")
BINARY = (
    "*", "/", "%", "+", "-", "<<", ">>", "<", ">", "<=", ">=", "==", "!=", "&", "^", "|",
    "&&", "||",
)  # fmt: skip


def spell(value: int, base: str) -> str:
    return {"d": f"{value}", "x": f"{value:#x}", "o": f"0{value:o}", "b": f"{value:#b}"}[base]


literals = st.builds(
    lambda value, base, suffix: spell(value, base) + suffix,
    st.sampled_from(MAGNITUDES),
    st.sampled_from("ddxxob"),
    st.sampled_from(SUFFIXES),
)
counts = st.integers(0, 70).map(str)
leaves = st.one_of(literals, literals, counts, st.sampled_from(CHARACTERS))


def operand(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly parenthesised; bare operands test the parser's precedence (both parse the text)."""
    return st.tuples(inner, st.integers(0, 3)).map(lambda t: t[0] if t[1] == 0 else f"({t[0]})")


def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    each = operand(inner)
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), each).map(" ".join),
        st.tuples(each, st.sampled_from(BINARY), each).map(" ".join),
        st.tuples(each, st.sampled_from(("<<", ">>")), counts).map(" ".join),
        st.tuples(st.sampled_from(CASTS), each).map(lambda t: f"({t[0]}){t[1]}"),
        st.tuples(each, each, each).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
        st.tuples(each, each).map(lambda t: f"({t[0]}, {t[1]})"),
        each.map(lambda text: f"sizeof({text})"),
        st.sampled_from(CASTS).map(lambda name: f"sizeof({name})"),
    )


expressions = st.recursive(leaves, extend, max_leaves=8)

EXAMPLES = int(os.environ.get("SWAPGEN_CINT_EXAMPLES", "25"))


@pytest.mark.parametrize("target", TARGETS)
def test_random_expressions_fold_like_the_compiler(target: Target) -> None:
    compiler = target.compiler()
    tally = Tally()

    @settings(
        derandomize=True,
        deadline=None,
        max_examples=EXAMPLES,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(expressions, min_size=40, max_size=80))
    def run(texts: list[str]) -> None:
        compare(texts, target, compiler, tally)

    run()
    print(
        f"{compiler.label}: {tally.compared} compared, {tally.rejected} rejected, "
        f"{len(tally.crashed)} crash the compiler: {tally.crashed}"
    )
    assert not tally.mismatches, "\n".join(tally.mismatches[:20])
    assert tally.compared > tally.rejected > 0


# --- the tricky cases, by name ------------------------------------------------------------

TRICKY = [
    "~0 >> 1", "~0U >> 1", "-8 >> 1", "0xffffffffffffffff / 1", "(u8)0x105",
    "(int)0x80000000", "-1 / 2", "-7 % 3", "7 % -3", "1 << 31", "-1 << 1", "0x7fffffff + 1",
    "1U - 2", "-1L < 1U", "0x80000000", "2147483648", "4294967295", "0x100000000", "(11 / 2)",
    "(pteval_t)1 << 40", "(phys_addr_t)-1", "sizeof(long)", "sizeof(pteval_t)", "0 && 1/0",
    "1 ? 1 : 1/0", "0 ? 1/0 : 2", "1 ? -1 : 0U", "1 ? (char)1 : (char)2", "(1, (char)1)",
    "sizeof(1/0)", "sizeof +(char)1", "'\\377'", "(char)200", "(_Bool)256", "1UL + 1LL",
    "1L + 1U", "-2147483648", "0xffffffffLL", "__builtin_ctz(0x100)", "__builtin_clzl(1)",
    "__builtin_ffs(0)", "__builtin_popcountll(~0ULL)", "__builtin_ctzll(1ULL << 40)",
]  # fmt: skip
TRICKY_LP64 = ["1UL << 63", "1UL << 32", "(~0UL >> 59)", "0x8000000000000000"]
PAE_TARGET = Target("ILP32", DataModel(32, 64), ILP32_TARGET.gcc_names, "arm-linux-gnueabihf")


@pytest.mark.parametrize(
    ("target", "texts"),
    [
        pytest.param(LP64_TARGET, TRICKY + TRICKY_LP64, id="LP64"),
        pytest.param(PAE_TARGET, TRICKY, id="ILP32-PAE"),
    ],
)
def test_tricky_cases_fold_like_the_compiler(target: Target, texts: list[str]) -> None:
    tally = Tally()
    compare(texts, target, target.compiler(), tally)
    assert tally.mismatches == []
    assert (tally.compared, tally.rejected, tally.crashed) == (len(texts), 0, [])
