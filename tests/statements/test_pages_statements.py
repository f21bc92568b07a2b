"""The statement pages: drafting, the workflow buttons per role, four-eyes, conflicts, diff, publication, review."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from facts import services as fact_services
from reminders.models import Reminder, ReminderKind
from statements import services
from statements.models import Statement, StatementVersion, sha256_text
from tests.facts.helpers import approved, make_fact, make_statement, published, version
from tests.pages import HOSTILE, future_local, local_input, rows, state

pytestmark = pytest.mark.django_db


def page_url(statement):
    return reverse("statements:detail", args=[statement.incident_id, statement.pk])


def action_url(statement, number, action):
    return reverse("statements:version-action", args=[statement.incident_id, statement.pk, number, action])


def edit_url(statement, number):
    return reverse("statements:version-edit", args=[statement.incident_id, statement.pk, number])


@pytest.fixture
def verified(incident, users):
    return make_fact(incident, users["member2"], verifier=users["manager"])


@pytest.fixture
def draft(incident, users, verified):
    return make_statement(incident, users["member"], facts=[verified])


# --- Drafting a new statement ------------------------------------------------------------------


def test_new_statement_page_preselects_claims_and_facts(as_user, incident, users, verified):
    from facts import claims

    claim = claims.claim_create(actor=users["member"], incident=incident, text="All recalled")
    url = reverse("statements:add", args=[incident.pk]) + f"?answers={claim.pk}&cite={verified.pk}&cite=x"
    content = as_user("member").get(url).content.decode()
    assert f'name="answers" value="{claim.pk}" id="id_answers_0" checked' in content
    assert f'name="cited_facts" value="{verified.pk}" id="id_cited_facts_0" checked' in content


def test_draft_a_statement(as_user, incident, users, verified):
    data = {
        "kind": "holding",
        "audience": "press",
        "language": "fr",
        "title": "Holding line",
        "text": "We are aware.",
        "cited_facts": [verified.pk],
    }
    response = as_user("member").post(reverse("statements:add", args=[incident.pk]), data)
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page_url(statement)
    v1 = version(statement, 1)
    assert (v1.status, v1.text, list(v1.cited_facts.all())) == ("draft", "We are aware.", [verified])
    assert list(v1.authors.all()) == [users["member"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"text": "   "}, "This field is required."),
        ({"kind": "tweet"}, "Select a valid choice"),
        ({"language": "Français"}, "Use a language code such as fr, en, pt-BR."),
        ({"cited_facts": ["999999"]}, "Select a valid choice"),
        ({"text": "x" * 10001}, "at most 10000 characters"),
    ],
)
def test_draft_a_statement_refused(as_user, incident, change, message):
    data = {"kind": "holding", "audience": "press", "language": "fr", "title": "T", "text": "We are aware.", **change}
    before = rows()
    response = as_user("member").post(reverse("statements:add", args=[incident.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rows() == before


# --- The workflow buttons, by role -------------------------------------------------------------


def actions_shown(content: str) -> set[str]:
    return {a for a in ("submit", "approve", "reject", "publish", "withdraw") if f'data-action="{a}"' in content}


def test_buttons_follow_role_status_and_four_eyes(as_user, incident, users, verified):
    statement = make_statement(incident, users["manager"], facts=[verified])  # a manager wrote it
    assert actions_shown(as_user("member").get(page_url(statement)).content.decode()) == {"submit"}
    assert actions_shown(as_user("observer").get(page_url(statement)).content.decode()) == set()
    services.version_submit(actor=users["manager"], version=version(statement))
    assert actions_shown(as_user("member").get(page_url(statement)).content.decode()) == set()
    author = as_user("manager").get(page_url(statement)).content.decode()
    assert actions_shown(author) == {"reject"}  # never their own approval
    assert "You wrote this version: another manager approves it" in author
    assert actions_shown(as_user("admin").get(page_url(statement)).content.decode()) == {"approve", "reject"}


def test_submit_approve_publish_then_withdraw(as_user, draft, users):
    response = as_user("member").post(action_url(draft, 1, "submit"))
    assert response.status_code == 302
    assert response["Location"] == page_url(draft) + "#v1"
    assert version(draft, 1).status == "in_review"

    client = as_user("manager")
    assert client.post(action_url(draft, 1, "approve")).status_code == 302
    v1 = version(draft, 1)
    assert (v1.status, v1.decided_by, v1.text_sha256) == ("approved", users["manager"], sha256_text(v1.text))
    content = client.get(page_url(draft)).content.decode()
    assert v1.text_sha256 in content

    response = client.post(
        action_url(draft, 1, "publish"), {"v1-publish-channel": "Website", "v1-publish-url": "https://example.org/s"}
    )
    assert response.status_code == 302
    v1.refresh_from_db()
    assert (v1.status, v1.channel, v1.published_url) == ("published", "Website", "https://example.org/s")
    content = client.get(page_url(draft)).content.decode()
    # The publication record, its copy-ready text and its Copy button (shown by app.js).
    assert 'id="copy-text"' in content and v1.text in content
    assert 'data-copy="copy-text"' in content
    draft.refresh_from_db()
    assert draft.review_due_at is not None
    assert "Review by" in content

    response = client.post(action_url(draft, 1, "withdraw"), {"v1-withdraw-reason": "Superseded by events"})
    assert response.status_code == 302
    v1.refresh_from_db()
    assert (v1.status, v1.end_reason) == ("withdrawn", "Superseded by events")


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("reject", {"v1-reject-comment": "  "}, "Say what must change"),
        ("approve", {}, "is Unverified, not verified"),
    ],
)
def test_review_decisions_refused(as_user, incident, users, action, data, message):
    unverified = make_fact(incident, users["member2"], text="Not yet checked")
    statement = make_statement(incident, users["member"], facts=[unverified])
    services.version_submit(actor=users["member"], version=version(statement))
    before = rows()
    response = as_user("manager").post(action_url(statement, 1, action), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert rows() == before
    assert version(statement, 1).status == "in_review"


def test_publish_and_withdraw_need_their_text(as_user, incident, users, verified):
    statement = make_statement(incident, users["member"], facts=[verified])
    approved(statement, users["member"], users["manager"])
    client = as_user("manager")
    before = rows()
    response = client.post(action_url(statement, 1, "publish"), {"v1-publish-channel": " "})
    assert response.status_code == 400
    assert "Say where it goes out" in response.content.decode()
    response = client.post(action_url(statement, 1, "withdraw"), {"v1-withdraw-reason": ""})
    assert response.status_code == 400
    assert "Say why it is withdrawn" in response.content.decode()
    response = client.post(
        action_url(statement, 1, "publish"), {"v1-publish-channel": "X", "v1-publish-url": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
    assert rows() == before


def test_author_manager_cannot_approve_by_posting(as_user, incident, users, verified):
    statement = make_statement(incident, users["manager"], facts=[verified])
    services.version_submit(actor=users["manager"], version=version(statement))
    before = rows()
    response = as_user("manager").post(action_url(statement, 1, "approve"))
    assert response.status_code == 403
    assert "Four-eyes rule" in response.content.decode()
    assert rows() == before


def test_approve_a_version_rejected_meanwhile_is_a_conflict_with_the_fresh_state(as_user, draft, users):
    services.version_submit(actor=users["member"], version=version(draft))
    client = as_user("manager")
    client.get(page_url(draft))
    services.version_reject(actor=users["admin"], version=version(draft), comment="Not now")
    before = state(version(draft, 1))
    response = client.post(action_url(draft, 1, "approve"))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Cannot approve version 1: it is Rejected now" in content
    assert "Not now" in content  # the fresh state: the rejection and its comment
    assert 'data-action="approve"' not in content
    assert state(version(draft, 1)) == before


def test_an_action_the_status_does_not_allow_is_a_conflict(as_user, draft):
    response = as_user("manager").post(action_url(draft, 1, "publish"), {"v1-publish-channel": "X"})
    assert response.status_code == 409
    assert "only a version that is Approved can be" in response.content.decode()


# --- Versions: edit a draft, new version from a settled one, diff -----------------------------


def test_edit_a_draft_in_place(as_user, draft, verified, users):
    response = as_user("member2").post(
        edit_url(draft, 1), {"v1-edit-text": "New wording", "v1-edit-cited_facts": [verified.pk], "v1-edit-revision": 1}
    )
    assert response.status_code == 302
    v1 = version(draft, 1)
    assert v1.text == "New wording"
    assert set(v1.authors.all()) == {users["member"], users["member2"]}


def test_edit_a_draft_with_a_stale_revision_is_a_conflict_that_keeps_the_text(as_user, draft, users):
    services.version_edit(actor=users["member2"], version=version(draft), expected_revision=1, text="Theirs")
    before = rows()
    response = as_user("member").post(edit_url(draft, 1), {"v1-edit-text": "Mine, careful", "v1-edit-revision": 1})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Version 1 changed since you loaded it" in content
    assert "Mine, careful" in content and 'name="v1-edit-revision" value="2"' in content
    assert rows() == before
    assert version(draft, 1).text == "Theirs"


def test_new_version_from_a_published_one_and_the_diff(as_user, draft, users, verified):
    published(draft, users["member"], users["manager"])
    client = as_user("member")
    content = client.get(page_url(draft)).content.decode()
    assert "Start a new version from v1" in content
    response = client.post(
        edit_url(draft, 1),
        {
            "v1-edit-text": "We are aware.\nMore news at 6 pm.",
            "v1-edit-cited_facts": [verified.pk],
            "v1-edit-revision": version(draft, 1).revision,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(draft) + "#v2"
    v2 = version(draft, 2)
    assert (v2.status, v2.based_on) == ("draft", 1)
    content = client.get(page_url(draft)).content.decode()
    assert "<ins>More news at 6 pm.</ins>" in content  # by default, what v2 changed from v1
    assert "Start a new version" not in content  # one open version at a time
    # The old version keeps its frozen text.
    assert version(draft, 1).text == "We are aware and checking."


def test_new_version_while_one_is_open_is_a_conflict(as_user, draft, users):
    published(draft, users["member"], users["manager"])
    revision = version(draft, 1).revision
    services.version_edit(actor=users["member2"], version=version(draft, 1), expected_revision=revision, text="v2")
    before = rows()
    response = as_user("member").post(edit_url(draft, 1), {"v1-edit-text": "Another", "v1-edit-revision": revision})
    assert response.status_code == 409
    assert "Version 2 is already being worked on" in response.content.decode()
    assert rows() == before


def test_diff_between_any_two_versions(as_user, draft, users):
    for number, text in ((1, "A\nB"), (2, "A\nC"), (3, "D\nC")):
        if number > 1:
            approved(draft, users["member"], users["manager"])
            services.version_edit(
                actor=users["member"], version=version(draft), expected_revision=version(draft).revision, text=text
            )
        else:
            services.version_edit(actor=users["member"], version=version(draft), expected_revision=1, text=text)
    client = as_user("observer")
    content = client.get(page_url(draft) + "?from=1&to=3").content.decode()
    assert "<del>A</del>" in content and "<del>B</del>" in content and "<ins>D</ins>" in content
    assert "From v1 to v3" in content
    response = client.get(page_url(draft) + "?from=1&to=8")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# --- Review deadline and reminders --------------------------------------------------------------


def test_manager_moves_the_review_deadline(as_user, draft, users):
    published(draft, users["member"], users["manager"])
    url = reverse("statements:review-due", args=[draft.incident_id, draft.pk])
    client = as_user("manager")
    assert "Move the deadline" in client.get(page_url(draft)).content.decode()
    before = rows()
    past = local_input(timezone.now() - datetime.timedelta(hours=1))
    response = client.post(url, {"review_due_at": past})
    assert response.status_code == 400
    assert "Set a time in the future." in response.content.decode()
    response = client.post(url, {"review_due_at": "not a date"})
    assert response.status_code == 400
    assert rows() == before
    target = future_local(hours=5)
    response = client.post(url, {"review_due_at": target, "reason": "Reviewed, still accurate"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert local_input(draft.review_due_at) == target
    assert Reminder.objects.get(statement=draft).next_due_at == draft.review_due_at


def test_review_deadline_of_an_unpublished_statement_is_a_conflict(as_user, draft):
    url = reverse("statements:review-due", args=[draft.incident_id, draft.pk])
    response = as_user("manager").post(url, {"review_due_at": future_local()})
    assert response.status_code == 409
    assert "Only a published holding statement has a review deadline" in response.content.decode()


def test_snooze_a_reminder_from_the_statement_page(as_user, draft, users):
    published(draft, users["member"], users["manager"])
    reminder = Reminder.objects.get(statement=draft, kind=ReminderKind.STATEMENT_REVIEW)
    client = as_user("member")
    content = client.get(page_url(draft)).content.decode()
    assert "Holding statement due for review" in content
    assert reverse("reminders:snooze", args=[draft.incident_id, reminder.pk]) in content
    url = reverse("reminders:snooze", args=[draft.incident_id, reminder.pk])
    before = rows()
    response = client.post(url, {f"r{reminder.pk}-minutes": "60", f"r{reminder.pk}-reason": " "})
    assert response.status_code == 400
    assert "Say why it can wait" in response.content.decode()
    assert rows() == before
    response = client.post(url, {f"r{reminder.pk}-minutes": "60", f"r{reminder.pk}-reason": "Waiting for legal"})
    assert response.status_code == 302
    assert response["Location"] == page_url(draft) + f"#reminder-{reminder.pk}"
    reminder.refresh_from_db()
    assert (reminder.snooze_reason, reminder.snoozed_by) == ("Waiting for legal", users["member"])


def test_member_cannot_snooze_an_approval_reminder(as_user, draft, users):
    services.version_submit(actor=users["member"], version=version(draft))
    reminder = Reminder.objects.get(kind=ReminderKind.VERSION_IN_REVIEW)
    assert "Snooze…" not in as_user("member").get(page_url(draft)).content.decode()
    url = reverse("reminders:snooze", args=[draft.incident_id, reminder.pk])
    before = rows()
    response = as_user("member").post(url, {f"r{reminder.pk}-minutes": "30", f"r{reminder.pk}-reason": "Busy"})
    assert response.status_code == 403
    assert rows() == before
    assert (
        as_user("manager").post(url, {f"r{reminder.pk}-minutes": "30", f"r{reminder.pk}-reason": "Busy"}).status_code
        == 302
    )


def test_snoozing_a_handled_reminder_is_a_conflict(as_user, draft, users):
    published(draft, users["member"], users["manager"])
    reminder = Reminder.objects.get(statement=draft)
    services.version_withdraw(actor=users["manager"], version=version(draft), reason="Done")
    url = reverse("reminders:snooze", args=[draft.incident_id, reminder.pk])
    response = as_user("member").post(url, {f"r{reminder.pk}-minutes": "30", f"r{reminder.pk}-reason": "x"})
    assert response.status_code == 409
    assert "This reminder was handled meanwhile" in response.content.decode()


# --- Needs review ----------------------------------------------------------------------------------


def test_statement_page_shows_needs_review_with_the_fact(as_user, draft, users, verified):
    published(draft, users["member"], users["manager"])
    fact_services.fact_retract(actor=users["member2"], fact=verified, reason="Wrong batch number")
    for role in ("member", "manager", "observer"):
        content = as_user(role).get(page_url(draft)).content.decode()
        assert "data-needs-review" in content
        assert "Wrong batch number" in content and verified.text in content


def test_statement_page_escapes_hostile_text(as_user, incident, users):
    statement = services.statement_create(
        actor=users["member"], incident=incident, kind="holding", audience="press", title=HOSTILE, text=HOSTILE
    )
    content = as_user("member").get(page_url(statement)).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content
    assert "&lt;script&gt;" in content


def test_statement_page_speaks_french(as_user, draft):
    content = as_user("member", "fr").get(page_url(draft)).content.decode()
    for text in ("Soumettre pour approbation", "Faits sur lesquels elle repose", "Brouillon"):
        assert text in content


@pytest.mark.parametrize("n", [2, 8])
def test_statement_page_query_count(client, draft, users, verified, incident, django_assert_num_queries, n):
    from facts import claims

    for i in range(n):
        fact = make_fact(incident, users["member2"], text=f"F{i}", verifier=users["manager"])
        draft.answers.add(claims.claim_create(actor=users["member"], incident=incident, text=f"C{i}"))
        approved(draft, users["member"], users["manager"])
        services.version_edit(
            actor=users["member"],
            version=version(draft),
            expected_revision=version(draft).revision,
            text=f"Text {i}",
            cited_facts=[verified.pk, fact.pk],
        )
    assert StatementVersion.objects.filter(statement=draft).count() == n + 1
    client.force_login(users["manager"])
    # session, user, incident with the membership (one query since issue 12), statement, versions + citations + authors,
    # citable facts + sources, reminders, answers, claims (update form), flagged facts
    # (none: no query), created_by, memberships (context), unread badge.
    with django_assert_num_queries(15):
        response = client.get(page_url(draft))
    assert response.status_code == 200
