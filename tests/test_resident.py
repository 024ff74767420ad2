"""The resident server (``swapgen server start``) runs a command as the process itself would:
same output, exit code, working directory, environment and standard streams, a forwarded
Ctrl-C, and nothing served to other code or another cache directory. Every server here has
a cache directory of its own (its address), so no other test is served by it."""

from __future__ import annotations

import mailbox
import marshal
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegen.resident import client
from tests.conftest import REPO, swapgen_executable

PATCH_2_OF_5 = REPO / "tests/realmail/06-pte-marker-guard-v4/series.mbox"


def one_patch() -> bytes:
    """Part 2/5 of the real guard-marker series: it has findings (exit 1)."""
    return list(mailbox.mbox(PATCH_2_OF_5))[2].as_bytes()


def client_env(cache: Path | str) -> dict[str, str]:
    """This environment with its own cache directory, swapgen importable from this checkout
    (no empty PYTHONPATH entry: that one is the working directory, which the server does
    not share with every client)."""
    env = dict(os.environ, SWAPGEN_CACHE_DIR=str(cache))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run(
    env: dict[str, str], *argv: str, stdin: bytes = b"", cwd: Path = REPO
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*swapgen_executable(), *argv],
        env=env, cwd=cwd, input=stdin, capture_output=True, timeout=120,
    )  # fmt: skip


