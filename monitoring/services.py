"""Monitoring's business rules: one transaction each, the role checked inside.

Who may do what: members of the cell read; members act on alerts (open an incident,
dismiss); admins manage sources, ingestion tokens and watchlists; managers too for
watchlists (they tune the thresholds of the alerts they act on).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.access import membership_for, require_role
from cells.models import Role
from core.errors import Conflict

from . import broadcast, integration, matching
from .models import Alert, AlertStatus, IngestToken, Source, SourceKind, ToneWord, Watchlist, token_digest

WATCHLIST_FIELDS = (
    "name",
    "terms",
    "exclusions",
    "languages",
    "is_active",
    "window_minutes",
    "baseline_days",
    "spike_factor",
    "spike_min_count",
    "negative_jump",
    "reach_threshold",
)
MAX_TERMS = 20_000
REASON_MAX = 500


def _require(actor, cell_id, role):
    return require_role(membership_for(actor, cell_id), role)


def _clean(instance) -> None:
    try:
        instance.full_clean(exclude=["cell", "source", "watchlist"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _check_watchlist(watchlist: Watchlist) -> None:
    errors = {}
    terms = matching.parse_terms(watchlist.terms)
    if not terms:
        errors["terms"] = _("Give at least one term: a word, a phrase, #hashtag or @handle, one per line.")
    elif len(terms) + len(matching.parse_terms(watchlist.exclusions)) > MAX_TERMS:
        errors["terms"] = _("At most %(max)s terms in one watchlist.") % {"max": MAX_TERMS}
    if not isinstance(watchlist.languages, list) or not all(
        isinstance(code, str) and 0 < len(code) <= 8 for code in watchlist.languages
    ):
        errors["languages"] = _("Give language codes such as fr, en.")
    if not 0 < watchlist.negative_jump <= 1:
        errors["negative_jump"] = _("A share between 0 and 1 (0.25 = 25 points).")
    if watchlist.spike_factor < 1:
        errors["spike_factor"] = _("At least 1 (times the baseline).")
    if not 1 <= watchlist.window_minutes <= 24 * 60:
        errors["window_minutes"] = _("Between 1 and 1440 minutes.")
    if not 1 <= watchlist.baseline_days <= 28:
        errors["baseline_days"] = _("Between 1 and 28 days.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def watchlist_create(*, actor, cell, **fields) -> Watchlist:
    _require(actor, cell.pk, Role.MANAGER)
    watchlist = Watchlist(cell=cell, **{key: value for key, value in fields.items() if key in WATCHLIST_FIELDS})
    watchlist.languages = [code.lower() for code in watchlist.languages or []]
    _check_watchlist(watchlist)
    _clean(watchlist)
    if Watchlist.objects.filter(cell=cell, name=watchlist.name).exists():
        raise ValidationError({"name": _("The cell already has a watchlist of that name.")})
    watchlist.save()
    watchlist.watchers.add(actor)
    return watchlist


@transaction.atomic
def watchlist_update(*, actor, watchlist: Watchlist, **changes) -> Watchlist:
    _require(actor, watchlist.cell_id, Role.MANAGER)
    watchlist = Watchlist.objects.select_for_update().get(pk=watchlist.pk)
    for key, value in changes.items():
        if key in WATCHLIST_FIELDS:
            setattr(watchlist, key, value)
    _check_watchlist(watchlist)
    _clean(watchlist)
    # A new version: every process rebuilds its automaton at its next batch.
    watchlist.version += 1
    watchlist.save()
    return watchlist


@transaction.atomic
def watch(*, actor, watchlist: Watchlist, watching: bool = True) -> None:
    """Follow a watchlist (be notified of its alerts), or stop: any member, for themselves."""
    _require(actor, watchlist.cell_id, Role.OBSERVER)
    (watchlist.watchers.add if watching else watchlist.watchers.remove)(actor)


@transaction.atomic
def source_create(*, actor, cell, kind: str, name: str, url: str = "", config=None, poll_interval_seconds=300):
    _require(actor, cell.pk, Role.ADMIN)
    source = Source(
        cell=cell, kind=kind, name=name, url=url, config=config or {}, poll_interval_seconds=poll_interval_seconds
    )
    _clean(source)
    if kind in (SourceKind.RSS, SourceKind.MASTODON) and not url:
        raise ValidationError({"url": _("Give the address of the feed or of the Mastodon instance.")})
    if kind == SourceKind.MASTODON and (source.config or {}).get("timeline") not in ("hashtag", "search"):
        raise ValidationError({"config": _("Say which timeline: hashtag or search, with its query.")})
    if not 60 <= poll_interval_seconds <= 86400:
        raise ValidationError({"poll_interval_seconds": _("Between 60 seconds and a day.")})
    if Source.objects.filter(cell=cell, name=name).exists():
        raise ValidationError({"name": _("The cell already has a source of that name.")})
    source.next_poll_at = timezone.now()
    source.save()
    return source


@transaction.atomic
def ingest_token_create(*, actor, source: Source, name: str) -> tuple[IngestToken, str]:
    """(token, key): the key is returned this once; only its digest is kept."""
    _require(actor, source.cell_id, Role.ADMIN)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": _("Name the token (who uses it), in at most 120 characters.")})
    key = IngestToken.new_key()
    token = IngestToken.objects.create(source=source, name=name, digest=token_digest(key), created_by=actor)
    return token, key


@transaction.atomic
def ingest_token_revoke(*, actor, token: IngestToken) -> IngestToken:
    _require(actor, token.source.cell_id, Role.ADMIN)
    IngestToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def token_source(key: str) -> Source | None:
    """The source a live ingestion key writes to (None: unknown or revoked)."""
    if not key.startswith(IngestToken.PREFIX):
        return None
    token = (
        IngestToken.objects.select_related("source")
        .filter(digest=token_digest(key), revoked_at__isnull=True, source__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        IngestToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute: no hot row
    return token.source


def _claim_open(alert: Alert, **changes) -> Alert:
    """Close an open alert once: two people acting at once, the second gets a Conflict."""
    claimed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(**changes)
    if not claimed:
        current = Alert.objects.get(pk=alert.pk)
        raise Conflict(
            _("This alert was already handled (%(status)s).") % {"status": current.get_status_display()},
            current={"status": current.status, "incident": current.incident_id},
        )
    alert.refresh_from_db()
    broadcast.alert_changed(cell_id=alert.cell_id, alert_id=alert.pk, status=alert.status)
    return alert


@transaction.atomic
def alert_dismiss(*, actor, alert: Alert, reason: str) -> Alert:
    _require(actor, alert.cell_id, integration.ESCALATE_ROLE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the alert is dismissed: the reason is kept.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}})
    return _claim_open(
        alert, status=AlertStatus.DISMISSED, dismiss_reason=reason, closed_by=actor, closed_at=timezone.now()
    )


@transaction.atomic
def alert_escalate(*, actor, alert: Alert, level: str = "watch", title: str = "", incident=None):
    """One click from an alert: a new incident at `watch` or `alert`, or the alert attached to an
    open incident of the cell; either way the evidence goes into the crisis log. Returns the incident."""
    _require(actor, alert.cell_id, integration.ESCALATE_ROLE)
    if incident is None:
        if level not in ("watch", "alert"):
            raise ValidationError({"level": _("An incident opened from an alert starts at watch or alert.")})
        title = (title or "").strip() or _("%(cause)s on “%(watchlist)s”") % {
            "cause": alert.get_cause_display(),
            "watchlist": alert.watchlist.name,
        }
        incident = integration.create_incident(
            actor=actor,
            cell=alert.cell,
            title=title[:200],
            level=level,
            reason=_("Monitoring alert: %(cause)s") % {"cause": alert.get_cause_display()},
        )
    elif (
        incident.cell_id != alert.cell_id or not integration.open_incidents(alert.cell).filter(pk=incident.pk).exists()
    ):
        raise ValidationError({"incident": _("Choose an open incident of this cell.")})
    alert = _claim_open(
        alert, status=AlertStatus.ESCALATED, incident=incident, closed_by=actor, closed_at=timezone.now()
    )
    integration.log_alert(actor=actor, incident=incident, alert=alert)
    return incident


@transaction.atomic
def tone_word_add(*, actor, cell, word: str, polarity: int) -> ToneWord:
    _require(actor, cell.pk, Role.MANAGER)
    word = matching.fold((word or "").strip())
    if not word or len(word) > 80 or " " in word:
        raise ValidationError({"word": _("One word, at most 80 characters.")})
    if polarity not in (-1, 1):
        raise ValidationError({"polarity": _("-1 (negative) or 1 (positive).")})
    tone_word, _created = ToneWord.objects.update_or_create(cell=cell, word=word, defaults={"polarity": polarity})
    return tone_word


def file_source(cell) -> Source:
    """The cell's source for file imports (made on first use)."""
    source = Source.objects.filter(cell=cell, kind=SourceKind.FILE).order_by("pk").first()
    if source is None:
        name = _("File imports")
        if Source.objects.filter(cell=cell, name=name).exists():
            name = f"{name} ({SourceKind.FILE})"
        source = Source.objects.create(cell=cell, kind=SourceKind.FILE, name=name)
    return source


