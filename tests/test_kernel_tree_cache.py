"""The extracted-kernel-tree cache the integration tests share (tests/kernel_trees.py):
concurrent runs extract a tree once and never see it half-made; a killed run's leftovers
do not break later runs. A tiny tarball stands in for Debian's."""

from __future__ import annotations

import multiprocessing
import tarfile
import time
from pathlib import Path

import pytest

from tests import kernel_trees

VERSION = "9.9"
FILES = {"Makefile": "VERSION = 9\nPATCHLEVEL = 9\n", "include/linux/swap.h": "/* swap */\n"}


@pytest.fixture
def fake_source(tmp_path, monkeypatch) -> Path:
    """A linux-source-9.9 tarball and an empty cache; every extraction is logged and slow."""
    archive = tmp_path / f"linux-source-{VERSION}.tar.xz"
    files = tmp_path / "files"
    with tarfile.open(archive, "w:xz") as tar:
        for name, text in FILES.items():
            path = files / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            tar.add(path, arcname=f"linux-source-{VERSION}/{name}")
    cache = tmp_path / "cache"
    log = tmp_path / "extractions.log"
    real_extract = kernel_trees.extract

    def slow_extract(archive, version, paths, dest):
        with open(log, "a") as handle:
            handle.write(f"{dest.name}\n")
        time.sleep(0.5)  # long enough for a second run to arrive meanwhile
        assert published(cache) == [], "a half-made tree is visible"
        real_extract(archive, version, paths, dest)

    monkeypatch.setattr(kernel_trees, "tarball", lambda _version: archive)
    monkeypatch.setattr(kernel_trees, "needed_paths", lambda: sorted(FILES))
    monkeypatch.setattr(kernel_trees, "cache_root", lambda: cache)
    monkeypatch.setattr(kernel_trees, "extract", slow_extract)
    return log


def published(cache: Path) -> list[Path]:
    """The tree directories other runs can see in the cache."""
    return [p for p in cache.glob(f"{VERSION}-*") if p.is_dir()] if cache.is_dir() else []


def _tree_in_child(queue) -> None:
    try:
        root = kernel_trees.kernel_tree(VERSION)
        queue.put(("ok", str(root), (root / "include/linux/swap.h").read_text()))
    except BaseException as error:  # reported to the parent, which fails the test
        queue.put(("error", repr(error), ""))


def test_concurrent_runs_extract_once_and_all_get_the_whole_tree(fake_source):
    context = multiprocessing.get_context("fork")  # the children keep the monkeypatches
    queue = context.Queue()
    runs = [context.Process(target=_tree_in_child, args=(queue,)) for _ in range(3)]
    for run in runs:
        run.start()
    results = [queue.get(timeout=60) for _ in runs]
    for run in runs:
        run.join(timeout=60)
    assert {r[0] for r in results} == {"ok"}, results
    (tree,) = published(kernel_trees.cache_root())
    assert {r[1] for r in results} == {str(tree / "linux-source-9.9")}
    assert {r[2] for r in results} == {"/* swap */\n"}
    assert len(fake_source.read_text().splitlines()) == 1, "extracted more than once"


def test_a_complete_tree_is_reused_without_extracting(fake_source):
    first = kernel_trees.kernel_tree(VERSION)
    assert kernel_trees.kernel_tree(VERSION) == first
    assert len(fake_source.read_text().splitlines()) == 1


def test_what_a_killed_run_left_is_cleared_and_the_tree_made_again(fake_source):
    first = kernel_trees.kernel_tree(VERSION)
    cache = first.parent
    (cache / kernel_trees.COMPLETE).unlink()  # as if killed before the marker was written
    (first / "include/linux/swap.h").unlink()
    partial = cache.parent / f".{cache.name}-partial-killed"
    (partial / "linux-source-9.9").mkdir(parents=True)  # a killed run's staging directory
    assert kernel_trees.kernel_tree(VERSION) == first
    assert (first / "include/linux/swap.h").read_text() == "/* swap */\n"
    assert (cache / kernel_trees.COMPLETE).is_file()
    assert not partial.exists()
    assert sorted(p.name for p in cache.parent.iterdir()) == [cache.name, f"{cache.name}.lock"]


def test_a_failed_extraction_leaves_nothing_behind(fake_source, monkeypatch):
    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(kernel_trees, "extract", broken)
    with pytest.raises(OSError, match="disk full"):
        kernel_trees.kernel_tree(VERSION)
    cache = kernel_trees.cache_root()
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []
