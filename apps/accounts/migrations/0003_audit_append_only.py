"""The audit log is append-only in the database too, not only in the model: triggers refuse change."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION accounts_auditlog_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER accounts_auditlog_no_change BEFORE UPDATE OR DELETE ON accounts_auditlog
            FOR EACH ROW EXECUTE FUNCTION accounts_auditlog_append_only();
            """
        )
    elif schema_editor.connection.vendor == "sqlite":
        # Only UPDATE on SQLite: the test runner empties tables with DELETE between transactional tests.
        schema_editor.execute(
            "CREATE TRIGGER accounts_auditlog_no_update BEFORE UPDATE ON accounts_auditlog "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS accounts_auditlog_no_change ON accounts_auditlog")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS accounts_auditlog_no_update")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
