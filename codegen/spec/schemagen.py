"""The spec's JSON Schema, with every name list filled in from the kernel facts registry.

``codegen/spec/schema.json`` is committed; its arch names, flag names, header roles and PTE
widths come from ``codegen.kernel``, so adding an arch or a flag kind is a data change there.
``python -m codegen.spec.schemagen`` rewrites the file; a test checks that it agrees.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from codegen.kernel.arches import ARCHES
from codegen.kernel.flags import FLAG_NAMES
from codegen.kernel.headers import HEADER_ROLES, REQUIRED_ROLES
from codegen.resources import SCHEMA_PATH

WIDTH = 100


def with_registry(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its registry-owned lists replaced by the registry's."""
    properties = schema["properties"]
    properties["arches"]["propertyNames"] = {"enum": list(ARCHES)}
    generic = properties["generic"]
    generic["required"] = list(REQUIRED_ROLES)
    generic["properties"] = {role: {"$ref": "#/$defs/tree_path"} for role in HEADER_ROLES}
    arch = schema["$defs"]["arch"]["properties"]
    arch["pte_bits"]["enum"] = sorted({info.pte_bits for info in ARCHES.values()})
    arch["flags"]["properties"] = {name: {"$ref": "#/$defs/flag"} for name in FLAG_NAMES}
    return schema


def dumps(value: Any, indent: int = 0, lead: int = 0) -> str:
    """JSON with each object or list on one line when it fits in WIDTH columns; ``lead`` is
    what precedes it on its first line (a key)."""
    flat = json.dumps(value, ensure_ascii=False)
    if indent + lead + len(flat) < WIDTH or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, list):
        items = [pad + dumps(item, indent + 2) for item in value]
    else:
        items = [
            f"{pad}{json.dumps(key)}: {dumps(item, indent + 2, len(json.dumps(key)) + 2)}"
            for key, item in value.items()
        ]
    return (
        ("[" if isinstance(value, list) else "{")
        + "\n"
        + ",\n".join(items)
        + "\n"
        + " " * indent
        + ("]" if isinstance(value, list) else "}")
    )


def schema_text() -> str:
    """The schema file's content as the registry makes it."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return dumps(with_registry(schema)) + "\n"


def main() -> int:
    text = schema_text()
    if SCHEMA_PATH.read_text(encoding="utf-8") != text:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        print(f"{SCHEMA_PATH}: rewritten from the registry")
    return 0


if __name__ == "__main__":
    sys.exit(main())
