"""How the lean HTTP path (web/lean.py) has fared since start: for /metrics and the canary test, like
schema.build.FAST_PATH. Apart from web/lean.py, which needs the application's keys, so that the
metrics (which those keys name) can read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Counters:
    """Requests since start: answered on the lean path; sent to the view before running (not a kept
    document, or not a request the path takes); run and handed to the view (errors or warnings)."""

    served: int = 0
    passed: int = 0
    handed: int = 0


LEAN = Counters()
