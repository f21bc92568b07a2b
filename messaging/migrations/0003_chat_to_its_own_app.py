# The chat is its own app now (chat 0001): messaging forgets ChatMessage in its state
# only. The tables and their rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_events_and_locks_to_incidents"),
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ChatMessage")],
            database_operations=[],
        ),
    ]
