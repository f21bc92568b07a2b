"""Every touch point of monitoring with the other apps, in one module.

monitoring sits above incidents, notifications and messaging: it calls their public
services and registers into their tables; none of them imports monitoring. It registers
its notification kind and wording in notifications.registry (README: How to plug in a new app).
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from cells.models import Role

NOTIFICATION_KIND = "monitoring"
WORDING = "monitoring.alert"


# One wording per cause: its title names the cause in the reader's own language.
WORDING_TITLES = {
    "volume": gettext_lazy("Monitoring alert: volume spike on “%(watchlist)s”"),
    "negative": gettext_lazy("Monitoring alert: negative tone on “%(watchlist)s”"),
    "reach": gettext_lazy("Monitoring alert: high-reach author on “%(watchlist)s”"),
}
WORDING_BODY = gettext_lazy(
    "%(count)s mentions in the last %(window)s minutes (baseline %(baseline)s); "
    "negative share %(negative)s%%. Open the monitoring page to act on it."
)


def connect() -> None:
    """Called once from MonitoringConfig.ready()."""
    from notifications import registry

    registry.register_kind(NOTIFICATION_KIND, gettext_lazy("Monitoring"))
    for cause, title in WORDING_TITLES.items():
        registry.register_wording(f"{WORDING}.{cause}", title=title, body=WORDING_BODY)


def alert_url(alert) -> str:
    return reverse("monitoring:alert", args=[alert.cell_id, alert.pk])


def alert_opened(alert) -> None:
    """Tell those who watch the watchlist (in the caller's transaction: told exactly when it is committed)."""
    from notifications.services import cell_members, notify

    watchers = cell_members(alert.cell).filter(watched_watchlists=alert.watchlist)
    evidence = alert.evidence
    notify(
        users=list(watchers),
        cell=alert.cell,
        kind=NOTIFICATION_KIND,
        wording=f"{WORDING}.{alert.cause}",
        params={
            "watchlist": alert.watchlist.name,
            "count": evidence.get("count", 0),
            "window": evidence.get("window_minutes", 0),
            "baseline": evidence.get("baseline", 0),
            "negative": round(100 * evidence.get("negative_share", 0)),
        },
        link=alert_url(alert),
        dedupe_key=f"monitoring-alert:{alert.pk}",
    )


def evidence_text(alert) -> str:
    """The crisis-log entry of an alert: figures, baseline, top mentions with their links."""
    from django.utils.translation import gettext as _

    from core.dates import local_text

    evidence = alert.evidence
    lines = [
        _("Monitoring alert “%(cause)s” on the watchlist “%(watchlist)s”, opened %(at)s.")
        % {"cause": alert.get_cause_display(), "watchlist": alert.watchlist.name, "at": local_text(alert.opened_at)},
        _(
            "%(count)s mentions in %(window)s minutes; baseline %(baseline)s; "
            "negative share %(share)s%% (before: %(before)s%%)."
        )
        % {
            "count": evidence.get("count", 0),
            "window": evidence.get("window_minutes", 0),
            "baseline": evidence.get("baseline", 0),
            "share": round(100 * evidence.get("negative_share", 0)),
            "before": round(100 * evidence.get("baseline_negative_share", 0)),
        },
    ]
    if evidence.get("co_terms"):
        lines.append(_("Said with it: %(terms)s") % {"terms": ", ".join(term for term, _count in evidence["co_terms"])})
    for mention in evidence.get("top_mentions", [])[:5]:
        url = mention.get("url") or ""
        link = f" {url}" if url.lower().startswith(("http://", "https://")) else ""
        author = f"@{mention.get('author_handle', '')} ({mention.get('author_reach', 0)})"
        lines.append(f"- {author}: {mention.get('text', '')[:200]}{link}")
    return "\n".join(lines)[:3900]


def log_alert(*, actor, incident, alert) -> None:
    """The evidence goes into the crisis log as an entry that links back to the alert."""
    from incidents.services import log_entry_add

    log_entry_add(
        actor=actor,
        incident=incident,
        text=evidence_text(alert),
        category="information",
        source_url=settings.SITE_URL.rstrip("/") + alert_url(alert),
    )


def create_incident(*, actor, cell, title: str, level: str, reason: str):
    """A new incident at `watch`, moved to `alert` when asked (the workflow and the actor's role decide)."""
    from incidents.services import incident_create, incident_transition

    incident = incident_create(actor=actor, cell=cell, title=title, crisis_type="other", severity=3)
    if level == "alert":
        incident = incident_transition(actor=actor, incident=incident, to_level="alert", reason=reason)
    return incident


def open_incidents(cell):
    from incidents.models import Incident

    return Incident.objects.filter(cell=cell).exclude(level="closed")


# The role that may turn an alert into an incident: opening incidents is a member's right.
ESCALATE_ROLE = Role.MEMBER


def incident_for_user(user, incident_id):
    """(incident, membership), or 404/403 as the incidents app decides."""
    from incidents.selectors import get_incident_for_user

    return get_incident_for_user(user, incident_id)


def incident_markers(incident) -> list:
    """What happened to the incident on the chart's time axis: its level changes and the
    publications of its statements (two queries)."""
    from incidents.models import Level, LogEntry
    from statements.models import StatementVersion

    from .charts import Marker

    markers = [
        Marker(at=at, label=str(Level(data.get("to")).label) if data.get("to") in Level.values else "", kind="level")
        for at, data in LogEntry.objects.filter(incident=incident, kind="level_changed").values_list(
            "created_at", "data"
        )
    ]
    markers += [
        Marker(at=at, label=f"{title} v{number}", kind="statement")
        for at, title, number in StatementVersion.objects.filter(
            statement__incident=incident, published_at__isnull=False
        ).values_list("published_at", "statement__title", "number")
    ]
    return sorted(markers, key=lambda marker: marker.at)
