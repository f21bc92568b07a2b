from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cells.access import require_role
from cells.models import Role
from core.api.base import KeysetPagination, PreparedFirstPageMixin
from core.api.query_params import check_query

from .. import selectors, services, workflow
from ..filters import IncidentFilter
from ..log_verification import request_verification
from ..models import Incident, LogEntry, LogVerification, VerificationStatus
from .serializers import (
    IncidentSerializer,
    LogEntrySerializer,
    LogVerificationSerializer,
    TransitionSerializer,
)

FILTER_PARAMS = tuple(IncidentFilter.base_filters)
ERRORS = {
    400: OpenApiResponse(description="Invalid input; field-level messages."),
    401: OpenApiResponse(description="Not authenticated: send `Authorization: Token <token>`."),
    403: OpenApiResponse(description="Your role in this cell does not allow it."),
    404: OpenApiResponse(description="No such object in your cells."),
}


@extend_schema_view(
    list=extend_schema(summary="Incidents of your cells"),
    create=extend_schema(summary="Open an incident (member or above)", responses={201: IncidentSerializer, **ERRORS}),
    retrieve=extend_schema(summary="One incident", responses={200: IncidentSerializer, 404: ERRORS[404]}),
    partial_update=extend_schema(
        summary="Edit an incident (member or above)", responses={200: IncidentSerializer, **ERRORS}
    ),
)
class IncidentViewSet(
    PreparedFirstPageMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = IncidentSerializer
    # For the schema only (the path parameter's type); get_queryset scopes by cell.
    queryset = Incident.objects.none()
    filterset_class = IncidentFilter
    ordering_fields = ["created_at", "updated_at", "severity", "title", "level_changed_at"]
    ordering = ["-updated_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.incidents_visible_to(self.request.user)

    def first_rows(self, limit: int) -> list:
        return selectors.first_incidents_visible_to(self.request.user, ordering=tuple(self.ordering), limit=limit)

    def filter_queryset(self, queryset):
        if self.action == "list":
            check_query(self.request, single=("cell", "severity", "q", "ordering"), booleans=("is_exercise",))
        params = self.request.query_params
        for backend in self.filter_backends:
            # Without a filter parameter the filterset filters nothing, but building it
            # (a deep copy of its filters, a form) cost a tenth of every list.
            if issubclass(backend, DjangoFilterBackend) and not any(name in params for name in FILTER_PARAMS):
                continue
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def get_object(self, minimum: Role = Role.OBSERVER):
        incident, _membership = selectors.get_incident_for_user(self.request.user, self.kwargs["pk"], minimum)
        return incident

    def perform_create(self, serializer):
        serializer.instance = services.incident_create(actor=self.request.user, **serializer.validated_data)

    def update(self, request, *args, **kwargs):
        incident = self.get_object(Role.MEMBER)
        serializer = self.get_serializer(incident, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_update(actor=request.user, incident=incident, **serializer.validated_data)
        return Response(self.get_serializer(incident).data)

    @extend_schema(
        summary="Change the level (escalate, de-escalate, close, reopen)",
        request=TransitionSerializer,
        responses={
            200: IncidentSerializer,
            **ERRORS,
            409: OpenApiResponse(
                description=(
                    "Someone changed the level first, or (closing) things are still open: `current.open` lists "
                    "them (kind, count, label, items); send `force_reason` to close anyway. Nothing was written."
                )
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        # An observer may make no move at all: 403 before looking at the input.
        incident = self.get_object(workflow.WEAKEST_ROLE)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = services.incident_transition(
            actor=request.user,
            incident=incident,
            to_level=data["to"],
            reason=data["reason"],
            expected_level=data.get("expected_level"),
            force_reason=data.get("force_reason", ""),
        )
        return Response(self.get_serializer(incident).data)


class LogPagination(KeysetPagination):
    """The crisis log, newest first: `cursor=` pages by `seq` (the `next` links carry them);
    `page=` still works. The count is the incident's log counter (the log is append-only)."""

    ordering = "-seq"

    def count_for(self, view) -> int:
        return view.incident().log_seq


@extend_schema_view(
    list=extend_schema(summary="The crisis log of an incident, newest first"),
    retrieve=extend_schema(
        summary="One entry of the crisis log", responses={200: LogEntrySerializer, 404: ERRORS[404]}
    ),
    create=extend_schema(
        summary="Add an entry (member or above); set `corrects` to correct an earlier one",
        responses={201: LogEntrySerializer, **ERRORS},
    ),
)
class LogEntryViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The crisis log is append-only: no PUT, PATCH or DELETE (405); a correction is a new entry."""

    serializer_class = LogEntrySerializer
    # For the schema only (the path parameter's type); get_queryset scopes by incident.
    queryset = LogEntry.objects.none()
    filter_backends = []
    pagination_class = LogPagination
    http_method_names = ["get", "post", "head", "options"]

    def incident(self, minimum: Role = Role.OBSERVER):
        if not hasattr(self, "_incident"):
            self._incident, self._membership = selectors.get_incident_for_user(
                self.request.user, self.kwargs["incident_pk"]
            )
        require_role(self._membership, minimum)
        return self._incident

    def get_queryset(self):
        return selectors.log_entries(self.incident())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "incident_pk" in self.kwargs:
            context["incident"] = self.incident()
        return context

    def create(self, request, *args, **kwargs):
        incident = self.incident(Role.MEMBER)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.log_entry_add(
            actor=request.user, incident=incident, membership=self._membership, **serializer.validated_data
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The latest verification of the crisis log (hash chain and signed checkpoints)",
        description=(
            "Poll it while `status` is `pending` or `running`: `checked` of `total` entries so far. "
            "`none`: never verified yet (POST to ask)."
        ),
        responses={
            200: LogVerificationSerializer,
            404: ERRORS[404],
        },
    )
    @extend_schema(
        methods=["POST"],
        summary="Ask for a verification of the crisis log (any member of the cell)",
        description="A Celery worker runs it; one that is still waiting or running is returned instead of a second.",
        request=None,
        responses={202: LogVerificationSerializer, 404: ERRORS[404]},
    )
    @action(detail=False, methods=["get", "post"], pagination_class=None)
    def verify(self, request, incident_pk=None):
        incident = self.incident()
        if request.method == "POST":
            verification = request_verification(actor=request.user, incident=incident)
            return Response(LogVerificationSerializer(verification).data, status=status.HTTP_202_ACCEPTED)
        verification = incident.log_verifications.select_related("requested_by").first()
        if verification is None:
            # Not verified yet: the same shape, status "none" (POST to ask for one).
            verification = LogVerification(incident=incident, status=VerificationStatus.NONE, requested_at=None)
        return Response(LogVerificationSerializer(verification).data)
