"""Writes on statements and their versions. One transaction per function, each logged.

Per version: draft -> in_review -> approved -> published -> superseded | withdrawn,
and in_review -> rejected (with a comment). Every move is a guarded UPDATE on
the status it starts from: of two managers acting at once on one version, one
wins and the other gets a Conflict. The approved text is frozen (its SHA-256 is
stored); editing anything but a draft starts a new draft version.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cells.access import membership_for, require_role
from cells.models import Membership, Role
from core.errors import Conflict, StaleRevision
from core.transitions import Move, StateMachine
from facts.models import Claim, Fact, FactStatus
from incidents import crisislog, locks
from incidents.models import Incident, LogCategory
from reminders import cadence
from reminders import services as reminders
from reminders.models import ReminderKind

from . import notices, review
from .models import (
    OPEN_STATUSES,
    STANDING_STATUSES,
    CitedFact,
    Statement,
    StatementLogKind,
    StatementVersion,
    VersionStatus,
    sha256_text,
)

MAX_TEXT = 10000
D, R, A, X, P, S, W = (
    VersionStatus.DRAFT,
    VersionStatus.IN_REVIEW,
    VersionStatus.APPROVED,
    VersionStatus.REJECTED,
    VersionStatus.PUBLISHED,
    VersionStatus.SUPERSEDED,
    VersionStatus.WITHDRAWN,
)

# The version workflow, by action name, with the weakest role for each.
VERSIONS = StateMachine(
    model=StatementVersion,
    field="status",
    states=VersionStatus,
    moves=[
        Move(D, R, Role.MEMBER, "submit"),
        Move(R, A, Role.MANAGER, "approve"),
        Move(R, X, Role.MANAGER, "reject"),
        Move(A, P, Role.MANAGER, "publish"),
        Move(A, W, Role.MANAGER, "withdraw"),
        Move(P, W, Role.MANAGER, "withdraw"),
    ],
)
ACTION_LABELS = {
    "submit": _lazy("submit"),
    "approve": _lazy("approve"),
    "reject": _lazy("reject"),
    "publish": _lazy("publish"),
    "withdraw": _lazy("withdraw"),
}


def _require(actor, incident: Incident, minimum: Role) -> Membership:
    return require_role(membership_for(actor, incident.cell_id), minimum)


def log_statement(statement: Statement, actor, action: str, *, version=None, text: str = "", **data) -> None:
    crisislog.append_entry(
        incident=statement.incident,
        kind=StatementLogKind.STATEMENT,
        actor=actor,
        text=text,
        category=LogCategory.COMMUNICATION,
        data={
            "statement": statement.pk,
            "action": action,
            **({"version": version.number} if version is not None else {}),
            **data,
        },
    )


def _clean_text(text) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the text of the statement.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("Keep it under %(max)s characters.") % {"max": MAX_TEXT}})
    return text


def _objects_of_incident(model, incident: Incident, ids, field: str) -> list:
    ids = sorted(set(ids or []))
    found = list(model.objects.filter(incident=incident, pk__in=ids))
    missing = sorted(set(ids) - {obj.pk for obj in found})
    if missing:
        raise ValidationError(
            {field: _("No such item in this incident: %(ids)s.") % {"ids": ", ".join(f"#{pk}" for pk in missing)}}
        )
    return found


def _cite(version: StatementVersion, facts: list[Fact]) -> None:
    CitedFact.objects.filter(version=version).delete()
    CitedFact.objects.bulk_create([CitedFact(version=version, fact=fact, fact_version=fact.version) for fact in facts])


@transaction.atomic
def statement_create(
    *,
    actor,
    incident: Incident,
    kind: str,
    audience: str,
    title: str,
    text: str,
    language: str = "fr",
    cited_facts=(),
    answers=(),
) -> Statement:
    """A new statement and its first version, a draft by the actor."""
    _require(actor, incident, Role.MEMBER)
    text = _clean_text(text)
    facts = _objects_of_incident(Fact, incident, cited_facts, "cited_facts")
    claims = _objects_of_incident(Claim, incident, answers, "answers")
    now = timezone.now()
    statement = Statement(
        incident=incident,
        kind=kind,
        audience=audience,
        language=language,
        title=(title or "").strip(),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    statement.full_clean(exclude=["incident", "created_by"])
    statement.save()
    statement.answers.set(claims)
    version = StatementVersion.objects.create(
        statement=statement, number=1, text=text, created_by=actor, created_at=now
    )
    version.authors.add(actor)
    _cite(version, facts)
    log_statement(
        statement, actor, "created", version=version, text=statement.title, kind=kind, facts=[f.pk for f in facts]
    )
    return statement


@transaction.atomic
def statement_update(*, actor, statement: Statement, title: str | None = None, answers=None) -> Statement:
    """The statement's title and the claims it answers. Its text changes through versions."""
    _require(actor, statement.incident, Role.MEMBER)
    statement = Statement.objects.select_for_update().select_related("incident__cell").get(pk=statement.pk)
    changes = {}
    if title is not None and title.strip() != statement.title:
        changes["title"] = [statement.title, title.strip()]
        statement.title = title.strip()
        statement.full_clean(exclude=["incident", "created_by"])
    if answers is not None:
        claims = _objects_of_incident(Claim, statement.incident, answers, "answers")
        before = set(statement.answers.values_list("pk", flat=True))
        if before != {claim.pk for claim in claims}:
            changes["answers"] = [sorted(before), sorted(claim.pk for claim in claims)]
            statement.answers.set(claims)
    if not changes:
        return statement
    statement.updated_at = timezone.now()
    statement.save(update_fields=["title", "updated_at"])
    _close_answered_claims(statement)
    log_statement(statement, actor, "edited", changes=changes)
    return statement


