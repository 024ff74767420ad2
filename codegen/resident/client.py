"""The console script's side of the resident server: hand this command to a running server
of the same user, cache directory and code, or say there is none (the command then runs in
this process, exactly as it would have anyway).

The server (codegen.resident.server) has swapgen's modules imported already; for each
command it forks a child that takes over this process's standard streams (passed as file
descriptors, so terminals, pipes and files behave as they do here), its argv, working
directory, environment and umask, runs the same ``main()`` and reports the exit code.
Signals that would stop this process (Ctrl-C, SIGTERM, SIGHUP) are passed to that child.

This module imports only built-in modules: it runs before anything else on every command.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal would import enum
import _socket
import marshal
import os
import sys
import zlib

from codegen.cachedir import cache_dir_path

TYPE_CHECKING = False  # typing costs every command milliseconds; mypy knows the name
if TYPE_CHECKING:
    from typing import Any

PROTOCOL = 2
"""Bumped when the request or reply changes shape."""

REFUSED = b"N"
"""Reply to a request of other code: the client runs the command itself."""
STARTED = b"P"
"""Reply carrying the pid of the child that runs the command."""
FINISHED = b"X"
"""Reply carrying the child's exit code (two bytes, little-endian)."""
STOP = "stop"
"""argv[0] of a request that stops the server."""
STATUS = "status"
"""argv[0] of a request for the server's pid, commands served and idle time."""

FORWARDED_SIGNALS = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP)
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def code_key() -> tuple[object, ...]:
    """What a server must share with this process to run its command: the interpreter, its
    module search path (PYTHONPATH, site-packages) and the size and modification time of
    every file of the swapgen package, so an edit or an upgrade never talks to a server of
    the old code. (sys.path[0] is left out: it is the script's or the working directory.)"""
    files: list[tuple[str, int, int]] = []
    pending = [PACKAGE]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name == "__pycache__":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    status = entry.stat()
                    files.append((entry.path, status.st_size, status.st_mtime_ns))
    files.sort()
    return (PROTOCOL, sys.executable, sys.version, tuple(sys.path[1:]), tuple(files))


def address(cache_dir: str, key: tuple[object, ...]) -> bytes:
    """The server's socket name in Linux's abstract namespace (no file to leave behind):
    the user, the cache directory and the code in a checksum. It only finds the server; the
    server compares the whole key and the peers check each other's user."""
    # repr, not marshal: marshal's bytes for equal values differ between processes
    digest = zlib.crc32(repr((os.path.realpath(cache_dir), key)).encode())
    return f"\0swapgen-{os.getuid()}-{digest:08x}".encode()


def connect(where: bytes) -> _socket.socket | None:
    """A connection to the server at ``where`` run by this user, or None."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(where)
        if peer_uid(sock) == os.getuid():
            return sock
    except OSError:
        pass
    sock.close()
    return None


def peer_uid(sock: _socket.socket) -> int:
    """The user id of the process at the other end (SO_PEERCRED: pid, uid, gid)."""
    credentials = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(credentials[4:8], sys.byteorder)


def run_served(argv: list[str]) -> int | None:
    """Run ``argv`` (without the program name) in a resident server and return its exit
    code; None when no server can run it here (it has not been started, it runs other code,
    caching is off, a standard stream is closed)."""
    cache_dir = cache_dir_path()
    if cache_dir is None:
        return None
    key = code_key()
    sock = connect(address(cache_dir, key))
    if sock is None:
        return None
    try:
        return _hand_over(sock, key, argv)
    finally:
        sock.close()


def _hand_over(sock: _socket.socket, key: tuple[object, ...], argv: list[str]) -> int | None:
    streams = (0, 1, 2)
    try:
        for fd in streams:
            os.fstat(fd)
    except OSError:
        return None
    umask = os.umask(0o22)
    os.umask(umask)
    try:
        where = os.getcwd()
    except OSError:  # a working directory that is gone: the command alone says so
        return None
    # a signal this process ignores (a background job's Ctrl-C) the child ignores too; the
    # others are caught from now on and passed to the child once its pid is known
    ignored = [s for s in FORWARDED_SIGNALS if _signal.getsignal(s) == _signal.SIG_IGN]
    caught: list[int] = []
    child = 0

    def forward(signum: int, _frame: object) -> None:
        caught.append(signum)
        if child:
            try:
                os.killpg(child, signum)  # the child leads a group: its git and compilers too
            except OSError:  # it has ended already
                return

    previous = {s: _signal.signal(s, forward) for s in FORWARDED_SIGNALS if s not in ignored}
    request = framed_request(
        key, [sys.argv[0], *argv], where, dict(os.environ), umask, _encodings(), ignored
    )
    fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in streams)
    sock.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
    if _receive(sock, 1) != STARTED:
        if caught:  # interrupted before anything ran: as main() says it
            print("swapgen: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        for signum, handler in previous.items():  # main() runs here: Ctrl-C is its own
            _signal.signal(signum, handler)
        return None
    child = int.from_bytes(_receive(sock, 8), "little")
    for signum in caught:  # what came before the pid did
        try:
            os.killpg(child, signum)
        except OSError:
            break
    if _receive(sock, 1) != FINISHED:
        if caught:  # the signal ended the child: end as it would have ended this process
            _signal.signal(caught[-1], _signal.SIG_DFL)
            os.kill(os.getpid(), caught[-1])
        print("swapgen: internal error: the resident server's worker ended without an exit "
              "code (see 'swapgen server status')", file=sys.stderr)  # fmt: skip
        return EXIT_INTERNAL
    return int.from_bytes(_receive(sock, 2), "little")


def framed_request(
    key: tuple[object, ...],
    argv: list[str],
    cwd: str = "/",
    env: dict[str, str] | None = None,
    umask: int = 0,
    encodings: tuple[tuple[str | None, str | None], ...] = (),
    ignored: list[int] | None = None,
) -> bytes:
    """A request as it goes over the socket: its length (8 bytes, little-endian), then the
    marshalled protocol, code key, argv, working directory, environment, umask, stream
    encodings and the signals the client ignores (read back by ``read_request``)."""
    fields = (PROTOCOL, key, argv, cwd, env or {}, umask, encodings, ignored or [])
    data = marshal.dumps(fields)  # type: ignore[arg-type]
    return len(data).to_bytes(8, "little") + data


def read_request(data: bytes) -> tuple[Any, ...] | None:
    """The fields of a request's body (after its length), or None for one this code does
    not read: another protocol, or no request at all."""
    try:
        fields = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(fields, tuple) or len(fields) != 8 or fields[0] != PROTOCOL:
        return None
    return fields


def _encodings() -> tuple[tuple[str | None, str | None], ...]:
    """Encoding and error handler of this process's stdin, stdout and stderr, which the
    child's text streams take over."""
    return tuple(
        (getattr(stream, "encoding", None), getattr(stream, "errors", None))
        for stream in (sys.stdin, sys.stdout, sys.stderr)
    )


def _receive(sock: _socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes, or fewer when the other end closed; a signal handled while
    waiting does not end the wait."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data
