"""Load a spec file: YAML with positions, JSON-Schema validation, semantic checks -> Spec.

Every problem is reported as ``file:line:col: message`` and all of them are collected before
anything is raised, so one run of ``swapgen validate`` shows everything that is wrong.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from codegen import layout
from codegen.csrc.kconfig import canonical
from codegen.errors import SpecInvalid
from codegen.kernel.flags import FLAG_NAMES, FLAG_SELECTS, MANDATORY_FLAG
from codegen.resources import SCHEMA_PATH
from codegen.spec import schemacache
from codegen.spec.model import (
    FIELDS,
    MARKER_HELPERS,
    MARKER_TYPE,
    Arch,
    BitRange,
    Field,
    Flag,
    Marker,
    MarkerSet,
    Naming,
    Select,
    Spec,
    TypeGroup,
    freeze,
)
from codegen.spec.yamlpos import LoadedYaml, Position, Problem, YamlPath, load_yaml

Report = Callable[[YamlPath, str], None]
"""Records a problem at the node a path names."""

MAX_SPEC_BYTES = 1024 * 1024


# --- entry points -------------------------------------------------------------------------


def load_spec(path: str | Path) -> Spec:
    """Read, validate and build a Spec; raises SpecInvalid with every problem found.

    The JSON Schema layer is skipped for a text that passed it before (codegen.spec.schemacache);
    the semantic checks always run.
    """
    loaded, problems = _load_and_check(Path(path), use_cache=True)
    if problems:
        raise SpecInvalid(problems)
    return _build(loaded, Path(path))


def check_spec(path: str | Path) -> list[Problem]:
    """Every problem in a spec file, sorted by position; empty when it is valid."""
    return sorted(_load_and_check(Path(path), use_cache=False)[1])


def _load_and_check(path: Path, use_cache: bool) -> tuple[LoadedYaml, list[Problem]]:
    display = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        reason = err.strerror or str(err)
        return LoadedYaml(display, None), [Problem(_pos(display), f"cannot read: {reason}")]
    if len(raw) > MAX_SPEC_BYTES:
        size = f"{len(raw) / 2**20:.1f} MB"
        why = "too big for a spec (they are about 10 KB; the limit is 1 MB)"
        return LoadedYaml(display, None), [Problem(_pos(display), f"{size}: {why}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return LoadedYaml(display, None), [
            Problem(_pos(display, line), f"not UTF-8 text (byte {err.start})")
        ]
    loaded = load_yaml(text, display)
    if loaded.problems:
        return loaded, list(loaded.problems)
    if loaded.data is None:
        return loaded, [Problem(loaded.value_at(()), "the document is null: no spec in it")]
    if use_cache and schemacache.known_valid(raw):
        problems = []
    else:
        problems = [replace(p, rule="SWP002") for p in _schema_problems(loaded)]
        if not problems:
            schemacache.remember_valid(raw)
    if not problems:
        problems = [replace(p, rule="SWP003") for p in _semantic_problems(loaded)]
    return loaded, problems


def _pos(file: str, line: int = 1) -> Position:
    return Position(file, line, 1)


# --- layer 1: JSON Schema -----------------------------------------------------------------


@functools.cache
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    base = jsonschema.Draft202012Validator
    # YAML's 59.0 is a float; a bit number must be written as an integer
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    strict = jsonschema.validators.extend(base, type_checker=checker)
    return strict(schema)


_TYPE_WORDS = {
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}

_PATTERN_WORDS = {
    "^CONFIG_[A-Z0-9_]+$": "a Kconfig symbol such as CONFIG_MIGRATION",
    "^[A-Z_][A-Z0-9_]*$": "an upper-case C macro name such as SWP_HWPOISON",
    "^[A-Za-z_][A-Za-z0-9_]*$": "a C identifier",
    "^[a-z][a-z0-9_]*$": "a lower-case name such as hwpoison",
    "^[A-Z0-9_]+$": "a Kconfig symbol without the CONFIG_ prefix",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _dotted(path: YamlPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def _schema_problems(loaded: LoadedYaml) -> list[Problem]:
    problems: list[Problem] = []
    for error in _validator().iter_errors(loaded.data):
        problems.extend(_translate(loaded, error))
    # one message per position and text is enough
    return sorted(set(problems))


def _translate(loaded: LoadedYaml, error: Any) -> list[Problem]:
    path: YamlPath = tuple(error.absolute_path)
    where = _dotted(path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        # the branch whose type matched says more than "expected null"
        informative = [e for e in error.context if e.validator != "type"] or error.context
        return _translate(loaded, informative[0])
    if "propertyNames" in error.schema_path:
        name = error.instance
        allowed = error.validator_value if kind == "enum" else []
        hint = _did_you_mean(str(name), allowed)
        known = f" (known: {', '.join(allowed)})" if allowed else ""
        return [
            Problem(loaded.key_at((*path, name)), f"{where}: unknown name '{name}'{hint}{known}")
        ]
    if kind == "required":
        missing = error.message.split("'")[1]
        return [Problem(loaded.key_at(path), f"{where}: missing required key '{missing}'")]
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            hint = _did_you_mean(key, allowed)
            out.append(
                Problem(
                    loaded.key_at((*path, key)),
                    f"{where}: unknown key '{key}'{hint} (allowed: {', '.join(allowed)})",
                )
            )
        return out
    value = error.instance
    if kind == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        hint = ""
        if "string" in expected and isinstance(value, int | float) and not isinstance(value, bool):
            hint = f' (quote it: "{loaded.raw.get(path, value)}")'
        return [
            Problem(
                loaded.value_at(path), f"{where}: expected {words}, got {_describe(value)}{hint}"
            )
        ]
    if kind in ("enum", "const"):
        options = error.validator_value if kind == "enum" else [error.validator_value]
        listed = ", ".join(json.dumps(o) for o in options)
        return [
            Problem(loaded.value_at(path), f"{where}: {_describe(value)} is not one of {listed}")
        ]
    if kind == "pattern":
        words = _PATTERN_WORDS.get(error.validator_value, f"text matching {error.validator_value}")
        return [
            Problem(loaded.value_at(path), f"{where}: expected {words}, got {_describe(value)}")
        ]
    if kind == "not":
        return [
            Problem(loaded.value_at(path), f"{where}: {_describe(value)} must not contain '..'")
        ]
    if kind == "minimum":
        text = f"{value} is below the minimum {error.validator_value}"
        return [Problem(loaded.value_at(path), f"{where}: {text}")]
    if kind == "maximum":
        text = f"{value} is above the maximum {error.validator_value}"
        return [Problem(loaded.value_at(path), f"{where}: {text}")]
    if kind in ("minItems", "maxItems"):
        return [Problem(loaded.value_at(path), f"{where}: {error.message}")]
    if kind == "minLength":
        return [Problem(loaded.value_at(path), f"{where}: must not be empty")]
    if kind == "minProperties":
        return [Problem(loaded.value_at(path), f"{where}: must name at least one entry")]
    return [Problem(loaded.value_at(path), f"{where}: {error.message}")]


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --- layer 2: semantic checks -------------------------------------------------------------


def _semantic_problems(loaded: LoadedYaml) -> list[Problem]:
    data = loaded.data
    problems: list[Problem] = []

    def report(path: YamlPath, message: str) -> None:
        # a mapping or list is reported at its key ("offset:"), a scalar at its value
        node = _lookup(data, path)
        where = loaded.key_at(path) if isinstance(node, dict | list) else loaded.value_at(path)
        problems.append(Problem(where, message))

    spec = _build(loaded, Path(loaded.file))
    _check_types(spec, report)
    _check_markers(spec, report)
    _check_naming(data, report)
    for arch in spec.arches.values():
        _check_arch(spec, arch, data["arches"][arch.name], report, loaded.value_at)
    return problems


def _lookup(data: Any, path: YamlPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _check_types(spec: Spec, report: Report) -> None:
    seen_types: dict[str, YamlPath] = {}
    seen_macros: dict[str, YamlPath] = {}
    seen_groups: dict[str, YamlPath] = {}
    for gi, group in enumerate(spec.groups):
        base = ("swap_types", "groups", gi)
        for table, key, where in (
            (seen_groups, group.name, (*base, "name")),
            (seen_macros, group.count_macro, (*base, "count_macro")),
        ):
            if key in table:
                report(where, f"'{key}' is used twice (first at {_dotted(table[key])})")
            table[key] = where
        for ti, name in enumerate(group.types):
            path: YamlPath = (*base, "types", ti)
            if name in seen_types:
                report(
                    path, f"swap type {name} is listed twice (first at {_dotted(seen_types[name])})"
                )
            seen_types[name] = path
            if name in seen_macros:
                report(path, f"swap type {name} has the name of a count macro")
    total = sum(len(g.types) for g in spec.groups)
    slots = layout.type_slots(spec)
    floor = spec.min_max_swapfiles
    available = layout.max_swapfiles(spec)
    if available < floor:
        report(
            ("swap_types", "min_max_swapfiles"),
            f"MAX_SWAPFILES would be {available} with every gate on ({slots} type values - "
            f"{total} special types), below min_max_swapfiles {floor}",
        )


def _check_markers(spec: Spec, report: Report) -> None:
    markers = spec.markers
    has_type = any(MARKER_TYPE in g.types for g in spec.groups)
    for key in MARKER_HELPERS:
        named = getattr(spec.naming, key) is not None
        if named != (markers is not None):
            report(
                ("naming", key),
                f"naming.{key} must be null without pte_markers"
                if named
                else f"naming.{key} is null, but the spec has pte_markers",
            )
    if markers is None:
        if has_type:
            report(
                ("swap_types", "groups"),
                "SWP_PTE_MARKER is a swap type, but the spec has no pte_markers",
            )
        return
    if not has_type:
        report(
            ("pte_markers",), "pte_markers need the swap type SWP_PTE_MARKER in swap_types.groups"
        )
    by_bit: dict[int, int] = {}
    by_name: dict[str, int] = {}
    for i, marker in enumerate(markers.markers):
        base = ("pte_markers", "markers", i)
        if marker.bit in by_bit:
            first = markers.markers[by_bit[marker.bit]].name
            report((*base, "bit"), f"{marker.name} uses bit {marker.bit}, already taken by {first}")
        by_bit.setdefault(marker.bit, i)
        if marker.name in by_name:
            report((*base, "name"), f"marker {marker.name} is defined twice")
        by_name.setdefault(marker.name, i)
        for arch in spec.arches.values():
            generic_width = layout.generic_type_shift(spec, arch.pte_bits)
            width = min(arch.offset.width, generic_width)
            if marker.bit >= width:
                report(
                    (*base, "bit"),
                    f"{marker.name} bit {marker.bit} does not fit the swap offset of {arch.name} "
                    f"({width} bits): a marker lives in the offset of an SWP_PTE_MARKER entry",
                )
    if markers.mask_style == "low_bits":
        bits = sorted(by_bit)
        if bits and bits != list(range(len(bits))):
            report(
                ("pte_markers", "mask_style"),
                f"mask_style low_bits needs marker bits 0..{len(bits) - 1} without gaps, "
                f"got bits {', '.join(map(str, bits))}; use or_of_markers",
            )


def _check_naming(data: dict[str, Any], report: Report) -> None:
    naming = data["naming"]
    generic = data["generic"]
    api = naming["api"]
    header = naming["predicates_header"]
    if api == "softleaf":
        if "leafops_h" not in generic:
            report(
                ("naming", "api"), "api softleaf needs generic.leafops_h (the predicates' header)"
            )
        elif header != generic["leafops_h"]:
            report(
                ("naming", "predicates_header"),
                f"api softleaf keeps predicates in {generic['leafops_h']}",
            )
    elif header != generic["swapops_h"]:
        report(
            ("naming", "predicates_header"),
            f"api swapops keeps predicates in {generic['swapops_h']}",
        )


def _check_arch(
    spec: Spec,
    arch: Arch,
    raw: dict[str, Any],
    report: Report,
    position_of: Callable[[YamlPath], Position],
) -> None:
    base: YamlPath = ("arches", arch.name)

    def part_path(label: str) -> YamlPath:
        if label.startswith("flags."):
            return (*base, "flags", label.split(".", 1)[1], "bit")
        if "[" in label:
            key, index = label.rstrip("]").split("[")
            return (*base, key, int(index), "bits")
        if label.endswith(".high"):  # the high piece of a split field
            return (*base, label.split(".")[0], "split", "high_lsb")
        return (*base, label)

    for name in FIELDS:
        problem = split_problem(raw[name])
        if problem is not None:
            key, message = problem
            report((*base, name, "split", key), f"{arch.name} {name}.split: {message}")
    parts = layout.arch_parts(arch)
    for part in parts:
        if part.lo > part.hi:
            report(
                part_path(part.label),
                f"{arch.name} {part.label}: range {part.lo}-{part.hi} is reversed",
            )
        elif part.hi >= arch.pte_bits:
            path = part_path(part.label)
            report(
                (*path, "width") if part.label in ("type", "offset") else path,
                f"{arch.name} {part.label} ({layout.describe_bits(part.mask)}) does not fit a "
                f"{arch.pte_bits}-bit PTE",
            )
    for first, second, shared in layout.overlaps(p for p in parts if p.lo <= p.hi):
        # report at whichever of the two comes later in the file: usually the new line
        if position_of(part_path(first.label)) > position_of(part_path(second.label)):
            first, second = second, first
        other_line = position_of(part_path(first.label)).line
        report(
            part_path(second.label),
            f"{arch.name} {second.label} ({layout.describe_bits(second.mask)}) overlaps "
            f"{first.label} ({layout.describe_bits(first.mask)}, line {other_line}) "
            f"at {layout.describe_bits(shared)}",
        )
    if arch.type.width < spec.max_swapfiles_shift:
        report(
            (*base, "type", "width"),
            f"{arch.name} type field is {arch.type.width} bits, narrower than "
            f"MAX_SWAPFILES_SHIFT {spec.max_swapfiles_shift}",
        )
    for kind, symbol in FLAG_SELECTS.items():
        has_flag = kind in arch.flags
        selects = arch.selects_symbol(symbol)
        if has_flag and not selects:
            report(
                (*base, "flags", kind),
                f"{arch.name} has a {kind} swap bit but kconfig_selects lacks {symbol}",
            )
        elif selects and not has_flag:
            index = next(i for i, s in enumerate(arch.selects) if s.symbol == symbol)
            report(
                (*base, "kconfig_selects", index, "symbol"),
                f"{arch.name} selects {symbol} but has no {kind} swap bit in flags",
            )
    for index, select in enumerate(arch.selects):
        if select.condition is not None:
            try:
                canonical(select.condition)
            except ValueError as err:
                report(
                    (*base, "kconfig_selects", index, "if"),
                    f"'{select.condition}' is not a Kconfig condition: {err}",
                )
    none = arch.none_value
    if none > layout.pte_mask(arch):
        report(
            (*base, "none_value"),
            f"{arch.name} none_value {none:#x} does not fit a {arch.pte_bits}-bit PTE",
        )
    elif (
        none
        and not none & layout.zero_mask(arch)
        and none & layout.one_mask(arch) == layout.one_mask(arch)
    ):
        report(
            (*base, "none_value"),
            f"{arch.name} none_value {none:#x} has the shape of a swap PTE (no must-be-0 bit set, "
            "every must-be-1 bit set), so the empty PTE could not be told from an entry",
        )
    if spec.naming.exclusive_helpers_mandatory and MANDATORY_FLAG not in arch.flags:
        report(
            (*base, "flags"),
            f"{arch.name} has no exclusive swap bit, but naming.exclusive_helpers_mandatory "
            "says every arch must implement pte_swp_exclusive() (v6.3 and later)",
        )
    macros: dict[str, str] = {}
    for flag_name, flag in arch.flags.items():
        if flag.macro in macros:
            report(
                (*base, "flags", flag_name, "macro"),
                f"{flag.macro} is also the {macros[flag.macro]} macro",
            )
        macros[flag.macro] = flag_name
    seen_headers: set[str] = set()
    for i, header in enumerate(raw["headers"]):
        if header in seen_headers:
            report((*base, "headers", i), f"{header} is listed twice")
        seen_headers.add(header)


# --- building the model -------------------------------------------------------------------


def split_problem(raw: dict) -> tuple[str, str] | None:
    """What is wrong with a field's ``split`` (the key to report at and the message), or None
    when it has none or a good one."""
    split = raw.get("split")
    if split is None:
        return None
    lsb, width, low, high = raw["lsb"], raw["width"], split["low_width"], split["high_lsb"]
    top = lsb + low - 1
    if low >= width:
        return "low_width", (
            f"low_width {low} leaves no bit of the {width}-bit field for the high piece "
            f"(it must be below {width})"
        )
    if high <= top:
        return "high_lsb", (
            f"high_lsb {high} is not above the low piece (bits {lsb}-{top}): "
            f"the high piece starts above bit {top}"
        )
    if high == top + 1:
        return "high_lsb", (
            f"high_lsb {high} continues the low piece (bits {lsb}-{top}): the field is one run, "
            "write it without split"
        )
    return None


def _field(raw: dict) -> Field:
    pieces: tuple[tuple[int, int], ...] = ((raw["lsb"], raw["width"]),)
    split = raw.get("split")
    if split is not None and split_problem(raw) is None:  # a bad split is reported, not built
        low = split["low_width"]
        pieces = ((raw["lsb"], low), (split["high_lsb"], raw["width"] - low))
    return Field(
        lsb=raw["lsb"],
        width=raw["width"],
        inverted=raw.get("inverted", False),
        macros=freeze(raw.get("macros", {})),
        pieces=pieces,
    )


def _ranges(raw: list[dict]) -> tuple[BitRange, ...]:
    return tuple(BitRange(r["bits"][0], r["bits"][1], r["name"], r.get("why")) for r in raw)


def _arch(name: str, raw: dict) -> Arch:
    flags = {}
    for flag_name in FLAG_NAMES:
        if flag_name in raw["flags"]:
            f = raw["flags"][flag_name]
            flags[flag_name] = Flag(
                flag_name,
                f["bit"],
                f["macro"],
                f.get("alias"),
                f.get("condition"),
                f.get("runtime"),
            )
    return Arch(
        name=name,
        pte_bits=raw["pte_bits"],
        headers=tuple(raw["headers"]),
        kconfig=raw["kconfig"],
        type=_field(raw["type"]),
        offset=_field(raw["offset"]),
        flags=freeze(flags),
        zero_bits=_ranges(raw["zero_bits"]),
        one_bits=_ranges(raw["one_bits"]),
        max_swapfiles_check=raw["max_swapfiles_check"],
        selects=tuple(Select(s["symbol"], s["under"], s["if"]) for s in raw["kconfig_selects"]),
        none_value=raw.get("none_value", 0),
        config_assumptions=tuple(raw.get("config_assumptions", ())),
        unverified=tuple(raw.get("unverified", ())),
        notes=tuple(raw.get("notes", ())),
    )


def _build(loaded: LoadedYaml, path: Path) -> Spec:
    data = loaded.data
    types = data["swap_types"]
    pm = data.get("pte_markers")
    return Spec(
        name=path.stem,
        path=str(path),
        kernel=data["kernel"],
        source=data.get("source", ""),
        generic_files=freeze(data["generic"]),
        max_swapfiles_shift=types["max_swapfiles_shift"],
        min_max_swapfiles=types["min_max_swapfiles"],
        groups=tuple(
            TypeGroup(g["name"], g["count_macro"], g["gate"], tuple(g["types"]))
            for g in types["groups"]
        ),
        markers=None
        if pm is None
        else MarkerSet(
            typedef=pm["typedef"],
            mask_macro=pm["mask_macro"],
            mask_style=pm["mask_style"],
            markers=tuple(
                Marker(
                    m["name"], m["bit"], m["make"], m["test"], m["meaning"], m.get("test_header")
                )
                for m in pm["markers"]
            ),
        ),
        naming=Naming(**data["naming"]),
        arches=freeze({name: _arch(name, raw) for name, raw in data["arches"].items()}),
        unverified=tuple(data.get("unverified", ())),
    )
