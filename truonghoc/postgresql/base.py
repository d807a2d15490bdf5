"""Django's PostgreSQL backend, connecting again when PostgreSQL refuses a connection (issue #19, point 5).

Settings use it for every PostgreSQL alias (`ENGINE = "truonghoc.postgresql"`). A connection that died
while idle (PostgreSQL restarted, a pooler recycled it) is found by CONN_HEALTH_CHECKS before a request uses
it, and a new one is opened. Opening it may fail for a moment while PostgreSQL comes back ("the database
system is starting up", connection refused): the connect is tried again after `CONNECT_RETRY_DELAYS`, so
the request (a page, a task) waits a second or two instead of failing. Only the connect is retried: nothing
was sent yet, so retrying it can never run a statement twice. An error once connected is raised as before
(a write is never replayed behind the person's back)."""

import logging
import time

from django.conf import settings
from django.db.backends.postgresql import base, operations

from truonghoc.testdb import PostgreSQLCreation

logger = logging.getLogger(__name__)


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        """With FLUSH_WITH_DELETE (the test settings), empty the tables with DELETE rather than TRUNCATE.

        Every browser test and every test that commits ends with a flush of the ~140 tables. TRUNCATE gives
        each table and index a new file: about 2.5 s here for tables holding a few rows, against 0.05 s for
        DELETE, which on a big production table would be the slow one (so `manage.py flush` keeps
        TRUNCATE). Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so the order of the deletes does
        not matter inside the flush's transaction. Sequences are not reset unless asked (then TRUNCATE's
        RESTART IDENTITY does it, as before)."""
        if not tables or reset_sequences or not getattr(settings, "FLUSH_WITH_DELETE", False):
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [
            f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    creation_class = PostgreSQLCreation  # test databases copied from a migrated one (TEST_DB_TEMPLATES)
    # Seconds to wait before each further try: three tries over 1.5 s, about what a restart takes.
    CONNECT_RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0)

    def get_new_connection(self, conn_params):
        for delay in (*self.CONNECT_RETRY_DELAYS, None):
            try:
                return super().get_new_connection(conn_params)
            except base.Database.OperationalError as error:
                if delay is None:
                    raise
                logger.warning("PostgreSQL refused a connection (%s); trying again in %.1f s", type(error).__name__,
                               delay)  # fmt: skip
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
