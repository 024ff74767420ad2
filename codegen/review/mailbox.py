"""Where review's mail comes from: mbox files, Maildir, single messages, directories of
them, stdin, a git range, and public-inbox v2 archives (the format of the public list
mirrors); optionally bounded by a date window. Each reader yields (source, message), one
message in memory at a time, so a 50,000-message archive streams through.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.policy
import email.utils
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from codegen.errors import SwapgenError
from codegen.review.series import PATCH_TAG_RE, decode_header_text

Raw = bytes | email.message.Message
"""A message as read: its bytes, parsed later (codegen.review.intake, in parallel when there
are many); or a stand-in that says why it was not read."""
Messages = Iterator[tuple[str, Raw]]

MAX_MESSAGE_BYTES = 20 * 1024 * 1024
FROM_LINE_RE = re.compile(
    rb"^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb" +\d+ \d\d:\d\d:\d\d \d{4}"
)
"""An mbox separator as git mailsplit takes it: 'From ' alone is just a line of a message."""
MESSAGE_SUFFIXES = (".patch", ".eml", ".mbox", ".mbx")


@dataclass(frozen=True)
class DateWindow:
    """Messages dated from ``since`` up to ``until``, both included; either may be open."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def holds_time(self, stamp: float) -> bool:
        moment = datetime.fromtimestamp(stamp, UTC)
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment <= self.until
        )

    def holds(self, message: Raw) -> bool:
        """Whether the message's Date is in the window; a message with no readable Date is
        kept (leaving it out would pass it silently)."""
        if not self.bounded:
            return True
        if isinstance(message, bytes):
            date = header_from_bytes(message, "Date") or ""
        else:
            date = str(message.get("Date", ""))
        try:
            moment = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            return True
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return self.holds_time(moment.timestamp())


def parse_date(text: str, option: str, end: bool) -> datetime:
    """A --since/--until value: YYYY-MM-DD (for an end, the whole day is in) or an ISO date
    and time (UTC unless it says otherwise)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SwapgenError(
            f"{option} {text}: not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and re.fullmatch(r"\s*\d{4}-\d\d-\d\d\s*", text):
        moment += timedelta(days=1, microseconds=-1)  # the whole day
    return moment


DIFF_STARTS = (b"diff --git ", b"--- a/", b"--- /dev/null")
"""How the first line of a diff begins (series.DIFF_START_RE, as bytes)."""


def has_diff_bytes(data: bytes) -> bool:
    """Whether a line of the raw message begins a diff (plain searches, for speed)."""
    return data.startswith(DIFF_STARTS) or any(b"\n" + start in data for start in DIFF_STARTS)


def header_block(data: bytes) -> bytes:
    """The raw message's header block (up to the first empty line)."""
    ends = [at for at in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if at >= 0]
    return data[: min(ends)] if ends else data
HIDING_WORDS = (b"base64", b"utf-16", b"utf-32", b"uuencode")
"""Encodings that rewrite every character, so no byte scan can see a diff through them."""
OPAQUE_WORDS = (*HIDING_WORDS, b"quoted-printable", b"multipart/")
"""Words in a message's header block that mean it must be parsed in full to know what its
diff says: an encoding that may rewrite or fold a line, or several MIME parts."""


def mentions(data: bytes, words: tuple[bytes, ...]) -> bool:
    """Whether any of ``words`` (lower case) is in ``data``, in any case. (Plain searches in
    the lower-cased bytes: a case-blind regex is ten times slower on a 50 KB patch.)"""
    low = data.lower()
    return any(word in low for word in words)
"""Bytes that may hide a diff from a byte scan: an encoding that rewrites every character."""


def header_from_bytes(data: bytes, name: str) -> str | None:
    """A header's decoded text, from the header block of a raw message alone; None if the
    message has no such header. (Plain byte searches: this runs on every message of an
    archive.)"""
    head = b"\n" + header_block(data).lower()
    key = b"\n" + name.lower().encode() + b":"
    at = head.find(key)
    if at < 0:
        return None
    start = at + len(key)
    stop = start
    while True:  # the value runs on over folded lines (starting with a blank)
        stop = head.find(b"\n", stop + 1)
        if stop < 0 or head[stop + 1 : stop + 2] not in (b" ", b"\t"):
            break
    stop = len(head) if stop < 0 else stop
    # the value as written (its case kept): the same span of the original bytes
    value = data[start - 1 : stop - 1]
    return decode_header_text(value.decode("utf-8", "replace"))


def cannot_be_a_patch(data: bytes) -> bool:
    """Whether a raw message is surely not a patch, as patch_from_message would judge it: a
    reply, or no [PATCH] subject and no diff anywhere in its bytes (and nothing encoded that
    could hide one). Most of a list archive is replies; they need no MIME parsing."""
    subject = header_from_bytes(data, "Subject")
    if subject is None:
        return False
    if subject.strip().lower().startswith("re:"):
        return True
    return not (
        PATCH_TAG_RE.search(subject) or has_diff_bytes(data) or mentions(data, HIDING_WORDS)
    )


NOT_A_PATCH = email.message.EmailMessage()
NOT_A_PATCH["Subject"] = "Re: (not a patch)"


