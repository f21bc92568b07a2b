"""Deactivating or deleting a user in the admin closes their live sockets (the
consumer side of it: tests/messaging/test_consumers.py)."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

from ..factories import UserFactory
from ..incidents.support import fast_password_hasher  # noqa: F401  (autouse)

pytestmark = pytest.mark.django_db
# admin_client: pytest-django's, a superuser who belongs to no cell.


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr("realtime.broadcast.send_now", lambda group, message: messages.append((group, message)))
    return messages


def change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "timezone": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_unticking_active_closes_the_sockets_after_commit(
    admin_client, member, sent, django_capture_on_commit_callbacks
):
    url = reverse("admin:accounts_user_change", args=[member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, change_form(member, is_active=None))
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert not member.is_active
    assert (f"user.{member.pk}", {"type": "access.ended"}) in sent


def test_another_change_leaves_the_sockets_alone(admin_client, member, sent, django_capture_on_commit_callbacks):
    url = reverse("admin:accounts_user_change", args=[member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, change_form(member, first_name="Maxime"))
    assert response.status_code == 302
    assert not [message for _group, message in sent if message["type"] == "access.ended"]


def test_the_deactivate_action_and_deleting_close_the_sockets(
    admin_client, users, sent, django_capture_on_commit_callbacks
):
    url = reverse("admin:accounts_user_changelist")
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    targets = [users["member"], users["observer"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"action": "deactivate", "_selected_action": [u.pk for u in targets]}, follow=True
        )
    assert "2 users deactivated; their open pages are disconnected." in response.content.decode()
    assert User.objects.filter(pk__in=[u.pk for u in targets], is_active=False).count() == 2
    assert {group for group, message in sent if message["type"] == "access.ended"} == {f"user.{u.pk}" for u in targets}

    sent.clear()
    loner = UserFactory(username="leaving")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:accounts_user_delete", args=[loner.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert (f"user.{loner.pk}", {"type": "access.ended"}) in sent
