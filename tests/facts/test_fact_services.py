import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.errors import Conflict, StaleRevision
from facts import selectors, services
from facts.models import FactLogKind, FactPolicy, FactStatus
from incidents.crisislog import verify_chain

from .helpers import SOURCE, log_actions, make_fact

pytestmark = pytest.mark.django_db


def test_a_member_records_a_fact_with_its_sources(incident, member):
    fact = services.fact_create(
        actor=member,
        incident=incident,
        text="  Batch 42 was recalled.  ",
        sources=[SOURCE, {"kind": "witness", "reference": "Quality manager", "note": "Confirmed by phone"}],
    )
    assert fact.text == "Batch 42 was recalled."
    assert fact.status == FactStatus.UNVERIFIED and fact.version == 1
    assert [s.kind for s in fact.sources.all()] == ["url", "witness"]
    assert list(fact.versions.values_list("number", "text")) == [(1, "Batch 42 was recalled.")]
    assert log_actions(incident, FactLogKind.FACT) == ["created"]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([], "at least one source"),
        ([{"kind": "rumour", "reference": "x"}], "not a kind of source"),
        ([{"kind": "url", "reference": "not a link"}], "not a web link"),
        ([{"kind": "document", "reference": "  "}], "needs a reference"),
    ],
)
def test_a_fact_needs_proper_sources(incident, member, sources, message):
    with pytest.raises(ValidationError) as error:
        services.fact_create(actor=member, incident=incident, text="Something", sources=sources)
    assert message in str(error.value.message_dict["sources"])
    assert not incident.facts.exists()


def test_observers_cannot_record_facts_and_outsiders_do_not_see_the_incident(incident, observer, outsider):
    with pytest.raises(PermissionDenied):
        services.fact_create(actor=observer, incident=incident, text="x", sources=[SOURCE])
    with pytest.raises(Http404):
        services.fact_create(actor=outsider, incident=incident, text="x", sources=[SOURCE])


def test_editing_keeps_every_version_and_shows_the_diff(incident, member, users):
    fact = make_fact(incident, member, text="Batch 42 was recalled.\nOn 3 March.")
    fact = services.fact_edit(
        actor=users["member2"], fact=fact, text="Batch 42 was recalled.\nOn 4 March.", expected_revision=fact.revision
    )
    assert fact.version == 2 and fact.text.endswith("4 March.")
    assert list(selectors.fact_versions(fact).values_list("number", flat=True)) == [2, 1]
    diff = [(line.op, line.text) for line in selectors.fact_diff(fact, 1, 2)]
    assert diff == [("equal", "Batch 42 was recalled."), ("delete", "On 3 March."), ("insert", "On 4 March.")]
    assert log_actions(incident, FactLogKind.FACT) == ["created", "edited"]
    with pytest.raises(Http404):
        selectors.fact_diff(fact, 1, 9)


def test_an_edit_from_a_stale_revision_is_refused(incident, member):
    fact = make_fact(incident, member)
    services.fact_edit(actor=member, fact=fact, text="First change", expected_revision=fact.revision)
    with pytest.raises(StaleRevision):
        services.fact_edit(actor=member, fact=fact, text="Second change", expected_revision=fact.revision)
    fact.refresh_from_db()
    assert fact.text == "First change" and fact.version == 2


def test_a_verified_fact_is_frozen(incident, member, manager):
    fact = make_fact(incident, member, verifier=manager)
    with pytest.raises(Conflict, match="Only an unverified fact can be edited"):
        services.fact_edit(actor=member, fact=fact, text="Changed", expected_revision=fact.revision)


def test_the_creator_cannot_verify_their_own_fact_by_default(incident, member, manager):
    fact = make_fact(incident, member)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        services.fact_verify(actor=member, fact=fact)
    fact = services.fact_verify(actor=manager, fact=fact)
    assert fact.status == FactStatus.VERIFIED
    assert fact.verified_by == manager and fact.verified_at is not None


def test_a_cell_can_allow_creators_to_verify(incident, cell, member):
    FactPolicy.objects.create(cell=cell, verifier_must_differ=False)
    fact = services.fact_verify(actor=member, fact=make_fact(incident, member))
    assert fact.status == FactStatus.VERIFIED and fact.verified_by == member


def test_observers_cannot_verify(incident, member, observer):
    with pytest.raises(PermissionDenied):
        services.fact_verify(actor=observer, fact=make_fact(incident, member))


def test_refute_then_nothing_else(incident, member, manager):
    fact = services.fact_refute(actor=manager, fact=make_fact(incident, member), reason="The photo is from 2019")
    assert fact.status == FactStatus.REFUTED and fact.reason == "The photo is from 2019"
    for action in (services.fact_verify, services.fact_refute):
        with pytest.raises(Conflict, match="it is Refuted"):
            action(actor=manager, fact=fact)
    with pytest.raises(Conflict):
        services.fact_retract(actor=manager, fact=fact, reason="x")


def test_retraction_needs_a_verified_fact_and_a_reason(incident, member, manager):
    unverified = make_fact(incident, member)
    with pytest.raises(Conflict, match="only a fact that is Verified"):
        services.fact_retract(actor=manager, fact=unverified, reason="New evidence")
    fact = make_fact(incident, member, verifier=manager)
    with pytest.raises(ValidationError) as error:
        services.fact_retract(actor=manager, fact=fact, reason="  ")
    assert "reason" in error.value.message_dict
    fact = services.fact_retract(actor=member, fact=fact, reason="The lab report was corrected")
    assert fact.status == FactStatus.RETRACTED and fact.closed_by == member


def test_two_people_acting_on_the_same_fact_one_wins(incident, member, manager, users):
    fact = make_fact(incident, member)
    services.fact_verify(actor=manager, fact=fact)
    # The second person still holds the fact as they loaded it (unverified).
    with pytest.raises(Conflict):
        services.fact_refute(actor=users["member2"], fact=fact, reason="Wrong")
    fact.refresh_from_db()
    assert fact.status == FactStatus.VERIFIED


def test_every_change_is_in_the_crisis_log_and_the_chain_holds(incident, member, manager):
    fact = make_fact(incident, member, verifier=manager)
    services.fact_add_source(actor=member, fact=fact, kind="document", reference="Lab report 7")
    services.fact_retract(actor=manager, fact=fact, reason="Lab report corrected")
    assert log_actions(incident, FactLogKind.FACT) == ["created", "verify", "source_added", "retract"]
    retract = incident.log_entries.filter(kind=FactLogKind.FACT).order_by("-seq").first()
    assert retract.data == {"fact": fact.pk, "action": "retract", "from": "verified", "to": "retracted"}
    assert retract.text == "Lab report corrected" and retract.actor == manager
    assert verify_chain(incident).valid


def test_adding_a_source_bumps_the_revision(incident, member):
    fact = make_fact(incident, member)
    services.fact_add_source(actor=member, fact=fact, kind="department", reference="Legal", note="Checked")
    fact.refresh_from_db()
    assert fact.revision == 2 and fact.sources.count() == 2
