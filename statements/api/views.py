from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cells.models import Role
from core.api.docs import ERRORS, ETAG, IF_MATCH, PRECONDITION_ERRORS, READ_ERRORS
from core.api.etag import check_if_match, stale_as_412, with_etag
from facts.api.views import DIFF_SCHEMA, diff_params, diff_response
from incidents.api.scoped import IncidentScopedViewSet

from .. import review, selectors, services
from ..models import Statement, StatementVersion
from .serializers import (
    PublishSerializer,
    RejectSerializer,
    ReviewDueSerializer,
    StatementCreateSerializer,
    StatementSerializer,
    StatementUpdateSerializer,
    VersionEditSerializer,
    VersionSerializer,
    WithdrawSerializer,
)


def validated(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="Statements of an incident: those needing review first"),
    retrieve=extend_schema(
        summary="One statement, where it stands", responses={200: StatementSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Draft a statement: creates it with version 1 (member or above)",
        request=StatementCreateSerializer,
        responses={201: StatementSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change the title or the claims it answers (member or above)",
        request=StatementUpdateSerializer,
        responses={200: StatementSerializer, **ERRORS},
    ),
)
class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = StatementSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    roles = {"review_due": Role.MANAGER}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        return selectors.statements_for_incident(self.incident())

    def get_object(self) -> Statement:
        self.incident()
        statement, _membership = selectors.get_statement_for_user(
            self.request.user, self.kwargs["incident_pk"], self.kwargs["pk"]
        )
        return statement

    def statement_response(self, statement: Statement, code=status.HTTP_200_OK) -> Response:
        statement = selectors.statements_for_incident(statement.incident).get(pk=statement.pk)
        return Response(StatementSerializer(statement).data, status=code)

    def create(self, request, *args, **kwargs):
        incident = self.incident()
        statement = services.statement_create(
            actor=request.user, incident=incident, **validated(request, StatementCreateSerializer)
        )
        return self.statement_response(statement, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        statement = self.get_object()
        data = validated(request, StatementUpdateSerializer)
        statement = services.statement_update(actor=request.user, statement=statement, **data)
        return self.statement_response(statement)

    @extend_schema(
        summary="Move the review deadline of a published holding statement (manager)",
        request=ReviewDueSerializer,
        responses={200: StatementSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="review-due")
    def review_due(self, request, incident_pk=None, pk=None):
        statement = self.get_object()
        data = validated(request, ReviewDueSerializer)
        review.set_review_due(
            actor=request.user, statement=statement, due_at=data["review_due_at"], reason=data["reason"]
        )
        return self.statement_response(statement)

    @DIFF_SCHEMA
    @action(detail=True, methods=["get"])
    def diff(self, request, incident_pk=None, pk=None):
        statement = self.get_object()
        old, new = diff_params(request)
        return diff_response(old, new, *selectors.version_texts(statement, old, new))


def version_action(name: str, summary: str, request_serializer=None):
    """One workflow action on a version: POST .../versions/{number}/<name>/."""
    service = getattr(services, f"version_{name}")

    def act(self, request, incident_pk=None, statement_pk=None, number=None):
        version = self.get_object()
        data = validated(request, request_serializer) if request_serializer else {}
        return self.version_response(service(actor=request.user, version=version, **data))

    # Named before decorating: DRF's router maps the route to the method by this name.
    act.__name__ = name
    documented = extend_schema(
        summary=summary, request=request_serializer, parameters=[ETAG], responses={200: VersionSerializer, **ERRORS}
    )
    # extend_schema after action(): action() replaces the function's kwargs, where the schema lives.
    return documented(action(detail=True, methods=["post"])(act))


@extend_schema_view(
    list=extend_schema(summary="Every version of a statement, newest first"),
    retrieve=extend_schema(
        summary="One version, with its ETag", parameters=[ETAG], responses={200: VersionSerializer, **READ_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Edit a draft in place (200), or start a new draft from a settled version (201). Needs If-Match.",
        request=VersionEditSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: VersionSerializer, 201: VersionSerializer, **ERRORS, **PRECONDITION_ERRORS},
    ),
)
class VersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = VersionSerializer
    lookup_field = "number"
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Members draft and submit; managers decide (the services check again).
    roles = dict.fromkeys(("approve", "reject", "publish", "withdraw"), Role.MANAGER)

    def statement(self) -> Statement:
        self.incident()
        statement, _membership = selectors.get_statement_for_user(
            self.request.user, self.kwargs["incident_pk"], self.kwargs["statement_pk"]
        )
        return statement

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatementVersion.objects.none()
        return selectors.versions_of(self.statement())

    def get_object(self) -> StatementVersion:
        return selectors.get_version(self.statement(), self.kwargs["number"])

    def version_response(self, version: StatementVersion, code=status.HTTP_200_OK) -> Response:
        version = selectors.get_version(version.statement, version.number)
        return with_etag(Response(self.get_serializer(version).data, status=code), version)

    def retrieve(self, request, *args, **kwargs):
        return self.version_response(self.get_object())

    def partial_update(self, request, *args, **kwargs):
        version = self.get_object()
        check_if_match(request, version.etag)
        data = validated(request, VersionEditSerializer)
        with stale_as_412():
            draft, created = services.version_edit(
                actor=request.user, version=version, expected_revision=version.revision, **data
            )
        return self.version_response(draft, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    submit = version_action("submit", "Submit a draft for approval (member or above)")
    approve = version_action(
        "approve", "Approve (manager, never the version's author; every cited fact must be verified)"
    )
    reject = version_action(
        "reject", "Reject with a comment (manager); the next edit starts a new draft", RejectSerializer
    )
    publish = version_action(
        "publish", "Publish an approved version; it supersedes the published one (manager)", PublishSerializer
    )
    withdraw = version_action("withdraw", "Withdraw an approved or published version (manager)", WithdrawSerializer)
