from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.docs import ERRORS, READ_ERRORS
from incidents.api.scoped import IncidentScopedViewSet

from .. import selectors, services
from ..models import Reminder
from .serializers import ReminderSerializer, SnoozeSerializer


@extend_schema_view(
    list=extend_schema(summary="Reminders of an incident: active ones first, the soonest due on top"),
    retrieve=extend_schema(summary="One reminder", responses={200: ReminderSerializer, **READ_ERRORS}),
)
class ReminderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = ReminderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reminder.objects.none()
        return selectors.reminders_for_incident(self.incident())

    def get_object(self) -> Reminder:
        self.incident()
        reminder, _membership = selectors.get_reminder_for_user(
            self.request.user, self.kwargs["incident_pk"], self.kwargs["pk"]
        )
        return reminder

    @extend_schema(
        summary="Snooze, with a reason for the crisis log (member; manager for approval reminders)",
        request=SnoozeSerializer,
        responses={200: ReminderSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def snooze(self, request, incident_pk=None, pk=None):
        reminder = self.get_object()
        serializer = SnoozeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = services.snooze(actor=request.user, reminder=reminder, **serializer.validated_data)
        return Response(ReminderSerializer(reminder).data)
