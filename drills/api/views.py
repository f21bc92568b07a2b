from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cells.access import membership_for, require_role
from cells.models import Role
from playbooks import yamlio
from playbooks.api.views import CONFLICT, ERRORS

from .. import services
from ..models import Drill, Inject, Scenario
from .serializers import (
    DrillMoveSerializer,
    DrillSerializer,
    DrillStartSerializer,
    ScenarioImportSerializer,
    ScenarioSerializer,
    ScenarioWriteSerializer,
)


class CellScoped:
    def membership(self, minimum: Role = Role.OBSERVER):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum)


@extend_schema_view(
    list=extend_schema(summary="The cell's drill scenarios"),
    create=extend_schema(
        summary="Write a scenario (manager)",
        request=ScenarioWriteSerializer,
        responses={201: ScenarioSerializer, **ERRORS},
    ),
)
class ScenarioViewSet(CellScoped, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ScenarioSerializer
    queryset = Scenario.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Scenario.objects.filter(cell=self.membership().cell).order_by("name", "id")

    def create(self, request, *args, **kwargs):
        cell = self.membership(services.LEAD_ROLE).cell
        serializer = ScenarioWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = services.scenario_save(actor=request.user, cell=cell, content=serializer.validated_data["content"])
        return Response(ScenarioSerializer(scenario).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import scenarios from YAML (manager): all or nothing, every problem with its line",
        request=ScenarioImportSerializer,
        responses={
            201: ScenarioSerializer(many=True),
            400: OpenApiResponse(description="`errors`: [{line, field, message}]; nothing was imported."),
            **{code: ERRORS[code] for code in (401, 403, 404)},
        },
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None)
    def import_yaml(self, request, cell_pk=None):
        cell = self.membership(services.LEAD_ROLE).cell
        serializer = ScenarioImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            scenarios = services.scenarios_import(actor=request.user, cell=cell, text=serializer.validated_data["yaml"])
        except yamlio.ImportRefused as refused:
            return Response(refused.as_data(), status=status.HTTP_400_BAD_REQUEST)
        return Response(ScenarioSerializer(scenarios, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="The cell's drills, newest first, with their injects and scorecards"),
    retrieve=extend_schema(summary="One drill", responses={200: DrillSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Start a drill from a scenario (manager): an exercise incident, injects delivered at their offsets",
        request=DrillStartSerializer,
        responses={201: DrillSerializer, **ERRORS},
    ),
)
class DrillViewSet(
    CellScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = DrillSerializer
    queryset = Drill.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        injects = Inject.objects.order_by("position")
        return Drill.objects.filter(cell=self.membership().cell).prefetch_related(Prefetch("injects", injects))

    def create(self, request, *args, **kwargs):
        cell = self.membership(services.LEAD_ROLE).cell
        serializer = DrillStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = Scenario.objects.filter(cell=cell, pk=serializer.validated_data["scenario"]).first()
        if scenario is None:
            return Response({"scenario": [_("No such scenario in this cell.")]}, status=status.HTTP_400_BAD_REQUEST)
        drill = services.drill_start(actor=request.user, scenario=scenario)
        return Response(DrillSerializer(self.get_queryset().get(pk=drill.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Pause, resume or end the drill (its leader, or a manager); ending computes the scorecard",
        request=DrillMoveSerializer,
        responses={200: DrillSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def control(self, request, cell_pk=None, pk=None):
        self.membership(Role.MEMBER)
        drill = self.get_object()
        serializer = DrillMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = {"pause": services.drill_pause, "resume": services.drill_resume, "end": services.drill_end}
        drill = move[serializer.validated_data["action"]](actor=request.user, drill=drill)
        return Response(DrillSerializer(self.get_queryset().get(pk=drill.pk)).data)
