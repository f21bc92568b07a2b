"""Serializer fields are built once per class (core.api.serializers.FieldsOnce, issue 12),
and what one instance does to its fields stays with it."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from cells.models import Cell
from incidents.api.serializers import IncidentSerializer, LogEntrySerializer
from incidents.models import LogEntry

pytestmark = pytest.mark.django_db


def test_fields_are_built_once_per_class(monkeypatch):
    IncidentSerializer().fields  # noqa: B018  (the class's prototypes exist)
    calls = []
    original = serializers.ModelSerializer.get_fields
    monkeypatch.setattr(serializers.ModelSerializer, "get_fields", lambda self: calls.append(1) or original(self))
    for _ in range(3):
        assert "allowed_transitions" in IncidentSerializer().fields
    assert calls == []


def test_an_instance_changing_its_fields_leaves_the_next_one_alone(member, incident):
    request = APIRequestFactory().post("/")
    request.user = member
    writing = IncidentSerializer(incident, data={}, context={"request": request})
    assert writing.fields["cell"].read_only is True  # the cell of an existing incident never changes
    assert writing.fields["cell"].queryset.model is Cell and writing.fields["cell"].queryset.exists()

    reading = IncidentSerializer()
    assert reading.fields["cell"].read_only is False
    assert not reading.fields["cell"].queryset.exists()  # Cell.objects.none(), as declared
    assert reading.fields["cell"] is not writing.fields["cell"]
    assert reading.fields["cell"].parent is reading and writing.fields["cell"].parent is writing


def test_answers_are_unchanged(member, incident, api):
    entry = api(member).post(f"/api/v1/incidents/{incident.pk}/log/", {"text": "Point"}, format="json").json()
    again = LogEntrySerializer(LogEntry.objects.get(pk=entry["id"])).data
    assert again["text"] == "Point" and again["seq"] == entry["seq"] and again["actor_name"] == entry["actor_name"]
    assert set(again) == set(entry)
