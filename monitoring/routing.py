from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/cells/<int:cell_id>/monitoring/", consumers.MonitoringConsumer.as_asgi()),
]
