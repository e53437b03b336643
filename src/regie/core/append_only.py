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

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]
POSTGRES_CREATE = [
    f"""
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
    """,
    f"DROP TRIGGER IF EXISTS core_auditentry_append_only ON {TABLE};",
    f"CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();",
    f"DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON {TABLE};",
    f"CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_append_only();",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS core_auditentry_append_only ON {TABLE};",
    f"DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON {TABLE};",
    "DROP FUNCTION IF EXISTS core_audit_append_only();",
]


def create_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])


def drop_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])


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
        _execute(conn, SQLITE_DROP[1:])  # the delete trigger only: an update stays refused
        try:
            yield
        finally:
            _execute(conn, SQLITE_CREATE)
    else:
        yield
