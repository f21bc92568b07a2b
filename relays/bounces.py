"""Late bounces: delivery status notifications (DSN, RFC 3464) that come back after a briefing left.

A server that accepted a briefing e-mail may still fail to deliver it later (the mailbox is
gone, full, the next hop refuses it). It then mails a DSN to the sender: a
multipart/report; report-type=delivery-status message whose message/delivery-status part
says, per recipient, the Action ("failed", "delayed"...), the Status ("5.1.1") and what
the server said; a third part quotes the original message or its headers (RFC 6522).

Every briefing e-mail carries a Message-ID that names its delivery and is signed with the
secret key (briefing_message_id): a DSN that quotes it finds the delivery, a forged or
mangled one finds nothing. The standard library's email package parses DSNs (it reads
message/delivery-status into its field blocks): no third-party parser is needed, and the
one that was known for it (flanker) is no longer maintained.

How DSNs reach the app: the mail server pipes each message sent to the bounce address into
`manage.py process_bounces` (or a mailbox is exported and its files given to the command).
"""

import email
import re
from dataclasses import dataclass
from email.parser import HeaderParser
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

MAX_BYTES = 2_000_000  # a DSN quotes at most the original message; anything larger is not one
SALT = "relays.briefing-message-id"
MESSAGE_ID = re.compile(r"<briefing\.(\d{1,18})\.([0-9a-f]{20})@[^>\s]{1,255}>")


def _signature(delivery_id: int) -> str:
    return salted_hmac(SALT, str(delivery_id)).hexdigest()[:20]


def briefing_message_id(delivery_id: int) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "crisiscell.invalid"
    return f"<briefing.{delivery_id}.{_signature(delivery_id)}@{domain}>"


def delivery_of_message_id(value: str) -> int | None:
    """The delivery a quoted Message-ID names, if its signature is ours."""
    match = MESSAGE_ID.search(value or "")
    if match is None:
        return None
    delivery_id = int(match.group(1))
    return delivery_id if constant_time_compare(match.group(2), _signature(delivery_id)) else None


@dataclass(frozen=True)
class RecipientReport:
    recipient: str  # the Final-Recipient's address, lower-cased
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # "5.1.1"
    diagnostic: str  # what the remote server said (a stranger's text: escaped when shown)

    @property
    def failed(self) -> bool:
        return self.action == "failed"

    @property
    def permanent(self) -> bool:
        """A 5.x.x failure: the address itself is refused, never worth e-mailing again."""
        return self.failed and self.status.startswith("5")


@dataclass(frozen=True)
class Dsn:
    reports: tuple[RecipientReport, ...]
    delivery_ids: tuple[int, ...]


def _field(block, name: str) -> str:
    value = block.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _address(value: str) -> str:
    """ "rfc822; Jane@Example.org" -> "jane@example.org"."""
    _kind, _sep, address = value.partition(";")
    return parseaddr((address or value).strip())[1].lower()


def parse(raw: bytes) -> Dsn | None:
    """The recipients' reports and the deliveries a DSN speaks of; None when it is not a DSN."""
    if len(raw) > MAX_BYTES:
        return None
    message = email.message_from_bytes(raw)
    if message.get_content_type() != "multipart/report":
        return None
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return None
    reports, delivery_ids = [], []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            # One block of per-message fields, then one block per recipient.
            for block in part.get_payload() or []:
                if not (block.get("Final-Recipient") or block.get("Original-Recipient")):
                    continue
                reports.append(
                    RecipientReport(
                        recipient=_address(_field(block, "Final-Recipient") or _field(block, "Original-Recipient")),
                        action=_field(block, "Action").lower(),
                        status=_field(block, "Status").split(" ")[0][:16],
                        diagnostic=_field(block, "Diagnostic-Code")[:300],
                    )
                )
        elif kind in ("message/rfc822", "message/global"):
            for inner in part.get_payload() or []:
                delivery_ids.append(delivery_of_message_id(str(inner.get("Message-ID", ""))))
        elif kind in ("text/rfc822-headers", "message/global-headers"):
            payload = part.get_payload(decode=True) or b""
            headers = HeaderParser().parsestr(payload.decode("utf-8", "replace"))
            delivery_ids.append(delivery_of_message_id(str(headers.get("Message-ID", ""))))
    ids = tuple(dict.fromkeys(pk for pk in delivery_ids if pk is not None))
    return Dsn(reports=tuple(reports), delivery_ids=ids)
