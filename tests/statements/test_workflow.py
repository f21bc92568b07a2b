import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import Conflict, StaleRevision
from facts import services as facts
from incidents.crisislog import verify_chain
from statements import selectors, services
from statements.models import StatementKind, StatementLogKind, StatementVersion, VersionStatus, sha256_text
from tests.facts.helpers import approved, log_actions, make_fact, make_statement, published, version

pytestmark = pytest.mark.django_db


def test_a_member_drafts_and_submits_a_manager_approves(incident, member, manager):
    fact = make_fact(incident, member, verifier=manager)
    statement = make_statement(incident, member, facts=[fact])
    draft = version(statement)
    assert (draft.number, draft.status) == (1, VersionStatus.DRAFT)
    assert list(draft.cited_facts.all()) == [fact]
    assert draft.citations.get().fact_version == 1
    submitted = services.version_submit(actor=member, version=draft)
    assert submitted.status == VersionStatus.IN_REVIEW and submitted.submitted_by == member
    approved_version = services.version_approve(actor=manager, version=submitted)
    assert approved_version.status == VersionStatus.APPROVED
    assert approved_version.decided_by == manager
    assert approved_version.text_sha256 == sha256_text(approved_version.text)
    assert log_actions(incident, StatementLogKind.STATEMENT) == ["created", "submit", "approve"]


def test_only_managers_approve_reject_publish_and_withdraw(incident, member, users):
    statement = make_statement(incident, member)
    submitted = services.version_submit(actor=member, version=version(statement))
    for action, extra in (
        (services.version_approve, {}),
        (services.version_reject, {"comment": "no"}),
    ):
        with pytest.raises(PermissionDenied):
            action(actor=users["member2"], version=submitted, **extra)
    with pytest.raises(PermissionDenied):
        services.version_submit(actor=users["observer"], version=submitted)


def test_four_eyes_the_author_never_approves_even_as_a_manager(incident, manager, cell_admin):
    statement = make_statement(incident, manager)
    submitted = services.version_submit(actor=manager, version=version(statement))
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        services.version_approve(actor=manager, version=submitted)
    assert services.version_approve(actor=cell_admin, version=submitted).status == VersionStatus.APPROVED


def test_four_eyes_covers_everyone_who_edited_the_draft(incident, member, manager, cell_admin):
    statement = make_statement(incident, member)
    draft = version(statement)
    services.version_edit(actor=manager, version=draft, expected_revision=draft.revision, text="Edited by Mona")
    submitted = services.version_submit(actor=member, version=draft)
    with pytest.raises(PermissionDenied):
        services.version_approve(actor=manager, version=submitted)
    services.version_approve(actor=cell_admin, version=submitted)


def test_approval_is_refused_while_a_cited_fact_is_not_verified_and_lists_them(incident, member, manager):
    good = make_fact(incident, member, text="Verified one", verifier=manager)
    pending = make_fact(incident, member, text="Still being checked")
    wrong = facts.fact_refute(actor=manager, fact=make_fact(incident, member, text="Was wrong"))
    statement = make_statement(incident, member, facts=[good, pending, wrong])
    submitted = services.version_submit(actor=member, version=version(statement))
    with pytest.raises(ValidationError) as error:
        services.version_approve(actor=manager, version=submitted)
    messages = error.value.message_dict["cited_facts"]
    assert len(messages) == 2
    assert f"#{pending.pk}" in messages[0] and "Unverified" in messages[0]
    assert f"#{wrong.pk}" in messages[1] and "Refuted" in messages[1]
    assert version(statement).status == VersionStatus.IN_REVIEW  # nothing written


