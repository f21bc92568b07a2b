"""Every WebSocket route of the site, gathered from the apps that serve one (crisiscell.asgi)."""

from messaging.routing import websocket_urlpatterns as live_workspace
from monitoring.routing import websocket_urlpatterns as monitoring

websocket_urlpatterns = [*live_workspace, *monitoring]
