"""The app's settings with channels-redis's default (list-based) layer, whatever crisiscell/settings.py says.

Only for `ws_fanout.py --layer core`: the layer of the figures in bench/README.md, to
compare with `--layer pubsub` (bench/settings_pubsub.py) and `--layer app` (the app's own).
"""

from crisiscell.settings import *  # noqa: F403
from crisiscell.settings import REDIS_URL

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 1000}], "capacity": 1000},
        }
    }
