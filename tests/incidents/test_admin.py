"""The Django admin, for superusers: incidents editable through the service (logged), the crisis log read-only."""

import pytest
from django.urls import reverse

from cells.models import Membership
from incidents.models import Incident, LogEntry, LogKind

from ..factories import UserFactory
from .support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    # A superuser who belongs to no cell: the admin is not scoped by cell.
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def form_data(incident, **changes) -> dict:
    data = {
        "title": incident.title,
        "description": incident.description,
        "crisis_type": incident.crisis_type,
        "severity": str(incident.severity),
        "owner": str(incident.owner_id or ""),
        # The read-only log inline still posts its management form.
        "log_entries-TOTAL_FORMS": "0",
        "log_entries-INITIAL_FORMS": "0",
        "log_entries-MIN_NUM_FORMS": "0",
        "log_entries-MAX_NUM_FORMS": "1000",
    }
    if incident.is_exercise:
        data["is_exercise"] = "on"
    data.update(changes)
    return data


def test_superuser_lists_and_views_incidents_of_every_cell(admin_client, incident, foreign_incident):
    page = admin_client.get(reverse("admin:incidents_incident_changelist"))
    assert page.status_code == 200
    assert set(page.context["cl"].result_list) == {incident, foreign_incident}
    detail = admin_client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert detail.status_code == 200
    # The log shows inline, read-only.
    assert LogEntry.objects.get(incident=incident).hash.encode() in detail.content


def test_superuser_lists_and_views_log_entries(admin_client, incident):
    entry = LogEntry.objects.get(incident=incident)
    assert admin_client.get(reverse("admin:incidents_logentry_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:incidents_logentry_change", args=[entry.pk]))
    assert page.status_code == 200
    # A view-only page: no save button, no input for the text.
    assert b'name="_save"' not in page.content
    assert b'name="text"' not in page.content


def test_no_one_adds_changes_or_deletes_log_entries_in_the_admin(admin_client, incident):
    entry = LogEntry.objects.get(incident=incident)
    before = LogEntry.objects.filter(pk=entry.pk).values().get()
    assert admin_client.get(reverse("admin:incidents_logentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:incidents_logentry_add"), {"text": "forged"}).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:incidents_logentry_change", args=[entry.pk]), {"text": "rewritten"}
        ).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:incidents_logentry_delete", args=[entry.pk])).status_code == 403
    assert (
        admin_client.post(reverse("admin:incidents_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    # The bulk delete action is not offered either.
    response = admin_client.post(
        reverse("admin:incidents_logentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk).values().get() == before
    assert LogEntry.objects.count() == 1


def test_log_permissions(rf, root):
    from django.contrib import admin

    model_admin = admin.site._registry[LogEntry]
    request = rf.get("/")
    request.user = root
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_incidents_are_not_added_or_deleted_in_the_admin(admin_client, incident):
    assert admin_client.get(reverse("admin:incidents_incident_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:incidents_incident_delete", args=[incident.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_editing_an_incident_in_the_admin_writes_an_edited_entry(admin_client, root, incident, users):
    response = admin_client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        form_data(incident, severity="1", owner=str(users["member2"].pk), is_exercise="on"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    incident.refresh_from_db()
    assert (incident.severity, incident.owner, incident.is_exercise) == (1, users["member2"], True)
    entry = LogEntry.objects.filter(incident=incident).order_by("-seq").first()
    assert (entry.kind, entry.actor) == (LogKind.EDITED, root)
    assert entry.data == {
        "changes": {"severity": [2, 1], "owner": [None, users["member2"].pk], "is_exercise": [False, True]}
    }


def test_saving_without_changes_writes_nothing(admin_client, incident):
    response = admin_client.post(reverse("admin:incidents_incident_change", args=[incident.pk]), form_data(incident))
    assert response.status_code == 302
    assert LogEntry.objects.filter(incident=incident).count() == 1


def test_owner_from_another_cell_is_a_form_error_not_a_crash(admin_client, incident, outsider):
    response = admin_client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        form_data(incident, owner=str(outsider.pk)),
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert Incident.objects.get(pk=incident.pk).owner is None
    assert LogEntry.objects.filter(incident=incident).count() == 1


def test_invalid_values_are_form_errors(admin_client, incident):
    response = admin_client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]), form_data(incident, title="", severity="9")
    )
    assert response.status_code == 200
    assert {"title", "severity"} <= set(response.context["adminform"].form.errors)
    assert LogEntry.objects.filter(incident=incident).count() == 1


def test_level_and_cell_are_read_only_in_the_admin(admin_client, incident, other_cell):
    response = admin_client.post(
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        form_data(incident, level="crisis", cell=str(other_cell.pk), title="Renamed"),
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.level, incident.title) == ("watch", "Renamed")
    assert incident.cell_id == Membership.objects.get(user=incident.created_by).cell_id


def test_cell_members_without_staff_status_cannot_enter(client, users, incident):
    client.force_login(users["admin"])
    response = client.get(reverse("admin:incidents_incident_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
