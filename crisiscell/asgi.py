import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisiscell.settings")

# Django's handler, except that error pages are rendered in the request's thread,
# which gives their database connections back (crisiscell/asgi_handler.py).
from crisiscell.asgi_handler import get_asgi_application

# Django must be set up before anything imports models (the WebSocket routing does).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.auth import TokenAuthMiddleware  # noqa: E402
from realtime.origin import SameOriginValidator  # noqa: E402
from workspace.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin must be the page's own (scheme, host and port): another site's
        # page, or another port of this host, cannot open a socket with a member's cookies.
        "websocket": SameOriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))),
    }
)
