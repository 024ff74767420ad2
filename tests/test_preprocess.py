"""The header reader: macros expanded as the C preprocessor does, values in C's types, and
each definition with the #if conditions it sits under."""

from __future__ import annotations

import pytest

from codegen.csrc.cint import ILP32, LP64, DataModel
from codegen.csrc.preprocess import (
    Evaluator,
    ShiftPastWidth,
    Unevaluable,
    definitions,
    parse_define,
    scan_headers,
)

SWAP_H = """\
#ifndef _LINUX_SWAP_H
#define _LINUX_SWAP_H
#ifdef CONFIG_MEMORY_FAILURE
/*
 * hwpoison entries, one type
 */

#define SWP_HWPOISON_NUM 1
#else
#define SWP_HWPOISON_NUM 0
#endif
#if IS_ENABLED(CONFIG_MIGRATION)
#define SWP_MIGRATION_NUM 3
#endif
#ifndef CONFIG_DEVICE_PRIVATE
#define SWP_DEVICE_NUM 0
#endif
#endif
"""


@pytest.mark.parametrize(
    ("config", "count", "gate"),
    [
        ({"CONFIG_MEMORY_FAILURE": True}, "SWP_HWPOISON_NUM", "CONFIG_MEMORY_FAILURE"),
        ({}, "SWP_HWPOISON_NUM", "CONFIG_MEMORY_FAILURE"),  # the #else branch
        ({"CONFIG_MIGRATION": True}, "SWP_MIGRATION_NUM", "CONFIG_MIGRATION"),
        ({}, "SWP_DEVICE_NUM", "CONFIG_DEVICE_PRIVATE"),  # #ifndef
    ],
)
def test_a_count_macro_knows_its_gate_wherever_the_ifdef_stands(config, count, gate):
    scan = scan_headers([("include/linux/swap.h", SWAP_H)], config)
    assert scan.macros[count].gate() == gate


def test_the_include_guard_is_no_gate():
    scan = scan_headers([("include/linux/swap.h", SWAP_H)], {})
    assert scan.macros["_LINUX_SWAP_H"].gate() is None


@pytest.mark.parametrize(
    ("definitions_text", "expression", "model", "value", "type_name"),
    [
        ("#define M(x) x * 2", "M(1 + 1)", LP64, 3, "int"),  # no parentheses added
        ("", "_AC(0x10, UL)", LP64, 16, "unsigned long"),  # ## pastes the suffix
        ("", "_UL(1) << 40", LP64, 1 << 40, "unsigned long"),
        ("#define W ((u8)0x105)", "W", LP64, 5, "unsigned char"),  # the cast truncates
        ("#define H (11 / 2)", "H", LP64, 5, "int"),
        ("#define T (~0UL >> 59)", "T", LP64, 31, "unsigned long"),
        ("", "GENMASK(7, 4)", ILP32, 0xF0, "unsigned long"),
        ("", "_AT(pteval_t, 1) << 40", DataModel(32, 64), 1 << 40, "unsigned long long"),
        ("", "IS_ENABLED(CONFIG_32BIT) ? 5 : 7", ILP32, 7, "int"),
        ("", "FIELD_PREP(0xf0, 3)", LP64, 0x30, "int"),
    ],
    ids=["args-as-written", "paste", "UL", "u8", "division", "shift", "genmask-32",
         "lpae-pteval", "is-enabled", "field-prep"],
)  # fmt: skip
def test_values_are_c_values(definitions_text, expression, model, value, type_name):
    scan = scan_headers([("a.h", definitions_text + "\n")], {})
    found = Evaluator(scan, {}, model).cvalue(expression, "a.h:1")
    assert (found.value, found.type.name) == (value, type_name)


def test_a_shift_past_the_width_says_which_bit_it_reached_for():
    scan = scan_headers([("a.h", "#define T (~0UL >> 59)\n")], {})
    with pytest.raises(ShiftPastWidth) as raised:
        Evaluator(scan, {}, ILP32).value("T", "a.h:1")  # unsigned long is 32 bits there
    assert (raised.value.count, raised.value.bits) == (59, 32)
    assert raised.value.where == "a.h:1"


def test_an_if_on_an_unknown_macro_is_unevaluable_and_says_what_it_hid():
    text = "#if FOO_LEVELS > 3\n#define SWP_X 1\n#endif\n"
    scan = scan_headers([("a.h", text)], {})
    (problem,) = scan.problems
    assert problem.message == "#if uses FOO_LEVELS, which no header read here defines"
    assert problem.shadowed == {"SWP_X"} and problem.where == "a.h:1"
    with pytest.raises(Unevaluable, match="SWP_X is not defined"):
        Evaluator(scan, {}).value("SWP_X")


