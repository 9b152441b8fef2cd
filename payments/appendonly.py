"""The database's own refusal to change a written ledger entry, installed after every migrate.

Installing it from ``post_migrate`` rather than from one migration keeps it in place whatever later
migrations do: SQLite rebuilds a table to change its constraints, and the rebuilt table has lost the
old one's triggers. The refusal lets exactly one change through: the client an entry names, when two
records of one person are merged (by staff, or by the client proving their email). What was paid, by
whom, for what and when never changes; the entry only follows the person to their one record.
"""

from django.db import connections

TABLE = "payments_ledgerentry"
TRIGGER = "payments_ledger_no_update"
FOLLOWS_THE_PERSON = "client_id"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION payments_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - '{FOLLOWS_THE_PERSON}') = (to_jsonb(OLD) - '{FOLLOWS_THE_PERSON}') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'ledger entries are append-only (' || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_refuse_change();
"""


def _sqlite_statements(columns: list[str]) -> list[str]:
    # SQLite has no row-as-a-value, so the trigger names every column the table has now; it is
    # rebuilt after each migrate, so a column added later is guarded from the next migrate on.
    unchanged = " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in columns)
    return [
        f"DROP TRIGGER IF EXISTS {TRIGGER}",
        f"""CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} WHEN NOT ({unchanged})
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only (UPDATE refused)');
END""",
    ]


def ledger_guard_install(*, using: str = "default") -> None:
    """(Re)create the trigger on database ``using``; a no-op before the ledger's table exists."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if TABLE not in connection.introspection.table_names(cursor):
            return
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES)
        elif connection.vendor == "sqlite":
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, TABLE)
                if column.name != FOLLOWS_THE_PERSON
            ]
            for statement in _sqlite_statements(columns):
                cursor.execute(statement)


def ledger_guard_after_migrate(sender, using, **kwargs) -> None:
    ledger_guard_install(using=using)
