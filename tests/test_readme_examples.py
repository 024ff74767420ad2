"""Every ``$ swapgen ...`` example in README.md prints what the README shows.

A code block's ``$ swapgen`` line is run as the console script would run it; the lines under
it, up to the next ``$`` line or the block's end, are its output. ``...`` stands for lines
the README leaves out.
"""

from __future__ import annotations

import shlex

import pytest

from tests.conftest import REPO, run_main


def blocks() -> list[str]:
    """The README's fenced code blocks, in order."""
    found, current = [], None
    for line in (REPO / "README.md").read_text().splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                found.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return found


def examples() -> list[tuple[str, list[str]]]:
    found = []
    for block in blocks():
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command:
                    found.append((command, output))
                command, output = line[2:], []
            elif command:
                output.append(line)
        if command:
            found.append((command, output))
    return [(c, o) for c, o in found if c.startswith("swapgen ")]


def shown_in(expected: list[str], got: list[str]) -> bool:
    """The expected lines, in order, with ``...`` for any run of lines left out."""
    position = 0
    skipping = False
    for line in expected:
        if line == "...":
            skipping = True
            continue
        while position < len(got) and got[position] != line:
            if not skipping:
                return False
            position += 1
        if position == len(got):
            return False
        position += 1
        skipping = False
    return skipping or position == len(got)


def test_the_readme_has_examples_to_check():
    assert len(examples()) >= 4


@pytest.mark.parametrize(("command", "expected"), examples(), ids=lambda v: str(v)[:60])
def test_a_readme_example_prints_what_it_shows(command, expected):
    result = run_main(*shlex.split(command)[1:])
    assert "Traceback" not in result.err
    assert shown_in(expected, result.out.splitlines()), result.out
