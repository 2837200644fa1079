"""A plan: how to build the response of one operation of one document, made once and kept.

Per object type and selection (the 1,000 keys of a response share one): per response key, whether it
is `__typename`, a plain read, or a resolver call, with a function that completes its value, compiled
into one Python function per selection. A plan holds nothing of a request: every builder and
completion takes the request's `Run` (its executor, its pending resolvers) as an argument, so that the
next request of the same document runs the same builders instead of making them again (making them
cost more than running them for the small query, and about a tenth of the main one).

What a plan depends on, and so what its key must hold (fastgraph/plans.py): the document (its
operation and fragments), and the values of the variables that @skip and @include read, because
those decide which fields are selected. Nothing else: arguments are read per request, resolvers (and
the access rules they run) are called per request, and a field's plain read is the same for every
caller.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import CodeType
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    ListValueNode,
    NameNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution import VariableValues
from graphql.pyutils import Path

from fastgraph.collect import FieldGroups, collect
from fastgraph.leaves import Complete, Fallback, inline, inline_item, leaf, required
from fastgraph.rows import RowRead, RowViews

if TYPE_CHECKING:
    from fastgraph.run import Run

# (type name, field name) → an attribute name (or a chain of them: `row.hint`), or a function of the
# object alone.
PlainFields = Mapping[tuple[str, str], str | Callable[[Any], Any]]
# How many combinations of a row's list of enum values a plan keeps the outputs of (see _row_mapped).
MEMO_SIZE = 256
# Type name → the class whose instances (exactly) are of that type, as its is_type_of would answer.
Classes = Mapping[str, type]
# Type name → the attribute of its objects that may hold answers for their fields, by response key.
Answered = Mapping[str, str]
# An object's response from the object, its path and the request's run.
Build = Callable[[Any, Path | None, "Run"], dict[str, Any]]
# (type name, field name) → how the field reads the row of a view of that type (fastgraph/rows.py).
RowReads = Mapping[tuple[str, str], RowRead]


@dataclass(frozen=True, slots=True)
class RowBuild:
    """A list's responses from its rows, the views' `extra` attribute and the request's run: for a
    selection whose every field reads the row (and needs no path). One loop over the rows, compiled."""

    build: Callable[[Sequence[Any], Any, Run], list[dict[str, Any]]]
    extra: str | None  # the view attribute its reads use (one at most), if any


@dataclass(frozen=True, slots=True)
class Shape:
    """What a schema's plans take as given (the same for every plan of the schema)."""

    schema: GraphQLSchema
    plain: PlainFields
    classes: Classes
    answered: Answered
    leaves: dict[str, Complete]  # per leaf type name, filled as plans need them
    # Scalars whose output is a datetime's `isoformat()`, for plans whose responses are written by a
    # writer that writes a UTC datetime exactly so (orjson): a plain field of one leaves such a datetime
    # as it is. Empty for the shape of every other plan.
    datetimes_as_is: frozenset[str] = frozenset()
    row_reads: RowReads = field(default_factory=dict)


@dataclass(slots=True)
class FieldAt:
    """A field of one object in one request: its resolve info, built when something asks for it."""

    run: Run
    field: GraphQLField
    nodes: list[FieldNode]
    parent_type: GraphQLObjectType
    path: Path
    resolved: GraphQLResolveInfo[Any] | None = None

    def info(self) -> GraphQLResolveInfo[Any]:
        if self.resolved is None:
            self.resolved = self.run.executor.build_resolve_info(
                self.field, self.nodes, self.parent_type, self.path
            )
        return self.resolved


# How a value is completed: leaves and lists of leaves need no path; the rest get the field's path
# (or the list item's) and the field, for resolve infos below it.
CompleteAt = Callable[[Any, Path, FieldAt], Any]


@dataclass(slots=True, eq=False)
class Entry:
    key: str
    name: str
    nodes: list[FieldNode]
    field: GraphQLField | None
    # A plain read: an attribute name or a function of the object; None for a resolver call.
    read: str | Callable[[Any], Any] | None
    # Exactly one of these completes the value (`flat` needs no path).
    flat: Complete | None
    deep: CompleteAt | None
    # Whether its arguments name no variable: then they are the same for every request, read once.
    constant_arguments: bool = False
    # Whether its completion never reads the object's path (a plain leaf, or a plain object of a
    # builder that reads none): an object whose entries all are needs no path made.
    pathless: bool = False
    arguments: dict[str, Any] | None = None
    # Arguments given as variables, each (its name in the resolver's arguments, the variable, whether the
    # argument may not be null); None where a variable sits deeper (in a list or an input object).
    variable_arguments: tuple[tuple[str, str, bool], ...] | None = None
    # The other arguments' values (literals and defaults: the same for every request), once a request
    # has given every variable above a value its argument takes.
    other_arguments: dict[str, Any] | None = None

    def complete(self, value: Any, at: FieldAt) -> Any:
        if self.flat is not None:
            return self.flat(value)
        assert self.deep is not None
        return self.deep(value, at.path, at)


