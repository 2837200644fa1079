"""Load generation with wrk: fixed connections, fixed duration, one POST body, results as one JSON line.

wrk is the Debian package `wrk`. It is found on PATH, or installed with apt-get when the benchmark runs
as root; otherwise `WrkMissingError` says how to get it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.processes import pinned

LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_post.lua"
RESULT_PREFIX = "BENCH_RESULT "
INSTALL_HINT = "apt-get update && apt-get install -y wrk"
# A nested page can take a while on one core with several requests queued: well above any real latency.
REQUEST_TIMEOUT = "10s"


class WrkMissingError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class LoadSettings:
    threads: int
    connections: int
    duration_seconds: float
    core: int | None


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    # Connect, read, write and timeout errors, and responses with a status other than 2xx or 3xx.
    errors: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def find_wrk(install: bool = True) -> str:
    """The wrk executable; installs the Debian package first when missing, if allowed and root."""
    found = shutil.which("wrk")
    if found is not None:
        return found
    if install and os.geteuid() == 0 and shutil.which("apt-get") is not None:
        print("wrk is not installed: installing the Debian package (apt-get install -y wrk) ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "install", "-y", "wrk"],
            ["apt-get", "update"],
            ["apt-get", "install", "-y", "wrk"],
        ):
            # A fixed command; apt-get's own output goes to our stdout so a failure explains itself.
            subprocess.run(command, env=env, check=False, timeout=600)  # noqa: S603
            found = shutil.which("wrk")
            if found is not None:
                return found
    raise WrkMissingError(
        f"wrk is not installed and could not be installed here. Install it with: {INSTALL_HINT}"
    )


def run(
    wrk: str,
    url: str,
    *,
    body_path: Path,
    authorization_path: Path,
    settings: LoadSettings,
    headers_path: Path | None = None,
) -> LoadResult:
    """One wrk run against `url`; it stops by itself after the duration (and is killed past a margin)."""
    duration = max(1, round(settings.duration_seconds))
    command = pinned(
        [
            wrk,
            f"-t{settings.threads}",
            f"-c{settings.connections}",
            f"-d{duration}s",
            f"--timeout={REQUEST_TIMEOUT}",
            "-s",
            str(LUA_SCRIPT),
            url,
            "--",
            str(body_path),
            str(authorization_path),
            *([str(headers_path)] if headers_path is not None else []),
        ],
        settings.core,
    )
    completed = subprocess.run(  # noqa: S603 - a fixed command line built here
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse(completed.stdout)


def parse(output: str) -> LoadResult:
    """The figures from the line our Lua `done()` prints."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            raw = json.loads(line[len(RESULT_PREFIX) :])
            errors = sum(
                int(raw[name])
                for name in (
                    "errors_connect",
                    "errors_read",
                    "errors_write",
                    "errors_status",
                    "errors_timeout",
                )
            )
            return LoadResult(
                requests=int(raw["requests"]),
                seconds=int(raw["duration_us"]) / 1e6,
                p50_ms=int(raw["p50_us"]) / 1000,
                p99_ms=int(raw["p99_us"]) / 1000,
                errors=errors,
            )
    raise RuntimeError(f"wrk printed no result line:\n{output}")
