from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import PreparedFirstPageMixin
from core.api.docs import ERRORS, ETAG, IF_MATCH, PRECONDITION_ERRORS, READ_ERRORS
from core.api.etag import check_if_match, stale_as_412, with_etag
from core.api.query_params import check_query
from core.textdiff import text_diff, unified_diff
from incidents.api.scoped import IncidentScopedViewSet
from reminders import cadence

from .. import claims, selectors, services
from ..models import Claim, Fact, FactStatus
from .serializers import (
    ClaimFactLinkSerializer,
    ClaimSerializer,
    ClaimTransitionSerializer,
    DiffQuerySerializer,
    DiffSerializer,
    FactCreateSerializer,
    FactEditSerializer,
    FactSerializer,
    FactSourceSerializer,
    FactVersionSerializer,
    RefuteSerializer,
    RetractSerializer,
)

STATUS_FILTER = OpenApiParameter("status", str, many=True, enum=FactStatus.values, description="Only these statuses.")


def diff_response(from_number: int, to_number: int, old: str, new: str) -> Response:
    payload = {
        "from_version": from_number,
        "to_version": to_number,
        "lines": text_diff(old, new),
        "unified": unified_diff(old, new, old_label=f"v{from_number}", new_label=f"v{to_number}"),
    }
    return Response(DiffSerializer(payload).data)


def diff_params(request) -> tuple[int, int]:
    check_query(request, single=("from", "to"))
    query = DiffQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["from"], query.validated_data["to"]


DIFF_SCHEMA = extend_schema(
    summary="Line diff between two versions",
    parameters=[
        OpenApiParameter("from", {"type": "integer", "minimum": 1}, required=True, description="The older version."),
        OpenApiParameter("to", {"type": "integer", "minimum": 1}, required=True, description="The newer version."),
    ],
    responses={200: DiffSerializer, 400: ERRORS[400], 404: ERRORS[404]},
)


