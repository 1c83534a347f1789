"""Small queries asked on every request or every write, compiled to SQL once per process.

Django builds and compiles a query's SQL each time it runs it. For the small queries
nearly every request asks (the signed-in person's row; whether they may read the
document a cached page shows; the thread a reply goes to) and the few rows every write
adds, compiling cost three to seventeen times what running them costs (0.2-1.2 ms each
against 0.03-0.1 ms). The functions here compile once and then only run the SQL:

* ``rows``, ``one`` and ``by_pk`` read model instances, with their ``select_related``
  objects and annotations, through Django's own iterator and converters;
* ``exists`` asks whether a query has a row, ``ids`` the ids of its rows;
* ``insert`` adds a row as ``save()`` would, ``update`` changes columns of a row by id.

A read is named, and built the first time its name is asked for from a function of
integer arguments (ids): it is compiled twice with different probe values, which shows
where each argument goes in the SQL, and anything else about it must not change between
calls. Inserts and updates are compiled per model and set of columns; their parameters
are what the fields' own ``pre_save`` and ``get_db_prep_save`` give, as in Django.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.expressions import Expression
from django.db.models.query import ModelIterable
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError


def _probe(which: int, argument: int) -> int:
    """The value argument ``argument`` is compiled with, first (``which`` 0) and second:
    never run, only compiled; within a 32-bit integer column's range (beyond it Django
    compiles a comparison away); arguments a step apart that differs between the two, so
    that an argument plus or minus something is never taken for another argument."""
    return (1_000_000_001, 1_100_000_003)[which] + (7_919, 104_729)[which] * argument


def _bindable(args: tuple) -> bool:
    """Whether the ids can name a row at all; a TypeError for what is not an id."""
    for arg in args:
        if arg is None:
            return False  # no row: a foreign key left empty
        if type(arg) is not int:
            raise TypeError(f"An id is an int, not {type(arg).__name__}: {arg!r}")
        if not -(2**63) <= arg < 2**63:
            return False  # no row has it, and SQLite cannot even bind it
    return True


@dataclass(frozen=True)
class _Read:
    queryset: QuerySet  # as compiled, never evaluated: its model, database and options
    compiler: SQLCompiler  # after compiling: its columns, converters and related objects
    sql: str
    params: tuple  # the first probe's values where arguments go
    slots: tuple[int | None, ...]  # per parameter: the argument it takes, or None

    def bind(self, args: tuple) -> list:
        return [
            param if slot is None else type(param)(args[slot])  # an Int4 stays one
            for param, slot in zip(self.params, self.slots, strict=True)
        ]


_reads: dict[str, _Read] = {}
_existences: dict[str, _Read] = {}


def rows(name: str, queryset: Callable[..., QuerySet], *args: int) -> list[Model]:
    """The rows of ``queryset(*args)``, built and compiled only the first time ``name``
    is asked for: the function must build the same query whatever ids it is given (no
    branching on them), with each one a parameter of it. None for an id finds no row."""
    if not _bindable(args):
        return []
    read = _reads.get(name)
    if read is None:
        read = _reads[name] = _compile(queryset, len(args))
    # A copy of the compiled compiler answers with the SQL and these parameters, on this
    # thread's connection; Django's iterator makes the instances.
    params = read.bind(args)
    connection = connections[read.queryset.db]
    if read.queryset.query.select_for_update and connection.get_autocommit():
        raise TransactionManagementError("select_for_update outside of a transaction")
    compiler = _shallow_copy(read.compiler)
    compiler.connection = connection
    compiler.as_sql = lambda *_, **__: (read.sql, params)
    converters = _converters(name, compiler)
    compiler.get_converters = lambda _expressions: converters
    query = _shallow_copy(read.queryset.query)
    query.get_compiler = lambda *_, **__: compiler
    bound = _shallow_copy(read.queryset)
    bound.query = query
    return list(ModelIterable(bound))


def _converters(name: str, compiler: SQLCompiler) -> dict:
    """The functions that turn the values of a row of read ``name`` into Python's, as
    Django's iterator asks them of the compiler (for the columns it selects), kept on the
    connection they belong to (they are its backend's methods): Django asks every
    column's field and the backend for them on every run, a tenth of reading the
    signed-in person. They go with the connection, a thread's."""
    known = compiler.connection.__dict__.setdefault("_compiled_converters", {})
    if name not in known:
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        known[name] = compiler.get_converters(columns)
    return known[name]


def _shallow_copy[T](obj: T) -> T:
    # Not copy.copy: a QuerySet's pickling, which it uses, would run the query.
    copied = object.__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


def one(name: str, queryset: Callable[..., QuerySet], *args: int) -> Model | None:
    """The first row of ``queryset(*args)`` (compiled with ``LIMIT 1``), or None."""
    found = rows(name, lambda *a: queryset(*a)[:1], *args)
    return found[0] if found else None


def by_pk(name: str, queryset: Callable[[], QuerySet], pk: int) -> Model | None:
    """The row ``pk`` of ``queryset()``, or None."""
    return one(name, lambda pk: queryset().filter(pk=pk), pk)


def exists(name: str, queryset: Callable[..., QuerySet], *args: int) -> bool:
    """Whether ``queryset(*args)`` has a row, as ``QuerySet.exists()`` asks it."""
    if not _bindable(args):
        return False
    read = _existences.get(name)
    if read is None:
        read = _existences[name] = _compile(queryset, len(args), existence=True)
    with connections[read.queryset.db].cursor() as cursor:
        cursor.execute(read.sql, read.bind(args))
        return cursor.fetchone() is not None


def ids(name: str, queryset: Callable[..., QuerySet], *args: int) -> list[int]:
    """The ids of the rows of ``queryset(*args)``, in its order, without making them."""
    if not _bindable(args):
        return []
    read = _id_lists.get(name)
    if read is None:
        read = _id_lists[name] = _compile(queryset, len(args), only_ids=True)
    with connections[read.queryset.db].cursor() as cursor:
        cursor.execute(read.sql, read.bind(args))
        return [row[0] for row in cursor.fetchall()]


_id_lists: dict[str, _Read] = {}


def _compile(
    queryset: Callable[..., QuerySet], arity: int, *, existence=False, only_ids=False
) -> _Read:
    def compiled(which: int) -> tuple[QuerySet, SQLCompiler, str, tuple]:
        built = queryset(*(_probe(which, i) for i in range(arity)))
        if built._iterable_class is not ModelIterable or built._prefetch_related_lookups:
            raise RuntimeError("Only model instances, without prefetching, are compiled.")
        if only_ids:
            built = built.values_list("pk", flat=True)
        query = built.query.exists(limit=True) if existence else built.query
        compiler = query.get_compiler(using=built.db)
        sql, params = compiler.as_sql()
        return built, compiler, sql, tuple(params)

    built, compiler, sql, params = compiled(0)
    _, _, other_sql, other_params = compiled(1)
    first = {_probe(0, i): i for i in range(arity)}
    slots = []
    for param, other in zip(params, other_params, strict=True):
        if param == other:
            slots.append(None)
            continue
        # An int, or on PostgreSQL a subclass naming its column's size (psycopg's Int4)
        slot = first.get(param) if isinstance(param, int) else None
        if slot is None or other != _probe(1, slot):
            raise RuntimeError(f"A parameter changes other than with an argument: {sql}")
        slots.append(slot)
    if other_sql != sql or set(slots) - {None} != set(range(arity)):
        raise RuntimeError(f"The arguments are not each a parameter of: {sql}")
    # Each run gets the connection of its own thread: the compiling thread's is not kept
    # (a thread per request under ASGI or runserver would leave it open for good).
    compiler.connection = None
    return _Read(built, compiler, sql, params, tuple(slots))


def insert(instance: Model, *, or_update: tuple[str, ...] = (), unique: tuple[str, ...] = ()):
    """Add ``instance`` as a new row, as ``instance.save()`` would: ``pre_save`` and
    ``post_save`` sent, ``auto_now`` fields set, the id read back; but not through the
    model's own ``save()``, for rows whose model adds nothing to saving a new row. With
    ``or_update``, a row that has the same ``unique`` fields has those fields updated
    instead, as ``bulk_create`` does with ``update_conflicts`` (which sends no signals)."""
    model = type(instance)
    meta = model._meta
    alias = router.db_for_write(model, instance=instance)
    connection = connections[alias]
    fields = tuple(
        field
        for field in meta.local_concrete_fields
        if not field.generated and not (field is meta.auto_field and instance.pk is None)
    )
    sql, returning = _insert_sql(model, fields, alias, or_update, unique)
    if sql is None or any(_expression(getattr(instance, f.attname, None)) for f in fields):
        # SQL of Django's own for a value (a database default, an expression): let it
        if or_update:
            model._base_manager.using(alias).bulk_create(
                [instance], update_conflicts=True, update_fields=or_update, unique_fields=unique
            )
        else:
            instance.save(force_insert=True, using=alias)
        return instance
    signals = not or_update
    if signals and pre_save.has_listeners(model):
        pre_save.send(model, instance=instance, raw=False, using=alias, update_fields=None)
    values = [field.pre_save(instance, True) for field in fields]
    if any(_expression(value) for value in values):
        raise ValueError(f"A pre_save receiver of {meta.label} set an expression.")
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            row = cursor.fetchone()
            for field, value in zip(returning, row, strict=True):
                setattr(instance, field.attname, value)
    instance._state.adding = False
    instance._state.db = alias
    if signals and post_save.has_listeners(model):
        post_save.send(
            model, instance=instance, created=True, update_fields=None, raw=False, using=alias
        )
    return instance


def _expression(value) -> bool:
    return hasattr(value, "resolve_expression")


def _special_sql(field) -> bool:
    """Whether Django places the field's values with SQL of the field's own."""
    return hasattr(field, "get_placeholder_sql") or hasattr(field, "get_placeholder")


@cache
def _insert_sql(
    model: type[Model], fields: tuple, alias: str, or_update: tuple, unique: tuple
) -> tuple[str | None, tuple]:
    """The INSERT of ``fields`` and the columns it reads back; None where Django would
    compile anything but plain placeholders for them, or read back more than the id."""
    meta = model._meta
    connection = connections[alias]
    returning = tuple(meta.db_returning_fields)
    if returning and (
        returning != (meta.auto_field,) or not connection.features.can_return_columns_from_insert
    ):
        return None, ()
    if any(_special_sql(field) for field in fields):
        return None, ()
    if or_update:
        query = InsertQuery(
            model,
            on_conflict=OnConflict.UPDATE,
            update_fields=[meta.get_field(name) for name in or_update],
            unique_fields=[meta.get_field(name) for name in unique],
        )
    else:
        query = InsertQuery(model)
    query.insert_values(fields, [model()])
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = list(returning)
    ((sql, params),) = compiler.as_sql()
    if any(isinstance(param, Expression) for param in params):
        return None, ()
    return sql, returning


def update(model: type[Model], pk: int, **values) -> int:
    """Set columns of row ``pk``, as ``model.objects.filter(pk=pk).update(**values)``
    would with plain values (not expressions); the number of rows changed."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    names = tuple(values)
    sql, fields = _update_sql(model, names, alias)
    params = [
        field.get_db_prep_save(
            value.pk if isinstance(value, Model) else value, connection=connection
        )
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])
        return cursor.rowcount


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], alias: str) -> tuple[str, tuple]:
    meta = model._meta
    if type(model._default_manager.get_queryset()).update is not QuerySet.update:
        raise ValueError(f"{meta.label}'s rows are changed only as its queryset allows.")
    fields = tuple(meta.get_field(name) for name in names)
    if any(not field.concrete or _special_sql(field) for field in fields):
        raise ValueError(f"Not plain columns of {meta.label}: {names}")
    quote = connections[alias].ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"
    return sql, fields
