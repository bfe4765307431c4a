"""Querysets built and compiled once per process: the reads every transition makes (issue 19).

Django builds a queryset (``filter``, ``select_related``, each expression resolved) and
compiles it to SQL anew on every call. For the reads every transition makes, that costs
more than running them: issue 19's profile of the locked case with its round,
association and municipality found 0.3 ms building and 0.8 ms compiling against 0.9 ms
running it and making the objects.

A ``Compiled`` query is built and compiled the first time it is used on a database. Each
later call runs the same SQL with its own ids, and makes its rows and objects the way
Django's own iterables do: the compiler's converters, ``Model.from_db`` and the
``select_related`` populators.

What it takes: a function that builds the queryset from named ids and, where it needs
them, named days (``dates=``) and moments (``datetimes=``, aware). An integer passes
through every backend's preparation unchanged. A date or a datetime passes either
unchanged (PostgreSQL) or as the backend's adapter writes it (SQLite's text). So each can
be found among the compiled parameters by a sentinel value, and bound again the same
way. Every other value in the query is a constant of the SQL: a status, a kind, a role,
a LIMIT.

A list of ids (``pk__in``) has one placeholder per id: ``CompiledList`` keeps one compiled
statement per length of the list.

When first compiled, it refuses a query in which an id cannot be found among the
parameters. The statements run through ``connection.cursor()``, so execute wrappers, the
query log and query counts see them. A locking read still refuses to run outside a
transaction, as Django's compiler does.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in django-stubs
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.transaction import TransactionManagementError

# Far below any id a table hands out, one per named id, so each is found among the
# compiled parameters and nothing else is taken for it; and days no case was ever on.
# Within a 32-bit integer: Django leaves out of the SQL a comparison with a value outside
# the column's range (PostgreSQL's integer, e.g. a history table's copy of an id).
SENTINEL = -2_147_000_000
DAY = datetime.date(1111, 11, 1)
MOMENT = datetime.datetime(1111, 11, 1, 11, 11, 11, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    # (position among the parameters, name, the backend's adapter that applies: "" for none,
    # the driver's wrapper of an int: None for none)
    slots: tuple[tuple[int, str, str, type | None], ...]
    compiler: Any
    locks: bool
    trim: int | None  # columns to keep, when the compiler selected extra ones for ordering
    # For objects: the model, where its columns are, their names, the related populators.
    model: Any = None
    start: int = 0
    end: int = 0
    init_list: tuple[str, ...] = ()
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()


class Compiled:
    """``build(**ids)`` returns the queryset; ``objects(**ids)`` or ``rows(**ids)`` run it.

    ``rows`` is for ``values_list`` querysets (tuples, one per row); ``objects`` for model
    querysets (instances, with what ``select_related`` named cached on them).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *names: str,
        dates: tuple[str, ...] = (),
        datetimes: tuple[str, ...] = (),
    ) -> None:
        self.build = build
        self.names = names
        self.dates = dates  # named days (a date, never a time), bound like the ids
        self.datetimes = datetimes  # named moments (an aware datetime)
        self.kinds: dict[str, type] = {
            **dict.fromkeys(names, int),
            **dict.fromkeys(dates, datetime.date),
            **dict.fromkeys(datetimes, datetime.datetime),
        }
        # Per connection object: a compiler keeps its connection (its converters ask it),
        # and each thread has its own.
        self._statements: dict[tuple[str, int], _Statement] = {}

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **ids: Any) -> list[Any]:
        statement, rows = self._run(using, ids)
        if statement.model is None:
            raise TypeError("objects() runs a model queryset; this one is a values_list")
        found = []
        for row in statement.compiler.results_iter(results=[rows]):
            obj = statement.model.from_db(
                using, statement.init_list, row[statement.start : statement.end]
            )
            for populator in statement.populators:
                populator.populate(row, obj)
            for name, position in statement.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **ids: Any) -> list[tuple[Any, ...]]:
        statement, rows = self._run(using, ids)
        if statement.model is not None:
            raise TypeError("rows() runs a values_list queryset; this one makes objects")
        return list(statement.compiler.results_iter(results=[rows], tuple_expected=True))

    def _run(self, using: str, ids: dict[str, Any]) -> tuple[_Statement, list[Any]]:
        if set(ids) != set(self.kinds):
            raise TypeError(f"give exactly the ids {sorted(self.kinds)}, not {sorted(ids)}")
        for name, value in ids.items():
            kind = self.kinds[name]
            if type(value) is not kind:
                raise TypeError(
                    f"the id {name!r} must be {kind.__name__}, not {type(value).__name__}"
                )
            if kind is datetime.datetime and getattr(value, "tzinfo", None) is None:
                raise TypeError(f"the id {name!r} must be an aware datetime")
        connection = connections[using]
        statement = self._statements.get((using, id(connection)))
        if statement is None:
            statement = self._compile(using)
            self._statements[(using, id(connection))] = statement
        if statement.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(statement.params)
        for position, name, adapter, wrapper in statement.slots:
            value = ids[name]
            value = getattr(connection.ops, adapter)(value) if adapter else value
            params[position] = wrapper(value) if wrapper else value
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if statement.trim is not None:
            rows = [row[: statement.trim] for row in rows]
        return statement, rows

    def _compile(self, using: str) -> _Statement:
        connection = connections[using]
        sentinels: dict[str, Any] = {name: SENTINEL - i for i, name in enumerate(self.names)}
        days = {name: DAY + datetime.timedelta(days=i) for i, name in enumerate(self.dates)}
        moments = {
            name: MOMENT + datetime.timedelta(microseconds=i)
            for i, name in enumerate(self.datetimes)
        }
        queryset = self.build(**sentinels, **days, **moments)
        # What the rows are made into: objects or tuples, as Django's own iterables make
        # them. Dicts, flat lists and prefetches are Django's work after the query: refused
        # rather than silently left out.
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise ValueError("compile a model queryset or a values_list (not flat, not named)")
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise ValueError("a compiled query cannot prefetch; read the related rows apart")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if not str(sql).lstrip("( ").upper().startswith("SELECT"):
            raise ValueError("only a SELECT is compiled once")  # reads only, never a write
        # An id is a parameter as it was given; a date or a datetime as given (PostgreSQL)
        # or as the backend's adapter wrote it (SQLite's text).
        found: dict[tuple[type, Any], tuple[str, str]] = {
            (int, value): (name, "") for name, value in sentinels.items()
        }
        for adapter, given in (
            ("adapt_datefield_value", days),
            ("adapt_datetimefield_value", moments),
        ):
            for name, value in given.items():
                found[(type(value), value)] = (name, "")
                adapted = getattr(connection.ops, adapter)(value)
                if adapted is not value:
                    found[(type(adapted), adapted)] = (name, adapter)
        # An int may come wrapped in the driver's type for its column (psycopg's Int8 for a
        # bigint that is not a key): found by its value, bound again in the same wrapper.
        slots = tuple(
            (i, *found[key], _wrapper(value))
            for i, value in enumerate(params)
            if (key := _key(value)) in found
        )
        missing = set(self.kinds) - {name for _i, name, _a, _w in slots}
        if missing:
            raise ValueError(f"the ids {sorted(missing)} are not parameters of the query")
        locks = bool(queryset.query.select_for_update) and bool(
            connection.features.has_select_for_update
        )
        trim = compiler.col_count if compiler.has_extra_select else None
        statement = _Statement(str(sql), tuple(params), slots, compiler, locks, trim)
        if queryset._iterable_class is ValuesListIterable:
            return statement
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Statement(
            statement.sql,
            statement.params,
            slots,
            compiler,
            locks,
            trim,
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=tuple(f[0].target.attname for f in select[start:end]),
            populators=tuple(get_related_populators(klass_info, select, using)),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )


