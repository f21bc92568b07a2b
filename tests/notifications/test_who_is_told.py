"""The right person is told at the right moment (issue 9).

Submitting a statement reaches the managers who may approve it at once (bell,
live badge, e-mail); its authors hear when it is approved, rejected or
published; every member hears of an escalation in the app; e-mails link to the
site by absolute address, in the recipient's language; a reminder repeating
about one thing updates one notice; and no text anywhere shows a raw ISO date
or raw chat markdown, in French or in English.
"""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone, translation

from cells.models import Role
from chat import services as chat
from chat.models import ChatNotice
from incidents import services as incidents
from incidents.models import Level
from notifications.models import EmailStatus, Notification, NotificationKind
from notifications.services import notify
from reminders import services as reminders
from reminders.models import Reminder, ReminderKind, ReminderNotice
from statements import services as statements
from statements.models import StatementNotice
from tests.facts.helpers import approved, eager_celery, make_statement, version

pytestmark = pytest.mark.django_db

# A raw ISO instant, as "2026-12-02T06:16:19.057163+00:00" or "2026-12-02 06:16".
RAW_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
SITE = "https://crisis.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.LANGUAGE_CODE = "fr"  # the cell's default: what is stored


@pytest.fixture
def broadcasts(monkeypatch):
    """The channel-layer messages sent (after commit), as (group, type)."""
    sent = []
    monkeypatch.setattr("realtime.broadcast.send_now", lambda group, message: sent.append((group, message["type"])))
    return sent


def make_due(reminder) -> Reminder:
    Reminder.objects.filter(pk=reminder.pk).update(next_due_at=timezone.now() - datetime.timedelta(minutes=1))
    reminder.refresh_from_db()
    return reminder


def told(kind) -> dict[str, Notification]:
    return {n.user.username: n for n in Notification.objects.filter(kind=kind).select_related("user")}


def submit(incident, users):
    statement = make_statement(incident, users["member"])
    return statements.version_submit(actor=users["member"], version=version(statement))


def test_submitting_tells_the_managers_at_once_in_the_bell_live_and_by_mail(
    incident, users, broadcasts, django_capture_on_commit_callbacks
):
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        submitted = submit(incident, users)
    managers = told(StatementNotice.APPROVAL)
    # The managers (the admin too): not the author, who may not approve it, nor the others.
    assert sorted(managers) == ["alice", "mona"]
    with translation.override("en"):
        notice = managers["mona"]
        assert notice.shown_title == "To approve: Holding statement on Hydra+ v1"
        assert f"{users['member']} submitted version 1 of “Holding statement on Hydra+”" in notice.shown_body
    assert notice.link.endswith(f"/statements/{submitted.statement_id}/#v1")
    # Live: their open pages recount their badge, after the commit.
    assert {(f"user.{users[key].pk}", "notifications.changed") for key in ("admin", "manager")} <= set(broadcasts)
    # By e-mail, at once (not when the reminder fires 20 minutes later).
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "mona@example.org"]
    assert all(n.email_status == EmailStatus.SENT for n in managers.values())


def test_the_waiting_reminder_updates_the_managers_notice_instead_of_adding_one(incident, users, as_user):
    submitted = submit(incident, users)
    reminder = make_due(Reminder.objects.get(kind=ReminderKind.VERSION_IN_REVIEW, version=submitted))
    assert reminders.fire(reminder_id=reminder.pk, due_at=reminder.next_due_at)
    notices = Notification.objects.filter(user=users["manager"])
    assert notices.count() == 1
    notice = notices.get()
    assert notice.count == 2 and notice.read_at is None
    with translation.override("en"):
        assert notice.shown_title == "Waiting for approval: Holding statement on Hydra+ v1"
    # The page and the API show one notice, counted.
    page = as_user("manager", "en").get("/notifications/").content.decode()
    assert page.count("Waiting for approval: Holding statement on Hydra+ v1") == 1 and "2 times" in page
    assert "2\u00a0fois" in as_user("manager", "fr").get("/notifications/").content.decode()
    api = as_user("manager", "en").get("/api/v1/notifications/").json()["results"]
    assert [n["count"] for n in api] == [2]


@pytest.mark.parametrize(
    "action, expected_title",
    [
        ("approve", "Approved: Holding statement on Hydra+ v1"),
        ("reject", "Rejected: Holding statement on Hydra+ v1"),
        ("publish", "Published: Holding statement on Hydra+ v1"),
    ],
)
def test_the_author_is_told_of_the_managers_decision(incident, users, action, expected_title):
    member, manager = users["member"], users["manager"]
    if action == "publish":
        statements.version_publish(
            actor=manager, version=approved(make_statement(incident, member), member, manager), channel="X (Twitter)"
        )
    elif action == "approve":
        statements.version_approve(actor=manager, version=submit(incident, users))
    else:
        statements.version_reject(actor=manager, version=submit(incident, users), comment="Say when, not only what")
    notices = Notification.objects.filter(kind=StatementNotice.STATEMENT).select_related("user")
    with translation.override("en"):
        mine = [n for n in notices if n.shown_title == expected_title]
        # The author, not the manager who acted, nor anyone else.
        assert [n.user.username for n in mine] == ["max"]
        body = mine[0].shown_body
    if action == "reject":
        assert "“Say when, not only what”" in body
    if action == "publish":
        assert "on X (Twitter)" in body


