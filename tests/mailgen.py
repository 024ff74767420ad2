"""Real-looking patch mail for the fuzzers and benchmarks: git format-patch layout, with the
body sent as 8-bit, quoted-printable or base64, and LF or CRLF line ends."""

from __future__ import annotations

import base64
import hashlib
import quopri
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
ENCODINGS = ("8bit", "quoted-printable", "base64")


def filler_diff(seed: int, files: int = 3, lines: int = 40) -> str:
    """A valid git diff of C files outside anything a spec owns (mm/, drivers/)."""
    parts = []
    for index in range(files):
        path = f"mm/filler_{seed}_{index}.c" if index % 2 == 0 else f"drivers/misc/{seed}_{index}.c"
        old = [f"\tvalue_{seed}_{index}_{n} = compute({n}, {seed});" for n in range(lines)]
        new = [line.replace("compute(", "compute_fast(") if n % 3 == 0 else line
               for n, line in enumerate(old)]  # fmt: skip
        body = []
        for before, after in zip(old, new, strict=True):
            if before == after:
                body.append(f" {before}")
            else:
                body += [f"-{before}", f"+{after}"]
        blob = hashlib.sha1(f"{seed}/{index}".encode()).hexdigest()
        parts.append(
            f"diff --git a/{path} b/{path}\n"
            f"index {blob[:7]}..{blob[7:14]} 100644\n"
            f"--- a/{path}\n+++ b/{path}\n"
            f"@@ -{10 + index},{lines} +{10 + index},{lines} @@ static int f_{seed}(void)\n"
            + "\n".join(body)
            + "\n"
        )
    return "".join(parts)


def patch_mail(
    subject: str,
    diff: str,
    encoding: str = "8bit",
    crlf: bool = False,
    author: str = "Grace Hopper <grace@example.org>",
    body: str = "Make it faster.\n\nSigned-off-by: Grace Hopper <grace@example.org>\n",
) -> bytes:
    """One message as git format-patch writes it (with its mbox 'From ' line)."""
    text = f"{body}---\n{diff}-- \n2.39.5\n"
    payload = text.encode("utf-8")
    if encoding == "quoted-printable":
        payload = quopri.encodestring(payload)
    elif encoding == "base64":
        payload = base64.encodebytes(payload)
    commit = hashlib.sha1(subject.encode() + payload[:64]).hexdigest()
    head = (
        f"From {commit} Mon Sep 17 00:00:00 2001\n"
        f"From: {author}\n"
        "Date: Thu, 26 Nov 2026 02:25:31 +0000\n"
        f"Subject: {subject}\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: {encoding}\n\n"
    ).encode()
    message = head + payload
    if not message.endswith(b"\n"):
        message += b"\n"
    if crlf:
        message = message.replace(b"\n", b"\r\n")
    return message


def corpus_messages() -> list[bytes]:
    """Every message of the review corpus (the swap series tests/corpus holds), as bytes."""
    messages = []
    for mbox in sorted(CORPUS.glob("*/series.mbox")):
        current: list[bytes] = []
        for line in mbox.read_bytes().splitlines(keepends=True):
            if line.startswith(b"From ") and b" 2001" in line and current:
                messages.append(b"".join(current))
                current = []
            current.append(line)
        if current:
            messages.append(b"".join(current))
    return messages
