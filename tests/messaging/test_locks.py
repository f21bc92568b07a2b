"""Edit locks: one editor at a time on a fact or a statement draft; expiry, release, API."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Conflict
from facts import services as facts
from incidents import locks
from incidents.models import EditLock
from statements import services as statements

from ..facts.helpers import make_fact, make_statement
from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


def locks_url(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/locks/"


def test_a_held_lock_refuses_others_and_their_saves(incident, member, users):
    fact = make_fact(incident, member)
    lock = locks.acquire(actor=member, incident=incident, target=f"fact:{fact.pk}")
    with pytest.raises(locks.Locked) as refused:
        locks.acquire(actor=users["member2"], incident=incident, target=f"fact:{fact.pk}")
    assert "Max" in refused.value.message and refused.value.current["holder"]["id"] == member.pk
    with pytest.raises(Conflict):
        facts.fact_edit(actor=users["member2"], fact=fact, text="Overwrite", expected_revision=fact.revision)
    # The holder saves: the lock is released for the others.
    facts.fact_edit(actor=member, fact=fact, text="Batch 42 and 43", expected_revision=fact.revision)
    assert not EditLock.objects.filter(pk=lock.pk).exists()
    locks.acquire(actor=users["member2"], incident=incident, target=f"fact:{fact.pk}")


def test_an_expired_lock_is_taken_over(incident, member, users):
    fact = make_fact(incident, member)
    locks.acquire(actor=member, incident=incident, target=f"fact:{fact.pk}")
    EditLock.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    taken = locks.acquire(actor=users["member2"], incident=incident, target=f"fact:{fact.pk}")
    assert taken.holder == users["member2"] and taken.expires_at > timezone.now()


def test_renewing_extends_and_release_frees(incident, member, users):
    fact = make_fact(incident, member)
    first = locks.acquire(actor=member, incident=incident, target=f"fact:{fact.pk}")
    renewed = locks.acquire(actor=member, incident=incident, target=f"fact:{fact.pk}")
    assert renewed.pk == first.pk and renewed.expires_at >= first.expires_at
    assert locks.release(actor=users["member2"], incident=incident, target=f"fact:{fact.pk}") is False
    assert locks.release(actor=member, incident=incident, target=f"fact:{fact.pk}") is True
    assert locks.active_locks(incident.pk) == []


def test_a_locked_statement_draft_refuses_other_editors(incident, member, users):
    statement = make_statement(incident, member)
    draft = statement.versions.get()
    locks.acquire(actor=users["member2"], incident=incident, target=f"statement:{statement.pk}")
    with pytest.raises(Conflict):
        statements.version_edit(actor=member, version=draft, expected_revision=draft.revision, text="Mine")
    draft.refresh_from_db()
    assert draft.text == "We are aware and checking."


def test_locks_api(api, incident, member, observer, users, outsider):
    fact = make_fact(incident, member)
    target = f"fact:{fact.pk}"
    taken = api(member).post(locks_url(incident), {"target": target})
    assert taken.status_code == 200 and taken.json()["holder"]["id"] == member.pk
    refused = api(users["member2"]).post(locks_url(incident), {"target": target})
    assert refused.status_code == 409 and refused.json()["current"]["holder"]["name"] == "Max"
    assert [lock["target"] for lock in api(observer).get(locks_url(incident)).json()] == [target]
    assert api(observer).post(locks_url(incident), {"target": target}).status_code == 403
    assert api(outsider).post(locks_url(incident), {"target": target}).status_code == 404
    assert api(member).delete(f"{locks_url(incident)}{target}/").status_code == 204
    assert api(observer).get(locks_url(incident)).json() == []


@pytest.mark.parametrize("target", ["fact", "fact:abc", "claim:1", "fact:999999", ""])
def test_lock_bad_targets_are_400(api, incident, member, target):
    response = api(member).post(locks_url(incident), {"target": target})
    assert response.status_code == 400 and "target" in response.json()
    assert not EditLock.objects.exists()


def test_a_fact_of_another_incident_cannot_be_locked_here(api, incident, foreign_incident, member, outsider):
    foreign = make_fact(foreign_incident, outsider)
    assert api(member).post(locks_url(incident), {"target": f"fact:{foreign.pk}"}).status_code == 400
