"""Intake of raw mail: the quick path (headers and a byte scan, for a patch whose diff review
does not read) gives the Patch a full parse gives; worker processes give the report one
process gives; the progress line shows only on a terminal, after a while."""

from __future__ import annotations

import io
import json
import mailbox as stdlib_mailbox

import pytest

from codegen.report import progress
from codegen.review import intake
from codegen.review import mailbox as reader_mailbox
from codegen.review.checks import Review
from codegen.review.series import patch_from_message
from codegen.spec.compiled import load_spec
from tests.conftest import REPO, run_main

REALMAIL = sorted((REPO / "tests/realmail").glob("*/series.mbox"))
CORPUS = sorted((REPO / "tests/corpus").glob("*/*"))


def raw_messages() -> list[tuple[str, bytes]]:
    found = []
    for path in [*REALMAIL, *CORPUS]:
        if path.read_bytes().startswith(b"From "):
            found += [
                (f"{path}#{n}", m.as_bytes()) for n, m in enumerate(stdlib_mailbox.mbox(path))
            ]
        else:
            found.append((str(path), path.read_bytes()))
    return found


@pytest.mark.parametrize("spec", ["6.1", "6.12", "6.19"])
def test_the_quick_path_gives_the_patch_a_full_parse_gives(spec):
    reader = Review(load_spec(REPO / f"specs/linux-{spec}.yaml"))
    quick = 0
    for source, raw in raw_messages():
        full = patch_from_message(
            reader_mailbox.parse_message(raw), source, reader.may_look_at, reader.owns
        )
        assert intake.patch_from_raw(raw, source, reader.may_look_at, reader.owns) == full, source
        quick += intake._plain_and_unread(raw, reader.may_look_at, reader.owns)
    assert quick >= 50  # real series have many parts that touch no swap encoding


def test_a_diff_of_a_read_file_is_never_taken_the_quick_way():
    reader = Review(load_spec(REPO / "specs/linux-6.19.yaml"))
    for source, raw in raw_messages():
        if b"include/linux/swapops.h" in raw or b"arch/x86/include/asm/pgtable" in raw:
            patch = intake.patch_from_raw(raw, source, reader.may_look_at, reader.owns)
            assert patch is None or patch.diff or not patch.has_diff or "Re:" in patch.subject


def test_workers_give_the_report_one_process_gives(tmp_path, monkeypatch):
    """Every real series at once, parsed and reviewed by two worker processes: the same JSON
    as in this process (the thresholds lowered, so this small input is spread)."""
    mbox = tmp_path / "all.mbox"
    mbox.write_bytes(b"".join(path.read_bytes().rstrip(b"\n") + b"\n\n" for path in REALMAIL))
    one = run_main("review", "--spec", "6.12", "--format", "json", "--jobs", "1", str(mbox))
    monkeypatch.setattr(intake, "PARALLEL_FROM", 8)
    monkeypatch.setattr(intake, "PARALLEL_REVIEWS", 2)
    started = []
    real_start = intake.Workers._started
    monkeypatch.setattr(
        intake.Workers, "_started", lambda self: started.append(1) or real_start(self)
    )
    two = run_main("review", "--spec", "6.12", "--format", "json", "--jobs", "2", str(mbox))
    assert "Traceback" not in two.err and two.code == one.code
    assert started, "the workers were not used"
    assert two.out == one.out
    assert len(json.loads(two.out)["series"]) == 16  # 03 is part 27 of 01's thread


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_shows_only_on_a_terminal_after_a_while(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    terminal, pipe = FakeTerminal(), io.StringIO()
    shown, hidden = progress.Progress(terminal, "messages"), progress.Progress(pipe, "messages")
    for line in (shown, hidden):
        line.seen(64)  # at once: nothing yet
    assert terminal.getvalue() == ""
    clock[0] += 4
    for line in (shown, hidden):
        line.seen(8000)
        line.done()
    assert terminal.getvalue() == "\r8,000 messages read (2,000/s)\x1b[K\r\x1b[K"
    assert pipe.getvalue() == ""
