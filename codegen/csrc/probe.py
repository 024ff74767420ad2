"""Learn what a tree's macros and helpers compute without running any of them.

The definitions are copied into a C file after our shim, and each value we want becomes an
``"i"`` operand of an ``asm`` statement that writes it into a section of the object file,
the way the kernel's asm-offsets works. The file is compiled (optimised, so inline helpers
fold) by the variant's own compiler in a scratch directory, with a time limit, and the
object is read back; nothing that was compiled is ever run.

A probe whose value does not fold to a constant (a real call, a statement expression with a
side effect, a read of memory) either fails to compile (``"i"`` needs a constant) or leaves
a relocation in its function; both are reported as Unevaluable at the probe's line. A
definition that does not compile fails the probes that need it, and only those.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codegen.csrc.problems import Unevaluable

COMPILE_SECONDS = 60  # a probe file compiles in well under a second
MAX_DIAGNOSTIC_BYTES = 1024 * 1024

BASE_FLAGS = (
    "-std=gnu11", "-O2", "-c", "-Werror=implicit-function-declaration",
    "-ffunction-sections", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
    "-fno-stack-protector", "-fno-pic", "-fno-common", "-ffreestanding", "-nostdinc",
    "-fno-diagnostics-color",
)  # fmt: skip
"""Compile, never link; one section per function, so each probe's relocations are its own."""


@dataclass(frozen=True)
class Compiler:
    """A compiler for one target: the command and the flags that make it emit that target."""

    argv: tuple[str, ...]
    flags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return " ".join(Path(self.argv[0]).name.split() + list(self.argv[1:]))


def find_compiler(
    gcc_names: Sequence[str], clang_target: str | None, flags: Sequence[str] = ()
) -> Compiler | None:
    """The target's own gcc if one is installed, else clang for the target, else None."""
    for name in gcc_names:
        found = shutil.which(name)
        if found:
            return Compiler((found,), tuple(flags))
    if clang_target:
        for clang in ("clang-19", "clang"):
            found = shutil.which(clang)
            if found:
                return Compiler((found, f"--target={clang_target}"), tuple(flags))
    return None


@dataclass(frozen=True)
class Snippet:
    """One definition copied verbatim from a tree: a #define line or a function."""

    name: str
    code: str
    where: str  # file:line in the tree


@dataclass(frozen=True)
class Probe:
    """A C expression whose value (read as 64 bits) we want to learn."""

    name: str
    expression: str
    needs: tuple[str, ...]  # names of the snippets it uses, dependencies first
    where: str  # what a failure points at (the definition under test)


@dataclass
class Folded:
    values: dict[str, int] = field(default_factory=dict)
    failed: dict[str, Unevaluable] = field(default_factory=dict)
    settled: bool = True  # False when a compile failed for no line of its input (a timeout,
    # a compiler that could not run or died): the same input may fold another time


@dataclass
class _Program:
    text: str
    snippet_lines: list[tuple[int, int, Snippet]]  # first, last line of each snippet
    probe_lines: dict[int, Probe]  # line of each probe function -> probe
    functions: dict[str, Probe]  # function name -> probe


def fold(
    shim: str,
    snippets: Sequence[Snippet],
    probes: Sequence[Probe],
    compiler: Compiler,
    timeout: float = COMPILE_SECONDS,
) -> Folded:
    """The value of every probe the compiler folds to a constant; the rest with the reason.

    The tree's functions are first compiled on their own, each kept out of line, so that a
    function that calls something at run time is named as the culprit of every probe that
    uses it.
    """
    result = Folded()
    by_name = {s.name: s for s in snippets}
    nonce = secrets.token_hex(6)
    with tempfile.TemporaryDirectory(prefix="swapgen-probe-") as scratch:
        source = Path(scratch) / "probe.c"
        broken = _functions_with_side_effects(shim, snippets, compiler, source, nonce, timeout)
        pending = list(probes)
        for _ in range(len(probes) + len(snippets) + 1):
            for probe in list(pending):
                bad = next((broken[n] for n in probe.needs if n in broken), None)
                if bad is not None:
                    result.failed[probe.name] = bad
                    pending.remove(probe)
            if not pending:
                break
            wanted = dict.fromkeys(n for p in pending for n in p.needs if n in by_name)
            program = _program(shim, [by_name[n] for n in wanted], pending, nonce)
            source.write_text(program.text, encoding="utf-8")
            errors = _compile(compiler, source, timeout)
            if errors is not None and any(not lines for lines, _ in errors):
                result.settled = False
            if errors is None:
                _read_probes(source.with_suffix(".o"), program, nonce, result)
                break
            if not _blame(errors, program, broken, result, pending):
                _fail_all(pending, result, f"does not compile with {compiler.label}", errors)
                break
    return result