def test_every_member_is_told_of_an_escalation_in_the_app(
    incident, users, broadcasts, django_capture_on_commit_callbacks
):
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        incidents.incident_transition(
            actor=users["manager"], incident=incident, to_level=Level.CRISIS, reason="National press picked it up"
        )
    bell = told(NotificationKind.LEVEL)
    assert sorted(bell) == ["alice", "max", "mia", "olga"]  # everyone in the cell but the manager who moved it
    with translation.override("en"):
        assert bell["olga"].shown_title == f"“{incident.title}” is now at level Crisis"
        assert "from Watch to Crisis" in bell["olga"].shown_body
        assert "National press picked it up" in bell["olga"].shown_body
    with translation.override("fr"):
        french = Notification.objects.get(pk=bell["olga"].pk).shown_title  # worded afresh, in French
        assert french == f"«\u00a0{incident.title}\u00a0» est maintenant au niveau Crise"
    assert (f"user.{users['observer'].pk}", "notifications.changed") in broadcasts
    # The e-mails are the bell's rows, through the outbox like every notice (issue 11): one per member.
    assert all(n.email_status == EmailStatus.SENT for n in bell.values())
    # (Reaching crisis also activates the cell, issue 15: those e-mails are the activation's, to everyone.)
    level_mails = [m for m in mail.outbox if "activ" not in m.subject.lower()]
    assert sorted(m.to[0] for m in level_mails) == [f"{name}@example.org" for name in ("alice", "max", "mia", "olga")]
    assert all(m.subject == f"«\u00a0{incident.title}\u00a0» est maintenant au niveau Crise" for m in level_mails)


def test_the_escalation_email_goes_once_per_address_through_the_outbox(incident, users):
    """One pipeline (issue 11): the bell's rows are the escalation's outbox, one mail per address,
    and a second run of the task (a redelivery) sends nothing more."""
    from incidents.models import LevelChangeNotice, LogEntry, LogKind
    from notifications.tasks import notify_level_change

    users["member2"].email = users["member"].email  # two people, one mailbox
    users["member2"].save(update_fields=["email"])
    incidents.incident_transition(actor=users["manager"], incident=incident, to_level=Level.ALERT, reason="Spike")
    entry = LogEntry.objects.get(incident=incident, kind=LogKind.LEVEL_CHANGED)
    mail.outbox.clear()
    assert notify_level_change(entry.pk) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "max@example.org", "olga@example.org"]
    assert notify_level_change(entry.pk) == 0 and len(mail.outbox) == 3
    assert LevelChangeNotice.objects.get(entry=entry).recipients == 3
    logged = LogEntry.objects.get(incident=incident, kind=LogKind.NOTIFICATION)
    assert logged.data == {"entry": entry.pk, "recipients": 3}
    # The mails are the bell's rows, sent; the one sharing an address has its bell only.
    rows = Notification.objects.filter(dedupe_key=f"level-change:{entry.pk}")
    assert sorted(rows.values_list("email_status", flat=True)) == sorted(
        [EmailStatus.SEPARATE] + [EmailStatus.SENT] * 3
    )


def test_a_de_escalation_is_not_an_alarm(incident, users):
    manager = users["manager"]
    incidents.incident_transition(actor=manager, incident=incident, to_level=Level.CRISIS, reason="Press")
    incidents.incident_transition(actor=manager, incident=incident, to_level=Level.RECOVERY, reason="Calmer")
    assert Notification.objects.filter(kind=NotificationKind.LEVEL).count() == 4  # the escalation only


def test_emails_link_to_the_site_in_the_recipients_language(incident, users, django_capture_on_commit_callbacks):
    users["admin"].language = "en"
    users["admin"].save(update_fields=["language"])
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        submitted = submit(incident, users)
        incidents.incident_transition(actor=users["manager"], incident=incident, to_level=Level.ALERT, reason="Spike")
    by_recipient = {}
    for message in mail.outbox:
        by_recipient.setdefault(message.to[0], []).append(message)
    statement_url = f"{SITE}/incidents/{incident.pk}/statements/{submitted.statement_id}/"
    workspace_url = f"{SITE}/incidents/{incident.pk}/"
    english, french = by_recipient["alice@example.org"], by_recipient["mona@example.org"]
    # alice chose English; mona never chose: the cell's French.
    assert english[0].subject == "To approve: Holding statement on Hydra+ v1"
    assert french[0].subject == "À valider\u00a0: Holding statement on Hydra+ v1"
    assert statement_url in english[0].body and statement_url in french[0].body
    escalation = [m for m in english if "is now at level" in m.subject]
    assert escalation and workspace_url in escalation[0].body
    assert all(workspace_url in m.body for m in by_recipient["olga@example.org"])
    # No mail carries a bare path.
    for message in mail.outbox:
        assert not re.search(r"(?m)^/incidents/", message.body), message.body


