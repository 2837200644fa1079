"""Optional OpenTelemetry tracing: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.

Spans: the operation (with the request id, as in the logs), parsing, validation, each resolver
(Strawberry's extension; mutation inputs are filtered out, so nothing a caller typed reaches a span),
and each SQL statement, parented to its operation.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

from asyncpg.connection import LoggedQuery
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from strawberry.extensions.base_extension import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension

from context import Context

# Arguments never copied into a span: mutation inputs (people's data) and anything credential-like.
FILTERED_ARGUMENTS = frozenset({"input", "secret", "token", "password", "idempotencyKey"})

_provider: TracerProvider | None = None


def configure(endpoint: str | None, exporter: SpanExporter | None = None) -> None:
    """Send spans to the OTLP/HTTP `endpoint` (or to `exporter`, in tests). Safe to call again."""
    global _provider  # noqa: PLW0603 - OpenTelemetry's provider is process-wide by design
    if _provider is not None and exporter is None:
        return  # already sending spans (another app in this process configured it)
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{str(endpoint).rstrip('/')}/v1/traces")
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": "carrier-admin"}))
        trace.set_tracer_provider(_provider)
    _provider.add_span_processor(BatchSpanProcessor(exporter))


def filter_arguments(arguments: dict[str, Any], info: Any) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if name not in FILTERED_ARGUMENTS}


class Tracing(OpenTelemetryExtension):
    """Strawberry's extension, plus the request id on the operation span and SQL spans under it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(arg_filter=filter_arguments, **kwargs)

    def on_operation(self) -> Iterator[None]:  # type: ignore[override]
        steps = super().on_operation()
        next(steps)
        span = self._span_holder[LifecycleStep.OPERATION]
        context = self.execution_context.context
        # Strawberry puts the whole document on the span, inline values and all; its hash identifies
        # it just as well (and matches a trusted document's id).
        if self.execution_context.query:
            span.set_attribute(
                "query", f"sha256:{hashlib.sha256(self.execution_context.query.encode()).hexdigest()}"
            )
        if isinstance(context, Context):
            span.set_attribute("carrier_admin.request_id", context.request_id)
            context.statements.on_statement = sql_spans(context, span)
        yield
        with suppress(StopIteration):
            next(steps)


def sql_spans(context: Context, parent: trace.Span) -> Callable[[LoggedQuery], None]:
    tracer = trace.get_tracer("carrier_admin.sql")
    parent_context = trace.set_span_in_context(parent)

    def record(query: LoggedQuery) -> None:
        end = time.time_ns()
        span = tracer.start_span(
            "SQL",
            context=parent_context,
            start_time=end - int(query.elapsed * 1e9),
            attributes={
                "db.system": "postgresql",
                "db.statement": query.query[:2000],
                "carrier_admin.request_id": context.request_id,
            },
        )
        span.end(end_time=end)

    return record
