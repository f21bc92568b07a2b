"""The monitoring API: ingestion (ingest tokens only) and the cell's mentions, watchlists,
alerts and sources (members of the cell, by role; a non-member gets 404)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from cells.access import get_cell_for_user
from cells.models import Role
from core.api.query_params import check_query

from .. import ingest, integration, selectors, services
from ..models import Alert, IngestToken, Source, ToneWord, Watchlist
from . import serializers as s
from .auth import IngestTokenAuthentication, IsIngestion


class MentionBatchView(APIView):
    """POST /api/v1/mentions/batch/: up to 10,000 mentions, JSON or NDJSON, with an ingestion token."""

    authentication_classes = [IngestTokenAuthentication]
    permission_classes = [IsIngestion]
    # The body is read as bytes and decoded by msgspec (monitoring/ingest.py): no DRF parser.
    parser_classes = []

    @extend_schema(
        summary='Push mentions (ingestion token; JSON list, {"mentions": [...]} or NDJSON)',
        request={"application/json": OpenApiTypes.OBJECT, "application/x-ndjson": OpenApiTypes.STR},
        responses={
            200: s.BatchResultSerializer,
            400: OpenApiResponse(description="The body cannot be read as a batch"),
            413: OpenApiResponse(description="More than 10,000 mentions, or too many bytes"),
        },
    )
    def post(self, request):
        source = request.auth
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        try:
            result = ingest.ingest_body(source, request.body, content_type)
        except ingest.BatchTooLarge as exc:
            return Response(
                {
                    "detail": _("At most %(limit)s mentions per request; this one has %(count)s. Split it.")
                    % {"limit": ingest.MAX_BATCH, "count": exc.args[0]},
                    "limit": ingest.MAX_BATCH,
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        except ingest.MalformedBatch as exc:
            return Response(
                {
                    "detail": _(
                        'The body is not a batch of mentions: send a JSON list, {"mentions": [...]}, '
                        "or one JSON object per line (application/x-ndjson). %(reason)s"
                    )
                    % {"reason": exc.args[0]},
                    "code": exc.args[0].code,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_dict())


class CellScoped:
    """Fetch-and-authorise the cell of the URL: 404 for a non-member, 403 below `minimum`."""

    def cell(self, minimum: Role = Role.OBSERVER):
        return get_cell_for_user(self.request.user, self.kwargs["cell_pk"], minimum)


@extend_schema_view(
    list=extend_schema(summary="The cell's mentions, filtered and searched", parameters=[s.MentionFilterSerializer]),
    retrieve=extend_schema(summary="One mention"),
)
class MentionViewSet(CellScoped, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MentionSerializer
    queryset = selectors.Mention.objects.none()
    filter_backends = []

    def get_queryset(self):
        cell = self.cell()
        if self.action != "list":
            return selectors.mentions(cell.pk)
        check_query(self.request, single=list(s.MentionFilterSerializer().fields))
        filters = s.MentionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.mentions(cell.pk, **filters.validated_data)


@extend_schema_view(
    list=extend_schema(summary="The cell's watchlists"),
    create=extend_schema(summary="Add a watchlist (manager)"),
    retrieve=extend_schema(summary="One watchlist"),
    partial_update=extend_schema(summary="Change a watchlist (manager); a new version"),
)
class WatchlistViewSet(
    CellScoped,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.WatchlistSerializer
    queryset = Watchlist.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.watchlists(self.cell().pk)

    def get_serializer_context(self):
        watched = set()
        if self.request.user.is_authenticated:
            watched = set(self.request.user.watched_watchlists.values_list("pk", flat=True))
        return {**super().get_serializer_context(), "watched": watched}

    def perform_create(self, serializer):
        serializer.instance = services.watchlist_create(
            actor=self.request.user, cell=self.cell(), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.watchlist_update(
            actor=self.request.user, watchlist=serializer.instance, **serializer.validated_data
        )

    @extend_schema(summary="Follow a watchlist (be notified of its alerts) or stop", request=s.WatchSerializer)
    @action(detail=True, methods=["post"])
    def watch(self, request, cell_pk=None, pk=None):
        watchlist = self.get_object()
        body = s.WatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.watch(actor=request.user, watchlist=watchlist, watching=body.validated_data["watching"])
        return Response(self.get_serializer(watchlist).data)

    @extend_schema(
        summary="Volume per time bucket (from the counters)",
        parameters=[s.VolumeQuerySerializer],
        responses=s.VolumePointSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def volume(self, request, cell_pk=None, pk=None):
        watchlist = self.get_object()
        check_query(request, single=["hours", "bucket_minutes"])
        query = s.VolumeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        until = timezone.now()
        points = selectors.volume_series(
            [watchlist.pk],
            since=until - timedelta(hours=query.validated_data["hours"]),
            until=until,
            bucket_minutes=query.validated_data["bucket_minutes"],
        )
        return Response(s.VolumePointSerializer(points, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="The cell's alerts", parameters=[s.AlertFilterSerializer]),
    retrieve=extend_schema(summary="One alert, with why it fired"),
)
class AlertViewSet(CellScoped, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AlertSerializer
    queryset = Alert.objects.none()
    filter_backends = []

    def get_queryset(self):
        cell = self.cell()
        if self.action != "list":
            return selectors.alerts(cell.pk)
        check_query(self.request, single=["status"])
        filters = s.AlertFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.alerts(cell.pk, **filters.validated_data)

    @extend_schema(summary="Dismiss an alert with a reason (member)", request=s.DismissSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, cell_pk=None, pk=None):
        alert = self.get_object()
        body = s.DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = services.alert_dismiss(actor=request.user, alert=alert, reason=body.validated_data["reason"])
        return Response(self.get_serializer(alert).data)

    @extend_schema(
        summary="Open an incident from an alert, or attach it to an open one (member)",
        request=s.EscalateSerializer,
        responses={201: s.EscalatedSerializer},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, cell_pk=None, pk=None):
        alert = self.get_object()
        body = s.EscalateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        incident = None
        if data.get("incident"):
            incident = integration.open_incidents(alert.cell).filter(pk=data["incident"]).first()
            if incident is None:
                return Response(
                    {"incident": [_("Choose an open incident of this cell.")]}, status=status.HTTP_400_BAD_REQUEST
                )
        incident = services.alert_escalate(
            actor=request.user, alert=alert, level=data["level"], title=data["title"], incident=incident
        )
        return Response(
            {"incident": incident.pk, "url": reverse("incidents:detail", args=[incident.pk])},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(summary="The cell's sources, with their last success and error (admin)"),
    create=extend_schema(summary="Add a source (admin)"),
    retrieve=extend_schema(summary="One source (admin)"),
)
class SourceViewSet(
    CellScoped, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.SourceSerializer
    queryset = Source.objects.none()
    filter_backends = []

    def get_queryset(self):
        return selectors.sources(self.cell(Role.ADMIN).pk)

    def perform_create(self, serializer):
        serializer.instance = services.source_create(
            actor=self.request.user, cell=self.cell(Role.ADMIN), **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(summary="The cell's ingestion tokens (admin; keys are never shown again)"),
    create=extend_schema(
        summary="Make an ingestion token for one source of the cell (admin); the key is in this answer only"
    ),
    destroy=extend_schema(summary="Revoke an ingestion token (admin)"),
)
class IngestTokenViewSet(
    CellScoped, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.IngestTokenSerializer
    queryset = IngestToken.objects.none()
    filter_backends = []

    def get_queryset(self):
        return IngestToken.objects.filter(source__cell=self.cell(Role.ADMIN)).order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        cell = self.cell(Role.ADMIN)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = serializer.validated_data["source"]
        if source.cell_id != cell.pk:
            return Response({"source": [_("Choose a source of this cell.")]}, status=status.HTTP_400_BAD_REQUEST)
        token, key = services.ingest_token_create(
            actor=request.user, source=source, name=serializer.validated_data["name"]
        )
        data = s.IngestTokenSerializer(token, context={"keys": {token.pk: key}}).data
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.ingest_token_revoke(actor=self.request.user, token=instance)


@extend_schema_view(
    list=extend_schema(summary="The cell's own tone words (added to the built-in lexicon)"),
    create=extend_schema(summary="Add or change a tone word (manager): -1 negative, 1 positive"),
    destroy=extend_schema(summary="Remove a tone word (manager)"),
)
class ToneWordViewSet(
    CellScoped, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.ToneWordSerializer
    queryset = ToneWord.objects.none()
    filter_backends = []

    def get_queryset(self):
        minimum = Role.OBSERVER if self.action == "list" else Role.MANAGER
        return ToneWord.objects.filter(cell=self.cell(minimum)).order_by("word")

    def perform_create(self, serializer):
        serializer.instance = services.tone_word_add(
            actor=self.request.user, cell=self.cell(Role.MANAGER), **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.tone_word_remove(actor=self.request.user, tone_word=instance)
