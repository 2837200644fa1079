"""The validation rules and parse options of one request, from its settings and its caller:
query limits always; introspection off (or staff-only) where configured; a token cap on parsing."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from graphql import NoSchemaIntrospectionCustomRule, ValidationRule
from strawberry.extensions import SchemaExtension

from context import Context
from schema.limits import limits_rule
from settings import Settings


@cache
def _limits(settings: Settings) -> type[ValidationRule]:
    return limits_rule(settings)


class RequestRules(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        assert isinstance(context, Context)
        settings = context.settings
        rules: list[type[ValidationRule]] = [_limits(settings)]
        introspection = settings.introspection
        if introspection == "off" or (introspection == "staff" and not context.principal.is_staff):
            rules.append(NoSchemaIntrospectionCustomRule)
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, *rules)
        self.execution_context.parse_options["max_tokens"] = settings.max_tokens
        yield
        try:
            context.operation_name = self.execution_context.operation_name
        except RuntimeError:
            context.operation_name = None  # no document, or an ambiguous one
