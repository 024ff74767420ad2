"""C tokens of preprocessor lines and constant expressions."""

from __future__ import annotations

import re

from codegen.csrc.problems import Unevaluable

TOKEN_RE = re.compile(
    r"""
    (?P<number>0[xX][0-9a-fA-F]+[uUlL]*|0[bB][01]+[uUlL]*|[0-9]+[uUlL]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<op><<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\#\#|->|\+\+|--|[-+*/%&|^]=
           |[-+*/%&|^~!<>?:(),\#\[\]{};.=])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.X,
)


def tokenize(text: str) -> list[str]:
    """The tokens of ``text``; a character C does not have is Unevaluable."""
    tokens = []
    for match in TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "other":
            raise Unevaluable(f"unexpected character {match.group()!r} in {text.strip()!r}")
        tokens.append(match.group())
    return tokens


def is_identifier(token: str) -> bool:
    return bool(token) and (token[0].isalpha() or token[0] == "_")


def is_number(token: str) -> bool:
    return bool(token) and token[0].isdigit()
