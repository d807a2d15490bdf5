"""Plain SQL for the few reads every page makes (issue #19, point 9): the one way the project writes them.

Measured on the bench's data, the ORM took 0.3–0.8 ms of Python to build a one-table lookup that the
database answered in 0.05 ms; a page making a dozen of them spent a third of its time there. The reads
below the permission checks and page frames that run on every request (a person's roles and grants, their
enrolment in a course, a thread's stamp) are written once in SQL that PostgreSQL and SQLite both run, and
each is held to its ORM twin by a test. Everything else stays on the ORM.

Always the default (primary) database: these reads decide what a person may do, right after they wrote."""

from collections.abc import Sequence

from django.db import connection


def rows(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def row(sql: str, params: Sequence = ()) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