def _key(value: Any) -> tuple[type, Any]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (int, int(value))
    return (type(value), value)


def _wrapper(value: Any) -> type | None:
    if isinstance(value, int) and not isinstance(value, bool) and type(value) is not int:
        return type(value)
    return None


class CompiledList:
    """A ``Compiled`` query over a list of ids (``pk__in``): one compiled statement per
    length of the list, since the SQL has one placeholder per id.

    ``build(ids, **values)`` returns the queryset; ``rows(ids, **values)`` and
    ``objects(ids, **values)`` run it. ``names`` and the keywords (``dates``,
    ``datetimes``) name the other values, as for ``Compiled``.
    """

    def __init__(
        self, build: Callable[..., QuerySet[Any]], *names: str, **kinds: tuple[str, ...]
    ) -> None:
        self.build = build
        self.names, self.kinds = names, kinds  # handed on to each Compiled as they are
        self._by_length: dict[int, Compiled] = {}

    def rows(self, ids: list[int], **values: Any) -> list[tuple[Any, ...]]:
        return self._for(len(ids)).rows(**self._named(ids), **values)

    def objects(self, ids: list[int], **values: Any) -> list[Any]:
        return self._for(len(ids)).objects(**self._named(ids), **values)

    @staticmethod
    def _named(ids: list[int]) -> dict[str, Any]:
        return {f"id{i}": pk for i, pk in enumerate(ids)}

    def _for(self, length: int) -> Compiled:
        found = self._by_length.get(length)
        if found is None:
            slots = [f"id{i}" for i in range(length)]

            def build(**given: Any) -> QuerySet[Any]:
                return self.build([given.pop(slot) for slot in slots], **given)

            found = self._by_length[length] = Compiled(build, *slots, *self.names, **self.kinds)
        return found
