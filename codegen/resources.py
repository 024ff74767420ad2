"""Where the bundled specs, templates and schema are, in a checkout and in an installed wheel.

In a source checkout ``specs/`` and ``templates/`` sit beside the ``codegen`` package; the wheel
carries them inside it as ``codegen/specs`` and ``codegen/templates`` (see pyproject.toml).
"""

from __future__ import annotations

import re
from pathlib import Path

from codegen.errors import SwapgenError

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_PATH = PACKAGE_DIR / "spec" / "schema.json"


def _data_dir(name: str) -> Path:
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise SwapgenError(f"swapgen is installed without its {name}/ directory ({PACKAGE_DIR})")


def specs_dir() -> Path:
    return _data_dir("specs")


def templates_dir() -> Path:
    return _data_dir("templates")


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.stem))


def bundled_specs() -> list[Path]:
    """The bundled spec files, oldest kernel first."""
    return sorted(specs_dir().glob("linux-*.yaml"), key=_version_key)


def default_spec() -> Path:
    """The newest bundled spec: what every command uses without --spec."""
    specs = bundled_specs()
    if not specs:
        raise SwapgenError(f"no bundled specs in {specs_dir()}")
    return specs[-1]


def spec_for_release(release: str) -> Path | None:
    """The newest bundled spec not newer than ``release`` ("6.13" gives linux-6.12); None when
    every bundled spec is newer."""
    wanted = tuple(int(n) for n in re.findall(r"\d+", release))
    fitting = [spec for spec in bundled_specs() if _version_key(spec) <= wanted]
    return fitting[-1] if fitting else None


def resolve_spec(arg: str | None) -> Path:
    """A --spec argument: a path to a file, a bundled name ('linux-6.12') or a version ('6.12')."""
    if arg is None:
        return default_spec()
    path = Path(arg)
    if path.is_file():
        return path
    for spec in bundled_specs():
        if arg in (spec.stem, spec.name, spec.stem.removeprefix("linux-")):
            return spec  # also beside a directory of that name: a tree is often called 6.12
    if path.exists():
        raise SwapgenError(f"{arg}: not a regular file")
    names = ", ".join(s.stem for s in bundled_specs())
    raise SwapgenError(f"{arg}: no such spec file, and not a bundled spec (bundled: {names})")
