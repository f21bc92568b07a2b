from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from cells.access import membership_for, require_role
from cells.models import Role
from incidents.api.scoped import IncidentScopedViewSet

from .. import activation, selectors, services, yamlio
from ..models import Acknowledgement, Activation, Playbook, PlaybookVersion, RotaSlot, Task
from .serializers import (
    AcknowledgementSerializer,
    AcknowledgeSerializer,
    ActivateSerializer,
    ActivationSerializer,
    ApplyLevelSerializer,
    PlaybookImportSerializer,
    PlaybookSerializer,
    PlaybookVersionSerializer,
    PlaybookWriteSerializer,
    PreparednessSerializer,
    RotaSlotSerializer,
    TaskMoveSerializer,
    TaskPatchSerializer,
    TaskSerializer,
    TaskWriteSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="Invalid input; field-level messages."),
    401: OpenApiResponse(description="Not authenticated: send `Authorization: Token <token>`."),
    403: OpenApiResponse(description="Your role in this cell does not allow it."),
    404: OpenApiResponse(description="No such object in your cells."),
}
CONFLICT = {409: OpenApiResponse(description="Someone changed it first; `current` says how it is now.")}


@extend_schema_view(
    list=extend_schema(summary="The incident's tasks (checklist order)"),
    retrieve=extend_schema(summary="One task", responses={200: TaskSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Add a task by hand (member or above)",
        request=TaskWriteSerializer,
        responses={201: TaskSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit a task: title, description, assignee, due time (member or above)",
        request=TaskPatchSerializer,
        responses={200: TaskSerializer, **ERRORS, **CONFLICT},
    ),
)
class TaskViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    IncidentScopedViewSet,
):
    serializer_class = TaskSerializer
    queryset = Task.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.tasks_of(self.incident(Role.OBSERVER))

    def create(self, request, *args, **kwargs):
        incident = self.incident(services.WORK_ROLE)
        serializer = TaskWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.task_create(actor=request.user, incident=incident, **serializer.validated_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        self.incident(services.WORK_ROLE)
        task = self.get_object()
        serializer = TaskPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        revision = data.pop("revision", None)
        task = services.task_update(actor=request.user, task=task, expected_revision=revision, **data)
        return Response(TaskSerializer(task).data)

    @extend_schema(
        summary="Move a task: todo → doing → done | cancelled, or back to todo (member or above)",
        request=TaskMoveSerializer,
        responses={200: TaskSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, incident_pk=None, pk=None):
        self.incident(services.WORK_ROLE)
        task = self.get_object()
        serializer = TaskMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = services.task_move(
            actor=request.user,
            task=task,
            to=data["to"],
            expected_status=data.get("expected_status"),
            note=data.get("note", ""),
        )
        return Response(TaskSerializer(task).data)

    @extend_schema(
        summary="Create a level's playbook tasks and drafts (manager); `again` for a further time",
        request=ApplyLevelSerializer,
        responses={201: TaskSerializer(many=True), **ERRORS, **CONFLICT},
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def apply(self, request, incident_pk=None):
        incident = self.incident(services.MANAGE_ROLE)
        serializer = ApplyLevelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.level_apply(actor=request.user, incident=incident, **serializer.validated_data)
        tasks = selectors.tasks_of(incident).filter(run=run)
        return Response(TaskSerializer(tasks, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="My open tasks across the incidents of my cells, soonest due first"))
class MyTaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    queryset = Task.objects.none()
    filter_backends = []

    def get_queryset(self):
        return selectors.my_open_tasks(self.request.user).select_related("assignee")


@extend_schema_view(
    list=extend_schema(summary="The cell's playbooks, each with its current version"),
    retrieve=extend_schema(summary="One playbook", responses={200: PlaybookSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Save a playbook (manager): a new version of the crisis type's playbook",
        request=PlaybookWriteSerializer,
        responses={201: PlaybookVersionSerializer, **ERRORS},
    ),
)
class PlaybookViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = PlaybookSerializer
    queryset = Playbook.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]

    def membership(self, minimum: Role = Role.OBSERVER):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum)

    def get_queryset(self):
        cell = self.membership().cell
        latest = PlaybookVersion.objects.order_by("-number")
        return selectors.playbooks_of(cell.pk).prefetch_related(Prefetch("versions", latest, to_attr="all_versions"))

    def create(self, request, *args, **kwargs):
        cell = self.membership(services.MANAGE_ROLE).cell
        serializer = PlaybookWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.playbook_save(actor=request.user, cell=cell, **serializer.validated_data)
        return Response(PlaybookVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Every playbook of the cell as YAML (current versions), to keep under review outside the tool",
        # A YAML document: {"playbooks": [{crisis_type, name, levels}, ...]} (the import's input).
        responses={(200, "application/yaml"): OpenApiTypes.OBJECT, 404: ERRORS[404]},
    )
    @action(detail=False, methods=["get"], url_path="export", pagination_class=None)
    def export(self, request, cell_pk=None):
        cell = self.membership().cell
        text = yamlio.export_cell(cell, selectors.current_versions(cell.pk))
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="playbooks-cell-{cell.pk}.yaml"'
        return response

    @extend_schema(
        summary="Import playbooks from YAML (manager): all or nothing, every problem with its line",
        request=PlaybookImportSerializer,
        responses={
            201: PlaybookVersionSerializer(many=True),
            400: OpenApiResponse(description="`errors`: [{line, field, message}]; nothing was imported."),
            **{code: ERRORS[code] for code in (401, 403, 404)},
        },
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None)
    def import_yaml(self, request, cell_pk=None):
        cell = self.membership(services.MANAGE_ROLE).cell
        serializer = PlaybookImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            versions = yamlio.import_cell(actor=request.user, cell=cell, text=serializer.validated_data["yaml"])
        except yamlio.ImportRefused as refused:
            return Response(refused.as_data(), status=status.HTTP_400_BAD_REQUEST)
        return Response(PlaybookVersionSerializer(versions, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Every version of the playbook, newest first", responses={200: PlaybookVersionSerializer(many=True)}
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, cell_pk=None, pk=None):
        playbook = self.get_object()
        return Response(PlaybookVersionSerializer(playbook.all_versions, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="The incident's activations of the cell, newest first, with every member's answer"),
    retrieve=extend_schema(summary="One activation", responses={200: ActivationSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Activate the cell by hand, with a message (manager)",
        request=ActivateSerializer,
        responses={201: ActivationSerializer, **ERRORS},
    ),
)
class ActivationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, IncidentScopedViewSet
):
    serializer_class = ActivationSerializer
    queryset = Activation.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]
    # Every member of the cell is asked, observers too.
    roles = {"acknowledge": Role.OBSERVER}

    def get_queryset(self):
        acks = Acknowledgement.objects.select_related("user").order_by("id")
        return Activation.objects.filter(incident=self.incident(Role.OBSERVER)).prefetch_related(Prefetch("acks", acks))

    def create(self, request, *args, **kwargs):
        incident = self.incident(Role.MANAGER)
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activation_ = activation.activate_by_hand(actor=request.user, incident=incident, **serializer.validated_data)
        return Response(ActivationSerializer(self.get_queryset().get(pk=activation_.pk)).data, status=201)

    @extend_schema(
        summary="Answer an activation: “on_it” or “unavailable” (any member; a change of mind too)",
        request=AcknowledgeSerializer,
        responses={200: AcknowledgementSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, incident_pk=None, pk=None):
        activation_ = self.get_object()
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ack = activation.acknowledge(actor=request.user, activation=activation_, **serializer.validated_data)
        return Response(AcknowledgementSerializer(ack).data)


@extend_schema_view(
    list=extend_schema(summary="The cell's on-call rota (who answers first out of hours)"),
    create=extend_schema(summary="Add an on-call slot (manager)", responses={201: RotaSlotSerializer, **ERRORS}),
    destroy=extend_schema(summary="Remove an on-call slot (manager)", responses={204: None, **ERRORS}),
)
class RotaViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = RotaSlotSerializer
    queryset = RotaSlot.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "delete", "head", "options"]

    def membership(self, minimum: Role = Role.OBSERVER):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum)

    def get_queryset(self):
        return RotaSlot.objects.filter(cell=self.membership().cell).order_by("starts_at", "id")

    def perform_create(self, serializer):
        membership = self.membership(services.MANAGE_ROLE)
        data = serializer.validated_data
        serializer.instance = services.rota_add(actor=self.request.user, cell=membership.cell, **data)

    def perform_destroy(self, instance):
        services.rota_remove(actor=self.request.user, slot=instance)


class PreparednessView(GenericAPIView):
    """The cell's activation level, reminder cadences and digest interval."""

    serializer_class = PreparednessSerializer

    def _cell(self, minimum: Role):
        return require_role(membership_for(self.request.user, self.kwargs["cell_pk"]), minimum).cell

    @extend_schema(summary="The cell's preparedness settings", responses={200: PreparednessSerializer, **ERRORS})
    def get(self, request, cell_pk=None):
        return Response(PreparednessSerializer(activation.settings_for(self._cell(Role.OBSERVER).pk)).data)

    @extend_schema(
        summary="Change the cell's preparedness settings (manager)",
        request=PreparednessSerializer,
        responses={200: PreparednessSerializer, **ERRORS},
    )
    def patch(self, request, cell_pk=None):
        cell = self._cell(services.MANAGE_ROLE)
        prefs = activation.settings_for(cell.pk)
        serializer = PreparednessSerializer(prefs, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        prefs = activation.preparedness_save(actor=request.user, cell=cell, **serializer.validated_data)
        return Response(PreparednessSerializer(prefs).data)
