"""/healthz: 200 when the database, the channel layer and the broker answer; 503 otherwise.

The failures are real: a broker and a channel layer on a port where nothing
listens, a database file that cannot be opened. Nothing is stubbed.
"""

import pytest
from django.db.utils import ConnectionHandler
from django.test import override_settings

from crisiscell import health
from crisiscell.celery import app as celery_app

from ..integration.servers import free_port

pytestmark = pytest.mark.django_db


def get_healthz(client):
    response = client.get("/healthz")
    return response.status_code, response.json()


def test_all_checks_ok(client):
    assert get_healthz(client) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok", "broker": "ok"}},
    )


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_broker(monkeypatch):
    """The Celery app pointed at a Redis port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    assert celery_app.conf.broker_url == url


def test_broker_unreachable_gives_503(client, unreachable_broker):
    status, body = get_healthz(client)
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")


def test_database_unreachable_gives_503(client, monkeypatch, tmp_path):
    # A real connection to a database file that cannot be opened (its folder does not exist).
    broken = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing" / "db.sqlite3")}}
    )["default"]
    monkeypatch.setattr(health, "connection", broken)
    status, body = get_healthz(client)
    broken.close()
    assert status == 503
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["broker"] == "ok"


def test_channel_layer_unreachable_gives_503(client):
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        status, body = get_healthz(client)
    assert status == 503
    assert body["checks"]["channel_layer"].startswith("error: ")
    assert body["checks"]["database"] == "ok"
