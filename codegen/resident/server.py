"""The resident server: one process per user, cache directory and code that keeps swapgen's
modules imported, so a command run once per patch (b4, pre-commit, a CI bot) pays the
interpreter's start-up and its own work, not the imports.

``swapgen server start`` starts it in the background (its own session, stdio on /dev/null,
then working directory /) and returns once it listens; it stops after ``--idle`` seconds without
a command, on ``swapgen server stop``, or on SIGTERM. For each command it forks a child that
becomes the command's process (see codegen.resident.client for what the child takes over).
A request from another user, or from other code, is refused; the client then runs the
command itself. Under ``SWAPGEN_CACHE_DIR=off`` there is no server, as there is no cache.
"""

from __future__ import annotations

import contextlib
import gc
import io
import marshal
import mmap
import os
import select
import signal
import socket
import subprocess
import sys
from typing import IO, Any, NoReturn, TextIO

from codegen.cachedir import DISABLED, cache_dir_path
from codegen.errors import SwapgenError
from codegen.resident import client

DEFAULT_IDLE = 900.0
"""Seconds without a command after which the server exits."""
START_TIMEOUT = 30.0
PRELOADED = (
    "codegen.arguments",
    "codegen.commands",
    "codegen.spec.compiled",
    "codegen.review.run",
    "codegen.review.checks",
    "codegen.review.intake",
    "codegen.review.evaluate",
    "codegen.review.postimage",
    "codegen.review.treecheck",
    "codegen.review.earlier",
    "codegen.csrc.kconfig",
    "codegen.tree.behaviour",
    "codegen.tree.facts",
    "codegen.tree.readcache",
    "codegen.tree.reading",
    "codegen.tree.sync",
    "codegen.generate.render",
    "codegen.patch.textedit",
    "codegen.report.emit",
    "concurrent.futures.thread",
    "elftools.elf.elffile",
    "email.parser",
    "email.policy",
    "unidiff",
)
"""What a command of the per-patch kind would import; anything else is imported by the child
that needs it, as in a process of its own."""


def _address() -> tuple[bytes, tuple[object, ...]]:
    cache_dir = cache_dir_path()
    if cache_dir is None:
        raise SwapgenError(
            "the resident server is part of the cache, and SWAPGEN_CACHE_DIR=off switches "
            "the cache off"
        )
    key = client.code_key()
    return client.address(cache_dir, key), key


