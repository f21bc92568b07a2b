"""Full-text indexes (French and English) and the index of matched watchlists, on PostgreSQL
only: SQLite (the embedded default) searches with a plain scan (monitoring/selectors.py)."""

from django.db import migrations

INDEXES = [
    (
        "CREATE INDEX IF NOT EXISTS monitoring_mention_fts_fr ON monitoring_mention "
        "USING gin (to_tsvector('french'::regconfig, text))",
        "DROP INDEX IF EXISTS monitoring_mention_fts_fr",
    ),
    (
        "CREATE INDEX IF NOT EXISTS monitoring_mention_fts_en ON monitoring_mention "
        "USING gin (to_tsvector('english'::regconfig, text))",
        "DROP INDEX IF EXISTS monitoring_mention_fts_en",
    ),
    (
        "CREATE INDEX IF NOT EXISTS monitoring_mention_matched ON monitoring_mention USING gin (matched)",
        "DROP INDEX IF EXISTS monitoring_mention_matched",
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for create, _drop in INDEXES:
            schema_editor.execute(create)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _create, drop in INDEXES:
            schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