def _functions_with_side_effects(
    shim: str,
    snippets: Sequence[Snippet],
    compiler: Compiler,
    source: Path,
    nonce: str,
    timeout: float,
) -> dict[str, Unevaluable]:
    """Snippets that do not compile, and functions whose code still calls or reads something
    once optimised: name -> why."""
    broken: dict[str, Unevaluable] = {}
    remaining = list(snippets)
    for _ in range(len(snippets) + 1):
        if not any(_is_function(s) for s in remaining):
            break
        program = _program(shim, remaining, [], nonce, keep=True)
        source.write_text(program.text, encoding="utf-8")
        errors = _compile(compiler, source, timeout)
        if errors is None:
            for name, symbols in _references(source.with_suffix(".o")).items():
                snippet = next((s for s in remaining if s.name == name), None)
                if snippet is not None:
                    broken[name] = Unevaluable(_side_effect(symbols), snippet.where)
            break
        if not _blame(errors, program, broken, Folded(), []):
            break  # the probes themselves will say what is wrong
        remaining = [s for s in remaining if s.name not in broken]
    return broken


def _is_function(snippet: Snippet) -> bool:
    return not snippet.code.lstrip().startswith("#")


def _side_effect(symbols: set[str]) -> str:
    named = sorted(n for n in symbols if n[:1] not in ".$" and n != "data")
    what = f"it calls or reads {', '.join(named)}" if named else "it reads memory"
    return f"does not fold to a constant: {what} at run time"


def _fail_all(
    pending: list[Probe], result: Folded, why: str, errors: list[tuple[list[int], str]]
) -> None:
    message = errors[0][1] if errors else "the compiler failed"
    for probe in pending:
        result.failed[probe.name] = Unevaluable(f"{why}: {message}", probe.where)


def _program(
    shim: str, snippets: Sequence[Snippet], probes: list[Probe], nonce: str, keep: bool = False
) -> _Program:
    lines = shim.rstrip("\n").split("\n")
    emit = f"SWAPGEN_{nonce}_EMIT"
    lines += [
        f'#define {emit}(id, v) asm volatile(".pushsection .swapgen,\\"a\\"\\n\\t'
        f'.ascii \\"<{nonce}:" #id ":%0:%1>\\"\\n\\t.popsection" :: '
        '"i"((unsigned int)((unsigned long long)(v))), '
        '"i"((unsigned int)((unsigned long long)(v) >> 32)))',
    ]
    snippet_lines = []
    for snippet in snippets:
        lines.append(f"/* {snippet.where} */")
        first = len(lines) + 1
        lines += snippet.code.split("\n")
        snippet_lines.append((first, len(lines), snippet))
        if keep and _is_function(snippet):  # an out-of-line copy in .text.<name>
            lines.append(
                f"static void *const swapgen_{nonce}_keep_{len(snippet_lines)} "
                f"__attribute__((__used__)) = (void *)&{snippet.name};"
            )
    probe_lines = {}
    functions = {}
    for index, probe in enumerate(probes):
        function = f"swapgen_{nonce}_probe_{index}"
        lines.append(f"void {function}(void);")
        lines.append(f"void {function}(void) {{ {emit}({index}, ({probe.expression})); }}")
        probe_lines[len(lines)] = probe
        functions[function] = probe
    return _Program("\n".join(lines) + "\n", snippet_lines, probe_lines, functions)


DIAGNOSTIC_RE = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:\d+:)? "
    r"(?P<kind>fatal error|error|note|warning): (?P<text>.*)$"
)


