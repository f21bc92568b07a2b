"""Everything done in a drill says so: notifications of every app, their e-mails, the level e-mail."""

import pytest
from django.core import mail

from drills import services
from incidents import services as incidents
from incidents.tasks import notify_level_change
from notifications.models import Notification
from notifications.tasks import send_notification_emails
from statements import services as statements

from .helpers import SCENARIO

pytestmark = pytest.mark.django_db


def test_every_notice_and_email_of_a_drill_says_exercise(cell, users, settings):
    drill = services.drill_start(
        actor=users["manager"], scenario=services.scenario_save(actor=users["manager"], cell=cell, content=SCENARIO)
    )
    incident = drill.incident
    # A statement submitted for review in the drill: the managers' notice (statements app).
    statement = statements.statement_create(
        actor=users["member"],
        incident=incident,
        kind="holding",
        audience="press",
        title="Attente",
        text="Nous vérifions.",
    )
    statements.version_submit(actor=users["member"], version=statement.versions.get())
    notices = Notification.objects.filter(incident=incident)
    assert notices.exists()
    assert all(n.shown_title.startswith("EXERCICE / EXERCISE") for n in notices)
    send_notification_emails([n.pk for n in notices])
    assert mail.outbox and all(m.subject.startswith("EXERCICE / EXERCISE") for m in mail.outbox)
    # The level e-mail too.
    mail.outbox.clear()
    incidents.incident_transition(actor=users["manager"], incident=incident, to_level="alert", reason="exercice")
    entry = incident.log_entries.filter(kind="level_changed").get()
    notify_level_change(entry.pk)
    assert mail.outbox and all(m.subject.startswith("EXERCICE / EXERCISE") for m in mail.outbox)
