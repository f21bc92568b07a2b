"""The event stream and edit locks moved from messaging to incidents, the chat to its own app,
without moving a row (issue 11): a database migrated on the old layout, with data, migrates
forward and keeps it."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("incidents", "0010_logentry_kind_registry"), ("messaging", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_migrates_forward_with_its_rows():
    executor = MigrationExecutor(connection)
    # Every other app at its latest; incidents and messaging as they were before the move.
    before = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in ("incidents", "messaging", "chat")]
    before += BEFORE
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    user = old.get_model("accounts", "User").objects.create(username="old-layout")
    cell = old.get_model("cells", "Cell").objects.create(name="Old layout")
    incident = old.get_model("incidents", "Incident").objects.create(cell=cell, title="Before the move")
    event = old.get_model("messaging", "IncidentEvent").objects.create(
        incident=incident, seq=1, type="log.note", data={"panels": ["log"]}, actor=user
    )
    lock = old.get_model("messaging", "EditLock").objects.create(
        incident=incident, target="fact:1", holder=user, expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    message = old.get_model("messaging", "ChatMessage").objects.create(
        incident=incident, author=user, text="@old-layout see fact#1", refs=[{"kind": "fact", "id": 1}]
    )
    message.mentions.add(user)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from chat.models import ChatMessage
    from incidents.models import EditLock, IncidentEvent

    moved = IncidentEvent.objects.get(pk=event.pk)
    assert (moved.incident_id, moved.seq, moved.type, moved.data, moved.actor_id) == (
        incident.pk,
        1,
        "log.note",
        {"panels": ["log"]},
        user.pk,
    )
    assert EditLock.objects.get(pk=lock.pk).target == "fact:1"
    chat = ChatMessage.objects.get(pk=message.pk)
    assert (chat.text, chat.refs, list(chat.mentions.values_list("pk", flat=True))) == (
        "@old-layout see fact#1",
        [{"kind": "fact", "id": 1}],
        [user.pk],
    )
    # The same tables as before: nothing was copied.
    assert IncidentEvent._meta.db_table == "messaging_incidentevent"
    assert EditLock._meta.db_table == "messaging_editlock"
    assert ChatMessage._meta.db_table == "messaging_chatmessage"
    assert ChatMessage.mentions.through._meta.db_table == "messaging_chatmessage_mentions"
