# The event stream and the edit locks are incidents' now (incidents 0009): messaging forgets
# them in its state only. The tables and their rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("incidents", "0011_events_and_locks_from_messaging"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IncidentEvent"), migrations.DeleteModel(name="EditLock")],
            database_operations=[],
        ),
    ]
