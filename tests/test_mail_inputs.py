"""Where review's mail comes from: public-inbox v2 archives (the format of the public list
mirrors: one commit per message, the message as blob ``m``), Maildir, and a --since/--until
window. Archives here are real git repositories built the way public-inbox writes them,
from real list mail (tests/realmail) and the corpus."""

from __future__ import annotations

import email.utils
import json
import mailbox as stdlib_mailbox
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, run_main, run_script

REALMAIL = REPO / "tests/realmail"
CORPUS = REPO / "tests/corpus"
MIPS = REALMAIL / "15-mips-soft-dirty-v2/series.mbox"  # real, 2020-04-29, one patch
BOOL = REALMAIL / "10-pte-swp-exclusive-bool-v2/series.mbox"  # real, 2 messages
ERROR = CORPUS / "12-flag-overlaps-type/series.mbox"  # arm64 uffd-wp bit onto the type field

DOCS_PATCH = (
    b"From: A <a@example.org>\nDate: Mon, 04 May 2020 10:00:00 +0000\n"
    b"Message-ID: <docs-1@example.org>\nSubject: [PATCH] docs: fix a typo\n\n---\n"
    b"diff --git a/Documentation/x.rst b/Documentation/x.rst\n"
    b"--- a/Documentation/x.rst\n+++ b/Documentation/x.rst\n@@ -1 +1 @@\n-teh\n+the\n"
)
REPLY = (
    b"From: B <b@example.org>\nDate: Tue, 05 May 2020 10:00:00 +0000\n"
    b"Message-ID: <reply-1@example.org>\nIn-Reply-To: <docs-1@example.org>\n"
    b"Subject: Re: [PATCH] docs: fix a typo\n\n> -teh\n> +the\nLooks good.\n"
)


def raw_messages(mbox: Path) -> list[bytes]:
    return [message.as_bytes() for message in stdlib_mailbox.mbox(mbox)]


def _git(git_dir: Path, *args: str, data: bytes | None = None, date: str = "") -> str:
    env = dict(os.environ, GIT_DIR=str(git_dir))
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE="@1767225600 +0000")
    proc = subprocess.run(["git", *args], input=data, capture_output=True, env=env, check=True)
    return proc.stdout.decode().strip()


def write_epoch(git_dir: Path, messages: list[bytes | None], config: bool = True) -> Path:
    """A public-inbox v2 epoch: a bare repository with one commit per message, the message
    as blob ``m`` and the author date its Date header; None is a deleted message (public-inbox
    leaves a commit whose tree has ``d`` instead). Without ``config``, no config file, as
    some mirrors are."""
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
    parent: list[str] = []
    for index, raw in enumerate(messages):
        name, data = ("d", b"deleted\n") if raw is None else ("m", raw)
        blob = _git(git_dir, "hash-object", "-w", "--stdin", data=data)
        tree = _git(git_dir, "mktree", data=f"100644 blob {blob}\t{name}\n".encode())
        dated = email.message_from_bytes(raw or b"").get("Date") if raw else None
        stamp = email.utils.parsedate_to_datetime(dated).timestamp() if dated else 1.7e9 + index
        commit = _git(
            git_dir, "commit-tree", tree, *parent, "-m", "message", date=f"@{int(stamp)} +0000"
        )
        parent = ["-p", commit]
    _git(git_dir, "update-ref", "refs/heads/master", commit)
    _git(git_dir, "symbolic-ref", "HEAD", "refs/heads/master")
    if not config:
        (git_dir / "config").unlink()
    return git_dir


def review_json(*args: str) -> tuple[int, dict]:
    result = run_main("review", "--format", "json", *args)
    assert "Traceback" not in result.err, result.err
    return result.code, json.loads(result.out)


