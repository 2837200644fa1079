"""The executor of each subscription event, with memos of its own.

graphql-core answers each event of a subscription on a shallow copy of the subscription's executor
(`Executor.build_per_event_executor`), and so the copy shares the memos that executor keeps by the
identity of the field lists it collects. Each event collects new lists, so each event added entries
(~2 KB) that lived as long as the subscription, and then, the subscription's executor being a reference
cycle, until the cyclic collector next ran: 200 subscriptions grew the process by ~120 MB a minute and
gave none of it back. Here each event's executor starts with empty memos of its own, which go with it
once the event is answered.

The memos are graphql-core's private attributes (3.3): no public way to make an executor without them
exists. tests/web/test_subscription_memory.py fails if they are renamed and events pile up again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql.execution import Executor
from graphql.pyutils import RefMap

# The memos a per-event executor must not share: attribute → a new, empty one.
MEMOS: dict[str, Callable[[], object]] = {
    "_relevant_sub_fields": dict,
    "_stream_usages": RefMap,
    "_initial_execution_plans": RefMap,
    "_deferred_execution_plans": RefMap,
}


def with_own_event_memos(base: type[Executor[Any]]) -> type[Executor[Any]]:
    """A subclass of `base` whose per-event executors keep their memos to themselves."""

    class EventExecutor(base):  # type: ignore[valid-type, misc]
        def build_per_event_executor(self, payload: Any) -> Executor[Any]:
            executor: Executor[Any] = super().build_per_event_executor(payload)
            for name, empty in MEMOS.items():
                if hasattr(executor, name):
                    setattr(executor, name, empty())
            return executor

    EventExecutor.__name__ = EventExecutor.__qualname__ = f"Event{base.__name__}"
    return EventExecutor
