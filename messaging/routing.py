from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/incidents/<int:incident_id>/", consumers.IncidentConsumer.as_asgi()),
    path("ws/cells/<int:cell_id>/incidents/", consumers.CellIncidentsConsumer.as_asgi()),
    path("ws/notifications/", consumers.NotificationsConsumer.as_asgi()),
]
