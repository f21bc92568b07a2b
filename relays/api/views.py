"""The relays API: the cell's directory and lists, an incident's briefings.

Scoping: every queryset is the cell's (or the incident's); access.* decides
404 (not in the cell) and 403 (observer: the directory is personal data).
"""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.docs import ERRORS, READ_ERRORS
from core.errors import Conflict
from incidents.api.scoped import IncidentScopedViewSet

from .. import access, integration, selectors, services
from ..models import Briefing, BriefingDelivery, DistributionList, Relay
from .serializers import (
    BriefingCreateSerializer,
    BriefingSerializer,
    DeliverySerializer,
    ListSerializer,
    ListWriteSerializer,
    RelayedSerializer,
    RelaySerializer,
    RelayWriteSerializer,
)


def validated(request, serializer_class, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CellScoped(viewsets.GenericViewSet):
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def membership(self, minimum=access.READ):
        return access.cell_membership(self.request.user, self.kwargs["cell_pk"], minimum)


@extend_schema_view(
    list=extend_schema(summary="The cell's relays (members and above: personal data)"),
    retrieve=extend_schema(summary="One relay", responses={200: RelaySerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Add a relay (member or above)",
        request=RelayWriteSerializer,
        responses={201: RelaySerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a relay (member or above)",
        request=RelayWriteSerializer(partial=True),
        responses={200: RelaySerializer, **ERRORS},
    ),
)
class RelayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CellScoped):
    serializer_class = RelaySerializer
    queryset = Relay.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Relay.objects.none()
        request = self.request
        return selectors.relays_of_cell(
            self.membership().cell_id,
            kind=request.query_params.get("kind", "")[:16],
            q=request.query_params.get("q", "")[:100],
        )

    def get_object(self, minimum=access.READ) -> Relay:
        relay, _membership = access.get_relay_for_user(
            self.request.user, self.kwargs["cell_pk"], self.kwargs["pk"], minimum
        )
        return relay

    def _answer(self, relay, code=status.HTTP_200_OK):
        relay = selectors.relays_of_cell(relay.cell_id, include_erased=True).get(pk=relay.pk)
        return Response(RelaySerializer(relay).data, status=code)

    def create(self, request, *args, **kwargs):
        membership = self.membership(access.WRITE)
        data = validated(request, RelayWriteSerializer)
        relay = services.relay_create(actor=request.user, cell=membership.cell, **data)
        return self._answer(relay, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        relay = self.get_object(access.WRITE)
        data = validated(request, RelayWriteSerializer, partial=True)
        relay = services.relay_update(actor=request.user, relay=relay, **data)
        return self._answer(relay)

    @extend_schema(
        summary="Everything held about this person (manager or above)",
        responses={200: OpenApiResponse(description="The relay and their briefings, as plain data."), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, *args, **kwargs):
        relay = self.get_object(access.MANAGE)
        return Response(services.relay_export(actor=request.user, relay=relay))

    @extend_schema(
        summary="Erase this person's data (manager or above)", request=None, responses={200: RelaySerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, *args, **kwargs):
        relay = self.get_object(access.MANAGE)
        return self._answer(services.relay_erase(actor=request.user, relay=relay))

    @extend_schema(
        summary="The e-mail bounced: never e-mailed again until the address changes (member or above)",
        request=None,
        responses={200: RelaySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def bounced(self, request, *args, **kwargs):
        relay = self.get_object(access.WRITE)
        return self._answer(services.relay_mark_bounced(actor=request.user, relay=relay))

    @extend_schema(
        summary="The relay's briefings across incidents", responses={200: DeliverySerializer(many=True), **READ_ERRORS}
    )
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        relay = self.get_object()
        page = self.paginate_queryset(selectors.history_of(relay))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="The cell's distribution lists"),
    retrieve=extend_schema(summary="One list", responses={200: ListSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="New list (member or above)", request=ListWriteSerializer, responses={201: ListSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change a list (member or above)",
        request=ListWriteSerializer(partial=True),
        responses={200: ListSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary="Delete a list (member or above); its relays stay", responses={204: None, **ERRORS}),
)
class DistributionListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, CellScoped):
    serializer_class = ListSerializer
    queryset = DistributionList.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DistributionList.objects.none()
        return (
            DistributionList.objects.filter(cell_id=self.membership().cell_id)
            .prefetch_related(Prefetch("relays", queryset=Relay.objects.filter(erased_at__isnull=True).only("pk")))
            .order_by("name", "pk")
        )

    def get_object(self, minimum=access.READ) -> DistributionList:
        found, _membership = access.get_list_for_user(
            self.request.user, self.kwargs["cell_pk"], self.kwargs["pk"], minimum
        )
        return found

    def _answer(self, found, code=status.HTTP_200_OK):
        self.kwargs.setdefault("pk", found.pk)
        return Response(ListSerializer(self.get_queryset().get(pk=found.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        membership = self.membership(access.WRITE)
        data = validated(request, ListWriteSerializer)
        return self._answer(
            services.list_save(actor=request.user, cell=membership.cell, **data), status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        found = self.get_object(access.WRITE)
        data = validated(request, ListWriteSerializer, partial=True)
        merged = {
            "name": data.get("name", found.name),
            "description": data.get("description", found.description),
            "relays": data["relays"] if "relays" in data else list(found.relays.values_list("pk", flat=True)),
        }
        membership = self.membership(access.WRITE)
        return self._answer(services.list_save(actor=request.user, cell=membership.cell, instance=found, **merged))

    def destroy(self, request, *args, **kwargs):
        found = self.get_object(access.WRITE)
        services.list_delete(actor=request.user, distribution_list=found)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The incident's briefings of relays, with each relay's delivery (members and above)"),
    retrieve=extend_schema(summary="One briefing", responses={200: BriefingSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Brief the relays on a published statement (manager or above)",
        request=BriefingCreateSerializer,
        responses={201: BriefingSerializer, **ERRORS},
    ),
)
class BriefingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncidentScopedViewSet):
    serializer_class = BriefingSerializer
    queryset = Briefing.objects.none()
    filter_backends = []
    http_method_names = ["get", "post", "head", "options"]
    # The briefings' tracking is read by members (access.READ), not observers.
    roles = {"list": access.READ, "retrieve": access.READ, "create": access.MANAGE, "relayed": access.WRITE}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Briefing.objects.none()
        return (
            Briefing.objects.filter(incident=self.incident(access.READ))
            .select_related("version")
            .prefetch_related(
                Prefetch(
                    "deliveries",
                    queryset=BriefingDelivery.objects.select_related("relay").order_by("relay__name", "pk"),
                )
            )
            .order_by("-created_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        incident = self.incident(access.MANAGE)
        data = validated(request, BriefingCreateSerializer)
        statement, _membership = integration.statement_for_user(
            request.user, incident.pk, data.pop("statement"), access.MANAGE
        )
        published = statement.versions.filter(status="published").first()
        if published is None:
            raise Conflict(_("Publish a version of this statement before sending it to relays."), current={})
        briefing = services.brief(actor=request.user, version=published, **data)
        return Response(
            BriefingSerializer(self.get_queryset().get(pk=briefing.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Mark one relay's delivery as relayed, optionally with where (member or above)",
        request=RelayedSerializer,
        responses={200: DeliverySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_pk>[0-9]+)/relayed")
    def relayed(self, request, *args, **kwargs):
        incident = self.incident(access.WRITE)
        try:
            delivery = BriefingDelivery.objects.select_related("briefing__incident", "briefing__version").get(
                pk=int(kwargs["delivery_pk"]), briefing_id=int(kwargs["pk"]), briefing__incident=incident
            )
        except (BriefingDelivery.DoesNotExist, ValueError):
            raise Http404(_("No such delivery in this briefing.")) from None
        data = validated(request, RelayedSerializer)
        delivery = services.mark_relayed(actor=request.user, delivery=delivery, url=data.get("url", ""))
        return Response(DeliverySerializer(delivery).data)