@extend_schema_view(
    list=extend_schema(summary="Facts of an incident: unverified first", parameters=[STATUS_FILTER]),
    retrieve=extend_schema(
        summary="One fact, with its sources", parameters=[ETAG], responses={200: FactSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Record a fact with its sources (member or above)",
        request=FactCreateSerializer,
        parameters=[ETAG],
        responses={201: FactSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit an unverified fact: a new version (member or above; needs If-Match)",
        request=FactEditSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: FactSerializer, **ERRORS, **PRECONDITION_ERRORS},
    ),
)
class FactViewSet(PreparedFirstPageMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = FactSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def first_rows(self, limit: int) -> list:
        return selectors.first_facts_for_incident(self.incident(), limit=limit)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Fact.objects.none()
        facts = selectors.facts_for_incident(self.incident())
        wanted = self.request.query_params.getlist("status")
        if wanted:
            unknown = sorted(set(wanted) - set(FactStatus.values))
            if unknown:
                raise serializers.ValidationError({"status": _("Unknown status: %(s)s.") % {"s": ", ".join(unknown)}})
            facts = facts.filter(status__in=wanted)
        return facts

    def get_object(self) -> Fact:
        self.incident()  # the role check for this action
        fact, _membership = selectors.get_fact_for_user(
            self.request.user, self.kwargs["incident_pk"], self.kwargs["pk"]
        )
        return fact

    def fact_response(self, fact: Fact, code=status.HTTP_200_OK) -> Response:
        fact = selectors.facts_for_incident(fact.incident).get(pk=fact.pk)
        return with_etag(Response(FactSerializer(fact).data, status=code), fact)

    def retrieve(self, request, *args, **kwargs):
        return self.fact_response(self.get_object())

    def create(self, request, *args, **kwargs):
        incident = self.incident()
        data = self.validated(FactCreateSerializer)
        fact = services.fact_create(actor=request.user, incident=incident, **data)
        return self.fact_response(fact, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        fact = self.get_object()
        check_if_match(request, fact.etag)
        data = self.validated(FactEditSerializer)
        with stale_as_412():
            fact = services.fact_edit(actor=request.user, fact=fact, expected_revision=fact.revision, **data)
        return self.fact_response(fact)

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Verify (member or above; not the fact's creator unless the cell allows it)",
        request=None,
        parameters=[ETAG],
        responses={200: FactSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, incident_pk=None, pk=None):
        return self.fact_response(services.fact_verify(actor=request.user, fact=self.get_object()))

    @extend_schema(
        summary="Refute an unverified fact; flags the statements citing it",
        request=RefuteSerializer,
        parameters=[ETAG],
        responses={200: FactSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def refute(self, request, incident_pk=None, pk=None):
        fact = self.get_object()
        data = self.validated(RefuteSerializer)
        return self.fact_response(services.fact_refute(actor=request.user, fact=fact, **data))

    @extend_schema(
        summary="Retract a verified fact, with the reason; flags the statements citing it",
        request=RetractSerializer,
        parameters=[ETAG],
        responses={200: FactSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def retract(self, request, incident_pk=None, pk=None):
        fact = self.get_object()
        data = self.validated(RetractSerializer)
        return self.fact_response(services.fact_retract(actor=request.user, fact=fact, **data))

    @extend_schema(
        summary="Add a source (member or above)",
        request=FactSourceSerializer,
        parameters=[ETAG],
        responses={201: FactSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def sources(self, request, incident_pk=None, pk=None):
        fact = self.get_object()
        data = self.validated(FactSourceSerializer)
        services.fact_add_source(actor=request.user, fact=fact, **data)
        return self.fact_response(fact, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Every text version of the fact, newest first", responses={200: FactVersionSerializer(many=True)}
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, incident_pk=None, pk=None):
        return Response(FactVersionSerializer(selectors.fact_versions(self.get_object()), many=True).data)

    @DIFF_SCHEMA
    @action(detail=True, methods=["get"])
    def diff(self, request, incident_pk=None, pk=None):
        fact = self.get_object()
        old, new = diff_params(request)
        return diff_response(old, new, *selectors.fact_texts(fact, old, new))


@extend_schema_view(
    list=extend_schema(summary="The claims register: open claims first, the oldest on top"),
    retrieve=extend_schema(summary="One claim", responses={200: ClaimSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Register a claim (member or above)", responses={201: ClaimSerializer, **ERRORS}),
    partial_update=extend_schema(summary="Edit a claim (member or above)", responses={200: ClaimSerializer, **ERRORS}),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = ClaimSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Claim.objects.none()
        return selectors.claims_for_incident(self.incident())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "incident" in context:
            context["claim_unanswered_after"] = cadence.claim_unanswered_after(context["incident"].cell)
        return context

    def get_object(self) -> Claim:
        self.incident()
        claim, _membership = selectors.get_claim_for_user(
            self.request.user, self.kwargs["incident_pk"], self.kwargs["pk"]
        )
        return claim

    def claim_response(self, claim: Claim, code=status.HTTP_200_OK) -> Response:
        claim = selectors.claims_for_incident(claim.incident).get(pk=claim.pk)
        return Response(self.get_serializer(claim).data, status=code)

    def create(self, request, *args, **kwargs):
        incident = self.incident()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claims.claim_create(actor=request.user, incident=incident, **serializer.validated_data)
        return self.claim_response(claim, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        claim = self.get_object()
        serializer = self.get_serializer(claim, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        claim = claims.claim_update(actor=request.user, claim=claim, **serializer.validated_data)
        return self.claim_response(claim)

    @extend_schema(
        summary="Change the status (settling it needs verified evidence)",
        request=ClaimTransitionSerializer,
        responses={200: ClaimSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, incident_pk=None, pk=None):
        claim = self.get_object()
        serializer = ClaimTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = claims.claim_transition(
            actor=request.user,
            claim=claim,
            to_status=data["to"],
            note=data["note"],
            expected_status=data.get("expected_status"),
        )
        return self.claim_response(claim)

    @extend_schema(
        summary="Link a fact that confirms or refutes the claim",
        request=ClaimFactLinkSerializer,
        responses={200: ClaimSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def facts(self, request, incident_pk=None, pk=None):
        claim = self.get_object()
        serializer = ClaimFactLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fact = Fact.objects.filter(incident=claim.incident, pk=data["fact"]).first()
        if fact is None:
            raise Http404(_("No such fact in this incident."))
        claims.claim_link_fact(actor=request.user, claim=claim, fact=fact, relation=data["relation"])
        return self.claim_response(claim)
