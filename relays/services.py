"""Writes on relays, lists and briefings. One transaction each; e-mails leave after commit.

A briefing's deliveries are its outbox: each is claimed pending -> sent with a
conditional UPDATE in the transaction that sends it (relays.tasks), so a retried
or doubled task never e-mails a relay twice. A relay who has not consented, was
erased, has no address or bounced before is never e-mailed by a briefing: their
delivery is written as skipped, with the reason, so the cell sees who was left out.
"""

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cells.models import Cell
from core.errors import Conflict
from core.links import absolute_url

from . import access, bounces, integration
from .models import (
    Answer,
    Briefing,
    BriefingDelivery,
    Consent,
    DeliveryStatus,
    DistributionList,
    Relay,
    RelayHandle,
    SkipReason,
)

RELAY_FIELDS = (
    "name",
    "organisation",
    "kind",
    "email",
    "languages",
    "topics",
    "reach",
    "consent",
    "consent_how",
    "consent_at",
    "notes",
)
MAX_HANDLES = 20


def normalise_handle(handle: str) -> str:
    """ "@Jane_Doe " and "jane_doe" are one account: matching a mention's author is exact on this form."""
    return (handle or "").strip().lstrip("@").lower()


def _clean_handles(handles) -> list[tuple[str, str]]:
    cleaned, errors = [], []
    for index, item in enumerate(handles or []):
        network = str((item or {}).get("network", "")).strip().lower()[:40]
        handle = normalise_handle(str((item or {}).get("handle", "")))
        if not network or not handle:
            errors.append(_("Handle %(n)s: give a network and a handle.") % {"n": index + 1})
        elif len(handle) > 200:
            errors.append(_("Handle %(n)s: at most 200 characters.") % {"n": index + 1})
        elif (network, handle) not in cleaned:
            cleaned.append((network, handle))
    if len(cleaned) > MAX_HANDLES:
        errors.append(_("At most %(max)s handles per relay.") % {"max": MAX_HANDLES})
    if errors:
        raise ValidationError({"handles": errors})
    return cleaned


def _validate(relay: Relay) -> None:
    errors = {}
    try:
        relay.full_clean(exclude=["cell", "created_by"])
    except ValidationError as error:
        errors = error.message_dict
    if not (relay.name or "").strip() and not relay.erased_at:
        errors["name"] = [_("Give the relay's name.")]
    if relay.consent == Consent.GIVEN and not relay.consent_at:
        errors.setdefault("consent_at", []).append(_("Say when consent was given: it is the record of it."))
    for field in ("languages", "topics"):
        value = getattr(relay, field)
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 60 for v in value):
            errors[field] = [_('A list of short words, such as ["fr", "en"].')]
        elif len(value) > 30:
            errors[field] = [_("At most 30 entries.")]
    if len(relay.notes or "") > 2000:
        errors["notes"] = [_("At most %(max)s characters.") % {"max": 2000}]
    if errors:
        raise ValidationError(errors)


def _set_handles(relay: Relay, handles: list[tuple[str, str]]) -> None:
    RelayHandle.objects.filter(relay=relay).delete()
    RelayHandle.objects.bulk_create([RelayHandle(relay=relay, network=n, handle=h) for n, h in handles])


@transaction.atomic
def relay_create(*, actor, cell: Cell, handles=None, **fields) -> Relay:
    access.cell_membership(actor, cell.pk, access.WRITE)
    unknown = set(fields) - set(RELAY_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set here.") for field in sorted(unknown)})
    cleaned = _clean_handles(handles)
    relay = Relay(cell=cell, created_by=actor, **fields)
    _validate(relay)
    relay.save()
    _set_handles(relay, cleaned)
    return relay


@transaction.atomic
def relay_update(*, actor, relay: Relay, handles=None, **fields) -> Relay:
    access.cell_membership(actor, relay.cell_id, access.WRITE)
    relay = Relay.objects.select_for_update().get(pk=relay.pk)
    if relay.erased_at:
        raise Conflict(_("This relay was erased; add them again if they agree to it."), current={"erased": True})
    unknown = set(fields) - set(RELAY_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in sorted(unknown)})
    cleaned = _clean_handles(handles) if handles is not None else None
    if "email" in fields and fields["email"] != relay.email:
        relay.email_bounced_at = None  # a new address is worth a try
    for name, value in fields.items():
        setattr(relay, name, value)
    relay.updated_at = timezone.now()
    _validate(relay)
    relay.save()
    if cleaned is not None:
        _set_handles(relay, cleaned)
    return relay


