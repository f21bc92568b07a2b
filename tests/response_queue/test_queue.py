"""The response queue: rules, SLA due times, claiming, answering from approved wording, closing,
near-duplicates, bulk actions, overdue reminders (idempotent), the figures."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.errors import Conflict
from incidents import services as incidents
from incidents.models import LogEntry
from notifications.models import Notification
from response_queue import reminders, selectors, services, sla, tasks
from response_queue.models import ItemState, QueueItem, QueueRule, SlaPolicy
from statements.models import Statement, StatementKind
from tests.facts.helpers import approved, make_statement, published
from tests.pages import HOSTILE

from .conftest import make_mention

pytestmark = pytest.mark.django_db


def _rule(cell, **fields):
    return QueueRule.objects.create(cell=cell, name=fields.pop("name", "rule"), **fields)


def test_rules_queue_matching_mentions_once_in_the_most_urgent_open_incident(cell, users, incident):
    other = incidents.incident_create(actor=users["manager"], cell=cell, title="Other, at crisis")
    incidents.incident_transition(actor=users["manager"], incident=other, to_level="crisis", reason="Storm")
    _rule(cell, kind="terms", terms="remboursez\nplainte")
    _rule(cell, kind="reach", min_reach=50_000)
    _rule(cell, kind="negative", terms="")
    complaint = make_mention(cell, "REMBOURSEZ-moi vite")  # case aside, whole word
    big = make_mention(cell, "Nice products", reach=90_000)
    negative = make_mention(cell, "Terrible", tone=-1, matched={"1": ["durand"]})
    make_mention(cell, "remboursement en cours")  # not the whole word "remboursez"
    make_mention(cell, "Terrible but unwatched", tone=-1)
    assert tasks.scan_mentions() == 3
    assert tasks.scan_mentions() == 0  # the cursor moved: nothing twice
    items = QueueItem.objects.filter(incident=other)
    assert set(items.values_list("mention_id", flat=True)) == {complaint.pk, big.pk, negative.pk}
    assert not QueueItem.objects.filter(incident=incident).exists()
    entry = LogEntry.objects.get(incident=other, kind="response")
    assert entry.data["action"] == "queued_by_rules" and entry.data["count"] == 3


def test_due_times_follow_the_level_and_the_cell_table(cell, users, incident):
    start = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC)  # a Friday
    policy = sla.policy_for(cell)
    assert sla.due_at(policy, "crisis", start) == start + datetime.timedelta(minutes=30)
    assert sla.due_at(policy, "alert", start) == start + datetime.timedelta(hours=2)
    # watch: one working day, so Friday -> Monday
    assert timezone.localtime(sla.due_at(policy, "watch", start)).weekday() == 0
    SlaPolicy.objects.create(cell=cell, crisis_minutes=15)
    incidents.incident_transition(actor=users["manager"], incident=incident, to_level="crisis", reason="x")
    incident.refresh_from_db()
    mention = make_mention(cell)
    item = services.flag(actor=users["member"], incident=incident, mention_id=mention.pk)
    # From the mention's publication (the public's wait), by the cell's own table.
    assert item.due_at == mention.published_at + datetime.timedelta(minutes=15)


def test_flag_by_hand_roles_and_duplicates(cell, users, incident, other_cell):
    mention = make_mention(cell)
    with pytest.raises(PermissionDenied):
        services.flag(actor=users["observer"], incident=incident, mention_id=mention.pk)
    services.flag(actor=users["member"], incident=incident, mention_id=mention.pk, reason="angry customer")
    with pytest.raises(Conflict):
        services.flag(actor=users["member2"], incident=incident, mention_id=mention.pk)
    foreign = make_mention(other_cell)
    with pytest.raises(ValidationError):  # another cell's mention is no mention here
        services.flag(actor=users["member"], incident=incident, mention_id=foreign.pk)


def test_claiming_then_answering_from_a_template_fills_the_placeholders(cell, users, incident, template):
    mention = make_mention(cell, handle=f"eve{HOSTILE}{{ticket}}")
    item = services.flag(actor=users["member"], incident=incident, mention_id=mention.pk)
    services.claim(actor=users["member"], item=item)
    with pytest.raises(Conflict):
        services.claim(actor=users["member2"], item=item)
    with pytest.raises(Conflict):  # two people never answer the same item
        services.answer(actor=users["member2"], item=item, template=template)
    with pytest.raises(ValidationError):  # members answer from approved wording only
        services.answer(actor=users["member"], item=item, text="Freely written")
    item = services.answer(
        actor=users["member"], item=item, template=template, ticket="T-9", channel="x", url="https://x.example/r/1"
    )
    # {ticket} inside the handle stays as written: one pass, no re-expansion.
    assert item.reply_text == f"Bonjour @eve{HOSTILE}{{ticket}}, nous sommes désolés. Votre dossier T-9 est suivi."
    assert (item.state, item.done_by, item.reply_channel) == (ItemState.ANSWERED, users["member"], "x")
    with pytest.raises(Conflict):
        services.answer(actor=users["manager"], item=item, text="again")


def test_a_template_needing_review_or_not_published_is_refused(cell, users, incident, template):
    member, manager = users["member"], users["manager"]
    item = services.flag(actor=member, incident=incident, mention_id=make_mention(cell).pk)

    def refusal(version) -> str:
        with translation.override("en"), pytest.raises(ValidationError) as error:
            services.answer(actor=member, item=item, template=version)
        return " ".join(error.value.message_dict["template"])

    Statement.objects.filter(pk=template.statement_id).update(needs_review=True)
    template.statement.refresh_from_db()
    assert "needs review" in refusal(template)
    Statement.objects.filter(pk=template.statement_id).update(needs_review=False)
    template.statement.refresh_from_db()
    # Approved but not published yet: not the public's wording.
    approved_only = approved(make_statement(incident, member, kind=StatementKind.RESPONSE_TEMPLATE), member, manager)
    assert "published version" in refusal(approved_only)
    # A published holding statement is not a response template.
    holding = published(make_statement(incident, member), member, manager)
    assert "Only a response template" in refusal(holding)
    item.refresh_from_db()
    assert item.state == ItemState.NEW and item.reply_text == ""


def test_manager_free_reply_no_reply_and_escalation(cell, users, incident):
    a, b, c = (
        services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell).pk) for _ in range(3)
    )
    services.answer(actor=users["manager"], item=a, text="We are on it.")
    with pytest.raises(ValidationError):
        services.close_without_reply(actor=users["member"], item=b, reason="  ")
    services.close_without_reply(actor=users["member"], item=b, reason="A bot")
    services.escalate(actor=users["member"], item=c, reason="Legal threat")
    assert Notification.objects.filter(user=users["manager"], kind="escalation").exists()
    assert [i.state for i in QueueItem.objects.order_by("pk")] == ["answered", "no_reply", "escalated"]


def test_near_duplicates_and_bulk_answer(cell, users, incident, template):
    text = "Le sérum Durand m'a brûlé la peau, scandale !"
    first = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell, text).pk)
    copies = [
        services.flag(
            actor=users["member"],
            incident=incident,
            mention_id=make_mention(cell, f"RT {text} #{n}", handle=f"u{n}").pk,
        )
        for n in range(3)
    ]
    unrelated = services.flag(
        actor=users["member"], incident=incident, mention_id=make_mention(cell, "Where is my parcel?").pk
    )
    found = {other.pk for other, _score in selectors.near_duplicates(first)}
    assert found == {item.pk for item in copies}
    services.mark_duplicates(actor=users["member"], original=first, items=copies)
    services.claim(actor=users["member2"], item=copies[0])  # someone else's: reported, not answered
    report = services.bulk(
        actor=users["member"],
        incident=incident,
        item_ids=[first.pk, *[c.pk for c in copies], unrelated.pk, 999999],
        action="answer",
        template=template,
    )
    assert report["done"] == 4
    failed = {r["item"] for r in report["results"] if not r["ok"]}
    assert failed == {copies[0].pk, 999999}


def test_overdue_reminders_assignee_then_managers_never_twice(
    cell, users, incident, django_capture_on_commit_callbacks
):
    item = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell).pk)
    services.claim(actor=users["member2"], item=item)
    later = timezone.now() + datetime.timedelta(days=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert tasks.process_overdue_items() == 1
        assert tasks.process_overdue_items() == 0  # a second run (a redelivered task): nothing more
    told = Notification.objects.filter(data__wording="response.overdue")
    assert list(told.values_list("user__username", flat=True)) == ["mia"]
    even_later = later + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=even_later):
        assert tasks.process_overdue_items() == 1
        assert tasks.process_overdue_items() == 0
    assert set(told.filter(kind="escalation").values_list("user__username", flat=True)) == {"mona", "alice"}
    # A worker killed mid-sending: the claim and the notifications roll back together, so it is sent later, once.
    other = services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell).pk)
    stage, at = QueueItem.objects.values_list("reminder_stage", "next_reminder_at").get(pk=other.pk)
    with mock.patch("django.utils.timezone.now", return_value=later):
        with (
            mock.patch("response_queue.integration.notify", side_effect=RuntimeError("killed")),
            pytest.raises(RuntimeError),
        ):
            reminders.fire(item_id=other.pk, stage=stage, at=at)
        assert QueueItem.objects.get(pk=other.pk).reminder_stage == 0
        assert reminders.fire(item_id=other.pk, stage=stage, at=at) is True
        assert reminders.fire(item_id=other.pk, stage=stage, at=at) is False


def test_figures_time_to_first_response_and_share_within_sla(cell, users, incident, template):
    now = timezone.now()
    items = [
        services.flag(actor=users["member"], incident=incident, mention_id=make_mention(cell).pk) for _ in range(4)
    ]
    for minutes, item in zip([10, 20, 30], items, strict=False):
        QueueItem.objects.filter(pk=item.pk).update(created_at=now - datetime.timedelta(minutes=minutes))
        services.answer(actor=users["manager"], item=QueueItem.objects.get(pk=item.pk), text="ok")
    QueueItem.objects.filter(pk=items[3].pk).update(due_at=now - datetime.timedelta(minutes=1))
    figures = selectors.metrics(incident)
    assert figures["answered"] == 3 and figures["overdue"] == 1 and figures["open"] == 1
    assert 19.5 <= figures["first_response_median"] <= 20.5
    assert 27.5 <= figures["first_response_p90"] <= 28.5
    assert figures["within_sla"] == 75.0  # 3 answered in time, 1 overdue
    assert sum(row["answered"] for row in selectors.hourly(incident)) == 3
