# The event stream and the edit locks move from messaging to incidents (issue 11): state
# only. The tables keep their names (db_table) and their rows; nothing runs on the database.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_logentry_kind_registry"),
        ("messaging", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IncidentEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("seq", models.PositiveIntegerField()),
                        ("type", models.CharField(max_length=48)),
                        ("object_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "incident",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="incidents.incident",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "messaging_incidentevent",
                        "ordering": ["incident", "seq"],
                        "constraints": [
                            models.UniqueConstraint(fields=("incident", "seq"), name="event_seq_unique_per_incident")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EditLock",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("target", models.CharField(max_length=40, unique=True)),
                        ("acquired_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        (
                            "holder",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "incident",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="incidents.incident"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "messaging_editlock",
                        "verbose_name": "edit lock",
                        "verbose_name_plural": "edit locks",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
