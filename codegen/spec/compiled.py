"""Known-good specs kept in their resolved form, so a command on a spec it has read before
parses no YAML, imports neither PyYAML nor jsonschema, and checks nothing again.

An entry is the pickled Spec, named by the sha256 of swapgen's version, the code that reads,
checks and builds a spec, the schema, the spec's path and its text: any change to one of them
gives a new name. Entries live beside the schema cache (codegen.spec.schemacache) and are
switched off with it (``SWAPGEN_CACHE_DIR=off``); a spec with a problem is never stored, so
its problems are always reported from the text. An entry that cannot be read is ignored.
The cache directory is the user's own: its entries are trusted as their own files are.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from codegen.resources import SCHEMA_PATH
from codegen.spec.model import Spec, freeze
from codegen.spec.schemacache import keyed_entry, store_entry

FORMAT = b"spec-compiled/1"
BUILDERS = ("load.py", "yamlpos.py", "model.py", "compiled.py")
"""The code that turns a spec text into a Spec: an edit to it in a checkout invalidates."""


def _entry(path: Path, text: bytes) -> Path | None:
    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes() for name in BUILDERS)
    parts = (FORMAT, code, SCHEMA_PATH.read_bytes(), str(path).encode(), text)
    return keyed_entry("spec-compiled", parts)


def load_spec(path: str | Path) -> Spec:
    """As codegen.spec.load.load_spec, from the compiled form when this exact text at this
    path was read before."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError:
        text = None
    entry = _entry(path, text) if text is not None else None
    if entry is not None:
        try:
            with entry.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Spec):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # no entry, or one from elsewhere: read the text
    from codegen.spec import load

    spec = load.load_spec(path)
    if entry is not None and path.read_bytes() == text:  # not edited while it was read
        _store(entry, spec)
    return spec


def _frozen(mapping: MappingProxyType) -> tuple[Callable[..., object], tuple[dict]]:
    return freeze, (dict(mapping),)  # the model's read-only mappings, rebuilt as such


def _store(entry: Path, spec: Spec) -> None:
    data = io.BytesIO()
    pickler = pickle.Pickler(data, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _frozen}
    try:
        pickler.dump(spec)
    except (pickle.PicklingError, TypeError):
        return  # only a later run is slower
    store_entry(entry, data.getvalue())
