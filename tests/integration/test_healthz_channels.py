"""/healthz's channel-layer round trip leaves nothing behind in a long-lived server.

Each check makes a channel; channels-redis's pub/sub layer subscribes it and
keeps it until a receive on it is cancelled. Compose's health check calls
/healthz every few seconds, so a leftover per call grows without end."""

import urllib.parse

import pytest
import redis

from crisiscell.settings import channel_layer_prefix

from ..services_check import redis_available, redis_url, require_service
from .servers import http

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_health_checks_leave_no_subscription_behind(asgi_server_factory):
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    # A db of its own, so that the channel names counted are this server's only.
    url = urllib.parse.urlparse(redis_url())._replace(path="/7").geturl()
    server = asgi_server_factory(REDIS_URL=url)  # returns once one /healthz answered
    for _ in range(5):
        status, body = http("GET", f"{server.url}/healthz")
        assert status == 200 and body["checks"]["channel_layer"] == "ok"
    left = redis.Redis.from_url(url).pubsub_channels(f"{channel_layer_prefix(url)}healthz.*")
    assert left == []
