"""Entries of the facts, claims, statements and reminders workflows read as sentences in the log."""

import pytest
from django.urls import reverse
from django.utils import translation

from facts import claims as claim_services
from facts import services as facts
from facts.models import FactLogKind
from incidents.log_wording import describe, target_url
from incidents.models import LogEntry
from statements import services as statements
from statements.models import StatementLogKind

from ..facts.helpers import make_fact, make_statement
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def last(incident, kind) -> LogEntry:
    return LogEntry.objects.filter(incident=incident, kind=kind).order_by("-seq").first()


def test_a_statement_walk_reads_as_sentences_with_links(incident, member, manager, users):
    fact = make_fact(incident, member, verifier=users["member2"])
    statement = make_statement(incident, member, facts=[fact])
    version = statement.versions.get()
    statements.version_submit(actor=member, version=version)
    statements.version_approve(actor=manager, version=version)
    statements.version_publish(actor=manager, version=version, channel="X et Instagram")
    entry = last(incident, StatementLogKind.STATEMENT)
    assert describe(entry) == f"Statement #{statement.pk} v1 published (X et Instagram)."
    assert target_url(entry) == reverse("statements:detail", args=[incident.pk, statement.pk])
    with translation.override("fr"):
        assert describe(entry) == f"Déclaration n°\u00a0{statement.pk} v1 publiée (X et Instagram)."


def test_claims_and_facts(incident, member, users):
    fact = make_fact(incident, member)
    assert describe(last(incident, FactLogKind.FACT)) == f"Fact #{fact.pk} recorded."
    facts.fact_verify(actor=users["member2"], fact=fact)
    assert describe(last(incident, FactLogKind.FACT)) == f"Fact #{fact.pk} verified."
    claim = claim_services.claim_create(actor=member, incident=incident, text="Hydra+ is recalled")
    claim_services.claim_link_fact(actor=member, claim=claim, fact=fact, relation="refutes")
    assert describe(last(incident, FactLogKind.CLAIM)) == f"Fact #{fact.pk} linked to claim #{claim.pk} (refutes)."


def test_the_log_page_shows_the_sentence(client, incident, member, users):
    fact = make_fact(incident, member)
    client.force_login(member)
    html = client.get(reverse("incidents:panel", args=[incident.pk, "log"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Fact #{fact.pk} recorded." in html
    assert reverse("facts:detail", args=[incident.pk, fact.pk]) in html
