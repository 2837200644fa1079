"""The load benchmark still runs: `python -m bench --tiny` against the test server, in a subprocess.

It needs wrk (the Debian package `wrk`); CI installs it. Without it the test is skipped, not failed,
so that a laptop without wrk can still run the suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk); CI installs it"
)


def test_the_benchmark_runs_and_prints_its_table(server_url: str, tmp_path: Path) -> None:
    # A database of its own: several test sessions may share one server.
    database = f"carrier_admin_bench_ci_{uuid.uuid4().hex[:8]}"
    output = tmp_path / "latest.md"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}

    completed = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
        [
            sys.executable,
            "-m",
            "bench",
            "--tiny",
            "--duration",
            "1",
            "--rounds",
            "1",
            "--no-peer",
            "--database-url",
            server_url,
            "--database-name",
            database,
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "| workload | our req/s | p50 ms | p99 ms | SQL statements/request |" in completed.stdout
    assert "nested: org of 5 carriers (main)" in completed.stdout
    # the key workload's rounds run between the token's, in the same rounds (bench/runner.runs_of)
    together = completed.stdout.split("small: one carrier by code / small, with an API key:\n")[1]
    assert [line.split(":")[0].strip() for line in together.splitlines()[:2]] == [
        "ours round 1",
        "ours, key round 1",
    ]
    # the key's CPU is compared with the token's as measured alternately, summed over the rounds
    assert re.search(
        r"\| the key workload within 5% [^|]*\| req/s [+-][\d.]+%, CPU [+-][\d.]+% \(alternated\) \|",
        completed.stdout,
    ), completed.stdout[-3000:]
    assert "**API key**: the small query with an API key costs" in completed.stdout
    # the same request asking for gzip, and what that costs
    assert "nested: org of 5 carriers (main), gzip asked" in completed.stdout
    assert "**Compression**: the main nested answer asked with `Accept-Encoding: gzip`" in completed.stdout
    assert "**Floor**" in completed.stdout
    # memory under sustained load on the main workload: before, halfway, after
    assert "**Memory** (nested: org of 5 carriers (main), 2 s of load" in completed.stdout
    assert output.read_text().startswith("# carrier-admin benchmark")
    # issue 23's targets, judged from this run: without the peer, the peer's ratios are not measured
    assert "**Targets** (issue 23), judged from this run:" in completed.stdout
    assert "| main: ours ≥ 1.6x the peer's req/s | — | not measured |" in completed.stdout
