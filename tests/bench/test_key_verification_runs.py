"""The key verification benchmark still runs: a short run against the test server, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_the_key_verification_benchmark_runs(server_url: str) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}

    completed = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", "bench.key_verification", "--iterations", "20", "--database-url", server_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "median" in completed.stdout
    for case in ("valid key", "malformed key", "unknown key"):
        assert case in completed.stdout
