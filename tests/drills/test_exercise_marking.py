"""Everything done in a drill says so: notifications of every app, their e-mails, the level e-mail."""

import pytest
from django.core import mail

from drills import services
from incidents import services as incidents
from notifications.models import Notification
from notifications.tasks import notify_level_change, send_notification_emails
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


def test_every_page_of_a_drills_incident_says_exercise_once(client, cell, users):
    """The banner comes from base.html for any page about the drill's incident, whichever app draws it."""
    from django.urls import reverse

    from facts import claims
    from facts import services as facts
    from response_queue import services as queue

    from .test_mentions import WAVE, deliver_all

    scenario = services.scenario_save(actor=users["manager"], cell=cell, content=WAVE)
    drill = services.drill_start(actor=users["manager"], scenario=scenario)
    deliver_all(drill)
    incident = drill.incident
    post = incident.cell.monitoring_sources.get().mentions.first()
    item = queue.flag(actor=users["member"], incident=incident, mention_id=post.pk)
    statement = statements.statement_create(
        actor=users["member"], incident=incident, kind="holding", audience="press", title="Attente", text="Texte."
    )
    fact = facts.fact_create(
        actor=users["member"],
        incident=incident,
        text="Le lot 42 est conforme.",
        sources=[{"kind": "department", "reference": "Service qualité"}],
    )
    claim = claims.claim_create(actor=users["member"], incident=incident, text="Le produit serait rappelé")
    pages = [
        reverse("incidents:detail", args=[incident.pk]),
        reverse("statements:detail", args=[incident.pk, statement.pk]),
        reverse("facts:detail", args=[incident.pk, fact.pk]),
        reverse("facts:claim-detail", args=[incident.pk, claim.pk]),
        reverse("responses:queue", args=[incident.pk]),
        reverse("responses:item", args=[incident.pk, item.pk]),
        reverse("responses:flag", args=[incident.pk]),
        reverse("relays:briefings", args=[incident.pk, statement.pk]),
        reverse("monitoring:incident", args=[incident.pk]),
        reverse("drills:detail", args=[drill.pk]),
    ]
    client.force_login(users["manager"])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count('class="exercise-banner"') == 1, url
