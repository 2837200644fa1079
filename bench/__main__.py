"""Benchmark carrier-admin against a peer (PostGraphile) and a hand-built floor.

    python -m bench [--tiny] [--duration SECONDS] [--no-peer] [--database-url URL] ...

Builds a data set in a fresh database, starts our server as production runs it, drives it with wrk,
and prints a Markdown table (also written to bench/results/latest.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from pathlib import Path

import uvloop

from bench import peer
from bench.runner import Options, run

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "latest.md"
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL,
        help="the PostgreSQL server to use (its database part is ignored); default DATABASE_URL, else "
        f"{DEFAULT_SERVER_URL}",
    )
    parser.add_argument(
        "--database-name",
        default="carrier_admin_bench",
        help="the database to (re)create on that server; dropped first if present (default %(default)s)",
    )
    parser.add_argument("--keep-database", action="store_true", help="leave the database in place afterwards")
    parser.add_argument("--tiny", action="store_true", help="a very small data set, for a smoke run")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds per measured run (default 10; 2 with --tiny)"
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default %(default)s)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="measured runs per server and workload (default %(default)s)"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip PostGraphile")
    parser.add_argument(
        "--peer-dir",
        type=Path,
        default=peer.DEFAULT_DIRECTORY,
        help="scratch directory PostGraphile is installed in (default %(default)s)",
    )
    parser.add_argument(
        "--floor-iterations", type=int, default=None, help="floor iterations (default 300; 20 with --tiny)"
    )
    parser.add_argument(
        "--soak",
        type=float,
        default=None,
        help="seconds of load on the main workload with our server's memory read before, halfway and "
        "after (default 60; 2 with --tiny; 0 skips it)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where the Markdown goes (default %(default)s)"
    )
    args = parser.parse_args(argv)
    if not DATABASE_NAME.fullmatch(args.database_name) or args.database_name in {
        "postgres",
        "template0",
        "template1",
    }:
        parser.error("--database-name must be a plain lower-case name of a database of its own")
    if min(args.connections, args.threads, args.rounds) < 1 or (
        args.duration is not None and args.duration < 1
    ):
        parser.error("--connections, --threads, --rounds and --duration must be at least 1")
    return Options(
        server_url=args.database_url,
        database_name=args.database_name,
        keep_database=args.keep_database,
        tiny=args.tiny,
        duration_seconds=args.duration if args.duration is not None else (2.0 if args.tiny else 10.0),
        connections=args.connections,
        threads=args.threads,
        rounds=args.rounds,
        peer=not args.no_peer,
        peer_directory=args.peer_dir,
        floor_iterations=args.floor_iterations or (20 if args.tiny else 300),
        soak_seconds=args.soak if args.soak is not None else (2.0 if args.tiny else 60.0),
        output=args.output,
        command=shlex.join(["python", "-m", "bench", *argv]),
        previous=_previous(args.output),
    )


def _previous(output: Path) -> str | None:
    """The report a previous run left at `output`, if there is one to read (else nothing to compare)."""
    try:
        return output.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    # The event loop our server uses, so the floor's asyncpg I/O costs what the server's does.
    return uvloop.run(run(options))


if __name__ == "__main__":
    sys.exit(main())
