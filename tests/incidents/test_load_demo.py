"""`manage.py load_demo`: the demo cell with facts, claims and statements, and the steps the apps above
incidents register (monitoring, the response queue, relays); loading it again changes nothing."""

import io
from datetime import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from cells.models import Cell
from facts.models import Claim, Fact
from incidents import demo
from incidents.models import Incident
from monitoring.models import Alert, Mention
from relays.models import BriefingDelivery, Relay
from response_queue.models import ClaimMention, QueueItem
from statements.models import Statement, StatementVersion

from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db

DEMO_APPS = (
    "cells",
    "incidents",
    "facts",
    "statements",
    "reminders",
    "notifications",
    "monitoring",
    "response_queue",
    "relays",
    "playbooks",
    "drills",
)


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in DEMO_APPS or model._meta.label == "accounts.User"
    }


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())
    return Cell.objects.get(name="Démo — Maison Durand")


def test_demo_has_the_pages_of_issue_3_filled_and_loads_twice_the_same(loaded):
    first = counts()
    assert Fact.objects.filter(status="verified").exists() and Fact.objects.filter(status="unverified").exists()
    assert Claim.objects.count() == 2
    assert StatementVersion.objects.filter(status="published").count() == 1
    assert Statement.objects.filter(review_due_at__isnull=False).count() == 1
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == first


def test_the_apps_above_incidents_register_their_steps_in_order():
    # statements first: the rumour's facts, claims and statements (issue 11: no longer in the command).
    assert [step.key for step in demo.steps()] == [
        "statements",
        "monitoring",
        "response_queue",
        "relays",
        "playbooks",
        "drills",
    ]


def test_demo_monitoring_queue_and_relays_are_filled_the_real_way(loaded):
    rumour = Incident.objects.get(cell=loaded, title__startswith="Rumeur")
    assert 150 <= Mention.objects.filter(cell=loaded).count() <= 300
    # Matched and toned by ingestion, the spike found by detection: an open alert and one attached to the rumour.
    assert Mention.objects.filter(cell=loaded).exclude(matched={}).count() > 200
    assert Mention.objects.filter(cell=loaded, tone=-1).count() > 50
    assert Alert.objects.filter(cell=loaded, status="open").exists()
    spike = Alert.objects.get(cell=loaded, status="escalated", cause="volume", incident=rumour)
    # Evaluated at the peak, before the later posts came in: its evidence names none of them.
    assert len(spike.evidence["top_mentions"]) == 5
    assert all(datetime.fromisoformat(top["published_at"]) <= spike.opened_at for top in spike.evidence["top_mentions"])
    states = set(QueueItem.objects.filter(incident=rumour).values_list("state", flat=True))
    assert states == {"new", "assigned", "answered", "no_reply", "escalated"}
    assert ClaimMention.objects.filter(claim__incident=rumour).exists()
    assert Relay.objects.filter(cell=loaded, consent="given").count() == 5
    deliveries = BriefingDelivery.objects.filter(briefing__incident=rumour)
    assert set(deliveries.values_list("status", flat=True)) == {"sent", "skipped"}
    assert set(deliveries.values_list("answer", flat=True)) == {"", "acknowledged", "shared"}


def test_the_manager_sees_the_demo_on_the_new_pages(loaded, client):
    rumour = Incident.objects.get(cell=loaded, title__startswith="Rumeur")
    client.force_login(loaded.memberships.get(user__username="manager").user)
    pages = {
        reverse("monitoring:page", args=[loaded.pk]): ["Crème Hydra+", "Maison Durand — marque et dirigeants"],
        reverse("monitoring:mentions", args=[loaded.pk]): ["allergène caché", "&lt;script&gt;"],
        reverse("monitoring:incident", args=[rumour.pk]): ["Crème Hydra+"],
        reverse("responses:queue", args=[rumour.pk]): ["@pharma_des_lilas", "@lemag_conso"],
        reverse("relays:directory", args=[loaded.pk]): ["Dr Sophie Marchand", "Santé et peaux sensibles"],
    }
    for url, texts in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for text in texts:
            assert text in body, (url, text)
    assert "<script>alert(" not in client.get(reverse("monitoring:mentions", args=[loaded.pk])).content.decode()
