"""Writes on the response queue. One transaction each, each logged; side effects after commit.

States: new -> assigned -> answered | no_reply | escalated (an item may also be
closed straight from new). Every move is a guarded UPDATE (responses.transitions).
Answering needs the item to be yours (claimed or assigned to you); a manager may
answer any open item and write freely; members answer from a published response
template that does not need review, with {author} and {ticket} filled in.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict

from . import integration, sla, transitions
from .models import ItemState, QueueItem, QueueRule, RuleKind, SlaPolicy, WaitingMention, WaitingState

MAX_REASON = 2000
MAX_REPLY = 5000
BULK_MAX = 500
PLACEHOLDER = re.compile(r"\{(author|ticket)\}")


def _require(actor, cell_id, minimum: Role):
    return require_role(membership_for(actor, cell_id), minimum)


def _text(value, field: str, *, required: bool, limit: int = MAX_REASON, message: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("This is needed.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": limit}})
    return value


def _url(value) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 1000:
        raise ValidationError({"url": _("At most %(max)s characters.") % {"max": 1000}})
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError({"url": _("Give a link that starts with http:// or https://.")}) from None
    return value


def _excerpt(item: QueueItem) -> str:
    return Truncator(item.mention.text).chars(120)


# --- Entering the queue


def waiting_since(mention, now: datetime.datetime) -> datetime.datetime:
    """When the public started waiting: the mention's publication (a clock ahead of ours counts as now)."""
    return min(mention.published_at, now)


def _new_item(*, incident, mention, rule=None, flagged_by=None, now=None) -> QueueItem | None:
    """The item, or None when the mention is already in this incident's queue (inside a savepoint).

    The due time counts from the mention's publication, not from when the cell saw it: the
    person who complained has been waiting since then, and the SLA is a promise to them."""
    now = now or timezone.now()
    due = sla.due_at(sla.policy_for(incident.cell), incident.level, waiting_since(mention, now))
    try:
        with transaction.atomic():
            return QueueItem.objects.create(
                incident=incident,
                mention=mention,
                rule=rule,
                flagged_by=flagged_by,
                created_at=now,
                due_at=due,
                next_reminder_at=due,
            )
    except IntegrityError:
        return None


@transaction.atomic
def flag(*, actor, incident, mention_id, reason: str = "") -> QueueItem:
    """A member puts a mention of the cell in the incident's queue by hand."""
    _require(actor, incident.cell_id, Role.MEMBER)
    reason = _text(reason, "reason", required=False)
    try:
        mention = integration.mentions_for(incident).get(pk=int(mention_id))
    except (ValueError, TypeError, integration.mention_model().DoesNotExist):
        if integration.mentions_of_cell(incident.cell_id, exercise=not incident.is_exercise).filter(
            pk=mention_id if str(mention_id).isdigit() else None
        ):
            # The post exists, on the other side of the line between drills and real crises.
            message = (
                _("This post is real: a drill's queue takes only the drill's posts.")
                if incident.is_exercise
                else _("This post belongs to a drill (an exercise): a real incident's queue never takes it.")
            )
            raise ValidationError({"mention": message}) from None
        raise ValidationError({"mention": _("No such mention in this cell.")}) from None
    item = _new_item(incident=incident, mention=mention, flagged_by=actor)
    if item is None:
        raise Conflict(_("This mention is already in the queue."), current={"mention": mention.pk})
    if reason:
        QueueItem.objects.filter(pk=item.pk).update(reason=reason)
    # A mention that waited for an incident (no incident was open when a rule matched it) waits no more.
    WaitingMention.objects.filter(mention=mention, state=WaitingState.WAITING).update(
        state=WaitingState.QUEUED, item=item, decided_by=actor, decided_at=timezone.now()
    )
    integration.log(incident=incident, actor=actor, action="flagged", item=item.pk, mention=mention.pk)
    return item


def enqueue_by_rules(*, cell_id: int, mentions, rules, incident) -> list[QueueItem]:
    """Queue the mentions that a rule matches (inside the caller's transaction); one log entry for the batch."""
    created = []
    for mention in mentions:
        rule = _rules_first_match(rules, mention)
        if rule is None:
            continue
        item = _new_item(incident=incident, mention=mention, rule=rule)
        if item is not None:
            created.append(item)
    if created:
        integration.log(
            incident=incident,
            actor=None,
            action="queued_by_rules",
            count=len(created),
            items=[item.pk for item in created[:50]],
        )
    return created


# --- Waiting for an incident: what the rules matched while the cell had no open incident