@transaction.atomic
def version_edit(
    *, actor, version: StatementVersion, expected_revision: int, text: str | None = None, cited_facts=None
) -> tuple[StatementVersion, bool]:
    """Edit a draft in place, or start a new draft from any settled version.

    Returns (the draft, whether it is a new version). A version in review is
    refused: it waits for a manager's decision. The statement row is locked, so
    two people cannot both start version N+1.
    """
    statement = Statement.objects.select_for_update().select_related("incident__cell").get(pk=version.statement_id)
    _require(actor, statement.incident, Role.MEMBER)
    version = StatementVersion.objects.get(pk=version.pk)
    if version.revision != expected_revision:
        raise _stale(version)
    if version.status == R:
        raise Conflict(
            _("Version %(n)s is in review: a manager approves or rejects it first; then edit it again.")
            % {"n": version.number},
            current={"status": version.status},
        )
    locks.check_free(actor=actor, obj=statement)
    new_text = version.text if text is None else _clean_text(text)
    facts = None if cited_facts is None else _objects_of_incident(Fact, statement.incident, cited_facts, "cited_facts")
    if version.status == D:
        result = _edit_draft(actor, statement, version, new_text, facts), False
    else:
        result = _new_draft(actor, statement, version, new_text, facts), True
    locks.release_after_save(actor=actor, obj=statement)
    return result


def _edit_draft(actor, statement, version, text, facts) -> StatementVersion:
    now = timezone.now()
    changed = StatementVersion.objects.filter(pk=version.pk, status=D, revision=version.revision).update(
        text=text, revision=F("revision") + 1, updated_at=now
    )
    if not changed:
        raise _stale(version)
    version.refresh_from_db()
    version.authors.add(actor)
    if facts is not None:
        _cite(version, facts)
    Statement.objects.filter(pk=statement.pk).update(updated_at=now)
    log_statement(statement, actor, "edited", version=version, facts=_cited_ids(version))
    return version