def test_rejection_needs_a_comment_and_the_next_edit_starts_a_new_draft(incident, member, manager):
    statement = make_statement(incident, member)
    submitted = services.version_submit(actor=member, version=version(statement))
    with pytest.raises(ValidationError):
        services.version_reject(actor=manager, version=submitted, comment=" ")
    rejected = services.version_reject(actor=manager, version=submitted, comment="Too defensive")
    assert rejected.status == VersionStatus.REJECTED and rejected.comment == "Too defensive"
    draft, created = services.version_edit(
        actor=member, version=rejected, expected_revision=rejected.revision, text="We are sorry."
    )
    assert created and (draft.number, draft.status, draft.based_on) == (2, VersionStatus.DRAFT, 1)
    assert StatementVersion.objects.get(pk=rejected.pk).text == "We are aware and checking."
    assert services.version_submit(actor=member, version=draft).status == VersionStatus.IN_REVIEW


def test_the_approved_text_is_frozen_an_edit_makes_a_new_draft(incident, member, manager):
    fact = make_fact(incident, member, verifier=manager)
    statement = make_statement(incident, member, facts=[fact])
    first = approved(statement, member, manager)
    draft, created = services.version_edit(
        actor=member, version=first, expected_revision=first.revision, text="Updated text"
    )
    assert created and draft.number == 2 and draft.status == VersionStatus.DRAFT
    assert list(draft.cited_facts.all()) == [fact]  # citations carried over
    first.refresh_from_db()
    assert first.text == "We are aware and checking." and first.text_intact
    # A second person editing v1 now learns that v2 is being worked on.
    with pytest.raises(Conflict, match="Version 2 is already being worked on"):
        services.version_edit(actor=manager, version=first, expected_revision=first.revision, text="Other")


def test_a_version_in_review_cannot_be_edited(incident, member):
    statement = make_statement(incident, member)
    submitted = services.version_submit(actor=member, version=version(statement))
    with pytest.raises(Conflict, match="in review"):
        services.version_edit(actor=member, version=submitted, expected_revision=submitted.revision, text="x")


def test_a_draft_edit_from_a_stale_revision_is_refused(incident, member, users):
    draft = version(make_statement(incident, member))
    services.version_edit(actor=member, version=draft, expected_revision=draft.revision, text="Max's text")
    with pytest.raises(StaleRevision):
        services.version_edit(actor=users["member2"], version=draft, expected_revision=draft.revision, text="Mia's")
    assert version(draft.statement).text == "Max's text"


def test_editing_the_citations_of_a_draft(incident, member, manager):
    one, two = make_fact(incident, member, text="One"), make_fact(incident, member, text="Two")
    draft = version(make_statement(incident, member, facts=[one]))
    draft, created = services.version_edit(
        actor=member, version=draft, expected_revision=draft.revision, cited_facts=[two.pk]
    )
    assert not created and list(draft.cited_facts.all()) == [two]
    with pytest.raises(ValidationError, match="No such item"):
        services.version_edit(actor=member, version=draft, expected_revision=draft.revision, cited_facts=[999999])


def test_publishing_records_where_and_when_and_supersedes_the_previous_one(incident, member, manager):
    statement = make_statement(incident, member)
    with pytest.raises(ValidationError):
        services.version_publish(actor=manager, version=approved(statement, member, manager), channel=" ")
    first = services.version_publish(
        actor=manager, version=version(statement), channel="website", url="https://example.org/news"
    )
    assert first.status == VersionStatus.PUBLISHED
    assert (first.channel, first.published_url, first.published_by) == ("website", "https://example.org/news", manager)
    services.version_edit(actor=member, version=first, expected_revision=first.revision, text="Update: recall")
    second = published(statement, member, manager, channel="X")
    first.refresh_from_db()
    assert second.status == VersionStatus.PUBLISHED
    assert first.status == VersionStatus.SUPERSEDED and first.end_reason == "v2"
    entry = (
        incident.log_entries.filter(kind=StatementLogKind.STATEMENT, data__action="publish").order_by("-seq").first()
    )
    assert entry.data["supersedes"] == 1 and entry.data["channel"] == "X"


def test_an_older_approved_version_cannot_be_published_over_a_newer_one(incident, member, manager):
    statement = make_statement(incident, member)
    first = approved(statement, member, manager)
    services.version_edit(actor=member, version=first, expected_revision=first.revision, text="Newer")
    published(statement, member, manager)
    with pytest.raises(Conflict):
        # v1 is still "approved" as far as this stale object knows; it is not the newest.
        services.version_publish(actor=manager, version=first, channel="website")


