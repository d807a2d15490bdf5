"""Bulk writes in few statements on SQLite too.

Django splits a bulk insert or update on SQLite so that no statement holds more than 999 values, the
limit of SQLite builds from before 2020; an import of 2,000 units then takes a hundred statements where
PostgreSQL takes one. `wide_batches()` lets the statements inside it use the limit the SQLite library
in use really has (32,766 by default since 3.32, often more), so a bulk write costs the same number of
queries for 20 rows or 2,000 on both databases. Scoped to the block, for the bulk paths that ask for it;
nothing changes on PostgreSQL, which has no such limit.
"""

import sqlite3
from contextlib import contextmanager

from django.db import connection, connections, models, router


@contextmanager
def wide_batches():
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    features = connection.features
    before = features.__dict__.get("max_query_params")
    features.max_query_params = max(
        type(features).max_query_params, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    )
    try:
        yield
    finally:
        if before is None:
            del features.max_query_params
        else:
            features.max_query_params = before


# Field types whose Python value the database drivers take as it is (no conversion, no pre_save).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def bulk_insert(model, objs: list, *, batch_size: int = 2000) -> list:
    """Insert new model instances like `bulk_create` (defaults, `auto_now`, the primary keys set on the
    objects afterwards), with plain multi-row INSERT … RETURNING statements of `batch_size` rows.

    What for: for tens of thousands of rows, bulk_create spends most of its time compiling every value
    through the ORM's expression machinery (a country's 45,000 units and their audit entries: seven of
    ten seconds). Here each field's conversion is decided once per field, not once per value. No
    signals, no conflict handling, no multi-table inheritance: new rows of one table only."""
    if not objs:
        return objs
    opts = model._meta
    conn = connections[router.db_for_write(model)]
    fields = [f for f in opts.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    pk = opts.pk
    plain = [isinstance(f, _PLAIN) and not getattr(f, "auto_now", False) for f in fields]
    table = conn.ops.quote_name(opts.db_table)
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = conn.features.max_query_params
    if limit:
        batch_size = max(1, min(batch_size, limit // len(fields)))
    with conn.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            params = []
            for obj in chunk:
                for field, is_plain in zip(fields, plain, strict=True):
                    if is_plain:
                        params.append(getattr(obj, field.attname))
                    else:
                        params.append(field.get_db_prep_save(field.pre_save(obj, True), conn))
            # Names from the model's own meta, quoted; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one_row] * len(chunk))}"  # noqa: S608
            sql += f" RETURNING {conn.ops.quote_name(pk.column)}"
            cursor.execute(sql, params)
            for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, key)
                obj._state.adding = False
                obj._state.db = conn.alias
    return objs


def bulk_update_rows(model, objs: list, fields: list[str], *, batch_size: int = 2000) -> int:
    """Write `fields` of many existing instances like `bulk_update`, with one UPDATE … FROM a list of
    VALUES per `batch_size` rows (PostgreSQL, and SQLite since 3.33; both name the list's columns
    column1, column2 …).

    What for: bulk_update writes one CASE WHEN id = … per row and field, which the database compares
    row by row, so its cost grows with the square of the batch (a country renamed: half a minute on
    SQLite). Joining on the list of values costs one look-up per row. Fields that need a database
    default or an expression are not for this; plain values only."""
    if not objs or not fields:
        return 0
    conn = connections[router.db_for_write(model)]
    if conn.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33):  # no UPDATE … FROM before 3.33
        return model._base_manager.bulk_update(objs, fields, batch_size=min(batch_size, 500))
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    pk = opts.pk
    quote = conn.ops.quote_name
    table = quote(opts.db_table)
    # PostgreSQL types a list of values from its first row (text for a parameter), so each value is cast to
    # its column's type; SQLite takes values as they come (and a CAST there would read a date as a number).
    if conn.vendor == "sqlite":
        assignments = ", ".join(f"{quote(f.column)} = v.column{i + 2}" for i, f in enumerate(columns))
    else:
        assignments = ", ".join(
            f"{quote(f.column)} = CAST(v.column{i + 2} AS {f.cast_db_type(conn)})" for i, f in enumerate(columns)
        )
    one_row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    limit = conn.features.max_query_params
    if limit:
        batch_size = max(1, min(batch_size, limit // (len(columns) + 1)))
    done = 0
    with conn.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            params = []
            for obj in chunk:
                params.append(obj.pk)
                params += [f.get_db_prep_save(getattr(obj, f.attname), conn) for f in columns]
            # Names from the model's own meta, quoted; every value is a parameter.
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([one_row] * len(chunk))}) AS v "  # noqa: S608
                f"WHERE {table}.{quote(pk.column)} = v.column1"
            )
            cursor.execute(sql, params)
            done += cursor.rowcount
    return done