class Plan:
    def __init__(
        self,
        shape: Shape,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        directive_variables: VariableValues,
    ) -> None:
        self.shape = shape
        self.schema = shape.schema
        self.operation = operation  # kept alive with the plan: the cache's key is its identity
        self.fragments = dict(fragments)
        self.variables = directive_variables
        # The operation's selection set as the root's one field node, in a list kept with the plan:
        # builders are found by the identity of their nodes' list.
        self.root = [FieldNode(name=NameNode(value="(root)"), selection_set=operation.selection_set)]
        self.builders: dict[tuple[str, int], tuple[list[FieldNode], Build]] = {}
        # Builders that never read their path (plain leaves only): a list's items need none made.
        self.pathless: set[Build] = set()
        # Builders from rows (fastgraph/rows.py), None where the selection reads more than the row.
        self.row_builders: dict[tuple[str, int], tuple[list[FieldNode], RowBuild | None]] = {}

    # --- objects ---------------------------------------------------------------------------------

    def builder(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> Build:
        """The function building an object's response for these field nodes, made once per plan."""
        key = (object_type.name, id(nodes))
        found = self.builders.get(key)
        if found is not None:
            return found[1]
        selection_sets = [node.selection_set for node in nodes if node.selection_set]
        groups: FieldGroups = collect(
            self.schema, self.fragments, self.variables, object_type, selection_sets
        )
        entries = [self._entry(object_type, response_key, group) for response_key, group in groups.items()]
        build = self._compiled(object_type, entries)
        self.builders[key] = (nodes, build)  # the nodes stay alive with it: their id is not reused
        if all(entry.pathless for entry in entries):
            self.pathless.add(build)
        return build

    def _entry(self, object_type: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> Entry:
        name = nodes[0].name.value
        if name == "__typename":
            return Entry(key, name, nodes, None, None, None, None, pathless=True)
        field = object_type.fields.get(name)
        if field is None:
            raise Fallback  # introspection (__schema, __type) is graphql-core's
        read = self.shape.plain.get((object_type.name, name))
        flat = self._flat(field.type)
        deep = None if flat is not None else self._deep(field.type, nodes)
        constant = not any(_names_variables(argument.value) for argument in nodes[0].arguments or ())
        return Entry(
            key,
            name,
            nodes,
            field,
            read,
            flat,
            deep,
            constant,
            pathless=read is not None and flat is not None,
            variable_arguments=None if constant else _variable_arguments(field, nodes[0]),
        )

    def _compiled(self, object_type: GraphQLObjectType, entries: list[Entry]) -> Build:
        """The builder as Python source, compiled: a plain field costs a read and a type test, not a
        chain of calls (a page of keys is thousands of them)."""
        source = _Source(object_type.name)
        type_name = source.constant(object_type.name)
        object_constant = source.constant(object_type)
        carried = self.shape.answered.get(object_type.name)
        for entry in entries:
            key = source.constant(entry.key)
            if entry.field is None:
                source.line(f"r[{key}] = {type_name}")
            elif entry.read is None:
                at = f"{object_constant}, {source.constant(entry)}"
                if carried is not None:
                    source.line(f"a = source.{carried}.get({key}, Missing)")
                    source.line(
                        f"r[{key}] = run.resolve({at}, source, path, r) if a is Missing "
                        f"else run.answer({at}, a, path)"
                    )
                else:
                    source.line(f"r[{key}] = run.resolve({at}, source, path, r)")
            else:
                read = entry.read
                if isinstance(read, str):
                    source.line(f"v = source.{read}")
                else:
                    source.line(f"v = {source.constant(read)}(source)")
                self._completion(source, object_type, entry, key, type_name)
                source.line(f"r[{key}] = v")
        return source.compile()

    # --- objects from rows ------------------------------------------------------------------------

    def row_builder(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> RowBuild | None:
        """The function building an object's response from its row, made once per plan; None when a
        field selected does not read the row, or needs a path."""
        key = (object_type.name, id(nodes))
        found = self.row_builders.get(key)
        if found is None:
            found = self.row_builders[key] = (nodes, self._row_build(object_type, nodes))
        return found[1]

    def _row_build(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> RowBuild | None:
        selection_sets = [node.selection_set for node in nodes if node.selection_set]
        groups = collect(self.schema, self.fragments, self.variables, object_type, selection_sets)
        source = _Source(object_type.name, "rows, x, run", rows=True)
        type_name = source.constant(object_type.name)
        extras: set[str] = set()
        for response_key, group in groups.items():
            key = source.constant(response_key)
            name = group[0].name.value
            if name == "__typename":
                source.line(f"r[{key}] = {type_name}")
                continue
            field = object_type.fields.get(name)
            read = self.shape.row_reads.get((object_type.name, name))
            if field is None or read is None or group[0].arguments:
                return None
            if read.extra is not None:
                extras.add(read.extra)
            entry = Entry(response_key, name, group, field, None, self._flat(field.type), None)
            if not self._row_read(source, object_type, read, entry, key=key):
                return None
            source.line(f"r[{key}] = v")
        if len(extras) > 1:
            return None
        return RowBuild(source.compile_rows(), extras.pop() if extras else None)

    def _row_read(
        self, source: _Source, object_type: GraphQLObjectType, read: RowRead, entry: Entry, *, key: str
    ) -> bool:
        """The lines setting `v` to a field's completed value from the row `source` and the view's extra
        `x`; False when its completion would need a path."""
        assert entry.field is not None
        value = f"source[{read.chain!r}]" if read.item else f"source.{read.chain}"
        if read.through is not None or read.each is not None:
            if self._row_mapped(source, read, entry.field.type, value):
                return True
        elif read.call_with is not None:
            source.line(f"v = {value}(x)")
        elif read.looked_up_in is not None:
            source.line(f"v = x[{value}]")
        elif read.via is not None:
            source.line(f"v = {source.constant(read.via)}({value})")
        else:
            source.line(f"v = {value}")
        if entry.flat is None:
            entry.deep = self._deep(entry.field.type, entry.nodes)
        self._completion(source, object_type, entry, key, source.constant(object_type.name))
        return entry.flat is not None or entry.pathless

    def _row_mapped(self, source: _Source, read: RowRead, field_type: GraphQLOutputType, value: str) -> bool:
        """The lines mapping `value` (or each of its items) to `v`: True when that completes it too (an
        enum's outputs, made once per mapping), False when it is left to complete."""
        non_null = isinstance(field_type, GraphQLNonNull)
        inner: Any = get_nullable_type(field_type)
        if read.through is not None:
            completed = self._enum_outputs(read.through, inner)
            table = source.constant(read.through if completed is None else completed)
            source.line(f"v = {table}[{value}]")
            if completed is not None and non_null:
                source.line("if v is None: raise Fallback")
            return completed is not None
        assert read.each is not None
        item = inner.of_type if isinstance(inner, GraphQLList) else None
        completed = self._enum_outputs(read.each, item.of_type) if isinstance(item, GraphQLNonNull) else None
        table = source.constant(read.each if completed is None else completed)
        source.line(f"v = {value}")
        if completed is None:
            source.completed([f"v = [{table}[i] for i in v]"], False)
            return False
        # Rows repeat a few combinations (a key's scopes): each combination's outputs are made once and
        # the list shared (a response is written, never changed), found by the values as a tuple (a
        # comprehension costs 0.23 µs a row, the lookup 0.1). Bounded: past MEMO_SIZE, made each time.
        memo = source.constant({})
        lines = [
            "if type(v) is not list and type(v) is not tuple: raise Fallback",
            "t = tuple(v)",
            f"m = {memo}.get(t)",
            "if m is None:",
            f"    m = [{table}[i] for i in v]",
            f"    if len({memo}) < {MEMO_SIZE}: {memo}[t] = m",
            "v = m",
        ]
        source.completed(lines, non_null)
        return True

    def _enum_outputs(self, mapping: Mapping[Any, Any], leaf_type: Any) -> dict[Any, Any] | None:
        """`mapping` with each value completed as `leaf_type` writes it, when that is an enum (whose
        output depends on the value alone) and every value completes; else None."""
        if not isinstance(leaf_type, GraphQLEnumType):
            return None
        complete = self._leaf(leaf_type)
        try:
            return {raw: None if value is None else complete(value) for raw, value in mapping.items()}
        except Fallback:
            return None

    def _completion(
        self, source: _Source, object_type: GraphQLObjectType, entry: Entry, key: str, type_name: str
    ) -> None:
        """The lines completing a plain field's value `v`."""
        assert entry.field is not None
        inner: Any = get_nullable_type(entry.field.type)
        non_null = isinstance(entry.field.type, GraphQLNonNull)
        item = inner.of_type if isinstance(inner, GraphQLList) else None
        if entry.flat is not None and isinstance(item, GraphQLNonNull) and is_leaf_type(item.of_type):
            # The commonest list, [Scope!]!, as a comprehension in the builder.
            lines = [
                "if type(v) is not list and type(v) is not tuple: raise Fallback",
                f"v = [{inline_item(item.of_type, source.constant)} for x in v]",
            ]
            source.completed(lines, non_null)
        elif entry.flat is not None and not is_leaf_type(inner):
            source.line(f"v = {source.constant(entry.flat)}(v)")  # other lists of leaves, nulls and all
        elif entry.flat is not None:
            as_is = inner.name in self.shape.datetimes_as_is
            source.completed(inline(inner, source.constant, datetime_as_is=as_is), non_null)
        else:
            deep = source.constant(self._deep_inner(inner, entry.nodes))
            field = ", ".join(map(source.constant, (entry.field, entry.nodes, object_type)))
            lines = [f"p = Path(path, {key}, {type_name})", f"v = {deep}(v, p, FieldAt(run, {field}, p))"]
            cls = self.shape.classes.get(inner.name) if isinstance(inner, GraphQLObjectType) else None
            if cls is not None:
                # An object of exactly its type's class (an enablement's feature) is built right here:
                # no field, no call in between, and no path where its builder reads none. The builder
                # is made now: each level of the document has nodes of its own, so this ends.
                build = self.builder(inner, entry.nodes)
                if build in self.pathless:
                    # Nothing below reads a path: another class is graphql-core's to judge, so that
                    # this object needs no path either (an enablement, for its feature).
                    lines = [f"if type(v) is not {source.constant(cls)}: raise Fallback"]
                    if source.rows:
                        # In a loop over rows, one object (a feature of 750 enablements) is built once
                        # per request and selection: its response holds plain values only, so that it
                        # may be shared. Kept by builder and identity (another selection of the same
                        # object is another response), with the object (its id is not reused meanwhile).
                        # The builder's own memo is found once per list, before its loop.
                        built = source.constant(build)
                        kept = f"m{built}"
                        source.before_loop(f"{kept} = memo.setdefault({built}, {{}})")
                        lines += [
                            f"m = {kept}.get(id(v))",
                            "if m is None or m[0] is not v:",
                            f"    m = {kept}[id(v)] = (v, {built}(v, None, run))",
                            "v = m[1]",
                        ]
                    else:
                        lines.append(f"v = {source.constant(build)}(v, None, run)")
                    entry.pathless = True
                else:
                    lines = [
                        f"if type(v) is {source.constant(cls)}: v = {source.constant(build)}(v, "
                        f"Path(path, {key}, {type_name}), run)",
                        "else:",
                        *(f"    {line}" for line in lines),
                    ]
            source.completed(lines, non_null)

    # --- completion ------------------------------------------------------------------------------

    def _flat(self, return_type: GraphQLOutputType) -> Complete | None:
        """For a leaf or a list of leaves (any depth): completion without a path; else None."""
        non_null = isinstance(return_type, GraphQLNonNull)
        inner = get_nullable_type(return_type)
        complete: Complete | None
        if isinstance(inner, GraphQLList):
            complete = self._flat_list(inner.of_type)
        elif is_leaf_type(inner):
            complete = self._leaf(inner)
        else:
            return None
        if complete is None:
            return None
        return required(complete) if non_null else _optional(complete)

    def _flat_list(self, item_type: GraphQLOutputType) -> Complete | None:
        if isinstance(item_type, GraphQLNonNull) and is_leaf_type(item_type.of_type):
            return _list_of_required(self._leaf(item_type.of_type))  # the commonest: [Scope!]!
        item = self._flat(item_type)
        return _list_of(item) if item is not None else None

    def _leaf(self, leaf_type: Any) -> Complete:
        leaves = self.shape.leaves
        complete = leaves.get(leaf_type.name)
        if complete is None:
            complete = leaves[leaf_type.name] = leaf(leaf_type)
        return complete

    def _deep(self, return_type: GraphQLOutputType, nodes: list[FieldNode]) -> CompleteAt:
        complete = self._deep_inner(get_nullable_type(return_type), nodes)
        return _required_at(complete) if isinstance(return_type, GraphQLNonNull) else _optional_at(complete)

    def _deep_inner(self, inner: Any, nodes: list[FieldNode]) -> CompleteAt:
        """Completing a value (not None) of a nullable type that is not a leaf."""
        if isinstance(inner, GraphQLList):
            return self._list_at(inner, nodes)
        if isinstance(inner, GraphQLObjectType):
            return self._object_at(inner, nodes)
        if is_abstract_type(inner):
            return self._abstract_at(inner, nodes)
        raise Fallback

    def _list_at(self, list_type: GraphQLList[Any], nodes: list[FieldNode]) -> CompleteAt:
        item_type = list_type.of_type
        if isinstance(item_type, GraphQLNonNull) and isinstance(item_type.of_type, GraphQLObjectType):
            return self._objects_at(item_type.of_type, nodes)
        item = self._deep(item_type, nodes)

        def complete(values: Any, path: Path, at: FieldAt) -> Any:
            if type(values) is RowViews:
                values = values.views()
            if type(values) is not list and type(values) is not tuple:
                raise Fallback  # other iterables: the standard executor's
            return [item(value, Path(path, index, None), at) for index, value in enumerate(values)]

        return complete

    def _objects_at(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> CompleteAt:
        """A list of non-null objects (a page of keys): the commonest list, in one loop."""
        is_type_of = object_type.is_type_of
        cls = self.shape.classes.get(object_type.name)
        builds: list[Build] = []  # made on first use: a type may contain itself
        row_builds: list[RowBuild | None] = []

        def complete(values: Any, path: Path, at: FieldAt) -> Any:
            if type(values) is RowViews:
                # Views of rows nobody has looked at: built from the rows where the selection allows.
                view = values.view
                if not values.viewed and view.cls is cls and cls is not None:
                    if not row_builds:
                        row_builds.append(self.row_builder(object_type, nodes))
                    found = row_builds[0]
                    if found is not None and found.extra in (None, view.extra_name):
                        at.run.from_rows += 1
                        return found.build(values.rows, view.extra, at.run)
                values = values.views()
            if type(values) is not list and type(values) is not tuple:
                raise Fallback
            if not builds:
                builds.append(self.builder(object_type, nodes))
            build = builds[0]
            run = at.run
            pathless = build in self.pathless  # a page of 1,000 keys makes no 1,000 paths it never reads
            completed = []
            for index, value in enumerate(values):
                if type(value) is not cls and (
                    value is None or (is_type_of is not None and is_type_of(value, at.info()) is not True)
                ):
                    raise Fallback
                completed.append(build(value, None if pathless else Path(path, index, None), run))
            return completed

        return complete

    def _object_at(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> CompleteAt:
        is_type_of = object_type.is_type_of
        cls = self.shape.classes.get(object_type.name)
        builds: list[Build] = []  # made on first use: a type may contain itself

        def complete(value: Any, path: Path, at: FieldAt) -> Any:
            if type(value) is not cls and is_type_of is not None and is_type_of(value, at.info()) is not True:
                raise Fallback  # a wrong type (or an awaitable answer) is the standard executor's to report
            if not builds:
                builds.append(self.builder(object_type, nodes))
            return builds[0](value, path, at.run)

        return complete

    def _abstract_at(self, abstract_type: GraphQLAbstractType, nodes: list[FieldNode]) -> CompleteAt:
        schema = self.schema
        members: dict[str, CompleteAt] = {}

        def complete(value: Any, path: Path, at: FieldAt) -> Any:
            resolve_type = abstract_type.resolve_type or at.run.executor.type_resolver
            runtime = resolve_type(value, at.info(), abstract_type)
            if not isinstance(runtime, str):
                raise Fallback  # awaitable or missing type names: the standard executor's
            member = members.get(runtime)
            if member is None:
                object_type = schema.get_type(runtime)
                if not isinstance(object_type, GraphQLObjectType) or not schema.is_sub_type(
                    abstract_type, object_type
                ):
                    raise Fallback
                member = members[runtime] = self._object_at(object_type, nodes)
            return member(value, path, at)

        return complete


class _Source:
    """A builder's Python source: one line per step, the values it uses as named constants."""

    def __init__(self, type_name: str, parameters: str = "source, path, run", *, rows: bool = False) -> None:
        self.type_name = type_name
        self.parameters = parameters
        self.rows = rows  # the body of a loop over rows (`compile_rows`), with the run's objects built
        self.lines: list[str] = []
        self.heads: list[str] = []  # lines run once before the loop over rows
        self.namespace: dict[str, Any] = {
            "Path": Path,
            "FieldAt": FieldAt,
            "Fallback": Fallback,
            "Missing": Missing,
        }

    def constant(self, value: Any) -> str:
        name = f"k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def line(self, text: str) -> None:
        self.lines.append(text)

    def before_loop(self, text: str) -> None:
        """A line run once per list, before its loop over rows (`compile_rows`)."""
        assert self.rows
        if text not in self.heads:
            self.heads.append(text)

    def completed(self, lines: list[str], non_null: bool) -> None:
        """Complete `v` with `lines` unless it is None, which is refused where the field is non-null."""
        if non_null:
            self.lines.append("if v is None: raise Fallback")
            self.lines.extend(lines)
        else:
            self.lines.append("if v is not None:")
            self.lines.extend(f"    {line}" for line in lines)

    def compile(self) -> Build:
        body = "".join(f"    {line}\n" for line in self.lines)
        build: Build = self._function(f"def build({self.parameters}):\n    r = {{}}\n{body}    return r\n")
        return build

    def compile_rows(self) -> Callable[[Sequence[Any], Any, Run], list[dict[str, Any]]]:
        """The lines as the body of one loop over `rows`, each row's `r` appended: no call per row."""
        body = "".join(f"        {line}\n" for line in self.lines)
        heads = [f"    {line}" for line in self.heads]
        head = [
            "    out = []",
            "    append = out.append",
            "    memo = run.built",
            *heads,
            "    for source in rows:",
        ]
        text = "\n".join([f"def build({self.parameters}):", *head, "        r = {}", body.rstrip("\n")])
        built: Callable[[Sequence[Any], Any, Run], list[dict[str, Any]]] = self._function(
            f"{text}\n        append(r)\n    return out\n"
        )
        return built

    def _function(self, text: str) -> Any:
        exec(_code(text, self.type_name), self.namespace)  # noqa: S102 - our own text; names are constants
        # Taken out of its own globals: a function and the namespace holding it are a reference cycle.
        return self.namespace.pop("build")


Missing = object()  # no answer carried for this field


@functools.lru_cache(maxsize=1024)
def _code(text: str, type_name: str) -> CodeType:
    """The same selection writes the same text (its constants are numbered, not named): compiled once
    per process."""
    return compile(text, f"<fastgraph builder for {type_name}>", "exec")


def _variable_arguments(field: GraphQLField, node: FieldNode) -> tuple[tuple[str, str, bool], ...] | None:
    """The arguments the node gives as variables, as `Entry.variable_arguments` keeps them."""
    found = []
    for argument in node.arguments or ():
        definition = field.args.get(argument.name.value)
        if definition is None:
            return None
        value = argument.value
        if isinstance(value, VariableNode):
            name = definition.out_name or argument.name.value
            found.append((name, value.name.value, isinstance(definition.type, GraphQLNonNull)))
        elif _names_variables(value):
            return None
    return tuple(found)


def _names_variables(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_names_variables(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_names_variables(field.value) for field in value.fields)
    return False


def _list_of(item: Complete) -> Complete:
    def complete(values: Any) -> Any:
        if type(values) is not list and type(values) is not tuple:
            raise Fallback
        return [item(value) for value in values]

    return complete


def _list_of_required(item: Complete) -> Complete:
    def complete(values: Any) -> Any:
        if type(values) is not list and type(values) is not tuple:
            raise Fallback
        completed = []
        for value in values:
            if value is None:
                raise Fallback
            completed.append(item(value))
        return completed

    return complete


def _optional(complete: Complete) -> Complete:
    return lambda value: None if value is None else complete(value)


def _required_at(complete: CompleteAt) -> CompleteAt:
    def required(value: Any, path: Path, at: FieldAt) -> Any:
        if value is None:
            raise Fallback
        return complete(value, path, at)

    return required


def _optional_at(complete: CompleteAt) -> CompleteAt:
    return lambda value, path, at: None if value is None else complete(value, path, at)
