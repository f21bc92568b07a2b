# The chat moves from messaging to its own app (issue 11): state only. The tables
# (messaging_chatmessage, messaging_chatmessage_mentions) and their rows stay as they are.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("incidents", "0011_events_and_locks_from_messaging"),
        ("messaging", "0002_events_and_locks_to_incidents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChatMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("text", models.TextField(max_length=4000, verbose_name="message")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                        ("refs", models.JSONField(blank=True, default=list)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "incident",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="chat_messages",
                                to="incidents.incident",
                            ),
                        ),
                        ("mentions", models.ManyToManyField(blank=True, related_name="+", to=settings.AUTH_USER_MODEL)),
                        (
                            "promoted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "promoted_entry",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="chat_message",
                                to="incidents.logentry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "chat message",
                        "verbose_name_plural": "chat messages",
                        "db_table": "messaging_chatmessage",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["incident", "-created_at"], name="messaging_c_inciden_16f83f_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
