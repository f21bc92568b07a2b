"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the crisis log.

The ORM guards (LogEntryQuerySet, LogEntry.save/delete) stop application code;
this trigger also stops raw SQL and other clients. Only someone who can drop the
trigger (a database owner) can still tamper, and the hash chain exposes that.
SQLite, the developer default, relies on the ORM guards and the hash chain.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION crisiscell_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the crisis log is append-only: % on incidents_logentry refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_logentry_append_only
    BEFORE UPDATE OR DELETE ON incidents_logentry
    FOR EACH ROW EXECUTE FUNCTION crisiscell_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS incidents_logentry_append_only ON incidents_logentry;
DROP FUNCTION IF EXISTS crisiscell_log_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
