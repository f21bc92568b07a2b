"""API of what gathers several apps: a cell's communication settings."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from cells.access import get_cell_for_user
from cells.models import Role
from core.api.docs import ERRORS, READ_ERRORS
from reminders.api.serializers import CommsSettingsSerializer

from . import cell_settings


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