def parse_mapping(text: str) -> dict:
    """`field=column` lines (blank lines ignored) -> {field: column}; unknown fields refused."""
    from .imports import FIELDS

    mapping, unknown = {}, []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        field, sep, column = line.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or field not in FIELDS or not column:
            unknown.append(line.strip()[:40])
        else:
            mapping[field] = column
    if unknown:
        raise ValidationError(
            {
                "mapping": _("Write one field=column per line; fields: %(fields)s. Not understood: %(lines)s")
                % {"fields": ", ".join(FIELDS), "lines": "; ".join(unknown)}
            }
        )
    return mapping


@transaction.atomic
def import_create(*, actor, cell, filename: str, content: bytes, file_format: str = "", preset: str = "", mapping=None):
    """A queued import of a CSV or JSONL export; the Celery task starts after commit."""
    from . import imports
    from .models import ImportJob
    from .tasks import run_import

    _require(actor, cell.pk, Role.MEMBER)
    file_format = file_format or ("jsonl" if filename.lower().endswith((".jsonl", ".ndjson")) else "csv")
    errors = {}
    if file_format not in ("csv", "jsonl"):
        errors["file_format"] = _("CSV or JSONL.")
    if len(content) > imports.MAX_IMPORT_BYTES:
        errors["file"] = _("At most %(mb)s MB per file; split it.") % {"mb": imports.MAX_IMPORT_BYTES // 1024 // 1024}
    elif not content.strip():
        errors["file"] = _("The file is empty.")
    if preset and preset not in imports.PRESETS:
        errors["preset"] = _("Not a preset: %(names)s.") % {"names": ", ".join(imports.PRESETS)}
    if errors:
        raise ValidationError(errors)
    try:
        header, rows = imports.read_rows(content, file_format)
        total = sum(1 for _row in rows)
    except imports.ImportError_ as error:
        raise ValidationError({"file": str(error)}) from error
    if file_format == "csv" and not mapping and not preset:
        preset = imports.detect_preset(header)
        if not preset:
            raise ValidationError(
                {
                    "mapping": _("No preset matches these columns (%(columns)s): map them, one field=column per line.")
                    % {"columns": ", ".join(header[:20])}
                }
            )
    job = ImportJob.objects.create(
        cell=cell,
        source=file_source(cell),
        created_by=actor,
        filename=filename[:200],
        file_format=file_format,
        preset=preset or ("" if mapping else "crisiscell"),
        mapping=mapping or {},
        content=content,
        total=total,
    )
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


@transaction.atomic
def tone_word_remove(*, actor, tone_word: ToneWord) -> None:
    _require(actor, tone_word.cell_id, Role.MANAGER)
    tone_word.delete()