def _new_draft(actor, statement, source: StatementVersion, text, facts) -> StatementVersion:
    open_version = statement.versions.filter(status__in=OPEN_STATUSES).first()
    if open_version is not None:
        raise Conflict(
            _("Version %(n)s is already being worked on (%(status)s): edit that one.")
            % {"n": open_version.number, "status": open_version.get_status_display()},
            current={"open_version": open_version.number, "status": open_version.status},
        )
    now = timezone.now()
    number = (statement.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    draft = StatementVersion.objects.create(
        statement=statement, number=number, text=text, based_on=source.number, created_by=actor, created_at=now
    )
    draft.authors.add(actor)
    _cite(draft, facts if facts is not None else list(source.cited_facts.all()))
    Statement.objects.filter(pk=statement.pk).update(updated_at=now)
    log_statement(statement, actor, "new_version", version=draft, based_on=source.number, facts=_cited_ids(draft))
    return draft


def _cited_ids(version: StatementVersion) -> list[int]:
    return sorted(version.citations.values_list("fact_id", flat=True))


def _stale(version: StatementVersion) -> StaleRevision:
    return StaleRevision(
        _("Version %(n)s changed since you loaded it. Reload it, then apply your change again.")
        % {"n": version.number},
        current={"etag": StatementVersion.objects.get(pk=version.pk).etag},
    )


def _authorise(actor, version: StatementVersion, action: str) -> StatementVersion:
    """Role first (404 / 403), then the status the action starts from (409)."""
    version = StatementVersion.objects.select_related("statement__incident__cell").get(pk=version.pk)
    sources, _target, role = VERSIONS.action(action)
    _require(actor, version.statement.incident, role)
    if version.status not in sources:
        raise _status_conflict(version, action, version.status)
    return version


def _move(*, actor, version: StatementVersion, action: str, text: str = "", log: dict | None = None, **fields):
    """The guarded status change, and its crisis-log entry."""
    _sources, target, _role = VERSIONS.action(action)
    now = timezone.now()
    if not VERSIONS.apply(
        version.pk, source=version.status, target=target, revision=F("revision") + 1, updated_at=now, **fields
    ):
        raise _status_conflict(version, action, VERSIONS.current(version.pk))
    Statement.objects.filter(pk=version.statement_id).update(updated_at=now)
    previous = version.status
    version.refresh_from_db()
    log_statement(
        version.statement, actor, action, version=version, text=text, **{"from": previous, "to": target}, **(log or {})
    )
    return version


def _status_conflict(version: StatementVersion, action: str, current: str) -> Conflict:
    needed = " / ".join(str(VersionStatus(s).label) for s in VERSIONS.action(action)[0])
    return Conflict(
        _(
            "Cannot %(action)s version %(n)s: it is %(status)s now, and only a version that is %(needed)s can be. "
            "Someone may have acted on it meanwhile: reload it."
        )
        % {
            "n": version.number,
            "status": VersionStatus(current).label,
            "needed": needed,
            "action": ACTION_LABELS[action],
        },
        current={"status": current, "version": version.number},
    )


def unverified_citations(version: StatementVersion, *, lock: bool = False) -> list[Fact]:
    """The cited facts that are not verified. Locked on request: a concurrent
    retraction then waits for this decision, or this decision sees it."""
    facts = Fact.objects.filter(citations__version=version).order_by("pk")
    if lock:
        facts = facts.select_for_update()
    return [fact for fact in facts if fact.status != FactStatus.VERIFIED]


def _require_verified_facts(version: StatementVersion, action: str) -> None:
    bad = unverified_citations(version, lock=True)
    if bad:
        raise ValidationError(
            {
                "cited_facts": [
                    _("Cannot %(action)s: fact #%(id)s “%(text)s” is %(status)s, not verified.")
                    % {
                        "action": ACTION_LABELS[action],
                        "id": fact.pk,
                        "text": Truncator(fact.text).chars(120),
                        "status": FactStatus(fact.status).label,
                    }
                    for fact in bad
                ]
            }
        )


@transaction.atomic
def version_submit(*, actor, version: StatementVersion) -> StatementVersion:
    version = _authorise(actor, version, "submit")
    _clean_text(version.text)
    now = timezone.now()
    version = _move(actor=actor, version=version, action="submit", submitted_by=actor, submitted_at=now)
    reminders.arm(
        kind=ReminderKind.VERSION_IN_REVIEW,
        target=version,
        incident=version.statement.incident,
        due_at=now + cadence.review_wait(version.statement.incident.cell),
    )
    notices.submitted(version=version, actor=actor)
    return version


@transaction.atomic
def version_approve(*, actor, version: StatementVersion) -> StatementVersion:
    version = _authorise(actor, version, "approve")
    if version.authors.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("Four-eyes rule: you wrote this version, so another manager must approve it."))
    _require_verified_facts(version, "approve")
    version = _move(
        actor=actor,
        version=version,
        action="approve",
        decided_by=actor,
        decided_at=timezone.now(),
        text_sha256=sha256_text(version.text),
        log={"sha256": sha256_text(version.text)},
    )
    reminders.disarm(kind=ReminderKind.VERSION_IN_REVIEW, target=version)
    notices.decided(version=version, actor=actor, action="approve", at=version.decided_at)
    # A new approved version rests on verified facts only: the statement is sound again.
    Statement.objects.filter(pk=version.statement_id).update(
        needs_review=False, needs_review_since=None, needs_review_facts=[]
    )
    return version