def served_count(env: dict[str, str]) -> int:
    status = run(env, "server", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    return int(status.stdout.split(b";")[1].split()[0])


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a running server's clients; the server is stopped afterwards."""
    env = client_env(tmp_path / "cache")
    started = run(env, "server", "start", "--idle", "300")
    assert started.returncode == 0, started.stderr
    assert b"listening" in started.stdout
    try:
        yield env
    finally:
        run(env, "server", "stop")


def without_server(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The same environment with a cache directory no server listens for."""
    return dict(env, SWAPGEN_CACHE_DIR=str(tmp_path / "other-cache"))


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (("--help",), b""),
        (("decode", "--arch", "x86_64", "0x1fffffffffdb9600", "0x3"), b""),
        (("show", "--arch", "arm64", "--format", "json"), b""),
        (("review", "--quiet", "-"), one_patch()),
        (("review", "--quiet", "--spec", "6.12", "-"), one_patch()),
        (("review", "--format", "json", "-"), one_patch()),
        (("review", "--format", "b4", "-"), one_patch()),
        (("show", "--format", "xml"), b""),
        (("decode", "--arch", "vax", "0x1"), b""),
        (("review", "no-such.mbox"), b""),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else ("mail" if value else ""),
)
def test_a_served_command_is_the_command(server_env, tmp_path, argv, stdin):
    before = served_count(server_env)
    served = run(server_env, *argv, stdin=stdin)
    assert served_count(server_env) == before + 2  # this command and the first status
    alone = run(without_server(server_env, tmp_path), *argv, stdin=stdin)
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )


def test_working_directory_environment_and_files_are_the_clients(server_env, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "one.patch").write_bytes(one_patch())
    env = dict(server_env, NO_SUCH_VARIABLE="x")
    before = served_count(env)
    served = run(env, "review", "--format", "json", "one.patch", cwd=work)
    assert served_count(env) == before + 2
    alone = run(without_server(env, tmp_path), "review", "--format", "json", "one.patch", cwd=work)
    assert (served.returncode, served.stdout, served.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    assert b'"findings"' in served.stdout
    for where, environment in (("served", env), ("alone", without_server(env, tmp_path))):
        made = run(environment, "layout", "--spec", "6.12", "--out", where, cwd=work)
        assert made.returncode == 0, made.stderr
    # written where the client stands, with its umask
    served_files = sorted((work / "served").iterdir())
    alone_files = sorted((work / "alone").iterdir())
    assert [f.name for f in served_files] == [f.name for f in alone_files] != []
    assert [f.stat().st_mode for f in served_files] == [f.stat().st_mode for f in alone_files]


def _waiting_review(env: dict[str, str], sigint: object) -> subprocess.Popen[bytes]:
    """A served ``review -`` blocked on its stdin (a pipe kept open), its SIGINT as given."""
    before = served_count(env)
    proc = subprocess.Popen(
        [*swapgen_executable(), "review", "-"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while served_count(env) < before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # until a child of the server has the command
    return proc


def test_ctrl_c_reaches_the_served_command(server_env):
    """A served review that waits for its stdin ends on Ctrl-C as the process would: the
    message, exit 130 (whenever the signal comes: before the child's pid is known too)."""
    proc = _waiting_review(server_env, signal.SIG_DFL)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)  # with its stdin still open, as a terminal's would be
    out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert err.decode().splitlines()[-1] == "swapgen: interrupted"
    assert out == b""


def test_an_ignored_ctrl_c_is_ignored_when_served_too(server_env, tmp_path):
    """A background job starts with SIGINT ignored; run alone, swapgen then reads its stdin
    to the end, and so does the served command."""
    proc = _waiting_review(server_env, signal.SIG_IGN)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None  # still reading
    _out, err = proc.communicate(b"", timeout=60)
    alone = subprocess.run(
        [*swapgen_executable(), "review", "-"], env=without_server(server_env, tmp_path),
        input=b"", capture_output=True, timeout=60,
    )  # fmt: skip
    assert (proc.returncode, err) == (alone.returncode, alone.stderr) == (2, alone.stderr)


def key_of_a_client(env: dict[str, str]) -> tuple[object, ...]:
    """The code key a swapgen process started with ``env`` has (its module path is not this
    pytest process's)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, marshal; from codegen.resident import client; "
         "sys.stdout.buffer.write(marshal.dumps(client.code_key()))"],
        env=env, capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return marshal.loads(proc.stdout)  # type: ignore[no-any-return]


def test_other_code_is_refused(server_env):
    """A client of other code (an edited checkout, an upgrade) is refused and runs the
    command itself."""
    cache = server_env["SWAPGEN_CACHE_DIR"]
    key = key_of_a_client(server_env)
    sock = client.connect(client.address(cache, key))
    assert sock is not None
    try:
        other = (*key[:-1], ())
        sock.sendall(client.framed_request(other, ["swapgen", "--help"]))
        assert sock.recv(1) == client.REFUSED
    finally:
        sock.close()
    assert run(server_env, "server", "status").returncode == 0  # and it goes on serving


def test_a_client_that_hangs_up_does_not_stop_the_server(server_env):
    cache = server_env["SWAPGEN_CACHE_DIR"]
    key = key_of_a_client(server_env)
    for _ in range(3):
        sock = client.connect(client.address(cache, key))
        assert sock is not None
        sock.close()
    assert run(server_env, "decode", "--arch", "x86_64", "0x4").returncode == 0
    assert run(server_env, "server", "status").returncode == 0


def test_stop_and_idle_end_the_server(tmp_path):
    env = client_env(tmp_path / "cache")
    assert run(env, "server", "start", "--idle", "1").returncode == 0
    assert run(env, "server", "start").stdout == b"swapgen server: already running\n"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # each status is a command: ask less often than idle
        time.sleep(3)
        if run(env, "server", "status").returncode != 0:
            break
    assert run(env, "server", "status").stdout == b"swapgen server: not running\n"
    assert run(env, "server", "start", "--idle", "300").returncode == 0
    assert run(env, "server", "stop").stdout == b"swapgen server: stopped\n"
    assert run(env, "server", "status").returncode == 1


def test_no_server_without_a_cache(tmp_path):
    env = client_env("off")
    started = run(env, "server", "start")
    assert started.returncode == 2
    assert started.stderr.decode().count("\n") == 1
    assert b"SWAPGEN_CACHE_DIR=off" in started.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_server_leaves_nothing_listening(tmp_path, signum):
    """SIGTERM ends the server and its waiting spare; after SIGKILL the spare notices
    within a second or two and ends too, so no socket is left to answer."""
    env = client_env(tmp_path / "cache")
    assert run(env, "server", "start", "--idle", "300").returncode == 0
    status = run(env, "server", "status").stdout.decode()
    pid = int(status.split("(pid ")[1].split(")")[0])
    os.kill(pid, signum)
    address = "@" + client.address(env["SWAPGEN_CACHE_DIR"], key_of_a_client(env))[1:].decode()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and address in Path("/proc/net/unix").read_text():
        time.sleep(0.2)
    assert address not in Path("/proc/net/unix").read_text()
    assert run(env, "server", "status").stdout == b"swapgen server: not running\n"
    assert run(env, "decode", "--arch", "x86_64", "0x4").returncode == 0  # run alone


def test_a_silent_connection_does_not_hold_up_the_next_command(server_env):
    """A client that connects and sends nothing is given up after a while; the command
    after it is served."""
    key = key_of_a_client(server_env)
    silent = client.connect(client.address(server_env["SWAPGEN_CACHE_DIR"], key))
    assert silent is not None
    try:
        before = served_count(server_env)
        result = run(server_env, "decode", "--arch", "x86_64", "0x4")
        assert result.returncode == 0, result.stderr
    finally:
        silent.close()
    assert served_count(server_env) >= before + 1


def test_a_refused_command_keeps_its_own_ctrl_c(tmp_path):
    """A server that refuses (other code) leaves the command to run alone, and Ctrl-C is
    then the command's own again: 'interrupted', 130."""
    env = client_env(tmp_path / "cache")
    where = client.address(env["SWAPGEN_CACHE_DIR"], key_of_a_client(env))
    refuser = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    refuser.bind(where)
    refuser.listen(1)

    def refuse() -> None:
        connection, _ = refuser.accept()
        with connection:
            connection.recv(1 << 16)
            connection.sendall(client.REFUSED)

    thread = threading.Thread(target=refuse, daemon=True)
    thread.start()
    try:
        proc = subprocess.Popen(
            [*swapgen_executable(), "review", "-"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip
        thread.join(timeout=60)
        time.sleep(1)  # it now reads its stdin alone
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        _out, err = proc.communicate()
    finally:
        refuser.close()
    assert proc.returncode == 130, err
    assert err.decode().splitlines()[-1] == "swapgen: interrupted"
