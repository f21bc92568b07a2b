from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chat.models import ChatMessage
from chat.rendering import message_html
from core.api.serializers import StrictSerializer
from incidents.models import LogCategory


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="Position in the incident's stream: 1, 2, 3... with no gap.")
    type = serializers.CharField(help_text='What changed, e.g. "level.changed", "log.note", "fact.verify".')
    id = serializers.IntegerField(allow_null=True, help_text="The crisis-log entry or chat message it is about.")
    data = serializers.DictField(help_text='Small details; "panels" names the parts of the page to refresh.')
    actor = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()


class EventPageSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    last_seq = serializers.IntegerField(help_text="The newest seq of the incident now.")
    events = EventSerializer(many=True)
    has_more = serializers.BooleanField(help_text="More events follow: ask again with after=<last seq received>.")


class ChatMessageSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)
    html = serializers.SerializerMethodField(help_text="The text as safe HTML (markdown subset, mentions, links).")
    mentions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    promoted_entry = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The crisis-log entry it became, if it was recorded."
    )

    class Meta:
        model = ChatMessage
        fields = ["id", "incident", "author", "author_name", "text", "html", "mentions", "refs", "created_at"]
        fields += ["promoted_entry"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_html(self, message) -> str:
        return message_html(message)


class ChatPostSerializer(StrictSerializer):
    text = serializers.CharField(max_length=ChatMessage._meta.get_field("text").max_length, trim_whitespace=True)


class PromoteSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=LogCategory.choices, default=LogCategory.DECISION)


class LockRequestSerializer(StrictSerializer):
    target = serializers.RegexField(
        r"^(fact|statement):\d{1,18}$", help_text='"fact:<id>", or "statement:<id>" for its open draft.'
    )


class LockHolderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LockSerializer(serializers.Serializer):
    target = serializers.CharField()
    holder = LockHolderSerializer(allow_null=True)
    expires_at = serializers.DateTimeField(required=False)


class ViewerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    initials = serializers.CharField()
    state = serializers.ChoiceField(choices=["active", "idle"])


class PresenceSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    users = ViewerSerializer(many=True)