def start(idle: float, out: TextIO) -> int:
    """Start a server in the background unless one runs; 0 once it listens."""
    if _control(client.STATUS) is not None:
        print("swapgen server: already running", file=out)
        return 0
    reader, writer = os.pipe()
    # the process started here forks the server and exits, so nothing waits for the server;
    # it starts where this command runs, so its module path is this command's
    subprocess.run(
        [sys.executable, "-m", "codegen.resident.server", str(idle), str(writer)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(writer,),
        start_new_session=True,
        check=False,
    )
    os.close(writer)
    with os.fdopen(reader, "rb") as ready:
        word = ready.readline().decode("utf-8", "replace").strip()
    if word != "listening":
        raise SwapgenError(f"the resident server did not start: {word or 'no word from it'}")
    print(f"swapgen server: listening; it stops after {idle:g} s without a command", file=out)
    return 0


def stop(out: TextIO) -> int:
    """Stop the server of this user, cache directory and code, if one runs."""
    reply = _control(client.STOP)
    print(f"swapgen server: {'stopped' if reply is not None else 'not running'}", file=out)
    return 0


def status(out: TextIO) -> int:
    """0 and what the server has done when one would take this process's commands, else 1."""
    reply = _control(client.STATUS)
    if reply is None:
        print("swapgen server: not running", file=out)
        return 1
    pid, served, idle = marshal.loads(reply)
    print(
        f"swapgen server: running (pid {pid}); {served} command(s) served; "
        f"it stops after {idle:g} s without a command",
        file=out,
    )
    return 0


def _control(word: str) -> bytes | None:
    """Send the server a control request (stop, status); its reply, or None when no server
    of this code runs for this user and cache directory."""
    where, key = _address()
    sock = client.connect(where)
    if sock is None:
        return None
    try:
        sock.sendall(client.framed_request(key, [word]))
        reply = b""
        while chunk := sock.recv(1 << 16):  # the server closes the connection after it
            reply += chunk
        return None if reply == client.REFUSED else reply
    finally:
        sock.close()


WARM_UP_MAIL = b"""\
From: swapgen <warm-up@swapgen.invalid>
Subject: [PATCH] mm: warm up the resident server
Message-ID: <warm-up@swapgen.invalid>

---
diff --git a/include/linux/swapops.h b/include/linux/swapops.h
--- a/include/linux/swapops.h
+++ b/include/linux/swapops.h
@@ -1 +1,2 @@
 #include <linux/types.h>
+#define SWAPGEN_WARM_UP BIT(0)
"""
"""A one-line patch of a spec-owned header: reviewing it once in the server compiles the
regular expressions and fills the lazy tables every review needs, so no child pays for it."""


def _warm_up() -> None:
    """Run each per-patch command once with its output discarded and the cache off (so
    nothing of the warm-up is remembered, such as an earlier part of a series)."""
    from codegen.cli import main
    from codegen.kernel.arches import ARCHES

    arch = next(iter(ARCHES))
    saved = sys.stdin, sys.stdout, sys.stderr, os.environ.get("SWAPGEN_CACHE_DIR")
    os.environ["SWAPGEN_CACHE_DIR"] = DISABLED
    try:
        for argv, mail in (
            (["--help"], b""),
            (["review", "--help"], b""),
            (["review", "--quiet", "-"], WARM_UP_MAIL),
            (["decode", "--arch", arch, "0x1fffffffffdb9600"], b""),
            (["show", "--arch", arch], b""),
        ):
            sys.stdin = io.TextIOWrapper(io.BytesIO(mail))
            sys.stdout = sys.stderr = io.StringIO()
            with contextlib.suppress(SystemExit):  # --help ends that way
                main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr, cache = saved
        if cache is None:
            del os.environ["SWAPGEN_CACHE_DIR"]
        else:
            os.environ["SWAPGEN_CACHE_DIR"] = cache


def _build_parsers() -> None:
    """Every command's parser, built once here for all the children."""
    from codegen.arguments import COMMANDS, build_parser

    for name in ("", *(name for name, _, _ in COMMANDS)):
        build_parser(name)


def serve(idle: float, ready_fd: int) -> None:
    """The server's main loop (run by ``start`` as ``python -m codegen.resident.server``)."""
    with os.fdopen(ready_fd, "w") as ready:
        try:
            where, key = _address()
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(where)
            listener.listen(64)
            for module in PRELOADED:
                __import__(module)
            _build_parsers()
            _warm_up()
        except (OSError, ImportError, SwapgenError) as error:
            ready.write(f"{type(error).__name__}: {error}\n")
            return
        gc.freeze()  # the children's collections then leave the preloaded objects unwritten
        os.chdir("/")  # hold no directory; each child goes where its client is
        ready.write("listening\n")
    _preforking(listener, key, idle)


NEXT = b"n"
"""A spare took a connection: the server forks the next spare."""
STOPPING = b"s"
"""A spare took the request to stop: the server ends."""
SPARE_CHECK_SECONDS = 1.0
"""How often a waiting spare checks that its server still runs."""
REQUEST_SECONDS = 10.0
"""How long a spare waits for a connection's request before it takes the next one."""


def _preforking(listener: socket.socket, key: tuple[object, ...], idle: float) -> None:
    """Keep one forked spare waiting on the socket, so that a command's process exists
    before the command arrives; fork the next one as soon as a spare takes a connection.
    End after ``idle`` seconds without a connection, on a stop request, or on SIGTERM."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    served = mmap.mmap(-1, 8)  # commands served so far, shared with the spares
    wake, woken = os.pipe()
    spare = 0

    def fork_spare() -> int:
        pid = os.fork()
        if pid == 0:
            os.close(wake)
            _spare(listener, key, idle, served, woken)
        return pid

    def end(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, end)
    try:
        spare = fork_spare()
        while True:
            readable, _, _ = select.select([wake], [], [], idle)
            if not readable or os.read(wake, 1) == STOPPING:
                return
            spare = fork_spare()
    finally:
        with contextlib.suppress(OSError):
            if spare:
                os.kill(spare, signal.SIGKILL)
        listener.close()


def _tell(woken: int, word: bytes) -> None:
    """Tell the server what this spare took; a server that has gone hears nothing."""
    with contextlib.suppress(OSError):
        os.write(woken, word)


def _spare(
    listener: socket.socket,
    key: tuple[object, ...],
    idle: float,
    served: mmap.mmap,
    woken: int,
) -> NoReturn:
    """Wait for one connection, tell the server, serve it; never returns."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    server = os.getppid()
    listener.settimeout(SPARE_CHECK_SECONDS)
    while True:
        try:
            connection, _ = listener.accept()
            break
        except TimeoutError:
            if os.getppid() != server:  # the server has gone: nothing will come
                os._exit(0)
        except OSError:
            _tell(woken, NEXT)
            os._exit(0)
    listener.close()
    try:
        request = _request(connection, key)
    except OSError:  # a client that went away
        request = None
    if request is None:
        _tell(woken, NEXT)
        os._exit(0)
    argv, fds, rest = request
    if argv == [client.STOP]:
        _tell(woken, STOPPING)
        with contextlib.suppress(OSError):
            connection.sendall(b"stopped")
        os._exit(0)
    count = int.from_bytes(served[:8], "little")
    if argv == [client.STATUS]:
        _tell(woken, NEXT)
        with contextlib.suppress(OSError):
            connection.sendall(marshal.dumps((server, count, idle)))
        os._exit(0)
    served[:8] = (count + 1).to_bytes(8, "little")
    _tell(woken, NEXT)
    os.close(woken)
    if len(fds) != 3:
        with contextlib.suppress(OSError):
            connection.sendall(client.REFUSED)
        os._exit(0)
    _child(connection, fds, argv, *rest)


def _request(
    connection: socket.socket, key: tuple[object, ...]
) -> tuple[list[str], list[int], tuple[Any, ...]] | None:
    """A request of this user and of the code this server loaded (``key``): its argv, the
    file descriptors that came with it and the rest (cwd, environment, umask, encodings,
    the signals the client ignores); None after refusing one."""
    connection.settimeout(REQUEST_SECONDS)  # a client that connects and says nothing
    if client.peer_uid(connection) != os.getuid():
        return None
    message, fds, _flags, _addr = socket.recv_fds(connection, 1 << 16, 3)
    size = int.from_bytes(message[:8], "little")
    data = message[8:]
    while len(data) < size and (chunk := connection.recv(size - len(data))):
        data += chunk
    fields = client.read_request(data)
    if fields is None or fields[1] != key:
        connection.sendall(client.REFUSED)
        for fd in fds:
            os.close(fd)
        return None
    _protocol, _key, argv, *rest = fields
    connection.settimeout(None)
    return argv, fds, tuple(rest)


def _child(
    connection: socket.socket,
    fds: list[int],
    argv: list[str],
    cwd: str,
    env: dict[str, str],
    umask: int,
    encodings: tuple[tuple[str | None, str | None], ...],
    ignored: list[int],
) -> NoReturn:
    """Become the command's process, run it, report its exit code; never returns."""
    code = client.EXIT_INTERNAL
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for signum in client.FORWARDED_SIGNALS:  # as the client's process had them
            if signum in ignored:
                signal.signal(signum, signal.SIG_IGN)
            elif signum == signal.SIGINT:
                signal.signal(signum, signal.default_int_handler)
            else:
                signal.signal(signum, signal.SIG_DFL)
        os.setpgid(0, 0)  # the client signals the group, as a terminal's Ctrl-C would
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            os.close(fd)
        os.chdir(cwd)
        os.umask(umask)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = list(argv)
        sys.stdin, sys.stdout, sys.stderr = _streams(encodings)
        connection.sendall(client.STARTED + os.getpid().to_bytes(8, "little"))
        from codegen.cli import main

        try:
            code = main(argv[1:])
        except SystemExit as leaving:  # argparse's --help and usage errors
            code = _exit_code(leaving)
        sys.stdout.flush()
        sys.stderr.flush()
    except KeyboardInterrupt:  # forwarded before main() was under way: as main() says it
        print("swapgen: interrupted", file=sys.stderr)
        code = client.EXIT_INTERRUPTED
    except BaseException:  # whatever happens, the client gets a code
        code = client.EXIT_INTERNAL
    finally:
        try:
            connection.sendall(client.FINISHED + (code & 0xFFFF).to_bytes(2, "little"))
        finally:
            os._exit(code)


def _exit_code(leaving: SystemExit) -> int:
    """The exit status the interpreter would give for ``leaving``."""
    if leaving.code is None:
        return 0
    if isinstance(leaving.code, int):
        return leaving.code
    print(leaving.code, file=sys.stderr)
    return 1


def _streams(encodings: tuple[tuple[str | None, str | None], ...]) -> tuple[IO[str], ...]:
    """Text streams on file descriptors 0, 1 and 2 as Python makes them at start-up, with
    the client's encodings; stdout is line-buffered on a terminal, stderr always."""
    return tuple(
        open(
            fd,
            mode,
            encoding=encoding,
            errors=errors,
            buffering=1 if fd == 2 or (fd == 1 and os.isatty(fd)) else -1,
            closefd=False,
        )
        for fd, (mode, (encoding, errors)) in enumerate(zip("rww", encodings, strict=True))
    )


if __name__ == "__main__":
    # started by ``start`` in a session of its own: fork so that nothing waits for the server
    if os.fork() == 0:
        serve(float(sys.argv[1]), int(sys.argv[2]))
    os._exit(0)
