from django.urls import include, path

from cells.api import CellViewSet, MembershipViewSet
from core.api.routers import RootRouter, Router
from crisiscell.api_auth import TokenView
from drills.api.views import DrillViewSet, ScenarioViewSet
from facts.api.views import ClaimViewSet, FactViewSet
from incidents.api.views import IncidentViewSet, LogEntryViewSet
from messaging.api.views import ChatViewSet, EventViewSet, LockViewSet, PresenceViewSet
from notifications.api.views import NotificationViewSet
from playbooks.api.views import (
    ActivationViewSet,
    MyTaskViewSet,
    PlaybookViewSet,
    PreparednessView,
    RotaViewSet,
    TaskViewSet,
)
from relays.api.views import BriefingViewSet, DistributionListViewSet, RelayViewSet
from reminders.api.views import ReminderViewSet
from response_queue.api.views import ClaimMentionViewSet, QueueViewSet, RuleViewSet, SlaView, WaitingViewSet
from statements.api.views import StatementViewSet, VersionViewSet
from workspace.api import CommsSettingsView

router = RootRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("cells", CellViewSet, basename="cell")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("my-tasks", MyTaskViewSet, basename="my-task")

# Nested collections: the parent's id goes through Django's int converter, so
# that a non-number is a 404 and the schema types it as an integer.
incident_routes = Router()
incident_routes.register("log", LogEntryViewSet, basename="incident-log")
incident_routes.register("facts", FactViewSet, basename="incident-fact")
incident_routes.register("claims", ClaimViewSet, basename="incident-claim")
incident_routes.register("statements", StatementViewSet, basename="incident-statement")
incident_routes.register("reminders", ReminderViewSet, basename="incident-reminder")
incident_routes.register("events", EventViewSet, basename="incident-event")
incident_routes.register("chat", ChatViewSet, basename="incident-chat")
incident_routes.register("presence", PresenceViewSet, basename="incident-presence")
incident_routes.register("locks", LockViewSet, basename="incident-lock")
incident_routes.register("briefings", BriefingViewSet, basename="incident-briefing")
incident_routes.register("queue", QueueViewSet, basename="incident-queue")
incident_routes.register("tasks", TaskViewSet, basename="incident-task")
incident_routes.register("activations", ActivationViewSet, basename="incident-activation")

statement_routes = Router()
statement_routes.register("versions", VersionViewSet, basename="statement-version")

cell_routes = Router()
cell_routes.register("members", MembershipViewSet, basename="cell-member")
cell_routes.register("relays", RelayViewSet, basename="cell-relay")
cell_routes.register("relay-lists", DistributionListViewSet, basename="cell-relay-list")
cell_routes.register("queue-rules", RuleViewSet, basename="cell-queue-rule")
cell_routes.register("queue-waiting", WaitingViewSet, basename="cell-queue-waiting")

claim_routes = Router()
claim_routes.register("mentions", ClaimMentionViewSet, basename="claim-mention")
cell_routes.register("playbooks", PlaybookViewSet, basename="cell-playbook")
cell_routes.register("rota", RotaViewSet, basename="cell-rota")
cell_routes.register("scenarios", ScenarioViewSet, basename="cell-scenario")
cell_routes.register("drills", DrillViewSet, basename="cell-drill")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("cells/<int:cell_pk>/preparedness/", PreparednessView.as_view(), name="cell-preparedness"),
    path("cells/<int:cell_pk>/communication-settings/", CommsSettingsView.as_view(), name="cell-comms-settings"),
    path("cells/<int:cell_pk>/response-sla/", SlaView.as_view(), name="cell-response-sla"),
    path("incidents/<int:incident_pk>/claims/<int:claim_pk>/", include(claim_routes.urls)),
    path("incidents/<int:incident_pk>/", include(incident_routes.urls)),
    path("incidents/<int:incident_pk>/statements/<int:statement_pk>/", include(statement_routes.urls)),
    path("cells/<int:cell_pk>/", include(cell_routes.urls)),
    path("", include(router.urls)),
    # Monitoring plugs its own routes (built with core.api.routers.Router).
    path("", include("monitoring.api.urls")),
]
