from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cells.models import Role
from chat import selectors as chat_selectors
from chat import services as chat
from chat.models import ChatMessage
from core.api.base import Pagination
from core.api.docs import ERRORS, READ_ERRORS
from incidents import events, locks
from incidents.api.scoped import IncidentScopedViewSet

from .. import presence
from .serializers import (
    ChatMessageSerializer,
    ChatPostSerializer,
    EventPageSerializer,
    LockRequestSerializer,
    LockSerializer,
    PresenceSerializer,
    PromoteSerializer,
)


def _bounded_int(request, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    values = request.query_params.getlist(name)
    if not values:
        return default
    # One value, digits only: "", "1.5", "+3" or a repeated parameter are refused, as the schema says.
    value = int(values[0]) if len(values) == 1 and values[0].isdigit() else -1
    if value < minimum or (maximum is not None and value > maximum):
        bound = f" ({minimum} to {maximum})" if maximum is not None else ""
        raise serializers.ValidationError({name: _("Give a whole number%(bound)s.") % {"bound": bound}})
    return value


class OneObjectSchema(AutoSchema):
    """These `list` actions answer one object (not a list of them): say so in the schema."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class EventViewSet(IncidentScopedViewSet):
    """The incident's event stream, for a page or a client that missed some live messages."""

    pagination_class = None  # its own paging: after/limit
    schema = OneObjectSchema()

    @extend_schema(
        summary="Events after a sequence number (catch-up after a reconnect)",
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0},
                description="The last seq you applied (0: from the start).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": events.EVENTS_PAGE_MAX},
                description=f"At most this many (1 to {events.EVENTS_PAGE_MAX}).",
            ),
        ],
        responses={200: EventPageSerializer, 400: ERRORS[400], **READ_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        incident = self.incident()
        after = _bounded_int(request, "after", 0)
        limit = _bounded_int(request, "limit", events.EVENTS_PAGE_MAX, 1, events.EVENTS_PAGE_MAX)
        page = [events.serialize(event) for event in events.events_after(incident, after, limit + 1)]
        last_seq = type(incident).objects.values_list("event_seq", flat=True).get(pk=incident.pk)
        return Response(
            {"incident": incident.pk, "last_seq": last_seq, "events": page[:limit], "has_more": len(page) > limit}
        )


@extend_schema_view(
    list=extend_schema(summary="The incident's chat, newest first", responses={200: ChatMessageSerializer(many=True)}),
    create=extend_schema(
        summary="Post a message (any member of the cell, observers too); @username notifies that member",
        request=ChatPostSerializer,
        responses={201: ChatMessageSerializer, **ERRORS},
    ),
)
class ChatViewSet(mixins.ListModelMixin, IncidentScopedViewSet):
    serializer_class = ChatMessageSerializer
    pagination_class = Pagination
    roles = {"create": Role.OBSERVER, "promote": Role.MEMBER}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChatMessage.objects.none()
        return chat_selectors.chat_messages(self.incident())

    def create(self, request, *args, **kwargs):
        incident = self.incident()
        data = ChatPostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = chat.chat_post(actor=request.user, incident=incident, text=data.validated_data["text"])
        message = chat_selectors.chat_messages(incident).get(pk=message.pk)
        return Response(ChatMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the message in the crisis log, once (member or above)",
        request=PromoteSerializer,
        responses={200: ChatMessageSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def promote(self, request, incident_pk=None, pk=None):
        incident = self.incident()
        message = chat_selectors.chat_messages(incident).filter(pk=pk).first()
        if message is None:
            return Response({"detail": _("No such message in this incident.")}, status=status.HTTP_404_NOT_FOUND)
        data = PromoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        chat.chat_promote(actor=request.user, message=message, category=data.validated_data["category"])
        message = chat_selectors.chat_messages(incident).get(pk=message.pk)
        return Response(ChatMessageSerializer(message).data)


class PresenceViewSet(IncidentScopedViewSet):
    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(summary="Who has the incident open now", responses={200: PresenceSerializer, **READ_ERRORS})
    def list(self, request, *args, **kwargs):
        return Response(presence.viewers(self.incident().pk))


LOCKED = {409: OpenApiResponse(LockSerializer, description="Someone else is editing it; `current` says who.")}


class LockViewSet(IncidentScopedViewSet):
    """Edit locks: take one while you edit a fact or a statement draft, renew it while you type, release it."""

    pagination_class = None  # a handful of locks: the whole list
    lookup_value_regex = r"(fact|statement):\d{1,18}"
    lookup_field = "target"
    roles = {"list": Role.OBSERVER}
    # What OPTIONS describes (it found no serializer: a 500).
    serializer_class = LockRequestSerializer

    @extend_schema(summary="What is being edited now, by whom", responses={200: LockSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        return Response(locks.active_locks(self.incident().pk))

    @extend_schema(
        summary="Take or renew the lock (member or above); it lapses 90 s after the last renewal",
        request=LockRequestSerializer,
        responses={200: LockSerializer, **ERRORS, **LOCKED},
    )
    def create(self, request, *args, **kwargs):
        incident = self.incident()
        data = LockRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lock = locks.acquire(actor=request.user, incident=incident, target=data.validated_data["target"])
        holder = {"id": lock.holder_id, "name": str(lock.holder)}
        return Response({"target": lock.target, "holder": holder, "expires_at": lock.expires_at})

    @extend_schema(summary="Release your lock", responses={204: None, **ERRORS})
    def destroy(self, request, *args, **kwargs):
        locks.release(actor=request.user, incident=self.incident(), target=kwargs["target"])
        return Response(status=status.HTTP_204_NO_CONTENT)
