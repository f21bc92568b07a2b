"""/ws/cells/<id>/monitoring/: the cell's monitoring page, live. Thin: it authorises at the
handshake (any member of the cell), joins the cell's monitoring group and forwards the
small messages of monitoring.broadcast; it never writes."""

from channels.db import database_sync_to_async

from messaging.consumers import CLOSE_FORBIDDEN, CellIncidentsConsumer
from messaging.selectors import cell_socket_access

from .broadcast import monitoring_group


class MonitoringConsumer(CellIncidentsConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.cell_id = self.scope["url_route"]["kwargs"]["cell_id"]
        if not await database_sync_to_async(cell_socket_access)(user, self.cell_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.cell_group = monitoring_group(self.cell_id)
        await self.channel_layer.group_add(self.cell_group, self.channel_name)
        await self.join_personal_groups(user)
        await self.accept()
        await self.send_json({"type": "hello"})

    async def monitoring_mentions(self, message):
        await self.send_json({"type": "mentions", "watchlists": message["watchlists"], "count": message["count"]})

    async def monitoring_alert(self, message):
        await self.send_json({"type": "alert", "alert": message["alert"], "status": message["status"]})

    async def monitoring_import(self, message):
        await self.send_json({"type": "import", "job": message["job"]})