@transaction.atomic
def relay_mark_bounced(*, actor, relay: Relay) -> Relay:
    access.cell_membership(actor, relay.cell_id, access.WRITE)
    Relay.objects.filter(pk=relay.pk, email_bounced_at__isnull=True).update(email_bounced_at=timezone.now())
    relay.refresh_from_db()
    return relay


@transaction.atomic
def relay_erase(*, actor, relay: Relay) -> Relay:
    """Forget the person: every personal field blanked, handles and list memberships gone.

    The row stays, nameless, so that the briefings it received still count right
    (and nobody can brief it again: it is not contactable)."""
    access.cell_membership(actor, relay.cell_id, access.MANAGE)
    now = timezone.now()
    Relay.objects.filter(pk=relay.pk).update(
        name="",
        organisation="",
        email="",
        languages=[],
        topics=[],
        reach=None,
        consent=Consent.UNKNOWN,
        consent_how="",
        consent_at=None,
        notes="",
        erased_at=now,
        updated_at=now,
    )
    RelayHandle.objects.filter(relay=relay).delete()
    relay.lists.clear()
    BriefingDelivery.objects.filter(relay=relay).update(relayed_url="")
    relay.refresh_from_db()
    return relay


def relay_export(*, actor, relay: Relay) -> dict:
    """Everything the cell holds about one person (the right of access), as plain data."""
    access.cell_membership(actor, relay.cell_id, access.MANAGE)
    deliveries = relay.deliveries.select_related("briefing__version__statement__incident").order_by("pk")
    return {
        "relay": {
            "id": relay.pk,
            **{field: _plain(getattr(relay, field)) for field in RELAY_FIELDS},
            "email_bounced_at": _plain(relay.email_bounced_at),
            "erased_at": _plain(relay.erased_at),
            "created_at": _plain(relay.created_at),
            "handles": [{"network": h.network, "handle": h.handle} for h in relay.handles.all()],
            "lists": list(relay.lists.values_list("name", flat=True)),
        },
        "briefings": [
            {
                "incident": d.briefing.incident_id,
                "statement": d.briefing.version.statement.title,
                "version": d.briefing.version.number,
                "status": d.status,
                "sent_at": _plain(d.sent_at),
                "opened_at": _plain(d.opened_at),
                "answer": d.answer,
                "relayed_at": _plain(d.relayed_at),
                "relayed_url": d.relayed_url,
            }
            for d in deliveries
        ],
    }


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- Distribution lists


def _relays_of_cell(cell_id: int, ids) -> list[Relay]:
    try:
        ids = sorted({int(pk) for pk in ids or []})
    except (TypeError, ValueError):
        raise ValidationError({"relays": _("Relays are given by their ids (numbers).")}) from None
    found = list(Relay.objects.filter(cell_id=cell_id, pk__in=ids, erased_at__isnull=True))
    missing = sorted(set(ids) - {relay.pk for relay in found})
    if missing:
        raise ValidationError(
            {"relays": _("No such relay in this cell: %(ids)s.") % {"ids": ", ".join(f"#{pk}" for pk in missing)}}
        )
    return found


@transaction.atomic
def list_save(*, actor, cell: Cell, name: str, description: str = "", relays=(), instance=None) -> DistributionList:
    access.cell_membership(actor, cell.pk, access.WRITE)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": _("Give the list a name (at most 120 characters).")})
    if len(description or "") > 1000:
        raise ValidationError({"description": _("At most %(max)s characters.") % {"max": 1000}})
    taken = DistributionList.objects.filter(cell=cell, name__iexact=name)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ValidationError({"name": _("The cell already has a list with this name.")})
    members = _relays_of_cell(cell.pk, relays)
    found = instance or DistributionList(cell=cell)
    found.name, found.description = name, description or ""
    found.save()
    found.relays.set(members)
    return found


@transaction.atomic
def list_delete(*, actor, distribution_list: DistributionList) -> None:
    access.cell_membership(actor, distribution_list.cell_id, access.WRITE)
    distribution_list.delete()