def findings_of(series: dict) -> list[tuple[str, str, int, str]]:
    return [(f["rule"], f["file"], f["line"], f["message"]) for f in series["findings"]]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    messages: list[bytes | None] = [*raw_messages(MIPS), DOCS_PATCH, REPLY, None]
    messages += [*raw_messages(BOOL), *raw_messages(ERROR)]
    return write_epoch(tmp_path / "0.git", messages, config=False)


def test_an_archive_gives_each_series_the_findings_of_its_own_mbox(archive):
    """Every series of the archive is reported; each reviewed one has exactly the findings
    it has when reviewed alone from its mbox; the docs patch is counted, not reviewed; the
    reply and the deleted message are no series."""
    code, data = review_json("--spec", "6.19", str(archive))
    assert code == 1
    subjects = [(s["subject"][:40], s["verdict"]) for s in data["series"]]
    assert subjects == [
        ("[PATCH v2] mips/mm: Add page soft dirty ", "pass"),
        ("[PATCH] docs: fix a typo", "not reviewed: touches no swap encoding"),
        ("[PATCH v2 0/1] mm: pgtable: fix pte_swp_", "warn"),
        ("[PATCH] arm64: mm: move the uffd-wp swap", "fail"),
    ]
    reviewed = [data["series"][i] for i in (0, 2, 3)]
    for series, mbox in zip(reviewed, (MIPS, BOOL, ERROR), strict=True):
        (alone,) = review_json("--spec", "6.19", str(mbox))[1]["series"]
        assert [f[:3] for f in findings_of(series)] == [f[:3] for f in findings_of(alone)]
        if mbox != ERROR:  # real mail has a Message-ID; the corpus mail is known by its file
            assert series["id"] == alone["id"]


def test_the_text_report_names_reviewed_series_and_counts_the_rest(archive):
    result = run_main("review", "--spec", "6.19", str(archive))
    lines = result.err.splitlines()
    assert len(lines) == 4, result.err
    assert "'mips/mm: Add page soft dirty tracking'" in lines[0]
    assert lines[-1] == "1 other series of 4 touch no swap encoding (counted, not reviewed)"


def test_since_and_until_bound_an_archive_by_message_date(archive):
    _code, data = review_json("--spec", "6.19", "--since", "2020-05-01", str(archive))
    assert "mips" not in json.dumps([s["subject"] for s in data["series"]])
    _code, data = review_json("--spec", "6.19", "--until", "2020-04-29", str(archive))
    assert [s["subject"] for s in data["series"]] == [
        "[PATCH v2] mips/mm: Add page soft dirty tracking"
    ]
    _code, data = review_json(
        "--spec", "6.19", "--since", "2020-04-30", "--until", "2020-05-04T10:00:00Z", str(archive)
    )
    assert [s["subject"] for s in data["series"]] == ["[PATCH] docs: fix a typo"]


def test_since_and_until_bound_an_mbox_by_its_date_headers(tmp_path):
    mbox = tmp_path / "in.mbox"
    mbox.write_bytes(MIPS.read_bytes() + b"\n" + ERROR.read_bytes())
    _code, data = review_json("--spec", "6.19", "--since", "2021-01-01", str(mbox))
    assert [s["subject"] for s in data["series"]] == [
        "[PATCH] arm64: mm: move the uffd-wp swap bit"
    ]
    # a message whose Date cannot be read is kept: leaving it out would pass it silently
    undated = ERROR.read_bytes().replace(b"\nDate: ", b"\nX-Old-Date: ", 1)
    mbox.write_bytes(MIPS.read_bytes() + b"\n" + undated)
    _code, data = review_json("--spec", "6.19", "--until", "2021-01-01", str(mbox))
    assert len(data["series"]) == 2


@pytest.mark.parametrize("value", ["yesterday", "2020-13-01", "05/04/2020"])
def test_a_date_that_is_not_one_is_a_one_line_error(archive, value):
    result = run_main("review", "--since", value, str(archive))
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.strip().splitlines() == [
        f"swapgen: error: --since {value}: not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
    ]


