"""Weak signals on synthetic series: a spike fires; a steady series and a daily rhythm stay quiet;
negative share and reach alerts; one open alert per watchlist and cause; alert -> incident."""

from datetime import timedelta

import pytest

from incidents.models import Incident, LogEntry
from monitoring import detection, services
from monitoring.models import Alert, AlertCause, AlertStatus, Mention, VolumeCounter
from notifications.models import Notification

from .support import NOW, make_source, make_watchlist

pytestmark = pytest.mark.django_db


def series(watchlist, per_minute, *, start, minutes, negative=0):
    """Counters for `minutes` minutes from `start`: per_minute(minute datetime) mentions each."""
    VolumeCounter.objects.bulk_create(
        VolumeCounter(
            watchlist=watchlist,
            minute=start + timedelta(minutes=m),
            count=per_minute(start + timedelta(minutes=m)),
            negative=negative,
        )
        for m in range(minutes)
    )


@pytest.fixture
def watchlist(cell, member):
    w = make_watchlist(cell, spike_min_count=20, spike_factor=3)
    w.watchers.add(member)
    return w


def test_a_spike_fires_once_and_says_why(watchlist, member):
    series(watchlist, lambda at: 1, start=NOW - timedelta(days=8), minutes=8 * 24 * 60 - 15)
    series(watchlist, lambda at: 12, start=NOW - timedelta(minutes=14), minutes=15)
    alerts = detection.evaluate(watchlist, now=NOW)
    assert [a.cause for a in alerts] == [AlertCause.VOLUME]
    evidence = alerts[0].evidence
    assert evidence["count"] == 180 and evidence["baseline"] == pytest.approx(15, abs=1)
    assert detection.evaluate(watchlist, now=NOW) == []  # one open alert per watchlist and cause
    assert Notification.objects.filter(user=member, kind="monitoring").count() == 1


def test_a_steady_series_stays_quiet(watchlist):
    series(watchlist, lambda at: 10, start=NOW - timedelta(days=8), minutes=8 * 24 * 60 + 1)
    assert detection.evaluate(watchlist, now=NOW) == []


def test_a_new_steady_watchlist_stays_quiet(watchlist):
    series(watchlist, lambda at: 10, start=NOW - timedelta(hours=3), minutes=3 * 60 + 1)
    assert detection.evaluate(watchlist, now=NOW) == []


def test_a_daily_rhythm_stays_quiet(watchlist):
    # Quiet nights (1/min), busy mornings from 11:45 (30/min): the same every day.
    def rhythm(at):
        return 30 if (at.hour, at.minute) >= (11, 45) and at.hour < 14 else 1

    series(watchlist, rhythm, start=NOW - timedelta(days=8), minutes=8 * 24 * 60 + 1)
    assert detection.evaluate(watchlist, now=NOW) == []


def test_the_same_rhythm_on_a_first_day_fires(watchlist):
    series(watchlist, lambda at: 1, start=NOW - timedelta(days=8), minutes=8 * 24 * 60 - 15)
    series(watchlist, lambda at: 30, start=NOW - timedelta(minutes=14), minutes=15)
    assert [a.cause for a in detection.evaluate(watchlist, now=NOW)] == [AlertCause.VOLUME]


def test_a_jump_of_the_negative_share_fires(watchlist):
    series(watchlist, lambda at: 10, start=NOW - timedelta(days=2), minutes=2 * 24 * 60 - 15, negative=1)
    series(watchlist, lambda at: 10, start=NOW - timedelta(minutes=14), minutes=15, negative=6)
    assert [a.cause for a in detection.evaluate(watchlist, now=NOW)] == [AlertCause.NEGATIVE]


def test_a_high_reach_author_fires(cell, watchlist):
    source = make_source(cell)
    mention = Mention.objects.create(
        source=source,
        cell=cell,
        external_id="1",
        text="Durand ment",
        published_at=NOW,
        author_handle="star",
        author_reach=2_000_000,
        matched={str(watchlist.pk): ["durand"]},
    )
    alerts = detection.evaluate(watchlist, now=NOW, loud_mention_ids=[mention.pk])
    assert [a.cause for a in alerts] == [AlertCause.REACH]
    assert alerts[0].evidence["author_handle"] == "star"


def spike_alert(watchlist):
    return Alert.objects.create(
        cell_id=watchlist.cell_id,
        watchlist=watchlist,
        cause=AlertCause.VOLUME,
        evidence={
            "count": 180,
            "baseline": 15,
            "window_minutes": 15,
            "negative_share": 0.5,
            "top_mentions": [
                {"author_handle": "x", "author_reach": 5, "text": "<b>Durand</b>", "url": "javascript:alert(1)"}
            ],
            "co_terms": [["brule", 40]],
        },
    )


def test_alert_to_a_new_incident_with_the_evidence_in_the_log(watchlist, member):
    alert = spike_alert(watchlist)
    incident = services.alert_escalate(actor=member, alert=alert, level="alert", title="Sérum qui brûle")
    assert incident.level == "alert" and incident.title == "Sérum qui brûle"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ESCALATED and alert.incident == incident
    entry = LogEntry.objects.filter(incident=incident, kind="note").get()
    assert "180" in entry.text and "brule" in entry.text and "javascript" not in entry.text
    assert entry.source_url.endswith(f"/monitoring/alerts/{alert.pk}/")


def test_alert_attached_to_an_open_incident(watchlist, member, incident):
    alert = spike_alert(watchlist)
    assert services.alert_escalate(actor=member, alert=alert, incident=incident) == incident
    assert LogEntry.objects.filter(incident=incident, kind="note").count() == 1


def test_an_alert_is_handled_once(watchlist, member):
    alert = spike_alert(watchlist)
    services.alert_dismiss(actor=member, alert=alert, reason="Un jeu concours, pas une crise")
    from core.errors import Conflict

    with pytest.raises(Conflict):
        services.alert_escalate(actor=member, alert=alert)
    alert.refresh_from_db()
    assert alert.dismiss_reason == "Un jeu concours, pas une crise" and alert.closed_by == member
    assert not Incident.objects.filter(cell=watchlist.cell).exists()


def test_an_observer_cannot_act_on_an_alert(watchlist, observer):
    from django.core.exceptions import PermissionDenied

    alert = spike_alert(watchlist)
    with pytest.raises(PermissionDenied):
        services.alert_dismiss(actor=observer, alert=alert, reason="non")
    with pytest.raises(PermissionDenied):
        services.alert_escalate(actor=observer, alert=alert)


def test_the_words_said_with_it_are_counted_folded_and_shown_as_written(cell, watchlist):
    source = make_source(cell)
    texts = ["Durand : la CRÈME brûle", "durand crème qui brûle", "Durand creme brule", "Durand, la crème"]
    Mention.objects.bulk_create(
        Mention(
            source=source,
            cell=cell,
            external_id=str(n),
            text=text,
            published_at=NOW - timedelta(minutes=1),
            matched={str(watchlist.pk): ["durand"]},
        )
        for n, text in enumerate(texts)
    )
    assert detection.co_terms(watchlist, NOW - timedelta(minutes=15)) == [["crème", 4], ["brûle", 3]]