def test_publishing_a_draft_or_approving_twice_is_a_conflict(incident, member, manager, cell_admin):
    statement = make_statement(incident, member)
    with pytest.raises(Conflict, match="only a version that is Approved"):
        services.version_publish(actor=manager, version=version(statement), channel="site")
    submitted = services.version_submit(actor=member, version=version(statement))
    services.version_approve(actor=manager, version=submitted)
    with pytest.raises(Conflict, match="it is Approved now"):
        services.version_reject(actor=cell_admin, version=submitted, comment="Too late")


def test_withdrawal_needs_a_reason_and_stops_the_review_clock(incident, member, manager):
    statement = make_statement(incident, member)
    live = published(statement, member, manager)
    statement.refresh_from_db()
    assert statement.review_due_at is not None
    with pytest.raises(ValidationError):
        services.version_withdraw(actor=manager, version=live, reason="")
    withdrawn = services.version_withdraw(actor=manager, version=live, reason="Recall announced instead")
    assert withdrawn.status == VersionStatus.WITHDRAWN and withdrawn.end_reason == "Recall announced instead"
    statement.refresh_from_db()
    assert statement.review_due_at is None


def test_holding_statements_get_a_review_deadline_others_do_not(incident, member, manager):
    holding = make_statement(incident, member)
    live = published(holding, member, manager)
    holding.refresh_from_db()
    assert holding.review_due_at == live.published_at + datetime.timedelta(hours=8)  # incident at watch
    faq = make_statement(incident, member, kind=StatementKind.QA)
    published(faq, member, manager)
    faq.refresh_from_db()
    assert faq.review_due_at is None


def test_the_actions_a_user_may_take(incident, member, manager, observer):
    from cells.access import membership_for

    statement = make_statement(incident, member)
    draft = version(statement)
    assert selectors.allowed_actions(draft, membership_for(member, incident.cell_id), member) == ["submit", "edit"]
    assert selectors.allowed_actions(draft, membership_for(observer, incident.cell_id), observer) == []
    submitted = services.version_submit(actor=member, version=draft)
    submitted = selectors.versions_of(statement).get(pk=submitted.pk)
    assert selectors.allowed_actions(submitted, membership_for(manager, incident.cell_id), manager) == [
        "approve",
        "reject",
    ]
    assert selectors.allowed_actions(submitted, membership_for(member, incident.cell_id), member) == []


def test_diff_between_two_versions(incident, member, manager):
    statement = make_statement(incident, member, text="Line one\nLine two")
    first = approved(statement, member, manager)
    services.version_edit(actor=member, version=first, expected_revision=first.revision, text="Line one\nLine 2")
    diff = [(line.op, line.text) for line in selectors.version_diff(statement, 1, 2)]
    assert diff == [("equal", "Line one"), ("delete", "Line two"), ("insert", "Line 2")]


def test_every_transition_is_logged_and_the_chain_holds(incident, member, manager):
    statement = make_statement(incident, member)
    live = published(statement, member, manager)
    services.version_withdraw(actor=manager, version=live, reason="Obsolete")
    assert log_actions(incident, StatementLogKind.STATEMENT) == ["created", "submit", "approve", "publish", "withdraw"]
    assert verify_chain(incident).valid


def test_bad_statements_are_refused_and_nothing_is_written(incident, member, foreign_incident, outsider):
    foreign_fact = make_fact(foreign_incident, outsider)
    for bad in (
        {"kind": "poem"},
        {"audience": "aliens"},
        {"language": "Klingon!"},
        {"title": ""},
        {"text": ""},
        {"cited_facts": [foreign_fact.pk]},
        {"answers": [123456]},
    ):
        fields = {"kind": "holding", "audience": "press", "title": "T", "text": "Text", **bad}
        with pytest.raises(ValidationError):
            services.statement_create(actor=member, incident=incident, **fields)
    assert not incident.statements.exists()