# How far back an incident that opens takes the cell's waiting mentions by itself: the complaints
# of the last two days are the storm it opens for; older ones stay on the cell's list, to put in
# by hand (an answer days late may do more harm than none, which a person should judge).
WAITING_WINDOW = datetime.timedelta(hours=48)
WAITING_BATCH = 200


def hold_by_rules(*, cell_id: int, mentions, rules) -> int:
    """No open incident: the mentions a rule matches wait on the cell's list (inside the caller's transaction)."""
    rows = []
    for mention in mentions:
        rule = _rules_first_match(rules, mention)
        if rule is not None:
            rows.append(WaitingMention(cell_id=cell_id, mention=mention, rule=rule))
    # A mention waits once (one-to-one): a repeated scan adds nothing.
    return len(WaitingMention.objects.bulk_create(rows, ignore_conflicts=True)) if rows else 0


@transaction.atomic
def queue_waiting(*, cell_id: int, now: datetime.datetime | None = None, limit: int = WAITING_BATCH) -> int:
    """An incident is open: the mentions that waited (published within WAITING_WINDOW) enter the queue of
    the most urgent one, oldest first, with due times from their publication. Rows are claimed
    with SKIP LOCKED and moved by a guarded update: two scans at once queue each mention once."""
    incident = integration.most_urgent_open_incident(cell_id)
    if incident is None:
        return 0
    now = now or timezone.now()
    rows = list(
        WaitingMention.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("mention", "rule")
        .filter(cell_id=cell_id, state=WaitingState.WAITING, mention__published_at__gte=now - WAITING_WINDOW)
        .order_by("mention__published_at", "pk")[:limit]
    )
    created = []
    for row in rows:
        item = _new_item(incident=incident, mention=row.mention, rule=row.rule, now=now)
        if item is None:  # put in this incident's queue by hand meanwhile
            item = QueueItem.objects.filter(incident=incident, mention=row.mention).first()
        else:
            created.append(item)
        WaitingMention.objects.filter(pk=row.pk, state=WaitingState.WAITING).update(
            state=WaitingState.QUEUED, item=item, decided_at=now
        )
    if created:
        integration.log(
            incident=incident,
            actor=None,
            action="queued_from_waiting",
            count=len(created),
            items=[item.pk for item in created[:50]],
        )
    return len(created)


def _still_waiting(waiting: WaitingMention) -> None:
    current = WaitingMention.objects.filter(pk=waiting.pk).values_list("state", flat=True).first()
    if current != WaitingState.WAITING:
        raise Conflict(
            _("Someone acted on this mention first: it is now %(state)s. Reload the page.")
            % {"state": WaitingState(current).label if current else _("gone")},
            current={"state": current},
        )


@transaction.atomic
def waiting_to_incident(*, actor, waiting: WaitingMention, incident) -> QueueItem:
    """A member puts a waiting mention in an open incident's queue (flag marks it queued)."""
    _require(actor, waiting.cell_id, Role.MEMBER)
    if incident is None or incident.cell_id != waiting.cell_id or incident.level == "closed":
        raise ValidationError({"incident": _("Choose an open incident of this cell.")})
    WaitingMention.objects.select_for_update().filter(pk=waiting.pk).first()
    _still_waiting(waiting)
    return flag(actor=actor, incident=incident, mention_id=waiting.mention_id)


@transaction.atomic
def waiting_dismiss(*, actor, waiting: WaitingMention, reason: str) -> WaitingMention:
    _require(actor, waiting.cell_id, Role.MEMBER)
    reason = _text(reason, "reason", required=True, message=_("Say why it needs no answer."))
    moved = WaitingMention.objects.filter(pk=waiting.pk, state=WaitingState.WAITING).update(
        state=WaitingState.DISMISSED, decided_by=actor, decided_at=timezone.now(), reason=reason
    )
    if not moved:
        _still_waiting(waiting)
    waiting.refresh_from_db()
    return waiting


def _rules_first_match(rules, mention):
    from .rules import first_match

    return first_match(rules, mention)


# --- Claiming and assigning


@transaction.atomic
def claim(*, actor, item: QueueItem) -> QueueItem:
    """Take a new item: exactly one of several people claiming at once gets it (409 for the others)."""
    _require(actor, item.incident.cell_id, Role.MEMBER)
    item = transitions.move(item, action="claim", assignee=actor, assigned_at=timezone.now())
    integration.log(incident=item.incident, actor=actor, action="claimed", item=item.pk)
    return item


