"""The audit log is append-only in the database itself, not only in the ORM (ADR 0012).

Triggers refuse every ``UPDATE`` and ``DELETE`` of ``core_auditentry`` (and ``TRUNCATE`` on
PostgreSQL), whoever sends the SQL. The one exception is erasing a whole database that may be
erased (a demo, a test database), see :func:`purge_allowed`: on PostgreSQL the purge sets the
session setting ``regie.audit_purge`` for its own statements; on SQLite, which has no session
settings, the purge drops the delete trigger and creates it again afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "core_auditentry"
MESSAGE = "audit entries are append-only"
#: Every append-only table guarded this way: the audit log, and the tables apps add with
#: :func:`protect` (the privacy core's read log and tombstones). One purge covers them all.
TABLES: list[str] = [TABLE]


def protect(table: str) -> None:
    """Guard ``table`` like the audit log (an app calls it in ``AppConfig.ready``; its migration
    runs :func:`create_sql` with ``table``)."""
    if table not in TABLES:
        TABLES.append(table)


def _sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]


POSTGRES_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'UPDATE' AND current_setting('regie.audit_purge', true) = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING
            MESSAGE = '{MESSAGE}: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END;
    $$;
    """


def _postgres_create(table: str) -> list[str]:
    # The audit log's triggers keep their first names (core_auditentry_append_only).
    return [
        POSTGRES_FUNCTION,
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();",
    ]


def _postgres_drop(table: str) -> list[str]:
    # The trigger function stays: the other append-only tables' triggers use it too (and
    # CREATE OR REPLACE makes it again where it is missing).
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
    ]


SQLITE_CREATE = _sqlite_create(TABLE)
SQLITE_DROP = _sqlite_drop(TABLE)
POSTGRES_CREATE = _postgres_create(TABLE)
POSTGRES_DROP = _postgres_drop(TABLE)


def create_sql(vendor: str, table: str = TABLE) -> list[str]:
    makers = {"sqlite": _sqlite_create, "postgresql": _postgres_create}
    return makers[vendor](table) if vendor in makers else []


def drop_sql(vendor: str, table: str = TABLE) -> list[str]:
    makers = {"sqlite": _sqlite_drop, "postgresql": _postgres_drop}
    return makers[vendor](table) if vendor in makers else []


def _execute(conn: BaseDatabaseWrapper, statements: list[str]) -> None:
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def purge_allowed() -> bool:
    """Whether this database may be erased with its audit log: a demo or a test database."""
    if getattr(settings, "REGIE_ALLOW_AUDIT_PURGE", False):
        return True
    from regie.core.models import Installation

    try:
        return Installation.objects.filter(is_demo=True).exists()
    except DatabaseError:
        # No tables yet (flush before migrate): there is no audit log to protect. Any other
        # database error ends the flush anyway, at its first statement.
        return not _has_audit_table()


def _has_audit_table() -> bool:
    try:
        return TABLE in connection.introspection.table_names()
    except DatabaseError:
        return True  # unknown: protect it


def triggers_present(conn: BaseDatabaseWrapper | None = None) -> bool:
    """Whether the guard triggers exist (the deploy check asks; a restored dump may lack them)."""
    conn = conn or connection
    if conn.vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"
        expected = {"core_auditentry_no_update", "core_auditentry_no_delete"}
    elif conn.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
        expected = {"core_auditentry_append_only", "core_auditentry_no_truncate"}
    else:
        return True
    with conn.cursor() as cursor:
        cursor.execute(sql, [TABLE])
        found = {row[0] for row in cursor.fetchall()}
    return expected <= found


@contextlib.contextmanager
def purging(conn: BaseDatabaseWrapper | None = None) -> Iterator[None]:
    """Let the statements inside the block delete audit entries (see the module docstring)."""
    conn = conn or connection
    if conn.vendor == "postgresql":
        _execute(conn, ["SELECT set_config('regie.audit_purge', 'on', false)"])
        try:
            yield
        finally:
            _execute(conn, ["SELECT set_config('regie.audit_purge', '', false)"])
    elif conn.vendor == "sqlite":
        present = set(conn.introspection.table_names())
        tables = [t for t in TABLES if t in present]
        for table in tables:  # the delete triggers only: an update stays refused
            _execute(conn, _sqlite_drop(table)[1:])
        try:
            yield
        finally:
            for table in tables:
                _execute(conn, _sqlite_create(table))
    else:
        yield
