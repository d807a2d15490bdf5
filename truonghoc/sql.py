"""Plain SQL for the few reads every page makes (issue #19, point 9): the one way the project writes them.

Measured on the bench's data, the ORM took 0.3–0.8 ms of Python to build a one-table lookup that the
database answered in 0.05 ms; a page making a dozen of them spent a third of its time there. The reads
below the permission checks and page frames that run on every request (a person's roles and grants, their
enrolment in a course, a thread's stamp) are written once in SQL that PostgreSQL and SQLite both run, and
each is held to its ORM twin by a test. Everything else stays on the ORM.

Always the default (primary) database: these reads decide what a person may do, right after they wrote."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import connection


def rows(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def row(sql: str, params: Sequence = ()) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def instance(model, pk, *related: str, known=()):
    """One row of `model` by primary key as a model instance (every column), or None; then each foreign key
    named in `related` ("forum", "forum__unit") read the same way and attached, as select_related would,
    when it is set. A row met twice (a course's unit that is also its forum's) is read once; `known` hands
    in instances the caller has already. For the objects a page starts from (a thread, its forum, a course
    and their units): a select_related over four tables cost the ORM more to build and to unpack than these
    few one-row reads cost the database."""
    seen = {(type(obj), obj.pk): obj for obj in known}
    found = list(model._base_manager.raw(_by_pk_sql(model), [pk]))
    if not found:
        return None
    obj = found[0]
    seen[(model, obj.pk)] = obj
    for path in related:
        steps, _, name = path.rpartition("__")
        holder = obj
        for step in filter(None, steps.split("__")):
            holder = getattr(holder, step)
            if holder is None:
                break
        if holder is None:
            continue
        field = holder._meta.get_field(name)
        related_id = getattr(holder, field.attname)
        if related_id is None:
            continue
        target = field.related_model
        if target is ContentType:
            value = ContentType.objects.get_for_id(related_id)  # ContentType's own memory
        elif (target, related_id) in seen:
            value = seen[(target, related_id)]
        else:
            value = seen[(target, related_id)] = instance(target, related_id)
        setattr(holder, name, value)
    return obj


def _by_pk_sql(model) -> str:
    quote = connection.ops.quote_name
    # Names from the model's own metadata, never from input.
    return f"SELECT * FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
