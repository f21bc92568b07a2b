"""When a cited fact is refuted or retracted, every standing statement that cites it needs review at once."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from facts import services as facts
from notifications.models import Notification
from statements import services
from statements.models import Statement, StatementLogKind, StatementNotice, VersionStatus
from tests.facts.helpers import approved, eager_celery, make_fact, make_statement, published, version

pytestmark = pytest.mark.django_db


@pytest.fixture
def fact(incident, member, manager):
    return make_fact(incident, member, verifier=manager)


def flagged(statement) -> bool:
    return Statement.objects.get(pk=statement.pk).needs_review


def test_retracting_a_fact_flags_every_standing_statement_citing_it(
    incident, member, manager, users, fact, django_capture_on_commit_callbacks
):
    live = make_statement(incident, member, facts=[fact])
    published(live, member, manager)
    approved_only = make_statement(incident, users["member2"], facts=[fact])
    approved(approved_only, users["member2"], manager)
    draft = make_statement(incident, member, facts=[fact])
    unrelated = make_statement(incident, member, facts=[make_fact(incident, member, verifier=manager, text="Other")])
    published(unrelated, member, manager)
    mail.outbox.clear()

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        facts.fact_retract(actor=manager, fact=fact, reason="The lab corrected its report")

    assert flagged(live) and flagged(approved_only)
    assert not flagged(draft) and not flagged(unrelated)
    assert Statement.objects.get(pk=live.pk).needs_review_facts == [fact.pk]
    entries = incident.log_entries.filter(kind=StatementLogKind.STATEMENT, data__action="needs_review")
    assert sorted(e.data["statement"] for e in entries) == sorted([live.pk, approved_only.pk])
    assert all(e.data["fact"] == fact.pk and e.data["fact_status"] == "retracted" for e in entries)

    # The author and the cell's managers (admin included), nobody else.
    notified = Notification.objects.filter(kind=StatementNotice.NEEDS_REVIEW, data__statement=live.pk)
    assert sorted(n.user.username for n in notified) == ["alice", "max", "mona"]
    other = Notification.objects.filter(kind=StatementNotice.NEEDS_REVIEW, data__statement=approved_only.pk)
    assert sorted(n.user.username for n in other) == ["alice", "mia", "mona"]
    assert "The lab corrected its report" in notified.first().body
    # E-mailed once each, after the commit.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{n.user.username}@example.org" for n in [*notified, *other])
    assert all(n.email_status == "sent" for n in Notification.objects.filter(kind=StatementNotice.NEEDS_REVIEW))


def test_refuting_an_unverified_fact_cited_only_by_drafts_flags_nothing(incident, member, manager):
    pending = make_fact(incident, member)
    draft = make_statement(incident, member, facts=[pending])
    facts.fact_refute(actor=manager, fact=pending, reason="Fake screenshot")
    assert not flagged(draft)
    assert not Notification.objects.exists()
    # ...but the draft can no longer be approved while it cites the refuted fact.
    submitted = services.version_submit(actor=member, version=version(draft))
    with pytest.raises(ValidationError, match=f"#{pending.pk}"):
        services.version_approve(actor=manager, version=submitted)


def test_the_flag_clears_with_a_new_approved_version_not_with_a_draft(incident, member, manager, fact):
    statement = make_statement(incident, member, facts=[fact])
    live = published(statement, member, manager)
    facts.fact_retract(actor=manager, fact=fact, reason="Wrong")
    draft, _ = services.version_edit(
        actor=member, version=live, expected_revision=live.revision, text="Corrected", cited_facts=[]
    )
    assert flagged(statement)
    submitted = services.version_submit(actor=member, version=draft)
    assert flagged(statement)
    services.version_approve(actor=manager, version=submitted)
    assert not flagged(statement)


def test_the_flag_clears_with_a_withdrawal(incident, member, manager, fact):
    statement = make_statement(incident, member, facts=[fact])
    live = published(statement, member, manager)
    facts.fact_retract(actor=manager, fact=fact, reason="Wrong")
    services.version_withdraw(actor=manager, version=live, reason="Wrong fact")
    statement.refresh_from_db()
    assert not statement.needs_review and statement.review_due_at is None


def test_a_flagged_version_cannot_be_published(incident, member, manager, fact):
    statement = make_statement(incident, member, facts=[fact])
    ready = approved(statement, member, manager)
    facts.fact_retract(actor=manager, fact=fact, reason="Wrong")
    with pytest.raises(ValidationError, match="Retracted"):
        services.version_publish(actor=manager, version=ready, channel="website")
    assert version(statement).status == VersionStatus.APPROVED


def test_two_facts_two_flags_one_entry_each(incident, member, manager):
    one = make_fact(incident, member, verifier=manager, text="One")
    two = make_fact(incident, member, verifier=manager, text="Two")
    statement = make_statement(incident, member, facts=[one, two])
    published(statement, member, manager)
    facts.fact_retract(actor=manager, fact=one, reason="a")
    facts.fact_retract(actor=manager, fact=two, reason="b")
    statement.refresh_from_db()
    assert statement.needs_review_facts == [one.pk, two.pk]
    assert Notification.objects.filter(user__username="max", kind=StatementNotice.NEEDS_REVIEW).count() == 2


def test_the_banner_lists_flagged_statements_with_their_facts(incident, member, manager, fact):
    from statements.selectors import needing_review

    statement = make_statement(incident, member, facts=[fact])
    published(statement, member, manager)
    assert needing_review(incident) == []
    facts.fact_retract(actor=manager, fact=fact, reason="Wrong")
    [(flagged_statement, bad_facts)] = needing_review(incident)
    assert flagged_statement.pk == statement.pk and [f.pk for f in bad_facts] == [fact.pk]