def test_an_inbox_with_several_epochs_is_read_epoch_by_epoch(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "git").mkdir(parents=True)
    write_epoch(inbox / "git/1.git", raw_messages(ERROR))
    write_epoch(inbox / "git/0.git", raw_messages(MIPS))
    _code, data = review_json("--spec", "6.19", str(inbox))
    assert [s["subject"][:16] for s in data["series"]] == ["[PATCH v2] mips/", "[PATCH] arm64: m"]


def test_a_message_over_the_size_limit_is_a_finding_not_a_crash(tmp_path, monkeypatch):
    from codegen.review import mailbox

    monkeypatch.setattr(mailbox, "MAX_MESSAGE_BYTES", 4096)
    big = DOCS_PATCH + b"x" * 8192 + b"\n"
    git_dir = write_epoch(tmp_path / "0.git", [big, *raw_messages(BOOL)])
    _code, data = review_json("--spec", "6.19", str(git_dir))
    messages = [f["message"] for s in data["series"] for f in s["findings"]]
    assert "a message over 0 MB, skipped" not in messages  # says its real limit
    assert any("skipped" in m and f"{4096 / 2**20:g}" in m for m in messages), messages


def test_what_is_not_an_archive_says_so_in_one_line(tmp_path):
    empty = tmp_path / "empty.git"
    subprocess.run(["git", "init", "-q", "--bare", str(empty)], check=True)
    result = run_main("review", str(empty))
    assert result.code == 2
    assert result.err.strip() == (
        f"swapgen: error: {empty}: not a public-inbox archive (no blob 'm' in HEAD's tree)"
    )


def test_a_maildir_is_read_in_name_order_with_its_new_mail(tmp_path):
    maildir = tmp_path / "Mail"
    for box in ("cur", "new", "tmp"):
        (maildir / box).mkdir(parents=True)
    (maildir / "cur/1590000000.M1.host:2,S").write_bytes(raw_messages(MIPS)[0])
    (maildir / "new/1600000000.M2.host").write_bytes(raw_messages(ERROR)[0])
    (maildir / "tmp/1600000001.M3.host").write_bytes(DOCS_PATCH)  # being delivered: not mail yet
    _code, data = review_json("--spec", "6.19", str(maildir))
    assert [s["subject"][:16] for s in data["series"]] == ["[PATCH v2] mips/", "[PATCH] arm64: m"]


def test_the_console_script_reviews_an_archive(archive, tmp_path):
    result = run_script("review", "--spec", "6.19", "--format", "json", str(archive), cwd=tmp_path)
    assert result.code == 1, result.err
    assert len(json.loads(result.out)["series"]) == 4


def test_a_patch_attached_as_application_x_patch_is_read(tmp_path):
    """Real list mail attaches patches as application/x-patch (base64): the diff in it is
    reviewed, with the findings of the same patch sent inline."""
    from email.message import EmailMessage

    inline = email.message_from_bytes(raw_messages(ERROR)[0])
    body = inline.get_payload(decode=True)
    mail = EmailMessage()
    for name in ("From", "Date", "Subject"):
        mail[name] = inline[name]
    mail.set_content("Patch attached.\n")
    mail.add_attachment(body, maintype="application", subtype="x-patch", filename="uffd.patch")
    attached = tmp_path / "attached.eml"
    attached.write_bytes(mail.as_bytes())
    _code, data = review_json("--spec", "6.19", str(attached))
    (alone,) = review_json("--spec", "6.19", str(ERROR))[1]["series"]
    assert [f[:3] for f in findings_of(data["series"][0])] == [f[:3] for f in findings_of(alone)]
    assert {f["rule"] for f in data["series"][0]["findings"]} == {"SWP301", "SWP401"}


def test_the_directory_around_an_archive_points_at_it(archive):
    """A newcomer gives the mirror's top directory, not its git directory."""
    result = run_main("review", str(archive.parent))
    assert result.code == 2
    assert result.err.strip().endswith(f"did you mean {archive}?")
