"""Compressed GraphQL answers: gzip, when the client asks for it and the answer is worth it.

- Only gzip: the locked dependencies provide no brotli for Python (aiohttp's is optional and not
  installed); the page's static files are brotli-compressed at build time instead (web/tools_page.py).
- Only answers of at least COMPRESS_MIN_BYTES (default 1,024): below, the header and the CPU cost more
  than they save, and most answers (the small query is ~200 bytes) stay as they are.
- Never an answer carrying a secret (BREACH): compressing a secret beside text an attacker chooses (a
  reflected argument, a key's description) lets an attacker who sees the compressed sizes guess the
  secret a character at a time. The API's secrets are API keys, shown once by createApiKey,
  createServiceKey and rotateApiKey; an answer containing anything of a key's format is sent as it is.
  (Credentials travel in Authorization headers, never cookies, so a cross-site page cannot make a
  browser send those requests; this holds even so.)
- `Vary: Accept-Encoding` on every answer, compressed or not, so that no cache hands one client's
  encoding to another.
- gzip level 5: the main nested answer (211 KB) goes out as 12 KB for 1.2 ms of CPU (`python -m bench`
  prints the cost beside the uncompressed workload); level 6 takes about twice the CPU of 5 for ~10% less.
  Answers above THREAD_ABOVE bytes are compressed in a worker thread (zlib releases the GIL), so the
  event loop keeps serving meanwhile.

Both HTTP paths call `compress_answer` on their finished response.
"""

from __future__ import annotations

import asyncio
import re
import zlib

from aiohttp import web

from access import keyformat
from web.app_keys import SETTINGS

LEVEL = 5
THREAD_ABOVE = 32 * 1024
# A key's format anywhere in the answer (no word boundaries: cheaper, and only ever errs on the safe side).
SECRET = re.compile(keyformat.PATTERN.pattern.replace(r"\b", "").encode())


def add_vary(response: web.StreamResponse, header: str) -> None:
    """Add `header` to the response's Vary, keeping what is there."""
    vary = response.headers.get("Vary")
    if vary is None:  # nearly every answer: nothing to keep
        response.headers["Vary"] = header
        return
    present = [v.strip() for v in vary.split(",") if v.strip()]
    if header.lower() not in {v.lower() for v in present}:
        response.headers["Vary"] = ", ".join([*present, header])


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether Accept-Encoding allows gzip: named (or `*`) with a quality above zero."""
    allowed: dict[str, bool] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        allowed[coding.strip()] = quality > 0
    if "gzip" in allowed:
        return allowed["gzip"]
    if "x-gzip" in allowed:
        return allowed["x-gzip"]
    return allowed.get("*", False)


def gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


async def compress_answer(request: web.Request, response: web.Response) -> None:
    """Compress the answer in place when the client asked for gzip, it is large enough and carries no
    secret; mark it as varying by Accept-Encoding in any case."""
    add_vary(response, "Accept-Encoding")
    body = response.body
    if not isinstance(body, bytes) or len(body) < request.app[SETTINGS].compress_min_bytes:
        return
    if "Content-Encoding" in response.headers or not accepts_gzip(request.headers.get("Accept-Encoding", "")):
        return
    if SECRET.search(body):
        return
    compressed = await asyncio.to_thread(gzip, body) if len(body) > THREAD_ABOVE else gzip(body)
    response.body = compressed
    response.headers["Content-Encoding"] = "gzip"
