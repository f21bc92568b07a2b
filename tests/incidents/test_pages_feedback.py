"""Nothing fails silently (issue 9), the server's half: what the pages answer so that the
browser can say what happened (static/js/form-feedback.js, drafts.js, role-sync.js,
stale-banners.js; the browser half is tests/browser/test_feedback.py)."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cells import services as cells
from cells.models import Membership, Role
from incidents import services
from incidents.models import Incident, LogEntry

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_user(client, users):
    def login(key, language="en"):
        client.force_login(users[key])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return login


def log_url(incident):
    return reverse("incidents:log-add", args=[incident.pk])


# --- A refused in-place form gets words to show -----------------------------------------


def test_a_demoted_members_htmx_log_entry_is_refused_with_a_message_the_page_can_show(as_user, incident, users, cell):
    client = as_user("member")
    membership = Membership.objects.get(user=users["member"], cell=cell)
    cells.membership_change_role(membership=membership, role=Role.OBSERVER)
    before = LogEntry.objects.count()
    response = client.post(log_url(incident), {"text": "Seen on TikTok", "category": "information"}, headers=HTMX)
    assert response.status_code == 403
    content = response.content.decode()
    assert 'role="alert"' in content and "data-error-message" in content
    assert f"This needs the Member role in {cell.name}; you are Observer." in content
    assert "<html" not in content  # a fragment, not a whole page
    assert LogEntry.objects.count() == before


def test_the_refusal_speaks_the_readers_language(as_user, incident, users, cell):
    Membership.objects.filter(user=users["member"], cell=cell).update(role=Role.OBSERVER)
    response = as_user("member", "fr").post(log_url(incident), {"text": "x", "category": "information"}, headers=HTMX)
    assert response.status_code == 403
    assert "vous êtes Observateur" in response.content.decode()


def test_someone_removed_from_the_cell_gets_a_404_message(as_user, incident, users, cell):
    Membership.objects.filter(user=users["member"], cell=cell).delete()
    response = as_user("member").post(log_url(incident), {"text": "x", "category": "information"}, headers=HTMX)
    assert response.status_code == 404
    assert "you are no longer a member of this cell" in response.content.decode()


def test_without_htmx_the_refusal_is_the_sites_own_page(as_user, incident, users, cell):
    Membership.objects.filter(user=users["member"], cell=cell).update(role=Role.OBSERVER)
    response = as_user("member").post(log_url(incident), {"text": "x", "category": "information"})
    assert response.status_code == 403
    assert "data-error-message" not in response.content.decode()


# --- A refused full-page post does not stay re-postable ------------------------------------


def test_a_refused_level_change_answers_with_the_workspaces_address(as_user, incident):
    response = as_user("manager").post(
        reverse("incidents:transition", args=[incident.pk]), {"to": "crisis", "expected_level": "watch", "reason": ""}
    )
    assert response.status_code == 400
    # The page replaces its history entry with this address: a reload is a GET of the workspace.
    assert f'data-page-url="{reverse("incidents:detail", args=[incident.pk])}"' in response.content.decode()


def test_a_page_reached_by_get_has_no_page_address_to_take(as_user, incident):
    page = as_user("manager").get(reverse("incidents:detail", args=[incident.pk]))
    assert "data-page-url" not in page.content.decode()


def test_a_level_change_banner_says_what_makes_it_false(as_user, incident):
    client = as_user("manager")
    client.post(
        reverse("incidents:transition", args=[incident.pk]),
        {"to": "alert", "expected_level": "watch", "reason": "Spike"},
    )
    content = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    banner = r'<li class="flash-success" role="status" data-stale-on="level.changed">Level changed to Alert'
    assert re.search(banner, content)


# --- The same incident sent twice ----------------------------------------------------------


def create(client, title, **extra):
    data = {"title": title, "crisis_type": "rumour", "severity": "2", **extra}
    return client.post(reverse("incidents:create"), data)


def test_the_same_title_just_opened_asks_before_opening_it_twice(as_user, cell, users):
    client = as_user("member")
    first = create(client, "Fake recall notice")
    assert first.status_code == 302
    again = create(client, "  fake RECALL notice ")
    assert again.status_code == 409
    content = again.content.decode()
    existing = Incident.objects.get()
    assert 'role="alert"' in content and "Did you send this form twice?" in content
    assert reverse("incidents:detail", args=[existing.pk]) in content
    assert 'name="confirm_duplicate"' in content
    assert Incident.objects.count() == 1
    # What was typed stays in the form.
    assert 'value="  fake RECALL notice "' in content or 'value="fake RECALL notice"' in content
    # Asked and confirmed: a second one.
    assert create(client, "Fake recall notice", confirm_duplicate="1").status_code == 302
    assert Incident.objects.count() == 2


def test_an_older_or_foreign_incident_with_that_title_does_not_stop_anyone(as_user, cell, other_cell, users):
    old = services.incident_create(actor=users["member"], cell=cell, title="Fake recall notice")
    Incident.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    services.incident_create(actor=users["outsider"], cell=other_cell, title="Fake recall notice 2")
    assert create(as_user("member"), "Fake recall notice").status_code == 302
    assert create(as_user("member"), "Fake recall notice 2").status_code == 302


def test_the_warning_is_translated(as_user, cell):
    client = as_user("member", "fr")
    create(client, "Rappel produit")
    content = create(client, "Rappel produit").content.decode()
    assert "Avez-vous envoyé ce formulaire deux fois" in content


# --- What the browser scripts hang on ------------------------------------------------------


def test_the_workspace_marks_its_role_regions_and_kept_drafts(as_user, incident):
    content = as_user("member").get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    for region in ("action-forms", "claim-add-region", "fact-add-region", "statement-add-region", "log-form-region"):
        assert f'id="{region}" data-role-region' in content, region
    assert f'data-draft="incident:{incident.pk}:log"' in content
    assert f'data-draft="incident:{incident.pk}:chat" data-resend-when-online' in content
    assert f'data-cell-id="{incident.cell_id}"' in content


def test_an_observers_page_has_the_regions_empty_so_a_promotion_can_fill_them(as_user, incident):
    content = as_user("observer").get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert '<div id="log-form-region" data-role-region></div>' in content
    assert 'class="log-form"' not in content


def test_choosing_a_language_is_remembered_for_emails(as_user, users):
    client = as_user("member")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].language == "en"
    client.post(reverse("set_language"), {"language": "klingon", "next": "/"})
    users["member"].refresh_from_db()
    assert users["member"].language == "en"


def test_an_anonymous_visitor_can_still_switch_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
