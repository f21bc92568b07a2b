"""The incident chat: post (with @mentions and references), and promote a message to the crisis log."""

import operator
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Membership, Role
from core.errors import Conflict
from incidents import crisislog, events, references
from incidents.models import Incident, LogCategory, LogEntry, LogKind
from notifications.services import notify

from .markdown import MENTION_RE, REF_RE
from .models import ChatMessage, ChatNotice

MAX_TEXT = ChatMessage._meta.get_field("text").max_length


def _clean(text) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a message.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("Keep a message under %(max)s characters.") % {"max": MAX_TEXT}})
    return text


def _mentioned_members(incident: Incident, text: str, actor) -> list:
    names = {name.lower() for name in MENTION_RE.findall(text)}
    if not names:
        return []
    # Usernames match case-insensitively; only the cell's active members can be mentioned.
    named = reduce(operator.or_, (Q(user__username__iexact=name) for name in sorted(names)))
    members = Membership.objects.filter(named, cell_id=incident.cell_id, user__is_active=True).exclude(user=actor)
    return [membership.user for membership in members.select_related("user")]


def _resolve_refs(incident: Incident, text: str) -> list[dict]:
    """The references of the text that exist in this incident (log entries by their number)."""
    wanted: dict[str, set[int]] = {}
    for kind, raw in REF_RE.findall(text):
        wanted.setdefault(kind, set()).add(int(raw))
    found = []
    if "log" in wanted:
        seqs = LogEntry.objects.filter(incident=incident, seq__in=wanted["log"]).values_list("seq", flat=True)
        found += [{"kind": "log", "id": seq} for seq in sorted(seqs)]
    for kind in references.kinds():
        if kind in wanted:
            model = references.get(kind).model
            ids = model.objects.filter(incident=incident, pk__in=wanted[kind]).values_list("pk", flat=True)
            found += [{"kind": kind, "id": pk} for pk in sorted(ids)]
    return found


@transaction.atomic
def chat_post(*, actor, incident: Incident, text: str) -> ChatMessage:
    """Observers may write too: commenting is how legal or the executive take part."""
    require_role(membership_for(actor, incident.cell_id), Role.OBSERVER)
    text = _clean(text)
    mentioned = _mentioned_members(incident, text, actor)
    message = ChatMessage.objects.create(incident=incident, author=actor, text=text, refs=_resolve_refs(incident, text))
    message.mentions.set(mentioned)
    events.record(
        incident_id=incident.pk,
        type="chat.posted",
        object_id=message.pk,
        data={"panels": ["chat"], "mentions": sorted(user.pk for user in mentioned)},
        actor=actor,
    )
    if mentioned:
        notify(
            users=mentioned,
            cell=incident.cell,
            incident=incident,
            kind=ChatNotice.MENTION,
            wording="mention",
            params={"name": str(actor), "incident": incident.title, "text": text[:500]},
            link=reverse("incidents:detail", args=[incident.pk]) + f"#chat-{message.pk}",
            data={"chat_message": message.pk},
            dedupe_key=f"chat:{message.pk}",
        )
    return message


@transaction.atomic
def chat_promote(*, actor, message: ChatMessage, category: str = LogCategory.DECISION) -> LogEntry:
    """Record the message in the crisis log (once), e.g. a decision taken in the chat."""
    require_role(membership_for(actor, message.incident.cell_id), Role.MEMBER)
    if category not in LogCategory.values:
        raise ValidationError({"category": _("“%(value)s” is not a category.") % {"value": category}})
    message = ChatMessage.objects.select_for_update().select_related("incident", "author").get(pk=message.pk)
    if message.promoted_entry_id is not None:
        raise Conflict(
            _("This message is already in the crisis log (entry #%(seq)s).") % {"seq": message.promoted_entry.seq},
            current={"promoted_entry": message.promoted_entry_id},
        )
    entry = crisislog.append_entry(
        incident=message.incident,
        kind=LogKind.NOTE,
        actor=actor,
        text=message.text,
        category=category,
        data={"chat_message": message.pk, "author": message.author_id, "said_at": message.created_at.isoformat()},
    )
    ChatMessage.objects.filter(pk=message.pk, promoted_entry__isnull=True).update(
        promoted_entry=entry, promoted_by=actor
    )
    events.record(
        incident_id=message.incident_id,
        type="chat.promoted",
        object_id=message.pk,
        data={"panels": ["chat"], "entry": entry.pk},
        actor=actor,
    )
    return entry