# --- insert or update plain rows by their unique key -------------------------------------------------

COPY_FROM_ROWS = 500  # below this, one multi-row INSERT is cheaper than a temporary table and a COPY


def _column_adapters(fields, conn) -> list:
    """Per column, None when drivers take the Python value as it is, else the field's conversion (dates
    and times on SQLite: naive text in the connection's time zone)."""
    adapters = []
    for field in fields:
        if isinstance(field, (*_PLAIN, models.DecimalField)):
            adapters.append(None)
        else:
            adapters.append(lambda value, field=field: field.get_db_prep_save(value, conn))
    return adapters


def _adapted(rows: list[tuple], adapters: list) -> list[tuple]:
    if all(adapter is None for adapter in adapters):
        return rows
    columns = []
    for column, adapter in zip(zip(*rows, strict=True), adapters, strict=True):
        if adapter is None:
            columns.append(column)
        else:  # a recompute stamps every row with the same moment: convert each distinct value once
            seen = {}
            columns.append([seen[v] if v in seen else seen.setdefault(v, adapter(v)) for v in column])
    return list(zip(*columns, strict=True))


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)  # numbers, Decimal, date and datetime (ISO, with the offset) read back as they were


def copy_text(rows: list[tuple]) -> str:
    """Rows of plain values (text, numbers, Decimal, booleans, dates and times, None) in PostgreSQL COPY's
    text format. Each distinct value of a column is written once: a recompute's rows repeat the same
    year, subjects, levels and moment thousands of times."""
    columns = []
    for column in zip(*rows, strict=True):
        texts = {value: _copy_text(value) for value in set(column)}
        columns.append(map(texts.__getitem__, column))
    return "".join(line + "\n" for line in map("\t".join, zip(*columns, strict=True)))


def upsert_rows(
    model, columns: tuple[str, ...], keys: tuple[str, ...], rows: list[tuple], *, copy_from: int = COPY_FROM_ROWS
) -> int:
    """INSERT plain tuples (one value per name in `columns`, attnames like "student_id") into `model`'s
    table, updating every other column of a row whose `keys` (a unique constraint) already exist; returns
    the rows given. Without model instances, signals or `full_clean`: for derived tables written in bulk.
    The keys must be unique within `rows` (PostgreSQL refuses to update a row twice in one statement).

    PostgreSQL, from COPY_FROM_ROWS rows: COPY into a temporary table, then one INSERT … SELECT … ON
    CONFLICT DO UPDATE (the rows travel as one stream, parsed by the server's COPY instead of as
    thousands of bound parameters). Otherwise, and on SQLite (3.24+): multi-row INSERT … ON CONFLICT
    statements, as many rows per statement as the parameter limit allows."""
    if not rows:
        return 0
    conn = connections[router.db_for_write(model)]
    if conn.vendor == "postgresql" and len(rows) >= copy_from:
        _copy_upsert(conn, model, columns, keys, rows)
    else:
        _values_upsert(conn, model, columns, keys, rows)
    return len(rows)


def _conflict_clause(conn, columns, keys) -> str:
    quote = conn.ops.quote_name
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) {action}"


def _values_upsert(conn, model, columns, keys, rows) -> None:
    opts = model._meta
    quote = conn.ops.quote_name
    table = quote(opts.db_table)
    names = ", ".join(quote(c) for c in columns)
    rows = _adapted(rows, _column_adapters([opts.get_field(c) for c in columns], conn))
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    limit = conn.features.max_query_params or 65535  # PostgreSQL's own limit of bound parameters
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        limit = max(limit, conn.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    per_statement = max(1, min(2000, limit // len(columns)))
    conflict = _conflict_clause(conn, columns, keys)
    with conn.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            # Names from the model's own meta, quoted; every value is a parameter.
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one_row] * len(chunk))} {conflict}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _copy_upsert(conn, model, columns, keys, rows) -> None:
    import io

    from django.db import transaction

    quote = conn.ops.quote_name
    table = quote(model._meta.db_table)
    staging = quote(f"_upsert_{model._meta.db_table}")
    names = ", ".join(quote(c) for c in columns)
    # Names from the model's own meta, quoted; the values travel in the COPY stream.
    # A transaction so that the temporary table never outlives a failed COPY; no savepoint of its own.
    with transaction.atomic(using=conn.alias, savepoint=False), conn.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
        cursor.copy_expert(f"COPY {staging} ({names}) FROM STDIN", io.StringIO(copy_text(rows)))
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {_conflict_clause(conn, columns, keys)}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {staging}")