# --- Briefings


def skip_reason(relay: Relay) -> str:
    if relay.erased_at:
        return SkipReason.ERASED
    if relay.consent != Consent.GIVEN:
        return SkipReason.NO_CONSENT
    if not relay.email:
        return SkipReason.NO_EMAIL
    if relay.email_bounced_at:
        return SkipReason.BOUNCED
    return ""


@transaction.atomic
def brief(*, actor, version, relays=(), lists=(), note: str = "") -> Briefing:
    """Send a published statement version, with its verified facts, to relays and lists.

    Relays named twice (directly and through a list, or in two lists) get one e-mail."""
    incident = version.statement.incident
    access.cell_membership(actor, incident.cell_id, access.MANAGE)
    if not integration.is_published(version):
        raise Conflict(
            _("Only the published version of a statement can be sent to relays; this one is %(status)s.")
            % {"status": version.get_status_display()},
            current={"status": version.status},
        )
    if version.statement.needs_review:
        raise Conflict(
            _("This statement needs review (a fact it cites was refuted): it cannot be sent until approved again."),
            current={"needs_review": True},
        )
    if len(note or "") > 2000:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": 2000}})
    chosen = {relay.pk: relay for relay in _relays_of_cell(incident.cell_id, relays)}
    try:
        list_ids = sorted({int(pk) for pk in lists or []})
    except (TypeError, ValueError):
        raise ValidationError({"lists": _("Lists are given by their ids (numbers).")}) from None
    found_lists = list(DistributionList.objects.filter(cell_id=incident.cell_id, pk__in=list_ids))
    missing = sorted(set(list_ids) - {item.pk for item in found_lists})
    if missing:
        raise ValidationError(
            {"lists": _("No such list in this cell: %(ids)s.") % {"ids": ", ".join(f"#{pk}" for pk in missing)}}
        )
    for relay in Relay.objects.filter(lists__in=found_lists, erased_at__isnull=True):
        chosen.setdefault(relay.pk, relay)
    if not chosen:
        raise ValidationError({"relays": _("Choose at least one relay or one list with relays in it.")})
    briefing = Briefing.objects.create(incident=incident, version=version, note=note or "", created_by=actor)
    deliveries = []
    for relay in sorted(chosen.values(), key=lambda r: r.pk):
        # A drill practises the briefing (who would get it, the crisis log) without contacting anyone.
        reason = SkipReason.EXERCISE if incident.is_exercise else skip_reason(relay)
        status = DeliveryStatus.SKIPPED if reason else DeliveryStatus.PENDING
        deliveries.append(BriefingDelivery(briefing=briefing, relay=relay, status=status, skip_reason=reason))
    BriefingDelivery.objects.bulk_create(deliveries)
    to_send = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
    integration.log(
        incident=incident,
        actor=actor,
        action="briefed",
        statement=version.statement_id,
        version=version.number,
        briefing=briefing.pk,
        sent=len(to_send),
        skipped=len(deliveries) - len(to_send),
    )
    if to_send:
        from .tasks import send_briefing_emails

        transaction.on_commit(lambda: send_briefing_emails.delay(to_send))
    return briefing


def tracked_link(delivery: BriefingDelivery) -> str:
    from django.urls import reverse

    return absolute_url(reverse("relays:tracked", args=[delivery.token]))


def _language_for(relay: Relay) -> str:
    for code in relay.languages or []:
        if code in dict(settings.LANGUAGES):
            return code
    return settings.LANGUAGE_CODE


def render_briefing_email(delivery: BriefingDelivery) -> tuple[str, str, str]:
    """(subject, text, html) in the relay's language. Every user text is escaped in the HTML part."""
    version = delivery.briefing.version
    context = {
        "relay": delivery.relay,
        "briefing": delivery.briefing,
        "statement": version.statement,
        "version": version,
        "facts": integration.verified_facts_of(version),
        "link": tracked_link(delivery),
        "cell": delivery.relay.cell,
    }
    with translation.override(_language_for(delivery.relay)):
        subject = _("To relay: %(title)s") % {"title": version.statement.title}
        text = render_to_string("relays/email/briefing.txt", context)
        html = render_to_string("relays/email/briefing.html", context)
    return subject.replace("\n", " ")[:200], text, html


