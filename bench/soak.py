"""Memory under sustained load: our server's resident set before, halfway through and after one long
run of the main workload (issue 23: "memory flat over a 60-s load").

The first half warms what is meant to stay (plans, prepared statements, pools, caches); what the second
half adds is what a longer run would keep adding. Flat means the second half grew the resident set by
at most `FLAT_GROWTH` of what it was halfway.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bench import measure
from bench.load import LoadSettings
from bench.measure import Target

FLAT_GROWTH = 0.02


@dataclass(frozen=True, slots=True)
class Soak:
    seconds: float
    requests: int
    errors: int
    rss_before_mb: float
    rss_halfway_mb: float
    rss_after_mb: float

    @property
    def flat(self) -> bool:
        return self.rss_after_mb - self.rss_halfway_mb <= FLAT_GROWTH * self.rss_halfway_mb

    def describe(self, workload: str) -> str:
        verdict = "flat" if self.flat else "**growing**"
        return (
            f"**Memory** ({workload}, {self.seconds:.0f} s of load, {self.requests:,} requests, "
            f"{self.errors} errors): our server's resident set {self.rss_before_mb:.1f} MB before, "
            f"{self.rss_halfway_mb:.1f} MB halfway, {self.rss_after_mb:.1f} MB after: {verdict} (the second "
            f"half may add at most {FLAT_GROWTH:.0%} of the halfway figure)."
        )


def resident_mb(pid: int) -> float:
    """VmRSS of a process, from /proc/<pid>/status, in MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmRSS for process {pid}")


async def measure_soak(wrk: str, target: Target, settings: LoadSettings, seconds: float) -> Soak:
    half = LoadSettings(settings.threads, settings.connections, seconds / 2, settings.core)
    pid = target.server.pid
    before = resident_mb(pid)
    first = await measure.run(wrk, target, half)
    halfway = resident_mb(pid)
    second = await measure.run(wrk, target, half)
    await asyncio.to_thread(measure.wait_until_idle, target.server)
    after = resident_mb(pid)
    return Soak(
        seconds=first.load.seconds + second.load.seconds,
        requests=first.load.requests + second.load.requests,
        errors=first.load.errors + second.load.errors,
        rss_before_mb=before,
        rss_halfway_mb=halfway,
        rss_after_mb=after,
    )
