from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from cells.access import get_cell_for_user
from cells.models import Role
from core.api.docs import ERRORS, READ_ERRORS
from incidents.api.scoped import IncidentScopedViewSet

from .. import cell_settings, selectors, services
from ..models import Reminder
from .serializers import CommsSettingsSerializer, ReminderSerializer, SnoozeSerializer


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


class CommsSettingsView(APIView):
    """GET (any member) and PATCH (cell admin) a cell's communication settings."""

    @extend_schema(summary="A cell's communication settings", responses={200: CommsSettingsSerializer, **READ_ERRORS})
    def get(self, request, cell_pk: int):
        cell = get_cell_for_user(request.user, cell_pk)
        return Response(CommsSettingsSerializer(cell_settings.comms_settings(cell).as_dict()).data)

    @extend_schema(
        summary="Change a cell's communication settings (cell admin)",
        request=CommsSettingsSerializer,
        responses={200: CommsSettingsSerializer, **ERRORS},
    )
    def patch(self, request, cell_pk: int):
        cell = get_cell_for_user(request.user, cell_pk, Role.ADMIN)
        serializer = CommsSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = cell_settings.comms_settings_update(actor=request.user, cell=cell, **serializer.validated_data)
        return Response(CommsSettingsSerializer(updated.as_dict()).data)
