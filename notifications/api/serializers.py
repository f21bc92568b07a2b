from rest_framework import serializers

from .. import registry
from ..models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()
    # In the request's language (Accept-Language), like the pages.
    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "link",
            "cell",
            "incident",
            "data",
            "count",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        # The kinds the apps registered (notifications.registry), stated as an enum in the schema.
        fields["kind"] = serializers.ChoiceField(choices=registry.kind_choices(), read_only=True)
        return fields

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications changed to read.")
