"""Partial indexes for the level history and the key-decision pins of a long crisis log (issue 12)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_crisis_log_no_truncate"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="logentry",
            index=models.Index(
                condition=models.Q(("kind", "level_changed")), fields=["incident", "seq"], name="log_level_changes"
            ),
        ),
        migrations.AddIndex(
            model_name="logentry",
            index=models.Index(condition=models.Q(("kind", "pin")), fields=["incident", "seq"], name="log_pins"),
        ),
    ]
