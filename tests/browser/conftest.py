"""The browser suite is slow (minutes) and needs the built page and Node: `make test` and CI run it
(BROWSER_TESTS=1); a bare `pytest` for the API leaves it out."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("BROWSER_TESTS") == "1" else ["test_*.py"]