@transaction.atomic
def assign(*, actor, item: QueueItem, assignee) -> QueueItem:
    """A manager gives an open item to a member (or takes it back from one)."""
    _require(actor, item.incident.cell_id, Role.MANAGER)
    target = membership_for(assignee, item.incident.cell_id) if assignee is not None else None
    if target is None or not target.has_role(Role.MEMBER):
        raise ValidationError({"assignee": _("Assign it to a member of the cell (observers do not answer).")})
    previous = item.assignee_id
    item = transitions.move(item, action="assign", assignee=assignee, assigned_at=timezone.now())
    integration.log(
        incident=item.incident, actor=actor, action="assigned", item=item.pk, assignee=assignee.pk, previous=previous
    )
    return item


def _may_answer(actor, item: QueueItem) -> tuple[dict, bool]:
    """The guard for answering or closing: (extra guard, is manager). Members act on their own items
    (a new item they take in the same move); managers on any open item."""
    membership = _require(actor, item.incident.cell_id, Role.MEMBER)
    if membership.has_role(Role.MANAGER):
        return {}, True
    if item.state == ItemState.ASSIGNED and item.assignee_id != actor.pk:
        raise Conflict(
            _("%(name)s has this item: only they (or a manager) can answer it.")
            % {"name": item.assignee.get_full_name() or item.assignee.username},
            current={"state": item.state, "assignee": item.assignee_id},
        )
    # The guard repeats the check in SQL: assigned to someone else meanwhile means no move.
    return {"assignee_id__in": [actor.pk]} if item.state == ItemState.ASSIGNED else {"assignee__isnull": True}, False


# --- Answering and closing


def fill_placeholders(text: str, *, author: str, ticket: str) -> str:
    """{author} and {ticket} in one pass: a handle that itself contains "{ticket}" stays as written."""
    values = {"author": author, "ticket": ticket}
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def compose(*, item: QueueItem, template, ticket: str = "") -> str:
    problem = integration.template_problem(template, item.incident)
    if problem:
        raise ValidationError({"template": problem})
    author = item.mention.author_handle or item.mention.author_name
    author = f"@{author.lstrip('@')}" if item.mention.author_handle else author
    return fill_placeholders(template.text, author=author, ticket=ticket or f"R-{item.pk}")


@transaction.atomic
def answer(
    *, actor, item: QueueItem, template=None, text: str = "", ticket: str = "", channel: str = "", url: str = ""
) -> QueueItem:
    guard, is_manager = _may_answer(actor, item)
    ticket = _text(ticket, "ticket", required=False, limit=60)
    channel = _text(channel, "channel", required=False, limit=120)
    url = _url(url)
    if template is not None:
        if text:
            raise ValidationError({"text": _("Give a template or a free text, not both.")})
        reply = compose(item=item, template=template, ticket=ticket)
    else:
        if not is_manager:
            raise ValidationError(
                {"template": _("Answer from an approved response template; only a manager may write freely.")}
            )
        reply = _text(text, "text", required=True, limit=MAX_REPLY, message=_("Write the reply, or choose a template."))
    now = timezone.now()
    item = transitions.move(
        item,
        action="answer",
        extra_guard=guard,
        assignee=item.assignee or actor,
        done_at=now,
        done_by=actor,
        reply_text=reply,
        reply_channel=channel,
        reply_url=url,
        template=template,
        next_reminder_at=None,
    )
    integration.log(
        incident=item.incident,
        actor=actor,
        action="answered",
        text=reply,
        item=item.pk,
        mention=item.mention_id,
        template=template.pk if template is not None else None,
        channel=channel,
        minutes=round((now - waiting_since(item.mention, item.created_at)).total_seconds() / 60, 1),
    )
    return item


@transaction.atomic
def close_without_reply(*, actor, item: QueueItem, reason: str) -> QueueItem:
    guard, _is_manager = _may_answer(actor, item)
    reason = _text(
        reason, "reason", required=True, message=_("Say why no reply is needed: it goes into the crisis log.")
    )
    item = transitions.move(
        item,
        action="no_reply",
        extra_guard=guard,
        done_at=timezone.now(),
        done_by=actor,
        reason=reason,
        next_reminder_at=None,
    )
    integration.log(incident=item.incident, actor=actor, action="no_reply", text=reason, item=item.pk)
    return item


@transaction.atomic
def escalate(*, actor, item: QueueItem, reason: str) -> QueueItem:
    """Beyond the queue's wording (legal, press, a threat): the managers are told at once."""
    _require(actor, item.incident.cell_id, Role.MEMBER)
    reason = _text(reason, "reason", required=True, message=_("Say why it needs escalating."))
    item = transitions.move(
        item,
        action="escalate",
        done_at=timezone.now(),
        done_by=actor,
        reason=reason,
        next_reminder_at=None,
    )
    integration.log(incident=item.incident, actor=actor, action="escalated", text=reason, item=item.pk)
    integration.notify(
        users=[user for user in integration.managers_of(item.incident.cell) if user.pk != actor.pk],
        cell=item.incident.cell,
        incident=item.incident,
        kind="escalation",
        wording="response.escalated",
        params={
            "name": actor.get_full_name() or actor.username,
            "incident": item.incident.title,
            "text": _excerpt(item),
            "reason": reason,
        },
        link=integration.item_url(item),
        dedupe_key=f"response-escalated:{item.pk}",
    )
    return item


