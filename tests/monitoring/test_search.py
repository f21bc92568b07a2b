"""Mentions are searchable (PostgreSQL full text, French and English) and filterable, through the
API and the mentions page; a watchlist made on its page matches from then on."""

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from monitoring import ingest
from monitoring.models import Mention, Watchlist

from .support import make_source, make_watchlist

pytestmark = pytest.mark.django_db


def store(cell, texts):
    source = make_source(cell)
    records = [
        ingest.MentionIn(
            external_id=str(n), text=text, published_at=timezone.now(), author_handle=f"a{n}", author_reach=10 * n
        )
        for n, text in enumerate(texts)
    ]
    return ingest.ingest_records(source, records)


def test_full_text_in_french_and_english_and_filters(cell, member):
    make_watchlist(cell)
    store(
        cell, ["Des brûlures après le sérum Durand", "Durand burns my skin", "Le magasin ouvre à 9 h", "Merci Durand"]
    )
    client = APIClient()
    client.force_authenticate(member)

    def texts(query):
        response = client.get(f"/api/v1/cells/{cell.pk}/monitoring/mentions/{query}")
        assert response.status_code == 200, response.content
        return sorted(row["text"] for row in response.json()["results"])

    if connection.vendor == "postgresql":
        assert texts("?q=brûlure") == ["Des brûlures après le sérum Durand"]  # French stemming
        assert texts("?q=burn") == ["Durand burns my skin"]  # English stemming
    else:
        assert texts("?q=brûlure") == ["Des brûlures après le sérum Durand"]
    assert texts("?tone=-1") == ["Des brûlures après le sérum Durand", "Durand burns my skin"]
    assert texts("?min_reach=20&tone=1") == ["Merci Durand"]
    assert texts("?author=a2") == ["Le magasin ouvre à 9 h"]
    assert client.get(f"/api/v1/cells/{cell.pk}/monitoring/mentions/?tone=7").status_code == 400
    assert client.get(f"/api/v1/cells/{cell.pk}/monitoring/mentions/?since=hier").status_code == 400

    page = Client()
    page.force_login(member)
    html = page.get(f"/cells/{cell.pk}/monitoring/mentions/?tone=1").content.decode()
    assert "Merci Durand" in html and "magasin" not in html
    assert page.get(f"/cells/{cell.pk}/monitoring/mentions/?min_reach=-3").status_code == 400


def test_a_watchlist_made_on_its_page_matches_and_a_change_is_a_new_version(cell, manager):
    client = Client()
    client.force_login(manager)
    form = {
        "name": "Rappel",
        "terms": "rappel\n#rappeldurand",
        "exclusions": "jeu",
        "languages": "fr",
        "spike_factor": 3,
        "spike_min_count": 20,
        "negative_jump": 0.25,
        "reach_threshold": 1000,
    }
    assert client.post(f"/cells/{cell.pk}/monitoring/watchlists/new/", form).status_code == 302
    watchlist = Watchlist.objects.get(name="Rappel")
    assert watchlist.languages == ["fr"] and watchlist.version == 1 and manager in watchlist.watchers.all()
    source = make_source(cell)
    result = ingest.ingest_records(
        source, [ingest.MentionIn(external_id="r", text="Le RAPPEL du lot", published_at=timezone.now(), language="fr")]
    )
    assert result.watchlists == {watchlist.pk}
    response = client.post(f"/cells/{cell.pk}/monitoring/watchlists/{watchlist.pk}/", {**form, "terms": "lot"})
    assert response.status_code == 302
    watchlist.refresh_from_db()
    assert watchlist.version == 2 and watchlist.terms == "lot"
    assert client.post(f"/cells/{cell.pk}/monitoring/watchlists/new/", {**form, "terms": "  "}).status_code == 400


@pytest.mark.postgres
def test_search_finds_mentions_before_and_after_their_document_is_computed(cell, member):
    """Ingestion only queues the new mentions; the search reads the text of those still queued,
    then the documents that the indexing task computed, and the answer is the same."""
    from monitoring import search_index
    from monitoring.models import MentionSearch, PendingSearch

    if connection.vendor != "postgresql":
        pytest.skip("full-text documents exist on PostgreSQL only")
    make_watchlist(cell)
    store(cell, ["Des brûlures après le sérum Durand", "Durand burns my skin", "Merci Durand"])
    assert PendingSearch.objects.count() == 3 and MentionSearch.objects.count() == 0
    client = APIClient()
    client.force_authenticate(member)

    def texts(query):
        response = client.get(f"/api/v1/cells/{cell.pk}/monitoring/mentions/?q={query}")
        assert response.status_code == 200, response.content
        return sorted(row["text"] for row in response.json()["results"])

    before = [texts("brûlure"), texts("burn"), texts("merci"), texts("nothing-here")]
    assert before == [["Des brûlures après le sérum Durand"], ["Durand burns my skin"], ["Merci Durand"], []]
    assert search_index.index_pending(batch=2) == 3  # two batches
    assert PendingSearch.objects.count() == 0 and MentionSearch.objects.count() == 3
    assert [texts("brûlure"), texts("burn"), texts("merci"), texts("nothing-here")] == before
    assert search_index.index_pending() == 0  # nothing queued: nothing done
    # The same posts again (metrics updated, text unchanged): nothing is queued twice.
    source = Mention.objects.filter(cell=cell).first().source
    again = [ingest.MentionIn(external_id=str(n), text="x", published_at=timezone.now(), likes=5) for n in range(3)]
    assert ingest.ingest_records(source, again).duplicates == 3
    assert PendingSearch.objects.count() == 0 and MentionSearch.objects.count() == 3