def deliver(delivery_id: int) -> bool:
    """E-mail one pending delivery; True if this call sent it. Claimed pending -> sent first."""
    with transaction.atomic():
        delivery = (
            BriefingDelivery.objects.select_for_update(of=("self",))
            .select_related("relay__cell", "briefing__version__statement", "briefing__incident")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return False
        # Consent withdrawn or an address bounced since the briefing was queued: still never contacted.
        # Nor about a drill, whatever queued it.
        reason = SkipReason.EXERCISE if delivery.briefing.incident.is_exercise else skip_reason(delivery.relay)
        if reason:
            BriefingDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SKIPPED, skip_reason=reason)
            return False
        now = timezone.now()
        BriefingDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=now)
        subject, text, html = render_briefing_email(delivery)
        # The envelope sender is where bounces go (BRIEFING_BOUNCE_ADDRESS, read by process_bounces);
        # the relay sees the cell's usual From.
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.BRIEFING_BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL,
            to=[delivery.relay.email],
            headers={"From": settings.DEFAULT_FROM_EMAIL},
        )
        message.attach_alternative(html, "text/html")
        # Signed and naming the delivery: a bounce that comes back later finds it (relays.bounces).
        message.extra_headers["Message-ID"] = bounces.briefing_message_id(delivery.pk)
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            # The server refused the address: this relay is never e-mailed in bulk again.
            code, said = next(iter(error.recipients.values()), (550, b""))
            BriefingDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.BOUNCED,
                sent_at=None,
                bounced_at=now,
                bounce_status=str(code)[:16],
                bounce_detail=(said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said))[:300],
            )
            Relay.objects.filter(pk=delivery.relay_id).update(email_bounced_at=now)
            return False
    return True


# --- Late bounces (delivery status notifications)


@transaction.atomic
def record_bounce(*, delivery_id: int, report) -> bool:
    """A DSN says a sent briefing e-mail failed: the delivery is bounced (once: a second copy of the
    DSN changes nothing) and, for a permanent failure of the address it was sent to, the relay is
    never e-mailed in bulk again. One crisis-log entry; the statement's relay panels refresh."""
    delivery = (
        BriefingDelivery.objects.select_related("relay", "briefing__incident", "briefing__version")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return False
    now = timezone.now()
    moved = BriefingDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.BOUNCED, bounced_at=now, bounce_status=report.status, bounce_detail=report.diagnostic
    )
    if not moved:
        return False
    # The relay may have given a new address since: only the address that failed is given up.
    if report.permanent and report.recipient and report.recipient == (delivery.relay.email or "").lower():
        Relay.objects.filter(pk=delivery.relay_id, email_bounced_at__isnull=True).update(email_bounced_at=now)
    version = delivery.briefing.version
    integration.log(
        incident=delivery.briefing.incident,
        actor=None,
        action="bounced",
        statement=version.statement_id,
        version=version.number,
        briefing=delivery.briefing_id,
        delivery=delivery.pk,
        status=report.status or "?",
    )
    return True


def process_dsn(raw: bytes) -> dict:
    """Read one incoming message; a DSN of a failed briefing e-mail marks its delivery bounced.

    Returns what was done, for the command's output and the tests: {"dsn": bool,
    "bounced": [delivery ids], "ignored": [(delivery id or None, why)]}."""
    dsn = bounces.parse(raw)
    if dsn is None:
        return {"dsn": False, "bounced": [], "ignored": [(None, "not a delivery status notification")]}
    failed = [report for report in dsn.reports if report.failed]
    result = {"dsn": True, "bounced": [], "ignored": []}
    if not dsn.delivery_ids:
        result["ignored"].append((None, "quotes no briefing e-mail of ours"))
        return result
    for delivery_id in dsn.delivery_ids:
        if not failed:
            # "delayed" (still trying), "delivered", "relayed": nothing bounced yet.
            result["ignored"].append((delivery_id, "not a failure: " + ",".join(r.action for r in dsn.reports)))
        elif record_bounce(delivery_id=delivery_id, report=failed[0]):
            result["bounced"].append(delivery_id)
        else:
            result["ignored"].append((delivery_id, "already bounced, not sent, or unknown"))
    return result


