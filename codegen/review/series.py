"""Incoming patches as a series: messages (from codegen.review.mailbox) -> Series.

Mail is decoded before unidiff sees it (quoted-printable, base64, charsets, CRLF). Subjects
are parsed for ``[PATCH v3 05/12]``, RFC and RESEND; replies that only quote a diff are
ignored; with several versions in one input, the newest is reviewed and the report says so.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codegen.errors import SwapgenError

PATCH_TAG_RE = re.compile(r"\[[^\]]*\bPATCH\b", re.I)
COUNTER_RE = re.compile(r"\b(\d+)/(\d+)\b")
VERSION_RE = re.compile(r"\bv(\d+)\b", re.I)
IGNORED_ATTACHMENT = "ignored a"
DIFF_START_RE = re.compile(r"^(diff --git |--- (a/|/dev/null))", re.M)


@dataclass
class Patch:
    """One message of a series."""

    source: str  # file name (and message number) it came from
    subject: str
    title: str
    version: int
    number: int  # 0 for a cover letter
    total: int
    rfc: bool = False
    resend: bool = False
    version_inferred: bool = False
    author: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    date: str = ""
    diff: str = ""  # only the file sections review reads, when intake trims it
    has_diff: bool = False  # whether the mail held a diff at all, before any trimming
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.number < 0:
            return f"({self.source})"
        counter = f"{self.number}/{self.total}" if self.total else "1/1"
        return f"[{counter}] {self.title}"


@dataclass
class Series:
    patches: list[Patch]  # the reviewed version, cover letter first, in order
    cover: Patch | None
    version: int
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule id, message)
    ignored: int = 0
    partial: bool = False  # one part of a longer series, reviewed alone (b4's per-patch check)


def parse_subject(subject: str) -> tuple[str, int, int, int, bool, bool, bool]:
    """(title, version, number, total, rfc, resend, version_inferred) of a subject line."""
    clean = " ".join(subject.split())
    while clean.lower().startswith(("re:", "fwd:")):
        clean = clean.split(":", 1)[1].strip()
    groups = []
    while (bracket := re.match(r"^\[([^\]]*)\]\s*", clean)) is not None:
        groups.append(bracket.group(1))
        clean = clean[bracket.end() :]
    tags = " ".join(groups)
    if not re.search(r"\bPATCH\b", tags, re.I):
        return subject.strip(), 1, 1, 1, False, False, True
    counter = COUNTER_RE.search(tags)
    number, total = (int(counter.group(1)), int(counter.group(2))) if counter else (1, 1)
    version = VERSION_RE.search(tags)
    rfc = bool(re.search(r"\bRFC\b", tags, re.I))
    resend = bool(re.search(r"\bRESEND\b", tags, re.I))
    return (
        clean.strip(),
        int(version.group(1)) if version else 1,
        number,
        total,
        rfc,
        resend,
        version is None,
    )


QP_ESCAPE_RE = re.compile(rb"=(?![0-9A-Fa-f]{2}|\r?\n|$)")
"""An '=' that quoted-printable never writes: not before two hex digits or a line end."""
BASE64_RE = re.compile(rb"[A-Za-z0-9+/=\s]*")


def already_decoded(part: email.message.Message) -> bool:
    """Whether a part's declared transfer encoding does not fit its body: the body was
    decoded already (b4 hands its check commands the original headers over decoded text)."""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    body = part.get_payload(decode=False)
    if not isinstance(body, str) or encoding not in ("base64", "quoted-printable"):
        return False
    raw = body.encode("utf-8", errors="replace")
    if encoding == "base64":
        return BASE64_RE.fullmatch(raw) is None
    # a real quoted-printable body writes every '=' of the text as =3D
    return bool(QP_ESCAPE_RE.search(raw))


def _payload_text(part: email.message.Message) -> str | None:
    try:
        if already_decoded(part):
            body = part.get_payload(decode=False)
            raw: Any = body.encode("utf-8", errors="replace") if isinstance(body, str) else None
        else:
            raw = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding is a finding
        return None
    if not isinstance(raw, bytes):
        return None
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:  # a Content-Type the stdlib parser cannot read: assume UTF-8
        charset = "utf-8"
    try:
        text = raw.decode(charset, errors="replace")
    except (LookupError, ValueError):  # an unknown charset, or a name with a NUL in it
        text = raw.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _body(message: email.message.Message) -> tuple[str, list[str]]:
    """The text part that carries the diff (or the first text part), decoded."""
    problems = []
    texts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            maintype, content_type = part.get_content_maintype(), part.get_content_type()
        except Exception:  # the stdlib parser fails on some malformed Content-Type headers
            problems.append("a MIME part with an unreadable Content-Type was ignored")
            continue
        if maintype == "multipart":  # multipart headers over a body with no boundary in it:
            body = part.get_payload(decode=False)  # b4 hands over the decoded text that way
            if isinstance(body, str) and body.strip():
                texts.append(body.replace("\r\n", "\n").replace("\r", "\n"))
            continue
        if maintype != "text" and not _is_attached_patch(part):
            problems.append(f"{IGNORED_ATTACHMENT} {content_type} attachment")
            continue
        text = _payload_text(part)
        if text is None:
            problems.append("a text part could not be decoded")
            continue
        texts.append(text)
    for text in texts:
        if DIFF_START_RE.search(text):
            return text, problems
    return (texts[0] if texts else ""), problems


PATCH_CONTENT_TYPES = ("application/x-patch", "application/x-diff", "application/patch")


def _is_attached_patch(part: email.message.Message) -> bool:
    """A patch sent as an attachment with a non-text type (real list mail does this)."""
    if part.get_content_type() in PATCH_CONTENT_TYPES:
        return True
    try:
        name = part.get_filename() or ""
    except Exception:  # a malformed Content-Disposition: not a patch we can name
        return False
    return name.endswith((".patch", ".diff")) and part.get_content_maintype() == "application"


def _header(message: email.message.Message, name: str) -> str:
    """A header's text: unfolded, RFC 2047 encoded words decoded; its raw text when they
    cannot be. (Messages are parsed with the compat32 policy, whose headers are plain
    strings: the default policy's header objects cost most of the time on an archive.)"""
    raw = message.get(name)
    return "" if raw is None else decode_header_text(raw)


def decode_header_text(raw: object) -> str:
    """The text of a raw header value (a str, or an email.header.Header for 8-bit bytes)."""
    text = raw if isinstance(raw, str) else str(raw)
    text = FOLD_RE.sub("", text).strip()
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except Exception:  # a malformed encoded word (real mail has them): its raw text
        return " ".join(text.split())


def _normal_address(text: str) -> str:
    """A From as ``Name <addr>`` (the name quoted only when it must be); as sent when it
    cannot be read."""
    name, address = email.utils.parseaddr(text)
    if not address:
        return " ".join(text.split())
    name = " ".join(name.split())
    if name and re.search(r'[()<>\[\]:;@\\,."]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>" if name else address


def _normal_date(text: str) -> str:
    """A Date as RFC 5322 writes it ("Thu, 02 Jan 2025 16:01:57 +0100"); as sent when it
    cannot be read."""
    try:
        return email.utils.format_datetime(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return text


FOLD_RE = re.compile(r"\r?\n(?=[ \t])")


def _diff_start(body: str) -> re.Match[str] | None:
    """Where the diff begins: after the '---' line that ends a format-patch commit message
    when there is one (a message may quote a 'diff --git' line), else at the first header."""
    first = DIFF_START_RE.search(body)
    separator = re.search(r"^---$", body, re.M)
    if not (first and separator and first.start() < separator.start()):
        return first
    # a hunk between the first header and the '---' makes that line a removed '--' of a
    # diff sent without a separator; otherwise the header was quoted in the message
    if re.search(r"^@@ ", body[first.start() : separator.start()], re.M):
        return first
    return DIFF_START_RE.search(body, separator.end()) or first


def _is_quoted_reply(body: str) -> bool:
    return not DIFF_START_RE.search(body) and bool(re.search(r"^>\s*(diff --git|@@ )", body, re.M))


def trim_diff(
    diff: str, keep: Callable[[str], bool], owns: Callable[[str], bool] | None = None
) -> str:
    """The file sections of ``diff`` whose old or new path ``keep`` wants, in order.

    Sections are cut where unidiff parses them (git, quilt and plain ``diff -u`` alike). A
    git diff is cut at its 'diff --git' lines first, so a mangled section of a file no rule
    reads costs nothing; a section that names a wanted file but does not parse is kept
    whole, for the review to report (SWP904).
    """
    starts = [found.start() for found in GIT_SECTION_RE.finditer(diff)]
    if not starts or starts[0] != 0:
        return _trim_section(diff, keep, owns)
    bounds = zip(starts, [*starts[1:], len(diff)], strict=True)
    return "".join(_trim_section(diff[start:end], keep, owns) for start, end in bounds)


GIT_SECTION_RE = re.compile(r"^diff --git ", re.M)


SWAP_NAMES = ("__swp_", "pte_swp_", "_SWP_")
"""What makes review read an arch header the spec does not name (checks.Review._looked_at)."""


def files_read(
    keep: Callable[[str], bool], owns: Callable[[str], bool] | None, swap_named: bool
) -> Callable[[str], bool]:
    """Which files of a diff review reads: those ``keep`` wants; only those the spec names
    (``owns``) when no swap helper name is in the diff, as another arch header is read only
    for one."""
    return owns if owns is not None and not swap_named else keep


def _trim_section(
    diff: str, keep: Callable[[str], bool], owns: Callable[[str], bool] | None
) -> str:
    named = {
        strip_ab(name) for found in DIFF_PATH_RE.finditer(diff) for name in found.groups() if name
    }
    keep = files_read(keep, owns, any(word in diff for word in SWAP_NAMES))
    if named and not any(map(keep, named)):
        return ""  # the headers name no file a rule reads: no need to parse it
    import unidiff

    try:
        patchset = unidiff.PatchSet(diff)
    except Exception:  # unidiff raises several kinds
        return diff
    return "".join(str(patched) for patched in patchset if any(map(keep, _paths(patched))))


DIFF_PATH_RE = re.compile(r"^(?:diff --git (\S+) (\S+)|(?:---|\+\+\+) (\S+))", re.M)
"""The names a diff's file headers give (a removed line "-- x" may add a spurious one)."""


def strip_ab(name: str) -> str:
    """A diff's file name without git's a/ or b/ prefix."""
    return name[2:] if name[:2] in ("a/", "b/") else name


def _paths(patched: Any) -> list[str]:
    """A patched file's path as unidiff reads it, and its old and new names without a/ b/."""
    names = [patched.path]
    for name in (patched.source_file, patched.target_file):
        if name and name != "/dev/null":
            names.append(strip_ab(name))
    return names


def patch_from_message(
    message: email.message.Message,
    source: str,
    keep: Callable[[str], bool] | None = None,
    owns: Callable[[str], bool] | None = None,
) -> Patch | None:
    """A Patch for a message, or None for a reply that only quotes a diff.

    With ``keep``, only the file sections of the diff whose path it wants are kept, so a
    large mbox does not stay in memory as a whole.
    """
    subject = _header(message, "Subject")
    if subject.strip().lower().startswith("re:"):
        return None  # a reply, even one that suggests a diff, is not a part of the series
    body, problems = _body(message)
    if not DIFF_START_RE.search(body) and not PATCH_TAG_RE.search(subject):
        return None  # not a patch: no diff and no [PATCH] subject
    if _is_quoted_reply(body):
        return None
    patch = patch_from_headers(lambda name: _header(message, name), source)
    patch.problems[:0] = problems  # the mail's own problems first
    if message.get("X-Swapgen-Problem"):
        patch.problems.append(str(message["X-Swapgen-Problem"]))
        patch.number = -1  # not a part of the series, just where the problem was
    match = _diff_start(body)
    if match:
        patch.has_diff = True
        patch.diff = body[match.start() :]
        # a signature after the diff ("-- \n2.39.5") is not part of it
        patch.diff = re.split(r"^-- $", patch.diff, maxsplit=1, flags=re.M)[0]
        if keep is not None:
            patch.diff = trim_diff(patch.diff, keep, owns)
    return patch


def patch_from_headers(header: Callable[[str], str], source: str) -> Patch:
    """A Patch as its headers describe it (``header`` gives each one's decoded text, "" when
    absent); no diff yet."""
    subject = header("Subject")
    title, version, number, total, rfc, resend, inferred = parse_subject(subject)
    patch = Patch(
        source=source,
        subject=subject,
        title=title or "(no subject)",
        version=version,
        number=number,
        total=total,
        rfc=rfc,
        resend=resend,
        version_inferred=inferred,
        author=_normal_address(header("From")),
        message_id=_message_id(header("Message-ID")),
        in_reply_to=_message_id(header("In-Reply-To")),
        references=tuple(MESSAGE_ID_RE.findall(header("References"))),
        date=_normal_date(header("Date")),
    )
    if not subject:
        patch.problems.append("the mail has no Subject")
    return patch


MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")


def _message_id(text: str) -> str:
    """A Message-ID without its angle brackets (the first one, if a header holds several)."""
    match = MESSAGE_ID_RE.search(text)
    return match.group(1) if match else text.strip()


def _version_from_replies(patches: list[Patch]) -> None:
    """A cover letter whose parts reply to it is of their version (its own subject may be
    stale: "[PATCH v2 00/16]" over v3 parts is real list mail)."""
    by_id = {p.message_id: p for p in patches if p.message_id}
    for patch in patches:
        cover = by_id.get(patch.in_reply_to)
        stale = cover is not None and (cover.version != patch.version or cover.version_inferred)
        if cover is not None and stale and cover.number == 0 and patch.number > 0:
            cover.version, cover.version_inferred = patch.version, patch.version_inferred


def group_series(patches: list[Patch]) -> list[list[Patch]]:
    """Patches grouped into series, in input order: by thread (Message-ID, In-Reply-To,
    References), and mail with no thread headers (git format-patch files) by series
    length and RFC, a lone patch by its title; each group may still hold several versions."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys = []
    for index, patch in enumerate(patches):
        links = [patch.message_id, patch.in_reply_to, *patch.references]
        links = [link for link in links if link]
        if not links:  # one series: one length (a cover letter may have another author);
            title = patch.title.lower() if patch.total <= 1 else ""  # a lone patch: its title
            links = [f"unthreaded {patch.total}|{patch.rfc}|{title}"]
        for link in links[1:]:
            parent[root(link)] = root(links[0])
        keys.append(links[0] or f"#{index}")
    groups: dict[str, list[Patch]] = {}
    for patch, key in zip(patches, keys, strict=True):
        groups.setdefault(root(key), []).append(patch)
    return list(groups.values())


def build_series(patches: list[Patch], ignored: int = 0) -> Series:
    """One series from its patches: the newest version, with notes on missing and duplicate
    parts and on the versions left out."""
    if not patches:
        raise SwapgenError("no patches in the input (only replies, or no mail at all)")
    _version_from_replies(patches)
    versions = sorted({p.version for p in patches})
    newest = versions[-1]
    chosen = [p for p in patches if p.version == newest]
    notes: list[tuple[str, str]] = []
    if len(versions) > 1:
        older = ", ".join(f"v{v}" for v in versions[:-1])
        notes.append(
            (
                "SWP903",
                f"the input holds several versions ({older}, v{newest}); reviewing v{newest}",
            )
        )
    # a lone patch (what b4 pipes in, one message at a time) has no version to speak of
    if any(p.version_inferred for p in chosen) and newest == 1 and len(chosen) > 1:
        notes.append(("SWP906", "no version in the subjects; reviewed as v1 (inferred, not read)"))
    totals = {p.total for p in chosen if p.number > 0}
    if len(totals) > 1:
        notes.append(("SWP903", f"the parts disagree on the series length: {sorted(totals)}"))
    total = max(totals) if totals else 1
    seen: dict[int, Patch] = {}
    ordered: list[Patch] = []
    for patch in sorted(chosen, key=lambda p: p.number):
        if patch.number in seen:
            notes.append(
                ("SWP902", f"part {patch.number}/{total} appears twice; the first is reviewed")
            )
            continue
        seen[patch.number] = patch
        ordered.append(patch)
    missing = [n for n in range(1, total + 1) if n not in seen]
    partial = len(chosen) == 1 and total > 1
    if partial:
        notes.append(
            (
                "SWP908",
                f"part {ordered[0].number}/{total} alone: rules that need the whole "
                "series are skipped",
            )
        )
    elif missing and not (total == 1 and ordered):
        listed = ", ".join(f"{n}/{total}" for n in missing)
        notes.append(("SWP901", f"the series lacks part{'s' if len(missing) > 1 else ''} {listed}"))
    cover = seen.get(0)
    return Series(
        patches=[p for p in ordered if p.number != 0],
        cover=cover,
        version=newest,
        notes=notes,
        ignored=ignored,
        partial=partial,
    )