@pytest.mark.parametrize(
    "condition",
    ["defined(CONFIG_MODULES) && MAP_BASE != 3", "1 || MAP_BASE", "0 ? MAP_BASE : 1"],
)
def test_an_unknown_macro_c_does_not_evaluate_in_an_if_is_no_problem(condition):
    """MIPS's pgtable-64.h tests ``defined(CONFIG_MODULES) && VMALLOC_START != CKSSEG``,
    whose MAP_BASE no swap header defines; with modules off C never looks at it."""
    scan = scan_headers([("a.h", f"#if {condition}\n#define SWP_X 1\n#endif\n")], {})
    assert scan.problems == []


def test_definitions_in_any_branch_and_the_define_parts():
    text = "#ifdef X\nstatic inline int f(void)\n{ return 1; }\n#else\n#define g(y) (y)\n#endif\n"
    assert definitions(text) == {"f": 2, "g": 5}
    define = parse_define("#define  PTE_MARKER_GUARD\t\t\tBIT(2)")
    assert define is not None
    assert (define.name, define.params, define.separator, define.body) == (
        "PTE_MARKER_GUARD",
        None,
        "\t\t\t",
        "BIT(2)",
    )
    assert define.head == "#define  PTE_MARKER_GUARD\t\t\t"


def test_extern_inline_helpers_are_helpers_too():
    """Alpha writes its swap helpers ``extern inline``; a fold of __swp_entry needs them."""
    text = (
        "extern inline pte_t mk_pte_of(unsigned long t, unsigned long o)\n"
        "{ pte_t p; pte_val(p) = (t << 32) | (o << 40); return p; }\n"
        "#define __swp_entry(t, o) ((swp_entry_t) { pte_val(mk_pte_of((t), (o))) })\n"
    )
    assert definitions(text) == {"mk_pte_of": 1, "__swp_entry": 3}
    scan = scan_headers([("pgtable.h", text)], {})
    assert scan.functions["mk_pte_of"].where == "pgtable.h:1"


def test_a_helper_a_generator_macro_defines_is_a_helper():
    """arc defines its pte_swp_* helpers with PTE_BIT_FUNC(swp_mkexclusive, |= ...)."""
    text = (
        "#define PTE_BIT_FUNC(fn, op) \\\n"
        "\tstatic inline pte_t pte_##fn(pte_t pte) { pte_val(pte) op; return pte; }\n"
        "PTE_BIT_FUNC(swp_mkexclusive, |= (1 << 5));\n"
        "PTE_BIT_FUNC(swp_clear_exclusive, &= ~(1 << 5));\n"
    )
    scan = scan_headers([("bits.h", text)], {})
    made = scan.functions["pte_swp_mkexclusive"]
    assert made.where == "bits.h:3"
    assert (
        made.text
        == "static inline pte_t pte_swp_mkexclusive(pte_t pte) { pte_val(pte) |= (1 << 5); return pte; }"
    )
    assert scan.functions["pte_swp_clear_exclusive"].where == "bits.h:4"


def test_enumerators_are_constants_and_an_if_inside_the_enum_counts():
    """MIPS numbers its PTE bits with an enum, one enumerator under an #if."""
    text = (
        "enum pgtable_bits {\n"
        "\t_PAGE_PRESENT_SHIFT,\n"
        "#if defined(CONFIG_SOFT)\n"
        "\t_PAGE_SOFT_SHIFT,\n"
        "#endif\n"
        "\t_PAGE_WRITE_SHIFT, _PAGE_X_SHIFT = 9,\n"
        "\t_PAGE_Y_SHIFT\n"
        "};\n"
        "#define _PAGE_WRITE (1 << _PAGE_WRITE_SHIFT)\n"
    )
    for soft, write in ((False, 1), (True, 2)):
        scan = scan_headers([("a.h", text)], {"CONFIG_SOFT": soft})
        evaluator = Evaluator(scan, {"CONFIG_SOFT": soft})
        assert evaluator.value("_PAGE_WRITE") == 1 << write
        assert (evaluator.value("_PAGE_X_SHIFT"), evaluator.value("_PAGE_Y_SHIFT")) == (9, 10)
        assert ("_PAGE_SOFT_SHIFT" in scan.macros) == soft
        assert scan.macros["_PAGE_Y_SHIFT"].where == "a.h:7"
