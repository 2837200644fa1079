"""Generated inputs for tests that run them against the real app.

Hypothesis drives synchronous functions, and these tests post through an async client: so the inputs
are drawn first, deterministically (`derandomize`, no example database), then sent one by one.
"""

from __future__ import annotations

from datetime import UTC
from typing import TypeVar

import graphql
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

T = TypeVar("T")


def properties(count: int) -> settings:
    """Settings for a property over generated inputs: deterministic, and no deadline (the machine may
    be busy; speed is the benchmark's business)."""
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def drawn(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """`count` examples of `strategy` (fewer if it cannot make that many), the same on every run."""
    found: list[T] = []

    @properties(count)
    @given(strategy)
    def collect(example: T) -> None:
        found.append(example)

    collect()
    return found


def scalar_values() -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Values for the schema's custom scalars, for documents generated from the SDL (hypothesis-graphql
    draws the built-in ones itself)."""
    return {
        "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda moment: nodes.String(moment.isoformat())),
        "Date": st.dates().map(lambda day: nodes.String(day.isoformat())),
        "JSON": st.integers(0, 9).map(nodes.Int),
    }
