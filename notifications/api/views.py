from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.query_params import check_query

from .. import selectors, services
from ..models import Notification
from .serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer

NOT_FOUND = {404: OpenApiResponse(description="No such notification of yours.")}


def unread_only(request) -> bool:
    """`unread=true` or `unread=false`, as the schema says; anything else (`null`, twice) is a 400."""
    check_query(request, booleans=("unread",))
    return request.query_params.get("unread", "").lower() == "true"


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, description="true: only the unread ones.")],
    ),
    retrieve=extend_schema(summary="One of your notifications", responses={200: NotificationSerializer, **NOT_FOUND}),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Per person: everyone reads and marks only their own (another person's id is a 404)."""

    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        notifications = selectors.notifications_for(self.request.user)
        if self.action == "list" and unread_only(self.request):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    def get_object(self) -> Notification:
        return selectors.get_notification_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(summary="Mark one read", request=None, responses={200: NotificationSerializer, **NOT_FOUND})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary="Mark all of yours read", request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_read(user=request.user)})

    @extend_schema(summary="How many of yours are unread (the badge)", responses={200: UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(request.user)})
