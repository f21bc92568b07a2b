"""POST /api/v1/mentions/batch/: JSON and NDJSON, idempotent, per-record errors, 413, the token's scope."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring.models import IngestToken, Mention, VolumeCounter

from .support import make_source, make_token, make_watchlist, mention

pytestmark = pytest.mark.django_db
URL = "/api/v1/mentions/batch/"


@pytest.fixture
def source(cell):
    return make_source(cell)


@pytest.fixture
def key(source):
    return make_token(source)


def post(key, body, content_type="application/json", language="en"):
    client = APIClient()
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.generic(
        "POST", URL, data, content_type=content_type, HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=language
    )


def recent(n, **fields):
    return mention(n, at=timezone.now() - timedelta(minutes=2), **fields)


def test_a_json_list_is_stored_and_counted(cell, source, key):
    watchlist = make_watchlist(cell)
    response = post(key, [recent(1), recent(2, text="Rien à voir")])
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 2, "duplicates": 0, "errors": []}
    first = Mention.objects.get(source=source, external_id="post-1")
    assert first.cell_id == cell.pk and first.author_reach == 101 and first.language == "fr"
    assert first.matched == {str(watchlist.pk): ["durand"]}
    assert first.tone == -1  # "brûle"
    assert Mention.objects.get(external_id="post-2").matched == {}
    assert sum(VolumeCounter.objects.filter(watchlist=watchlist).values_list("count", flat=True)) == 1


def test_the_same_batch_twice_is_one_row_per_post_and_updates_metrics(cell, source, key):
    watchlist = make_watchlist(cell)
    batch = [recent(n) for n in range(5)]
    assert post(key, batch).json() == {"accepted": 5, "duplicates": 0, "errors": []}
    batch[0]["likes"] = 40
    again = post(key, {"mentions": batch}).json()
    assert again == {"accepted": 0, "duplicates": 5, "errors": []}
    assert Mention.objects.filter(source=source).count() == 5
    assert Mention.objects.get(external_id="post-0").likes == 40
    # Counted once: a re-sent batch is no spike.
    assert sum(VolumeCounter.objects.filter(watchlist=watchlist).values_list("count", flat=True)) == 5


def test_the_same_post_twice_in_one_batch_is_a_duplicate(key):
    assert post(key, [recent(1), recent(1)]).json() == {"accepted": 1, "duplicates": 1, "errors": []}


def test_ndjson(key):
    body = "\n".join(json.dumps(recent(n)) for n in range(3)) + "\n\n"
    response = post(key, body, "application/x-ndjson")
    assert response.json() == {"accepted": 3, "duplicates": 0, "errors": []}


def test_bad_records_are_refused_one_by_one_and_the_good_ones_kept(key):
    batch = [
        recent(0),
        {"external_id": "x"},  # no text, no date
        recent(2, author_reach=-5),
        recent(3, published_at="2026-12-02T10:00:00"),  # no time zone
        recent(4, text=""),
        recent(5, published_at=(timezone.now() + timedelta(days=3)).isoformat()),
        "not an object",
        recent(7),
    ]
    response = post(key, batch)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2 and body["duplicates"] == 0
    assert [error["index"] for error in body["errors"]] == [1, 2, 3, 4, 5, 6]
    reasons = {error["index"]: error["reason"] for error in body["errors"]}
    assert reasons == {
        1: "text is missing.",
        2: "author_reach must be at least 0.",
        3: "published_at needs a time zone (Z or +01:00).",
        4: "text must have at least 1 character(s).",
        5: "published_at is in the future.",
        6: "the record: an object was expected, not a text.",
    }
    codes = [error["code"] for error in body["errors"]]
    assert codes == ["missing", "too_small", "no_timezone", "too_short", "future", "type"]


def test_per_record_errors_are_worded_in_the_requests_language(key):
    """French for a French client (and by default: the first users are French-speaking)."""
    batch = [
        {"external_id": "x"},
        recent(1, likes="beaucoup"),
        recent(2, published_at="hier"),
        recent(3, language="x" * 20),
        recent(4, published_at="2026-12-02T10:00:00"),
    ]
    expected = [
        "Il manque text.",
        "likes : il faut un nombre entier, pas un texte.",
        "published_at n'est pas une date et heure (RFC 3339, par exemple 2026-12-02T10:00:00Z).",
        "language dépasse 8 caractères.",
        "published_at doit indiquer un fuseau horaire (Z ou +01:00).",
    ]
    for language in ("fr", "fr-FR,fr;q=0.9", ""):
        body = post(key, batch, language=language).json()
        assert [error["reason"] for error in body["errors"]] == expected, language
    english = post(key, batch, language="en-GB,en;q=0.8").json()
    assert english["errors"][1]["reason"] == "likes: a whole number was expected, not a text."
    broken = post(key, b"{not json", language="fr").json()
    assert broken["code"] == "malformed" and "Ce n'est pas du JSON valide (vers l'octet 1)." in broken["detail"]
    assert "corps" in broken["detail"] or "lot" in broken["detail"]


def test_ndjson_with_a_broken_line_keeps_the_others(key):
    body = json.dumps(recent(0)) + "\n{broken\n" + json.dumps(recent(2))
    response = post(key, body, "application/x-ndjson")
    assert response.json()["accepted"] == 2
    assert response.json()["errors"][0]["index"] == 1


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b'{"mentions": 3}', b"42", b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b'{"a": NaN}']
)
def test_a_malformed_body_is_a_400(key, body):
    response = post(key, body)
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_more_than_10000_mentions_is_a_413_with_the_limit(key):
    body = "\n".join(['{"external_id":"a","text":"t","published_at":"2026-12-01T10:00:00Z"}'] * 10_001)
    response = post(key, body, "application/x-ndjson")
    assert response.status_code == 413
    assert response.json()["limit"] == 10_000
    assert Mention.objects.count() == 0


def test_too_many_bytes_is_a_413_with_the_limit(key, settings):
    settings.REQUEST_BODY_LIMITS = {**settings.REQUEST_BODY_LIMITS, "monitoring-mention-batch": 1024}
    response = post(key, [recent(n) for n in range(20)])
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 1024


def test_a_user_token_cannot_ingest(cell_admin):
    user_key = Token.objects.create(user=cell_admin).key
    response = post(user_key, [recent(1)])
    assert response.status_code == 401
    client = APIClient()
    client.force_login(cell_admin)
    assert client.post(URL, [recent(1)], format="json").status_code == 401
    assert Mention.objects.count() == 0


def test_an_ingest_token_can_do_nothing_else(cell, key):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    for url in [
        reverse("incident-list"),
        reverse("cell-list"),
        f"/api/v1/cells/{cell.pk}/monitoring/mentions/",
        f"/api/v1/cells/{cell.pk}/monitoring/alerts/",
    ]:
        assert client.get(url).status_code == 401, url


def test_a_revoked_or_unknown_token_is_refused(source, key):
    IngestToken.objects.update(revoked_at=timezone.now())
    assert post(key, [recent(1)]).status_code == 401
    assert post("cci_nope", [recent(1)]).status_code == 401
    assert post("", [recent(1)]).status_code == 401


def test_the_token_writes_to_its_own_cell_only(cell, other_cell, key):
    other_source = make_source(other_cell, name="Theirs")
    post(key, [recent(1, source=other_source.pk, cell=other_cell.pk)])
    assert Mention.objects.get().cell_id == cell.pk
