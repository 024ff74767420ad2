"""Load YAML into plain Python data while remembering where every node came from.

PyYAML's composer keeps a mark (line, column) on each node; we walk that node tree once, build
ordinary dicts, lists and scalars, and record the position of every value and every mapping key by
its path from the root. Duplicate keys, which PyYAML silently accepts, are reported as problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from codegen.oneline import one_line

YamlPath = tuple[str | int, ...]

# libyaml's loader, when PyYAML was built with it, composes a spec several times faster
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a named file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, printed as ``file:line:col: message``."""

    position: Position
    message: str
    rule: str = "SWP001"  # SWP001 cannot be read, SWP002 schema, SWP003 semantic

    def __str__(self) -> str:
        # a key or value quoted from the file may hold a newline: the line must stay one line
        return f"{self.position}: {one_line(self.message)}"


@dataclass
class LoadedYaml:
    """Plain data plus the position of each value (``values``) and mapping key (``keys``)."""

    file: str
    data: Any
    values: dict[YamlPath, Position] = field(default_factory=dict)
    keys: dict[YamlPath, Position] = field(default_factory=dict)
    raw: dict[YamlPath, str] = field(default_factory=dict)  # scalars as written
    problems: list[Problem] = field(default_factory=list)

    def value_at(self, path: YamlPath) -> Position:
        """Position of the value at ``path``, or of its nearest ancestor that exists."""
        path = tuple(path)
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Position(self.file, 1, 1))

    def key_at(self, path: YamlPath) -> Position:
        """Position of the mapping key that names ``path`` (falls back to the value)."""
        path = tuple(path)
        return self.keys.get(path) or self.value_at(path)


def _mark_position(file: str, mark: yaml.Mark | None) -> Position:
    if mark is None:
        return Position(file, 1, 1)
    return Position(file, mark.line + 1, mark.column + 1)


def _yaml_error_problem(file: str, err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None)
    context = getattr(err, "context", None)
    if problem:
        text = f"{context}, {problem}" if context else problem
    else:
        text = str(err).splitlines()[0]
    return Problem(_mark_position(file, mark), f"YAML syntax error: {text}")


MAX_NODES = 100_000
"""A spec has a few hundred values; a document that expands past this (nested aliases: a
"billion laughs") is refused instead of filling memory."""


class _TooManyNodes(Exception):
    pass


def load_yaml(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document; syntax errors and duplicate keys become ``problems``."""
    result = LoadedYaml(file=file, data=None)
    loader = _SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            result.problems.append(Problem(Position(file, 1, 1), "the file is empty"))
            return result
        result.data = _convert(loader, root, (), result, active=set())
    except yaml.YAMLError as err:
        result.problems.append(_yaml_error_problem(file, err))
        result.data = None
    except _TooManyNodes as err:
        message = f"the document expands to over {MAX_NODES} values (nested aliases?)"
        result.problems.append(Problem(err.args[0], message))
        result.data = None
    finally:
        loader.dispose()
    return result


def _convert(
    loader: yaml.SafeLoader, node: yaml.Node, path: YamlPath, out: LoadedYaml, active: set[int]
) -> Any:
    out.values[path] = _mark_position(out.file, node.start_mark)
    if len(out.values) > MAX_NODES:
        raise _TooManyNodes(out.values[path])
    if id(node) in active:
        out.problems.append(Problem(out.values[path], "recursive YAML alias"))
        return None
    if isinstance(node, yaml.MappingNode):
        active.add(id(node))
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_pos = _mark_position(out.file, key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                out.problems.append(Problem(key_pos, "YAML merge keys ('<<') are not supported"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                out.problems.append(Problem(key_pos, "mapping keys must be plain scalars"))
                continue
            key = key_node.value
            if key in mapping:
                first = out.keys[(*path, key)]
                out.problems.append(
                    Problem(key_pos, f"duplicate key '{key}' (first defined at line {first.line})")
                )
                continue
            out.keys[(*path, key)] = key_pos
            mapping[key] = _convert(loader, value_node, (*path, key), out, active)
        active.discard(id(node))
        return mapping
    if isinstance(node, yaml.SequenceNode):
        active.add(id(node))
        items = [
            _convert(loader, item, (*path, index), out, active)
            for index, item in enumerate(node.value)
        ]
        active.discard(id(node))
        return items
    value = loader.construct_object(node, deep=True)
    out.raw[path] = node.value
    if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
        out.problems.append(
            Problem(
                out.values[path],
                f"write true or false, not {node.value!r} (YAML 1.1 reads it as a boolean)",
            )
        )
    if node.tag not in _PLAIN_TAGS:
        out.problems.append(
            Problem(out.values[path], f"unsupported YAML value type {node.tag!r}; quote it")
        )
    return value


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:float",
}
