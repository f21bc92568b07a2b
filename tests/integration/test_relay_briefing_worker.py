"""Briefing relays through a real Celery worker (another process, Redis broker, PostgreSQL).

The briefing commits; its on_commit hook queues the e-mails; the worker sends
one per consenting relay (console backend: they show in its log) and marks each
delivery sent. The task delivered again sends nothing more; the relay without
consent is never e-mailed.
"""

import datetime

import pytest

from relays import services
from relays.models import DeliveryStatus
from relays.tasks import send_briefing_emails
from tests.facts.helpers import make_fact, make_statement, published

from .test_celery_worker import wait_until, worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _relay(actor, cell, name, email, consent):
    return services.relay_create(
        actor=actor,
        cell=cell,
        name=name,
        kind="partner",
        email=email,
        consent=consent,
        consent_at=datetime.date(2026, 1, 5) if consent == "given" else None,
    )


def test_the_worker_briefs_each_consenting_relay_once(worker, cell, users, incident):  # noqa: F811
    member, manager = users["member"], users["manager"]
    fact = make_fact(incident, users["member2"], verifier=manager)
    statement = make_statement(incident, member, facts=[fact])
    version = published(statement, member, manager)
    jane = _relay(member, cell, "Jane", "jane.relay@example.org", "given")
    paul = _relay(member, cell, "Paul", "paul.relay@example.org", "given")
    nope = _relay(member, cell, "Nope", "nope.relay@example.org", "unknown")

    briefing = services.brief(actor=manager, version=version, relays=[jane.pk, paul.pk, nope.pk])
    sent = briefing.deliveries.filter(relay__in=[jane, paul])
    wait_until(lambda: sent.filter(status=DeliveryStatus.SENT).count() == 2, worker, what="the two e-mails")
    assert briefing.deliveries.get(relay=nope).status == DeliveryStatus.SKIPPED

    # The same task again, then a marker briefing behind it (the solo worker runs in order).
    send_briefing_emails.delay([d.pk for d in briefing.deliveries.all()])
    marker = services.brief(actor=manager, version=version, relays=[jane.pk])
    wait_until(lambda: marker.deliveries.get().status == DeliveryStatus.SENT, worker, what="the marker briefing")

    log = worker.log()
    assert log.count("To: jane.relay@example.org") == 2  # the first briefing and the marker, nothing more
    assert log.count("To: paul.relay@example.org") == 1
    assert "nope.relay@example.org" not in log
