"""On PostgreSQL, TRUNCATE of the crisis log is refused too.

The row-level trigger of 0002 refuses UPDATE and DELETE, but TRUNCATE fires no
row trigger: it emptied the log in one statement. A statement-level trigger
refuses it (also when it comes through TRUNCATE ... CASCADE of another table).
Only someone who can drop the trigger can still do it; the signed checkpoints
outside the database (incidents/anchoring.py) then show what was lost.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER incidents_logentry_no_truncate
    BEFORE TRUNCATE ON incidents_logentry
    FOR EACH STATEMENT EXECUTE FUNCTION crisiscell_log_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS incidents_logentry_no_truncate ON incidents_logentry;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_log_checkpoints_and_verifications")]

    operations = [migrations.RunPython(forwards, backwards)]
