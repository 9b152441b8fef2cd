"""The database itself refuses to change a ledger entry (and, on PostgreSQL, to delete one).

SQLite keeps DELETE allowed because Django's test flush empties tables with DELETE; PostgreSQL's
flush uses TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION payments_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'ledger entries are append-only (' || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_ledger_no_update BEFORE UPDATE OR DELETE ON payments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS payments_ledger_no_update ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_ledger_refuse_change();
"""
SQLITE_UP = """
CREATE TRIGGER payments_ledger_no_update BEFORE UPDATE ON payments_ledgerentry
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only (UPDATE refused)');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS payments_ledger_no_update;"


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