# --- What came of a briefing


def delivery_by_token(token: str) -> BriefingDelivery | None:
    if not token or len(token) > 64:
        return None
    return (
        BriefingDelivery.objects.select_related("relay", "briefing__version__statement__incident")
        .filter(token=token, relay__erased_at__isnull=True)
        .first()
    )


def record_open(delivery: BriefingDelivery) -> None:
    from django.db.models import F
    from django.db.models.functions import Coalesce

    now = timezone.now()
    BriefingDelivery.objects.filter(pk=delivery.pk).update(
        opened_at=Coalesce(F("opened_at"), now), open_count=F("open_count") + 1
    )


@transaction.atomic
def answer_by_relay(*, delivery: BriefingDelivery, answer: str, url: str = "") -> BriefingDelivery:
    """The relay's own answer through their link: acknowledged, shared (optionally where), declined."""
    if answer not in (Answer.ACKNOWLEDGED, Answer.SHARED, Answer.DECLINED):
        raise ValidationError({"answer": _("Choose acknowledged, shared or declined.")})
    url = _clean_url(url) if answer == Answer.SHARED else ""
    now = timezone.now()
    fields = {"answer": answer, "answered_at": now}
    if answer == Answer.SHARED:
        fields |= {"relayed_at": now, "relayed_url": url, "relayed_source": "relay"}
    BriefingDelivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    version = delivery.briefing.version
    integration.log(
        incident=delivery.briefing.incident,
        actor=None,
        action="answered",
        statement=version.statement_id,
        briefing=delivery.briefing_id,
        delivery=delivery.pk,
        answer=answer,
    )
    return delivery


def _clean_url(url: str) -> str:
    from django.core.validators import URLValidator

    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 1000:
        raise ValidationError({"url": _("At most %(max)s characters.") % {"max": 1000}})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Give a link that starts with http:// or https://.")}) from None
    return url


@transaction.atomic
def mark_relayed(*, actor, delivery: BriefingDelivery, url: str = "", source: str = "hand") -> BriefingDelivery:
    """A member saw the relay pass it on (or a mention of theirs matched): recorded once."""
    incident = delivery.briefing.incident
    if actor is not None:  # None: the system, from a matched mention
        access.cell_membership(actor, incident.cell_id, access.WRITE)
    url = _clean_url(url)
    moved = BriefingDelivery.objects.filter(pk=delivery.pk, relayed_at__isnull=True).update(
        relayed_at=timezone.now(), relayed_url=url, relayed_source=source, relayed_by=actor
    )
    if not moved:
        raise Conflict(_("Already marked as relayed."), current={"relayed": True})
    delivery.refresh_from_db()
    integration.log(
        incident=incident,
        actor=actor,
        action="relayed",
        statement=delivery.briefing.version.statement_id,
        briefing=delivery.briefing_id,
        delivery=delivery.pk,
        source=source,
    )
    return delivery


# How long after a briefing a relay's own mention still counts as relaying it.
RELAY_WINDOW_DAYS = 7


def match_relayed_mentions(*, limit: int = 500) -> int:
    """Deliveries sent in the last week and not yet relayed: a mention by one of the relay's handles,
    published after the e-mail, marks it relayed (source "mention", with the mention's link)."""
    import datetime

    since = timezone.now() - datetime.timedelta(days=RELAY_WINDOW_DAYS)
    pending = (
        BriefingDelivery.objects.filter(status=DeliveryStatus.SENT, relayed_at__isnull=True, sent_at__gte=since)
        .select_related("briefing__incident", "briefing__version", "relay")
        .prefetch_related("relay__handles")
        .order_by("pk")[:limit]
    )
    matched = 0
    for delivery in pending:
        handles = [h.handle for h in delivery.relay.handles.all()]
        if not handles:
            continue
        mention = (
            integration.mentions_by_handles(delivery.relay.cell_id, handles, delivery.sent_at)
            .order_by("published_at", "pk")
            .first()
        )
        if mention is None:
            continue
        try:
            mark_relayed(actor=None, delivery=delivery, url=mention.safe_url, source="mention")
        except (Conflict, ValidationError):
            continue  # marked meanwhile by hand, or a link the validator refuses: the mark stands as it is
        matched += 1
    return matched
