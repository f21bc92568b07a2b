"""The incident workspace's mentions panel: the matched mentions of the incident's watchlists
(those of the alerts attached to it), their volume as a sparkline, a link to the full page;
strangers' text escaped; an empty state that says what to do; served alone for its live refresh."""

import pytest
from django.test import Client
from django.utils import timezone

from monitoring import ingest
from monitoring.models import Alert, AlertCause

from .support import make_source, make_watchlist

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script> Durand brûle'


def test_the_panel_shows_the_incidents_mentions_escaped_with_their_volume(cell, member, observer, incident):
    watchlist = make_watchlist(cell)
    other = make_watchlist(cell, name="Autre", terms="ailleurs")
    Alert.objects.create(cell=cell, watchlist=watchlist, cause=AlertCause.VOLUME, status="escalated", incident=incident)
    source = make_source(cell)
    now = timezone.now()
    records = [
        ingest.MentionIn(external_id="1", text=HOSTILE, published_at=now, author_handle="<b>x</b>", language="fr"),
        ingest.MentionIn(external_id="2", text="Durand, c'est nul", published_at=now, language="fr"),
        ingest.MentionIn(external_id="3", text="ailleurs seulement", published_at=now, language="fr"),
    ]
    assert ingest.ingest_records(source, records).accepted == 3
    client = Client()
    client.force_login(observer)
    for language, words in [("fr", "2 mentions en 24 heures"), ("en", "2 mentions in 24 hours")]:
        html = client.get(f"/incidents/{incident.pk}/monitoring/panel/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert words in html
        assert "&lt;script&gt;" in html and "<script>alert" not in html and "<b>x</b>" not in html
        assert "ailleurs seulement" not in html  # another watchlist's mention
        assert 'class="sparkline"' in html and 'data-live-panel="monitoring-mentions"' in html
    assert other.pk not in [a.watchlist_id for a in Alert.objects.filter(incident=incident)]
    # On the workspace page: the card, its link to the full page, the same part, escaped.
    page = client.get(f"/incidents/{incident.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('id="monitoring-mentions"') == 1 and "What is said online" in page
    assert f'href="/incidents/{incident.pk}/monitoring/"' in page and 'class="sparkline"' in page
    assert f'data-cell="{cell.pk}" data-live-refresh="monitoring-mentions"' in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page


def test_without_an_alert_the_panel_says_how_to_get_one(cell, member, incident):
    client = Client()
    client.force_login(member)
    html = client.get(f"/incidents/{incident.pk}/monitoring/panel/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No alert is attached to this incident yet" in html
    assert f'href="/cells/{cell.pk}/monitoring/"' in html


def test_an_outsider_gets_404(incident, outsider):
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/incidents/{incident.pk}/monitoring/panel/").status_code == 404
    assert client.get("/incidents/999999/monitoring/panel/").status_code == 404
