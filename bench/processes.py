"""Server subprocesses: start one pinned to a core, wait until it answers, read its CPU time, stop it.

Every process started here is stopped by `stop()` (the caller does so in `finally`): first SIGTERM to
its own process group, then SIGKILL if it has not exited in time.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STOP_TIMEOUT_SECONDS = 20.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Pinning:
    """Which core the servers and which core the load generator run on; None where pinning is off."""

    server_core: int | None
    load_core: int | None

    @classmethod
    def detect(cls) -> Pinning:
        # Two cores at least: the servers on core 1, wrk on core 0, so they do not compete.
        cores = os.sched_getaffinity(0)
        if {0, 1} <= cores:
            return cls(server_core=1, load_core=0)
        return cls(server_core=None, load_core=None)

    def describe(self) -> str:
        if self.server_core is None:
            return "no pinning (fewer than two usable cores)"
        return f"servers on core {self.server_core} (taskset), wrk on core {self.load_core}"


def pinned(command: Sequence[str], core: int | None) -> list[str]:
    """`command` under `taskset -c core` (taskset execs it, so the pid stays the server's own)."""
    return list(command) if core is None else ["taskset", "-c", str(core), *command]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(slots=True)
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    log_file: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def state(self) -> str:
        """For error messages: whether the process still runs, and the end of its log."""
        code = self.process.poll()
        status = "is running" if code is None else f"exited with {code}"
        return f"{self.name} (pid {self.pid}) {status}; the end of its log:\n{self.log_tail()}"

    def log_tail(self, lines: int = 30) -> str:
        self.log_file.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def start(
    name: str, command: Sequence[str], *, env: Mapping[str, str], cwd: Path, port: int, log_dir: Path
) -> Server:
    """Start `command` in a process group of its own, output to a log file (never a pipe that fills)."""
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - a fixed command line built by the benchmark
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Server(name=name, process=process, port=port, log_path=log_path, log_file=log_file)


def wait_until_ready(server: Server, probe: Callable[[], bool], timeout_seconds: float) -> None:
    """Call `probe` until it says yes; raise with the server's log if the server exits or times out."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode} while starting:\n{server.log_tail()}"
            )
        # Refused connections and half-started servers are expected here: keep polling.
        with contextlib.suppress(OSError, http.client.HTTPException):
            if probe():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} was not ready within {timeout_seconds:g} s:\n{server.log_tail()}")


def stop(server: Server) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers; always close its log."""
    try:
        if server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGTERM)
            try:
                server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait(timeout=STOP_TIMEOUT_SECONDS)
    finally:
        server.log_file.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads) so far, from /proc/<pid>/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
    fields = raw[raw.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS


def cpu_seconds_of(pids: Sequence[int]) -> dict[int, float]:
    """CPU time of each process still alive (one that exited in between is left out)."""
    times: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            times[pid] = cpu_seconds(pid)
    return times


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, bytes]:
    """One HTTP request to 127.0.0.1:`port`; (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
