"""The app's settings with channels-redis's pub/sub layer, whatever crisiscell/settings.py says.

Only for `ws_fanout.py --layer pubsub`: the same application, one setting changed, to
measure what the layer costs (see bench/settings_core.py for the other one).
"""

from crisiscell.settings import *  # noqa: F403
from crisiscell.settings import REDIS_URL

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 1000}]},
        }
    }
