"""Signed checkpoints of the crisis log, kept outside the database (issue 10).

The hash chain (crisislog.py) shows that a stored entry was changed, but someone
with write access to the database can also delete the last entries and lower the
incident's counter, or rewrite an entry and recompute every later hash: the chain
is then valid again. So, at intervals (Celery beat) and at every level change, the
head of each log that moved is signed with a key that the database does not hold
(Ed25519; CRISIS_LOG_SIGNING_KEY or CRISIS_LOG_SIGNING_KEY_FILE, by default a key
generated into var/) and written to sinks the database cannot rewrite (by default
an append-only JSON-lines file; more sinks can be named in CRISIS_LOG_ANCHOR_SINKS).

A checkpoint carries the hash of every entry since the previous one, so that
verification can name the first entry that no longer matches, and says up to
which entry the log is covered. Verification reads the checkpoints from the sinks,
never from the database (the LogCheckpoint rows are a convenience for the pages).
"""

import base64
import datetime
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Incident, LogCheckpoint, LogEntry

FORMAT_VERSION = 1


# --- The key ---------------------------------------------------------------------------
def _load_or_create_key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return base64.b64decode(path.read_text().strip())
    seed = os.urandom(32)
    with os.fdopen(fd, "w") as file:
        file.write(base64.b64encode(seed).decode())
    return seed


def signing_key() -> Ed25519PrivateKey:
    if settings.CRISIS_LOG_SIGNING_KEY:
        seed = base64.b64decode(settings.CRISIS_LOG_SIGNING_KEY)
    else:
        seed = _load_or_create_key_file(Path(settings.CRISIS_LOG_SIGNING_KEY_FILE))
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key_bytes(key)).hexdigest()[:16]


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- Sinks -----------------------------------------------------------------------------
class FileSink:
    """One JSON line per checkpoint, appended (O_APPEND, under an exclusive lock), never rewritten.

    Put the file where the database's users cannot write (its own volume; `chattr +a`
    makes it append-only even for its owner)."""

    readable = True

    def __init__(self, path: str | None = None):
        self.path = Path(path or settings.CRISIS_LOG_ANCHOR_FILE)

    def write(self, checkpoint: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(checkpoint, sort_keys=True, separators=(",", ":")) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self, incident_id: int) -> list[dict]:
        if not self.path.exists():
            return []
        checkpoints = []
        with self.path.open(encoding="utf-8") as file:
            for line in file:
                try:
                    item = json.loads(line)
                except ValueError:
                    continue  # a torn or foreign line proves nothing; signatures decide
                if isinstance(item, dict) and item.get("payload", {}).get("incident") == incident_id:
                    checkpoints.append(item)
        return checkpoints


def sinks() -> list:
    return [import_string(path)() for path in settings.CRISIS_LOG_ANCHOR_SINKS]


# --- Writing a checkpoint --------------------------------------------------------------
def anchor_incident(incident_id: int) -> LogCheckpoint | None:
    """Sign the head of this incident's log if it moved since the last checkpoint; None otherwise."""
    head = Incident.objects.filter(pk=incident_id).values_list("log_seq", flat=True).first()
    previous = LogCheckpoint.objects.filter(incident_id=incident_id).order_by("-seq").first()
    since = previous.seq if previous and previous.seq <= (head or 0) else 0
    if not head or head == since:
        return None
    entries = list(
        LogEntry.objects.filter(incident_id=incident_id, seq__gt=since, seq__lte=head)
        .order_by("seq")
        .values_list("seq", "hash")
    )
    if not entries or entries[-1][0] != head:
        return None  # the head is not committed yet (or the log is broken: verification will say so)
    key = signing_key()
    payload = {
        "v": FORMAT_VERSION,
        "incident": incident_id,
        "seq": head,
        "hash": entries[-1][1],
        "entries": [[seq, entry_hash] for seq, entry_hash in entries],
        "signed_at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "key_id": key_id(key.public_key()),
    }
    signature = base64.b64encode(key.sign(canonical(payload))).decode()
    # Out of the database first: a checkpoint recorded here but written nowhere would prove nothing.
    for sink in sinks():
        sink.write({"payload": payload, "signature": signature})
    return LogCheckpoint.objects.create(
        incident_id=incident_id,
        seq=head,
        hash=payload["hash"],
        signed_at=datetime.datetime.fromisoformat(payload["signed_at"]),
        key_id=payload["key_id"],
        signature=signature,
    )


# --- Reading them back -----------------------------------------------------------------
@dataclass
class Anchors:
    hashes: dict[int, str] = field(default_factory=dict)  # seq -> hash as signed
    covered_seq: int = 0  # the latest checkpoint's head
    checkpoint_at: datetime.datetime | None = None
    invalid: int = 0  # lines whose signature does not hold: reported, never believed


def anchors_for(incident_id: int) -> Anchors:
    public = signing_key().public_key()
    anchors = Anchors()
    for sink in sinks():
        if not getattr(sink, "readable", False):
            continue
        for item in sink.read(incident_id):
            payload = item.get("payload") or {}
            try:
                public.verify(base64.b64decode(item.get("signature", "")), canonical(payload))
            except (InvalidSignature, ValueError, TypeError):
                anchors.invalid += 1
                continue
            for seq, entry_hash in payload.get("entries", []):
                anchors.hashes.setdefault(int(seq), entry_hash)
            if payload["seq"] >= anchors.covered_seq:
                anchors.covered_seq = payload["seq"]
                anchors.checkpoint_at = datetime.datetime.fromisoformat(payload["signed_at"])
    return anchors