# --- Near-duplicates and bulk actions


@transaction.atomic
def mark_duplicates(*, actor, original: QueueItem, items: list[QueueItem]) -> int:
    _require(actor, original.incident.cell_id, Role.MEMBER)
    ids = [item.pk for item in items if item.pk != original.pk and item.incident_id == original.incident_id]
    if not ids:
        raise ValidationError({"items": _("Choose other items of this incident.")})
    count = QueueItem.objects.filter(pk__in=ids).update(duplicate_of=original)
    integration.log(incident=original.incident, actor=actor, action="duplicates", item=original.pk, copies=ids)
    return count


def bulk(*, actor, incident, item_ids, action: str, **params) -> dict:
    """Answer or close many items: each in its own transaction, each reported (done, or why not)."""
    _require(actor, incident.cell_id, Role.MEMBER)
    try:
        ids = list(dict.fromkeys(int(pk) for pk in item_ids))
    except (TypeError, ValueError):
        raise ValidationError({"items": _("Items are given by their ids (numbers).")}) from None
    if not ids or len(ids) > BULK_MAX:
        raise ValidationError({"items": _("Choose 1 to %(max)s items.") % {"max": BULK_MAX}})
    if action not in ("answer", "no_reply"):
        raise ValidationError({"action": _("Choose answer or no_reply.")})
    items = {
        item.pk: item
        for item in QueueItem.objects.select_related("incident__cell", "mention", "assignee").filter(
            incident=incident, pk__in=ids
        )
    }
    results = []
    for pk in ids:
        item = items.get(pk)
        if item is None:
            results.append({"item": pk, "ok": False, "error": _("No such item in this incident.")})
            continue
        try:
            if action == "answer":
                answer(actor=actor, item=item, **params)
            else:
                close_without_reply(actor=actor, item=item, reason=params.get("reason", ""))
        except ValidationError as error:
            results.append({"item": pk, "ok": False, "error": " ".join(error.messages)})
        except Conflict as error:
            results.append({"item": pk, "ok": False, "error": error.message})
        else:
            results.append({"item": pk, "ok": True})
    return {"done": sum(1 for r in results if r["ok"]), "results": results}


# --- Settings of the cell


@transaction.atomic
def sla_save(*, actor, cell, **minutes) -> SlaPolicy:
    _require(actor, cell.pk, Role.MANAGER)
    policy, _created = SlaPolicy.objects.get_or_create(cell=cell)
    for name in ("crisis_minutes", "alert_minutes", "recovery_minutes"):
        if name in minutes:
            value = int(minutes[name])
            if not 1 <= value <= 7 * 24 * 60:
                raise ValidationError({name: _("Between 1 minute and 7 days.")})
            setattr(policy, name, value)
    if "watch_working_days" in minutes:
        value = int(minutes["watch_working_days"])
        if not 1 <= value <= 20:
            raise ValidationError({"watch_working_days": _("Between 1 and 20 working days.")})
        policy.watch_working_days = value
    policy.save()
    return policy


@transaction.atomic
def rule_save(*, actor, cell, name: str, kind: str, terms: str = "", min_reach=None, is_active=True, instance=None):
    _require(actor, cell.pk, Role.MANAGER)
    from .rules import parse_terms

    name = _text(name, "name", required=True, limit=120, message=_("Give the rule a name."))
    if kind not in RuleKind.values:
        raise ValidationError({"kind": _("Choose a kind of rule.")})
    terms = _text(terms, "terms", required=False, limit=4000)
    if kind == RuleKind.TERMS and not parse_terms(terms):
        raise ValidationError({"terms": _("Give at least one term, one per line.")})
    if kind == RuleKind.REACH and not min_reach:
        raise ValidationError({"min_reach": _("Give the reach above which a mention enters the queue.")})
    rule = instance or QueueRule(cell=cell)
    rule.name, rule.kind, rule.terms, rule.min_reach, rule.is_active = name, kind, terms, min_reach, bool(is_active)
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, actor, rule: QueueRule) -> None:
    _require(actor, rule.cell_id, Role.MANAGER)
    rule.delete()
