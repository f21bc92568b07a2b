"""core.prepared.PreparedQuery: compiled once, run with other values, the same objects as the queryset."""

import pytest
from django.db import connection
from django.db.models import F, FilteredRelation, Q
from django.test.utils import CaptureQueriesContext

from core.prepared import PreparedQuery
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def build(*, incident_id, user_id):
    return (
        Incident.objects.select_related("cell", "owner")
        .annotate(
            viewer=FilteredRelation("cell__memberships", condition=Q(cell__memberships__user=user_id)),
            viewer_role=F("viewer__role"),
            viewer_since=F("viewer__created_at"),
        )
        .filter(pk=incident_id)
    )


def test_the_same_objects_as_the_queryset_in_one_query(incident, member, outsider):
    prepared = PreparedQuery(build)
    for user in (member, outsider):
        expected = build(incident_id=incident.pk, user_id=user.pk).get()
        with CaptureQueriesContext(connection) as queries:
            (found,) = prepared.run(incident_id=incident.pk, user_id=user.pk)
        assert len(queries) == 1
        for field in Incident._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname)
        assert (found.viewer_role, found.viewer_since) == (expected.viewer_role, expected.viewer_since)
        assert found.cell.name == expected.cell.name and found.owner == expected.owner
        assert not found._state.adding and found._state.db == "default"
    assert prepared.run(incident_id=incident.pk, user_id=outsider.pk)[0].viewer_role is None


def test_compiled_once(incident, member, monkeypatch):
    calls = []
    prepared = PreparedQuery(lambda **values: calls.append(values) or build(**values))
    prepared.run(incident_id=incident.pk, user_id=member.pk)
    prepared.run(incident_id=incident.pk + 1000, user_id=member.pk)
    assert len(calls) == 1


def test_nothing_found_is_an_empty_list(member):
    assert PreparedQuery(build).run(incident_id=987654321, user_id=member.pk) == []


def test_only_whole_numbers():
    with pytest.raises(TypeError):
        PreparedQuery(build).run(incident_id="1 OR 1=1", user_id=1)
    with pytest.raises(TypeError):
        PreparedQuery(build).run(incident_id=None, user_id=1)


def test_a_value_the_sql_does_not_carry_is_refused():
    prepared = PreparedQuery(lambda *, incident_id, user_id: Incident.objects.filter(pk=incident_id))
    with pytest.raises(ValueError, match="user_id appears 0 times"):
        prepared.run(incident_id=1, user_id=1)