def _compile(
    compiler: Compiler, source: Path, timeout: float
) -> list[tuple[list[int], str]] | None:
    """None when the object was written; else each error with the lines its notes name."""
    argv = [
        *compiler.argv,
        *BASE_FLAGS,
        *compiler.flags,
        str(source),
        "-o",
        str(source.with_suffix(".o")),
    ]
    env = dict(os.environ, LC_ALL="C")
    try:
        proc = subprocess.run(
            argv, capture_output=True, timeout=timeout, cwd=source.parent, env=env,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return [([], f"the compiler did not finish in {timeout:g} s")]
    except OSError as err:
        return [([], f"cannot run {compiler.label}: {err.strerror or err}")]
    if proc.returncode == 0 and source.with_suffix(".o").is_file():
        return None
    stderr = proc.stderr[:MAX_DIAGNOSTIC_BYTES].decode("utf-8", errors="replace")
    errors: list[tuple[list[int], str]] = []
    for raw in stderr.splitlines():
        match = DIAGNOSTIC_RE.match(raw)
        if match is None or Path(match["file"]).name != source.name:
            continue
        line = int(match["line"])
        if match["kind"] in ("error", "fatal error"):
            errors.append(([line], match["text"].strip()))
        elif errors and match["kind"] == "note":
            errors[-1][0].append(line)
    if not errors:
        last = stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        errors.append(([], last[0]))
    return errors


def _blame(
    errors: list[tuple[list[int], str]],
    program: _Program,
    broken: dict[str, Unevaluable],
    result: Folded,
    pending: list[Probe],
) -> bool:
    """Fail the probes (or mark the snippets) the errors point at, each with every error
    that names it; False if the errors point at none."""
    probe_errors: dict[Probe, tuple[str, list[str]]] = {}
    snippet_errors: dict[str, tuple[Snippet, list[str]]] = {}
    for lines, text in errors:
        snippet = next(
            (
                s
                for line in lines[:1]
                for first, last, s in program.snippet_lines
                if first <= line <= last
            ),
            None,
        )
        probe = next(
            (program.probe_lines[line] for line in lines if line in program.probe_lines), None
        )
        if probe is not None and probe in pending:
            where = snippet.where if snippet is not None else probe.where
            probe_errors.setdefault(probe, (where, []))[1].append(_why(text))
        elif probe is None and snippet is not None and snippet.name not in broken:
            snippet_errors.setdefault(snippet.name, (snippet, []))[1].append(text)
    for probe, (where, texts) in probe_errors.items():
        calls = [t for t in texts if called_function(t)]
        joined = "; ".join(dict.fromkeys(calls or texts))
        result.failed[probe.name] = Unevaluable(f"does not fold to a constant: {joined}", where)
        pending.remove(probe)
    for name, (snippet, texts) in snippet_errors.items():
        reasons = list(dict.fromkeys(_why(text) for text in texts))
        calls = [r for r in reasons if called_function(r)]
        if calls:  # a call outside the code read: that is why, whatever else is missing
            message = f"{name} does not fold to a constant: {'; '.join(calls)}"
        else:
            message = f"{name} does not compile outside the kernel: {'; '.join(reasons)}"
        broken[name] = Unevaluable(message, snippet.where)
    return bool(probe_errors or snippet_errors)


UNDECLARED_CALL_RE = re.compile(
    r"(?:implicit declaration of function|call to undeclared function) \W?([A-Za-z_]\w*)"
)
"""gcc's and clang's words for a call to a function nothing declares."""

CALLS_RE = re.compile(r"it calls ([A-Za-z_]\w*)\(\), which no header read defines")


def called_function(message: str) -> str | None:
    """The undeclared function a probe's failure says it calls, if that is the reason."""
    match = CALLS_RE.search(message)
    return match.group(1) if match else None


def _why(text: str) -> str:
    """A compiler's complaint, said as what it means here."""
    if "constraint" in text and ("impossible" in text or "'i'" in text):
        return "its value is known only at run time"
    call = UNDECLARED_CALL_RE.search(text)
    if call:
        return f"it calls {call.group(1)}(), which no header read defines"
    return text


VALUE_RE = re.compile(r"<(?P<nonce>[0-9a-f]+):(?P<id>\d+):[$#]?(?P<lo>-?\d+):[$#]?(?P<hi>-?\d+)>")


def _references(path: Path) -> dict[str, set[str]]:
    """Function name -> the symbols its code refers to, from the relocations of its section."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.relocation import RelocationSection
    from elftools.elf.sections import SymbolTableSection

    referenced: dict[str, set[str]] = {}
    try:
        with path.open("rb") as handle:
            elf = ELFFile(handle)
            names = {index: s.name for index, s in enumerate(elf.iter_sections())}
            symbols = elf.get_section_by_name(".symtab")
            for relocations in elf.iter_sections():
                if not isinstance(relocations, RelocationSection):
                    continue
                target = names.get(relocations["sh_info"], "")
                if not target.startswith(".text."):
                    continue
                for relocation in relocations.iter_relocations():
                    symbol = (
                        symbols.get_symbol(relocation["r_info_sym"])
                        if isinstance(symbols, SymbolTableSection)
                        else None
                    )
                    name = symbol.name if symbol is not None and symbol.name else "data"
                    referenced.setdefault(target.removeprefix(".text."), set()).add(name)
    except (OSError, ELFError) as err:
        raise Unevaluable(f"cannot read the compiled probe: {err}") from None
    return referenced


def _section_text(path: Path, name: str) -> str:
    from elftools.elf.elffile import ELFFile

    with path.open("rb") as handle:
        section = ELFFile(handle).get_section_by_name(name)
        return section.data().decode("ascii", errors="replace") if section else ""


def _read_probes(path: Path, program: _Program, nonce: str, result: Folded) -> None:
    try:
        referenced = _references(path)
        data = _section_text(path, ".swapgen")
    except Unevaluable as err:
        for probe in program.functions.values():
            result.failed[probe.name] = Unevaluable(err.message, probe.where)
        return
    values: dict[int, int] = {}
    for match in VALUE_RE.finditer(data):
        if match["nonce"] == nonce:
            low, high = int(match["lo"]) & 0xFFFFFFFF, int(match["hi"]) & 0xFFFFFFFF
            values[int(match["id"])] = low | high << 32
    for index, (function, probe) in enumerate(program.functions.items()):
        if function in referenced:
            result.failed[probe.name] = Unevaluable(_side_effect(referenced[function]), probe.where)
        elif index in values:
            result.values[probe.name] = values[index]
        else:
            result.failed[probe.name] = Unevaluable("the compiler left no value", probe.where)