def parse_message(data: bytes) -> email.message.Message:
    """A raw message, parsed; a stand-in when its bytes show it cannot be a patch."""
    if cannot_be_a_patch(data):
        return NOT_A_PATCH
    # compat32: headers stay strings, decoded only where they are read (series._header)
    return email.message_from_bytes(data, policy=email.policy.compat32)


def skipped(reason: str) -> email.message.Message:
    """A stand-in for a message that was not read, carrying why (a finding later)."""
    message = email.message.EmailMessage()
    message["Subject"] = "[PATCH] (skipped)"
    message["X-Swapgen-Problem"] = reason
    return message


def _too_big() -> email.message.Message:
    return skipped(f"a message over {MAX_MESSAGE_BYTES / 2**20:g} MB, skipped")


def _split_mbox(lines: Iterable[bytes], source: str) -> Messages:
    """Messages of an mbox given line by line (streamed: one message in memory at a time)."""
    count = 0
    current: list[bytes] = []
    size = 0
    too_big = False
    for line in itertools.chain(lines, [None]):
        if line is not None and not FROM_LINE_RE.match(line):
            size += len(line)
            if size > MAX_MESSAGE_BYTES:
                too_big, current = True, []
            elif not too_big:
                current.append(line)
            continue
        if too_big:
            count += 1
            yield f"{source}#{count}", _too_big()
        elif b"".join(current).strip():
            count += 1
            data = b"".join(current)
            yield f"{source}#{count}", _unescape_from(data)
        current, size, too_big = [], 0, False


def _unescape_from(chunk: bytes) -> bytes:
    return re.sub(rb"(?m)^>(>*From )", rb"\1", chunk)


def is_archive(path: Path) -> bool:
    """A git directory (a public-inbox epoch such as ``git/0.git``), or a public-inbox v2
    inbox holding epochs under ``git/``."""
    return _epochs(path) != []


def _is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def _epochs(path: Path) -> list[Path]:
    if _is_git_dir(path):
        return [path]
    numbered = [p for p in (path / "git").glob("*.git") if p.stem.isdigit() and _is_git_dir(p)]
    return sorted(numbered, key=lambda p: int(p.stem))


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def messages_from_archive(path: Path, window: DateWindow = DateWindow()) -> Messages:
    """Every message of a public-inbox archive, oldest first, epoch by epoch; within the
    window by the commit's author time (public-inbox sets it from the message's Date)."""
    from codegen.patch.gitrepo import archive_messages

    for epoch in _epochs(path):
        for commit, data in archive_messages(epoch, window.holds_time, MAX_MESSAGE_BYTES):
            source = f"{epoch}@{commit[:12]}"
            yield source, _too_big() if data is None else data


def messages_from_path(path: Path, window: DateWindow = DateWindow()) -> Messages:
    """Messages of an mbox, a single message file, a Maildir, a public-inbox archive, or a
    directory of .patch/.eml/.mbox files (in name order)."""
    if path.is_dir():
        if is_archive(path):
            yield from messages_from_archive(path, window)
            return
        if _is_maildir(path):
            files = sorted(
                p for box in ("cur", "new") for p in (path / box).iterdir() if p.is_file()
            )
            for file in files:
                yield from _within(window, _messages_from_file(file, mbox=False))
            return
        files = sorted(p for p in path.iterdir() if p.suffix in MESSAGE_SUFFIXES)
        if not files:
            inside = sorted(p for p in path.iterdir() if p.is_dir() and is_archive(p))
            hint = f"; did you mean {inside[0]}?" if inside else ""
            raise SwapgenError(
                f"{path}: no .patch, .eml or .mbox files in this directory (and not a Maildir "
                f"or a public-inbox archive){hint}"
            )
        for file in files:
            yield from _within(window, _messages_from_file(file))
        return
    yield from _within(window, _messages_from_file(path))


def _messages_from_file(path: Path, mbox: bool = True) -> Messages:
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as err:
        raise SwapgenError(f"{path}: cannot read: {err.strerror or err}") from None
    if mbox and head == b"From ":
        with path.open("rb") as handle:
            yield from _split_mbox(handle, str(path))
        return
    if path.stat().st_size > MAX_MESSAGE_BYTES:
        yield str(path), _too_big()
        return
    yield str(path), path.read_bytes()


def _within(window: DateWindow, messages: Messages) -> Messages:
    return (item for item in messages if window.holds(item[1])) if window.bounded else messages


def messages_from_stdin(data: bytes, window: DateWindow = DateWindow()) -> Messages:
    if data.startswith(b"From "):
        yield from _within(window, _split_mbox(data.splitlines(keepends=True), "<stdin>"))
    else:
        yield from _within(window, iter([("<stdin>", data)]))


def messages_from_git(
    repo: Path, revision_range: str, window: DateWindow = DateWindow()
) -> Messages:
    """The commits of a range, as ``git format-patch`` mails them."""
    if ".." not in revision_range:
        raise SwapgenError(f"--range {revision_range}: expected A..B")
    from codegen.patch.gitrepo import format_patch_stdout

    mbox = format_patch_stdout(repo, revision_range)
    source = f"{repo}@{revision_range}"
    yield from _within(window, _split_mbox(mbox.splitlines(keepends=True), source))
