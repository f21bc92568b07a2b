"""Two deployments on two db numbers of one Redis do not hear each other: pub/sub
channels ignore db numbers, so the layer's prefix carries it (crisiscell/settings.py)."""

import asyncio
import uuid

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer

from crisiscell.settings import channel_layer_prefix

from ..services_check import redis_available, redis_url, require_service

pytestmark = [pytest.mark.redis, pytest.mark.asyncio]


def layer_for(db: int) -> RedisPubSubChannelLayer:
    base = redis_url().rsplit("/", 1)[0]
    url = f"{base}/{db}"
    # As the settings build it for REDIS_URL=url.
    return RedisPubSubChannelLayer(hosts=[url], prefix=channel_layer_prefix(url))


async def test_a_broadcast_on_db_1_does_not_reach_db_2():
    require_service(redis_available(), "Redis (REDIS_URL=redis://...)")
    one, two = layer_for(1), layer_for(2)
    group = f"incident.{uuid.uuid4().hex[:8]}"
    listener_one, listener_two = await one.new_channel(), await two.new_channel()
    await one.group_add(group, listener_one)
    await two.group_add(group, listener_two)
    await asyncio.sleep(0.1)  # the subscriptions are in place
    await one.group_send(group, {"type": "incident.event", "n": 1})
    assert (await asyncio.wait_for(one.receive(listener_one), 5))["n"] == 1
    receive_two = asyncio.ensure_future(two.receive(listener_two))
    done, _pending = await asyncio.wait({receive_two}, timeout=0.5)
    assert not done, "db 2 heard db 1's broadcast"
    receive_two.cancel()
    for layer in (one, two):
        await layer.flush()


def test_the_db_number_comes_from_the_url():
    assert channel_layer_prefix("redis://127.0.0.1:6379/3") == "crisiscell.db3."
    assert channel_layer_prefix("redis://127.0.0.1:6379") == "crisiscell.db0."
    assert channel_layer_prefix("rediss://user:pw@host:6380/12?ssl_cert_reqs=none") == "crisiscell.db12."
