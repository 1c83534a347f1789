"""Small queries asked on every request, compiled to SQL once per process.

Django builds and compiles a query's SQL each time it runs it. For the small queries
nearly every request asks (the signed-in person's row; whether they may read the
document a cached page shows) compiling cost three to seven times what running them
costs. ``by_pk`` compiles such a query once, for one row by its id, and from then on
runs its SQL through ``raw``: the same columns and annotations, the model fields'
converters (annotations come as the database gives them: SQLite's booleans are 0 or 1).
"""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.db.models.query import RawQuerySet

# By name: the model, the SQL, and its parameters before the row's id.
_compiled: dict[str, tuple[type[Model], str, tuple]] = {}


def by_pk(name: str, queryset: Callable[[], QuerySet], pk: int) -> Model | None:
    """The row ``pk`` of ``queryset()``, which is built and compiled only the first time
    ``name`` is asked for; ``None`` if there is no such row."""
    if not -(2**63) <= pk < 2**63:  # no row has it, and SQLite cannot even bind it
        return None
    compiled = _compiled.get(name)
    if compiled is None:
        compiled = _compiled[name] = _compile(queryset())
    model, sql, params = compiled
    return next(iter(RawQuerySet(sql, model=model, params=(*params, pk))), None)


def _compile(queryset: QuerySet) -> tuple[type[Model], str, tuple]:
    # The id must be the last parameter (a parameter in an ordering would follow it):
    # two compilations with different ids show it is.
    sql, params = queryset.filter(pk=1).query.sql_with_params()
    other_sql, other_params = queryset.filter(pk=2).query.sql_with_params()
    if (sql, params[:-1], params[-1:], other_params[-1:]) != (
        other_sql, other_params[:-1], (1,), (2,)
    ):  # fmt: skip
        raise RuntimeError(f"The row's id is not the last parameter of: {sql}")
    return queryset.model, sql, params[:-1]