def every_text(user_key, users, as_user) -> list[str]:
    """Every notification text the user can read: the page, the API, the e-mail wording, in FR and EN."""
    from notifications.tasks import _email_body

    texts = []
    for language in ("fr", "en"):
        page = as_user(user_key, language).get("/notifications/").content.decode()
        texts.append(page)
        api = as_user(user_key, language).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE=language).json()
        texts += [f"{n['title']} {n['body']}" for n in api["results"]]
        with translation.override(language):
            for notification in Notification.objects.filter(user=users[user_key]):
                notification = Notification.objects.get(pk=notification.pk)  # worded afresh
                title, body = notification.shown
                texts += [title, _email_body(notification, body)]
    return texts


def test_no_raw_timestamp_in_any_notification_text_in_french_or_english(incident, users, as_user):
    member, manager = users["member"], users["manager"]
    # One of each kind of notice that words a date: review reminder, waiting-for-approval
    # reminder, unanswered claim, submission, decisions, escalation.
    from facts import claims

    submitted = submit(incident, users)
    statements.version_reject(actor=manager, version=submitted, comment="Too vague")
    live = approved(make_statement(incident, member), member, manager)
    statements.version_publish(actor=manager, version=live, channel="website")
    claim = claims.claim_create(actor=member, incident=incident, text="Hydra+ batteries explode")
    again = submit(incident, users)
    incidents.incident_transition(actor=manager, incident=incident, to_level=Level.ALERT, reason="Spike")
    for reminder in Reminder.objects.all():
        reminder = make_due(reminder)
        reminders.fire(reminder_id=reminder.pk, due_at=reminder.next_due_at)
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"approval", "statement", "level", "reminder"} <= kinds
    assert Notification.objects.filter(data__wording="reminder.claim_unanswered").exists()
    assert Notification.objects.filter(data__wording="reminder.statement_review").exists()
    assert again and claim

    for key in ("member", "manager", "admin"):
        for text in every_text(key, users, as_user):
            # The page has ISO instants in <time datetime="..."> attributes, for machines: not text.
            visible = re.sub(r'datetime="[^"]*"', "", text)
            assert not RAW_ISO.search(visible), visible[:2000]
    # The dates are there, worded: "2 déc. 2026 07:16 CET" / "2 Dec 2026, 07:16 CET".
    with translation.override("en"):
        bodies = [n.shown_body for n in Notification.objects.filter(user=manager)]
    assert any(re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} [A-Z]", body) for body in bodies), bodies


def test_dates_follow_the_readers_time_zone(incident, users, as_user):
    submit(incident, users)
    users["manager"].timezone = "America/New_York"
    users["manager"].save(update_fields=["timezone"])
    page = as_user("manager", "en").get("/notifications/").content.decode()
    assert re.search(r"for approval at \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} E[SD]T", page), page


def test_chat_markdown_is_never_shown_raw_in_a_notification(incident, users, as_user):
    chat.chat_post(
        actor=users["member"],
        incident=incident,
        text="@mona **urgent**: see [the video](https://example.org/v?a=1&b=2) and `log#1`\n- one\n- *two*",
    )
    notice = Notification.objects.get(user=users["manager"], kind=ChatNotice.MENTION)
    body = notice.shown_body
    assert "**" not in body and "`" not in body and "[the video]" not in body and "*two*" not in body
    assert body == "@mona urgent: see the video (https://example.org/v?a=1&b=2) and log#1\n• one\n• two"
    page = as_user("manager", "en").get("/notifications/").content.decode()
    assert "**urgent**" not in page and "urgent: see the video" in page


def test_a_reminder_retried_for_the_same_sending_changes_nothing(cell, users):
    def send(occurrence):
        return notify(
            users=[users["member"]],
            cell=cell,
            kind=ReminderNotice.REMINDER,
            title="Due",
            dedupe_key="reminder:99",
            occurrence=occurrence,
        )

    (first,) = send("99:1:1")
    assert send("99:1:1") == []  # a retried task: nothing new, nothing counted twice
    (second,) = send("99:1:2")
    assert second.pk == first.pk and second.count == 2
    assert Notification.objects.count() == 1


def test_observers_and_members_do_not_get_approval_requests(incident, users):
    submit(incident, users)
    roles = {n.user.memberships.get().role for n in Notification.objects.filter(kind=StatementNotice.APPROVAL)}
    assert roles <= {Role.MANAGER, Role.ADMIN}