@transaction.atomic
def version_reject(*, actor, version: StatementVersion, comment: str) -> StatementVersion:
    comment = (comment or "").strip()
    version = _authorise(actor, version, "reject")
    if not comment:
        raise ValidationError({"comment": _("Say what must change: the author reads this comment.")})
    version = _move(
        actor=actor,
        version=version,
        action="reject",
        text=comment,
        decided_by=actor,
        decided_at=timezone.now(),
        comment=comment,
    )
    reminders.disarm(kind=ReminderKind.VERSION_IN_REVIEW, target=version)
    notices.decided(version=version, actor=actor, action="reject", at=version.decided_at)
    return version


@transaction.atomic
def version_publish(*, actor, version: StatementVersion, channel: str, url: str = "") -> StatementVersion:
    """Publish an approved version; it supersedes the one published before."""
    channel = (channel or "").strip()
    # Serialises publications of one statement: one published version at a time.
    statement = Statement.objects.select_for_update().get(pk=version.statement_id)
    version = _authorise(actor, version, "publish")
    if not channel:
        raise ValidationError({"channel": _("Say where it goes out (site, network, press list...).")})
    newer = statement.versions.filter(number__gt=version.number, status__in=(A, P, S)).order_by("number").first()
    if newer is not None:
        raise Conflict(
            _("Version %(newer)s is more recent and was approved: publish that one instead of %(n)s.")
            % {"newer": newer.number, "n": version.number},
            current={"status": version.status, "newer_version": newer.number},
        )
    _require_verified_facts(version, "publish")
    if not version.text_intact:
        raise Conflict(
            _("The text of version %(n)s no longer matches the text that was approved; it cannot go out.")
            % {"n": version.number},
            current={"status": version.status},
        )
    now = timezone.now()
    previous = statement.versions.filter(status=P).first()
    if previous is not None:
        # Not a user's action (no button): publishing the next version supersedes it, guarded the same way.
        VERSIONS.apply(
            previous.pk,
            source=P,
            target=S,
            revision=F("revision") + 1,
            ended_by=actor,
            ended_at=now,
            end_reason=f"v{version.number}",
        )
    version = _move(
        actor=actor,
        version=version,
        action="publish",
        text=url or channel,
        published_by=actor,
        published_at=now,
        channel=channel,
        published_url=url,
        log={"channel": channel, "url": url, "supersedes": previous.number if previous else None},
    )
    review.statement_published(statement=version.statement, published_at=now)
    _close_answered_claims(version.statement)
    notices.decided(version=version, actor=actor, action="publish", at=now)
    return version


@transaction.atomic
def version_withdraw(*, actor, version: StatementVersion, reason: str) -> StatementVersion:
    reason = (reason or "").strip()
    version = _authorise(actor, version, "withdraw")
    if not reason:
        raise ValidationError({"reason": _("Say why it is withdrawn: it goes into the crisis log.")})
    version = _move(
        actor=actor,
        version=version,
        action="withdraw",
        text=reason,
        ended_by=actor,
        ended_at=timezone.now(),
        end_reason=reason,
    )
    statement = version.statement
    if not statement.versions.filter(status=P).exists():
        review.statement_withdrawn(statement=statement)
    # Withdrawing clears the flag, unless another standing version still rests on a bad fact.
    still_bad = StatementVersion.objects.filter(
        statement=statement, status__in=STANDING_STATUSES, citations__fact__status__in=_BAD_FACT_STATUSES
    ).exists()
    if not still_bad:
        Statement.objects.filter(pk=statement.pk).update(
            needs_review=False, needs_review_since=None, needs_review_facts=[]
        )
    return version


_BAD_FACT_STATUSES = (FactStatus.REFUTED, FactStatus.RETRACTED)


def _close_answered_claims(statement: Statement) -> None:
    """Claims answered by a published statement stop their 'unanswered' reminders."""
    if statement.versions.filter(status=P).exists():
        for claim in statement.answers.all():
            reminders.disarm(kind=ReminderKind.CLAIM_UNANSWERED, target=claim)
