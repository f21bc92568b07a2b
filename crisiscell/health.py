"""/healthz: is this process able to serve? Database, channel layer, broker."""

import asyncio
import contextlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_channel_layer() -> None:
    layer = get_channel_layer()

    async def roundtrip():
        channel = await layer.new_channel("healthz.")
        try:
            await layer.send(channel, {"type": "healthz.ping"})
            message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        finally:
            await _forget(layer, channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned another message")

    async_to_sync(roundtrip)()


async def _forget(layer, channel: str) -> None:
    """Channels has no "delete channel": channels-redis's pub/sub layer unsubscribes a
    channel when a receive on it is cancelled (what a consumer's exit does). Without
    this, every health check left a subscription in the server process for good."""
    pending = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)  # the receive is now waiting on the channel's queue
    pending.cancel()
    # A layer that is down fails here too: the check reports the first error, not this one.
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await pending


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": check_database, "channel_layer": check_channel_layer, "broker": check_broker}


@never_cache
@require_GET
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not healthy"; say which and why
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
