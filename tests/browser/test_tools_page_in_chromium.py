"""The Tools page in Debian's Chromium, against real servers on a fresh database with the demo data.

Two `server.py serve` processes share the database: one with development settings (the development
sign-in, as `make run` serves it) and one with production settings (OpenID Connect against a real
`oidc-provider` that the Playwright suite starts, JWKS verification, trusted documents only). Then
frontend/'s Playwright suite runs against them; its whole output is shown when it fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
SUITE_TIMEOUT_SECONDS = 600
# The suite signs the same people in many times a minute; it reads keys' uses and refusals back a
# second after making them, not the default minute later.
SUITE_SETTINGS = {
    "RATE_LIMIT_PER_PERSON": "100000",
    "RATE_LIMIT_PER_ADDRESS": "100000",
    "RATE_LIMIT_FAILED_AUTH_PER_ADDRESS": "100000",
    "API_KEY_LAST_USED_FLUSH_SECONDS": "1",
    # The expiry job writes "expiring soon" within a second, so the Activity tab shows it as the system.
    "KEY_EXPIRY_CHECK_SECONDS": "1",
    # Keys that never expire are allowed from staff, so that an administrator can request one of Support
    # (requests.spec's never-expiring key); administrators still cannot issue one themselves.
    "API_KEY_ALLOW_NON_EXPIRING": "true",
    "LOG_LEVEL": "WARNING",
}
# What to do when there is no browser, said where the suite stops.
NO_CHROMIUM = """the browser tests need Chromium at {path}, and it is not there.
Install it: on Debian or Ubuntu `sudo apt-get install chromium` (CI's .ci/run does so), or install Chromium
any other way and point CHROMIUM at it (`CHROMIUM=/path/to/chromium make test`). Without a browser,
`.venv/bin/python -m pytest` runs every other test (a bare pytest leaves the browser suite out)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def run(*command: str, env: dict[str, str], cwd: Path = ROOT, limit_seconds: float = 120) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=limit_seconds)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
        raise AssertionError(f"{' '.join(command)} ran past {limit_seconds}s:\n{output.decode()}") from None
    text = output.decode()
    exited = f"{' '.join(command)} exited {process.returncode}"
    assert process.returncode == 0, f"{exited}:\n{failures_first(text)}"
    return text


def failures_first(output: str) -> str:
    """Playwright's output with its failures first: a CI log that keeps only a run's head and tail
    would otherwise cut them out from between a hundred passing lines and the next test's traceback."""
    lines = output.splitlines()
    failed = [line for line in lines if "\u2718" in line]  # ✘, the list reporter's mark of a failure
    details = next((i for i, line in enumerate(lines) if line.lstrip().startswith("1) ")), len(lines))
    head = "\n".join([*failed, *lines[details : details + 80]])
    return f"failed:\n{head}\n\nthe whole output:\n{output}"


@asynccontextmanager
async def serve(env: dict[str, str]) -> AsyncIterator[str]:
    url = f"http://127.0.0.1:{env['PORT']}"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "server.py", "serve", cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                assert process.returncode is None, f"server.py serve exited with {process.returncode}"
                try:
                    async with session.get(f"{url}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"the server at {url} did not become ready")
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), timeout=20)


async def test_every_flow_of_the_tools_page_in_chromium(own_database: str) -> None:
    # given: the built page, its browser-test tools, a browser
    assert (FRONTEND / "dist" / "index.html").is_file(), "the page is not built: run `make frontend`"
    assert (FRONTEND / "node_modules" / "@playwright" / "test").is_dir(), "run `npm ci --prefix frontend`"
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    assert shutil.which(chromium), NO_CHROMIUM.format(path=chromium)
    base = {**os.environ, "DATABASE_URL": own_database, **SUITE_SETTINGS}
    await run(sys.executable, "server.py", "demo", env=base)

    oidc_port = free_port()
    issuer = f"http://127.0.0.1:{oidc_port}"
    development = {**base, "PORT": str(free_port()), "JWT_HS256_SECRET": "browser-tests-" + "x" * 40}
    production = {
        **base,
        "PORT": str(free_port()),
        "CARRIER_ADMIN_ENV": "production",
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": "tools-page",
        "OIDC_SCOPES": "openid profile email carrier-admin",
        "JWT_JWKS_URL": f"{issuer}/jwks",
        "JWT_AUDIENCE": "urn:carrier-admin:api",
        "TRUSTED_DOCUMENTS_ONLY_FOR_PEOPLE": "true",
    }
    production.pop("JWT_HS256_SECRET", None)

    # when: the Playwright suite drives both servers
    async with serve(development) as development_url, serve(production) as production_url:
        started = time.monotonic()
        output = await run(
            "npx",
            "playwright",
            "test",
            # While working on a few specs: E2E_SPECS="e2e/requests.spec.ts" runs just those.
            *os.environ.get("E2E_SPECS", "").split(),
            cwd=FRONTEND,
            limit_seconds=SUITE_TIMEOUT_SECONDS,
            env={
                **os.environ,
                "TOOLS_URL": development_url,
                "TOOLS_PROD_URL": production_url,
                "OIDC_PORT": str(oidc_port),
                # For a spec that moves a request's expiry into the past (e2e/database.ts), not the
                # clock: the servers' database and a Python that has asyncpg.
                "E2E_DATABASE_URL": own_database,
                "E2E_PYTHON": sys.executable,
                "CHROMIUM": chromium,
                "CI": os.environ.get("CI", ""),
            },
        )

    # then: every test passed (run() asserts the exit code); show the list and the figures, and keep them
    # (each spec's time, for whoever looks at where CI's minutes go)
    summary = f"{output}\nbrowser suite: {time.monotonic() - started:.0f}s\n"
    print(summary)
    # Beside the screenshots (git-ignored), not in test-results/, which the next Playwright run empties.
    (FRONTEND / "e2e" / "screenshots").mkdir(parents=True, exist_ok=True)
    (FRONTEND / "e2e" / "screenshots" / "browser-suite.txt").write_text(summary)


# Below the page's own page sizes (50, 20, 10) and the demo's largest organization (6 carriers).
LOWERED_PAGE_SIZE = 2


async def test_the_page_follows_a_lowered_page_size_limit_in_chromium(own_database: str) -> None:
    # given: the built page, a browser, and a development server whose page size limit is lowered
    assert (FRONTEND / "dist" / "index.html").is_file(), "the page is not built: run `make frontend`"
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    assert shutil.which(chromium), NO_CHROMIUM.format(path=chromium)
    base = {**os.environ, "DATABASE_URL": own_database, **SUITE_SETTINGS}
    await run(sys.executable, "server.py", "demo", env=base)
    lowered = {
        **base,
        "PORT": str(free_port()),
        "JWT_HS256_SECRET": "browser-tests-" + "x" * 40,
        # One setting: the default page follows the limit down.
        "MAX_PAGE_SIZE": str(LOWERED_PAGE_SIZE),
    }

    # when: the Playwright file for it drives the page
    async with serve(lowered) as url:
        output = await run(
            "npx",
            "playwright",
            "test",
            "e2e/page-size-limit.spec.ts",
            cwd=FRONTEND,
            limit_seconds=SUITE_TIMEOUT_SECONDS,
            env={
                **os.environ,
                "TOOLS_URL": url,
                "PAGE_SIZE_LIMIT": str(LOWERED_PAGE_SIZE),
                "CHROMIUM": chromium,
                "CI": os.environ.get("CI", ""),
            },
        )

    # then: every test of the file ran and passed (none skipped for want of the lowered server)
    print(output)
    assert " skipped" not in output, output
